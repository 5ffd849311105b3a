// Retention and cohorts over stored purchases (a small scenario worked by hand; CDNOW in
// cdnow_retention_test.cpp).
#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include <limits>

#include "crmkit/retention.hpp"
#include "loyalty_fixture.hpp"

using namespace crmkit;
using Approx = Catch::Detail::Approx;

namespace {
Instant at0(int y, int m, int d) { return start_of_day(day_from_civil({y, m, d})); }

// Period [2026-04-01, 2026-07-01), k = 90 days: the start window is [01-01, 04-01), the end
// window [04-02, 07-01).
struct Shop {
  LoyaltyStore s;
  std::int64_t c[8]{};
  Shop() {
    for (int i = 1; i <= 7; ++i) c[i] = s.customer("C" + std::to_string(i));
    s.interaction(c[1], day(2026, 2, 10), "purchase", 800);
    s.interaction(c[1], day(2026, 5, 5), "purchase", 1000);
    s.interaction(c[2], at0(2026, 4, 1) - 3'600'000, "purchase", 900);   // 03-31 23:00
    s.interaction(c[3], day(2025, 12, 31), "purchase", 100);           // just before the window
    s.interaction(c[3], day(2026, 6, 30), "purchase", 2000);
    s.interaction(c[4], day(2026, 4, 15, 9), "purchase", 500);
    s.interaction(c[4], day(2026, 4, 15, 17), "purchase", 700);        // same day
    s.interaction(c[4], day(2026, 6, 1), "purchase", 300);
    s.interaction(c[4], day(2026, 6, 2), "refund", -200);
    s.interaction(c[5], at0(2026, 4, 1), "purchase", 1500);            // exactly at from
    s.interaction(c[6], day(2026, 5, 1), "support");
    s.interaction(c[7], at0(2026, 1, 1), "purchase", 400);             // window start, inclusive
    s.interaction(c[7], at0(2026, 7, 1), "purchase", 400);             // == to: outside
  }
  RetentionQuery q() {
    RetentionQuery r;
    r.from = at0(2026, 4, 1);
    r.to = at0(2026, 7, 1);
    r.active_days = 90;
    return r;
  }
};
}  // namespace

TEST_CASE("retention: S, E, N, retained and churned on ids, boundaries inclusive/exclusive", "[retention]") {
  Shop shop;
  RetentionMetrics m(shop.s.store);
  auto r = m.retention(shop.q());
  CHECK(r.active_at_start == 3);  // 1, 2, 7
  CHECK(r.active_at_end == 3);    // 1, 3, 4
  CHECK(r.new_customers == 2);    // 4, 5
  CHECK(r.retained == 1);
  CHECK(r.churned == 2);
  CHECK(*r.retention_rate == Approx(1.0 / 3));
  CHECK(*r.classic_retention_rate == Approx(1.0 / 3));
  CHECK(*r.churn_rate == Approx(2.0 / 3));
  CHECK(*r.expected_lifetime_periods == Approx(1.5));
}

TEST_CASE("repeat rate, frequency and AOV per customer-day or per purchase, gross or net", "[retention]") {
  Shop shop;
  RetentionMetrics m(shop.s.store);
  auto q = shop.q();
  auto r = m.retention(q);
  CHECK(r.purchasers == 4);  // 1, 3, 4, 5
  CHECK(r.repeat_purchasers == 1);
  CHECK(r.orders == 5);
  CHECK(*r.repeat_purchase_rate == Approx(0.25));
  CHECK(*r.purchase_frequency == Approx(1.25));
  CHECK(r.revenue_minor == 6000);
  CHECK(*r.average_order_value == Approx(12.0));

  q.order_unit = OrderUnit::purchase;
  r = m.retention(q);
  CHECK(r.orders == 6);
  CHECK(*r.purchase_frequency == Approx(1.5));
  CHECK(*r.average_order_value == Approx(10.0));

  q.order_unit = OrderUnit::customer_day;
  q.revenue = RevenueBasis::net;
  r = m.retention(q);
  CHECK(r.revenue_minor == 5800);
  CHECK(*r.average_order_value == Approx(11.6));

  q.currency = "EUR";  // no purchases in EUR: AOV undefined, counts unchanged
  r = m.retention(q);
  CHECK(r.orders == 5);
  CHECK_FALSE(r.average_order_value);
}

TEST_CASE("retention of an empty store or period is undefined, not zero", "[retention]") {
  LoyaltyStore s;
  RetentionMetrics m(s.store);
  RetentionQuery q;
  q.from = at0(2026, 1, 1);
  q.to = at0(2026, 2, 1);
  auto r = m.retention(q);
  CHECK(r.active_at_start == 0);
  CHECK_FALSE(r.retention_rate);
  CHECK_FALSE(r.churn_rate);
  CHECK_FALSE(r.expected_lifetime_periods);
  CHECK_FALSE(r.repeat_purchase_rate);
  CHECK_FALSE(r.average_order_value);
  auto j = nlohmann::json::parse(to_json(m.retention(q)));
  CHECK(j["retention_rate"].is_null());
  CHECK(j["active_at_start"] == 0);
  q.to = q.from;
  CHECK_THROWS_AS(m.retention(q), Error);
  q.to = at0(2026, 2, 1);
  q.active_days = 0;
  CHECK_THROWS_AS(m.retention(q), Error);
}

TEST_CASE("retention with P(alive) at the end of the period", "[retention]") {
  Shop shop;
  RetentionMetrics m(shop.s.store);
  auto q = shop.q();
  q.activity = ActivityRule::p_alive;
  q.p_alive_threshold = 0.5;
  CHECK_THROWS_AS(m.retention(q), Error);  // nobody scored yet
  shop.s.db().exec("INSERT INTO score_run(id, scored_at) VALUES (1, 0);"
                   "INSERT INTO customer_score_values(customer_id, p_alive) VALUES (1, .9), (2, .2), (3, .6), "
                   "(4, .55), (5, .4), (6, .99), (7, .5)");
  auto r = m.retention(q);
  CHECK(r.active_at_end == 4);  // 1, 3, 4, 7 (6 never bought; 7 at the threshold counts)
  CHECK(r.retained == 2);       // 1, 7
  CHECK(*r.retention_rate == Approx(2.0 / 3));
}

TEST_CASE("cohort matrix by month: N-period, unbounded, triangle", "[retention][cohort]") {
  Shop shop;
  RetentionMetrics m(shop.s.store);
  CohortQuery q;
  q.periods = 8;
  auto mat = m.cohorts(q);
  // First purchases: 3 in 2025-12, 7 in 2026-01, 1 in 2026-02, 2 in 2026-03, 4 and 5 in 2026-04.
  REQUIRE(mat.rows.size() == 5);
  CHECK(mat.rows[0].cohort == "2025-12");
  CHECK(mat.rows[0].size == 1);
  CHECK(*mat.rows[0].retention[6] == Approx(1.0));   // back in 2026-06
  CHECK(*mat.rows[0].retention[7] == Approx(0.0));   // 2026-07 observed (last purchase 07-01)
  const auto& apr = mat.rows[4];
  CHECK(apr.cohort == "2026-04");
  CHECK(apr.size == 2);
  CHECK(*apr.retention[0] == Approx(1.0));
  CHECK(*apr.retention[1] == Approx(0.0));
  CHECK(*apr.retention[2] == Approx(0.5));
  CHECK(*apr.retention[3] == Approx(0.0));
  CHECK_FALSE(apr.retention[4]);                     // 2026-08: not observable
  q.unbounded = true;
  auto u = m.cohorts(q);
  CHECK(*u.rows[4].retention[1] == Approx(0.5));
  CHECK(*u.rows[4].retention[2] == Approx(0.5));
  CHECK(*u.rows[4].retention[3] == Approx(0.0));
  q.unbounded = false;
  q.from = at0(2026, 4, 1);
  CHECK(m.cohorts(q).rows.size() == 1);
  auto j = nlohmann::json::parse(to_json(m.cohorts(q)));
  CHECK(j["cohorts"][0]["size"] == 2);
  CHECK(j["cohorts"][0]["retention"][4].is_null());
}

TEST_CASE("cohorts by week start on Monday", "[retention][cohort]") {
  Shop shop;
  RetentionMetrics m(shop.s.store);
  CohortQuery q;
  q.by = CohortPeriod::week;
  q.from = at0(2026, 3, 30);
  q.periods = 4;
  auto mat = m.cohorts(q);
  REQUIRE(mat.rows.size() == 2);
  CHECK(mat.rows[0].cohort == "2026-03-30");  // customer 5, Wednesday 04-01
  CHECK(mat.rows[1].cohort == "2026-04-13");  // customer 4, Wednesday 04-15
  CHECK(mat.rows[1].counts == std::vector<std::int64_t>{1, 0, 0, 0});
}

TEST_CASE("query bounds at the int64 limits are refused, not overflowed", "[retention]") {
  Shop shop;
  RetentionMetrics m(shop.s.store);
  auto q = shop.q();
  q.from = std::numeric_limits<std::int64_t>::min();
  CHECK_THROWS_AS(m.retention(q), Error);
  q = shop.q();
  q.to = std::numeric_limits<std::int64_t>::max();
  CHECK_THROWS_AS(m.retention(q), Error);
  CohortQuery c;
  c.as_of = std::numeric_limits<std::int64_t>::min();
  CHECK_THROWS_AS(m.cohorts(c), Error);
  c.as_of = std::nullopt;
  c.to = std::numeric_limits<std::int64_t>::max();
  CHECK_THROWS_AS(m.cohorts(c), Error);
  // The supported calendar's ends are fine.
  q = shop.q();
  q.from = -62'135'596'800'000;        // 0001-01-01
  q.to = 253'402'300'800'000;          // 10000-01-01, the exclusive end of 9999
  CHECK(m.retention(q).purchasers == 6);
}
