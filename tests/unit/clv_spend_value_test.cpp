// Gamma-Gamma spend model and the CLV variants (CLV_MODELS.md 2.5, 2.6, 3.1).
#include <catch2/catch.hpp>

#include <cmath>
#include <string>
#include <vector>

#include "clv_data.hpp"
#include "crmkit/clv.hpp"

using namespace crmkit::clv;
using Catch::Matchers::WithinAbs;
using Catch::Matchers::WithinRel;

namespace {
SpendHistories repeaters(const clv_test::Cdnow& s) {
  SpendHistories sp;
  for (std::size_t i = 0; i < s.zbar.size(); ++i)
    if (s.histories.x[i] > 0) {
      sp.x.push_back(s.histories.x[i]);
      sp.mean_spend.push_back(s.zbar[i]);
    }
  return sp;
}
}  // namespace

TEST_CASE("Gamma-Gamma fit on the 946 CDNOW repeaters", "[clv][gamma_gamma]") {
  const clv_test::Cdnow* found = clv_test::with_spend();
  if (!found) return;
  const clv_test::Cdnow& s = *found;
  const SpendHistories sp = repeaters(s);
  REQUIRE(sp.size() == 946);
  const auto fit = fit_gamma_gamma(sp);
  clv_test::check_published_fit(fit.report, {fit.params.p, fit.params.q, fit.params.gamma},
                                {6.2488, 3.74459, 15.44774}, -4055.92);
  CHECK(fit.report.standard_errors.size() == 3);
  // Weights equal repeated rows (lifetimes test_using_weights_col_gives_correct_results).
  SpendHistories w = sp;
  w.weight.assign(w.size(), 3.0);
  const auto fw = fit_gamma_gamma(w);
  CHECK_THAT(fw.params.p, WithinRel(fit.params.p, 1e-5));
  CHECK_THAT(fw.report.log_likelihood, WithinRel(3 * fit.report.log_likelihood, 1e-9));
  // One-time buyers are refused, not silently dropped.
  SpendHistories all;
  all.x = s.histories.x;
  all.mean_spend = s.zbar;
  CHECK(clv_test::error_code([&] { fit_gamma_gamma(all); }) == crmkit::Errc::invalid_argument);
}

TEST_CASE("Gamma-Gamma conditional expected average spend", "[clv][gamma_gamma]") {
  const GammaGammaParams m{6.25, 3.74, 15.44};  // lifetimes' rounded params, atol 0.1
  CHECK_THAT(population_mean_spend(m), WithinAbs(35.17, 0.1));
  CHECK_THAT(population_mean_spend(GammaGammaParams{6.2488, 3.74459, 15.44774}), WithinAbs(35.17, 0.01));
  if (const clv_test::Cdnow* s = clv_test::with_spend()) {
    const double want[] = {24.65, 18.91, 35.17, 35.17, 35.17, 71.46, 18.91, 35.17, 27.28, 35.17};
    for (int i = 0; i < 10; ++i)
      CHECK_THAT(conditional_expected_average_spend(m, s->histories.x[i], s->zbar[i]), WithinAbs(want[i], 0.1));
  }
  // x = 0 gives the population mean; many purchases approach the customer's own mean.
  CHECK(conditional_expected_average_spend(m, 0, 0) == population_mean_spend(m));
  CHECK_THAT(conditional_expected_average_spend(m, 1e7, 50), WithinRel(50.0, 1e-4));
  // The vector form gives each row exactly the scalar value, and names the first bad row.
  const SpendHistories rows{{0, 1, 3, 1e7}, {0, 20, 35.5, 50}, {}};
  const auto all = conditional_expected_average_spend(m, rows);
  REQUIRE(all.size() == 4);
  for (std::size_t i = 0; i < all.size(); ++i)
    CHECK(all[i] == conditional_expected_average_spend(m, rows.x[i], rows.mean_spend[i]));
  const SpendHistories bad{{1, 2, -1}, {10, 10, 10}, {}};
  try {
    conditional_expected_average_spend(m, bad);
    FAIL("a negative count was accepted");
  } catch (const crmkit::Error& e) {
    CHECK(e.code() == crmkit::Errc::invalid_argument);
    CHECK(std::string(e.what()) == "x[2] = -1 must be a finite count >= 0");
  }
  CHECK(clv_test::error_code([] { population_mean_spend(GammaGammaParams{6, 0.9, 15}); }) == crmkit::Errc::invalid_argument);
  CHECK(clv_test::error_code([] { fit_gamma_gamma(SpendHistories{}); }) == crmkit::Errc::invalid_argument);
  CHECK(clv_test::error_code([] { fit_gamma_gamma(SpendHistories{{1, 2}, {10, 0}, {}}); }) == crmkit::Errc::invalid_argument);
  // Everybody spends the same: the spread parameter runs away; the fit still ends (cap or
  // flat stop) with finite numbers instead of hanging or returning NaN.
  FitOptions capped;
  capped.max_iterations = 200;
  try {
    const auto f = fit_gamma_gamma(SpendHistories{{1, 2, 3, 4}, {10, 10, 10, 10}, {}}, capped);
    CHECK(std::isfinite(f.params.p));
    CHECK(std::isfinite(f.report.log_likelihood));
  } catch (const crmkit::Error& e) {
    CHECK(e.code() == crmkit::Errc::invalid_argument);
  }
}

TEST_CASE("monthly DCF CLV: lifetimes' known-value properties", "[clv][value]") {
  const PurchaseModel m = BgNbdParams{0.16, 1.86, 1.85, 3.18};
  // A customer observed for long (as in lifetimes' example data), so that E[Y(t)] is close
  // to linear over two months, which the "doubles" checks (rtol 0.1) rely on.
  const double x = 2, tx = 250, T = 300, margin = 10;
  const double p30 = conditional_expected_purchases(m, 30, x, tx, T);
  // time = 1 month, d = 0, daily data: exactly predict(30) x margin.
  CHECK(customer_lifetime_value(m, MonthlyHorizon(TimeUnit::day, 1, 0.0), x, tx, T, margin) == margin * p30);
  CHECK_THAT(customer_lifetime_value(m, MonthlyHorizon(TimeUnit::day, 1, 1.0), x, tx, T, margin),
             WithinRel(margin * p30 / 2, 1e-12));
  CHECK_THAT(customer_lifetime_value(m, MonthlyHorizon(TimeUnit::day, 2, 0.0), x, tx, T, margin),
             WithinRel(2 * margin * p30, 0.1));
  CHECK_THAT(customer_lifetime_value(m, MonthlyHorizon(TimeUnit::day, 2, 1.0), x, tx, T, margin),
             WithinRel(margin * p30 * (0.5 + 0.25), 0.1));
  // Hours: 720 per month, same value as days (lifetimes hourly/daily test).
  CHECK_THAT(customer_lifetime_value(BgNbdParams{0.16, 1.86 * 24, 1.85, 3.18}, MonthlyHorizon(TimeUnit::hour, 3, 0.01),
                                     x, tx * 24, T * 24, margin),
             WithinRel(customer_lifetime_value(m, MonthlyHorizon(TimeUnit::day, 3, 0.01), x, tx, T, margin), 1e-9));
  CHECK(units_per_month(TimeUnit::week) == 4.345);
  CHECK(clv_test::error_code([&] { customer_lifetime_value(m, MonthlyHorizon(TimeUnit::week, 0, 0.01), x, tx, T, 1); }) == crmkit::Errc::invalid_argument);
  CHECK(clv_test::error_code([&] { customer_lifetime_value(m, MonthlyHorizon(TimeUnit::week, 12, -0.01), x, tx, T, 1); }) == crmkit::Errc::invalid_argument);
  CHECK(clv_test::error_code([&] { customer_lifetime_value(m, MonthlyHorizon(TimeUnit::week, 12, 0.01), Histories{{1}, {1}, {2}, {}}, {}); }) == crmkit::Errc::invalid_argument);
}

TEST_CASE("CLV over many customers gives each row its own history's value", "[clv][value]") {
  const clv_test::Cdnow* found = clv_test::summary();
  if (!found) return;
  const Histories& h = found->histories;  // many rows share (x, T) and differ in t_x
  const MonthlyHorizon horizon(TimeUnit::week, 12, 0.01);
  std::vector<double> margin(h.size());
  for (std::size_t i = 0; i < h.size(); ++i) margin[i] = 10.0 + static_cast<double>(i % 7);
  const PurchaseModel models[] = {BgNbdParams{0.243, 4.414, 0.793, 2.426}, MbgNbdParams{0.525, 6.183, 0.891, 1.614},
                                  ParetoNbdParams{0.553, 10.58, 0.606, 11.67}};
  for (const PurchaseModel& m : models) {
    const std::vector<double> all = customer_lifetime_value(m, horizon, h, margin);
    REQUIRE(all.size() == h.size());
    for (std::size_t i = 0; i < h.size(); ++i)
      REQUIRE(all[i] == customer_lifetime_value(m, horizon, h.x[i], h.t_x[i], h.T[i], margin[i]));
    // The BG family's series is shared per (x, T), P(alive) is not: the sum of each month's
    // discounted conditional purchases, taken directly, agrees.
    for (std::size_t i = 0; i < h.size(); i += 97) {
      double direct = 0, prev = 0, discount = 1;
      for (int k = 1; k <= 12; ++k) {
        const double cur = conditional_expected_purchases(m, k * units_per_month(TimeUnit::week), h.x[i], h.t_x[i], h.T[i]);
        discount /= 1.01;
        direct += margin[i] * (cur - prev) * discount;
        prev = cur;
      }
      CHECK_THAT(all[i], WithinRel(direct, 1e-12));
    }
  }
}

TEST_CASE("CLV on weekly CDNOW: the unit must be named, and weeks give 36.28", "[clv][value]") {
  const clv_test::Cdnow *found_d = clv_test::summary(), *found_s = clv_test::with_spend();
  if (!found_d || !found_s) return;
  const clv_test::Cdnow &d = *found_d, &s = *found_s;
  const auto bg = fit_bg_nbd(d.histories);
  const auto gg = fit_gamma_gamma(repeaters(s));
  // Customer 1 (x=2, t_x=30.43, T=38.86, zbar 22.35) and customer 6.
  std::vector<double> margin(s.zbar.size());
  for (std::size_t i = 0; i < margin.size(); ++i)
    margin[i] = conditional_expected_average_spend(gg.params, s.histories.x[i], s.zbar[i]);
  const auto weekly = customer_lifetime_value(bg.params, MonthlyHorizon(TimeUnit::week, 12, 0.01), s.histories, margin);
  CHECK_THAT(weekly[0], WithinAbs(36.278, 0.01));
  CHECK_THAT(weekly[5], WithinAbs(283.524, 0.05));
  // The lifetimes Quickstart mistake (freq "D" on weekly data) is reproducible only by
  // naming the wrong unit explicitly: 140.10 and 1003.87.
  const auto wrong = customer_lifetime_value(bg.params, MonthlyHorizon(TimeUnit::day, 12, 0.01), s.histories, margin);
  CHECK_THAT(wrong[0], WithinAbs(140.096, 0.01));
  CHECK_THAT(wrong[5], WithinAbs(1003.868, 0.05));
  // Vectorised and scalar forms agree.
  CHECK(customer_lifetime_value(bg.params, MonthlyHorizon(TimeUnit::week, 12, 0.01), s.histories.x[0],
                                s.histories.t_x[0], s.histories.T[0], margin[0]) == weekly[0]);
}

TEST_CASE("closed-form CLV conventions", "[clv][value]") {
  CHECK(simple_lifetime_value(1000, 0.3, 4, 200) == 1000 * 0.3 * 4 - 200);
  // m = 100, r = 0.8, d = 0.1: margin now 100*1.1/0.3; first margin after one period 100*0.8/0.3.
  CHECK_THAT(retention_value_margin_at_start(100, 0.8, 0.1), WithinRel(110.0 / 0.3, 1e-12));
  CHECK_THAT(retention_value_margin_at_end(100, 0.8, 0.1), WithinRel(80.0 / 0.3, 1e-12));
  // They differ by exactly the first margin.
  CHECK_THAT(retention_value_margin_at_start(100, 0.8, 0.1) - retention_value_margin_at_end(100, 0.8, 0.1),
             WithinAbs(100.0, 1e-9));
  // Finite horizons: explicit sums, and they converge to the infinite forms.
  CHECK_THAT(retention_value_margin_at_start(100, 0.8, 0.1, 3), WithinRel(100 * (1 + 0.8 / 1.1 + 0.64 / 1.21), 1e-12));
  CHECK_THAT(retention_value_margin_at_end(100, 0.8, 0.1, 2), WithinRel(100 * (0.8 / 1.1 + 0.64 / 1.21), 1e-12));
  CHECK_THAT(retention_value_margin_at_end(100, 0.8, 0.1, 2000), WithinRel(retention_value_margin_at_end(100, 0.8, 0.1), 1e-9));
  CHECK(retention_value_margin_at_start(100, 1.1, 0.1, 4) == 400.0);  // r = 1 + d: every term is m
  CHECK(retention_value_margin_at_end(100, 0.8, 0.1, 0) == 0.0);
  using crmkit::Errc;
  CHECK(clv_test::error_code([] { retention_value_margin_at_start(100, 1.1, 0.1); }) == Errc::invalid_argument);
  CHECK(clv_test::error_code([] { retention_value_margin_at_end(100, -0.1, 0.1); }) == Errc::invalid_argument);
  CHECK(clv_test::error_code([] { retention_value_margin_at_end(100, 0.5, -0.1); }) == Errc::invalid_argument);
  CHECK(clv_test::error_code([] { retention_value_margin_at_end(100, 0.5, 0.1, -1); }) == Errc::invalid_argument);
  CHECK(clv_test::error_code([] { simple_lifetime_value(NAN, 0.3, 4, 0); }) == Errc::invalid_argument);
  CHECK(clv_test::error_code([] { simple_lifetime_value(1, 0.3, -4, 0); }) == Errc::invalid_argument);
}
