// Tiers: upgrade at once on earning, downgrade only at a review after period + grace.
#include <catch2/catch.hpp>

#include "unit/points_fixture.hpp"

using namespace points_test;

namespace {
// Points earned over a 30-day window; a tier is kept at least 90 days + 10 days of grace.
std::int64_t tiered(Fixture& f, TierMetric metric = TierMetric::points) {
  ProgrammeSpec s = Fixture::spec("tiers");
  s.tier_metric = metric;
  s.tier_window_days = 30;
  s.review_period_days = 90;
  s.grace_days = 10;
  s.tiers = {{"bronze", 0, 1000}, {"silver", 100, 1000}, {"gold", 500, 1000}};
  return f.points.create_programme(s);
}
using Tier = std::optional<std::string>;
}  // namespace

TEST_CASE("enrolment starts in the zero-threshold tier, earning upgrades at once", "[points][tiers]") {
  Fixture f;
  auto pid = tiered(f);
  auto c = f.member(pid);
  CHECK(f.points.tier(pid, c) == Tier("bronze"));
  f.points.earn_for_purchase(pid, f.purchase(c, day(1), 9999));  // 99 points: not yet silver
  CHECK(f.points.tier(pid, c) == Tier("bronze"));
  f.points.earn_for_purchase(pid, f.purchase(c, day(2), 100));   // 100 in window: silver at day 2
  CHECK(f.points.tier(pid, c) == Tier("silver"));
  f.points.earn_for_purchase(pid, f.purchase(c, day(3), 50000)); // straight to gold
  auto h = f.points.tier_history(pid, c);
  REQUIRE(h.size() == 3);
  CHECK(h[0].reason == "enrol");
  CHECK(h[0].from == day(0));
  CHECK(h[0].to == std::optional<Instant>(day(2)));
  CHECK(h[1].tier == Tier("silver"));
  CHECK(h[1].previous == Tier("bronze"));
  CHECK(h[1].reason == "upgrade");
  CHECK(h[2].tier == Tier("gold"));
  CHECK(h[2].from == day(3));
  CHECK_FALSE(h[2].to);
  // Points outside the window do not count: day 40's window (day 10, day 40] is empty.
  CHECK(f.points.tier_metric_value(pid, c, day(40)) == 0);
  CHECK(f.points.tier_metric_value(pid, c, day(31)) == 501);   // (day 1, day 31]: 1 + 500
  CHECK(f.points.tier_metric_value(pid, c, day(31) - 1) == 600);  // day 1 still inside: 99 + 1 + 500
}

TEST_CASE("downgrade waits for the review period plus grace, then follows the metric", "[points][tiers]") {
  Fixture f;
  auto pid = tiered(f);
  auto c = f.member(pid);
  f.points.earn_for_purchase(pid, f.purchase(c, day(0), 15000));  // 150 -> silver since day 0
  REQUIRE(f.points.tier(pid, c) == Tier("silver"));
  // The metric is 0 from day 30 on, but the tier is protected until day 90 + 10.
  auto r = f.points.review_tiers(pid, day(50));
  CHECK(r.downgraded == 0);
  CHECK(f.points.review_tiers(pid, day(90)).downgraded == 0);        // end of period, in grace
  CHECK(f.points.review_tiers(pid, day(100) - 1).downgraded == 0);
  r = f.points.review_tiers(pid, day(100));
  CHECK(r.downgraded == 1);
  CHECK(f.points.tier(pid, c) == Tier("bronze"));
  auto h = f.points.tier_history(pid, c);
  CHECK(h.back().reason == "review");
  CHECK(h.back().from == day(100));
  CHECK(h.back().previous == Tier("silver"));
  // The same review again changes nothing.
  auto n = f.count("points_tier_history");
  CHECK(f.points.review_tiers(pid, day(100)).downgraded == 0);
  CHECK(f.count("points_tier_history") == n);
}

TEST_CASE("requalifying during the grace period keeps the tier for another period", "[points][tiers]") {
  Fixture f;
  auto pid = tiered(f);
  auto c = f.member(pid);
  f.points.earn_for_purchase(pid, f.purchase(c, day(0), 15000));   // silver since day 0
  f.points.earn_for_purchase(pid, f.purchase(c, day(95), 12000));  // 120 in grace: requalifies
  CHECK(f.points.review_tiers(pid, day(100)).downgraded == 0);
  CHECK(f.points.tier(pid, c) == Tier("silver"));
  // Next review point: the end of the second period (day 180) plus grace = day 190.
  CHECK(f.points.review_tiers(pid, day(189)).reviewed == 0);
  auto r = f.points.review_tiers(pid, day(190));
  CHECK(r.reviewed == 1);
  CHECK(r.downgraded == 1);
  CHECK(f.points.tier(pid, c) == Tier("bronze"));
}

TEST_CASE("a downgrade goes straight to the tier the metric reaches", "[points][tiers]") {
  Fixture f;
  auto pid = tiered(f, TierMetric::spend);
  auto c = f.member(pid);
  f.points.earn_for_purchase(pid, f.purchase(c, day(1), 600));     // spend 600 minor units: gold
  CHECK(f.points.tier(pid, c) == Tier("gold"));
  f.purchase(c, day(95), 150);  // spend inside the window at the review, not earned on: still counts
  CHECK(f.points.review_tiers(pid, day(101)).downgraded == 1);
  CHECK(f.points.tier(pid, c) == Tier("silver"));
}

TEST_CASE("tier multipliers use the tier held at the purchase time", "[points][tiers]") {
  Fixture f;
  auto pid = f.order_tiered_programme("mult");
  auto c = f.member(pid);
  CHECK(f.points.earn_for_purchase(pid, f.purchase(c, day(1), 1000)).points == 10);
  CHECK(f.points.earn_for_purchase(pid, f.purchase(c, day(2), 1000)).points == 10);  // upgrades after
  CHECK(f.points.earn_for_purchase(pid, f.purchase(c, day(3), 1000)).points == 20);
  // A late-recorded purchase from before the upgrade earns at the old tier.
  CHECK(f.points.earn_for_purchase(pid, f.purchase(c, day(1) + 1, 1000)).points == 10);
}
