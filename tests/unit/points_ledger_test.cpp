// Points ledger: refunds and their policies, redemptions and their reversal, adjustments,
// idempotency and conflicts, automatic earning, invariants, listings and liability.
#include <catch2/catch.hpp>

#include "crmkit/interaction.hpp"
#include "points/engine.hpp"
#include "unit/points_fixture.hpp"

using namespace points_test;

namespace {
Errc code_of(const std::function<void()>& fn) {
  try {
    fn();
  } catch (const Error& e) {
    return e.code();
  }
  return Errc::internal;  // "no error": never what a test expects
}

// What most ledger tests start from: the simple club and its member c1, enrolled on day 0.
struct ClubMember {
  Fixture f;
  std::int64_t pid = f.simple_programme();
  std::int64_t c = f.member(pid);
};
}  // namespace

TEST_CASE_METHOD(ClubMember, "partial refunds reverse floor(earned * cumulative refunded / amount)", "[points]") {
  auto p = f.purchase(c, day(1), 10000);  // 100.00 USD -> 100 points
  CHECK(f.points.earn_for_purchase(pid, p).points == 100);
  // 33.33 -> floor(100 * 3333 / 10000) = 33; 66.66 -> 66 (33 more); 100.00 -> 100 (34 more).
  CHECK(f.points.reverse_purchase(pid, p, 3333, "rf1", day(2)).points == -33);
  CHECK(f.points.reverse_purchase(pid, p, 3333, "rf2", day(2)).points == -33);
  CHECK(f.points.reverse_purchase(pid, p, 3334, "rf3", day(2)).points == -34);
  // Refunding beyond the purchase amount reverses nothing more.
  CHECK(f.points.reverse_purchase(pid, p, 500, "rf4", day(2)).points == 0);
  CHECK(f.points.balance(pid, c, day(3)).available == 0);
  f.points.check_invariants(pid);
  // Bad input: nothing written.
  auto fp = f.footprint();
  CHECK(code_of([&] { f.points.reverse_purchase(pid, p, 0, "rf5", day(2)); }) == Errc::invalid_argument);
  CHECK(code_of([&] { f.points.reverse_purchase(pid, p, 10, "", day(2)); }) == Errc::invalid_argument);
  CHECK(code_of([&] { f.points.reverse_purchase(pid, 999, 10, "rf5", day(2)); }) == Errc::not_found);
  auto never = f.purchase(c, day(1), 500);
  CHECK(code_of([&] { f.points.reverse_purchase(pid, never, 10, "rf5", day(2)); }) == Errc::not_found);
  CHECK(f.footprint() == fp);
}

TEST_CASE("refund of spent points: allow_negative, clamp_debt and reject", "[points]") {
  for (auto policy : {RefundPolicy::allow_negative, RefundPolicy::clamp_debt, RefundPolicy::reject}) {
    Fixture f;
    auto pid = f.simple_programme(policy);
    auto c = f.member(pid);
    auto p = f.purchase(c, day(1), 10000);
    f.points.earn_for_purchase(pid, p);                    // 100
    f.points.redeem(pid, c, 80, "r1", day(2));             // 20 left
    if (policy == RefundPolicy::reject) {
      auto fp = f.footprint();
      CHECK(code_of([&] { f.points.reverse_purchase(pid, p, 10000, "rf", day(3)); }) == Errc::conflict);
      CHECK(f.footprint() == fp);
      // A refund the remaining points cover is accepted: 20.00 USD -> 20 points.
      CHECK(f.points.reverse_purchase(pid, p, 2000, "rf-small", day(3)).points == -20);
      CHECK(f.points.balance(pid, c, day(3)).balance == 0);
      f.points.check_invariants(pid);
      continue;
    }
    CHECK(f.points.reverse_purchase(pid, p, 10000, "rf", day(3)).points == -100);
    auto b = f.points.balance(pid, c, day(3));
    CHECK(b.available == 0);
    CHECK(b.debt == 80);
    CHECK(b.spendable == 0);
    CHECK(b.balance == (policy == RefundPolicy::allow_negative ? -80 : 0));
    // The next credit pays the debt first: 50 points leave a debt of 30.
    f.points.earn_for_purchase(pid, f.purchase(c, day(4), 5000));
    b = f.points.balance(pid, c, day(4));
    CHECK(b.debt == 30);
    CHECK(b.available == 0);
    CHECK(b.balance == (policy == RefundPolicy::allow_negative ? -30 : 0));
    f.points.adjust(pid, c, 40, "goodwill", "adj", day(5));
    b = f.points.balance(pid, c, day(5));
    CHECK(b.debt == 0);
    CHECK(b.available == 10);
    CHECK(b.balance == 10);
    f.points.check_invariants(pid);
  }
}

TEST_CASE_METHOD(ClubMember, "a reversal takes the purchase's own lot first, then the others", "[points]") {
  auto old_lot = f.points.adjust(pid, c, 50, "welcome", "w", day(0)).entry_id;
  auto p = f.purchase(c, day(1), 3000);
  auto lot = f.points.earn_for_purchase(pid, p).entry_id;  // 30
  f.points.redeem(pid, c, 60, "r", day(2));               // FIFO: 50 from welcome, 10 from lot
  CHECK(f.lot_remaining(old_lot) == 0);
  CHECK(f.lot_remaining(lot) == 20);
  f.points.adjust(pid, c, 15, "later", "l", day(3));
  f.points.reverse_purchase(pid, p, 3000, "rf", day(4));  // 30: 20 from its lot, 10 from 'later'
  CHECK(f.lot_remaining(lot) == 0);
  CHECK(f.points.balance(pid, c, day(4)).available == 5);
  f.points.check_invariants(pid);
}

TEST_CASE_METHOD(ClubMember, "redemptions: only spendable points, exact lots given back", "[points]") {
  auto a = f.points.adjust(pid, c, 30, "a", "a", day(0)).entry_id;
  auto b = f.points.adjust(pid, c, 30, "b", "b", day(1)).entry_id;
  auto fp = f.footprint();
  CHECK(code_of([&] { f.points.redeem(pid, c, 61, "r1", day(2)); }) == Errc::conflict);
  CHECK(code_of([&] { f.points.redeem(pid, c, 0, "r1", day(2)); }) == Errc::invalid_argument);
  CHECK(code_of([&] { f.points.redeem(pid, c, -5, "r1", day(2)); }) == Errc::invalid_argument);
  CHECK(code_of([&] { f.points.redeem(pid, c, 5, "", day(2)); }) == Errc::invalid_argument);
  CHECK(code_of([&] { f.points.redeem(999, c, 5, "r1", day(2)); }) == Errc::not_found);
  CHECK(code_of([&] { f.points.redeem(pid, 999, 5, "r1", day(2)); }) == Errc::not_found);
  CHECK(code_of([&] { f.points.redeem(pid, c, 5, "r1", day(2), 999); }) == Errc::invalid_argument);
  CHECK(code_of([&] { f.points.adjust(pid, c, 5, " ", "x", day(2)); }) == Errc::invalid_argument);
  CHECK(code_of([&] { f.points.adjust(pid, c, 0, "zero", "x", day(2)); }) == Errc::invalid_argument);
  CHECK(f.footprint() == fp);

  f.points.redeem(pid, c, 45, "r1", day(2));  // 30 from a, 15 from b
  CHECK(f.lot_remaining(a) == 0);
  CHECK(f.lot_remaining(b) == 15);
  // Give back 20: the most recently consumed lot (b) first, then a.
  CHECK(f.points.reverse_redemption(pid, "r1", 20, "back1", day(3)).points == 20);
  CHECK(f.lot_remaining(b) == 30);
  CHECK(f.lot_remaining(a) == 5);
  CHECK(code_of([&] { f.points.reverse_redemption(pid, "r1", 26, "back2", day(3)); }) == Errc::invalid_argument);
  CHECK(code_of([&] { f.points.reverse_redemption(pid, "nope", 1, "back2", day(3)); }) == Errc::not_found);
  CHECK(f.points.reverse_redemption(pid, "r1", 0, "back2", day(3)).points == 25);  // the rest
  CHECK(f.lot_remaining(a) == 30);
  CHECK(f.points.reverse_redemption(pid, "r1", 0, "back3", day(3)).points == 0);   // nothing left
  CHECK(f.points.balance(pid, c, day(3)).available == 60);
  f.points.check_invariants(pid);
}

TEST_CASE_METHOD(ClubMember, "refunding an order paid with points gives the points back in the same share", "[points]") {
  f.points.earn_for_purchase(pid, f.purchase(c, day(1), 10000));  // 100
  auto order = f.purchase(c, day(2), 5000);
  f.points.earn_for_purchase(pid, order);                          // 50 -> 150
  f.points.redeem(pid, c, 40, "pay", day(2), order);               // 110
  // Half the order refunded: floor(40 * 2500 / 5000) = 20 back, floor(50 * 1/2) = 25 reversed.
  CHECK(f.points.reverse_purchase(pid, order, 2500, "half", day(3)).points == 20 - 25);
  CHECK(f.points.balance(pid, c, day(3)).available == 105);
  // The rest: 20 more back, 25 more reversed.
  CHECK(f.points.reverse_purchase(pid, order, 2500, "rest", day(3)).points == -5);
  CHECK(f.points.balance(pid, c, day(3)).available == 100);
  f.points.check_invariants(pid);
}

TEST_CASE_METHOD(ClubMember, "idempotency: repeats return the first result, different content conflicts", "[points]") {
  auto p = f.purchase(c, day(1), 10000);
  auto e1 = f.points.earn_for_purchase(pid, p);
  auto e2 = f.points.earn_for_purchase(pid, p);
  CHECK_FALSE(e1.replayed);
  CHECK(e2.replayed);
  CHECK(e2.entry_id == e1.entry_id);
  CHECK(e2.points == 100);
  auto r1 = f.points.redeem(pid, c, 10, "r", day(2));
  auto fp = f.footprint();
  // A retry later, after other activity, still returns the first result.
  auto r2 = f.points.redeem(pid, c, 10, "r", day(9));
  CHECK(r2.replayed);
  CHECK(r2.entry_id == r1.entry_id);
  CHECK(r2.request_id == r1.request_id);
  CHECK(f.footprint() == fp);
  CHECK(code_of([&] { f.points.redeem(pid, c, 11, "r", day(2)); }) == Errc::conflict);
  CHECK(code_of([&] { f.points.adjust(pid, c, 10, "x", "r", day(2)); }) == Errc::conflict);
  CHECK(code_of([&] { f.points.expire(pid, day(2), "r"); }) == Errc::conflict);
  auto a1 = f.points.adjust(pid, c, -5, "fix", "adj", day(2));
  CHECK(f.points.adjust(pid, c, -5, "fix", "adj", day(3)).entry_id == a1.entry_id);
  CHECK(code_of([&] { f.points.adjust(pid, c, -5, "other reason", "adj", day(2)); }) == Errc::conflict);
  auto v1 = f.points.reverse_purchase(pid, p, 1000, "rf", day(3));
  CHECK(f.points.reverse_purchase(pid, p, 1000, "rf", day(4)).points == v1.points);
  CHECK(code_of([&] { f.points.reverse_purchase(pid, p, 2000, "rf", day(3)); }) == Errc::conflict);
  auto x1 = f.points.expire(pid, day(5), "nightly-5");
  CHECK(code_of([&] { f.points.expire(pid, day(6), "nightly-5"); }) == Errc::conflict);
  CHECK(f.points.expire(pid, day(5), "nightly-5").request_id == x1.request_id);
  f.points.check_invariants(pid);
}

TEST_CASE("automatic earning from recorded interactions, refund_of reversal", "[points]") {
  Fixture f;
  auto& c = crmkit::detail::connection_of(f.store);
  auto pid = f.simple_programme();
  auto alice = f.customer("alice");
  auto bob = f.customer("bob");
  // Nobody enrolled: nothing happens.
  auto p0 = f.purchase(alice, day(1), 1000);
  crmkit::points::earn_for_interactions(c, {p0});
  CHECK(f.count("points_requests") == 0);
  f.points.enroll(pid, alice, day(2));
  auto before = f.purchase(alice, day(1), 1000, "web", "USD", std::string("before"));
  auto p1 = f.purchase(alice, day(3), 2500, "web", "USD", std::string("order-1"));
  auto p2 = f.purchase(alice, day(3), 4000, "web", "USD", std::string("order-2"));
  auto eur = f.purchase(alice, day(3), 4000, "web", "EUR");
  auto other = f.purchase(bob, day(3), 4000);
  crmkit::points::earn_for_interactions(c, {before, p1, p2, eur, other});
  CHECK(f.points.balance(pid, alice, day(4)).available == 25 + 40);
  CHECK(f.count("points_requests") == 2);
  // Recording the same ids again (a retried batch) changes nothing.
  crmkit::points::earn_for_interactions(c, {p1, p2});
  CHECK(f.count("points_requests") == 2);
  // Refunds: by external id, by interaction id, without refund_of, of someone else's purchase.
  auto r1 = f.refund(alice, day(5), 1250, std::string(R"({"refund_of":"order-1"})"));
  auto r2 = f.refund(alice, day(5), 4000, "{\"refund_of\":" + std::to_string(p2) + "}");
  auto r3 = f.refund(alice, day(5), 1000);
  auto r4 = f.refund(alice, day(5), 1000, std::string(R"({"refund_of":"nope"})"));
  crmkit::points::earn_for_interactions(c, {r1, r2, r3, r4});
  // 25 points: half refunded -> 12 reversed (floor 12.5); 40 fully reversed.
  CHECK(f.points.balance(pid, alice, day(6)).available == 65 - 12 - 40);
  crmkit::points::earn_for_interactions(c, {r1, r2});
  CHECK(f.points.balance(pid, alice, day(6)).available == 13);
  f.points.check_invariants(pid);
}

TEST_CASE("automatic reversal under reject skips what it cannot cover", "[points]") {
  Fixture f;
  auto& c = crmkit::detail::connection_of(f.store);
  auto pid = f.simple_programme(RefundPolicy::reject);
  auto alice = f.customer("alice");
  f.points.enroll(pid, alice, day(0));
  auto p = f.purchase(alice, day(1), 5000, "web", "USD", std::string("o"));
  crmkit::points::earn_for_interactions(c, {p});
  f.points.redeem(pid, alice, 50, "spent", day(2));
  auto r = f.refund(alice, day(3), 5000, std::string(R"({"refund_of":"o"})"));
  auto fp = f.footprint();
  crmkit::points::earn_for_interactions(c, {r});  // no throw: the refund itself must be recorded
  CHECK(f.footprint() == fp);
}

TEST_CASE_METHOD(ClubMember, "the ledger is append-only and the invariant check catches tampering", "[points]") {
  auto lot = f.points.adjust(pid, c, 10, "x", "x", day(0)).entry_id;
  CHECK_THROWS(f.db().exec("UPDATE points_ledger SET points = 11"));
  CHECK_THROWS(f.db().exec("DELETE FROM points_ledger"));
  f.points.check_invariants(pid);
  f.db().exec("UPDATE points_lots SET remaining = 9 WHERE entry_id = " + std::to_string(lot));
  CHECK(code_of([&] { f.points.check_invariants(pid); }) == Errc::corrupt);
  CHECK_THROWS_WITH(f.points.check_invariants(pid), Catch::Contains("ledger sum 10 != lot remainders 9 - debts 0"));
  // Sums agree again, but the lot no longer matches the entry that created it.
  f.db().exec("UPDATE points_lots SET remaining = 10, points = 12 WHERE entry_id = " + std::to_string(lot));
  CHECK_THROWS_WITH(f.points.check_invariants(pid),
                    Catch::Contains("lot " + std::to_string(lot) + " does not match a credit entry"));
}

TEST_CASE("ledger listing is keyset paginated, liability and tier mix", "[points]") {
  Fixture f;
  ProgrammeSpec s = Fixture::spec("club");
  s.value_per_1000_points = 500;  // 1000 points are worth 5.00 USD
  s.pending_days = 10;
  s.tiers = {{"member", 0, 1000}, {"gold", 100, 1000}};
  auto pid = f.points.create_programme(s);
  auto a = f.member(pid, "a");
  auto b = f.member(pid, "b");
  for (int i = 0; i < 5; ++i) f.points.adjust(pid, a, 100 + i, "bulk", "a" + std::to_string(i), day(1));
  f.points.earn_for_purchase(pid, f.purchase(b, day(1), 12345));  // 123 points, pending until day 11
  std::vector<std::int64_t> seen;
  std::int64_t after = 0;
  int pages = 0;
  do {
    auto page = f.points.ledger(pid, 0, after, 2);
    for (const auto& e : page.entries) seen.push_back(e.id);
    after = page.next_after;
    ++pages;
  } while (after != 0);
  CHECK(pages == 3);
  CHECK(seen.size() == 6);
  CHECK(std::is_sorted(seen.begin(), seen.end()));
  CHECK(f.points.ledger(pid, b).entries.size() == 1);
  CHECK(f.points.ledger(pid, b).entries[0].external_id == "purchase:" + std::to_string(f.count("interactions")));
  CHECK(code_of([&] { f.points.ledger(pid, 0, 0, 0); }) == Errc::invalid_argument);

  auto l = f.points.liability(pid, day(2));
  CHECK(l.available == 510);
  CHECK(l.pending == 123);
  CHECK(l.outstanding == 633);
  CHECK(l.members == 2);
  REQUIRE(l.value_minor);
  CHECK(*l.value_minor == 316);  // floor(633 * 500 / 1000)
  auto mix = f.points.tier_mix(pid);
  REQUIRE(mix.size() == 3);
  CHECK(mix[0].tier == std::optional<std::string>("gold"));
  CHECK(mix[0].members == 1);  // b: 123 points earned reach gold at once
  CHECK(mix[1].members == 1);
  CHECK_FALSE(mix[2].tier);
  CHECK(mix[2].members == 0);
}

TEST_CASE("earning follows Interactions::record and record_batch for enrolled customers", "[points]") {
  Fixture f;
  auto pid = f.simple_programme();
  Interactions log(f.store);
  auto alice = f.customer("alice");
  auto bob = f.customer("bob");
  f.points.enroll(pid, alice, day(1));
  auto purchase = [&](std::int64_t who, Instant at, std::int64_t minor, const std::string& ext) {
    Interaction i;
    i.customer_id = who;
    i.external_id = ext;
    i.occurred_at = at;
    i.channel = Channel::web;
    i.kind = InteractionKind::purchase;
    i.amount = Money{minor, "USD"};
    return i;
  };
  log.record(purchase(alice, day(0), 5000, "early"));  // before enrolment: nothing
  auto first = log.record(purchase(alice, day(2), 1999, "o1"));
  CHECK(f.points.balance(pid, alice, day(3)).available == 19);
  log.record(purchase(alice, day(2), 1999, "o1"));     // the same interaction again: no second earn
  CHECK(f.points.balance(pid, alice, day(3)).available == 19);
  Interaction refund;
  refund.customer_id = alice;
  refund.external_id = "rf1";
  refund.occurred_at = day(4);
  refund.channel = Channel::web;
  refund.kind = InteractionKind::refund;
  refund.amount = Money{-1999, "USD"};
  refund.attributes = R"({"refund_of":"o1"})";
  auto batch = log.record_batch({purchase(alice, day(3), 3000, "o2"), purchase(bob, day(3), 3000, "b1"), refund});
  CHECK(batch.inserted == 3);
  CHECK(f.points.balance(pid, alice, day(5)).available == 30);
  auto page = f.points.ledger(pid, alice);
  REQUIRE(page.entries.size() == 3);
  CHECK(page.entries[0].source_id == std::optional<std::int64_t>(first));
  CHECK(page.entries[2].kind == PointsKind::reverse_earn);
  CHECK(page.entries[2].points == -19);
  CHECK_FALSE(f.points.enrolled(pid, bob));
  f.points.check_invariants(pid);
}

TEST_CASE("backfill earns for recorded purchases of members, in time order, once", "[points]") {
  Fixture f;
  auto pid = f.order_tiered_programme("bf");
  auto c = f.customer("c1");
  // Recorded in reverse order, before enrolment exists: backfill must replay them by time.
  auto p3 = f.purchase(c, day(3), 1000);
  f.purchase(c, day(2), 1000);
  f.purchase(c, day(1), 1000);
  f.purchase(c, day(1), 1000, "web", "EUR");  // another currency: skipped
  f.purchase(c, day(9), 1000);                // outside the window
  f.points.enroll(pid, c, day(0));
  CHECK(f.points.earn_backfill(pid, day(0), day(5)) == 3);
  // Day 1 and 2 earn at base (10 each), the 2nd order upgrades, day 3 earns x2.
  CHECK(f.points.balance(pid, c, day(5)).available == 40);
  CHECK(f.points.ledger(pid, c).entries.back().source_id == std::optional<std::int64_t>(p3));
  CHECK(f.points.earn_backfill(pid, day(0), day(5)) == 0);
  CHECK(code_of([&] { f.points.earn_backfill(pid, day(5), day(0)); }) == Errc::invalid_argument);
  f.points.check_invariants(pid);
}
