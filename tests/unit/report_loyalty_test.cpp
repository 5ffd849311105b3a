// Retention and cohorts read the kept first purchases and only the purchases of their windows;
// here they are compared with the metrics' definitions applied to every purchase of a random
// store (what the full scan computed), at random periods, windows, units and bases.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cstdint>
#include <map>
#include <optional>
#include <random>
#include <set>
#include <string>
#include <vector>

#include "crmkit/retention.hpp"
#include "loyalty_fixture.hpp"

using namespace crmkit;

namespace {

struct Fact {
  std::int64_t customer = 0;
  Instant at = 0;
  bool purchase = false;  // else a refund
  std::int64_t amount = 0;
  std::string currency;
};

struct RandomStore {
  LoyaltyStore s;
  std::vector<Fact> facts;
  std::mt19937_64 rng{20261205};
  Instant lo = day(2024, 1, 1), hi = day(2026, 6, 30);

  std::int64_t pick(std::int64_t a, std::int64_t b) { return std::uniform_int_distribution<std::int64_t>(a, b)(rng); }
  Instant instant() { return pick(lo, hi); }

  RandomStore() {
    std::vector<std::int64_t> ids;
    for (int i = 0; i < 40; ++i) ids.push_back(s.customer("C" + std::to_string(i)));
    for (int n = 0; n < 600; ++n) {
      Fact f;
      f.customer = ids[static_cast<std::size_t>(pick(0, 39))];
      f.at = instant();
      if (pick(0, 3) == 0) f.at = start_of_day(day_of(f.at)) + pick(0, 1) * (kMillisPerDay - 1);  // day edges
      const auto kind = pick(0, 9);
      if (kind == 9) {
        s.interaction(f.customer, f.at, "support");
        continue;
      }
      f.purchase = kind < 7;
      f.currency = pick(0, 3) == 0 ? "EUR" : "USD";
      f.amount = f.purchase ? pick(0, 50'000) : -pick(0, 5'000);
      s.interaction(f.customer, f.at, f.purchase ? "purchase" : "refund", f.amount, f.currency);
      facts.push_back(f);
    }
  }

  // The definitions in docs/LOYALTY_METRICS.md over every purchase and refund.
  RetentionResult expected(const RetentionQuery& q) {
    const std::int64_t k = static_cast<std::int64_t>(q.active_days) * kMillisPerDay;
    const std::string currency = *q.currency;
    std::set<std::int64_t> start, end;
    std::map<std::int64_t, Instant> first;
    std::map<std::int64_t, std::set<std::int64_t>> order_keys, currency_order_keys;  // day, or a fact's index
    RetentionResult r;
    for (std::size_t i = 0; i < facts.size(); ++i) {
      const Fact& f = facts[i];
      const bool in_period = f.at >= q.from && f.at < q.to;
      if (!f.purchase) {
        if (in_period && f.currency == currency && q.revenue == RevenueBasis::net) r.revenue_minor += f.amount;
        continue;
      }
      if (!first.count(f.customer) || f.at < first[f.customer]) first[f.customer] = f.at;
      if (f.at >= q.from - k && f.at < q.from) start.insert(f.customer);
      if (f.at >= q.to - k && f.at < q.to) end.insert(f.customer);
      if (!in_period) continue;
      const std::int64_t key = q.order_unit == OrderUnit::customer_day ? day_of(f.at) : static_cast<std::int64_t>(i);
      order_keys[f.customer].insert(key);
      if (f.currency == currency) {
        r.revenue_minor += f.amount;
        currency_order_keys[f.customer].insert(key);
      }
    }
    r.active_at_start = static_cast<std::int64_t>(start.size());
    r.active_at_end = static_cast<std::int64_t>(end.size());
    for (const auto& [c, t] : first) r.new_customers += t >= q.from && t < q.to;
    for (auto c : start) r.retained += end.count(c);
    r.churned = r.active_at_start - r.retained;
    for (const auto& [c, keys] : order_keys) {
      ++r.purchasers;
      r.repeat_purchasers += keys.size() >= 2;
      r.orders += static_cast<std::int64_t>(keys.size());
    }
    for (const auto& [c, keys] : currency_order_keys) r.currency_orders += static_cast<std::int64_t>(keys.size());
    return r;
  }

  static std::int64_t period(Day d, CohortPeriod by) {
    if (by == CohortPeriod::week) return (d + 3 >= 0 ? d + 3 : d + 3 - 6) / 7;  // weeks from Monday 1969-12-29
    const CivilDate c = civil_from_day(d);
    return static_cast<std::int64_t>(c.year) * 12 + c.month - 1;
  }
  static Day period_start(std::int64_t p, CohortPeriod by) {
    if (by == CohortPeriod::week) return p * 7 - 3;
    return day_from_civil({static_cast<int>(p / 12), static_cast<int>(p % 12) + 1, 1});
  }

  // (start, size, counts) per cohort row, unobservable cells 0.
  std::vector<std::tuple<Instant, std::int64_t, std::vector<std::int64_t>>> expected(const CohortQuery& q) {
    std::map<std::int64_t, Instant> first;
    std::map<std::int64_t, std::set<std::int64_t>> periods;
    Instant latest = 0;
    for (const Fact& f : facts) {
      if (!f.purchase) continue;
      if (!first.count(f.customer) || f.at < first[f.customer]) first[f.customer] = f.at;
      periods[f.customer].insert(period(day_of(f.at), q.by));
      latest = std::max(latest, f.at);
    }
    const std::int64_t last = period(day_of(q.as_of ? *q.as_of - 1 : latest), q.by);
    std::map<std::int64_t, std::pair<std::int64_t, std::vector<std::int64_t>>> rows;
    for (const auto& [c, t] : first) {
      if ((q.from && t < *q.from) || (q.to && t >= *q.to)) continue;
      const std::int64_t cohort = period(day_of(t), q.by);
      auto& row = rows[cohort];
      row.second.resize(static_cast<std::size_t>(q.periods));
      ++row.first;
      for (int k = 0; k < q.periods; ++k) {
        const bool active = q.unbounded ? *periods[c].rbegin() >= cohort + k : periods[c].count(cohort + k) > 0;
        if (active && cohort + k <= last) ++row.second[static_cast<std::size_t>(k)];
      }
    }
    std::vector<std::tuple<Instant, std::int64_t, std::vector<std::int64_t>>> out;
    for (const auto& [p, row] : rows) out.emplace_back(start_of_day(period_start(p, q.by)), row.first, row.second);
    return out;
  }
};

}  // namespace

TEST_CASE("retention from kept first purchases and windowed purchases equals the full definitions",
          "[retention][report]") {
  RandomStore shop;
  RetentionMetrics m(shop.s.store);
  for (int n = 0; n < 60; ++n) {
    RetentionQuery q;
    q.from = shop.instant();
    q.to = q.from + shop.pick(1, 400) * kMillisPerDay + shop.pick(-1, 1);
    q.active_days = static_cast<int>(shop.pick(1, 200));
    q.order_unit = shop.pick(0, 1) ? OrderUnit::customer_day : OrderUnit::purchase;
    q.revenue = shop.pick(0, 1) ? RevenueBasis::net : RevenueBasis::gross;
    q.currency = shop.pick(0, 2) == 0 ? "EUR" : "USD";
    INFO("from " << format_instant(q.from) << " to " << format_instant(q.to) << " k " << q.active_days);
    const RetentionResult got = m.retention(q), want = shop.expected(q);
    CHECK(got.active_at_start == want.active_at_start);
    CHECK(got.active_at_end == want.active_at_end);
    CHECK(got.new_customers == want.new_customers);
    CHECK(got.retained == want.retained);
    CHECK(got.churned == want.churned);
    CHECK(got.purchasers == want.purchasers);
    CHECK(got.repeat_purchasers == want.repeat_purchasers);
    CHECK(got.orders == want.orders);
    CHECK(got.revenue_minor == want.revenue_minor);
    CHECK(got.currency_orders == want.currency_orders);
  }
}

TEST_CASE("cohorts from kept first purchases equal the full definitions", "[retention][cohort][report]") {
  RandomStore shop;
  RetentionMetrics m(shop.s.store);
  for (int n = 0; n < 60; ++n) {
    CohortQuery q;
    q.by = shop.pick(0, 1) ? CohortPeriod::week : CohortPeriod::month;
    q.periods = static_cast<int>(shop.pick(1, 14));
    q.unbounded = shop.pick(0, 1) == 1;
    if (shop.pick(0, 1)) q.from = shop.instant();
    if (shop.pick(0, 1)) q.to = (q.from ? *q.from : shop.lo) + shop.pick(1, 500) * kMillisPerDay;
    if (shop.pick(0, 1)) q.as_of = shop.instant();
    const CohortMatrix got = m.cohorts(q);
    std::vector<std::tuple<Instant, std::int64_t, std::vector<std::int64_t>>> rows;
    for (const auto& r : got.rows) rows.emplace_back(r.start, r.size, r.counts);
    CHECK(rows == shop.expected(q));
  }
}
