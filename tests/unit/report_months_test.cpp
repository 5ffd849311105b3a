// The kept month cells (interaction_months) against a fresh scan of the interactions, after
// random single and batch recordings, refused recordings and rebuilds; the report's overview,
// revenue by month and top customers against the scans the report made before it kept them, at
// random as_of instants (month bounds, inside a month, before and after every fact); and a
// store from before migration 0009 upgraded to the same report.
#include <catch2/catch.hpp>

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <map>
#include <random>
#include <string>
#include <tuple>
#include <vector>

#include "crmkit/customer.hpp"
#include "crmkit/error.hpp"
#include "crmkit/interaction.hpp"
#include "crmkit/money.hpp"
#include "crmkit/report.hpp"
#include "store/connection.hpp"
#include "store/migrations.hpp"
#include "temp_dir.hpp"

using namespace crmkit;

namespace {

using CellKey = std::tuple<std::int64_t, std::string, std::string, std::string>;  // month, kind, channel, currency
using Cells = std::map<CellKey, std::pair<std::int64_t, MoneySum>>;

std::int64_t month_number(Instant t) {
  CivilDate d = civil_from_day(day_of(t));
  return static_cast<std::int64_t>(d.year) * 12 + d.month - 1;
}

Cells kept_cells(Store& s) {
  Cells out;
  auto q_st = detail::connection_of(s).db.statement("SELECT month, kind, channel, currency, interaction_count, amount_high, amount_low "
                      "FROM interaction_months");
  auto& q = *q_st;
  while (q.executeStep())
    out[{q.getColumn(0).getInt64(), q.getColumn(1).getString(), q.getColumn(2).getString(),
         q.getColumn(3).getString()}] = {q.getColumn(4).getInt64(),
                                        MoneySum(q.getColumn(5).getInt64()) * (MoneySum(1) << 32) +
                                            q.getColumn(6).getInt64()};
  return out;
}

Cells scanned_cells(Store& s) {
  Cells out;
  auto q_st = detail::connection_of(s).db.statement("SELECT occurred_at, kind, channel, coalesce(currency, ''), coalesce(amount, 0) FROM interactions");
  auto& q = *q_st;
  while (q.executeStep()) {
    auto& c = out[{month_number(q.getColumn(0).getInt64()), q.getColumn(1).getString(), q.getColumn(2).getString(),
                   q.getColumn(3).getString()}];
    ++c.first;
    c.second += q.getColumn(4).getInt64();
  }
  return out;
}

// The report's figures as it computed them before the month cells: full scans before as_of.
void check_report_against_scan(Store& s, std::optional<Instant> as_of) {
  ReportOptions o;
  o.as_of = as_of;
  o.top = 0;
  Report r = build_report(s, o);
  INFO("as_of " << format_instant(r.as_of));
  auto q_st = detail::connection_of(s).db.statement("SELECT customer_id, occurred_at, kind, channel, currency, amount FROM interactions "
                      "WHERE occurred_at < ?");
  auto& q = *q_st;
  q.bind(1, static_cast<std::int64_t>(r.as_of));
  std::int64_t n = 0, purchases = 0, refunds = 0;
  std::map<std::pair<std::string, std::string>, std::int64_t> channel_kind;
  std::map<std::string, std::pair<MoneySum, MoneySum>> money;
  std::map<std::pair<std::string, std::string>, std::pair<std::int64_t, MoneySum>> months;
  std::map<std::pair<std::string, std::int64_t>, std::int64_t> customer_purchases;  // (currency, customer)
  while (q.executeStep()) {
    ++n;
    const std::string kind = q.getColumn(2).getString();
    ++channel_kind[{q.getColumn(3).getString(), kind}];
    if (kind != "purchase" && kind != "refund") continue;
    const std::string cur = q.getColumn(4).getString();
    const std::int64_t amount = q.getColumn(5).getInt64();
    if (kind == "purchase") {
      ++purchases;
      money[cur].first += amount;
      CivilDate d = civil_from_day(day_of(q.getColumn(1).getInt64()));
      char month[16];
      std::snprintf(month, sizeof month, "%04d-%02d", d.year, d.month);
      auto& m = months[{cur, month}];
      ++m.first;
      m.second += amount;
      customer_purchases[{cur, q.getColumn(0).getInt64()}] += amount;
    } else {
      ++refunds;
      money[cur].second += amount;
    }
  }
  CHECK(r.overview.interactions == n);
  CHECK(r.overview.purchases == purchases);
  CHECK(r.overview.refunds == refunds);
  std::vector<std::tuple<std::string, std::string, std::int64_t>> want_ck, got_ck;
  for (const auto& [k, v] : channel_kind) want_ck.emplace_back(k.first, k.second, v);
  for (const auto& x : r.overview.by_channel_kind) got_ck.emplace_back(x.channel, x.kind, x.interactions);
  CHECK(got_ck == want_ck);
  std::vector<std::string> want_money, got_money;
  for (const auto& [cur, v] : money)
    want_money.push_back(cur + " " + format_amount_sum(v.first, cur) + " " + format_amount_sum(v.second, cur) + " " +
                         format_amount_sum(v.first + v.second, cur));
  for (std::size_t i = 0; i < r.overview.revenue.size(); ++i)
    got_money.push_back(r.overview.revenue[i].currency + " " + r.overview.revenue[i].amount + " " +
                        r.overview.refunded[i].amount + " " + r.overview.net[i].amount);
  CHECK(got_money == want_money);
  std::vector<std::string> want_months, got_months;
  for (const auto& [k, v] : months)
    want_months.push_back(k.first + " " + k.second + " " + std::to_string(v.first) + " " +
                          format_amount_sum(v.second, k.first));
  for (const auto& m : r.revenue_by_month)
    got_months.push_back(m.currency + " " + m.month + " " + std::to_string(m.purchases) + " " + m.revenue);
  CHECK(got_months == want_months);
  // Every customer with purchases, by currency, most revenue first, then the smaller id.
  std::map<std::string, std::vector<std::pair<std::int64_t, std::int64_t>>> ranked;
  for (const auto& [k, v] : customer_purchases)
    if (v != 0) ranked[k.first].push_back({-v, k.second});
  std::vector<std::string> want_top, got_top;
  for (auto& [cur, v] : ranked) {
    std::sort(v.begin(), v.end());
    for (const auto& [minus, id] : v) want_top.push_back(cur + " " + std::to_string(id) + " " + format_amount(-minus, cur));
  }
  for (const auto& t : r.top_customers)
    got_top.push_back(t.currency + " " + std::to_string(t.customer_id) + " " + t.revenue);
  CHECK(got_top == want_top);
}

struct RandomShop {
  Store s;
  std::mt19937_64 rng{20261205};
  std::vector<std::int64_t> customers;
  int next_external = 0;

  explicit RandomShop(const std::string& path = ":memory:") : s(Store::open(path)) {
    for (int i = 0; i < 6; ++i) {
      CustomerFields f;
      f.external_id = "C" + std::to_string(i);
      f.created_at = parse_instant("1969-06-01T00:00:00Z");
      customers.push_back(Customers(s).create(f));
    }
  }

  std::int64_t pick(std::int64_t lo, std::int64_t hi) { return std::uniform_int_distribution<std::int64_t>(lo, hi)(rng); }

  Interaction random_interaction() {
    static const char* months[] = {"1969-12-01", "1970-01-01", "2024-01-01", "2024-02-01", "2024-03-01"};
    Interaction i;
    i.customer_id = customers[static_cast<std::size_t>(pick(0, 5))];
    // Inside the month, or on its first or last millisecond.
    const Instant start = parse_instant(months[pick(0, 4)]);
    const std::int64_t span = 28 * kMillisPerDay;
    const std::int64_t where = pick(0, 3);
    i.occurred_at = where == 0 ? start : where == 1 ? start + span + 3 * kMillisPerDay - 1 : start + pick(0, span);
    if (where == 1 && civil_from_day(day_of(i.occurred_at)).month != civil_from_day(day_of(start)).month)
      i.occurred_at = start;  // a 30-day month: stay in it
    i.channel = static_cast<Channel>(pick(0, 7));
    i.kind = static_cast<InteractionKind>(pick(0, 10));
    static const char* currencies[] = {"EUR", "USD", "JPY"};
    const std::string cur = currencies[pick(0, 2)];
    // Mostly small amounts; now and then one near the int64 edge, so that cell sums pass it
    // and customers' totals are refused.
    const std::int64_t big = pick(0, 9) == 0 ? pick(3'000'000'000'000'000'000, 4'600'000'000'000'000'000) : pick(0, 100000);
    if (i.kind == InteractionKind::purchase) i.amount = Money{big, cur};
    if (i.kind == InteractionKind::refund) i.amount = Money{-big, cur};
    if (pick(0, 3) == 0) i.external_id = "E" + std::to_string(next_external++ % 40);  // repeats now and then
    return i;
  }

  // Batches of ten; a refused batch (an overflowing customer total, a conflicting repeat) is
  // left out whole.
  void record_batches(int batches) {
    for (int step = 0; step < batches; ++step) {
      std::vector<Interaction> batch;
      for (int n = 0; n < 10; ++n) batch.push_back(random_interaction());
      try {
        Interactions(s).record_batch(batch);
      } catch (const Error&) {
      }
    }
  }
};

}  // namespace

TEST_CASE("report months: the kept cells equal a fresh scan after random recordings", "[report][months]") {
  RandomShop shop;
  int refused = 0;
  for (int step = 0; step < 150; ++step) {
    INFO("step " << step);
    const auto what = shop.pick(0, 9);
    try {
      if (what < 4) {
        Interactions(shop.s).record(shop.random_interaction());
      } else if (what < 9) {
        std::vector<Interaction> batch;
        for (auto n = shop.pick(1, 25); n > 0; --n) batch.push_back(shop.random_interaction());
        if (what == 8) batch[batch.size() / 2].customer_id = 999999;  // refuses the whole batch
        Interactions(shop.s).record_batch(batch);
      } else {
        Interactions(shop.s).rebuild_figures();
      }
    } catch (const Error& e) {
      // A refused recording (a conflicting repeat, an overflowing customer total, an unknown
      // customer) must leave the cells as they were.
      CHECK((e.code() == Errc::invalid_argument || e.code() == Errc::conflict || e.code() == Errc::not_found));
      ++refused;
    }
    REQUIRE(kept_cells(shop.s) == scanned_cells(shop.s));
  }
  CHECK(refused > 0);
  CHECK(scanned_cells(shop.s).size() > 50);
}

TEST_CASE("report months: overview, revenue by month and top customers equal the full scans at any as_of",
          "[report][months]") {
  RandomShop shop;
  shop.record_batches(30);
  check_report_against_scan(shop.s, std::nullopt);
  for (const char* t : {"1969-12-01T00:00:00Z", "1969-12-15T12:00:00Z", "1970-01-01T00:00:00Z", "1970-01-01T00:00:00.001Z",
                        "2024-01-01T00:00:00Z", "2024-02-10T00:00:00Z", "2024-03-01T00:00:00Z",
                        "2024-03-31T23:59:59.999Z", "2024-04-01T00:00:00Z", "2030-01-01T00:00:00Z", "1960-01-01T00:00:00Z"})
    check_report_against_scan(shop.s, parse_instant(t));
  for (int k = 0; k < 20; ++k) check_report_against_scan(shop.s, shop.random_interaction().occurred_at + shop.pick(-1, 1));
}

TEST_CASE("report months: a store from before migration 0009 is upgraded to the same report", "[report][months]") {
  TempDir dir;
  const std::string path = dir.file("old.db");
  std::string before;
  {
    RandomShop shop(path);
    shop.record_batches(20);
    ReportOptions o;
    o.top = 0;
    before = to_json(build_report(shop.s, o));
    // The file as crmkit wrote it at version 8: without the month cells and their index, and
    // without 0010's purchase histories, with the natural key index 0011 dropped, with the
    // scores table 0012 split (its definition taken from 0002 itself), without 0013's model
    // penalizer, 0014's contact points, 0015's duplicate tables, 0016's audit trail, 0017's
    // consent, suppressions and their settings, 0018's merge records and 0019's erasure columns.
    const auto& all = detail::migrations();
    const std::string sql2 =
        std::find_if(all.begin(), all.end(), [](const detail::Migration& m) { return m.version == 2; })->sql;
    const std::size_t from = sql2.find("CREATE TABLE customer_scores");
    REQUIRE(from != std::string::npos);
    detail::connection_of(shop.s).db.exec(
        "DROP VIEW customer_scores; DROP TRIGGER customer_score_values_follow_customers; "
        "DROP TABLE customer_score_values; DROP TABLE score_run; " + sql2.substr(from, sql2.find(") STRICT;", from) + 9 - from));
    // 0018 made two append-only triggers let customer_id change: back to their first text.
    auto trigger_of = [&all](int version, const std::string& name) {
      const std::string sql =
          std::find_if(all.begin(), all.end(), [&](const detail::Migration& m) { return m.version == version; })->sql;
      const std::size_t at = sql.find("CREATE TRIGGER " + name);
      REQUIRE(at != std::string::npos);
      return sql.substr(at, sql.find("END;", at) + 4 - at);
    };
    detail::connection_of(shop.s).db.exec(
        "DROP TRIGGER survey_responses_no_update; DROP TRIGGER points_ledger_no_update; " +
        trigger_of(4, "survey_responses_no_update") + trigger_of(5, "points_ledger_no_update"));
    detail::connection_of(shop.s).db.exec(
        "CREATE UNIQUE INDEX interactions_natural_key ON interactions(natural_key) WHERE natural_key IS NOT NULL; "
        "DROP TABLE interaction_months; DROP INDEX interactions_occurred; "
        "ALTER TABLE customer_money DROP COLUMN first_day_total; "
        "ALTER TABLE customer_money DROP COLUMN purchase_days; "
        "ALTER TABLE customer_money DROP COLUMN last_purchase_at; "
        "ALTER TABLE customer_money DROP COLUMN first_purchase_at; "
        "ALTER TABLE value_models DROP COLUMN penalizer_coef; DROP TABLE contact_points; DROP TABLE duplicate_exceptions; "
        "DROP TABLE duplicate_rules; DROP INDEX customers_names; DROP TABLE audit_entries; "
        "DROP TABLE consent_events; DROP TABLE consent_purposes; DROP TABLE suppressions; DROP TABLE merge_records; "
        "ALTER TABLE customers DROP COLUMN erased_at; "
        "DELETE FROM store_settings WHERE key = 'consent_double_opt_in_ttl_ms' OR key = 'suppression_salt'; "
        "PRAGMA user_version = 8");
  }
  Store upgraded = Store::open(path);
  CHECK(upgraded.schema_version() == Store::latest_schema_version());
  CHECK(kept_cells(upgraded) == scanned_cells(upgraded));
  CHECK(kept_cells(upgraded).size() > 20);
  ReportOptions o;
  o.top = 0;
  // A version-8 file had no audit trail: its entries went with the table, so the identity
  // section's trail is the one figure that differs (and is empty after the upgrade).
  auto without_trail = [](const std::string& text) {
    auto j = nlohmann::ordered_json::parse(text);
    j["identity"].erase("audit");
    return j.dump();
  };
  const std::string after = to_json(build_report(upgraded, o));
  CHECK(without_trail(after) == without_trail(before));
  CHECK(nlohmann::json::parse(after)["identity"]["audit"]["entries"] == 0);
}

TEST_CASE("report months: a cell that would pass int64 is refused and nothing is written", "[report][months]") {
  for (const char* column : {"interaction_count", "amount_high", "amount_low"}) {
    INFO(column);
    RandomShop shop;
    Interaction i;
    i.customer_id = shop.customers[0];
    i.occurred_at = parse_instant("2024-01-10T10:00:00Z");
    i.kind = InteractionKind::purchase;
    i.channel = Channel::web;
    i.amount = Money{(std::int64_t(1) << 32) + 7, "EUR"};
    Interactions(shop.s).record(i);
    // As if 2^63 - 1 had been counted or added before.
    detail::connection_of(shop.s).db.exec(std::string("UPDATE interaction_months SET ") + column + " = 9223372036854775807");
    const Cells before = kept_cells(shop.s);
    i.occurred_at += 1000;
    try {
      Interactions(shop.s).record(i);
      FAIL("an overflowing cell was accepted");
    } catch (const Error& e) {
      CHECK(e.code() == Errc::invalid_argument);
      CHECK(std::string(e.what()).find("month 2024-01") != std::string::npos);
    }
    CHECK(kept_cells(shop.s) == before);
    CHECK(Interactions(shop.s).figures(shop.customers[0]).interaction_count == 1);
  }
}
