// Merging customers: every reference moves, copies are removed, figures are recomputed, consent
// takes the most restrictive state, the dry run writes nothing, and undo gives back the store
// byte for byte; every refusal leaves the store as it was.
#include <catch2/catch.hpp>

#include <algorithm>
#include <string>

#include <nlohmann/json.hpp>

#include "crmkit/consent.hpp"
#include "crmkit/contact_point.hpp"
#include "crmkit/customer.hpp"
#include "crmkit/duplicates.hpp"
#include "crmkit/interaction.hpp"
#include "crmkit/merge.hpp"
#include "crmkit/points.hpp"
#include "crmkit/survey.hpp"
#include "expect_error.hpp"
#include "populated_store.hpp"
#include "store/connection.hpp"
#include "store_checksum.hpp"
#include "test_store.hpp"

using namespace crmkit;
using populated::kDay;
using populated::kSweepStart;

namespace {

constexpr Instant kMergeAt = kSweepStart + 300 * kDay;

std::int64_t count(Store& s, const std::string& sql) {
  auto st = detail::connection_of(s).statement(sql);
  st->executeStep();
  return st->getColumn(0).getInt64();
}

void consent(Store& s, std::int64_t customer, ConsentAction action, Instant at) {
  NewConsentEvent e;
  e.customer_id = customer;
  e.channel = ConsentChannel::email;
  e.purpose = "marketing";
  e.action = action;
  e.source = "test";
  e.at = at;
  Consent(s).record(e);
}

// The populated store, with what a merge must also carry: emails and phones (one shared by two
// records), consent on both sides, a survey answer and confirmed non-duplicate pairs.
void identity_facts(Store& s) {
  ContactPoints points(s);
  points.add(1, {ContactType::email, "ana@example.com", std::nullopt, true, std::nullopt}, kSweepStart);
  points.add(2, {ContactType::email, "ana.b@example.org", std::nullopt, true, std::nullopt}, kSweepStart);
  points.add(2, {ContactType::email, "ANA@example.com", std::string("old"), false, std::nullopt}, kSweepStart);
  points.add(3, {ContactType::phone, "+44 20 7946 0958", std::nullopt, true, std::nullopt}, kSweepStart);
  consent(s, 2, ConsentAction::withdraw, kSweepStart + kDay);
  consent(s, 1, ConsentAction::grant, kSweepStart + 2 * kDay);
  SurveyResponse r;
  r.customer_id = 2;
  r.kind = SurveyKind::nps;
  r.score = 9;
  r.occurred_at = kSweepStart + 5 * kDay;
  r.comment = "quick delivery";
  Surveys(s).record(r);
  Duplicates(s).ignore(2, 5, kSweepStart);
  Duplicates(s).ignore(1, 5, kSweepStart);
  Duplicates(s).ignore(3, 7, kSweepStart);
}

const std::vector<std::string> kLogs = {"audit_entries", "merge_records"};

}  // namespace

TEST_CASE("a merge moves every reference to the survivor and undo gives the store back byte for byte",
          "[identity][merge]") {
  Store s = test_store();
  populated::populate(s);
  identity_facts(s);
  const std::string before = store_checksum(s, kLogs);
  const auto programme = count(s, "SELECT min(id) FROM points_programmes");
  std::int64_t balance = 0;
  for (std::int64_t c : {1, 2, 3}) balance += Points(s).balance(programme, c, kMergeAt).balance;
  const auto interactions = count(s, "SELECT count(*) FROM interactions WHERE customer_id IN (1, 2, 3)");
  const auto purchases = count(s, "SELECT sum(purchase_count) FROM customer_figures WHERE customer_id IN (1, 2, 3)");

  Merges merges(s);
  const MergeRequest request{1, {2, 3}, {}};
  const MergePlan plan = merges.plan(request, kMergeAt);
  CHECK(store_checksum(s) == store_checksum(s));
  CHECK(store_checksum(s, kLogs) == before);  // the dry run wrote nothing
  CHECK(plan.rows > interactions);

  const MergeRecord record = merges.merge(request, kMergeAt);
  CHECK(to_json(record.plan) == to_json(plan));  // the plan is what happened
  CHECK(record.survivor == 1);
  CHECK(record.held_by == 1);
  CHECK(record.absorbed == std::vector<std::int64_t>{2, 3});
  CHECK(count(s, "SELECT count(*) FROM customers WHERE id IN (2, 3)") == 0);
  CHECK(count(s, "SELECT count(*) FROM interactions WHERE customer_id = 1") == interactions);
  // Figures recomputed from the merged facts.
  CHECK(count(s, "SELECT purchase_count FROM customer_figures WHERE customer_id = 1") == purchases);
  CHECK(count(s, "SELECT count(*) FROM customer_figures WHERE customer_id IN (2, 3)") == 0);
  // Points: one membership, every lot.
  CHECK(count(s, "SELECT count(*) FROM points_members WHERE customer_id = 1") == 1);
  CHECK(Points(s).balance(programme, 1, kMergeAt).balance == balance);
  // Contact points unioned by match key: ANA@example.com was a copy of the survivor's.
  const auto points = ContactPoints(s).list(1);
  CHECK(points.size() == 3);
  CHECK(Customers(s).get(1).email == std::optional<std::string>("ana@example.com"));
  CHECK(Customers(s).get(1).phone == std::optional<std::string>("+442079460958"));
  // Consent: customer 2 had withdrawn marketing, so the survivor has.
  CHECK(Consent(s).state(1, ConsentChannel::email, "marketing", kMergeAt).state == ConsentState::withdrawn);
  REQUIRE(record.plan.consent.size() == 1);
  CHECK(record.plan.consent[0].withdrawn_on == 2);
  // Tags and the static segment: one current membership each.
  CHECK(count(s, "SELECT count(*) FROM customer_tags WHERE customer_id = 1 AND tag = 'vip'") == 1);
  CHECK(count(s, "SELECT count(*) FROM segment_membership WHERE customer_id = 1 AND left_at IS NULL AND segment_id = "
                 "(SELECT id FROM segments WHERE name = 'vip')") == 1);
  // Scores of the merged records wait for the next run.
  CHECK(count(s, "SELECT count(*) FROM customer_rfm WHERE customer_id IN (1, 2, 3)") == 0);
  CHECK(count(s, "SELECT count(*) FROM survey_responses WHERE customer_id = 1") == 1);
  // Confirmed pairs: (2, 5) became (1, 5), which 1 had already; (3, 7) became (1, 7).
  CHECK(count(s, "SELECT count(*) FROM duplicate_exceptions WHERE customer_a = 1") == 2);
  // created_at the earliest, the merge audited on both sides.
  CHECK(count(s, "SELECT count(*) FROM audit_entries WHERE entity = 'customer' AND entity_id = 1 AND "
                 "field = 'merged'") == 1);
  CHECK(count(s, "SELECT count(*) FROM audit_entries WHERE entity = 'customer' AND entity_id IN (2, 3) AND "
                 "field = 'merged_into'") == 2);
  CHECK(merges.of_customer(1).size() == 1);

  const MergeRecord undone = merges.undo(record.id, kMergeAt + kDay);
  CHECK(undone.undone_at == std::optional<Instant>(kMergeAt + kDay));
  CHECK(store_checksum(s, kLogs) == before);
  expect_error([&] { merges.undo(record.id, kMergeAt + 2 * kDay); }, Errc::conflict, "undone already");
}

TEST_CASE("a merge refuses bad requests by name and writes nothing", "[identity][merge]") {
  Store s = test_store();
  populated::populate(s);
  const std::string before = store_checksum(s);
  Merges merges(s);
  expect_error([&] { merges.merge({1, {1}, {}}, kMergeAt); }, Errc::invalid_argument, "merged into itself");
  expect_error([&] { merges.merge({1, {}, {}}, kMergeAt); }, Errc::invalid_argument, "at least one absorbed");
  expect_error([&] { merges.merge({1, {2, 2}, {}}, kMergeAt); }, Errc::invalid_argument, "named twice");
  expect_error([&] { merges.merge({1, {2, 999}, {}}, kMergeAt); }, Errc::not_found, "customer 999");
  expect_error([&] { merges.merge({0, {2}, {}}, kMergeAt); }, Errc::invalid_argument, "survivor 0");
  expect_error([&] { merges.merge({1, {2, 3, 4, 5, 6, 7, 8, 9, 10, 11}, {}}, kMergeAt); }, Errc::invalid_argument,
               "at most 10 records");
  expect_error([&] { merges.merge({1, {2}, {{"favourite_colour", 2}}}, kMergeAt); }, Errc::invalid_argument,
               "favourite_colour");
  expect_error([&] { merges.merge({1, {2}, {{"id", 2}}}, kMergeAt); }, Errc::invalid_argument, "'id'");
  expect_error([&] { merges.merge({1, {2}, {{"city", 3}}}, kMergeAt); }, Errc::invalid_argument,
               "customer 3, which is not in the merge");
  expect_error([&] { merges.plan({1, {1}, {}}, kMergeAt); }, Errc::invalid_argument, "merged into itself");
  expect_error([&] { merges.undo(42, kMergeAt); }, Errc::not_found, "merge 42");
  CHECK(store_checksum(s) == before);
}

TEST_CASE("a merge takes chosen fields from the record named, and fills the survivor's gaps", "[identity][merge]") {
  Store s = test_store();
  populated::populate(s);
  identity_facts(s);
  CustomerFields f;
  f.display_name = "Ana B.";
  f.given_name = "Ana";
  Customers(s).update(2, f, kSweepStart + kDay);
  Merges merges(s);
  const auto record = merges.merge({1, {2}, {{"email", 2}, {"city", 2}}}, kMergeAt);
  const Customer c = Customers(s).get(1);
  CHECK(c.display_name == std::optional<std::string>("Ana B."));  // empty on the survivor: filled
  CHECK(c.city == std::optional<std::string>("Lyon"));             // chosen from customer 2
  CHECK(c.email == std::optional<std::string>("ana.b@example.org"));
  const auto points = ContactPoints(s).list(1);
  CHECK(std::count_if(points.begin(), points.end(), [](const ContactPoint& p) { return p.primary; }) == 1);
  bool city = false;
  for (const auto& change : record.plan.fields)
    if (change.field == "city") {
      city = true;
      CHECK(change.source == 2);
      CHECK(change.new_value == std::optional<std::string>("\"Lyon\""));
    }
  CHECK(city);
}

TEST_CASE("undo is refused when the survivor changed since, naming the fields, unless forced", "[identity][merge]") {
  Store s = test_store();
  populated::populate(s);
  identity_facts(s);
  const std::string before = store_checksum(s, kLogs);
  Merges merges(s);
  const auto first = merges.merge({1, {2}, {}}, kMergeAt);
  CustomerFields f;
  f.city = "Porto";
  Customers(s).update(1, f, kMergeAt + kDay / 2);
  const std::string changed = store_checksum(s);
  expect_error([&] { merges.undo(first.id, kMergeAt + kDay); }, Errc::conflict, "city");
  CHECK(store_checksum(s) == changed);
  // A second merge into another record holds the first: undo that first.
  const auto second = merges.merge({4, {1}, {}}, kMergeAt + kDay);
  expect_error([&] { merges.undo(first.id, kMergeAt + kDay); }, Errc::conflict, "merged into 4");
  merges.undo(second.id, kMergeAt + 2 * kDay);
  merges.undo(first.id, kMergeAt + 3 * kDay, true);
  CHECK(store_checksum(s, kLogs) == before);
}
