// Pure retention / repeat / cohort figures: METRICS.md §3.2, expected values worked by hand.
#include <catch2/catch.hpp>

#include "analytics/retention_metrics.hpp"
#include "crmkit/error.hpp"

using namespace crmkit::analytics;
using Approx = Catch::Detail::Approx;

TEST_CASE("retention on identities vs the classic (E - N)/S form", "[analytics][retention]") {
  // S = {1,2,3,4}, E = {2,4,5,6,7}, two of E are new: retained {2,4}.
  auto f = retention_figures({1, 2, 3, 4}, {2, 4, 5, 6, 7}, 2);
  CHECK(f.retained == 2);
  CHECK(f.churned == 2);
  CHECK(*f.retention_rate == Approx(0.5));
  CHECK(*f.classic_retention_rate == Approx(0.75));  // (5 − 2)/4: overstated by a reactivated 7
  CHECK(*f.churn_rate == Approx(0.5));
  CHECK(*f.expected_lifetime == Approx(2.0));
}

TEST_CASE("retention edge cases: empty start, no churn, everyone churns", "[analytics][retention]") {
  auto none = retention_figures({}, {1, 2}, 2);
  CHECK(none.start == 0);
  CHECK_FALSE(none.retention_rate);
  CHECK_FALSE(none.classic_retention_rate);
  CHECK_FALSE(none.churn_rate);
  CHECK_FALSE(none.expected_lifetime);

  auto kept = retention_figures({1, 2}, {1, 2}, 0);
  CHECK(*kept.retention_rate == Approx(1.0));
  CHECK(*kept.churn_rate == Approx(0.0));
  CHECK_FALSE(kept.expected_lifetime);  // 1/0: undefined, not infinity

  auto lost = retention_figures({1, 2}, {}, 0);
  CHECK(*lost.retention_rate == Approx(0.0));
  CHECK(*lost.churn_rate == Approx(1.0));
  CHECK(*lost.expected_lifetime == Approx(1.0));
  CHECK_THROWS_AS(retention_figures({}, {}, -1), crmkit::Error);

  // 5 % churn per month: expected lifetime 20 months (METRICS.md example).
  std::vector<std::int64_t> s(100), e;
  for (int i = 0; i < 100; ++i) s[i] = i;
  for (int i = 5; i < 100; ++i) e.push_back(i);
  CHECK(*retention_figures(s, e, 0).expected_lifetime == Approx(20.0));
}

TEST_CASE("repeat purchase rate, frequency and AOV", "[analytics][repeat]") {
  auto f = repeat_figures({1, 2, 3, 0});
  CHECK(f.purchasers == 3);
  CHECK(f.repeat_purchasers == 2);
  CHECK(f.orders == 6);
  CHECK(*f.repeat_purchase_rate == Approx(2.0 / 3));
  CHECK(*f.purchase_frequency == Approx(2.0));
  auto e = repeat_figures({});
  CHECK_FALSE(e.repeat_purchase_rate);
  CHECK_FALSE(e.purchase_frequency);
  auto singles = repeat_figures({1, 1});
  CHECK(*singles.repeat_purchase_rate == Approx(0.0));
  CHECK(*average_order_value(100.0, 4) == Approx(25.0));
  CHECK_FALSE(average_order_value(100.0, 0));
}

TEST_CASE("calendar period indices", "[analytics][cohort]") {
  using crmkit::day_from_civil;
  CHECK(month_index(day_from_civil({1997, 1, 1})) == 27 * 12);
  CHECK(month_index(day_from_civil({1997, 1, 31})) == 27 * 12);
  CHECK(month_start(27 * 12 + 1) == day_from_civil({1997, 2, 1}));
  CHECK(month_index(day_from_civil({1969, 12, 31})) == -1);
  CHECK(month_start(-1) == day_from_civil({1969, 12, 1}));
  CHECK(month_start(-13) == day_from_civil({1968, 12, 1}));
  // 1970-01-01 is a Thursday: its week starts Monday 1969-12-29; 1970-01-05 starts week 1.
  CHECK(week_index(0) == 0);
  CHECK(week_start(0) == day_from_civil({1969, 12, 29}));
  CHECK(week_index(day_from_civil({1970, 1, 4})) == 0);
  CHECK(week_index(day_from_civil({1970, 1, 5})) == 1);
  CHECK(week_index(day_from_civil({1969, 12, 28})) == -1);
  CHECK(week_start(week_index(day_from_civil({1997, 1, 1}))) == day_from_civil({1996, 12, 30}));
}

TEST_CASE("cohort matrix: N-period and unbounded variants, unobservable cells", "[analytics][cohort]") {
  CohortCustomers cs;
  std::int64_t a[] = {10, 12};      // cohort 10, back in period 12
  std::int64_t b[] = {10, 11, 12};  // cohort 10, every period
  std::int64_t c[] = {10};          // cohort 10, never back
  std::int64_t d[] = {11, 13};      // cohort 11, back at k = 2
  cs.add(10, a, 2);
  cs.add(10, b, 3);
  cs.add(10, c, 1);
  cs.add(11, d, 2);
  auto m = cohort_matrix(cs, 4, false, 13);
  REQUIRE(m.size() == 2);
  CHECK(m[0].cohort == 10);
  CHECK(m[0].size == 3);
  CHECK(m[0].counts == std::vector<std::int64_t>{3, 1, 2, 0});
  CHECK(*m[0].retention[0] == Approx(1.0));
  CHECK(*m[0].retention[1] == Approx(1.0 / 3));
  CHECK(*m[0].retention[2] == Approx(2.0 / 3));
  CHECK(*m[0].retention[3] == Approx(0.0));   // period 13 observed, nobody came back
  CHECK(m[1].size == 1);
  CHECK(*m[1].retention[1] == Approx(0.0));
  CHECK(*m[1].retention[2] == Approx(1.0));
  CHECK_FALSE(m[1].retention[3]);             // period 14 is after the last: undefined

  auto u = cohort_matrix(cs, 4, true, 13);
  // Unbounded: purchase in c+k or later. a: up to 12 (k ≤ 2); b: k ≤ 2; c: k = 0.
  CHECK(u[0].counts == std::vector<std::int64_t>{3, 2, 2, 0});
  CHECK(u[1].counts[1] == 1);  // d came back at k = 2, so it counts for k = 1 too
  CHECK_THROWS_AS(cohort_matrix(cs, 0, false, 13), crmkit::Error);
  CHECK(cohort_matrix(CohortCustomers{}, 3, false, 0).empty());
}
