// Customer value over the store: RFM loaded through the public API (customers + purchases),
// CDNOW model inputs, fits, scores and holdout against published numbers (CLV_MODELS.md), and
// degenerate data.
#include <sqlite3.h>
#include <catch2/catch.hpp>

#include <cmath>
#include <initializer_list>
#include <set>

#include <nlohmann/json.hpp>

#include "test_store.hpp"
#include "crmkit/customer.hpp"
#include "crmkit/interaction.hpp"
#include "crmkit/value.hpp"
#include "store/connection.hpp"
#include "store/sqlite_database.hpp"
#include "store/migrations.hpp"
#include "temp_dir.hpp"
#include "value_test_data.hpp"

using namespace crmkit;
using value_test::have_or_skip;

namespace {

Instant end_of(const char* date) { return end_of_day(parse_date(date)); }

std::int64_t count_rows(Store& s, const char* table) {
  auto& c = crmkit::detail::connection_of(s);
  return c.db.execAndGet(std::string("SELECT count(*) FROM ") + table).getInt64();
}

// A fitted model against a published MLE: each parameter to its relative tolerance, the
// log-likelihood to 0.01.
struct PublishedParam {
  const char* name;
  double value, epsilon;
};
void check_published(const ValueModel& m, std::initializer_list<PublishedParam> params, double log_likelihood) {
  for (const auto& p : params) {
    INFO(p.name);
    CHECK(m.param(p.name) == Approx(p.value).epsilon(p.epsilon));
  }
  CHECK(m.log_likelihood == Approx(log_likelihood).margin(0.01));
}

// Every CDNOW test shares one loaded store (loading is the slow part).
Store& cdnow() {
  static Store s = [] {
    Store st = test_store();
    value_test::load_cdnow_sample(st);
    return st;
  }();
  return s;
}

}  // namespace

// ------------------------------------------------------------------------------------- RFM --

TEST_CASE("value rfm: R package sample through customers and purchases matches rfm 0.3.0", "[value][rfm]") {
  if (!have_or_skip("rfm/rfm_data_orders.csv")) return;
  Store s = test_store();
  auto ids = value_test::load_rfm_sample(s);
  std::map<std::int64_t, std::string> names;
  for (auto& kv : ids) names[kv.second] = kv.first;
  CustomerValue value(s);

  RfmRequest req;
  req.as_of = end_of("2006-12-31");
  req.scoring.method = RfmMethod::quantile;
  req.map_name = "rfm_tests";
  auto res = value.rfm(req);
  CHECK(res.from_figures);  // as_of is after every purchase: O(customers) path
  REQUIRE(res.customers.size() == 995);
  auto scores = test_csv::read(value_test::shared("rfm/oracle_rfm_scores_r_rfm_0.3.0.csv"));
  auto segs = test_csv::read(value_test::shared("rfm/oracle_rfm_segments_r_rfm_0.3.0.csv"));
  std::map<std::string, std::vector<std::string>> by_name, seg_by_name;
  for (std::size_t i = 1; i < scores.size(); ++i) by_name[scores[i][0]] = scores[i];
  for (std::size_t i = 1; i < segs.size(); ++i) seg_by_name[segs[i][0]] = segs[i];
  int bad = 0;
  for (const auto& c : res.customers) {
    const auto& row = by_name.at(names.at(c.customer_id));
    if (c.recency_days != std::stoll(row[1]) || c.frequency != std::stoll(row[2]) ||
        c.monetary != std::stoll(row[3]) * 100 || c.score.r != std::stoi(row[4]) || c.score.f != std::stoi(row[5]) ||
        c.score.m != std::stoi(row[6]) || c.segment != seg_by_name.at(names.at(c.customer_id))[2])
      ++bad;
  }
  CHECK(bad == 0);
  bool found = false;
  for (const auto& sg : res.segments) {
    if (sg.segment != "Champions") continue;
    found = true;
    CHECK(sg.customers == 158);
    CHECK(sg.orders == 1234);
    CHECK(sg.revenue == 120178);
  }
  CHECK(found);
  // Stored with the map's name and version.
  CHECK(count_rows(s, "customer_rfm") == 995);
  auto one = value.customer_rfm(ids.at("Abbey O'Reilly"));
  REQUIRE(one);
  CHECK(one->score.combined() == 343);
  CHECK(one->map_name == "rfm_tests");
  CHECK(one->map_version == 1);
  CHECK(one->segment == "Loyal Customers");

  // The scan path gives the same numbers as the figures path.
  req.allow_figures = false;
  auto scanned = value.rfm(req);
  CHECK_FALSE(scanned.from_figures);
  REQUIRE(scanned.customers.size() == res.customers.size());
  int differ = 0;
  for (std::size_t i = 0; i < res.customers.size(); ++i) {
    const auto& a = res.customers[i];
    const auto& b = scanned.customers[i];
    if (a.customer_id != b.customer_id || a.recency_days != b.recency_days || a.frequency != b.frequency ||
        a.monetary != b.monetary || a.segment != b.segment)
      ++differ;
  }
  CHECK(differ == 0);

  // README rule set summary.
  req.map_name = "rfm_readme";
  auto readme = value.rfm(req);
  REQUIRE(readme.segments.size() == 10);
  CHECK(readme.segments[0].segment == "Potential Loyalist");
  CHECK(readme.segments[0].customers == 342);
  CHECK(readme.segments[0].orders == 2211);
  CHECK(readme.segments[0].revenue == 204856);

  // Default method (ntile) + RF grid on qcut, through the store: the python/SQLite oracle.
  auto variants = test_csv::read(value_test::shared("rfm/oracle_rfm_python_sqlite_variants.csv"));
  std::map<std::string, std::vector<std::string>> var;
  for (std::size_t i = 1; i < variants.size(); ++i) var[variants[i][0]] = variants[i];
  RfmRequest nt;
  nt.as_of = end_of("2006-12-31");
  nt.map_name = "r_vs_fm";
  auto ntr = value.rfm(nt);
  RfmRequest qc = nt;
  qc.scoring.method = RfmMethod::qcut;
  qc.map_name = "rf_grid";
  auto qcr = value.rfm(qc);
  int bad_nt = 0, bad_qc = 0;
  for (std::size_t i = 0; i < ntr.customers.size(); ++i) {
    const auto& row = var.at(names.at(ntr.customers[i].customer_id));
    const auto& a = ntr.customers[i];
    const auto& b = qcr.customers[i];
    if (a.score.r != std::stoi(row[8]) || a.score.f != std::stoi(row[9]) || a.score.m != std::stoi(row[10]) ||
        a.segment != row[11])
      ++bad_nt;
    if (b.score.r != std::stoi(row[4]) || b.score.f != std::stoi(row[5]) || b.score.m != std::stoi(row[6]) ||
        b.segment != row[7])
      ++bad_qc;
  }
  CHECK(bad_nt == 0);
  CHECK(bad_qc == 0);
}

TEST_CASE("value rfm: as_of windows, currencies, custom maps and refusals", "[value][rfm]") {
  Store s = test_store();
  auto a = value_test::add_customer(s, "a");
  auto b = value_test::add_customer(s, "b");
  auto c = value_test::add_customer(s, "c");  // never buys
  (void)c;
  const Instant d = start_of_day(parse_date("2024-01-10"));
  Interactions in(s);
  in.record(value_test::purchase(a, d + 3600'000, 1000));
  in.record(value_test::purchase(a, d + 7200'000, 500));
  in.record(value_test::purchase(a, d + 5 * kMillisPerDay, 2000, "EUR"));
  in.record(value_test::purchase(b, d + 2 * kMillisPerDay, 300));
  CustomerValue value(s);

  RfmRequest r;
  r.as_of = end_of("2024-01-12");  // before a's EUR purchase: scans interactions
  auto res = value.rfm(r);
  CHECK_FALSE(res.from_figures);
  REQUIRE(res.customers.size() == 2);
  CHECK(res.customers[0].customer_id == a);
  CHECK(res.customers[0].recency_days == 2);
  CHECK(res.customers[0].frequency == 2);
  CHECK(res.customers[0].monetary == 1500);
  CHECK(res.customers[1].recency_days == 0);  // bought on the as_of date
  r.frequency = RfmFrequency::days;
  CHECK(value.rfm(r).customers[0].frequency == 1);

  // Later as_of: figures path; frequency counts every purchase, monetary only USD.
  r.frequency = RfmFrequency::orders;
  r.as_of = end_of("2024-02-01");
  res = value.rfm(r);
  CHECK(res.from_figures);
  CHECK(res.customers[0].frequency == 3);
  CHECK(res.customers[0].monetary == 1500);
  CHECK(res.customers[0].recency_days == 17);
  r.currency = "EUR";
  CHECK(value.rfm(r).customers[0].monetary == 2000);
  r.currency.reset();

  // Custom map: stored with its name and version; same (name, version) with other rules refused.
  r.custom_map = parse_segment_map(R"({"name":"mine","version":2,"rules":[{"name":"Top","r":[5,5]}]})");
  res = value.rfm(r);
  CHECK(res.map_name == "mine");
  CHECK(value.customer_rfm(a)->map_version == 2);
  auto before = value.customer_rfm(b)->segment;
  r.custom_map = parse_segment_map(R"({"name":"mine","version":2,"rules":[{"name":"Low","r":[1,1]}]})");
  check_error([&] { value.rfm(r); }, Errc::conflict, "new version");
  CHECK(value.customer_rfm(b)->segment == before);  // nothing written
  r.custom_map = parse_segment_map(R"({"name":"rf_grid","rules":[{"name":"x"}]})");
  check_error([&] { value.rfm(r); }, Errc::conflict, "built-in");
  r.custom_map.reset();
  r.map_name = "nope";
  check_error([&] { value.rfm(r); }, Errc::not_found, "rfm_cells");
  r.map_name = "rf_grid";
  r.scoring.bins = 12;
  check_error([&] { value.rfm(r); }, Errc::invalid_argument, "bins 12");
  CHECK(value.customer_rfm(b)->map_name == "mine");
  CHECK_FALSE(value.customer_rfm(c).has_value());
}

// SQLite only: it counts the rows written with sqlite3_total_changes (the code is the same on
// PostgreSQL; the store's content is compared on both by the other rfm cases).
TEST_CASE("value rfm: a rerun writes only the rows that changed, and the store equals the result",
          "[value][rfm][sqlite]") {
  Store s = test_store();
  Interactions in(s);
  const Instant d = start_of_day(parse_date("2024-03-01"));
  std::vector<std::int64_t> ids;
  for (int k = 0; k < 40; ++k) {
    ids.push_back(value_test::add_customer(s, ("c" + std::to_string(k)).c_str()));
    for (int p = 0; p <= k % 4; ++p)
      in.record(value_test::purchase(ids.back(), d + (k * 7 + p * 3) * kMillisPerDay / 5, 100 + 37 * k + p));
  }
  CustomerValue value(s);
  auto& db = crmkit::detail::connection_of(s).db;
  // Every stored row, as the public reader returns it, must equal the run's own result.
  auto check_store_equals = [&](const RfmResult& res) {
    REQUIRE(count_rows(s, "customer_rfm") == static_cast<std::int64_t>(res.customers.size()));
    for (const auto& want : res.customers) {
      auto got = value.customer_rfm(want.customer_id);
      REQUIRE(got);
      CHECK(to_json(*got) == to_json(want));
    }
  };

  RfmRequest r;
  r.as_of = end_of("2024-04-30");
  check_store_equals(value.rfm(r));

  // Three days later with no new facts: recency moves for everyone, no score does; only the
  // run's row is written.
  r.as_of = end_of("2024-05-03");
  // Rows written, as SQLite counts them (this test case runs on SQLite only).
  auto changes = [&] { return sqlite3_total_changes(crmkit::detail::as_sqlite(db)->handle()); };
  const int before = changes();
  auto later = value.rfm(r);
  CHECK(changes() - before == 1);
  CHECK(value.customer_rfm(ids[0])->recency_days == later.customers[0].recency_days);
  check_store_equals(later);

  // A big purchase moves one customer's scores (and maybe others' ranks): exactly the changed
  // rows are rewritten and the store matches again.
  in.record(value_test::purchase(ids[3], end_of("2024-05-02") - 1000, 900000));
  auto moved = value.rfm(r);
  check_store_equals(moved);
  CHECK(value.customer_rfm(ids[3])->recency_days == 1);

  // An as_of before some customers' first purchase drops their rows (scan path).
  r.as_of = end_of("2024-03-10");
  auto early = value.rfm(r);
  CHECK_FALSE(early.from_figures);
  CHECK(early.customers.size() < ids.size());
  check_store_equals(early);

  // Deleting a customer removes its row (trigger); the others stay.
  const auto kept = count_rows(s, "customer_rfm");
  db.exec("PRAGMA foreign_keys = OFF");  // the customer has interactions; this is about the trigger
  db.exec("DELETE FROM customers WHERE id = " + std::to_string(early.customers[0].customer_id));
  db.exec("PRAGMA foreign_keys = ON");
  CHECK(count_rows(s, "customer_rfm") == kept - 1);
}

// ---------------------------------------------------------------------------- CDNOW models --

TEST_CASE("value inputs: CDNOW sample reproduces the BTYD/lifetimes summary for all 2,357 customers",
          "[value][cdnow]") {
  if (!have_or_skip("cdnow/CDNOW_sample.txt")) return;
  CustomerValue value(cdnow());
  ModelInputOptions o;
  o.calibration_end = end_of("1997-09-30");
  o.unit = clv::TimeUnit::week;
  auto in = value.model_inputs(o);
  CHECK(in.currency == "USD");
  REQUIRE(in.customers.size() == 2357);
  auto rows = test_csv::read(value_test::shared("cdnow/cdnow_customers_summary_with_transactions.csv"));
  REQUIRE(rows.size() == 2358);
  // The file is rounded to 2 decimals: each value must round to it (|diff| <= 0.005).
  int bad = 0;
  for (std::size_t i = 0; i < in.customers.size(); ++i) {
    const auto& c = in.customers[i];
    const auto& r = rows[i + 1];
    if (c.customer_id != std::stoll(r[0]) || c.x != std::stod(r[1]) || std::fabs(c.t_x - std::stod(r[2])) > 0.005 + 1e-9 ||
        std::fabs(c.T - std::stod(r[3])) > 0.005 + 1e-9 || std::fabs(c.mean_spend - std::stod(r[4])) > 0.005 + 1e-9)
      ++bad;
  }
  CHECK(bad == 0);
  // Exact values for customer 1 (purchases 1997-01-01, 01-18, 08-02, $29.33, $29.73, $14.96).
  CHECK(in.customers[0].x == 2);
  CHECK(in.customers[0].t_x == Approx(213.0 / 7).epsilon(1e-12));
  CHECK(in.customers[0].T == Approx(272.0 / 7).epsilon(1e-12));
  CHECK(in.customers[0].mean_spend == Approx((29.73 + 14.96) / 2).epsilon(1e-12));
  // Repeaters' zbar statistics (lifetimes test_utils, Hardie's paper): n 946, round(mean) 35,
  // min 2.99, max 299.63. (35.0786 in CLV_MODELS.md is the mean of the file's 2-decimal values;
  // half-cent means such as 22.345 round up there, so the unrounded mean is 35.0778.)
  auto spend = in.repeat_spend();
  CHECK(spend.size() == 946);
  double sum = 0, lo = 1e9, hi = 0;
  for (double m : spend.mean_spend) {
    sum += m;
    lo = std::min(lo, m);
    hi = std::max(hi, m);
  }
  CHECK(sum / 946 == Approx(35.0786).margin(1e-3));
  CHECK(std::round(sum / 946) == 35);
  CHECK(lo == Approx(2.99).margin(0.005));
  CHECK(hi == Approx(299.63).margin(0.005));
  // Days: T is in days, not divided.
  o.unit = clv::TimeUnit::day;
  auto days = value.model_inputs(o);
  CHECK(days.customers[0].t_x == 213);
  CHECK(days.customers[0].T == 272);
}

TEST_CASE("value fit: BG/NBD, Pareto/NBD, MBG/NBD and Gamma-Gamma on CDNOW match published MLEs",
          "[value][cdnow]") {
  if (!have_or_skip("cdnow/CDNOW_sample.txt")) return;
  CustomerValue value(cdnow());
  FitRequest f;
  f.kind = ValueModelKind::bgnbd;
  f.unit = clv::TimeUnit::week;
  f.calibration_end = end_of("1997-09-30");
  f.fitted_at = 1'700'000'000'000;
  auto bg = value.fit(f);
  check_published(bg, {{"r", 0.24259, 1e-3}, {"alpha", 4.41353, 1e-3}, {"a", 0.79289, 1e-3}, {"b", 2.42576, 1e-3}},
                  -9582.43);
  CHECK(bg.customers == 2357);
  CHECK(bg.converged);
  CHECK(bg.std_errors.size() == 4);
  CHECK(bg.fitted_at == 1'700'000'000'000);
  CHECK(bg.data_from == start_of_day(parse_date("1997-01-01")));
  // Saved and read back.
  auto again = value.model(bg.id);
  CHECK(again.param("alpha") == bg.param("alpha"));
  CHECK(again.log_likelihood == bg.log_likelihood);
  CHECK(again.calibration_end == f.calibration_end);
  CHECK(again.unit == clv::TimeUnit::week);

  f.kind = ValueModelKind::pnbd;
  auto pn = value.fit(f);
  check_published(pn,
                  {{"r", 0.55328, 2e-3},
                   {"alpha", 10.57761, 2e-3},
                   {"s", 0.60621, 2e-3},
                   {"beta", 11.66791, 1e-2}},  // flat in beta (BTYD walkthrough)
                  -9594.9739);

  f.kind = ValueModelKind::mbgnbd;
  auto mb = value.fit(f);
  check_published(mb, {{"r", 0.52484, 1e-3}, {"alpha", 6.18299, 1e-3}, {"a", 0.89136, 1e-3}, {"b", 1.61400, 1e-3}},
                  -9582.1327);

  f.kind = ValueModelKind::gg;
  auto gg = value.fit(f);
  CHECK(gg.customers == 946);
  check_published(gg, {{"p", 6.2488, 1e-3}, {"q", 3.74459, 1e-3}, {"gamma", 15.44774, 1e-3}}, -4055.9232);

  auto all = value.models();
  CHECK(all.size() >= 4);
  auto latest = value.latest_model();
  REQUIRE(latest);
  CHECK(is_transaction_model(latest->kind));
  CHECK(value.latest_model(ValueModelKind::gg)->id == gg.id);
  auto js = nlohmann::json::parse(to_json(bg));
  CHECK(js["params"]["alpha"].get<double>() == bg.param("alpha"));
  CHECK(js["converged"].get<bool>());
}

TEST_CASE("value holdout: BTYD walkthrough actual row and BG/NBD expected row on CDNOW", "[value][cdnow]") {
  if (!have_or_skip("cdnow/CDNOW_sample.txt")) return;
  CustomerValue value(cdnow());
  ModelInputOptions o;
  o.calibration_end = end_of("1997-09-30");
  o.unit = clv::TimeUnit::week;
  o.holdout_end = end_of("1998-06-30");
  auto in = value.model_inputs(o);
  CHECK(in.holdout_length == 39);
  // BTYD's BG/NBD parameters.
  clv::PurchaseModel btyd = clv::BgNbdParams{0.2425982, 4.4136842, 0.7929899, 2.4261667};
  auto v = validate_holdout(in, btyd);
  REQUIRE(v.bins.size() == 8);
  const double actual[] = {0.237, 0.697, 1.393, 1.560, 2.532, 2.947, 3.862, 6.359};
  const std::int64_t sizes[] = {1411, 439, 214, 100, 62, 38, 29, 64};
  const double expected[] = {0.2250893, 0.5231364, 1.044126, 1.520256, 2.163824, 2.653789, 3.503957, 6.157036};
  for (int b = 0; b < 8; ++b) {
    INFO("bin " << v.bins[static_cast<std::size_t>(b)].label);
    CHECK(v.bins[static_cast<std::size_t>(b)].customers == sizes[b]);
    CHECK(v.bins[static_cast<std::size_t>(b)].actual_mean == Approx(actual[b]).margin(0.0005));
    CHECK(v.bins[static_cast<std::size_t>(b)].predicted_mean == Approx(expected[b]).epsilon(1e-5));
  }
  CHECK(v.bins[7].label == "7+");
  // Through a saved model: same actual row.
  FitRequest f;
  f.calibration_end = o.calibration_end;
  f.fitted_at = 0;
  auto bg = value.fit(f);
  auto saved = value.validate(bg.id, *o.holdout_end);
  CHECK(saved.bins[0].actual_mean == Approx(0.237).margin(0.0005));
  CHECK(saved.bins[0].predicted_mean == Approx(0.2250893).epsilon(1e-3));
  check_error([&] { value.validate(bg.id, o.calibration_end); }, Errc::invalid_argument, "holdout_end");
}

TEST_CASE("value score: materialises every customer's P(alive), expectation and CLV", "[value][cdnow]") {
  if (!have_or_skip("cdnow/CDNOW_sample.txt")) return;
  Store& s = cdnow();
  CustomerValue value(s);
  FitRequest f;
  f.calibration_end = end_of("1997-09-30");
  f.fitted_at = 5;
  auto bg = value.fit(f);
  f.kind = ValueModelKind::gg;
  auto gg = value.fit(f);

  // Refusals write nothing.
  ScoreRequest bad;
  bad.transaction_model_id = bg.id;
  bad.as_of = f.calibration_end;
  bad.horizon = std::nan("");
  check_error([&] { value.score(bad); }, Errc::invalid_argument, "horizon");
  bad.horizon = -1;
  check_error([&] { value.score(bad); }, Errc::invalid_argument, "horizon");
  bad.horizon = 1;
  bad.transaction_model_id = gg.id;
  check_error([&] { value.score(bad); }, Errc::invalid_argument, "spend model");
  bad.transaction_model_id = 999999;
  check_error([&] { value.score(bad); }, Errc::not_found, "999999");
  bad.transaction_model_id = bg.id;
  bad.spend_model_id = bg.id;
  check_error([&] { value.score(bad); }, Errc::invalid_argument, "not a gg");
  CHECK(count_rows(s, "customer_scores") == 0);

  ScoreRequest r;
  r.transaction_model_id = bg.id;
  r.spend_model_id = gg.id;
  r.as_of = f.calibration_end;
  r.horizon = 39;
  r.horizon_unit = HorizonUnit::week;
  r.monthly_discount_rate = 0;
  auto sum = value.score(r);
  CHECK(sum.customers == 2357);
  CHECK(sum.scored == 2357);
  CHECK(count_rows(s, "customer_scores") == 2357);
  {
    // Every stored row is its own customer's: rows are written 64 to a statement, the rest one by
    // one (2357 = 36 x 64 + 53), and a shifted binding would give a neighbour's history.
    ModelInputOptions o;
    o.calibration_end = f.calibration_end;
    const ModelInputs in = value.model_inputs(o);
    const clv::BgNbdParams m{bg.param("r"), bg.param("alpha"), bg.param("a"), bg.param("b")};
    REQUIRE(in.customers.size() == 2357);
    for (const auto& c : in.customers) {
      const CustomerScore got = value.customer_score(c.customer_id);
      REQUIRE(got.p_alive);
      REQUIRE(*got.p_alive == Approx(clv::p_alive(m, c.x, c.t_x, c.T)).epsilon(1e-12));
      REQUIRE(*got.repeat_purchases == static_cast<std::int64_t>(c.x));
    }
  }
  // Customer 1 (x=2, t_x=30.43, T=38.86): P(alive) 0.7266, E[Y(39)] 1.226 (CLV_MODELS.md).
  auto c1 = value.customer_score(1);
  REQUIRE(c1.p_alive);
  CHECK(*c1.p_alive == Approx(0.7266).margin(5e-4));
  CHECK(*c1.expected_purchases == Approx(1.226).margin(2e-3));
  // GG E[M] for customer 1 at the fitted params, and zero-rate CLV = spend x purchases.
  const double p = gg.param("p"), q = gg.param("q"), g = gg.param("gamma");
  const double em = p * (g + 22.345 * 2) / (p * 2 + q - 1);
  CHECK(*c1.expected_spend == Approx(em).epsilon(1e-9));
  CHECK(*c1.predicted_clv == Approx(em * *c1.expected_purchases).epsilon(1e-12));
  CHECK(c1.model_id == bg.id);
  CHECK(c1.spend_model_id == gg.id);
  CHECK(c1.horizon_unit == HorizonUnit::week);
  CHECK(*c1.repeat_purchases == 2);

  // Discounted CLV: 12 months at 1%/month is below the undiscounted 12-month value and finite.
  r.horizon = 12;
  r.horizon_unit = HorizonUnit::month;
  r.monthly_discount_rate = 0.01;
  value.score(r);
  auto disc = value.customer_score(1);
  r.monthly_discount_rate = 0;
  value.score(r);
  auto undisc = value.customer_score(1);
  CHECK(*disc.predicted_clv < *undisc.predicted_clv);
  CHECK(*disc.predicted_clv > 0.9 * *undisc.predicted_clv);
  // Undiscounted 12 months = 12 x 4.345 weeks.
  CHECK(*undisc.expected_purchases ==
        Approx(clv::conditional_expected_purchases(clv::BgNbdParams{bg.param("r"), bg.param("alpha"), bg.param("a"),
                                                                    bg.param("b")},
                                                   12 * 4.345, 2, 213.0 / 7, 272.0 / 7))
            .epsilon(1e-12));
  auto top = value.top_scores(5);
  REQUIRE(top.size() == 5);
  CHECK(*top[0].predicted_clv >= *top[4].predicted_clv);
  // 0 = every scored customer, as --top 0 means "all" in every command.
  CHECK(value.top_scores(0).size() == static_cast<std::size_t>(sum.scored));
  check_error([&] { value.customer_score(123456789); }, Errc::not_found, "123456789");
}

// ------------------------------------------------------------------------ degenerate data --

TEST_CASE("value fit: degenerate data gives clear errors, never NaN", "[value]") {
  Store s = test_store();
  CustomerValue value(s);
  FitRequest f;
  f.calibration_end = end_of("2024-03-31");
  check_error([&] { value.fit(f); }, Errc::invalid_argument, "nothing to fit");
  auto a = value_test::add_customer(s, "a");
  auto b = value_test::add_customer(s, "b");
  const Instant d = start_of_day(parse_date("2024-01-10"));
  Interactions in(s);
  in.record(value_test::purchase(a, d, 1000));
  in.record(value_test::purchase(b, d + kMillisPerDay, 0));
  // No repeat buyers.
  check_error([&] { value.fit(f); }, Errc::invalid_argument, "no repeat buyers");
  f.kind = ValueModelKind::gg;
  check_error([&] { value.fit(f); }, Errc::invalid_argument, "gg cannot be fitted");
  // All purchases on the calibration end day.
  FitRequest same = f;
  same.kind = ValueModelKind::bgnbd;
  same.calibration_end = end_of("2024-01-10");
  check_error([&] { value.fit(same); }, Errc::invalid_argument, "T = 0");
  // Zero spend on repeat days: gg refuses, the transaction model fits.
  in.record(value_test::purchase(b, d + 3 * kMillisPerDay, 0));
  check_error([&] { value.fit(f); }, Errc::invalid_argument, "positive repeat spend");
  CHECK(count_rows(s, "value_models") == 0);
  // One repeat buyer among two: the fit returns finite numbers (perhaps not converged).
  f.kind = ValueModelKind::bgnbd;
  try {
    auto m = value.fit(f);
    for (const auto& p : m.params) CHECK(std::isfinite(p.second));
    CHECK(std::isfinite(m.log_likelihood));
  } catch (const Error& e) {
    CHECK(e.code() == Errc::invalid_argument);  // "diverged": a clear error is acceptable too
  }
  // Unknown unit / kind strings.
  check_error([] { parse_model_time_unit("month"); }, Errc::invalid_argument, "day, week");
  check_error([] { parse_value_model_kind("bgbb"); }, Errc::invalid_argument, "bgnbd");
  ModelInputOptions o;
  o.calibration_end = f.calibration_end;
  o.holdout_end = f.calibration_end;
  check_error([&] { value.model_inputs(o); }, Errc::invalid_argument, "holdout_end");
  o.holdout_end.reset();
  o.currency = "usd";
  check_error([&] { value.model_inputs(o); }, Errc::invalid_argument, "ISO 4217");
}

TEST_CASE("value score: customers without purchases keep a row with null predictions", "[value]") {
  Store s = test_store();
  CustomerValue value(s);
  const Instant d = start_of_day(parse_date("2024-01-01"));
  std::vector<std::int64_t> ids;
  for (int i = 0; i < 40; ++i) ids.push_back(value_test::add_customer(s, "c" + std::to_string(i)));
  auto idle = value_test::add_customer(s, "idle");
  Interactions in(s);
  for (int i = 0; i < 40; ++i)
    for (int k = 0; k <= i % 5; ++k)
      in.record(value_test::purchase(ids[static_cast<std::size_t>(i)], d + (i + 7 * k * (1 + i % 3)) * kMillisPerDay,
                                     1000 + 100 * k));
  FitRequest f;
  f.calibration_end = end_of("2024-06-30");
  f.unit = clv::TimeUnit::day;
  auto m = value.fit(f);
  ScoreRequest r;
  r.transaction_model_id = m.id;
  r.as_of = f.calibration_end;
  r.horizon = 30;
  r.horizon_unit = HorizonUnit::day;
  auto sum = value.score(r);
  CHECK(sum.customers == 41);
  CHECK(sum.scored == 40);
  auto none = value.customer_score(idle);
  CHECK_FALSE(none.p_alive);
  CHECK_FALSE(none.predicted_clv);
  auto one = value.customer_score(ids[3]);
  REQUIRE(one.p_alive);
  CHECK(*one.p_alive >= 0);
  CHECK(*one.p_alive <= 1);
  CHECK_FALSE(one.predicted_clv);  // no spend model
  CHECK(count_rows(s, "customer_scores") == 41);
}

TEST_CASE("value score: a rescoring replaces the run, a removed customer takes its scores along, and scores "
          "written before migration 0012 read the same after it", "[value]") {
  TempDir dir;
  const std::string path = dir.file("scores.db");
  std::vector<CustomerScore> before;
  {
    // A file at schema version 11, scored as crmkit wrote scores then (one table, a row per customer).
    crmkit::detail::Connection c(path, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, 5000);
    c.db.exec("PRAGMA foreign_keys = ON");
    crmkit::detail::migrate_to(c, 11);
    c.db.exec(
        "INSERT INTO customers(id, created_at, updated_at) VALUES (1, 0, 0), (2, 0, 0), (3, 0, 0);"
        "INSERT INTO value_models(id, kind, params, fitted_at) VALUES (1, 'bgnbd', '{}', 0), (2, 'gg', '{}', 0);"
        "INSERT INTO customer_scores(customer_id, model_id, scored_at, p_alive, expected_purchases, horizon, "
        "horizon_unit, predicted_clv, currency, spend_model_id, expected_spend, repeat_purchases, discount_rate) VALUES "
        "(1, 1, 5000, 0.25, 1.5, 12, 'month', 30.5, 'EUR', 2, 20.25, 3, 0.01), "
        "(2, 1, 5000, NULL, NULL, 12, 'month', NULL, 'EUR', 2, NULL, NULL, 0.01), "
        "(3, 1, 5000, 0.75, 0.5, 12, 'month', 10, 'EUR', 2, 20, 0, 0.01)");
  }
  Store s = Store::open(path);
  CustomerValue value(s);
  const auto page = value.scores(0, 10);
  REQUIRE(page.scores.size() == 3);
  const CustomerScore& a = page.scores[0];
  CHECK(a.customer_id == 1);
  CHECK(a.model_id == 1);
  CHECK(a.spend_model_id == 2);
  CHECK(a.scored_at == 5000);
  CHECK(a.p_alive == 0.25);
  CHECK(a.expected_purchases == 1.5);
  CHECK(a.horizon == 12);
  CHECK(a.horizon_unit == HorizonUnit::month);
  CHECK(a.predicted_clv == 30.5);
  CHECK(a.expected_spend == 20.25);
  CHECK(a.repeat_purchases == 3);
  CHECK(a.currency == "EUR");
  CHECK_FALSE(page.scores[1].p_alive);
  CHECK(page.scores[1].scored_at == 5000);  // the run's settings on a row without predictions too
  CHECK(page.scores[2].p_alive == 0.75);

  Customers(s).remove(3);
  CHECK(count_rows(s, "customer_scores") == 2);
  CHECK(count_rows(s, "customer_score_values") == 2);

  // A new run replaces the settings and every row.
  Interactions in(s);
  const Instant d = start_of_day(parse_date("2024-01-01"));
  std::vector<std::int64_t> ids;
  for (int i = 0; i < 30; ++i) {
    ids.push_back(value_test::add_customer(s, "n" + std::to_string(i)));
    for (int k = 0; k <= i % 4; ++k)
      in.record(value_test::purchase(ids.back(), d + (i + 9 * k * (1 + i % 3)) * kMillisPerDay, 1000 + 100 * k));
  }
  FitRequest f;
  f.calibration_end = end_of("2024-06-30");
  f.unit = clv::TimeUnit::day;
  f.currency = "USD";
  const auto m = value.fit(f);
  ScoreRequest r;
  r.transaction_model_id = m.id;
  r.as_of = f.calibration_end;
  r.horizon = 30;
  r.horizon_unit = HorizonUnit::day;
  CHECK(value.score(r).customers == 32);
  CHECK(count_rows(s, "score_run") == 1);
  const auto fresh = value.customer_score(ids[5]);
  CHECK(fresh.model_id == m.id);
  CHECK(fresh.scored_at == f.calibration_end);
  CHECK(fresh.horizon_unit == HorizonUnit::day);
  CHECK(fresh.currency == "USD");
  CHECK(value.customer_score(1).scored_at == f.calibration_end);
  CHECK_FALSE(value.customer_score(1).p_alive);  // no USD purchase
}
