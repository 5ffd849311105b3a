// Customers: creation, normalisation, validation of every field, upsert, update, removal, listing.
#include <catch2/catch.hpp>

#include <functional>
#include <string>

#include "test_store.hpp"
#include "crmkit/customer.hpp"
#include "crmkit/interaction.hpp"
#include "base/phone.hpp"
#include "expect_error.hpp"
#include "store_checksum.hpp"
#include "temp_dir.hpp"

using namespace crmkit;

namespace {

CustomerFields basic(const std::string& ext, Instant at = 1'700'000'000'000) {
  CustomerFields f;
  f.external_id = ext;
  f.created_at = at;
  return f;
}

}  // namespace

TEST_CASE("a customer is created with every field normalised and read back", "[customers]") {
  Store s = test_store();
  s.set_default_region("GB");
  Customers cs(s);
  CustomerFields f = basic("ERP-1");
  f.kind = CustomerKind::organization;
  f.display_name = "Ærø Café ☕";
  f.given_name = "Zoë";
  f.family_name = "Ørsted";
  f.email = "  Zoe.Orsted@Example.COM ";
  f.phone = "020 7946-0958";
  f.birth_date = "1990-02-28";
  f.gender = "f";
  f.country = "gb";
  f.region = "Greater London";
  f.city = "London";
  f.postal_code = "SW1A 1AA";
  f.acquisition_channel = "referral";
  f.acquisition_cost = Money{2500, "GBP"};
  f.lifecycle_stage = LifecycleStage::customer;
  f.attributes = R"({ "b": [1, 2], "a": {"x": "y"} })";
  f.tags = std::vector<std::string>{"vip", " newsletter ", "vip"};
  std::int64_t id = cs.create(f);
  CHECK(id > 0);
  Customer c = cs.get(id);
  CHECK(c.id == id);
  CHECK(c.external_id == std::optional<std::string>("ERP-1"));
  CHECK(c.kind == CustomerKind::organization);
  CHECK(c.display_name == std::optional<std::string>("Ærø Café ☕"));
  CHECK(c.email == std::optional<std::string>("zoe.orsted@example.com"));
  CHECK(c.phone == std::optional<std::string>("+442079460958"));
  CHECK(c.birth_date == std::optional<std::string>("1990-02-28"));
  CHECK(c.gender == std::optional<std::string>("F"));
  CHECK(c.country == std::optional<std::string>("GB"));
  REQUIRE(c.acquisition_cost);
  CHECK(c.acquisition_cost->minor == 2500);
  CHECK(c.acquisition_cost->currency == "GBP");
  CHECK(c.lifecycle_stage == LifecycleStage::customer);
  CHECK(c.created_at == 1'700'000'000'000);
  CHECK(c.updated_at == 1'700'000'000'000);
  CHECK(c.attributes == R"({"a":{"x":"y"},"b":[1,2]})");
  CHECK(c.tags == std::vector<std::string>{"newsletter", "vip"});
  CHECK(cs.get_by_external_id("ERP-1").id == id);
  CHECK(cs.find_id("ERP-1") == std::optional<std::int64_t>(id));
  CHECK(!cs.find_id("nope"));
  auto found = cs.find_by_email("ZOE.ORSTED@example.com");
  REQUIRE(found.size() == 1);
  CHECK(found[0].id == id);

  // A minimal customer: defaults and unknowns.
  CustomerFields m;
  m.created_at = 5;
  Customer minimal = cs.get(cs.create(m));
  CHECK(minimal.kind == CustomerKind::person);
  CHECK(minimal.lifecycle_stage == LifecycleStage::lead);
  CHECK(!minimal.external_id);
  CHECK(!minimal.email);
  CHECK(minimal.attributes == "{}");
  CHECK(minimal.tags.empty());
}

TEST_CASE("normalize_email accepts valid addresses and refuses the rest", "[customers]") {
  CHECK(normalize_email(" A.B+tag@Sub.Example.org\t") == "a.b+tag@sub.example.org");
  CHECK(normalize_email("jürgen@bücher.de") == "jürgen@bücher.de");
  for (const char* bad : {"", "   ", "plain", "a@@b.com", "a@b@c.com", "@example.com", "a@", "a@localhost",
                          "a b@example.com", "a@exa mple.com", "a@-bad.com", "a@bad-.com", "a@ex..com",
                          ".a@example.com", "a.@example.com", "a..b@example.com", "a@example.com.", "a<b@example.com"}) {
    INFO(bad);
    expect_error([&] { normalize_email(bad); }, Errc::invalid_argument, "email");
  }
  expect_error([&] { normalize_email(std::string(65, 'a') + "@example.com"); }, Errc::invalid_argument, "64");
  expect_error([&] { normalize_email("\xff@example.com"); }, Errc::invalid_argument, "UTF-8");
}

TEST_CASE("normalize_phone gives E.164 through the region's numbering plan", "[customers]") {
  // Issue #11: a local and an international spelling of one number are one key.
  CHECK(normalize_phone("06 1234 5678", "IT") == "+390612345678");
  CHECK(normalize_phone("+39 06 1234 5678", "IT") == "+390612345678");
  CHECK(normalize_phone("+39 06 1234 5678", "") == "+390612345678");
  CHECK(normalize_phone("0039 06 1234 5678", "") == "+390612345678");  // "00" without a region
  CHECK(normalize_phone("0039 06 1234 5678", "GB") == "+390612345678");
  CHECK(normalize_phone("011 39 06 1234 5678", "US") == "+390612345678");  // the US international prefix
  CHECK(normalize_phone("020.7946.0958", "GB") == "+442079460958");
  CHECK(normalize_phone("(202) 555-0143", "US") == "+12025550143");
  CHECK(normalize_phone(" +1 650-253-0000 ", "GB") == "+16502530000");
  // Issue #11: a 7-digit US local number is refused, not completed into "+15550100".
  expect_error([] { normalize_phone("5550100", "US"); }, Errc::invalid_argument, "phone '5550100' is a local number only");
  expect_error([] { normalize_phone("020 7946 0958", ""); }, Errc::invalid_argument, "no default_region");
  expect_error([] { normalize_phone("+1 555 CALL", ""); }, Errc::invalid_argument, "contains 'C'");
  expect_error([] { normalize_phone("202 555 0143 ext 12", "US"); }, Errc::invalid_argument, "contains 'e'");
  expect_error([] { normalize_phone("+1234", ""); }, Errc::invalid_argument, "is too short");
  expect_error([] { normalize_phone("+39 06 1234 5678 9012 3456", ""); }, Errc::invalid_argument, "too long");
  expect_error([] { normalize_phone("+999 1234 5678", ""); }, Errc::invalid_argument, "invalid country code");
  expect_error([] { normalize_phone("+0123456789", ""); }, Errc::invalid_argument, "invalid country code");
  expect_error([] { normalize_phone("12345678", "DE"); }, Errc::invalid_argument,
               "phone '12345678' is not a valid number for region DE");
  expect_error([] { normalize_phone("+1 555 010 0000", "IT"); }, Errc::invalid_argument,
               "is not a valid number for region US");
  expect_error([] { normalize_phone("()", "IT"); }, Errc::invalid_argument, "is not a number");
  expect_error([] { normalize_phone("", "US"); }, Errc::invalid_argument, "empty");
  expect_error([] { normalize_phone("12+345678", "US"); }, Errc::invalid_argument, "'+'");
  expect_error([] { normalize_phone("06 1234 5678", "it"); }, Errc::invalid_argument, "default_region 'it'");
  expect_error([] { normalize_phone("06 1234 5678", "XX"); }, Errc::invalid_argument, "default_region 'XX'");
}

TEST_CASE("normalize_phone keeps every region's own example numbers, once read always the same", "[customers]") {
  // libphonenumber's example numbers are valid by its own metadata: none may be refused, and
  // the E.164 result reads back unchanged with its region, another region and none.
  for (const char* region : {"IT", "US", "GB", "DE", "FR", "JP", "BR", "AU", "CH", "SE"}) {
    INFO(region);
    std::string e164 = detail::example_phone(region);
    REQUIRE(!e164.empty());
    CHECK(normalize_phone(e164, region) == e164);
    CHECK(normalize_phone(e164, "") == e164);
    CHECK(normalize_phone(e164, "US") == e164);
  }
}

TEST_CASE("local and international spellings of a number give customers the same phone", "[customers]") {
  Store s = test_store();
  s.set_default_region("IT");
  Customers cs(s);
  CustomerFields a = basic("local"), b = basic("international");
  a.phone = "06 6988 0000";
  b.phone = "+39 06 6988 0000";
  CHECK(cs.get(cs.create(a)).phone == cs.get(cs.create(b)).phone);
  CHECK(cs.get_by_external_id("local").phone == std::optional<std::string>("+390669880000"));
  s.set_default_region("US");
  CustomerFields c = basic("us-local");
  c.phone = "5550100";
  const std::string before = store_checksum(s);
  expect_error([&] { cs.create(c); }, Errc::invalid_argument, "phone '5550100'");
  CHECK(store_checksum(s) == before);
}

TEST_CASE("enum names round trip and unknown names are refused", "[customers]") {
  for (auto k : {CustomerKind::person, CustomerKind::organization}) CHECK(parse_customer_kind(to_string(k)) == k);
  for (auto s : {LifecycleStage::lead, LifecycleStage::prospect, LifecycleStage::customer, LifecycleStage::churned})
    CHECK(parse_lifecycle_stage(to_string(s)) == s);
  expect_error([] { parse_customer_kind("Person"); }, Errc::invalid_argument, "kind 'Person'");
  expect_error([] { parse_lifecycle_stage("won", "stage"); }, Errc::invalid_argument, "stage 'won'");
}

TEST_CASE("every invalid field is refused with its name and nothing is written", "[customers]") {
  Store s = test_store();
  Customers cs(s);
  std::int64_t existing = cs.create(basic("taken"));
  const std::string before = store_checksum(s);
  struct Case {
    const char* needle;
    std::function<void(CustomerFields&)> spoil;
    Errc code = Errc::invalid_argument;
  };
  const std::string long_text(1001, 'x');
  std::vector<Case> cases = {
      {"created_at is required", [](CustomerFields& f) { f.created_at.reset(); }},
      {"created_at", [](CustomerFields& f) { f.created_at = INT64_MAX; }},
      {"external_id is empty", [](CustomerFields& f) { f.external_id = ""; }},
      {"external_id", [&](CustomerFields& f) { f.external_id = long_text; }},
      {"already belongs to customer", [](CustomerFields& f) { f.external_id = "taken"; }, Errc::conflict},
      {"kind", [](CustomerFields& f) { f.kind = static_cast<CustomerKind>(7); }},
      {"display_name", [](CustomerFields& f) { f.display_name = "bad \xc3\x28"; }},
      {"display_name", [&](CustomerFields& f) { f.display_name = long_text; }},
      {"given_name", [](CustomerFields& f) { f.given_name = std::string("a\0b", 3); }},
      {"family_name", [](CustomerFields& f) { f.family_name = "\xed\xa0\x80"; }},  // a surrogate
      {"email", [](CustomerFields& f) { f.email = "not-an-email"; }},
      {"phone", [](CustomerFields& f) { f.phone = "12345678"; }},  // local, no default region
      {"birth_date", [](CustomerFields& f) { f.birth_date = "1990-02-30"; }},
      {"birth_date", [](CustomerFields& f) { f.birth_date = "1990-2-3"; }},
      {"gender", [](CustomerFields& f) { f.gender = "female"; }},
      {"country", [](CustomerFields& f) { f.country = "XX"; }},
      {"country", [](CustomerFields& f) { f.country = "GBR"; }},
      {"region", [&](CustomerFields& f) { f.region = long_text; }},
      {"city", [](CustomerFields& f) { f.city = "\x80"; }},
      {"postal_code", [](CustomerFields& f) { f.postal_code = "\xc0\xaf"; }},  // overlong '/'
      {"acquisition_channel", [&](CustomerFields& f) { f.acquisition_channel = long_text; }},
      {"acquisition_cost currency", [](CustomerFields& f) { f.acquisition_cost = Money{1, "usd"}; }},
      {"acquisition_cost -1 is negative", [](CustomerFields& f) { f.acquisition_cost = Money{-1, "USD"}; }},
      {"lifecycle_stage", [](CustomerFields& f) { f.lifecycle_stage = static_cast<LifecycleStage>(-1); }},
      {"attributes must be a JSON object", [](CustomerFields& f) { f.attributes = "[1,2]"; }},
      {"attributes is not valid JSON", [](CustomerFields& f) { f.attributes = "{\"a\":"; }},
      {"attributes nests 33 levels", [](CustomerFields& f) {
         f.attributes = "{\"a\":" + std::string(32, '[') + std::string(32, ']') + "}";
       }},
      {"attributes is 1000008 bytes", [](CustomerFields& f) {
         f.attributes = "{\"a\":\"" + std::string(1'000'000, 'x') + "\"}";
       }},
      {"tag is empty", [](CustomerFields& f) { f.tags = std::vector<std::string>{"ok", "  "}; }},
      {"is 101 characters long", [](CustomerFields& f) { f.tags = std::vector<std::string>{std::string(101, 't')}; }},
      {"tag is not valid UTF-8", [](CustomerFields& f) { f.tags = std::vector<std::string>{"\xfe"}; }},
      {"tags has 1001 entries", [](CustomerFields& f) {
         f.tags = std::vector<std::string>();
         for (int i = 0; i < 1001; ++i) f.tags->push_back("t" + std::to_string(i));
       }},
      {"clear is only for updates", [](CustomerFields& f) { f.clear = {"city"}; }},
  };
  for (auto& c : cases) {
    INFO(c.needle);
    CustomerFields f = basic("new");
    f.email = "ok@example.com";
    c.spoil(f);
    expect_error([&] { cs.create(f); }, c.code, c.needle);
    CHECK(store_checksum(s) == before);
  }
  // 100 characters of multi-byte text is a valid tag (the limit counts characters).
  CustomerFields ok = basic("multi");
  std::string hundred;
  for (int i = 0; i < 100; ++i) hundred += "é";
  ok.tags = std::vector<std::string>{hundred};
  CHECK(cs.get(cs.create(ok)).tags == std::vector<std::string>{hundred});
  // The 32-deep object is still accepted.
  CustomerFields deep = basic("deep");
  deep.attributes = "{\"a\":" + std::string(31, '[') + std::string(31, ']') + "}";
  CHECK_NOTHROW(cs.create(deep));
  (void)existing;
}

TEST_CASE("upsert creates once and is idempotent, changes set updated_at", "[customers]") {
  Store s = test_store();
  Customers cs(s);
  CustomerFields f = basic("C-9", 1000);
  f.email = "a@example.com";
  f.tags = std::vector<std::string>{"x"};
  bool created = false;
  std::int64_t id = cs.upsert(f, &created);
  CHECK(created);
  const std::string after_first = store_checksum(s);
  f.created_at = 2000;  // the same fields later: nothing changes
  CHECK(cs.upsert(f, &created) == id);
  CHECK(!created);
  CHECK(store_checksum(s) == after_first);
  CHECK(cs.get(id).updated_at == 1000);

  CustomerFields g = basic("C-9", 3000);
  g.city = "Oslo";
  CHECK(cs.upsert(g, &created) == id);
  Customer c = cs.get(id);
  CHECK(c.city == std::optional<std::string>("Oslo"));
  CHECK(c.email == std::optional<std::string>("a@example.com"));  // untouched
  CHECK(c.created_at == 1000);
  CHECK(c.updated_at == 3000);
  CHECK(cs.count() == 1);

  CustomerFields no_ext;
  no_ext.created_at = 1;
  expect_error([&] { cs.upsert(no_ext); }, Errc::invalid_argument, "external_id is required");
  CustomerFields no_time;
  no_time.external_id = "C-10";
  expect_error([&] { cs.upsert(no_time); }, Errc::invalid_argument, "created_at is required");
}

TEST_CASE("update sets given fields, clears named ones and checks its arguments", "[customers]") {
  Store s = test_store();
  Customers cs(s);
  CustomerFields f = basic("U-1", 100);
  f.email = "u@example.com";
  f.city = "Paris";
  f.attributes = R"({"k":1})";
  f.tags = std::vector<std::string>{"a", "b"};
  std::int64_t id = cs.create(f);
  std::int64_t other = cs.create(basic("U-2", 100));

  CustomerFields u;
  u.given_name = "Ana";
  u.clear = {"city", "tags", "attributes"};
  cs.update(id, u, 500);
  Customer c = cs.get(id);
  CHECK(c.given_name == std::optional<std::string>("Ana"));
  CHECK(!c.city);
  CHECK(c.tags.empty());
  CHECK(c.attributes == "{}");
  CHECK(c.email == std::optional<std::string>("u@example.com"));
  CHECK(c.updated_at == 500);
  CHECK(c.created_at == 100);

  const std::string before = store_checksum(s);
  CustomerFields bad_created;
  bad_created.created_at = 1;
  expect_error([&] { cs.update(id, bad_created, 600); }, Errc::invalid_argument, "created_at cannot be changed");
  CustomerFields bad_clear;
  bad_clear.clear = {"kind"};
  expect_error([&] { cs.update(id, bad_clear, 600); }, Errc::invalid_argument, "clear names 'kind'");
  CustomerFields both;
  both.city = "Rome";
  both.clear = {"city"};
  expect_error([&] { cs.update(id, both, 600); }, Errc::invalid_argument, "city is both given");
  expect_error([&] { cs.update(999, u, 600); }, Errc::not_found, "customer 999");
  expect_error([&] { cs.update(id, u, INT64_MIN); }, Errc::invalid_argument, "updated_at");
  CustomerFields steal;
  steal.external_id = "U-2";
  expect_error([&] { cs.update(id, steal, 600); }, Errc::conflict, "already belongs to customer");
  CHECK(store_checksum(s) == before);
  (void)other;
}

TEST_CASE("lookups of unknown customers are not_found", "[customers]") {
  Store s = test_store();
  Customers cs(s);
  expect_error([&] { cs.get(1); }, Errc::not_found, "customer 1");
  expect_error([&] { cs.get(-5); }, Errc::not_found, "customer -5");
  expect_error([&] { cs.get_by_external_id("x"); }, Errc::not_found, "external_id 'x'");
  expect_error([&] { cs.find_by_email("bad"); }, Errc::invalid_argument, "email");
  CHECK(cs.find_by_email("nobody@example.com").empty());
}

TEST_CASE("remove refuses customers with interactions and deletes the rest with their tags", "[customers]") {
  Store s = test_store();
  Customers cs(s);
  CustomerFields f = basic("R-1");
  f.tags = std::vector<std::string>{"t"};
  std::int64_t a = cs.create(f);
  std::int64_t b = cs.create(basic("R-2"));
  Interaction i;
  i.customer_id = b;
  i.kind = InteractionKind::note;
  i.occurred_at = 10;
  Interactions(s).record(i);
  const std::string before = store_checksum(s);
  expect_error([&] { cs.remove(b); }, Errc::conflict, "1 interaction");
  expect_error([&] { cs.remove(12345); }, Errc::not_found, "customer 12345");
  CHECK(store_checksum(s) == before);
  cs.remove(a);
  expect_error([&] { cs.get(a); }, Errc::not_found, "does not exist");
  CHECK(crmkit::detail::connection_of(s).db.execAndGet("SELECT count(*) FROM customer_tags").getInt() == 0);
}

TEST_CASE("list pages by id with filters, count agrees", "[customers]") {
  Store s = test_store();
  Customers cs(s);
  std::vector<std::int64_t> ids;
  for (int k = 0; k < 25; ++k) {
    CustomerFields f = basic("L-" + std::to_string(k), 1000 + k);
    f.country = k % 2 ? "DE" : "FR";
    f.lifecycle_stage = k % 5 == 0 ? LifecycleStage::churned : LifecycleStage::customer;
    if (k % 3 == 0) f.tags = std::vector<std::string>{"gold", "k" + std::to_string(k)};
    ids.push_back(cs.create(f));
  }
  std::vector<std::int64_t> seen;
  std::int64_t after = 0;
  int pages = 0;
  do {
    CustomerPage p = cs.list({}, after, 10);
    for (auto& c : p.customers) seen.push_back(c.id);
    after = p.next_after;
    ++pages;
  } while (after != 0);
  CHECK(pages == 3);
  CHECK(seen == ids);

  CustomerFilter gold;
  gold.tag = "gold";
  CustomerPage g = cs.list(gold, 0, 100);
  REQUIRE(g.customers.size() == 9);  // k = 0, 3, ..., 24
  CHECK(g.next_after == 0);
  for (auto& c : g.customers) {
    CHECK(c.tags.size() == 2);
    CHECK(c.tags[0] == "gold");
  }
  CHECK(cs.count(gold) == 9);
  CustomerFilter de;
  de.country = "de";
  CHECK(cs.count(de) == 12);
  CustomerFilter churned;
  churned.lifecycle_stage = LifecycleStage::churned;
  CHECK(cs.count(churned) == 5);
  CustomerFilter window;
  window.created_from = 1005;
  window.created_to = 1010;
  auto w = cs.list(window);
  REQUIRE(w.customers.size() == 5);
  CHECK(w.customers.front().created_at == 1005);
  CHECK(w.customers.back().created_at == 1009);
  CustomerFilter combined = gold;
  combined.country = "FR";
  CHECK(cs.count(combined) == 5);  // k = 0, 6, 12, 18, 24
  CHECK(cs.count() == 25);
  expect_error([&] { cs.list({}, 0, 0); }, Errc::invalid_argument, "limit 0");
  expect_error([&] { cs.list({}, -1, 10); }, Errc::invalid_argument, "after -1");
}

TEST_CASE("lookups leave no read snapshot open: a second connection's writes are seen", "[customers]") {
  TempDir dir;
  const std::string path = dir.file("two.db");
  Store a = Store::open(path);
  Store b = Store::open(path);
  Customers ca(a), cb(b);
  std::int64_t first = cb.create(basic("B-0"));
  // Every read path of `a`, each of which steps a statement once.
  CHECK(ca.find_id("B-0") == std::optional<std::int64_t>(first));
  CHECK(ca.count() == 1);
  CHECK(ca.get(first).id == first);
  CHECK(ca.find_by_email("x@example.com").empty());
  CHECK(Interactions(a).figures(first).interaction_count == 0);
  ca.update(first, CustomerFields{}, 5);  // no-op update: reads only
  // `b` writes; `a` must see it and be able to write after it.
  std::int64_t second = cb.create(basic("B-1"));
  CHECK(ca.find_id("B-1") == std::optional<std::int64_t>(second));
  CHECK(ca.count() == 2);
  CHECK_NOTHROW(ca.create(basic("A-0")));
  CHECK(cb.count() == 3);
  Interaction i;
  i.customer_id = second;
  i.kind = InteractionKind::visit;
  i.occurred_at = 1;
  Interactions(b).record(i);
  CHECK_THROWS_AS(ca.remove(second), Error);  // sees b's interaction
  CHECK(Interactions(a).figures(second).interaction_count == 1);
  Interactions(a).record(i);  // same content, no external id: a second fact
  CHECK(Interactions(b).figures(second).interaction_count == 2);
}

TEST_CASE("remove refuses a customer that another area's facts refer to", "[customers]") {
  Store s = test_store();
  Customers cs(s);
  std::int64_t id = cs.create(basic("F-1"));
  // Stands in for another area's fact table (points ledger, survey responses).
  crmkit::detail::connection_of(s).db.exec("CREATE TABLE other_facts(customer_id INTEGER NOT NULL REFERENCES customers(id))");
  crmkit::detail::connection_of(s).db.exec("INSERT INTO other_facts VALUES (" + std::to_string(id) + ")");
  const std::string before = store_checksum(s);
  expect_error([&] { cs.remove(id); }, Errc::conflict, "referenced by other facts");
  CHECK(store_checksum(s) == before);
  crmkit::detail::connection_of(s).db.exec("DELETE FROM other_facts");
  cs.remove(id);
  CHECK(cs.count() == 0);
}
