// Points programmes: earning rules (rounding, multipliers), pending, consumption order, expiry.
#include <catch2/catch.hpp>

#include "unit/points_fixture.hpp"

using namespace points_test;

TEST_CASE("points per currency unit round down, points per order are added", "[points]") {
  Fixture f;
  ProgrammeSpec s = Fixture::spec("triple");
  s.points_per_unit = 3;   // 3 points per 1.00 USD
  s.points_per_order = 5;
  auto pid = f.points.create_programme(s);
  auto c = f.member(pid);
  // 12.99 USD: floor(1299 * 3 / 100) = 38, + 5 per order = 43.
  CHECK(f.points.earn_for_purchase(pid, f.purchase(c, day(1), 1299)).points == 43);
  // 0.33 USD: floor(33 * 3 / 100) = 0, + 5 = 5.
  CHECK(f.points.earn_for_purchase(pid, f.purchase(c, day(1), 33)).points == 5);
  CHECK(f.points.balance(pid, c, day(2)).available == 48);

  ProgrammeSpec one;
  one.name = "one";
  one.currency = "USD";
  auto p1 = f.points.create_programme(one);
  f.points.enroll(p1, c, day(0));
  // 1 point per 1.00 USD: 12.99 -> 12, 0.99 -> 0 (a 0-point earn writes no entry).
  CHECK(f.points.earn_for_purchase(p1, f.purchase(c, day(1), 1299)).points == 12);
  auto zero = f.points.earn_for_purchase(p1, f.purchase(c, day(1), 99));
  CHECK(zero.points == 0);
  CHECK(zero.entry_id == 0);
  f.points.check_invariants(pid);
  f.points.check_invariants(p1);
}

TEST_CASE("channel, segment and tier multipliers compose with one rounding at the end", "[points]") {
  Fixture f;
  f.db().exec("INSERT INTO segments(id, name, kind) VALUES (1, 'vip', 'static'), (2, 'fans', 'static'), "
              "(3, 'other', 'static')");
  ProgrammeSpec s = Fixture::spec("multi");
  s.channel_multipliers = {{"web", 1500}};
  s.segment_multipliers = {{"vip", 2000}, {"fans", 1200}};
  s.tier_metric = TierMetric::orders;
  s.tiers = {{"basic", 0, 1000}, {"gold", 1, 1250}};
  auto pid = f.points.create_programme(s);
  auto c = f.member(pid, "c1");
  auto other = f.member(pid, "c2");
  f.segment_member(1, c, day(0), std::nullopt);     // vip x2
  f.segment_member(2, c, day(0), std::nullopt);     // fans x1.2: the highest segment multiplier applies
  f.segment_member(3, other, day(0), std::nullopt); // no multiplier for 'other'
  f.segment_member(1, other, day(0), day(1));       // left vip at day 1

  // First purchase: tier basic (x1): 3 USD -> 3 * 1.5 * 2 = 9.
  CHECK(f.points.earn_for_purchase(pid, f.purchase(c, day(1), 300)).points == 9);
  CHECK(f.points.tier(pid, c) == std::optional<std::string>("gold"));  // 1 order reaches gold at once
  // Second: gold x1.25: 3 * 1.5 * 2 * 1.25 = 11.25 -> 11 (step-wise rounding would give 10).
  CHECK(f.points.earn_for_purchase(pid, f.purchase(c, day(2), 300)).points == 11);
  // In-store: no channel multiplier: 3 * 2 * 1.25 = 7.5 -> 7.
  CHECK(f.points.earn_for_purchase(pid, f.purchase(c, day(3), 300, "store")).points == 7);
  // The other customer left vip before day 2: 10 USD web -> 10 * 1.5 = 15, basic tier.
  CHECK(f.points.earn_for_purchase(pid, f.purchase(other, day(2), 1000)).points == 15);
  // ...but was in vip at 12:00 on day 0 (tier basic then): 10 * 1.5 * 2 = 30.
  CHECK(f.points.earn_for_purchase(pid, f.purchase(other, day(0) + 12 * 3600000, 1000)).points == 30);
  f.points.check_invariants(pid);
}

TEST_CASE("segment multipliers are ignored while the segments tables are absent", "[points]") {
  Fixture f;
  ProgrammeSpec s = Fixture::spec("seg");
  s.segment_multipliers = {{"vip", 3000}};
  auto pid = f.points.create_programme(s);
  auto c = f.member(pid);
  CHECK(f.points.earn_for_purchase(pid, f.purchase(c, day(1), 1000)).points == 10);
}

TEST_CASE("pending points become spendable exactly pending_days after the purchase", "[points]") {
  Fixture f;
  auto pid = f.simple_programme(RefundPolicy::clamp_debt, std::nullopt, 7);
  auto c = f.member(pid);
  f.points.earn_for_purchase(pid, f.purchase(c, day(1) + 5000, 1000));  // 10 points
  auto before = f.points.balance(pid, c, day(8) + 4999);
  CHECK(before.available == 0);
  CHECK(before.pending == 10);
  auto fp = f.footprint();
  CHECK_THROWS_MATCHES(f.points.redeem(pid, c, 5, "r1", day(8)), Error,
                       Catch::Predicate<Error>([](const Error& e) { return e.code() == Errc::conflict; }));
  CHECK(f.footprint() == fp);
  auto at = f.points.balance(pid, c, day(8) + 5000);
  CHECK(at.available == 10);
  CHECK(at.pending == 0);
  CHECK(f.points.redeem(pid, c, 5, "r1", day(8) + 5000).points == -5);
  f.points.check_invariants(pid);
}

TEST_CASE("FIFO takes the oldest lot, FEFO the earliest expiry", "[points]") {
  for (auto order : {Consumption::fifo, Consumption::fefo}) {
    Fixture f;
    // Expiry 100 days after becoming effective; purchases pend 10 days, adjustments do not.
    auto pid = f.simple_programme(RefundPolicy::clamp_debt, 100, 10, order);
    auto c = f.member(pid);
    // Lot A: earned day 0, effective day 10, expires day 110. Lot B: day 5, expires day 105.
    auto a = f.points.earn_for_purchase(pid, f.purchase(c, day(0), 1000)).entry_id;
    auto b = f.points.adjust(pid, c, 10, "goodwill", "adj-1", day(5)).entry_id;
    f.points.redeem(pid, c, 4, "r1", day(12));
    if (order == Consumption::fifo) {
      CHECK(f.lot_remaining(a) == 6);
      CHECK(f.lot_remaining(b) == 10);
    } else {
      CHECK(f.lot_remaining(a) == 10);
      CHECK(f.lot_remaining(b) == 6);
    }
    // A redemption larger than one lot continues with the next.
    f.points.redeem(pid, c, 10, "r2", day(12));
    CHECK(f.lot_remaining(a) + f.lot_remaining(b) == 6);
    CHECK((order == Consumption::fifo ? f.lot_remaining(a) : f.lot_remaining(b)) == 0);
    f.points.check_invariants(pid);
  }
}

TEST_CASE("FEFO takes non-expiring lots last, FIFO by age", "[points]") {
  // Without a programme expiry every lot is non-expiring: FEFO falls back to oldest first.
  Fixture f;
  auto pid = f.simple_programme(RefundPolicy::clamp_debt, std::nullopt, 0, Consumption::fefo);
  auto c = f.member(pid);
  auto a = f.points.adjust(pid, c, 5, "first", "a1", day(1)).entry_id;
  auto b = f.points.adjust(pid, c, 5, "second", "a2", day(2)).entry_id;
  f.points.redeem(pid, c, 3, "r", day(3));
  CHECK(f.lot_remaining(a) == 2);
  CHECK(f.lot_remaining(b) == 5);
}

TEST_CASE("expiry boundary: a lot is spendable strictly before expires_at", "[points]") {
  Fixture f;
  auto pid = f.simple_programme(RefundPolicy::clamp_debt, 30);
  auto c = f.member(pid);
  f.points.earn_for_purchase(pid, f.purchase(c, day(1), 2000));  // 20 points, expire day 31 00:00
  CHECK(f.points.balance(pid, c, day(31) - 1).available == 20);
  CHECK(f.points.balance(pid, c, day(31) - 1, 1).expiring_soon == 20);
  CHECK(f.points.balance(pid, c, day(30) - 1, 1).expiring_soon == 0);
  CHECK(f.points.balance(pid, c, day(31)).available == 0);  // gone even before the expiry run
  auto early = f.points.expire(pid, day(31) - 1);
  CHECK(early.points == 0);
  CHECK(early.entry_id == 0);
  CHECK(f.count("points_ledger") == 1);
  auto run = f.points.expire(pid, day(31));
  CHECK(run.points == -20);
  auto page = f.points.ledger(pid, c);
  REQUIRE(page.entries.size() == 2);
  CHECK(page.entries[1].kind == PointsKind::expire);
  CHECK(page.entries[1].effective_at == day(31));
  CHECK(page.entries[1].created_at == day(31));
  // The same run again returns the first result and writes nothing.
  auto again = f.points.expire(pid, day(31));
  CHECK(again.replayed);
  CHECK(again.points == -20);
  CHECK(f.count("points_ledger") == 2);
  // A later run has nothing left to expire.
  CHECK(f.points.expire(pid, day(40)).points == 0);
  CHECK(f.count("points_ledger") == 2);
  f.points.check_invariants(pid);
}

TEST_CASE("programme validation names the field and writes nothing", "[points]") {
  Fixture f;
  auto bad = [&](auto mutate, const std::string& needle) {
    ProgrammeSpec s = Fixture::spec("p");
    mutate(s);
    auto fp = f.footprint();
    try {
      f.points.create_programme(s);
      FAIL("accepted: " << needle);
    } catch (const Error& e) {
      CHECK(e.code() == Errc::invalid_argument);
      CHECK_THAT(e.what(), Catch::Contains(needle));
    }
    CHECK(f.footprint() == fp);
  };
  bad([](ProgrammeSpec& s) { s.currency = "usd"; }, "currency");
  bad([](ProgrammeSpec& s) { s.name = ""; }, "name");
  bad([](ProgrammeSpec& s) { s.unit_minor = 0; }, "unit_minor");
  bad([](ProgrammeSpec& s) { s.points_per_unit = -1; }, "points_per_unit");
  bad([](ProgrammeSpec& s) { s.expiry_days = 0; }, "expiry_days");
  bad([](ProgrammeSpec& s) { s.pending_days = -1; }, "pending_days");
  bad([](ProgrammeSpec& s) { s.channel_multipliers = {{"fax", 1000}}; }, "fax");
  bad([](ProgrammeSpec& s) { s.channel_multipliers = {{"web", -5}}; }, "permille");
  bad([](ProgrammeSpec& s) { s.tiers = {{"a", 0, 1000}, {"a", 5, 1000}}; }, "given twice");
  bad([](ProgrammeSpec& s) { s.tiers = {{"a", 10, 1000}, {"b", 10, 1000}}; }, "greater than");
  bad([](ProgrammeSpec& s) { s.grace_days = -1; }, "grace_days");

  ProgrammeSpec ok;
  ok.name = "club";
  ok.currency = "EUR";
  ok.tiers = {{"silver", 0, 1000}, {"gold", 500, 1500}};
  auto id = f.points.create_programme(ok);
  auto fp = f.footprint();
  CHECK_THROWS_MATCHES(f.points.create_programme(ok), Error,
                       Catch::Predicate<Error>([](const Error& e) { return e.code() == Errc::conflict; }));
  CHECK(f.footprint() == fp);
  auto back = f.points.programme_by_name("club");
  CHECK(back.id == id);
  CHECK(back.currency == "EUR");
  REQUIRE(back.tiers.size() == 2);
  CHECK(back.tiers[1].name == "gold");
  CHECK(back.tiers[1].permille == 1500);
  CHECK(back.refund_policy == RefundPolicy::clamp_debt);  // the documented default
  CHECK_THROWS_MATCHES(f.points.programme(999), Error,
                       Catch::Predicate<Error>([](const Error& e) { return e.code() == Errc::not_found; }));
  CHECK(f.points.programmes().size() == 1);
}

TEST_CASE("earning refuses foreign currencies, non-members, pre-enrolment purchases", "[points]") {
  Fixture f;
  auto pid = f.simple_programme();
  auto c = f.customer("c1");
  auto stranger = f.customer("c2");
  f.points.enroll(pid, c, day(5));
  auto code = [&](auto fn) {
    auto fp = f.footprint();
    try {
      fn();
    } catch (const Error& e) {
      CHECK(f.footprint() == fp);
      return e.code();
    }
    FAIL("no error");
    return Errc::internal;
  };
  CHECK(code([&] { f.points.earn_for_purchase(pid, f.purchase(c, day(6), 100, "web", "EUR")); }) ==
        Errc::invalid_argument);
  CHECK(code([&] { f.points.earn_for_purchase(pid, f.purchase(c, day(4), 100)); }) == Errc::invalid_argument);
  CHECK(code([&] { f.points.earn_for_purchase(pid, f.purchase(stranger, day(6), 100)); }) == Errc::not_found);
  CHECK(code([&] { f.points.earn_for_purchase(pid, 12345); }) == Errc::not_found);
  CHECK(code([&] { f.points.earn_for_purchase(pid, f.refund(c, day(6), 100)); }) == Errc::invalid_argument);
  CHECK(code([&] { f.points.enroll(pid, 999, day(1)); }) == Errc::not_found);
  CHECK(code([&] { f.points.enroll(pid, c, day(1)); }) == Errc::conflict);
  f.points.enroll(pid, c, day(5));  // the same enrolment again is a no-op
  CHECK(f.count("points_members") == 1);
}
