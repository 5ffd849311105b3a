// The store's fit with a penalizer, and the charts of a store (crmkit/charts.hpp): each chart is
// the plain-data chart of plot.hpp drawn on what the store's services read, so the tests compare
// the text with plot.hpp called on the same data.
#include <sqlite3.h>
#include <catch2/catch.hpp>

#include <cmath>
#include <limits>
#include <random>
#include <map>
#include <set>

#include <nlohmann/json.hpp>

#include "test_store.hpp"
#include "crmkit/charts.hpp"
#include "crmkit/customer.hpp"
#include "crmkit/interaction.hpp"
#include "crmkit/plot.hpp"
#include "crmkit/retention.hpp"
#include "crmkit/value.hpp"
#include "expect_error.hpp"
#include "store/connection.hpp"
#include "store/migrations.hpp"
#include "temp_dir.hpp"
#include "value_test_data.hpp"

using namespace crmkit;

namespace {

Instant end_of(const char* date) { return end_of_day(parse_date(date)); }

std::int64_t count_rows(Store& s, const char* table) {
  return crmkit::detail::connection_of(s).db.execAndGet(std::string("SELECT count(*) FROM ") + table).getInt64();
}

// 400 customers buying at random through 2024 and the first half of 2025 (a fixed seed), one
// customer without purchases, and one who bought only in EUR.
struct Shop {
  Store store = test_store();
  std::int64_t no_purchases = 0, euro_only = 0, first = 0;
  Shop() {
    std::mt19937 rng(7);
    const Day start = day_from_civil({2024, 1, 1}), end = day_from_civil({2025, 6, 30});
    Transaction tx(store);
    std::vector<Interaction> batch;
    for (int i = 0; i < 400; ++i) {
      const std::int64_t id = value_test::add_customer(store, "c" + std::to_string(i));
      if (i == 0) first = id;
      Day d = start + static_cast<Day>(rng() % 200);
      const double rate = 1.0 / (5 + rng() % 90);  // one purchase every 5..95 days
      const Day leaves = d + static_cast<Day>(rng() % 500);
      while (d <= end && d <= leaves) {
        batch.push_back(value_test::purchase(id, start_of_day(d) + 3600000, 500 + static_cast<std::int64_t>(rng() % 9000)));
        d += 1 + static_cast<Day>(std::exponential_distribution<double>(rate)(rng));
      }
    }
    no_purchases = value_test::add_customer(store, "none");
    euro_only = value_test::add_customer(store, "euro");
    batch.push_back(value_test::purchase(euro_only, start_of_day(start + 10), 1000, "EUR"));
    BatchOptions repeats;
    repeats.allow_repeats = true;
    Interactions(store).record_batch(batch, repeats);
    tx.commit();
  }
};

Shop& shop() {
  static Shop s;
  return s;
}

FitRequest fit_request(ValueModelKind kind, double penalizer) {
  FitRequest r;
  r.kind = kind;
  r.unit = clv::TimeUnit::week;
  r.calibration_end = end_of("2024-12-31");
  r.fitted_at = r.calibration_end;
  r.options.penalizer_coef = penalizer;
  return r;
}

ModelInputs inputs_of(Store& s, const ValueModel& m) {
  ModelInputOptions o;
  o.calibration_end = m.calibration_end;
  o.unit = m.unit;
  o.currency = m.currency;
  return CustomerValue(s).model_inputs(o);
}

clv::PurchaseModel purchase_model(const ValueModel& m) {
  const auto kind = m.kind == ValueModelKind::pnbd ? clv::PurchaseModelKind::pareto_nbd : clv::PurchaseModelKind::bg_nbd;
  const auto names = clv::parameter_names(kind);
  return clv::make_purchase_model(kind, {m.param(names[0]), m.param(names[1]), m.param(names[2]), m.param(names[3])});
}

// The squared norm lifetimes penalises: the rates on time scaled so that max T = 1.
double penalised_norm(const ValueModel& m, double max_T) {
  double sum = 0;
  for (const auto& [name, v] : m.params) {
    const double q = (name == "alpha" || name == "beta") ? v / max_T : v;
    sum += q * q;
  }
  return sum;
}

bool is_svg(const std::string& s) {
  return s.rfind("<svg", 0) == 0 && s.find("</svg>") != std::string::npos && s.find("<desc>") != std::string::npos;
}

}  // namespace

// ------------------------------------------------------------------------------- penalizer --

TEST_CASE("store fit: a penalised fit shrinks lifetimes' norm and equals the plain-data fit", "[value][penalizer]") {
  Store& s = shop().store;
  CustomerValue value(s);
  for (auto kind : {ValueModelKind::bgnbd, ValueModelKind::pnbd}) {
    INFO(to_string(kind));
    const ValueModel plain = value.fit(fit_request(kind, 0));
    const ValueModel penalised = value.fit(fit_request(kind, 0.1));
    CHECK(plain.penalizer_coef == 0);
    CHECK(penalised.penalizer_coef == 0.1);
    CHECK(value.model(penalised.id).penalizer_coef == 0.1);  // stored, read back
    CHECK(nlohmann::json::parse(to_json(penalised))["penalizer_coef"].get<double>() == 0.1);
    const ModelInputs in = inputs_of(s, penalised);
    const clv::Histories h = in.histories();
    const double max_T = *std::max_element(h.T.begin(), h.T.end());
    CHECK(penalised_norm(penalised, max_T) < penalised_norm(plain, max_T));
    CHECK(penalised.log_likelihood < plain.log_likelihood);  // the penalty costs likelihood

    // The plain-data fit with the same penalizer on every customer's history.
    clv::FitOptions o;
    o.penalizer_coef = 0.1;
    const auto kind_c = kind == ValueModelKind::pnbd ? clv::PurchaseModelKind::pareto_nbd : clv::PurchaseModelKind::bg_nbd;
    const auto direct = clv::fit_purchase_model(kind_c, h, o);
    const auto values = clv::parameters(direct.model);
    const auto names = clv::parameter_names(kind_c);
    for (std::size_t i = 0; i < 4; ++i) {
      INFO(names[i]);
      CHECK(penalised.param(names[i]) == Approx(values[i]).epsilon(1e-9));
    }
    CHECK(penalised.log_likelihood == Approx(direct.report.log_likelihood).epsilon(1e-12));
  }
  SECTION("gamma-gamma records it too") {
    const ValueModel gg = value.fit(fit_request(ValueModelKind::gg, 0.01));
    CHECK(gg.penalizer_coef == 0.01);
    const ModelInputs in = inputs_of(s, gg);
    clv::FitOptions o;
    o.penalizer_coef = 0.01;
    const auto direct = clv::fit_gamma_gamma(in.repeat_spend(), o);
    CHECK(gg.param("p") == Approx(direct.params.p).epsilon(1e-9));
    CHECK(gg.param("q") == Approx(direct.params.q).epsilon(1e-9));
  }
}

TEST_CASE("store fit: a negative or non-finite penalizer is refused by name and nothing is written",
          "[value][penalizer]") {
  Store s = test_store();
  CustomerValue value(s);
  const std::int64_t before = count_rows(s, "value_models");
  for (double bad : {-0.5, std::nan(""), std::numeric_limits<double>::infinity()}) {
    INFO(bad);
    expect_error([&] { value.fit(fit_request(ValueModelKind::bgnbd, bad)); }, Errc::invalid_argument,
                 "penalizer_coef");
  }
  CHECK(count_rows(s, "value_models") == before);
  // The schema holds the invariant too.
  auto& c = crmkit::detail::connection_of(s);
  CHECK_THROWS(c.db.exec("INSERT INTO value_models(kind, params, fitted_at, penalizer_coef) "
                         "VALUES ('bgnbd', '{}', 0, -1)"));
  CHECK_THROWS(c.db.exec("INSERT INTO value_models(kind, params, fitted_at, penalizer_coef) "
                         "VALUES ('bgnbd', '{}', 0, 1e999)"));
}

TEST_CASE("store fit: a model saved before migration 0013 reads back with penalizer_coef 0", "[value][penalizer]") {
  TempDir dir;
  const std::string path = dir.file("v12.db");
  {
    crmkit::detail::Connection c(path, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, 5000);
    crmkit::detail::migrate_to(c, 12);
    c.db.exec("INSERT INTO value_models(id, kind, params, log_likelihood, customers, time_unit, calibration_end, "
              "data_from, fitted_at, converged, currency, iterations, reason) VALUES (1, 'bgnbd', "
              "'{\"r\":0.5,\"alpha\":3,\"a\":0.7,\"b\":2}', -10, 5, 'week', 86400000, 0, 86400000, 1, 'USD', 9, 'ok')");
  }
  Store s = Store::open(path);
  const ValueModel m = CustomerValue(s).model(1);
  CHECK(m.penalizer_coef == 0);
  CHECK(m.param("alpha") == 3);
  CHECK(nlohmann::json::parse(to_json(m))["penalizer_coef"] == 0);
}

// ---------------------------------------------------------------------------------- charts --

TEST_CASE("store charts: the table names every chart once and parses its names", "[charts]") {
  std::set<std::string> names;
  for (const auto& c : store_charts()) {
    CHECK(names.insert(c.name).second);
    CHECK(parse_store_chart(c.name) == c.chart);
    CHECK(std::string(to_string(c.chart)) == c.name);
  }
  CHECK(names.size() == 14);
  expect_error([] { parse_store_chart("pie"); }, Errc::invalid_argument, "chart 'pie' is not one of expected-purchases");
  CHECK(nlohmann::json::parse(store_charts_json())["charts"].size() == 14);
}

TEST_CASE("store charts: the model matrices draw the stored model's parameters", "[charts]") {
  Store& s = shop().store;
  CustomerValue value(s);
  const ValueModel m = value.fit(fit_request(ValueModelKind::bgnbd, 0));
  ChartRequest r;
  r.chart = StoreChart::p_alive;
  r.model_id = m.id;
  r.max_frequency = 12;
  r.max_recency = 40;
  r.options.period = "test period";
  CHECK(chart(s, r) == plot::p_alive_matrix(purchase_model(m), 12, 40, clv::TimeUnit::week, r.options));
  r.chart = StoreChart::expected_purchases;
  r.horizon = 4;
  CHECK(chart(s, r) == plot::expected_purchases_matrix(purchase_model(m), 4, 12, 40, clv::TimeUnit::week, r.options));

  SECTION("the default grid is the calibration data's largest frequency and longest observation") {
    const ModelInputs in = inputs_of(s, m);
    double max_x = 0, max_T = 0;
    for (const auto& c : in.customers) max_x = std::max(max_x, c.x), max_T = std::max(max_T, c.T);
    ChartRequest d;
    d.chart = StoreChart::p_alive;
    d.model_id = m.id;
    plot::Options o;
    o.period = "model " + std::to_string(m.id) + " (bgnbd), fitted on USD purchases " +
               format_date(day_of(*m.data_from)) + " to 2024-12-31";
    const std::string svg = chart(s, d);
    CHECK(is_svg(svg));
    CHECK(svg == plot::p_alive_matrix(purchase_model(m), static_cast<int>(max_x), static_cast<int>(std::ceil(max_T)),
                                      clv::TimeUnit::week, o));
    CHECK(svg.find("Period: model " + std::to_string(m.id)) != std::string::npos);
  }
  SECTION("a spend model or a bad grid is refused by name") {
    const ValueModel gg = value.fit(fit_request(ValueModelKind::gg, 0));
    r.model_id = gg.id;
    expect_error([&] { chart(s, r); }, Errc::invalid_argument, "is gg, a spend model");
    r.model_id = 999999;
    expect_error([&] { chart(s, r); }, Errc::not_found, "value model 999999 does not exist");
    r.model_id = -2;
    expect_error([&] { chart(s, r); }, Errc::invalid_argument, "model_id -2");
    r.model_id = m.id;
    r.max_frequency = -5;
    expect_error([&] { chart(s, r); }, Errc::invalid_argument, "max_frequency -5");
    r.max_frequency = 3;
    r.horizon = 0;
    expect_error([&] { chart(s, r); }, Errc::invalid_argument, "horizon");
  }
}

TEST_CASE("store charts: calibration vs holdout is the stored model's holdout validation", "[charts]") {
  Store& s = shop().store;
  CustomerValue value(s);
  const ValueModel m = value.fit(fit_request(ValueModelKind::bgnbd, 0));
  ChartRequest r;
  r.chart = StoreChart::calibration_holdout;
  r.model_id = m.id;
  expect_error([&] { chart(s, r); }, Errc::invalid_argument, "holdout_end is required");
  r.holdout_end = end_of("2024-06-30");
  expect_error([&] { chart(s, r); }, Errc::invalid_argument, "must be after model");
  r.holdout_end = end_of("2025-06-30");
  r.options.period = "p";
  const HoldoutValidation v = value.validate(m.id, *r.holdout_end);
  plot::CalibrationHoldout data;
  for (const auto& c : v.customers) {
    data.frequency_cal.push_back(c.x);
    data.actual_holdout.push_back(c.actual);
    data.predicted_holdout.push_back(c.predicted);
  }
  CHECK(chart(s, r) == plot::calibration_vs_holdout(data, v.holdout_length, clv::TimeUnit::week, 7, r.options));
}

TEST_CASE("store charts: repeat purchases over time are the cohort's purchase days and the model's expectation",
          "[charts]") {
  Shop& sh = shop();
  Store& s = sh.store;
  CustomerValue value(s);
  const ValueModel m = value.fit(fit_request(ValueModelKind::bgnbd, 0));
  // An oracle of its own: each customer's USD purchase days through the timeline.
  const Day cal_day = day_from_civil({2024, 12, 31}), end_day = day_from_civil({2025, 3, 31});
  std::map<Day, std::int64_t> firsts, repeats;
  for (std::int64_t id = sh.first; id <= sh.euro_only; ++id) {
    std::set<Day> days;
    for (const auto& i : Interactions(s).timeline(id, {}, 10000).interactions)
      if (i.kind == InteractionKind::purchase && i.amount->currency == "USD" && day_of(i.occurred_at) <= end_day)
        days.insert(day_of(i.occurred_at));
    if (days.empty() || *days.begin() > cal_day) continue;
    ++firsts[*days.begin()];
    for (auto d = std::next(days.begin()); d != days.end(); ++d) ++repeats[*d];
  }
  const Day origin = firsts.begin()->first;
  plot::RepeatPurchasesOverTime series;
  series.calibration_end = static_cast<double>(cal_day + 1 - origin) / 7;
  double before = 0;
  for (Day start = origin; start <= end_day; start += 7) {
    const Day last = std::min(start + 6, end_day);
    double actual = 0, upto = 0;
    for (const auto& [d, n] : repeats)
      if (d >= start && d <= last) actual += static_cast<double>(n);
    for (const auto& [f, n] : firsts)
      if (last > f) upto += static_cast<double>(n) * clv::expected_purchases(purchase_model(m), (last - f) / 7.0);
    series.time.push_back(static_cast<double>(last + 1 - origin) / 7);
    series.actual.push_back(actual);
    series.expected.push_back(std::max(0.0, upto - before));
    before = upto;
  }
  ChartRequest r;
  r.chart = StoreChart::repeat_purchases;
  r.model_id = m.id;
  r.as_of = end_of("2025-03-31");
  r.options.period = "p";
  CHECK(chart(s, r) == plot::repeat_purchases_over_time(series, clv::TimeUnit::week, r.options));
  r.cumulative = true;
  series.cumulative = true;
  CHECK(chart(s, r) == plot::repeat_purchases_over_time(series, clv::TimeUnit::week, r.options));
  r.as_of = end_of("2023-01-01");
  expect_error([&] { chart(s, r); }, Errc::not_found, "no customer bought in USD before model");
}

TEST_CASE("store charts: one customer's P(alive) history from the purchases in the model's currency", "[charts]") {
  Shop& sh = shop();
  Store& s = sh.store;
  CustomerValue value(s);
  const ValueModel m = value.fit(fit_request(ValueModelKind::bgnbd, 0));
  ChartRequest r;
  r.chart = StoreChart::p_alive_history;
  r.model_id = m.id;
  expect_error([&] { chart(s, r); }, Errc::invalid_argument, "customer_id 0");
  r.customer_id = 987654;
  expect_error([&] { chart(s, r); }, Errc::not_found, "customer 987654 does not exist");
  r.customer_id = sh.no_purchases;
  expect_error([&] { chart(s, r); }, Errc::not_found, "has no USD purchase");
  r.customer_id = sh.euro_only;
  expect_error([&] { chart(s, r); }, Errc::not_found, "has no USD purchase");

  r.customer_id = sh.first;
  r.as_of = end_of("2025-06-30");
  CHECK(chart(s, r).find("P(alive) of customer " + std::to_string(sh.first) + ": USD purchases to 2025-06-30, model " +
                         std::to_string(m.id) + " (bgnbd)") != std::string::npos);
  r.options.title = "t";
  // The customer's distinct purchase days, in weeks from the first.
  std::set<Day> days;
  const auto page = Interactions(s).timeline(sh.first, {}, 10000);
  for (const auto& i : page.interactions)
    if (i.kind == InteractionKind::purchase) days.insert(day_of(i.occurred_at));
  REQUIRE(!days.empty());
  std::vector<double> t;
  for (Day d : days) t.push_back(static_cast<double>(d - *days.begin()) / 7.0);
  const double end = static_cast<double>(day_from_civil({2025, 6, 30}) - *days.begin()) / 7.0;
  CHECK(chart(s, r) == plot::p_alive_history(purchase_model(m), t, end, clv::TimeUnit::week, r.options));
}

TEST_CASE("store charts: the RFM charts draw the stored run", "[charts][rfm]") {
  Store& s = shop().store;
  CustomerValue value(s);
  {
    Store empty = test_store();
    ChartRequest r;
    r.chart = StoreChart::rfm_heatmap;
    expect_error([&] { chart(empty, r); }, Errc::not_found, "no RFM run is saved");
  }
  RfmRequest q;
  q.as_of = end_of("2025-06-30");
  const RfmResult run = value.rfm(q);
  REQUIRE(run.customers.size() > 300);
  std::vector<RfmMeasures> measures;
  std::vector<RfmScore> scores;
  for (const auto& c : run.customers) {
    measures.push_back({c.customer_id, c.recency_days, c.frequency, to_major(c.monetary, c.currency)});
    scores.push_back(c.score);
  }
  plot::Options o;
  o.period = "P";
  ChartRequest r;
  r.options = o;
  using M = plot::RfmMeasure;
  const std::vector<std::pair<StoreChart, std::string>> expected = {
      {StoreChart::rfm_heatmap, plot::rfm_heatmap(measures, scores, o)},
      {StoreChart::rfm_segments, plot::segment_bars(run.segments, o)},
      {StoreChart::recency_histogram, plot::rfm_histogram(measures, M::recency, o)},
      {StoreChart::frequency_histogram, plot::rfm_histogram(measures, M::frequency, o)},
      {StoreChart::monetary_histogram, plot::rfm_histogram(measures, M::monetary, o)},
      {StoreChart::rf_scatter, plot::rfm_scatter(measures, M::recency, M::frequency, o)},
      {StoreChart::fm_scatter, plot::rfm_scatter(measures, M::frequency, M::monetary, o)},
      {StoreChart::rm_scatter, plot::rfm_scatter(measures, M::recency, M::monetary, o)},
  };
  for (const auto& [kind, svg] : expected) {
    INFO(to_string(kind));
    r.chart = kind;
    const std::string got = chart(s, r);
    CHECK(is_svg(got));
    CHECK(got == svg);
  }
  // The heatmap's caption counts the run's customers; the default period names the run.
  r.chart = StoreChart::rfm_heatmap;
  r.options.period.clear();
  const std::string heat = chart(s, r);
  CHECK(heat.find(std::to_string(run.customers.size()) + " customers") != std::string::npos);
  CHECK(heat.find("Period: RFM run as of 2025-06-30, map rf_grid") != std::string::npos);
}

TEST_CASE("store charts: cohort retention is the retention metrics' newest cohorts", "[charts]") {
  Store& s = shop().store;
  ChartRequest r;
  r.chart = StoreChart::cohort_retention;
  r.as_of = end_of("2024-12-31");
  r.cohorts = 6;
  r.cohort_periods = 5;
  // The six months up to the month of the last first purchase before as_of.
  const Instant last = crmkit::detail::connection_of(s)
                           .db.execAndGet("SELECT max(first_purchase_at) FROM customer_figures WHERE first_purchase_at < " +
                                          std::to_string(*r.as_of))
                           .getInt64();
  const CivilDate d = civil_from_day(day_of(last));
  CohortQuery q;
  q.periods = 5;
  q.from = start_of_day(day_from_civil(add_months({d.year, d.month, 1}, -5)));
  q.to = start_of_day(day_from_civil(add_months({d.year, d.month, 1}, 1)));
  q.as_of = r.as_of;
  CHECK(chart(s, r) == plot::cohort_retention(RetentionMetrics(s).cohorts(q), r.options));
  r.cohorts = 0;
  expect_error([&] { chart(s, r); }, Errc::invalid_argument, "cohorts 0 is outside 1..400");
  r.cohorts = 3;
  r.cohort_by = CohortPeriod::week;
  CHECK(is_svg(chart(s, r)));
  Store empty = test_store();
  expect_error([&] { chart(empty, r); }, Errc::not_found, "no cohort to draw");
}

TEST_CASE("store charts: the model charts name the missing model", "[charts]") {
  Store empty = test_store();
  for (auto kind : {StoreChart::expected_purchases, StoreChart::p_alive, StoreChart::calibration_holdout,
                    StoreChart::repeat_purchases}) {
    ChartRequest r;
    r.chart = kind;
    r.holdout_end = end_of("2025-01-01");
    expect_error([&] { chart(empty, r); }, Errc::not_found, "no transaction model is saved");
  }
}
