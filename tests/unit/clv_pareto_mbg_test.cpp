// Pareto/NBD and MBG/NBD against CDNOW reference fits and the BTYD / lifetimes vectors
// (CLV_MODELS.md 2.2, 2.3, 3.1, 3.3).
#include <catch2/catch.hpp>

#include <cmath>

#include "analytics/clv_kernels.hpp"
#include "clv_data.hpp"
#include "crmkit/clv.hpp"

using namespace crmkit::clv;
using Catch::Matchers::WithinAbs;
using Catch::Matchers::WithinRel;

TEST_CASE("Pareto/NBD fit on CDNOW", "[clv][pareto]") {
  const clv_test::Cdnow* found = clv_test::summary();
  if (!found) return;
  const clv_test::Cdnow& d = *found;
  const auto fit = fit_pareto_nbd(d.histories);
  // Recomputed MLE. The likelihood is flat along beta (BTYD: re-running moves beta
  // 11.656 -> 11.658 at the same LL), so r, alpha, s are held to 1e-3 relative and beta to
  // 2e-3; the LL must match to 0.01.
  clv_test::check_published_fit(fit.report, {fit.params.r, fit.params.alpha, fit.params.s, fit.params.beta},
                                {0.55328, 10.57761, 0.60621, 11.66791}, -9594.97, {1e-3, 1e-3, 1e-3, 2e-3});

  // lifetimes vs R BTYD: E[Y(52) | 26, 30.86, 31] = 25.46 (abs 0.01).
  CHECK_THAT(conditional_expected_purchases(fit.params, 52, 26, 30.86, 31), WithinAbs(25.46, 0.01));
  const double ex[] = {0, 0.05077821, 0.09916088, 0.14542507, 0.18979930, 0.23247466,
                       0.27361274, 0.31335159, 0.35181024, 0.38909211};
  for (int t = 0; t < 10; ++t) CHECK_THAT(expected_purchases(fit.params, t), WithinAbs(ex[t], 0.01));
}

TEST_CASE("Pareto/NBD closed forms at published parameters", "[clv][pareto]") {
  // BTYD man page parameters reproduce the R E[X(t)] vector exactly.
  const ParetoNbdParams man{0.55, 10.56, 0.61, 11.64};
  const double ex[] = {0, 0.05077821, 0.09916088, 0.14542507, 0.18979930, 0.23247466,
                       0.27361274, 0.31335159, 0.35181024, 0.38909211};
  for (int t = 1; t < 10; ++t) CHECK_THAT(expected_purchases(man, t), WithinRel(ex[t], 1e-6));
  // pymc-marketing / lifetimes P(alive) = 0.9979 (tolerance 0.001).
  CHECK_THAT(p_alive(ParetoNbdParams{0.5534, 10.5802, 0.6061, 11.6562}, 26, 30.86, 31), WithinAbs(0.9979, 1e-3));
  // BTYD walkthrough parameters: customer 1516, the paradox, E[X(52)], P(alive | 0, 0, 39).
  const ParetoNbdParams w{0.553, 10.580, 0.606, 11.656};
  CHECK_THAT(expected_purchases(w, 52), WithinRel(1.473434, 1e-3));
  CHECK_THAT(conditional_expected_purchases(w, 52, 26, 30.85714, 31), WithinAbs(25.45647, 0.01));
  CHECK_THAT(p_alive(w, 26, 30.85714, 31), WithinAbs(0.997874, 1e-4));
  CHECK_THAT(p_alive(w, 0, 0, 39), WithinAbs(0.29414, 1e-3));
  CHECK_THAT(conditional_expected_purchases(w, 52, 10, 20, 39), WithinRel(0.7062289, 2e-3));
  CHECK_THAT(conditional_expected_purchases(w, 52, 15, 20, 39), WithinRel(0.1442396, 2e-3));
  CHECK_THAT(conditional_expected_purchases(w, 52, 20, 20, 39), WithinRel(0.02250658, 2e-3));
  CHECK_THAT(conditional_expected_purchases(w, 52, 25, 20, 39), WithinRel(0.00309267, 2e-3));
  // Underflow test (lifetimes): neighbouring x give close values around 6.2.
  const ParetoNbdParams u{0.55, 10.58, 0.61, 11.67};
  const double e132 = conditional_expected_purchases(u, 10, 132, 200, 200);
  const double e133 = conditional_expected_purchases(u, 10, 133, 200, 200);
  CHECK(std::abs(e132 - e133) < 0.05);
  CHECK_THAT(e132, WithinAbs(6.2060517889632418, 0.01));
  // t_x = T (A0 = 0) and alpha = beta are special cases of the likelihood.
  CHECK(p_alive(u, 5, 30, 30) == 1.0);
  CHECK(std::isfinite(log_likelihood(u, 5, 30, 30)));
  const ParetoNbdParams eq{0.5, 10, 0.6, 10};
  CHECK(std::isfinite(log_likelihood(eq, 3, 10, 30)));
  CHECK_THAT(log_likelihood(eq, 3, 10, 30),
             WithinAbs(log_likelihood(ParetoNbdParams{0.5, 10, 0.6, 10.000001}, 3, 10, 30), 1e-5));
  // s = 1 uses the logarithmic limit.
  CHECK_THAT(expected_purchases(ParetoNbdParams{0.5, 10, 1.0, 10}, 20),
             WithinRel(expected_purchases(ParetoNbdParams{0.5, 10, 1.0 + 1e-7, 10}, 20), 1e-5));
}

TEST_CASE("Pareto/NBD overflow cases stay finite", "[clv][pareto]") {
  const ParetoNbdParams m{10.465, 7.98565181e-03, 3.0516, 2.820};
  const double xs[] = {400, 500, 500}, txs[] = {5, 1, 4}, Ts[] = {6, 37, 37};
  for (int i = 0; i < 3; ++i) {
    const double ll = log_likelihood(m, xs[i], txs[i], Ts[i]);
    CHECK(std::isfinite(ll));
  }
  const double xs2[] = {40, 50, 50};
  for (int i = 0; i < 3; ++i) {
    const double p = p_alive(m, xs2[i], txs[i], Ts[i]);
    CHECK(std::isfinite(p));
    CHECK(p >= 0);
    CHECK(p <= 1);
    CHECK(std::isfinite(conditional_expected_purchases(m, 10, xs2[i], txs[i], Ts[i])));
  }
}

TEST_CASE("Pareto/NBD DERT matches the BTYD example", "[clv][pareto][dert]") {
  const ParetoNbdParams m{0.5629966, 12.5590370, 0.4081095, 10.5148048};
  CHECK_THAT(discounted_expected_residual_transactions(m, 0.0027, 7, 35, 77.86), WithinAbs(1.86418, 1e-4));
  // 15% a year compounded annually is about 0.0027 per week.
  CHECK_THAT(continuous_discount_rate(0.15, TimeUnit::week), WithinAbs(0.0027, 0.0001));
  // s above 1 and exactly 1 (recurrence of the incomplete gamma) are continuous in s.
  for (double s : {1.0, 2.0, 3.0}) {
    const double at = discounted_expected_residual_transactions(ParetoNbdParams{0.56, 12.6, s, 10.5}, 0.0027, 7, 35, 77.86);
    const double near = discounted_expected_residual_transactions(ParetoNbdParams{0.56, 12.6, s + 1e-6, 10.5}, 0.0027, 7, 35, 77.86);
    CHECK(std::isfinite(at));
    CHECK_THAT(at, WithinRel(near, 1e-4));
  }
  // Higher discounting lowers DERT.
  CHECK(discounted_expected_residual_transactions(m, 0.01, 7, 35, 77.86) <
        discounted_expected_residual_transactions(m, 0.0027, 7, 35, 77.86));
  CHECK_THROWS_AS(discounted_expected_residual_transactions(m, 0, 7, 35, 77.86), crmkit::Error);
}

TEST_CASE("MBG/NBD fit on CDNOW reproduces BTYDplus", "[clv][mbg]") {
  const clv_test::Cdnow* found = clv_test::summary();
  if (!found) return;
  const clv_test::Cdnow& d = *found;
  const auto fit = fit_mbg_nbd(d.histories);
  clv_test::check_published_fit(fit.report, {fit.params.r, fit.params.alpha, fit.params.a, fit.params.b},
                                {0.52484, 6.18299, 0.89136, 1.61400}, -9582.13);
  // lifetimes: close to the BG/NBD spreadsheet values.
  CHECK_THAT(conditional_expected_purchases(fit.params, 39, 2, 30.43, 38.86), WithinAbs(1.226, 0.05));
  const double ts[] = {0.1429, 1, 3, 31.8571, 32, 78};
  const double ex[] = {0.0078, 0.0532, 0.1506, 1.0405, 1.0437, 1.8576};
  for (int i = 0; i < 6; ++i) CHECK_THAT(expected_purchases(fit.params, ts[i]), WithinRel(ex[i], 0.05));
  CHECK(p_alive(fit.params, 0, 1, 1) < 1.0);
  // The generic entry point gives the same fit.
  const auto g = fit_purchase_model(PurchaseModelKind::mbg_nbd, d.histories);
  CHECK(kind_of(g.model) == PurchaseModelKind::mbg_nbd);
  CHECK(parameters(g.model)[0] == fit.params.r);
}

TEST_CASE("MBG/NBD probability of n purchases", "[clv][mbg]") {
  const MbgNbdParams m{0.243, 4.414, 0.793, 2.426};
  CHECK_THAT(probability_of_purchases(m, 2, 10), WithinRel(1.07869e-07, 0.5));
  const double want[] = {0.0019995214, 0.0015170236, 0.0011633150, 0.0009003148, 0.0007023638,
                         0.0005517902, 0.0004361913, 0.0003467171, 0.0002769613, 0.0002222260};
  for (int n = 11; n <= 20; ++n) CHECK_THAT(probability_of_purchases(m, 30, n), WithinRel(want[n - 11], 0.5));
  double sum = 0;
  for (int n = 0; n < 2000; ++n) sum += probability_of_purchases(m, 30, n);
  CHECK_THAT(sum, WithinAbs(1.0, 1e-3));
  // Its mean equals E[X(t)].
  double mean = 0;
  for (int n = 0; n < 4000; ++n) mean += n * probability_of_purchases(m, 10, n);
  CHECK_THAT(mean, WithinRel(expected_purchases(m, 10), 1e-4));
}

TEST_CASE("purchase models: storage round trip and generic dispatch", "[clv]") {
  const PurchaseModel m = make_purchase_model(parse_purchase_model_kind("pareto_nbd"), {0.55, 10.58, 0.61, 11.67});
  CHECK(std::string(to_string(kind_of(m))) == "pareto_nbd");
  CHECK(std::string(parameter_names(PurchaseModelKind::pareto_nbd)[3]) == "beta");
  CHECK(parameters(m)[3] == 11.67);
  CHECK(p_alive(m, 26, 30.86, 31) == p_alive(std::get<ParetoNbdParams>(m), 26, 30.86, 31));
  CHECK_THROWS_AS(make_purchase_model(PurchaseModelKind::bg_nbd, {1, -1, 1, 1}), crmkit::Error);
  CHECK_THROWS_AS(make_purchase_model(PurchaseModelKind::bg_nbd, {1, NAN, 1, 1}), crmkit::Error);
  CHECK_THROWS_AS(parse_purchase_model_kind("bgnbd"), crmkit::Error);
  CHECK(parse_time_unit("week") == TimeUnit::week);
  CHECK_THROWS_AS(parse_time_unit("W"), crmkit::Error);
}

TEST_CASE("Pareto/NBD analytic gradient matches finite differences", "[clv][pareto]") {
  struct Case { ParetoNbdParams m; double x, t_x, T; };
  const Case cases[] = {{{0.55, 10.58, 0.61, 11.67}, 2, 30.43, 38.86},   // alpha < beta
                        {{0.55, 12.58, 0.61, 9.67}, 5, 20, 38.86},       // alpha >= beta
                        {{0.55, 10.0, 0.61, 10.0}, 1, 3, 20},            // alpha = beta
                        {{1.3, 0.4, 2.1, 0.2}, 0, 0, 1},                 // x = 0
                        {{0.55, 10.58, 0.61, 11.67}, 4, 30, 30}};        // t_x = T
  for (const auto& c : cases) {
    double ll = 0, g[4];
    REQUIRE(crmkit::clv::detail::pareto_ll_grad(c.m, c.x, c.t_x, c.T, &ll, g));
    CHECK_THAT(ll, WithinRel(log_likelihood(c.m, c.x, c.t_x, c.T), 1e-12));
    for (int p = 0; p < 4; ++p) {
      auto at = [&](double h) {
        ParetoNbdParams q = c.m;
        double* v[4] = {&q.r, &q.alpha, &q.s, &q.beta};
        *v[p] += h;
        return log_likelihood(q, c.x, c.t_x, c.T);
      };
      const double vals[4] = {c.m.r, c.m.alpha, c.m.s, c.m.beta};
      const double h = 1e-6 * std::max(1.0, std::abs(vals[p]));
      const double fd = (at(h) - at(-h)) / (2 * h);
      INFO("param " << p << " x=" << c.x);
      CHECK_THAT(g[p], WithinAbs(fd, 1e-6 * std::max(1.0, std::abs(fd))));
    }
  }
}
