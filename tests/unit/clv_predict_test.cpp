// Probabilities of n purchases (unconditional and given a history) for Pareto/NBD, BG/NBD and
// MBG/NBD; BG/BB P(X(n) = x); sBG survival and retention. Each distribution is checked as a
// distribution (sums to 1 within 1e-9, mean equal to the model's closed-form expectation),
// against an independent route where there is one, and against published figures
// (CLV_MODELS.md 3.1, 3.3; Fader & Hardie 2007).
#include <catch2/catch.hpp>

#include <cmath>
#include <vector>

#include <boost/math/quadrature/tanh_sinh.hpp>

#include "clv_data.hpp"
#include "crmkit/clv.hpp"

using namespace crmkit::clv;
using Catch::Matchers::WithinAbs;
using Catch::Matchers::WithinRel;

namespace {

// Sum and mean of p(n) over n = 0.. until the remaining mass is negligible: stops once the
// sum is within 1e-13 of 1 or after `cap` terms (the caller checks the sum).
template <class P>
void moments(P&& p, int cap, double* sum, double* mean) {
  *sum = 0;
  *mean = 0;
  for (int n = 0; n < cap; ++n) {
    const double v = p(n);
    REQUIRE(std::isfinite(v));
    REQUIRE(v >= 0);
    REQUIRE(v <= 1);
    *sum += v;
    *mean += n * v;
    if (n > 5 && 1 - *sum < 1e-13 && v * n < 1e-14) break;
  }
}

// The Pareto/NBD dropout term by a route independent of the library's: the customer dies at
// tau in (0, t] (density s beta^s / (beta + tau)^(s+1)) having bought n times by then
// (NBD(n; r, alpha, tau)); integrated in tau itself by tanh-sinh quadrature.
double pareto_by_integral(const ParetoNbdParams& m, double t, int n) {
  auto nbd = [&](double tau) {
    if (tau <= 0) return n == 0 ? 1.0 : 0.0;
    return std::exp(std::lgamma(m.r + n) - std::lgamma(m.r) - std::lgamma(n + 1.0) +
                    m.r * std::log(m.alpha / (m.alpha + tau)) + n * std::log(tau / (m.alpha + tau)));
  };
  auto f = [&](double tau) { return nbd(tau) * m.s * std::pow(m.beta, m.s) / std::pow(m.beta + tau, m.s + 1); };
  boost::math::quadrature::tanh_sinh<double> integrator;
  const double dropout = integrator.integrate(f, 0.0, t, 1e-13);
  return nbd(t) * std::pow(m.beta / (m.beta + t), m.s) + dropout;
}

const ParetoNbdParams kCdnowPareto{0.55, 10.58, 0.61, 11.67};  // Fader & Hardie's CDNOW estimate

}  // namespace

TEST_CASE("Pareto/NBD P(X(t) = n) is a distribution with mean E[X(t)]", "[clv][pareto][pmf]") {
  const ParetoNbdParams sets[] = {
      kCdnowPareto,                   // alpha < beta
      {0.55, 12.58, 0.61, 9.67},      // alpha > beta
      {0.8, 5, 0.9, 5},               // alpha = beta (2F1 at z = 0)
      {1.3, 4, 1.0000001, 6},         // s next to 1 (E[X(t)] takes its limit)
      {1.3, 4, 1.0, 6},               // s = 1
      {2.5, 0.4, 3.1, 0.2},           // fast buyers, fast dropout
      {0.2, 30, 0.3, 0.5},            // beta << alpha: B1's 2F1 argument close to 1
      {0.9, 0.5, 0.4, 40},            // alpha << beta
  };
  for (const auto& m : sets) {
    // Long horizons only where the distribution stays short (its sum is quadratic in n).
    const std::vector<double> ts = m.alpha > 5 ? std::vector<double>{0.5, 1.0, 39.0, 200.0} : std::vector<double>{0.5, 1.0, 3.0};
    for (double t : ts) {
      INFO("r " << m.r << " alpha " << m.alpha << " s " << m.s << " beta " << m.beta << " t " << t);
      double sum = 0, mean = 0;
      moments([&](int n) { return probability_of_purchases(m, t, n); }, 4000, &sum, &mean);
      CHECK_THAT(sum, WithinAbs(1.0, 1e-9));
      CHECK_THAT(mean, WithinRel(expected_purchases(m, t), 1e-8));
    }
  }
  CHECK(probability_of_purchases(kCdnowPareto, 0, 0) == 1.0);
  CHECK(probability_of_purchases(kCdnowPareto, 0, 3) == 0.0);
}

TEST_CASE("Pareto/NBD P(X(t) = n) agrees with the integral it came from", "[clv][pareto][pmf]") {
  // Both regimes of the library: B1 minus the first n + 1 terms, and (small t or large n, where
  // that difference cancels) the tail of the series.
  const ParetoNbdParams sets[] = {kCdnowPareto, {0.55, 12.58, 0.61, 9.67}, {2.5, 0.4, 3.1, 0.2}, {0.2, 30, 0.3, 0.5}};
  for (const auto& m : sets) {
    for (double t : {1e-4, 0.01, 1.0, 39.0, 520.0}) {
      for (int n : {0, 1, 2, 5, 17, 60}) {
        INFO("r " << m.r << " alpha " << m.alpha << " t " << t << " n " << n);
        const double want = pareto_by_integral(m, t, n);
        if (want < 1e-250) continue;
        CHECK_THAT(probability_of_purchases(m, t, n), WithinRel(want, 1e-8));
      }
    }
  }
  // Large counts.
  const ParetoNbdParams fast{2.5, 0.4, 3.1, 0.2};
  CHECK_THAT(probability_of_purchases(fast, 5000, 2500), WithinRel(pareto_by_integral(fast, 5000, 2500), 1e-7));
  CHECK_THAT(probability_of_purchases(kCdnowPareto, 39, 300), WithinRel(pareto_by_integral(kCdnowPareto, 39, 300), 1e-7));
}

TEST_CASE("Pareto/NBD P(X(t) = n) at CDNOW's parameters: published-figure checks and extremes", "[clv][pareto][pmf]") {
  // BTYD's parameters (man/pnbd.Expectation.Rd) reproduce BTYD's E[X(t)] vector, and the pmf's
  // mean must give the same numbers (CLV_MODELS.md 3.1: 0.05077821 ... 0.38909211).
  const ParetoNbdParams btyd{0.55, 10.56, 0.61, 11.64};
  const double want[] = {0, 0.05077821, 0.09916088, 0.14542507, 0.18979930, 0.23247466,
                         0.27361274, 0.31335159, 0.35181024, 0.38909211};
  for (int t = 1; t <= 9; ++t) {
    double sum = 0, mean = 0;
    moments([&](int n) { return probability_of_purchases(btyd, t, n); }, 2000, &sum, &mean);
    CHECK_THAT(mean, WithinAbs(want[t], 5e-8));
  }
  // BTYD walkthrough: E[X(52)] = 1.473434 at the fitted (0.553, 10.580, 0.606, 11.656).
  double sum = 0, mean = 0;
  moments([&](int n) { return probability_of_purchases(ParetoNbdParams{0.553, 10.580, 0.606, 11.656}, 52, n); }, 6000,
          &sum, &mean);
  CHECK_THAT(mean, WithinRel(1.473434, 1e-3));  // the walkthrough prints rounded parameters
  CHECK_THAT(mean, WithinRel(expected_purchases(ParetoNbdParams{0.553, 10.580, 0.606, 11.656}, 52), 1e-9));
  // Large horizons and counts: finite, within [0, 1], never NaN.
  for (double t : {1e4, 1e6}) {
    for (int n : {0, 1, 100, 3000, 100000}) {
      const double p = probability_of_purchases(kCdnowPareto, t, n);
      INFO("t " << t << " n " << n << " p " << p);
      CHECK(std::isfinite(p));
      CHECK(p >= 0);
      CHECK(p <= 1);
    }
  }
  CHECK(probability_of_purchases(kCdnowPareto, 1, 1000000) < 1e-300);
  CHECK(probability_of_purchases(kCdnowPareto, 1e4, 1000000) < 1e-300);
  // A million purchases at a million weeks: the tail series would need ~4e7 terms; refused.
  CHECK_THROWS_WITH(probability_of_purchases(kCdnowPareto, 1e6, 1000000), Catch::Contains("more than 10^6 terms"));
  // Bad input: an error naming the argument, never NaN.
  using clv_test::error_code;
  CHECK(error_code([] { probability_of_purchases(kCdnowPareto, NAN, 1); }) == crmkit::Errc::invalid_argument);
  CHECK(error_code([] { probability_of_purchases(kCdnowPareto, -1, 1); }) == crmkit::Errc::invalid_argument);
  CHECK(error_code([] { probability_of_purchases(kCdnowPareto, 1, -1); }) == crmkit::Errc::invalid_argument);
  CHECK(error_code([] { probability_of_purchases(ParetoNbdParams{0.55, 10.58, NAN, 11.67}, 1, 1); }) ==
        crmkit::Errc::invalid_argument);
  CHECK_THROWS_WITH(probability_of_purchases(kCdnowPareto, INFINITY, 1), Catch::Contains("horizon t"));
  CHECK_THROWS_WITH(probability_of_purchases(kCdnowPareto, 1, -2), Catch::Contains("n = -2"));
}

TEST_CASE("conditional P(Y(t) = n | history) sums to 1 with mean E[Y(t) | history]", "[clv][pmf]") {
  struct History { double x, t_x, T; };
  const History hs[] = {{0, 0, 39}, {2, 30.43, 38.86}, {26, 30.86, 31}, {5, 5, 40}, {132, 200, 200}, {1, 0.5, 3}};
  const PurchaseModel models[] = {kCdnowPareto, ParetoNbdParams{0.55, 12.58, 0.61, 9.67},
                                  ParetoNbdParams{1.3, 4, 1.0, 6}, BgNbdParams{0.243, 4.414, 0.793, 2.426},
                                  BgNbdParams{0.5, 2, 1.0, 3},  // a = 1: E[Y] through its limit
                                  MbgNbdParams{0.525, 6.183, 0.891, 1.614}};
  for (const auto& m : models) {
    for (const auto& h : hs) {
      for (double t : {1.0, 10.0, 52.0}) {
        INFO(to_string(kind_of(m)) << " x " << h.x << " t_x " << h.t_x << " T " << h.T << " t " << t);
        double sum = 0, mean = 0;
        moments([&](int n) { return conditional_probability_of_purchases(m, t, n, h.x, h.t_x, h.T); }, 8000, &sum,
                &mean);
        CHECK_THAT(sum, WithinAbs(1.0, 1e-9));
        CHECK_THAT(mean, WithinRel(conditional_expected_purchases(m, t, h.x, h.t_x, h.T), 1e-7));
        // P(Y = 0) is at least the probability of being dead.
        CHECK(conditional_probability_of_purchases(m, t, 0, h.x, h.t_x, h.T) >= 1 - p_alive(m, h.x, h.t_x, h.T) - 1e-15);
      }
    }
  }
  // A new customer observed for no time is a new customer: the two pmfs agree.
  for (int n = 0; n < 5; ++n) {
    CHECK_THAT(conditional_probability_of_purchases(kCdnowPareto, 39, n, 0, 0, 0),
               WithinRel(probability_of_purchases(kCdnowPareto, 39, n), 1e-12));
    const BgNbdParams bg{0.243, 4.414, 0.793, 2.426};
    CHECK_THAT(conditional_probability_of_purchases(bg, 39, n, 0, 0, 0),
               WithinRel(probability_of_purchases(bg, 39, n), 1e-12));
  }
  // lifetimes' test_conditional_probability_of_n_purchases_up_to_time_adds_up_to_1 uses n < 20.
  double s20 = 0;
  for (int n = 0; n < 20; ++n) s20 += conditional_probability_of_purchases(kCdnowPareto, 10, n, 2, 30.43, 38.86);
  CHECK_THAT(s20, WithinAbs(1.0, 1e-2));
  // Customer 1516 of the BTYD walkthrough (26, 30.86, 31), alive with P 0.998 and E[Y(52)] 25.5:
  // buying nothing in the next year is unlikely (0.024).
  CHECK(conditional_probability_of_purchases(kCdnowPareto, 52, 0, 26, 30.86, 31) < 0.05);
  // lifetimes' underflow case (x = 132, T = 200) stays a distribution (checked above) and finite.
  CHECK(std::isfinite(conditional_probability_of_purchases(kCdnowPareto, 10, 6, 132, 200, 200)));
  CHECK_THROWS_WITH(conditional_probability_of_purchases(kCdnowPareto, 10, 1, 3, 40, 39), Catch::Contains("t_x"));
  CHECK_THROWS_WITH(conditional_probability_of_purchases(kCdnowPareto, NAN, 1, 3, 30, 39), Catch::Contains("horizon t"));
  CHECK_THROWS_AS(conditional_probability_of_purchases(BgNbdParams{0.243, 4.414, 0.793, 2.426}, 10, -1, 3, 30, 39),
                  crmkit::Error);
}

TEST_CASE("BG/BB P(X(n) = x) is a distribution and reproduces Hardie's donation counts", "[clv][bg_bb][pmf]") {
  // The recomputed MLE on the donations (CLV_MODELS.md 3.1): 11104 customers times
  // P(X(6) = x) is lifetimes' expected_number_of_transactions_in_first_n_periods, checked there
  // against Hardie's spreadsheet (3454.9 ... 1253.1).
  const BgBbParams m{1.20352, 0.74972, 0.65672, 2.78344};
  const double counts[] = {3454.9, 1888.7, 1348.9, 1113.4, 1017.9, 1027.2, 1253.1};
  for (int x = 0; x <= 6; ++x) CHECK_THAT(11104 * probability_of_transactions(m, 6, x), WithinAbs(counts[x], 0.1));
  const BgBbParams sets[] = {m, {0.5, 3, 2, 0.4}, {4, 0.3, 1.0, 7}, {1.2, 0.75, 0.0001, 2.8}};
  for (const auto& p : sets) {
    for (double n : {0.0, 1.0, 6.0, 50.0, 1000.0}) {
      INFO("alpha " << p.alpha << " gamma " << p.gamma << " n " << n);
      double sum = 0, mean = 0;
      for (double x = 0; x <= n; ++x) {
        const double v = probability_of_transactions(p, n, x);
        REQUIRE(std::isfinite(v));
        sum += v;
        mean += x * v;
      }
      CHECK_THAT(sum, WithinAbs(1.0, 1e-9));
      // At gamma = 1 expected_transactions averages gamma = 1 -+ 1e-5 (its 0/0 is removable),
      // good to about 1e-8 relative; the pmf has no such point.
      if (n > 0) CHECK_THAT(mean, WithinRel(expected_transactions(p, n), p.gamma == 1.0 ? 1e-7 : 1e-9));
    }
  }
  CHECK(probability_of_transactions(m, 0, 0) == Approx(1.0).epsilon(1e-14));
  CHECK_THROWS_WITH(probability_of_transactions(m, 6, 7), Catch::Contains("x = 7"));
  CHECK_THROWS_WITH(probability_of_transactions(m, 6, 1.5), Catch::Contains("x = 1.5"));
  CHECK_THROWS_WITH(probability_of_transactions(m, 2e6, 1), Catch::Contains("n = 2000000"));
  CHECK_THROWS_WITH(probability_of_transactions(m, NAN, 1), Catch::Contains("n = nan"));
  CHECK_THROWS_AS(probability_of_transactions(BgBbParams{1, 1, -1, 1}, 6, 1), crmkit::Error);
}

TEST_CASE("sBG survival and retention at Fader & Hardie's (2007) estimates", "[clv][sbg]") {
  // FH 2007: regular alpha = 0.704, beta = 1.182; high end 0.668, 3.806. The model's first-year
  // retention is beta/(alpha+beta); survival is the product of the retention rates and tracks
  // the observed % alive of the seven calibration years (the paper's figure) within 2 points.
  struct Case { ShiftedBetaGeometricParams m; double alive[8]; };
  const Case cases[] = {{{0.7041, 1.1820}, {1, 0.631, 0.468, 0.382, 0.326, 0.289, 0.262, 0.241}},
                        {{0.6681, 3.8061}, {1, 0.869, 0.743, 0.653, 0.593, 0.551, 0.517, 0.491}}};
  for (const auto& c : cases) {
    CHECK_THAT(retention_rate(c.m, 1), WithinRel(c.m.beta / (c.m.alpha + c.m.beta), 1e-15));
    double product = 1;
    for (int t = 1; t <= 12; ++t) {
      product *= retention_rate(c.m, t);
      CHECK_THAT(survival(c.m, t), WithinRel(product, 1e-12));
      if (t <= 7) CHECK_THAT(survival(c.m, t), WithinAbs(c.alive[t], 0.02));
    }
  }
  const ShiftedBetaGeometricParams regular{0.7041, 1.1820};
  CHECK_THAT(retention_rate(regular, 1), WithinAbs(0.6267, 1e-4));
  CHECK_THAT(survival(regular, 7), WithinAbs(0.2390, 1e-4));
  CHECK(survival(regular, 2147483647) > 0);
  CHECK_THROWS_WITH(retention_rate(regular, 0), Catch::Contains("t = 0"));
  CHECK_THROWS_WITH(survival(regular, -1), Catch::Contains("t = -1"));
}
