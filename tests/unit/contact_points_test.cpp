// Contact points: the three readings of each type, the primary per type and its copy in the
// customer's email and phone, refusals that write nothing, and the migration of existing
// emails and phones.
#include <catch2/catch.hpp>

#include <sqlite3.h>

#include <string>

#include <nlohmann/json.hpp>

#include "crmkit/contact_point.hpp"
#include "base/checks.hpp"
#include "crmkit/customer.hpp"
#include "expect_error.hpp"
#include "store/connection.hpp"
#include "store/migrations.hpp"
#include "store_checksum.hpp"
#include "temp_dir.hpp"
#include "test_store.hpp"

using namespace crmkit;

namespace {

constexpr Instant kT0 = 1'700'000'000'000;

std::int64_t customer(Store& s, const std::string& ext, std::optional<std::string> email = std::nullopt,
                      std::optional<std::string> phone = std::nullopt) {
  CustomerFields f;
  f.external_id = ext;
  f.created_at = kT0;
  f.email = std::move(email);
  f.phone = std::move(phone);
  return Customers(s).create(f);
}

NewContactPoint point(ContactType type, const std::string& value, bool primary = false) {
  NewContactPoint p;
  p.type = type;
  p.value = value;
  p.primary = primary;
  return p;
}

}  // namespace

TEST_CASE("each contact type is read three ways", "[contacts]") {
  auto read = [](ContactType t, const std::string& v, const std::string& region = "") {
    const ContactValue c = normalize_contact(t, v, region);
    return c.normalized + " | " + c.match_key;
  };
  CHECK(read(ContactType::email, "  Ana.Silva@Example.COM ") == "ana.silva@example.com | ana.silva@example.com");
  // The domain's ASCII form is the key: both spellings are one address.
  CHECK(read(ContactType::email, "José@Café.fr") == "josé@café.fr | josé@xn--caf-dma.fr");
  CHECK(normalize_contact(ContactType::email, "josé@xn--caf-dma.fr", "").match_key == "josé@xn--caf-dma.fr");
  CHECK(normalize_contact(ContactType::email, "x@straße.de", "").match_key == "x@xn--strae-oqa.de");
  CHECK(read(ContactType::phone, "06 1234 5678", "IT") == "+390612345678 | +390612345678");
  CHECK(read(ContactType::address, "  12  Main St.\r\n\n  Springfield,  IL ") ==
        "12 Main St.\nSpringfield, IL | 12 main st, springfield il");
  CHECK(read(ContactType::url, "HTTPS://WWW.Example.com/a/") == "https://www.example.com/a/ | example.com/a");
  CHECK(read(ContactType::url, "example.com") == "https://example.com | example.com");
  CHECK(read(ContactType::url, "http://example.com:8080/p?q=1#top") ==
        "http://example.com:8080/p?q=1#top | example.com:8080/p?q=1");
  CHECK(read(ContactType::social, " Twitter : @Alice_B ") == "twitter:@Alice_B | twitter:alice_b");
  CHECK(normalize_contact(ContactType::social, "twitter:alice_b", "").match_key == "twitter:alice_b");
}

TEST_CASE("bad contact values are refused naming the type and the problem", "[contacts]") {
  const std::pair<ContactType, const char*> bad[] = {
      {ContactType::email, "no-at-sign"},        {ContactType::email, "a@b"},
      {ContactType::email, "a@\u2615.com"},       {ContactType::phone, "12"},
      {ContactType::address, " \n \n "},         {ContactType::address, "..."},
      {ContactType::address, "a\x01" "b"},       {ContactType::url, "ftp://example.com"},
      {ContactType::url, "https://"},            {ContactType::url, "https://user@example.com"},
      {ContactType::url, "https://example.com:x"}, {ContactType::url, "localhost"},
      {ContactType::url, "https://exa mple.com"},
      {ContactType::url, "\r\r\r\rwww."},          {ContactType::url, "https://a..b"}, {ContactType::social, "alice"},
      {ContactType::social, "twitter:"},         {ContactType::social, "Twit ter:x"},
      {ContactType::social, "twitter:a b"}};
  for (const auto& [type, value] : bad) {
    INFO(to_string(type) << " " << value);
    expect_error([&] { normalize_contact(type, value, ""); }, Errc::invalid_argument, to_string(type));
  }
  expect_error([] { normalize_contact(ContactType::email, "a@\u2615.com", ""); }, Errc::invalid_argument,
               "IDNA refuses");
  expect_error([] { normalize_contact(ContactType::address, std::string(1001, 'a'), ""); }, Errc::invalid_argument,
               "limit is 1000");
  expect_error([] { normalize_contact(static_cast<ContactType>(9), "x", ""); }, Errc::invalid_argument,
               "not a contact type");
  expect_error([] { parse_contact_type("fax"); }, Errc::invalid_argument, "type 'fax' is not one of email, phone");
}

TEST_CASE("a customer's email and phone are its primary contact points", "[contacts]") {
  Store s = test_store();
  s.set_default_region("IT");
  Customers cs(s);
  ContactPoints cp(s);
  const auto id = customer(s, "c1", std::string(" Ana@Example.com "), std::string("06 1234 5678"));
  auto list = cp.list(id);
  REQUIRE(list.size() == 2);
  CHECK(list[0].type == ContactType::email);
  CHECK(list[0].value == "Ana@Example.com");  // the host's spelling, trimmed
  CHECK(list[0].normalized == "ana@example.com");
  CHECK(list[0].primary);
  CHECK(list[0].created_at == kT0);
  CHECK(list[1].type == ContactType::phone);
  CHECK(list[1].value == "06 1234 5678");
  CHECK(list[1].normalized == "+390612345678");
  const std::int64_t email_id = list[0].id;

  // A label and a verification on the primary; then the field changes: the same row, the new
  // address, verification gone (it was the old address that was verified), label kept.
  cp.set_label(email_id, std::string("work"), kT0 + 1);
  cp.mark_verified(email_id, kT0 + 2);
  CustomerFields f;
  f.email = "ana@new.example";
  cs.update(id, f, kT0 + 3);
  auto email = cp.get(email_id);
  CHECK(email.normalized == "ana@new.example");
  CHECK(email.label == std::optional<std::string>("work"));
  CHECK_FALSE(email.verified_at);
  CHECK(email.updated_at == kT0 + 3);

  // Setting the field to an address the customer already has as a secondary promotes it.
  const auto second = cp.add(id, point(ContactType::email, "ana@home.example"), kT0 + 4);
  CHECK_FALSE(cp.get(second).primary);
  f.email = "ANA@home.example";
  cs.update(id, f, kT0 + 5);
  CHECK(cp.get(second).primary);
  expect_error([&] { cp.get(email_id); }, Errc::not_found, "contact point");
  CHECK(cs.get(id).email == std::optional<std::string>("ana@home.example"));

  // Clearing the field deletes the primary.
  CustomerFields clear;
  clear.clear = {"email"};
  cs.update(id, clear, kT0 + 6);
  CHECK_FALSE(cs.get(id).email);
  list = cp.list(id);
  REQUIRE(list.size() == 1);
  CHECK(list[0].type == ContactType::phone);
}

TEST_CASE("adding, promoting and removing contact points keeps one primary and the customer's copy", "[contacts]") {
  Store s = test_store();
  Customers cs(s);
  ContactPoints cp(s);
  const auto id = customer(s, "c1");
  // The first email becomes primary, and is the customer's email.
  const auto a = cp.add(id, point(ContactType::email, "a@example.com"), kT0 + 1);
  CHECK(cp.get(a).primary);
  CHECK(cs.get(id).email == std::optional<std::string>("a@example.com"));
  CHECK(cs.get(id).updated_at == kT0 + 1);
  const auto b = cp.add(id, point(ContactType::email, "b@example.com"), kT0 + 2);
  CHECK_FALSE(cp.get(b).primary);
  CHECK(cs.get(id).email == std::optional<std::string>("a@example.com"));
  CHECK(cs.get(id).updated_at == kT0 + 1);  // the customer's email did not change
  const auto c = cp.add(id, point(ContactType::email, "c@example.com", true), kT0 + 3);
  CHECK(cp.get(c).primary);
  CHECK_FALSE(cp.get(a).primary);
  CHECK(cs.get(id).email == std::optional<std::string>("c@example.com"));
  cp.set_primary(b, kT0 + 4);
  CHECK(cs.get(id).email == std::optional<std::string>("b@example.com"));
  CHECK_FALSE(cp.get(c).primary);
  cp.set_primary(b, kT0 + 5);  // already primary: nothing changes
  CHECK(cp.get(b).updated_at == kT0 + 4);
  // Other types have their own primary and do not touch the email.
  const auto addr = cp.add(id, point(ContactType::address, "1 High St\nLeeds"), kT0 + 6);
  CHECK(cp.get(addr).primary);
  CHECK(cs.get(id).email == std::optional<std::string>("b@example.com"));
  // list: by type, primary first, then id.
  std::vector<std::int64_t> order;
  for (const auto& p : cp.list(id)) order.push_back(p.id);
  CHECK(order == std::vector<std::int64_t>{b, a, c, addr});
  // Removing the primary email clears the customer's email; no other is promoted.
  cp.remove(b, kT0 + 7);
  CHECK_FALSE(cs.get(id).email);
  CHECK_FALSE(cp.get(a).primary);
  CHECK(cs.get(id).updated_at == kT0 + 7);
}

TEST_CASE("refused contact point changes write nothing", "[contacts]") {
  Store s = test_store();
  ContactPoints cp(s);
  const auto id = customer(s, "c1", std::string("ana@example.com"));
  const auto email = cp.list(id).at(0).id;
  const std::string before = store_checksum(s);
  expect_error([&] { cp.add(id, point(ContactType::email, " ANA@Example.com"), kT0); }, Errc::conflict,
               "customer " + std::to_string(id) + " already has email 'ana@example.com' (contact point " +
                   std::to_string(email) + ")");
  expect_error([&] { cp.add(id + 1000, point(ContactType::email, "x@example.com"), kT0); }, Errc::not_found,
               "customer");
  expect_error([&] { cp.add(id, point(ContactType::url, "ftp://x.example"), kT0); }, Errc::invalid_argument, "url");
  NewContactPoint labelled = point(ContactType::email, "y@example.com");
  labelled.label = std::string("  ");
  expect_error([&] { cp.add(id, labelled, kT0); }, Errc::invalid_argument, "label is empty");
  labelled.label = std::string(101, 'l');
  expect_error([&] { cp.add(id, labelled, kT0); }, Errc::invalid_argument, "label is 101 bytes");
  expect_error([&] { cp.add(id, point(ContactType::email, "z@example.com"), detail::kMaxInstant + 1); },
               Errc::invalid_argument, "at");
  expect_error([&] { cp.set_primary(email + 1000, kT0); }, Errc::not_found, "contact point");
  expect_error([&] { cp.remove(email + 1000, kT0); }, Errc::not_found, "contact point");
  expect_error([&] { cp.mark_verified(email + 1000, kT0); }, Errc::not_found, "contact point");
  expect_error([&] { cp.record_bounce(email + 1000, true, kT0); }, Errc::not_found, "contact point");
  expect_error([&] { cp.list(id + 1000); }, Errc::not_found, "customer");
  CHECK(store_checksum(s) == before);
}

TEST_CASE("find and find_by_email compare match keys across customers and all their emails", "[contacts]") {
  Store s = test_store();
  s.set_default_region("GB");
  Customers cs(s);
  ContactPoints cp(s);
  const auto a = customer(s, "a", std::string("josé@café.fr"));
  const auto b = customer(s, "b", std::string("bea@example.com"));
  cp.add(b, point(ContactType::email, "josé@xn--caf-dma.fr"), kT0);
  cp.add(b, point(ContactType::phone, "020 7946 0958"), kT0);
  const auto found = cp.find(ContactType::email, "josé@CAFÉ.FR");
  REQUIRE(found.size() == 2);
  CHECK(found[0].customer_id == a);
  CHECK(found[1].customer_id == b);
  CHECK(cp.find(ContactType::phone, "+44 20 7946 0958").at(0).customer_id == b);
  CHECK(cp.find(ContactType::email, "nobody@example.com").empty());
  const auto customers = cs.find_by_email("josé@xn--caf-dma.fr");
  REQUIRE(customers.size() == 2);
  CHECK(customers[1].id == b);  // through a secondary email
  CHECK(customers[1].email == std::optional<std::string>("bea@example.com"));
}

TEST_CASE("bounces and verification", "[contacts]") {
  Store s = test_store();
  ContactPoints cp(s);
  const auto id = customer(s, "c1", std::string("ana@example.com"));
  const auto e = cp.list(id).at(0).id;
  cp.record_bounce(e, false, kT0 + 1);
  CHECK(cp.get(e).bounce_count == 1);
  CHECK_FALSE(cp.get(e).invalid_since);
  cp.record_bounce(e, true, kT0 + 2);
  cp.record_bounce(e, true, kT0 + 3);
  CHECK(cp.get(e).bounce_count == 3);
  CHECK(cp.get(e).invalid_since == std::optional<Instant>(kT0 + 2));  // the first hard bounce
  cp.mark_verified(e, kT0 + 4);
  const auto p = cp.get(e);
  CHECK(p.verified_at == std::optional<Instant>(kT0 + 4));
  CHECK_FALSE(p.invalid_since);
  CHECK(p.bounce_count == 0);
  const auto j = nlohmann::json::parse(to_json(p, JsonForm::exact));
  CHECK(j["verified_at"] == kT0 + 4);
  CHECK(j["invalid_since"].is_null());
  CHECK(j["type"] == "email");
  CHECK(j["primary"] == true);
}

TEST_CASE("migration 0014 makes existing emails and phones primary contact points", "[contacts][sqlite]") {
  TempDir dir;
  const std::string path = dir.file("v13.db");
  {
    detail::Connection c(path, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, 5000);
    detail::migrate_to(c, 13);
    c.db.exec(
        "INSERT INTO customers(id, external_id, email, phone, created_at, updated_at) VALUES "
        "(1, 'a', 'ana@example.com', '+390612345678', 10, 20), (2, 'b', 'josé@café.fr', NULL, 30, 40), "
        "(3, 'c', NULL, NULL, 50, 60)");
  }
  Store s = Store::open(path);
  ContactPoints cp(s);
  auto a = cp.list(1);
  REQUIRE(a.size() == 2);
  CHECK(a[0].value == "ana@example.com");
  CHECK(a[0].match_key == "ana@example.com");
  CHECK(a[0].primary);
  CHECK(a[0].created_at == 10);
  CHECK(a[0].updated_at == 20);
  CHECK(a[1].normalized == "+390612345678");
  CHECK(cp.list(2).at(0).match_key == "josé@xn--caf-dma.fr");  // the step after the SQL
  CHECK(cp.list(3).empty());
  CHECK(Customers(s).get(2).email == std::optional<std::string>("josé@café.fr"));
}
