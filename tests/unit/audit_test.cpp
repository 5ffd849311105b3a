// The audit trail: every change to a customer's fields and contact points appends entries in
// the change's transaction, with the connection's actor, reason and request id; a refused or
// rolled-back change leaves none; listing filters by entity, actor and time, page by page.
#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "crmkit/audit.hpp"
#include "crmkit/contact_point.hpp"
#include "crmkit/customer.hpp"
#include "crmkit/interaction.hpp"
#include "crmkit/survey.hpp"
#include "expect_error.hpp"
#include "store/connection.hpp"
#include "test_store.hpp"

using namespace crmkit;

namespace {

constexpr Instant kT0 = 1'700'000'000'000;

std::vector<std::string> lines(const AuditPage& page) {
  std::vector<std::string> out;
  for (const auto& e : page.entries)
    out.push_back(std::string(to_string(e.entity)) + " " + std::to_string(e.entity_id) + " " + e.field + ": " +
                  e.old_value.value_or("-") + " -> " + e.new_value.value_or("-") + " by " + e.actor.value_or("-"));
  return out;
}

}  // namespace

TEST_CASE("customer and contact point changes are audited with who and why", "[audit]") {
  Store s = test_store();
  s.set_audit_context({"ana", "signed up in the shop", "req-1"});
  Customers cs(s);
  CustomerFields f;
  f.external_id = "c1";
  f.email = "ana@example.com";
  f.created_at = kT0;
  const auto id = cs.create(f);
  AuditTrail audit(s);
  auto all = audit.list();
  REQUIRE(all.entries.size() == 2);  // the contact point, then the customer
  CHECK(all.entries[0].entity == AuditEntity::contact_point);
  CHECK(all.entries[0].field == "created");
  CHECK(all.entries[1].entity == AuditEntity::customer);
  CHECK(all.entries[1].field == "created");
  const auto made = nlohmann::json::parse(*all.entries[1].new_value);
  CHECK(made["email"] == "ana@example.com");
  CHECK(made["external_id"] == "c1");
  CHECK_FALSE(made.contains("id"));
  CHECK(all.entries[1].actor == std::optional<std::string>("ana"));
  CHECK(all.entries[1].reason == std::optional<std::string>("signed up in the shop"));
  CHECK(all.entries[1].request_id == std::optional<std::string>("req-1"));
  CHECK(all.entries[1].at == kT0);

  s.set_audit_context({"bo", "", ""});
  CustomerFields change;
  change.city = "Oslo";
  change.email = "ana@new.example";
  cs.update(id, change, kT0 + 1);
  AuditQuery by_bo;
  by_bo.actor = "bo";
  CHECK(lines(audit.list(by_bo)) == std::vector<std::string>{
                                        "contact_point 1 match_key: \"ana@example.com\" -> \"ana@new.example\" by bo",
                                        "contact_point 1 normalized: \"ana@example.com\" -> \"ana@new.example\" by bo",
                                        "contact_point 1 value: \"ana@example.com\" -> \"ana@new.example\" by bo",
                                        "customer 1 email: \"ana@example.com\" -> \"ana@new.example\" by bo",
                                        "customer 1 city: - -> \"Oslo\" by bo"});
  CHECK(audit.list(by_bo).entries[0].reason == std::nullopt);  // an empty reason is none

  // Through the contact points: the customer's email follows, and both are audited.
  ContactPoints cp(s);
  s.set_audit_context({});
  const auto home = cp.add(id, {ContactType::email, "ana@home.example", std::string("home"), true, std::nullopt}, kT0 + 2);
  AuditQuery since;
  since.from = kT0 + 2;
  CHECK(lines(audit.list(since)) ==
        std::vector<std::string>{"customer 1 email: \"ana@new.example\" -> \"ana@home.example\" by -",
                                 "contact_point 1 primary: true -> false by -",
                                 "contact_point " + std::to_string(home) + " created: - -> " +
                                     *audit.list(since).entries.at(2).new_value + " by -"});
  const auto created = nlohmann::json::parse(*audit.list(since).entries.at(2).new_value);
  CHECK(created["label"] == "home");
  CHECK(created["primary"] == true);
}

TEST_CASE("a refused or rolled-back change leaves no audit entry, and paging and filters", "[audit]") {
  Store s = test_store();
  Customers cs(s);
  CustomerFields f;
  f.external_id = "c1";
  f.created_at = kT0;
  const auto id = cs.create(f);
  AuditTrail audit(s);
  const auto before = audit.list().entries.size();
  CustomerFields bad;
  bad.email = "not an email";
  expect_error([&] { cs.update(id, bad, kT0 + 1); }, Errc::invalid_argument, "email");
  {
    Transaction tx(s);
    CustomerFields city;
    city.city = "Rome";
    cs.update(id, city, kT0 + 2);
    CHECK(audit.list().entries.size() == before + 1);  // inside the transaction, it is there
  }  // rolled back
  CHECK(audit.list().entries.size() == before);
  // An unchanged update writes nothing, and nothing is audited.
  CustomerFields same;
  same.external_id = "c1";
  cs.update(id, same, kT0 + 3);
  CHECK(audit.list().entries.size() == before);

  for (int k = 0; k < 5; ++k) {
    CustomerFields c;
    c.city = "City " + std::to_string(k);
    cs.update(id, c, kT0 + 10 + k);
  }
  AuditQuery q;
  q.entity = AuditEntity::customer;
  q.entity_id = id;
  q.from = kT0 + 11;
  q.to = kT0 + 14;
  auto page = audit.list(q, 0, 2);
  REQUIRE(page.entries.size() == 2);
  CHECK(page.next_after != 0);
  auto rest = audit.list(q, page.next_after, 2);
  REQUIRE(rest.entries.size() == 1);
  CHECK(rest.next_after == 0);
  CHECK(rest.entries[0].at == kT0 + 13);
  const auto j = nlohmann::json::parse(to_json(rest, JsonForm::exact));
  CHECK(j["entries"][0]["new"] == "City 3");
  CHECK(j["entries"][0]["old"] == "City 2");

  expect_error([&] { audit.list({}, 0, 0); }, Errc::invalid_argument, "limit 0");
  expect_error([&] { audit.list({}, -1); }, Errc::invalid_argument, "after -1");
  AuditQuery orphan;
  orphan.entity_id = 3;
  expect_error([&] { audit.list(orphan); }, Errc::invalid_argument, "entity_id is given without entity");
  expect_error([&] { s.set_audit_context({std::string(201, 'a'), "", ""}); }, Errc::invalid_argument, "actor");
  expect_error([&] { s.set_audit_context({"", "\xff", ""}); }, Errc::invalid_argument, "reason");
}

TEST_CASE("clearing a field and giving the stage are audited, untouched fields are not", "[audit]") {
  Store s = test_store();
  Customers cs(s);
  CustomerFields f;
  f.external_id = "c1";
  f.city = "Oslo";
  f.country = "NO";
  f.created_at = kT0;
  const auto id = cs.create(f);
  CustomerFields change;
  change.clear = {"city"};
  change.lifecycle_stage = LifecycleStage::prospect;  // given by the host: lifecycle_manual follows
  cs.update(id, change, kT0 + 1);
  AuditQuery q;
  q.from = kT0 + 1;
  CHECK(lines(AuditTrail(s).list(q)) == std::vector<std::string>{"customer 1 city: \"Oslo\" -> - by -",
                                                                    "customer 1 lifecycle_stage: \"lead\" -> \"prospect\" by -",
                                                                    "customer 1 lifecycle_manual: false -> true by -"});
}

TEST_CASE("lifecycle moves are audited at the purchase or the as_of that made them", "[audit]") {
  Store s = test_store();
  CustomerFields f;
  f.external_id = "c1";
  f.created_at = kT0;
  const auto id = Customers(s).create(f);
  Interaction i;
  i.customer_id = id;
  i.occurred_at = kT0 + 5;
  i.kind = InteractionKind::purchase;
  i.amount = Money{100, "USD"};
  Interactions(s).record(i);
  Customers(s).update_lifecycle(kT0 + 400LL * 86'400'000);
  AuditQuery q;
  q.entity = AuditEntity::customer;
  auto entries = AuditTrail(s).list(q).entries;
  REQUIRE(entries.size() == 3);
  CHECK(entries[1].field == "lifecycle_stage");
  CHECK(entries[1].old_value == std::optional<std::string>("\"lead\""));
  CHECK(entries[1].new_value == std::optional<std::string>("\"customer\""));
  CHECK(entries[1].at == kT0 + 5);
  CHECK(entries[2].new_value == std::optional<std::string>("\"churned\""));
  CHECK(entries[2].at == kT0 + 400LL * 86'400'000);
}

TEST_CASE("deleting a customer audits its record and its contact points in the deletion's transaction", "[audit]") {
  Store s = test_store();
  Customers cs(s);
  CustomerFields f;
  f.external_id = "gone";
  f.email = "gone@example.com";
  f.city = "Oslo";
  f.created_at = kT0;
  const auto id = cs.create(f);
  const auto phone =
      ContactPoints(s).add(id, {ContactType::phone, "+44 20 7946 0958", std::string("work"), false, std::nullopt}, kT0 + 1);
  AuditTrail audit(s);
  const auto before = audit.list().entries.size();
  s.set_audit_context({"ana", "asked to be forgotten", "req-9"});
  cs.remove(id);
  const auto entries = audit.list().entries;
  REQUIRE(entries.size() == before + 3);  // two contact points, then the customer
  std::vector<std::string> what;
  for (std::size_t i = before; i < entries.size(); ++i)
    what.push_back(std::string(to_string(entries[i].entity)) + " " + entries[i].field);
  CHECK(what == std::vector<std::string>{"contact_point deleted", "contact_point deleted", "customer deleted"});
  const auto& gone = entries.back();
  CHECK(gone.entity_id == id);
  CHECK(!gone.new_value);
  REQUIRE(gone.old_value);
  const auto record = nlohmann::json::parse(*gone.old_value);
  CHECK(record["external_id"] == "gone");
  CHECK(record["email"] == "gone@example.com");
  CHECK(record["city"] == "Oslo");
  CHECK(gone.actor == std::optional<std::string>("ana"));
  CHECK(gone.reason == std::optional<std::string>("asked to be forgotten"));
  CHECK(gone.at == kT0 + 1);  // its last change (the phone added): no clock is read
  CHECK(entries[before + 1].entity_id == phone);
  CHECK(nlohmann::json::parse(*entries[before + 1].old_value)["label"] == "work");

  // A deletion the store refuses (a survey response references the customer) leaves no entry:
  // the entries are written before the DELETE and go with its rollback.
  f.external_id = "kept";
  f.email = "kept@example.com";
  const auto kept = cs.create(f);
  SurveyResponse r;
  r.customer_id = kept;
  r.kind = SurveyKind::nps;
  r.score = 9;
  r.occurred_at = kT0 + 2;
  r.channel = Channel::email;
  Surveys(s).record(r);
  const auto count = audit.list().entries.size();
  expect_error([&] { cs.remove(kept); }, Errc::conflict, "referenced by other facts");
  CHECK(audit.list().entries.size() == count);
  CHECK(cs.get(kept).email == std::optional<std::string>("kept@example.com"));
}

TEST_CASE("update_lifecycle overriding a stage the host set audits the flag it clears", "[audit]") {
  Store s = test_store();
  Customers cs(s);
  CustomerFields f;
  f.external_id = "c1";
  f.lifecycle_stage = LifecycleStage::customer;  // given: manual
  f.created_at = kT0;
  const auto id = cs.create(f);
  REQUIRE(cs.get(id).lifecycle_manual);
  Interaction i;
  i.customer_id = id;
  i.occurred_at = kT0 + 5;
  i.kind = InteractionKind::purchase;
  i.amount = Money{100, "USD"};
  Interactions(s).record(i);
  const Instant as_of = kT0 + 400LL * 86'400'000;
  AuditQuery q;
  q.from = as_of;
  cs.update_lifecycle(as_of);  // the host's stage stands: nothing moves, nothing audited
  CHECK(AuditTrail(s).list(q).entries.empty());
  LifecycleOptions take_over;
  take_over.override_manual = true;
  cs.update_lifecycle(as_of, take_over);
  CHECK(!cs.get(id).lifecycle_manual);
  CHECK(lines(AuditTrail(s).list(q)) == std::vector<std::string>{
                                           "customer 1 lifecycle_stage: \"customer\" -> \"churned\" by -",
                                           "customer 1 lifecycle_manual: true -> false by -"});
}

TEST_CASE("a store opened with the audit trail off audits nothing", "[audit]") {
  OpenOptions o;
  o.audit_trail = false;
  Store s = test_store(o);
  CustomerFields f;
  f.external_id = "c1";
  f.email = "a@example.com";
  f.created_at = kT0;
  Customers(s).create(f);
  CHECK(AuditTrail(s).list().entries.empty());
}

TEST_CASE("a chained trail detects an entry changed, removed or reordered behind crmkit's back", "[audit]") {
  Store s = test_store();
  AuditTrail audit(s);
  CHECK_FALSE(audit.verify().chained);
  Customers cs(s);
  CustomerFields f;
  f.external_id = "before-the-chain";
  f.created_at = kT0;
  cs.create(f);  // unchained: not checked
  audit.start_chain();
  audit.start_chain();  // again: nothing changes
  for (int k = 0; k < 4; ++k) {
    CustomerFields c;
    c.external_id = "c" + std::to_string(k);
    c.created_at = kT0 + k;
    cs.create(c);
  }
  auto v = audit.verify();
  CHECK(v.chained);
  CHECK(v.checked == 4);
  CHECK(v.first_broken == 0);
  const auto entries = audit.list().entries;
  REQUIRE(entries.size() == 5);
  CHECK_FALSE(entries[0].old_value);
  auto& db = detail::connection_of(s).db;
  const std::string third = std::to_string(entries[3].id);
  SECTION("a changed value") {
    db.exec("UPDATE audit_entries SET new_value = '{\"external_id\":\"forged\"}' WHERE id = " + third);
    CHECK(audit.verify().first_broken == entries[3].id);
  }
  SECTION("a changed actor") {
    db.exec("UPDATE audit_entries SET actor = 'someone' WHERE id = " + third);
    CHECK(audit.verify().first_broken == entries[3].id);
  }
  SECTION("a removed entry") {
    db.exec("DELETE FROM audit_entries WHERE id = " + third);
    CHECK(audit.verify().first_broken == entries[4].id);
  }
  SECTION("a hash removed") {
    db.exec("UPDATE audit_entries SET hash = NULL WHERE id = " + third);
    v = audit.verify();
    CHECK(v.first_broken == entries[3].id);
    CHECK_THAT(v.reason, Catch::Contains("has no hash"));
  }
}

TEST_CASE("the chain flag read once per transaction follows a chain started or undone inside it", "[audit]") {
  Store s = test_store();
  AuditTrail audit(s);
  Customers cs(s);
  auto create = [&](const std::string& ext) {
    CustomerFields f;
    f.external_id = ext;
    f.created_at = kT0;
    cs.create(f);
  };
  auto hashed = [&] {
    std::vector<bool> out;
    auto st = detail::connection_of(s).statement("SELECT hash IS NOT NULL FROM audit_entries ORDER BY id");
    while (st->executeStep()) out.push_back(st->getColumn(0).getInt() == 1);
    return out;
  };
  {
    Transaction tx(s);
    create("unchained");  // reads the flag: off
    {
      Savepoint sp(s);
      audit.start_chain();
      sp.rollback();  // the chain was never started
    }
    create("still-unchained");
    audit.start_chain();
    create("chained");  // the same transaction: read again, on
    tx.commit();
  }
  CHECK(hashed() == std::vector<bool>{false, false, true});
  const auto v = audit.verify();
  CHECK(v.checked == 1);
  CHECK(v.first_broken == 0);
}
