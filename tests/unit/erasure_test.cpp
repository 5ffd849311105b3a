// Erasure: one transaction pseudonymises the customer, removes its contact points (suppressing
// its emails and phones), redacts free text and audit entries, keeps purchases; the audit chain
// still verifies; and on a SQLite file no erased value is left in any byte of the database, its
// WAL or its free pages, while the same scan does find a value that was not erased.
#include <catch2/catch.hpp>

#include <fstream>
#include <iterator>
#include <limits>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "base/digest.hpp"
#include "crmkit/audit.hpp"
#include "crmkit/consent.hpp"
#include "crmkit/contact_point.hpp"
#include "crmkit/customer.hpp"
#include "crmkit/erasure.hpp"
#include "crmkit/interaction.hpp"
#include "crmkit/subject_export.hpp"
#include "crmkit/survey.hpp"
#include "expect_error.hpp"
#include "store/audit_trail.hpp"
#include "store/connection.hpp"
#include "store_checksum.hpp"
#include "temp_dir.hpp"
#include "test_store.hpp"

using namespace crmkit;

namespace {

constexpr Instant kT0 = 1'700'000'000'000;
constexpr Instant kErasedAt = kT0 + 86'400'000;

// Distinctive values, each found nowhere else in a store unless this person put it there.
const std::vector<std::string> kOldValues = {"Oldsurnamequx", "old.quixote@example.org", "Brackleford Old"};
const std::vector<std::string> kValues = {
    "Zelda Quixotequx", "Zeldaqux",          "Quixotequx",       "Zelda.Quixote@Example.org", "zelda.quixote@example.org",
    "+442079460958",    "12 Quince Lane, Brackleford", "Brackleford", "QX9 7ZZ", "Pipsqueakzz",
    "ext-zelda-7731",   "Called about the parcel to Quince Lane", "Refund for Zelda's order",
    "203.0.113.77",     "Mozilla/5.0 (ZetaBrowserQ)", "Lovely staff, Zelda here", "1987-06-05"};

struct Person {
  std::int64_t id = 0;
  std::int64_t purchase = 0;
};

Person make_person(Store& s) {
  Customers cs(s);
  CustomerFields f;
  f.external_id = "ext-zelda-7731";
  f.display_name = "Zelda Quixotequx";
  f.given_name = "Zeldaqux";
  f.family_name = "Oldsurnamequx";
  f.email = "old.quixote@example.org";
  f.phone = "+44 20 7946 0958";
  f.birth_date = "1987-06-05";
  f.country = "GB";
  f.city = "Brackleford Old";
  f.postal_code = "QX9 7ZZ";
  f.attributes = R"({"nickname":"Pipsqueakzz"})";
  f.tags = std::vector<std::string>{"vip"};
  f.created_at = kT0;
  Person p;
  p.id = cs.create(f);
  // The older version: these values now live only in audit entries and in freed space.
  CustomerFields change;
  change.family_name = "Quixotequx";
  change.email = "Zelda.Quixote@Example.org";
  change.city = "Brackleford";
  cs.update(p.id, change, kT0 + 1000);
  ContactPoints(s).add(p.id, {ContactType::address, "12 Quince Lane, Brackleford", std::nullopt, true}, kT0 + 2000);
  Interactions in(s);
  Interaction call;
  call.customer_id = p.id;
  call.occurred_at = kT0 + 3000;
  call.kind = InteractionKind::other;
  call.notes = "Called about the parcel to Quince Lane";
  in.record(call);
  Interaction buy;
  buy.customer_id = p.id;
  buy.external_id = "order-1";
  buy.occurred_at = kT0 + 4000;
  buy.kind = InteractionKind::purchase;
  buy.amount = Money{4200, "EUR"};
  buy.subject = "Refund for Zelda's order";
  p.purchase = in.record(buy);
  NewConsentEvent e;
  e.customer_id = p.id;
  e.purpose = "marketing";
  e.source = "web-signup";
  e.evidence.ip = "203.0.113.77";
  e.evidence.user_agent = "Mozilla/5.0 (ZetaBrowserQ)";
  e.at = kT0 + 5000;
  Consent(s).record(e);
  SurveyResponse r;
  r.customer_id = p.id;
  r.kind = SurveyKind::nps;
  r.score = 9;
  r.occurred_at = kT0 + 6000;
  r.comment = "Lovely staff, Zelda here";
  Surveys(s).record(r);
  return p;
}

std::string file_bytes(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

// The test's own search, independent of the library's scanner: the value as UTF-8, lower-cased,
// and as UTF-16 in both byte orders (the values are ASCII, so each unit is the byte and a zero).
std::vector<std::string> forms_of(const std::string& v) {
  std::string lower = v, le, be;
  for (char& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  for (char c : v) {
    le += c, le += '\0';
    be += '\0', be += c;
  }
  return {v, lower, le, be};
}

std::vector<std::string> raw_hits(const std::string& db_path, const std::vector<std::string>& values) {
  std::vector<std::string> found;
  for (const auto& suffix : {"", "-wal", "-shm", "-journal"}) {
    const std::string bytes = file_bytes(db_path + suffix);
    for (const auto& v : values)
      for (const auto& form : forms_of(v))
        if (bytes.find(form) != std::string::npos) found.push_back(v + " in " + db_path + suffix);
  }
  return found;
}

}  // namespace

TEST_CASE("erasure pseudonymises the customer, removes its contact points and redacts its free text", "[erasure]") {
  Store s = test_store();
  const Person p = make_person(s);
  const auto report = Erasure(s).erase(p.id, kErasedAt);
  CHECK(report.pseudonym == "ERASED:" + std::to_string(p.id));
  CHECK(report.contact_points_removed == 3);  // email, phone, address
  CHECK(report.suppressed == 2);
  CHECK(report.rows_redacted.at("interactions") == 2);
  CHECK(report.rows_redacted.at("consent_events") == 1);
  CHECK(report.rows_redacted.at("survey_responses") == 1);
  CHECK(report.rows_removed.count("merge_records") == 0);  // none to remove
  CHECK(report.audit_entries_redacted > 5);
  CHECK_FALSE(report.scan);

  const Customer c = Customers(s).get(p.id);
  CHECK(c.display_name == report.pseudonym);
  CHECK(c.external_id == report.pseudonym);
  CHECK_FALSE(c.given_name);
  CHECK_FALSE(c.family_name);
  CHECK_FALSE(c.email);
  CHECK_FALSE(c.phone);
  CHECK_FALSE(c.birth_date);
  CHECK_FALSE(c.city);
  CHECK_FALSE(c.postal_code);
  CHECK(c.country == "GB");  // kept: a country alone names nobody, and reports count by it
  CHECK(c.attributes == "{}");
  CHECK(c.tags.empty());
  CHECK(c.erased_at == kErasedAt);
  CHECK(nlohmann::json::parse(to_json(c, JsonForm::exact))["erased_at"] == kErasedAt);
  CHECK(ContactPoints(s).list(p.id).empty());

  // The purchase is a fact the law keeps: amount and date stay, its free text goes.
  const auto timeline = Interactions(s).timeline(p.id);
  REQUIRE(timeline.interactions.size() == 2);
  for (const auto& i : timeline.interactions) {
    CHECK_FALSE(i.notes);
    CHECK_FALSE(i.subject);
    if (i.id == p.purchase) {
      REQUIRE(i.amount);
      CHECK(i.amount->minor == 4200);
      CHECK(i.amount->currency == "EUR");
      CHECK(i.occurred_at == kT0 + 4000);
    }
  }
  const auto events = Consent(s).events(p.id);
  REQUIRE(events.size() == 1);
  CHECK_FALSE(events[0].evidence.ip);
  CHECK_FALSE(events[0].evidence.user_agent);
  CHECK(events[0].source == "web-signup");

  // The audit trail shows the marker where the person's values were, and the erasure itself.
  AuditQuery q;
  q.entity = AuditEntity::customer;
  q.entity_id = p.id;
  const auto entries = AuditTrail(s).list(q).entries;
  REQUIRE(entries.size() >= 3);
  for (std::size_t i = 0; i + 1 < entries.size(); ++i) {
    INFO(entries[i].field);
    CHECK(entries[i].redacted);
    CHECK((!entries[i].new_value || *entries[i].new_value == kAuditRedactionMarker));
    CHECK((!entries[i].old_value || *entries[i].old_value == kAuditRedactionMarker));
  }
  CHECK(entries.back().field == "erased_at");
  CHECK_FALSE(entries.back().redacted);
  CHECK(nlohmann::json::parse(to_json(entries.front()))["old"] == nullptr);
  CHECK(nlohmann::json::parse(to_json(entries[1]))["redacted"] == true);

  // The subject export still works and holds the pseudonym, none of the values.
  const std::string dump = export_subject(s, p.id);
  CHECK(dump.find(report.pseudonym) != std::string::npos);
  for (const auto& v : kValues) CHECK(dump.find(v) == std::string::npos);
  for (const auto& v : kOldValues) CHECK(dump.find(v) == std::string::npos);
}

TEST_CASE("an erased customer is refused where it would be changed, and its email and phone cannot come back",
          "[erasure]") {
  Store s = test_store();
  const Person p = make_person(s);
  Erasure(s).erase(p.id, kErasedAt);
  const std::string before = store_checksum(s);
  expect_error([&] { Erasure(s).erase(p.id, kErasedAt + 1); }, Errc::conflict,
               "customer " + std::to_string(p.id) + " is already erased (at 2023-11-15T22:13:20.000Z)");
  CustomerFields change;
  change.city = "Elsewhere";
  expect_error([&] { Customers(s).update(p.id, change, kErasedAt + 1); }, Errc::conflict,
               "customer " + std::to_string(p.id) + " was erased at 2023-11-15T22:13:20.000Z");
  expect_error([&] { ContactPoints(s).add(p.id, {ContactType::url, "https://example.net/zq"}, kErasedAt + 1); },
               Errc::conflict, "was erased at");
  CustomerFields again;
  again.email = "ZELDA.QUIXOTE@example.org";
  again.created_at = kErasedAt + 1;
  expect_error([&] { Customers(s).create(again); }, Errc::conflict, "email is suppressed (erased 2023-11-15");
  CustomerFields phone;
  phone.phone = "+44 20 7946 0958";
  phone.created_at = kErasedAt + 1;
  expect_error([&] { Customers(s).create(phone); }, Errc::conflict, "phone is suppressed (erased");
  expect_error([&] { Erasure(s).erase(999'999, kErasedAt); }, Errc::not_found, "customer 999999 does not exist");
  expect_error([&] { Erasure(s).erase(0, kErasedAt); }, Errc::invalid_argument, "customer id 0 is not a customer id");
  expect_error([&] { Erasure(s).erase(-4, kErasedAt); }, Errc::invalid_argument, "customer id -4");
  CHECK(store_checksum(s) == before);
  // An address the person never had is not suppressed: only theirs are.
  CustomerFields other;
  other.email = "someone.else@example.org";
  other.created_at = kErasedAt + 1;
  CHECK(Customers(s).create(other) > 0);
}

TEST_CASE("a refused erasure writes nothing", "[erasure]") {
  Store s = test_store();
  const Person p = make_person(s);
  const std::string before = store_checksum(s);
  expect_error([&] { Erasure(s).erase(p.id, std::numeric_limits<Instant>::max()); }, Errc::invalid_argument, "at");
  CHECK(store_checksum(s) == before);
  CHECK_FALSE(Customers(s).get(p.id).erased_at);
}

TEST_CASE("the audit chain verifies across an erasure, and a changed digest still breaks it", "[erasure][audit]") {
  Store s = test_store();
  AuditTrail audit(s);
  audit.start_chain();
  const Person p = make_person(s);
  Customers(s).create([] {
    CustomerFields f;
    f.display_name = "Bystander Person";
    f.created_at = kT0 + 7000;
    return f;
  }());
  Erasure(s).erase(p.id, kErasedAt);
  const auto v = audit.verify();
  CHECK(v.chained);
  CHECK(v.checked > 8);
  CHECK(v.first_broken == 0);
  CHECK(v.reason.empty());
  // A redacted entry's digest is what its hash covers: changing it is detected.
  auto& conn = detail::connection_of(s);
  auto st = conn.statement(
      "SELECT min(id) FROM audit_entries WHERE redacted = 1 AND old_digest IS NULL AND new_digest IS NOT NULL");
  REQUIRE(st->executeStep());
  const std::int64_t id = st->getColumn(0).getInt64();
  st.reset();
  conn.db.exec("UPDATE audit_entries SET new_digest = '" + std::string(64, 'a') + "' WHERE id = " + std::to_string(id));
  CHECK(audit.verify().first_broken == id);
}

TEST_CASE("migration 0019 re-hashes an intact chain over digests and keeps a broken one broken where it was",
          "[erasure][audit]") {
  Store s = test_store();
  AuditTrail audit(s);
  audit.start_chain();
  make_person(s);
  auto& conn = detail::connection_of(s);
  // The chain as schema 16 to 18 hashed it: over the values themselves.
  struct Row {
    std::int64_t id;
    std::string text;
  };
  std::vector<Row> rows;
  {
    auto st = conn.statement(
        "SELECT id, entity, entity_id, field, old_value, new_value, actor, reason, request_id, at FROM audit_entries "
        "ORDER BY id");
    auto opt = [&](int c) { return st->getColumn(c).isNull() ? nlohmann::json(nullptr) : nlohmann::json(st->getColumn(c).getString()); };
    while (st->executeStep())
      rows.push_back({st->getColumn(0).getInt64(),
                      nlohmann::json::array({st->getColumn(1).getString(), st->getColumn(2).getInt64(),
                                             st->getColumn(3).getString(), opt(4), opt(5), opt(6), opt(7), opt(8),
                                             st->getColumn(9).getInt64()})
                          .dump()});
  }
  REQUIRE(rows.size() > 6);
  auto write_v1 = [&](std::int64_t tampered) {
    std::string previous;
    for (const auto& r : rows) {
      const std::string hash = detail::hmac_sha256_hex(previous, r.text);
      previous = hash;
      // A tampered entry: its hash no longer follows (as if a value had been edited).
      const std::string stored = r.id == tampered ? std::string(64, 'b') : hash;
      conn.db.exec("UPDATE audit_entries SET hash = '" + stored + "' WHERE id = " + std::to_string(r.id));
    }
  };
  write_v1(0);
  CHECK(audit.verify().first_broken == rows.front().id);  // v1 hashes do not verify as digests
  detail::rehash_audit_chain(conn);
  CHECK(audit.verify().first_broken == 0);
  CHECK(audit.verify().checked == static_cast<std::int64_t>(rows.size()));

  const std::int64_t bad = rows[4].id;
  write_v1(bad);
  detail::rehash_audit_chain(conn);
  const auto v = audit.verify();
  CHECK(v.first_broken == bad);
  CHECK(v.checked == 5);
}

TEST_CASE("after erasure no erased value is in any byte of the SQLite file, its WAL or free pages",
          "[erasure][sqlite]") {
  TempDir dir;
  const std::string path = dir.file("erase.db");
  Store s = Store::open(path);
  AuditTrail(s).start_chain();
  const Person p = make_person(s);
  // Before: the values are there (the search can find them), in their stored forms.
  CHECK_FALSE(raw_hits(path, {"Quixotequx", "Oldsurnamequx", "Lovely staff, Zelda here"}).empty());
  ErasureOptions o;
  o.verify = true;
  const auto report = Erasure(s).erase(p.id, kErasedAt, o);
  CHECK(report.checkpointed);
  REQUIRE(report.scan);
  const auto& scan = *report.scan;
  CHECK(scan.verified);
  CHECK(scan.reason.empty());
  CHECK(scan.clean);
  CHECK(scan.hits == 0);
  REQUIRE(scan.files.size() == 4);
  CHECK(scan.files[0].file == path);
  CHECK(scan.files[0].exists);
  CHECK(scan.files[0].bytes > 4096);
  CHECK(scan.files[1].file == path + "-wal");
  CHECK(scan.files[1].bytes == 0);  // truncated by the checkpoint
  CHECK(scan.bytes_scanned >= scan.files[0].bytes);
  std::vector<std::string> sources;
  for (const auto& v : scan.values) {
    sources.push_back(v.source);
    CHECK(v.forms.size() >= 3);
  }
  for (const char* want : {"customers.family_name", "customers.display_name", "customers.email", "customers.phone",
                           "customers.attributes", "contact_points.value", "interactions.notes",
                           "interactions.subject", "consent_events.evidence_ip", "consent_events.evidence_user_agent",
                           "survey_responses.comment", "audit_entries.new_value"}) {
    INFO(want);
    CHECK(std::find(sources.begin(), sources.end(), want) != sources.end());
  }
  CHECK(scan.values.size() >= kValues.size() + kOldValues.size() - 2);
  // The report names where each value was, never the value.
  const std::string json = to_json(report);
  for (const auto& v : kValues) CHECK(json.find(v) == std::string::npos);
  // And the test's own search over the raw bytes agrees: nothing of the person, old or new.
  std::vector<std::string> all = kValues;
  all.insert(all.end(), kOldValues.begin(), kOldValues.end());
  CHECK(raw_hits(path, all).empty());
  // With the store closed (its -shm gone too), still nothing.
  s = Store::open(path);
  CHECK(raw_hits(path, all).empty());
}

TEST_CASE("the scan finds a value that was not erased, at its offset", "[erasure][sqlite]") {
  TempDir dir;
  const std::string path = dir.file("control.db");
  Store s = Store::open(path);
  const Person p = make_person(s);
  // A bystander who lives in the same town: that value stays, and the scan must say so.
  CustomerFields f;
  f.display_name = "Bystander Wolfgangqq";
  f.city = "Brackleford";
  f.created_at = kT0 + 7000;
  Customers(s).create(f);
  ErasureOptions o;
  o.verify = true;
  const auto report = Erasure(s).erase(p.id, kErasedAt, o);
  REQUIRE(report.scan);
  CHECK(report.scan->verified);
  CHECK_FALSE(report.scan->clean);
  CHECK(report.scan->reason.find("hit(s)") != std::string::npos);
  bool city_found = false;
  for (const auto& v : report.scan->values)
    if (v.source == "customers.city") city_found = !v.hits.empty();
  CHECK(city_found);

  const auto scan = Erasure(s).scan({"Bystander Wolfgangqq", "Wolfgangqq", "Nobody Hasthisqq"});
  CHECK(scan.verified);
  CHECK_FALSE(scan.clean);
  REQUIRE(scan.values.size() == 3);
  REQUIRE_FALSE(scan.values[0].hits.empty());
  CHECK(scan.values[2].hits.empty());
  const auto& hit = scan.values[0].hits.front();
  CHECK(hit.form == "utf8");
  const std::string bytes = file_bytes(hit.file);
  CHECK(bytes.substr(static_cast<std::size_t>(hit.offset), 20) == "Bystander Wolfgangqq");
  for (const auto& h : scan.values[1].hits) CHECK(file_bytes(h.file).substr(h.offset, 10) == (h.form == "lower" ? "wolfgangqq" : "Wolfgangqq"));
  // Short values are not searched, and are listed as such.
  const auto short_scan = Erasure(s).scan({"GB"});
  CHECK(short_scan.values.empty());
  CHECK(short_scan.skipped == std::vector<std::string>{"value 1"});
}

TEST_CASE("a store that cannot be scanned says why, and the erasure is still done", "[erasure]") {
  Store s = test_store();
  const Person p = make_person(s);
  ErasureOptions o;
  o.verify = true;
  const auto report = Erasure(s).erase(p.id, kErasedAt, o);
  REQUIRE(report.scan);
  CHECK_FALSE(report.scan->verified);
  CHECK_FALSE(report.scan->clean);
  CHECK(report.scan->reason.find(testing_postgres() ? "PostgreSQL" : "in-memory") != std::string::npos);
  CHECK(Customers(s).get(p.id).erased_at == kErasedAt);
}
