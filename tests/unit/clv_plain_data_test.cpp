// The plain-data CLV layer: the summary table of a purchase log and its calibration/holdout
// split (lifetimes' semantics), the penalizer, AIC/BIC and the printable fit summary.
#include <catch2/catch.hpp>

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <map>
#include <set>
#include <sstream>

#include "clv_data.hpp"
#include "crmkit.h"
#include "crmkit/clv.hpp"
#include "crmkit/time.hpp"
#include "expect_error.hpp"

using namespace crmkit;
using namespace crmkit::clv;
using clv_test::rel;

namespace {

std::int64_t at(const char* text) { return parse_instant(text); }

// The CDNOW sample's log: sample id, the day, dollars. Absent -> empty.
PurchaseLog cdnow_sample_log() {
  PurchaseLog log;
  std::ifstream in(clv_test::shared_file("cdnow/CDNOW_sample.txt"));
  std::string master, sample, date;
  double cds = 0, dollars = 0;
  while (in >> master >> sample >> date >> cds >> dollars) {
    const CivilDate d{std::stoi(date.substr(0, 4)), std::stoi(date.substr(4, 2)), std::stoi(date.substr(6, 2))};
    log.customer.push_back(std::stoll(sample));
    log.at.push_back(start_of_day(day_from_civil(d)));
    log.amount.push_back(dollars);
  }
  return log;
}

SummaryOptions cdnow_options() {
  SummaryOptions o;
  o.period = TimeUnit::day;
  o.periods_per_unit = 7;  // weeks between whole days, as the published summary
  o.observation_end = at("1998-06-30");
  return o;
}

}  // namespace

TEST_CASE("CDNOW: the calibration summary of the sample log is the published summary", "[clv][summary]") {
  const clv_test::Cdnow* published = clv_test::with_spend();
  if (!published) return;
  const PurchaseLog log = cdnow_sample_log();
  REQUIRE(log.size() == 6919);
  const CalibrationHoldout split = calibration_and_holdout(log, at("1997-09-30"), cdnow_options());
  const PurchaseSummary& s = split.calibration;
  REQUIRE(s.size() == published->id.size());
  REQUIRE(s.size() == 2357);
  int mismatches = 0;
  for (std::size_t i = 0; i < s.size(); ++i) {
    INFO("customer " << s.customer[i]);
    // The published file rounds times and spend to 2 decimals.
    const bool same = s.customer[i] == published->id[i] && s.frequency[i] == published->histories.x[i] &&
                      std::abs(s.recency[i] - published->histories.t_x[i]) <= 0.005 + 1e-9 &&
                      std::abs(s.T[i] - published->histories.T[i]) <= 0.005 + 1e-9 &&
                      std::abs(s.monetary_value[i] - published->zbar[i]) <= 0.005 + 1e-9;
    if (!same && ++mismatches <= 5)
      FAIL_CHECK("row " << i << ": got " << s.customer[i] << " " << s.frequency[i] << " " << s.recency[i] << " "
                        << s.T[i] << " " << s.monetary_value[i] << "; published " << published->id[i] << " "
                        << published->histories.x[i] << " " << published->histories.t_x[i] << " "
                        << published->histories.T[i] << " " << published->zbar[i]);
  }
  CHECK(mismatches == 0);
  // Customer 1 exactly: 1997-01-01 first, repeats up to 1997-08-02, T to 1997-09-30.
  CHECK(s.recency[0] == Approx(213.0 / 7).epsilon(1e-12));
  CHECK(s.T[0] == Approx(272.0 / 7).epsilon(1e-12));
  // The holdout: 39 weeks of whole days (1997-09-30 .. 1998-06-30 is 273 days).
  CHECK(split.duration_holdout == Approx(273.0 / 7).epsilon(1e-12));
  double holdout_total = 0;
  for (double f : split.frequency_holdout) holdout_total += f;
  // Distinct holdout purchase days summed over the 2,357 customers (recomputed independently
  // below from the raw log).
  std::map<std::int64_t, std::set<std::int64_t>> days;
  for (std::size_t i = 0; i < log.size(); ++i)
    if (log.at[i] > at("1997-09-30") && log.at[i] <= at("1998-06-30")) days[log.customer[i]].insert(log.at[i]);
  double expected_total = 0;
  for (const auto& [id, d] : days) expected_total += static_cast<double>(d.size());
  CHECK(holdout_total == expected_total);
}

TEST_CASE("CDNOW: BG/NBD on the summary built from the log reproduces the published fit", "[clv][summary]") {
  if (!clv_test::with_spend()) return;
  const PurchaseLog log = cdnow_sample_log();
  const CalibrationHoldout split = calibration_and_holdout(log, at("1997-09-30"), cdnow_options());
  const BgNbdFit f = fit_bg_nbd(split.calibration.histories());
  CHECK(f.report.converged);
  CHECK(std::round(f.params.r * 1000) / 1000 == Approx(0.243).margin(1e-12));
  CHECK(std::round(f.params.alpha * 1000) / 1000 == Approx(4.414).margin(1e-12));
  CHECK(std::round(f.params.a * 1000) / 1000 == Approx(0.793).margin(1e-12));
  CHECK(std::round(f.params.b * 1000) / 1000 == Approx(2.426).margin(1e-12));
  CHECK(f.report.log_likelihood == Approx(-9582.43).margin(0.01));
  // Gamma-Gamma on the repeat buyers' spend: note 025's 946 customers.
  std::vector<std::int64_t> who;
  const SpendHistories spend = split.calibration.repeat_spend(&who);
  CHECK(spend.size() == 946);
  CHECK(who.size() == 946);
  const GammaGammaFit gg = fit_gamma_gamma(spend);
  CHECK(rel(gg.params.p, 6.25) < 2e-3);
  CHECK(rel(gg.params.q, 3.74) < 2e-3);
  CHECK(rel(gg.params.gamma, 15.44) < 2e-3);
}

TEST_CASE("summary: periods merge, first purchase, units and the observation end", "[clv][summary]") {
  PurchaseLog log;
  auto add = [&](std::int64_t c, const char* t, double a) {
    log.customer.push_back(c);
    log.at.push_back(at(t));
    log.amount.push_back(a);
  };
  // Unsorted on purpose: the summary sorts.
  add(2, "2024-01-10T08:00:00Z", 5);
  add(1, "2024-01-01T09:00:00Z", 10);
  add(1, "2024-01-01T18:00:00Z", 20);   // same day: merged, spend summed (30)
  add(1, "2024-01-03T12:00:00Z", 6);
  add(1, "2024-01-08T00:00:00Z", 12);
  add(3, "2024-02-20T00:00:00Z", 7);    // after the observation end below
  SummaryOptions o;
  o.period = TimeUnit::day;
  o.observation_end = at("2024-01-10T23:00:00Z");
  const PurchaseSummary s = summarise_purchases(log, o);
  REQUIRE(s.size() == 2);
  CHECK(s.customer == std::vector<std::int64_t>{1, 2});
  CHECK(s.frequency == std::vector<double>{2, 0});
  CHECK(s.recency == std::vector<double>{7, 0});
  CHECK(s.T == std::vector<double>{9, 0});             // 2024-01-10 is in the end's day
  CHECK(s.monetary_value == std::vector<double>{9, 0});  // (6 + 12) / 2, the first day left out
  CHECK(s.purchases_left_out == 1);
  CHECK(s.observation_end == at("2024-01-10T23:00:00Z"));

  o.include_first_purchase = true;
  const PurchaseSummary f = summarise_purchases(log, o);
  CHECK(f.frequency == std::vector<double>{3, 1});
  CHECK(f.monetary_value == std::vector<double>{16, 5});  // (30 + 6 + 12) / 3

  // Weeks run Monday..Sunday: 2024-01-01 is a Monday, 2024-01-03 the same week, 2024-01-08
  // the next; the end's week starts 2024-01-08.
  SummaryOptions w;
  w.period = TimeUnit::week;
  w.observation_end = at("2024-01-10");
  const PurchaseSummary ws = summarise_purchases(log, w);
  CHECK(ws.frequency == std::vector<double>{1, 0});
  CHECK(ws.recency == std::vector<double>{1, 0});
  CHECK(ws.T == std::vector<double>{1, 0});
  CHECK(ws.monetary_value == std::vector<double>{12, 0});

  // Hours, and days reported in weeks (periods_per_unit).
  SummaryOptions h;
  h.period = TimeUnit::hour;
  h.observation_end = at("2024-01-10T08:30:00Z");
  const PurchaseSummary hs = summarise_purchases(log, h);
  CHECK(hs.frequency[0] == 3);  // 09:00 and 18:00 are different hours
  CHECK(hs.recency[0] == 7 * 24 - 9);
  CHECK(hs.T[0] == 9 * 24 + 8 - 9);

  // Months: calendar periods, durations in numpy months of 30.436875 days.
  SummaryOptions m;
  m.period = TimeUnit::month;
  const PurchaseSummary ms = summarise_purchases(log, m);  // end: the latest purchase (Feb)
  REQUIRE(ms.size() == 3);
  CHECK(ms.frequency == std::vector<double>{0, 0, 0});
  CHECK(ms.T[0] == Approx(31 / 30.436875).epsilon(1e-12));
  CHECK(ms.purchases_left_out == 0);
  CHECK(ms.observation_end == at("2024-02-20"));
}

TEST_CASE("calibration and holdout: lifetimes' columns", "[clv][summary]") {
  PurchaseLog log;
  auto add = [&](std::int64_t c, const char* t, double a) {
    log.customer.push_back(c);
    log.at.push_back(at(t));
    log.amount.push_back(a);
  };
  add(1, "2024-01-01", 10);
  add(1, "2024-01-05", 20);
  add(1, "2024-02-02T10:00:00Z", 4);   // holdout, two rows on one day
  add(1, "2024-02-02T11:00:00Z", 8);
  add(1, "2024-02-09", 30);
  add(2, "2024-01-20", 3);
  add(3, "2024-02-03", 9);              // first buys in the holdout: not a row
  SummaryOptions o;
  o.period = TimeUnit::day;
  o.observation_end = at("2024-02-29");
  const CalibrationHoldout s = calibration_and_holdout(log, at("2024-01-31"), o);
  REQUIRE(s.size() == 2);
  CHECK(s.calibration.customer == std::vector<std::int64_t>{1, 2});
  CHECK(s.calibration.frequency == std::vector<double>{1, 0});
  CHECK(s.calibration.recency == std::vector<double>{4, 0});
  CHECK(s.calibration.T == std::vector<double>{30, 11});
  CHECK(s.calibration.monetary_value == std::vector<double>{20, 0});
  CHECK(s.frequency_holdout == std::vector<double>{2, 0});        // distinct days
  CHECK(s.monetary_value_holdout == std::vector<double>{14, 0});  // (4 + 8 + 30) / 3 rows
  CHECK(s.duration_holdout == 29);
  CHECK(s.calibration_end == at("2024-01-31"));
  CHECK(s.observation_end == at("2024-02-29"));

  expect_error([&] { calibration_and_holdout(log, at("2024-03-01"), o); }, Errc::invalid_argument,
               "must be after calibration_end");
  o.observation_end = at("2024-02-01");
  expect_error([&] { calibration_and_holdout(log, at("2024-01-31"), o); }, Errc::invalid_argument,
               "no purchase falls in the holdout");
  o.observation_end.reset();
  expect_error([&] { calibration_and_holdout(log, at("2023-12-31"), o); }, Errc::invalid_argument,
               "calibration period is empty");
  SummaryOptions months;
  months.period = TimeUnit::month;
  months.observation_end = at("2024-04-15");
  CHECK(calibration_and_holdout(log, at("2024-01-31"), months).duration_holdout == 3);
}

TEST_CASE("summary refuses bad logs naming the row", "[clv][summary]") {
  PurchaseLog log;
  log.customer = {1, 2};
  log.at = {at("2024-01-01"), at("2024-01-02")};
  log.amount = {1, 2};
  SummaryOptions o;
  PurchaseLog bad = log;
  bad.amount[1] = -1;
  expect_error([&] { summarise_purchases(bad, o); }, Errc::invalid_argument, "amount[1] = -1 is negative");
  bad = log;
  bad.amount[0] = std::nan("");
  expect_error([&] { summarise_purchases(bad, o); }, Errc::invalid_argument, "amount[0] is NaN");
  bad = log;
  bad.amount[0] = HUGE_VAL;
  expect_error([&] { summarise_purchases(bad, o); }, Errc::invalid_argument, "not finite");
  bad = log;
  bad.at[1] = 253'402'300'800'000;  // 10000-01-01
  expect_error([&] { summarise_purchases(bad, o); }, Errc::invalid_argument, "at[1] = 253402300800000 is outside");
  bad = log;
  bad.at.pop_back();
  expect_error([&] { summarise_purchases(bad, o); }, Errc::invalid_argument, "equal lengths");
  bad = log;
  bad.amount.pop_back();
  expect_error([&] { summarise_purchases(bad, o); }, Errc::invalid_argument, "amount has 1 values for 2 rows");
  expect_error([&] { summarise_purchases(PurchaseLog{}, o); }, Errc::invalid_argument, "no purchases");
  o.observation_end = at("2023-12-31T23:59:59Z");
  expect_error([&] { summarise_purchases(log, o); }, Errc::invalid_argument,
               "observation_end 2023-12-31T23:59:59.000Z is before the first purchase");
  o.observation_end = at("2024-01-01T23:00:00Z");  // same day as the first purchase: fine
  CHECK(summarise_purchases(log, o).size() == 1);
  o.observation_end.reset();
  o.periods_per_unit = 0;
  expect_error([&] { summarise_purchases(log, o); }, Errc::invalid_argument, "periods_per_unit = 0");
  expect_error([] { parse_time_unit("fortnight"); }, Errc::invalid_argument, "fortnight");
  // No amounts: no monetary value, and repeat_spend says why.
  PurchaseLog plain = log;
  plain.amount.clear();
  const PurchaseSummary s = summarise_purchases(plain);
  CHECK(s.monetary_value.empty());
  expect_error([&] { s.repeat_spend(); }, Errc::invalid_argument, "no monetary value");
  // Instants before 1970 fall in the right day and week.
  PurchaseLog old;
  old.customer = {5, 5};
  old.at = {at("1969-12-29T23:00:00Z"), at("1970-01-04T01:00:00Z")};  // Monday, the Sunday after
  SummaryOptions w;
  w.period = TimeUnit::week;
  CHECK(summarise_purchases(old, w).frequency == std::vector<double>{0});
  w.period = TimeUnit::day;
  CHECK(summarise_purchases(old, w).recency == std::vector<double>{6});
}

TEST_CASE("penalizer: 0 changes nothing, above 0 it is lifetimes' L2 term at the optimum", "[clv][penalizer]") {
  const clv_test::Cdnow* c = clv_test::summary();
  if (!c) return;
  const Histories& h = c->histories;
  const BgNbdFit plain = fit_bg_nbd(h);
  FitOptions zero;
  zero.penalizer_coef = 0;
  const BgNbdFit same = fit_bg_nbd(h, zero);
  CHECK(same.params.r == plain.params.r);
  CHECK(same.params.alpha == plain.params.alpha);
  CHECK(same.report.log_likelihood == plain.report.log_likelihood);

  FitOptions pen;
  pen.penalizer_coef = 0.1;
  const BgNbdFit p = fit_bg_nbd(h, pen);
  CHECK(p.report.converged);
  CHECK(p.report.penalizer_coef == 0.1);
  // The penalty costs likelihood and shrinks the parameters (lifetimes' documented direction).
  CHECK(p.report.log_likelihood < plain.report.log_likelihood - 1);
  double maxT = 0;
  for (double T : h.T) maxT = std::max(maxT, T);
  auto sq = [&](const BgNbdParams& m) {
    return m.r * m.r + (m.alpha / maxT) * (m.alpha / maxT) + m.a * m.a + m.b * m.b;
  };
  CHECK(sq(p.params) < sq(plain.params));
  // Stationarity of exactly -LL/W + coef * (r^2 + (alpha/maxT)^2 + a^2 + b^2) in log space.
  const double W = static_cast<double>(h.size());
  auto f = [&](const std::array<double, 4>& th) {
    const BgNbdParams m{std::exp(th[0]), std::exp(th[1]), std::exp(th[2]), std::exp(th[3])};
    return -log_likelihood(m, h) / W + 0.1 * sq(m);
  };
  const std::array<double, 4> th{std::log(p.params.r), std::log(p.params.alpha), std::log(p.params.a),
                                 std::log(p.params.b)};
  for (int i = 0; i < 4; ++i) {
    auto up = th, down = th;
    up[i] += 1e-5;
    down[i] -= 1e-5;
    INFO("parameter " << i);
    CHECK(std::abs((f(up) - f(down)) / 2e-5) < 1e-5);
  }
  // ... and not of the same penalty on the unscaled alpha (the convention matters).
  auto g = [&](double log_alpha) {
    const BgNbdParams m{p.params.r, std::exp(log_alpha), p.params.a, p.params.b};
    return -log_likelihood(m, h) / W + 0.1 * (m.r * m.r + m.alpha * m.alpha + m.a * m.a + m.b * m.b);
  };
  CHECK(std::abs((g(th[1] + 1e-5) - g(th[1] - 1e-5)) / 2e-5) > 1e-2);

  expect_error([&] {
    FitOptions o;
    o.penalizer_coef = -1;
    fit_bg_nbd(h, o);
  }, Errc::invalid_argument, "penalizer_coef = -1");
  expect_error([&] {
    FitOptions o;
    o.penalizer_coef = std::nan("");
    fit_bg_nbd(h, o);
  }, Errc::invalid_argument, "penalizer_coef");
}

TEST_CASE("penalizer: Pareto/NBD per row, Gamma-Gamma and the others on their reported axis", "[clv][penalizer]") {
  const clv_test::Cdnow* c = clv_test::with_spend();
  if (!c) return;
  SpendHistories spend;
  for (std::size_t i = 0; i < c->id.size(); ++i)
    if (c->histories.x[i] > 0) {
      spend.x.push_back(c->histories.x[i]);
      spend.mean_spend.push_back(c->zbar[i]);
    }
  // Small: crmkit keeps q > 1 (the expected-spend formulas need it), so a strong penalty ends
  // on that floor rather than at lifetimes' unconstrained q < 1.
  FitOptions pen;
  pen.penalizer_coef = 0.001;
  const GammaGammaFit plain = fit_gamma_gamma(spend);
  const GammaGammaFit gg = fit_gamma_gamma(spend, pen);
  INFO("p " << gg.params.p << " q " << gg.params.q << " gamma " << gg.params.gamma << " " << gg.report.reason);
  CHECK(gg.report.log_likelihood < plain.report.log_likelihood);
  REQUIRE(gg.params.q > 1.5);
  const double W = static_cast<double>(spend.size());
  auto f = [&](const std::array<double, 3>& th) {
    const GammaGammaParams m{std::exp(th[0]), std::exp(th[1]), std::exp(th[2])};
    return -log_likelihood(m, spend) / W + 0.001 * (m.p * m.p + m.q * m.q + m.gamma * m.gamma);
  };
  const std::array<double, 3> th{std::log(gg.params.p), std::log(gg.params.q), std::log(gg.params.gamma)};
  for (int i = 0; i < 3; ++i) {
    auto up = th, down = th;
    up[i] += 1e-5;
    down[i] -= 1e-5;
    INFO("parameter " << i);
    CHECK(std::abs((f(up) - f(down)) / 2e-5) < 1e-4);
  }

  // Pareto/NBD: -LL / mean weight + coef * sum q^2 on the scaled axis; with unit weights the
  // mean weight is 1, so the penalty weighs rows times less than in BG/NBD.
  const Histories& h = c->histories;
  FitOptions big;
  big.penalizer_coef = 50;
  const ParetoNbdFit pp = fit_pareto_nbd(h, big);
  const ParetoNbdFit p0 = fit_pareto_nbd(h);
  CHECK(pp.report.log_likelihood < p0.report.log_likelihood);
  double maxT = 0;
  for (double T : h.T) maxT = std::max(maxT, T);
  auto fp = [&](const std::array<double, 4>& t) {
    const ParetoNbdParams m{std::exp(t[0]), std::exp(t[1]), std::exp(t[2]), std::exp(t[3])};
    const double a = m.alpha / maxT, b = m.beta / maxT;
    return -log_likelihood(m, h) + 50 * (m.r * m.r + a * a + m.s * m.s + b * b);
  };
  const std::array<double, 4> tp{std::log(pp.params.r), std::log(pp.params.alpha), std::log(pp.params.s),
                                 std::log(pp.params.beta)};
  for (int i = 0; i < 4; ++i) {
    auto up = tp, down = tp;
    up[i] += 1e-5;
    down[i] -= 1e-5;
    INFO("parameter " << i);
    CHECK(std::abs((fp(up) - fp(down)) / 2e-5) / W < 1e-4);
  }

  // MBG/NBD, BG/BB and sBG take it too, and lose likelihood for it.
  FitOptions small;
  small.penalizer_coef = 0.05;
  CHECK(fit_mbg_nbd(h, small).report.log_likelihood < fit_mbg_nbd(h).report.log_likelihood);
  OpportunityHistories o;
  o.x = {0, 1, 2, 3, 6, 6};
  o.t_x = {0, 1, 4, 6, 6, 6};
  o.n = {6, 6, 6, 6, 6, 6};
  o.weight = {3464, 1203, 728, 512, 1091, 1000};
  CHECK(fit_bg_bb(o, small).report.log_likelihood < fit_bg_bb(o).report.log_likelihood);
  const std::vector<double> alive{1000, 631, 468, 382, 326, 289, 262, 241};
  const auto s0 = fit_shifted_beta_geometric(alive);
  const auto s1 = fit_shifted_beta_geometric(alive, small);
  CHECK(s1.report.log_likelihood < s0.report.log_likelihood);
  CHECK(s1.params.alpha * s1.params.alpha + s1.params.beta * s1.params.beta <
        s0.params.alpha * s0.params.alpha + s0.params.beta * s0.params.beta);
}

TEST_CASE("fit report: AIC, BIC and the printable summary", "[clv][summary]") {
  const clv_test::Cdnow* c = clv_test::summary();
  if (!c) return;
  const BgNbdFit f = fit_bg_nbd(c->histories);
  const FitReport& r = f.report;
  CHECK(r.parameters == 4);
  CHECK(r.observations == 2357);
  CHECK(r.aic == Approx(2 * 4 + 2 * 9582.4256).margin(0.01));
  CHECK(r.bic == Approx(4 * std::log(2357.0) + 2 * 9582.4256).margin(0.01));
  CHECK(r.model == "BG/NBD");
  CHECK(r.parameter_names == std::vector<std::string>{"r", "alpha", "a", "b"});
  REQUIRE(r.parameter_values.size() == 4);
  CHECK(r.parameter_values[1] == f.params.alpha);
  const std::string text = fit_summary(r);
  INFO(text);
  CHECK(text.find("BG/NBD fit (maximum likelihood)") != std::string::npos);
  CHECK(text.find("alpha") != std::string::npos);
  CHECK(text.find("4.41353") != std::string::npos);
  CHECK(text.find("-9582.4256") != std::string::npos);
  char aic[64];
  std::snprintf(aic, sizeof aic, "%.4f", r.aic);
  CHECK(text.find(std::string("AIC              ") + aic) != std::string::npos);
  CHECK(text.find("2357 observations") != std::string::npos);
  CHECK(text.find("converged        yes") != std::string::npos);
  REQUIRE(r.standard_errors.size() == 4);
  std::ostringstream se;
  se.precision(6);
  se << r.standard_errors[0];
  CHECK(text.find(se.str()) != std::string::npos);
  FitOptions pen;
  pen.penalizer_coef = 0.1;
  CHECK(fit_summary(fit_bg_nbd(c->histories, pen).report).find("penalizer_coef = 0.1") != std::string::npos);
  // sBG counts the cohort as its observations.
  const auto s = fit_shifted_beta_geometric({1000, 631, 468, 382, 326, 289, 262, 241});
  CHECK(s.report.observations == 1000);
  CHECK(s.report.parameters == 2);
  CHECK(s.report.bic == Approx(2 * std::log(1000.0) - 2 * s.report.log_likelihood));
}

TEST_CASE("summary: sparse ids (sorted path) and dense ids (bucketed path) agree, in any row order",
          "[clv][summary]") {
  // A log in time order with ids 1..300, then the same with ids spread over the int64 range
  // (sign included) so that the rows are sorted instead of bucketed, then shuffled rows.
  PurchaseLog dense;
  std::uint64_t state = 12345;
  auto next = [&state] {
    state = state * 6364136223846793005ull + 1442695040888963407ull;
    return state >> 33;
  };
  for (int k = 0; k < 3000; ++k) {
    dense.customer.push_back(1 + static_cast<std::int64_t>(next() % 300));
    dense.at.push_back(at("2024-01-01") + static_cast<std::int64_t>(k) * 3'600'000 * 7);
    dense.amount.push_back(static_cast<double>(next() % 10000) / 100);
  }
  PurchaseLog sparse = dense;
  for (auto& c : sparse.customer) c = (c % 2 ? -1 : 1) * (c * 1'000'000'007LL + 3);
  PurchaseLog shuffled = dense;
  for (std::size_t i = shuffled.size() - 1; i > 0; --i) {
    const std::size_t j = next() % (i + 1);
    std::swap(shuffled.customer[i], shuffled.customer[j]);
    std::swap(shuffled.at[i], shuffled.at[j]);
    std::swap(shuffled.amount[i], shuffled.amount[j]);
  }
  for (TimeUnit unit : {TimeUnit::hour, TimeUnit::day, TimeUnit::week, TimeUnit::month}) {
    SummaryOptions o;
    o.period = unit;
    INFO(to_string(unit));
    const PurchaseSummary a = summarise_purchases(dense, o), b = summarise_purchases(sparse, o),
                          c = summarise_purchases(shuffled, o);
    REQUIRE(a.size() == 300);
    REQUIRE(b.size() == 300);
    CHECK(a.customer == c.customer);
    CHECK(a.frequency == c.frequency);
    CHECK(a.recency == c.recency);
    CHECK(a.T == c.T);
    // Sums of the same amounts in another order may differ in the last bit.
    for (std::size_t i = 0; i < a.size(); ++i) CHECK(a.monetary_value[i] == Approx(c.monetary_value[i]).epsilon(1e-12));
    // b is in the order of the spread ids: match each row by its original id.
    std::map<std::int64_t, std::size_t> row_of;
    for (std::size_t i = 0; i < b.size(); ++i) row_of[b.customer[i]] = i;
    for (std::size_t i = 0; i < a.size(); ++i) {
      const std::int64_t id = a.customer[i];
      const std::size_t j = row_of.at((id % 2 ? -1 : 1) * (id * 1'000'000'007LL + 3));
      CHECK(b.frequency[j] == a.frequency[i]);
      CHECK(b.recency[j] == a.recency[i]);
      CHECK(b.T[j] == a.T[i]);
      CHECK(b.monetary_value[j] == a.monetary_value[i]);  // same rows in the same order: exact
    }
    CHECK(std::is_sorted(b.customer.begin(), b.customer.end()));
    const CalibrationHoldout ha = calibration_and_holdout(dense, at("2024-02-15"), o),
                             hb = calibration_and_holdout(sparse, at("2024-02-15"), o);
    REQUIRE(ha.size() == hb.size());
    double fa = 0, fb = 0, ma = 0, mb = 0;
    for (std::size_t i = 0; i < ha.size(); ++i) {
      fa += ha.frequency_holdout[i];
      fb += hb.frequency_holdout[i];
      ma += ha.monetary_value_holdout[i];
      mb += hb.monetary_value_holdout[i];
    }
    CHECK(fa == fb);
    CHECK(ma == Approx(mb).epsilon(1e-12));
    CHECK(fa > 0);
  }
}

TEST_CASE("fit report JSON: the C call returns to_json(report) byte for byte", "[clv][summary]") {
  const double x[4] = {2, 1, 0, 7}, t_x[4] = {30.43, 1.71, 0, 29.43}, T[4] = {38.86, 38.86, 38.86, 38.86};
  char* json = nullptr;
  REQUIRE(crmkit_clv_fit_json(&json, "bg_nbd", x, t_x, T, nullptr, 4, nullptr) == CRMKIT_OK);
  const std::string c_side = json;
  crmkit_free(json);
  Histories h;
  h.x.assign(x, x + 4);
  h.t_x.assign(t_x, t_x + 4);
  h.T.assign(T, T + 4);
  CHECK(c_side == to_json(fit_bg_nbd(h).report));
  CHECK(c_side.find("\"aic\":") != std::string::npos);
}
