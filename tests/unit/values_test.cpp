// Values kept as given: ISO 4217 currencies with their minor units (one table, checked at every
// entry), and numbers in attribute JSON and segment rules (refused rather than rounded).
#include <catch2/catch.hpp>

#include <sys/wait.h>

#include <algorithm>
#include <cstdio>
#include <fstream>
#include <functional>
#include <string>

#include <nlohmann/json.hpp>

#include "test_store.hpp"
#include "base/checks.hpp"
#include "crmkit/customer.hpp"
#include "crmkit/error.hpp"
#include "crmkit/interaction.hpp"
#include "crmkit/money.hpp"
#include "crmkit/segment.hpp"
#include "crmkit/store.hpp"
#include "temp_dir.hpp"
#include "test_paths.hpp"  // CRMKIT_SHARED_DATA, CRMKIT_CLI, CRMKIT_CHILD (generated)

using crmkit::Errc;
using crmkit::Error;

namespace {

// The message of the Error f throws with invalid_argument; "(no error)" or "(other code)".
std::string refusal(const std::function<void()>& f) {
  try {
    f();
  } catch (const Error& e) {
    return e.code() == Errc::invalid_argument ? e.what() : "(other code)";
  }
  return "(no error)";
}

}  // namespace

TEST_CASE("currencies are the ISO 4217 list with their minor units", "[values]") {
  for (const char* fake : {"ABC", "ZZZ", "usd", "US", "USDD", "", "HRK", "XYZ"}) {
    INFO(fake);
    CHECK_FALSE(crmkit::is_currency_code(fake));
  }
  const auto codes = crmkit::currency_codes();
  CHECK(codes.size() >= 175);
  CHECK(std::is_sorted(codes.begin(), codes.end()));
  CHECK(std::adjacent_find(codes.begin(), codes.end()) == codes.end());
  for (auto c : codes) {
    INFO(c);
    CHECK(crmkit::is_currency_code(c));
    CHECK(c.size() == 3);
    CHECK(std::all_of(c.begin(), c.end(), [](char ch) { return ch >= 'A' && ch <= 'Z'; }));
    const int e = crmkit::currency_exponent(c);
    CHECK((e >= 0 && e <= 4));
  }
  const std::pair<const char*, int> expected[] = {
      {"USD", 2}, {"EUR", 2}, {"JPY", 0}, {"KRW", 0}, {"KWD", 3}, {"BHD", 3}, {"TND", 3}, {"CLF", 4},
      {"UYW", 4}, {"CLP", 0}, {"XAF", 0}, {"XCG", 2}, {"ZWG", 2}, {"CHE", 2}, {"USN", 2}, {"BOV", 2},
      // ISO gives these no minor unit ("N.A."): counted in whole units.
      {"XAU", 0}, {"XAG", 0}, {"XPT", 0}, {"XPD", 0}, {"XDR", 0}, {"XTS", 0}, {"XXX", 0}, {"XBA", 0}};
  for (const auto& [code, units] : expected) {
    INFO(code);
    CHECK(crmkit::is_currency_code(code));
    CHECK(crmkit::currency_exponent(code) == units);
  }
}

TEST_CASE("the currency's minor units decide how many decimals an amount may have", "[values]") {
  using crmkit::parse_amount;
  CHECK(parse_amount("1.2345", "CLF") == 12345);
  CHECK(parse_amount("7", "UYW") == 70000);
  CHECK_THAT(refusal([] { parse_amount("1.23456", "CLF"); }), Catch::Contains("more decimals than CLF allows (4)"));
  CHECK(parse_amount("1.234", "KWD") == 1234);
  CHECK_THAT(refusal([] { parse_amount("1.2345", "KWD"); }), Catch::Contains("KWD allows (3)"));
  CHECK(parse_amount("500", "JPY") == 500);
  CHECK_THAT(refusal([] { parse_amount("5.5", "JPY"); }), Catch::Contains("JPY allows (0)"));
  CHECK(parse_amount("3", "XAU") == 3);
  CHECK_THAT(refusal([] { parse_amount("0.5", "XAU"); }), Catch::Contains("XAU allows (0)"));
  CHECK(parse_amount("12.34", "USD") == 1234);
  CHECK_THAT(refusal([] { parse_amount("12.34", "ABC"); }), Catch::Contains("currency 'ABC' is not an ISO 4217 code"));
  CHECK_THAT(refusal([] { parse_amount("12", "ZZZ"); }), Catch::Contains("'ZZZ' is not an ISO 4217 code"));
}

TEST_CASE("a fake currency is refused wherever a currency enters and nothing is written", "[values]") {
  crmkit::Store store = test_store();
  crmkit::Customers customers(store);
  crmkit::Interactions interactions(store);
  crmkit::CustomerFields f;
  f.external_id = "c1";
  f.created_at = 0;
  const std::int64_t id = customers.create(f);
  for (const char* fake : {"ABC", "ZZZ"}) {
    INFO(fake);
    CHECK_THAT(refusal([&] { store.set_default_currency(fake); }), Catch::Contains("not an ISO 4217 currency code"));
    CHECK(store.default_currency() == "USD");
    crmkit::CustomerFields g;
    g.external_id = std::string("c-") + fake;
    g.created_at = 0;
    g.acquisition_cost = crmkit::Money{100, fake};
    CHECK_THAT(refusal([&] { customers.create(g); }), Catch::Contains("not an ISO 4217 currency code"));
    crmkit::Interaction i;
    i.customer_id = id;
    i.occurred_at = 1;
    i.kind = crmkit::InteractionKind::purchase;
    i.amount = crmkit::Money{100, fake};
    CHECK_THAT(refusal([&] { interactions.record(i); }), Catch::Contains("not an ISO 4217 currency code"));
  }
  CHECK(customers.count() == 1);
  store.set_default_currency("CLF");
  CHECK(store.default_currency() == "CLF");
  crmkit::Interaction i;
  i.customer_id = id;
  i.occurred_at = 1;
  i.kind = crmkit::InteractionKind::purchase;
  i.amount = crmkit::Money{12345, "UYW"};
  CHECK(interactions.get(interactions.record(i)).amount->currency == "UYW");
}

TEST_CASE("attribute numbers are kept exactly or refused naming their path", "[values]") {
  using crmkit::detail::canonical_json_object;
  // Kept: every 64-bit integer, and decimals a double gives back digit for digit.
  CHECK(canonical_json_object("attributes", R"({"order":12345678901234567890})") == R"({"order":12345678901234567890})");
  CHECK(canonical_json_object("attributes", R"({"n":-9223372036854775808})") == R"({"n":-9223372036854775808})");
  CHECK(canonical_json_object("attributes", R"({"price":0.1})") == R"({"price":0.1})");
  CHECK(canonical_json_object("attributes", R"({"x":0.30000000000000004})") == R"({"x":0.30000000000000004})");
  CHECK(canonical_json_object("attributes", R"({"x":1e300})") == R"({"x":1e+300})");
  // Same value, canonical spelling.
  CHECK(canonical_json_object("attributes", R"({"x":1.50})") == R"({"x":1.5})");
  CHECK(canonical_json_object("attributes", R"({"x":-0})") == R"({"x":0})");
  // Refused: what would come back different.
  CHECK_THAT(refusal([] { canonical_json_object("attributes", R"({"order":123456789012345678901})"); }),
             Catch::Contains("attributes.order is the number 123456789012345678901, which cannot be stored exactly "
                             "(it would become 1.2345678901234568e+20)"));
  CHECK_THAT(refusal([] { canonical_json_object("attributes", R"({"n":-9223372036854775809})"); }),
             Catch::Contains("attributes.n is the number -9223372036854775809"));
  CHECK_THAT(refusal([] { canonical_json_object("attributes", R"({"x":0.12345678901234567890})"); }),
             Catch::Contains("attributes.x is the number 0.12345678901234567890"));
  CHECK_THAT(refusal([] { canonical_json_object("attributes", R"({"x":1e-400})"); }),
             Catch::Contains("attributes.x is the number 1e-400, which cannot be stored exactly (it would become 0.0)"));
  CHECK_THAT(refusal([] { canonical_json_object("attributes", R"({"a":[1,{"b":2},{"c":[0,99999999999999999999]}]})"); }),
             Catch::Contains("attributes.a[2].c[1] is the number 99999999999999999999"));
  CHECK_THAT(refusal([] { canonical_json_object("attributes", R"({"x":1e400})"); }), Catch::Contains("number overflow"));

  // Through the stores: refused and nothing written; what is accepted reads back as given.
  crmkit::Store store = test_store();
  crmkit::Customers customers(store);
  crmkit::CustomerFields f;
  f.external_id = "c1";
  f.created_at = 0;
  f.attributes = R"({"order":12345678901234567890,"price":0.1})";
  const std::int64_t id = customers.create(f);
  CHECK(customers.get(id).attributes == R"({"order":12345678901234567890,"price":0.1})");
  crmkit::CustomerFields u;
  u.attributes = R"({"order":123456789012345678901})";
  CHECK_THAT(refusal([&] { customers.update(id, u, 1); }), Catch::Contains("attributes.order is the number"));
  CHECK(customers.get(id).attributes == R"({"order":12345678901234567890,"price":0.1})");
  crmkit::Interactions interactions(store);
  crmkit::Interaction i;
  i.customer_id = id;
  i.occurred_at = 1;
  i.kind = crmkit::InteractionKind::note;
  i.attributes = R"({"ref":{"n":1.00000000000000000001}})";
  CHECK_THAT(refusal([&] { interactions.record(i); }), Catch::Contains("attributes.ref.n is the number"));
  i.attributes = R"({"ref":{"n":12345678901234567890}})";
  CHECK(*interactions.get(interactions.record(i)).attributes == R"({"ref":{"n":12345678901234567890}})");
}

TEST_CASE("segment rule numbers are refused rather than saved rounded", "[values]") {
  crmkit::Store store = test_store();
  crmkit::Segments segs(store);
  CHECK_THAT(refusal([&] {
               segs.create("big", crmkit::SegmentKind::dynamic,
                           R"({"field":"attributes.order","op":"eq","value":123456789012345678901})", "");
             }),
             Catch::Contains("rule.value is the number 123456789012345678901"));
  CHECK(segs.list().empty());
  auto s = segs.create("ok", crmkit::SegmentKind::dynamic,
                       R"({"field":"attributes.order","op":"eq","value":12345678901234567890})", "");
  CHECK(s.rule.find("12345678901234567890") != std::string::npos);
}

TEST_CASE("cli: CSV import refuses fake currencies and decimals the currency does not have", "[values][cli]") {
  TempDir dir;
  std::ofstream(dir.file("in.csv"), std::ios::binary)
      << "customer_external_id,occurred_at,channel,kind,amount,currency\n"
         "A1,2024-03-01,web,purchase,10.50,ABC\n"    // 2 fake
         "A1,2024-03-02,web,purchase,3,ZZZ\n"        // 3 fake
         "A1,2024-03-03,web,purchase,1.2345,CLF\n"   // 4 ok: CLF has 4 decimals
         "A1,2024-03-04,web,purchase,1.5,JPY\n";     // 5 JPY has none
  const std::string cmd = "cd '" + dir.path.string() + "' && '" CRMKIT_CLI
                          "' import interactions --db t.db in.csv --create-customers --json 2>/dev/null";
  FILE* p = ::popen(cmd.c_str(), "r");
  REQUIRE(p != nullptr);
  std::string out;
  char buf[4096];
  for (std::size_t n; (n = std::fread(buf, 1, sizeof buf, p)) > 0;) out.append(buf, n);
  ::pclose(p);
  INFO(out);
  const auto j = nlohmann::json::parse(out);
  CHECK(j["imported"] == 1);
  REQUIRE(j["errors"].size() == 3);
  CHECK(j["errors"][0]["line"] == 2);
  CHECK_THAT(j["errors"][0]["message"].get<std::string>(), Catch::Contains("currency 'ABC' is not an ISO 4217 code"));
  CHECK(j["errors"][1]["line"] == 3);
  CHECK_THAT(j["errors"][1]["message"].get<std::string>(), Catch::Contains("'ZZZ' is not an ISO 4217 code"));
  CHECK(j["errors"][2]["line"] == 5);
  CHECK_THAT(j["errors"][2]["message"].get<std::string>(), Catch::Contains("JPY allows (0)"));
}
