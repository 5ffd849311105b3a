// BG/NBD against the published CDNOW fit and the lifetimes / BTYD / Hardie test vectors
// (numbers from docs CLV_MODELS.md sections 2.1 and 3).
#include <catch2/catch.hpp>

#include <chrono>
#include <cmath>

#include "analytics/clv_fit.hpp"
#include "clv_data.hpp"
#include "crmkit/clv.hpp"

using namespace crmkit::clv;
using Catch::Matchers::WithinAbs;
using Catch::Matchers::WithinRel;

namespace {
const BgNbdParams kBtyd{0.243, 4.414, 0.793, 2.426};          // lifetimes PMF test params
const BgNbdParams kMle{0.24259, 4.41353, 0.79289, 2.42576};    // recomputed CDNOW MLE
}  // namespace

TEST_CASE("BG/NBD fit on CDNOW reproduces Fader-Hardie-Lee", "[clv][bg_nbd]") {
  const clv_test::Cdnow* found = clv_test::summary();
  if (!found) return;
  const clv_test::Cdnow& d = *found;
  REQUIRE(d.histories.size() == 2357);
  const auto fit = fit_bg_nbd(d.histories);
  clv_test::check_published_fit(fit.report, {fit.params.r, fit.params.alpha, fit.params.a, fit.params.b},
                                {0.24259, 4.41353, 0.79289, 2.42576}, -9582.43);
  CHECK(fit.report.customers == 2357);
  CHECK(fit.report.patterns <= 2357);
  REQUIRE(fit.report.standard_errors.size() == 4);
  for (double se : fit.report.standard_errors) CHECK(se > 0);
  CHECK_THAT(log_likelihood(fit.params, d.histories), WithinAbs(fit.report.log_likelihood, 1e-9));

  // Hardie's spreadsheet: E[Y(39) | 2, 30.43, 38.86] = 1.226 and E[X(t)] (decimal 3).
  CHECK_THAT(conditional_expected_purchases(fit.params, 39, 2, 30.43, 38.86), WithinAbs(1.226, 0.001));
  const double ts[] = {0.1429, 1, 3, 31.8571, 32, 78};
  const double ex[] = {0.0078, 0.0532, 0.1506, 1.0405, 1.0437, 1.8576};
  for (int i = 0; i < 6; ++i) CHECK_THAT(expected_purchases(fit.params, ts[i]), WithinAbs(ex[i], 1.5e-3));
  // BTYD walkthrough: E[X(52)] = 1.444004, customer 1516 E[Y(52)] = 25.75659, P(alive) 0.9688523.
  CHECK_THAT(expected_purchases(fit.params, 52), WithinAbs(1.444004, 1e-3));
  CHECK_THAT(conditional_expected_purchases(fit.params, 52, 26, 30.85714, 31), WithinAbs(25.75659, 0.01));
  CHECK_THAT(p_alive(fit.params, 26, 30.85714, 31), WithinAbs(0.9688523, 1e-3));
  // The no-overflow case: a very frequent buyer long gone is exactly dead.
  CHECK(p_alive(fit.params, 1000, 10, 100) == 0.0);

  // Rescaling time by 10 leaves P(alive) unchanged (lifetimes test, 1e-4).
  Histories scaled = d.histories;
  for (auto& v : scaled.t_x) v *= 10;
  for (auto& v : scaled.T) v *= 10;
  const auto fit10 = fit_bg_nbd(scaled);
  CHECK(clv_test::rel(fit10.params.alpha, 10 * fit.params.alpha) < 1e-3);
  const auto pa = p_alive(PurchaseModel{fit.params}, d.histories);
  const auto pa10 = p_alive(PurchaseModel{fit10.params}, scaled);
  double worst = 0;
  for (std::size_t i = 0; i < pa.size(); ++i) worst = std::max(worst, std::abs(pa[i] - pa10[i]));
  CHECK(worst < 1e-4);
}

TEST_CASE("BG/NBD fit: weights equal repeated rows", "[clv][bg_nbd]") {
  const clv_test::Cdnow* found = clv_test::summary();
  if (!found) return;
  const clv_test::Cdnow& d = *found;
  // Half the customers given weight 2, against the data with those rows duplicated.
  Histories weighted = d.histories, doubled = d.histories;
  weighted.weight.assign(d.histories.size(), 1.0);
  for (std::size_t i = 0; i < d.histories.size(); i += 2) {
    weighted.weight[i] = 2.0;
    doubled.x.push_back(d.histories.x[i]);
    doubled.t_x.push_back(d.histories.t_x[i]);
    doubled.T.push_back(d.histories.T[i]);
  }
  const auto a = fit_bg_nbd(weighted), b = fit_bg_nbd(doubled);
  CHECK_THAT(a.params.r, WithinRel(b.params.r, 1e-6));
  CHECK_THAT(a.params.b, WithinRel(b.params.b, 1e-6));
  CHECK_THAT(a.report.log_likelihood, WithinRel(b.report.log_likelihood, 1e-9));
  CHECK(a.report.patterns == b.report.patterns);
}

TEST_CASE("BG/NBD fit on the distinct histories, weighted by their rows, is the fit on every row", "[clv][bg_nbd]") {
  const clv_test::Cdnow* found = clv_test::summary();
  if (!found) return;
  Histories rows = found->histories;
  rows.weight.assign(rows.size(), 1.0);
  rows.weight[0] = 3.0;  // a row's own weight counts in its history's
  const auto distinct = crmkit::analytics::distinct_histories(rows);
  REQUIRE(distinct.unique.size() < rows.size());
  REQUIRE(distinct.unique.weight.size() == distinct.unique.size());
  double total = 0;
  for (double w : distinct.unique.weight) total += w;
  CHECK(total == static_cast<double>(rows.size()) + 2.0);
  CHECK(distinct.unique.weight[distinct.of[0]] >= 3.0);
  // CustomerValue::fit runs on the distinct histories: the same patterns, so the same numbers.
  const auto a = fit_bg_nbd(rows), b = fit_bg_nbd(distinct.unique);
  CHECK(a.params.r == b.params.r);
  CHECK(a.params.alpha == b.params.alpha);
  CHECK(a.params.a == b.params.a);
  CHECK(a.params.b == b.params.b);
  CHECK(a.report.log_likelihood == b.report.log_likelihood);
  CHECK(a.report.patterns == b.report.patterns);
}

TEST_CASE("BG/NBD fit on whole-week times, through the table of distinct times, maximises the likelihood",
          "[clv][bg_nbd]") {
  const clv_test::Cdnow* found = clv_test::summary();
  if (!found) return;
  // CDNOW in whole weeks: few distinct times, so the objective reads log(alpha + time) from
  // the table (index_times) instead of taking it per pattern.
  Histories weeks = found->histories;
  for (auto& v : weeks.t_x) v = std::floor(v);
  for (auto& v : weeks.T) v = std::floor(v);
  const auto patterns = crmkit::analytics::purchase_patterns("BG/NBD", weeks);
  REQUIRE(!patterns.scaled.times.empty());
  for (std::size_t i = 0; i < patterns.scaled.size(); ++i) {
    REQUIRE(patterns.scaled.times[patterns.scaled.T_at[i]] == patterns.scaled.T[i]);
    REQUIRE(patterns.scaled.times[patterns.scaled.t_x_at[i]] == patterns.scaled.t_x[i]);
  }
  const auto fit = fit_bg_nbd(weeks);
  // The likelihood computed directly, per customer, is highest at the fit: every parameter
  // moved by 0.1% either way lowers it.
  const double best = log_likelihood(fit.params, weeks);
  CHECK_THAT(best, WithinAbs(fit.report.log_likelihood, 1e-9));
  for (int k = 0; k < 4; ++k)
    for (double f : {0.999, 1.001}) {
      BgNbdParams moved = fit.params;
      double* v[] = {&moved.r, &moved.alpha, &moved.a, &moved.b};
      *v[k] *= f;
      CHECK(log_likelihood(moved, weeks) < best);
    }
}

TEST_CASE("BG/NBD numerically stable log-likelihood (Hardie note 027)", "[clv][bg_nbd]") {
  const BgNbdParams m{0.25, 4.0, 0.8, 2.5};
  CHECK_THAT(log_likelihood(m, 0, 0, 40), WithinAbs(-0.59947382, 1e-7));
  CHECK_THAT(log_likelihood(m, 200, 38, 40), WithinRel(100.7957, 1e-4));
}

TEST_CASE("BG/NBD P(alive) and expectations at fixed parameters", "[clv][bg_nbd]") {
  CHECK(p_alive(kBtyd, 0, 1, 1) == 1.0);
  CHECK(p_alive(kBtyd, 0, 0, 100) == 1.0);
  CHECK_THAT(p_alive(kMle, 2, 30.43, 38.86), WithinAbs(0.726609, 1e-4));
  CHECK_THAT(conditional_expected_purchases(kMle, 39, 2, 30.43, 38.86), WithinAbs(1.225910, 1e-4));
  // Paradox in the BTYD walkthrough (t_x = 20, T = 39, t = 52), at BTYD's parameters.
  const BgNbdParams w{0.2425982, 4.4136842, 0.7929899, 2.4261667};
  CHECK_THAT(conditional_expected_purchases(w, 52, 10, 20, 39), WithinRel(0.3474606, 1e-4));
  CHECK_THAT(conditional_expected_purchases(w, 52, 15, 20, 39), WithinRel(0.04283391, 1e-4));
  CHECK_THAT(conditional_expected_purchases(w, 52, 20, 20, 39), WithinRel(0.004158973, 1e-4));
  CHECK_THAT(conditional_expected_purchases(w, 52, 25, 20, 39), WithinRel(0.0003583685, 1e-4));
  // a = 1 is a removable 0/0 in the expectation formulas.
  for (const double a : {1.0, 1.0 + 1e-9}) {
    const BgNbdParams one{0.25, 4.0, a, 2.5};
    CHECK_THAT(expected_purchases(one, 10), WithinRel(expected_purchases(BgNbdParams{0.25, 4.0, 1.001, 2.5}, 10), 1e-3));
    CHECK(std::isfinite(conditional_expected_purchases(one, 10, 2, 5, 10)));
    CHECK(std::isfinite(expected_purchases(MbgNbdParams{0.25, 4.0, a, 2.5}, 10)));
  }
  // Large counts stay finite (the 2F1 series is carried in log scale).
  const double big = conditional_expected_purchases(w, 52, 3000, 38, 39);
  CHECK(std::isfinite(big));
  CHECK(big > 0);
  // Long horizons (2F1 argument close to 1) stay finite and increase.
  double prev = 0;
  for (double t : {100.0, 1000.0, 1e4, 1e5, 1e6}) {
    const double v = conditional_expected_purchases(w, t, 2, 30.43, 38.86);
    CHECK(std::isfinite(v));
    CHECK(v > prev);
    prev = v;
  }
  // a + b < 1 with x = 0 makes 2F1's c negative (lifetimes#302): still finite, no NaN.
  const BgNbdParams odd{0.3, 2.0, 0.3, 0.4};
  for (double t : {1.0, 10.0, 100.0}) {
    CHECK(std::isfinite(expected_purchases(odd, t)));
    CHECK(std::isfinite(conditional_expected_purchases(odd, t, 0, 0, 5)));
  }
}

TEST_CASE("expected purchases over many rows give each row its own history's value", "[clv][bg_nbd]") {
  // Computed once per distinct history: repeated, unsorted rows and histories that share two of
  // their three numbers must each still get exactly the scalar value of their own history.
  const BgNbdParams w{0.2425982, 4.4136842, 0.7929899, 2.4261667};
  const Histories rows{{10, 2, 10, 0, 2, 10, 2}, {20, 30.43, 20, 0, 30.43, 21, 31}, {39, 38.86, 39, 5, 38.86, 39, 38.86}, {}};
  const auto all = conditional_expected_purchases(PurchaseModel{w}, 52, rows);
  REQUIRE(all.size() == rows.x.size());
  for (std::size_t i = 0; i < all.size(); ++i)
    CHECK(all[i] == conditional_expected_purchases(w, 52, rows.x[i], rows.t_x[i], rows.T[i]));
  CHECK(all[0] == all[2]);
  CHECK(all[0] != all[5]);
}

TEST_CASE("BG/NBD probability of n purchases matches R BTYD", "[clv][bg_nbd]") {
  CHECK_THAT(probability_of_purchases(kBtyd, 2, 10), WithinAbs(1.07869e-07, 1e-4));
  CHECK_THAT(probability_of_purchases(kBtyd, 2, 10), WithinRel(1.07869e-07, 1e-4));
  CHECK_THAT(probability_of_purchases(kBtyd, 39, 0), WithinAbs(0.5737864, 1e-5));
  const double want[] = {0.0019995214, 0.0015170236, 0.0011633150, 0.0009003148, 0.0007023638,
                         0.0005517902, 0.0004361913, 0.0003467171, 0.0002769613, 0.0002222260};
  for (int n = 11; n <= 20; ++n) CHECK_THAT(probability_of_purchases(kBtyd, 30, n), WithinRel(want[n - 11], 1e-6));
  double sum = 0;
  for (int n = 0; n < 2000; ++n) sum += probability_of_purchases(kBtyd, 30, n);
  CHECK_THAT(sum, WithinAbs(1.0, 1e-3));
  CHECK_THROWS_AS(probability_of_purchases(kBtyd, 30, -1), crmkit::Error);
}

TEST_CASE("BG/NBD rejects bad inputs with invalid_argument", "[clv][bg_nbd]") {
  const auto code = clv_test::error_code;
  using crmkit::Errc;
  CHECK(code([] { p_alive(kBtyd, 1, 5, 4); }) == Errc::invalid_argument);        // t_x > T
  CHECK(code([] { p_alive(kBtyd, -1, 0, 4); }) == Errc::invalid_argument);
  CHECK(code([] { p_alive(BgNbdParams{0, 1, 1, 1}, 1, 1, 4); }) == Errc::invalid_argument);
  CHECK(code([] { expected_purchases(kBtyd, NAN); }) == Errc::invalid_argument);
  CHECK(code([] { fit_bg_nbd(Histories{}); }) == Errc::invalid_argument);
  // No repeat buyers, a single customer, everything on day one.
  CHECK(code([] { fit_bg_nbd(Histories{{0, 0, 0}, {0, 0, 0}, {5, 6, 7}, {}}); }) == Errc::invalid_argument);
  CHECK(code([] { fit_bg_nbd(Histories{{0}, {0}, {0}, {}}); }) == Errc::invalid_argument);
  CHECK(code([] { fit_bg_nbd(Histories{{1, 2}, {0, 0}, {0, 0}, {}}); }) == Errc::invalid_argument);
  CHECK(code([] { fit_bg_nbd(Histories{{1, 2}, {1, 2}, {3}, {}}); }) == Errc::invalid_argument);
  CHECK(code([] { fit_bg_nbd(Histories{{1}, {1}, {3}, {-1}}); }) == Errc::invalid_argument);
  CHECK(code([] { fit_bg_nbd(Histories{{1}, {1}, {3}, {0}}); }) == Errc::invalid_argument);
}
