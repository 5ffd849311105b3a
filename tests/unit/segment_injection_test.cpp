// Hostile rules: values, field names, attribute paths, segment names and JSON shapes meant to
// break out of the SQL. Each gives the right answer or a specific error; the schema and the row
// counts never change, and explain's SQL never contains the user's text.
#include <catch2/catch.hpp>

#include <nlohmann/json.hpp>

#include "crmkit/error.hpp"
#include "crmkit/segment.hpp"
#include "segment_world.hpp"
#include "segments/rule.hpp"

using crmkit::Errc;
using crmkit::Error;
using nlohmann::json;

namespace {

struct Snapshot {
  std::int64_t objects, customers, interactions, tags, segments;
  bool operator==(const Snapshot& o) const {
    return objects == o.objects && customers == o.customers && interactions == o.interactions && tags == o.tags &&
           segments == o.segments;
  }
};

Snapshot snapshot(crmkit::Store& s) {
  auto& db = crmkit::detail::connection_of(s).db;
  auto n = [&](const char* sql) { return static_cast<std::int64_t>(db.execAndGet(sql).getInt64()); };
  // The tenant's schema objects: SQLite's schema table, or the relations of the tenant's schema.
  const char* objects = crmkit::detail::connection_of(s).backend() == crmkit::detail::Backend::postgres
                            ? "SELECT count(*) FROM pg_class WHERE relnamespace = "
                              "(SELECT oid FROM pg_namespace WHERE nspname = current_schema())"
                            : "SELECT count(*) FROM sqlite_schema";
  return {n(objects), n("SELECT count(*) FROM customers"),
          n("SELECT count(*) FROM interactions"), n("SELECT count(*) FROM customer_tags"),
          n("SELECT count(*) FROM segments")};
}

const std::vector<std::string>& hostile_strings() {
  static const std::vector<std::string> v{
      "'; DROP TABLE customers; --",
      "\" OR 1=1 --",
      "') OR ('1'='1",
      "x' UNION SELECT id FROM customers --",
      "/* comment */",
      "-- comment",
      ";",
      "%",
      "_",
      "\\",
      "%%__\\\\",
      "a%b_c",
      "O'Hara",
      "Köln",
      "😀 emoji",
      "\xE2\x80\xAE right-to-left",
      "tab\there",
      "line\nbreak",
      "?1",
      "?",
      ":name @x $y",
      "json_extract(c.attributes, '$')",
      "c.id",
      std::string(1000, 'A'),
  };
  return v;
}

}  // namespace

TEST_CASE("hostile values are bound, matched literally and never reach the SQL text", "[segments][injection]") {
  const auto world = segtest::World::make(7, 80, 4);
  crmkit::Store store = segtest::store_of(world);
  // Customers whose city is one of the hostile strings.
  {
    auto up_st = crmkit::detail::connection_of(store).db.statement("UPDATE customers SET city = ? WHERE id = ?");
    auto& up = *up_st;
    for (std::size_t i = 0; i < hostile_strings().size(); ++i) {
      up.reset();
      up.bind(1, hostile_strings()[i]);
      up.bind(2, static_cast<int64_t>(i + 1));
      up.exec();
    }
  }
  crmkit::Segments segs(store);
  const Snapshot before = snapshot(store);
  for (const auto& v : hostile_strings()) {
    INFO("value " << json(v).dump());
    // Expected matches computed here from the stored cities.
    std::vector<std::int64_t> eq, contains, starts, ends;
    auto all_st = crmkit::detail::connection_of(store).db.statement("SELECT id, city FROM customers WHERE city IS NOT NULL ORDER BY id");
    auto& all = *all_st;
    while (all.executeStep()) {
      std::string city = all.getColumn(1).getString();
      std::int64_t id = all.getColumn(0).getInt64();
      if (city == v) eq.push_back(id);
      if (city.find(v) != std::string::npos) contains.push_back(id);
      if (city.rfind(v, 0) == 0) starts.push_back(id);
      if (city.size() >= v.size() && city.compare(city.size() - v.size(), v.size(), v) == 0) ends.push_back(id);
    }
    auto run = [&](const char* op, const json& value) {
      json r{{"field", "city"}, {"op", op}, {"value", value}};
      // The SQL text does not depend on the value at all: only the parameters do.
      json benign = r;
      benign["value"] = value.is_array() ? json::array({"zz", "zzz"}) : json("zz");
      auto e = segs.explain(r.dump(), 0);
      CHECK(e.sql == segs.explain(benign.dump(), 0).sql);
      if (v != "?1" && v != "c.id" && v != "?") CHECK(e.sql.find(v) == std::string::npos);
      return segs.evaluate(r.dump(), 0);
    };
    CHECK(run("eq", v) == eq);
    CHECK(run("contains", v) == contains);
    CHECK(run("starts_with", v) == starts);
    CHECK(run("ends_with", v) == ends);
    CHECK(run("in", json::array({v, "zzz"})) == eq);
    // The text form carries the same value.
    json t = crmkit::segments::rule_from_text("city = " + json(v).dump());
    CHECK(segs.evaluate(t.dump(), 0) == eq);
    // Tags and attributes with the same value.
    if (v.size() <= 100) CHECK(segs.count(json{{"field", "tags"}, {"op", "contains"}, {"value", v}}.dump(), 0) == 0);
    CHECK(segs.count(json{{"field", "attributes.tier"}, {"op", "eq"}, {"value", v}}.dump(), 0) == 0);
  }
  CHECK(snapshot(store) == before);
}

TEST_CASE("hostile field names, attribute paths, segment names and JSON shapes give specific errors",
          "[segments][injection]") {
  crmkit::Store store = segtest::store_of(segtest::World::make(3, 20, 3));
  crmkit::Segments segs(store);
  segs.create("club", crmkit::SegmentKind::manual_static, "");
  const Snapshot before = snapshot(store);
  struct Case {
    std::string rule;
    Errc code;
    std::string message_start;
  };
  const std::string deep_json = std::string(5000, '[') + std::string(5000, ']');
  std::string deep_not = "1";
  {
    std::string r = R"({"field":"age","op":"is_set"})";
    for (int i = 0; i < 30; ++i) r = "{\"not\":" + r + "}";
    deep_not = r;
  }
  std::string many_leaves = "{\"all\":[";
  for (int i = 0; i < 201; ++i) many_leaves += std::string(i ? "," : "") + R"({"field":"age","op":"is_set"})";
  many_leaves += "]}";
  std::string big_list = R"({"field":"city","op":"in","value":[)";
  for (int i = 0; i < 1001; ++i) big_list += std::string(i ? "," : "") + "\"x\"";
  big_list += "]}";
  const std::vector<Case> cases{
      {R"({"field":"email; DROP TABLE customers","op":"is_set"})", Errc::invalid_argument, "rule.field: unknown field"},
      {R"({"field":"c.email","op":"is_set"})", Errc::invalid_argument, "rule.field: unknown field 'c.email'"},
      {R"({"field":"email--","op":"is_set"})", Errc::invalid_argument, "rule.field: unknown field"},
      {R"({"field":"EMAIL","op":"is_set"})", Errc::invalid_argument, "rule.field: unknown field"},
      {R"({"field":"attributes.a'b","op":"is_set"})", Errc::invalid_argument, "rule.field: attribute path"},
      {R"({"field":"attributes.$.x","op":"is_set"})", Errc::invalid_argument, "rule.field: attribute path"},
      {R"({"field":"attributes.a[0]","op":"is_set"})", Errc::invalid_argument, "rule.field: attribute path"},
      {R"({"field":"attributes..a","op":"is_set"})", Errc::invalid_argument, "rule.field: attribute path"},
      {R"({"field":"attributes.","op":"is_set"})", Errc::invalid_argument, "rule.field: attribute path"},
      {R"({"field":"attributes.a\"b","op":"is_set"})", Errc::invalid_argument, "rule.field: attribute path"},
      {R"({"field":"attributes.1a","op":"is_set"})", Errc::invalid_argument, "rule.field: attribute path"},
      {R"({"field":"attributes.a.b.c.d.e.f.g.h.i","op":"is_set"})", Errc::invalid_argument,
       "rule.field: attribute path has more than 8 parts"},
      {R"({"field":"attributes.x","op":"eq","value":{"a":1}})", Errc::invalid_argument, "rule.value: expected a string, number or boolean"},
      {R"({"field":"city","op":"LIKE","value":"%"})", Errc::invalid_argument, "rule.op: unknown operator 'LIKE'"},
      {R"({"field":"city","op":"eq; DROP TABLE x","value":"%"})", Errc::invalid_argument, "rule.op: unknown operator"},
      {R"({"field":"city","op":"eq","value":"a\u0000b"})", Errc::invalid_argument, "rule.value: value is not valid UTF-8 or contains NUL"},
      {R"({"field":"city","op":"eq","value":")" + std::string(1001, 'x') + "\"}", Errc::invalid_argument,
       "rule.value: value is longer than 1000 bytes"},
      {R"({"segment":"club'; DROP TABLE segments; --","op":"in"})", Errc::not_found, "rule.segment: segment"},
      {R"({"segment":"","op":"in"})", Errc::invalid_argument, "rule.segment: segment name is empty"},
      {R"({"agg":"count","where":{"kind":"purchase' OR 1=1"},"op":"gt","value":0})", Errc::invalid_argument,
       "rule.where.kind: unknown kind"},
      {R"({"agg":"count","where":{"status":"paid"},"op":"gt","value":0})", Errc::invalid_argument,
       "rule.where: unknown key 'status'"},
      {R"({"agg":"sum(amount)); DROP TABLE x; --","op":"gt","value":0})", Errc::invalid_argument, "rule.agg:"},
      {R"({"agg":"sum","of":"margin","op":"gt","value":0})", Errc::invalid_argument, "rule.of: unknown measure 'margin'"},
      {R"({"agg":"count","window":{"last":1,"unit":"fortnight"},"op":"gt","value":0})", Errc::invalid_argument,
       "rule.window.unit: unknown unit"},
      {R"({"agg":"count","window":{"last":1e3,"unit":"day"},"op":"gt","value":0})", Errc::invalid_argument,
       "rule.window.last: expected a whole number"},
      {R"({"agg":"count","window":{"last":99999999999999999999,"unit":"day"},"op":"gt","value":0})",
       Errc::invalid_argument, "rule.window.last"},
      {R"({"agg":"count","window":{"last":-1,"unit":"day"},"op":"gt","value":0})", Errc::invalid_argument,
       "rule.window.last: must be between"},
      {R"({"field":"monetary_total","op":"gt","value":"1; DROP"})", Errc::invalid_argument, "rule.value: '1; DROP' is not a decimal amount"},
      {R"({"field":"monetary_total","op":"gt","value":"1.234"})", Errc::invalid_argument, "rule.value:"},
      {R"({"field":"monetary_total","op":"gt","value":1e300})", Errc::invalid_argument, "rule.value:"},
      {R"({"field":"created_at","op":"gt","value":"1700000000000"})", Errc::invalid_argument, "rule.value: '1700000000000' is not a date"},
      {R"({"field":"created_at","op":"gt","value":"2024-01-01'); DROP"})", Errc::invalid_argument, "rule.value:"},
      {"[]", Errc::invalid_argument, "rule: expected an object, got array"},
      {"\"all\"", Errc::invalid_argument, "rule: expected an object, got string"},
      {"null", Errc::invalid_argument, "rule: expected an object, got null"},
      {"1", Errc::invalid_argument, "rule: expected an object, got number"},
      {"{}", Errc::invalid_argument, "rule: expected a group"},
      {R"({"all":{}})", Errc::invalid_argument, "rule.all: expected an array of rules, got object"},
      {R"({"all":[1]})", Errc::invalid_argument, "rule.all[0]: expected an object, got number"},
      {R"({"not":[]})", Errc::invalid_argument, "rule.not: expected an object, got array"},
      {R"({"all":[],"any":[]})", Errc::invalid_argument, "rule: a node has either 'all' or 'any'"},
      {R"({"field":1,"op":"eq","value":1})", Errc::invalid_argument, "rule.field: expected field name (a string), got number"},
      {R"({"field":"age","op":"eq","value":[1]})", Errc::invalid_argument, "rule.value: expected a number"},
      {R"({"field":"age","op":"in","value":"1"})", Errc::invalid_argument, "rule.value: operator in needs a list"},
      {R"({"field":"age","op":"eq","value":true})", Errc::invalid_argument, "rule.value: expected a number"},
      {R"({"field":"age","op":"eq","value":null})", Errc::invalid_argument, "rule.value: expected a number"},
      {R"({"field":"age","op":"eq"})", Errc::invalid_argument, "rule.value: operator eq needs a value"},
      {R"({"field":"age","value":1})", Errc::invalid_argument, "rule.op: missing operator"},
      {R"({"field":"age","op":"eq","value":1} trailing)", Errc::invalid_argument, "rule: not valid JSON"},
      {"\xff\xfe{}", Errc::invalid_argument, "rule: rule text is not valid UTF-8"},
      {deep_json, Errc::invalid_argument, "rule: rule nests deeper than 24 levels"},
      {deep_not, Errc::invalid_argument, "rule"},
      {many_leaves, Errc::invalid_argument, "rule.all: more than 200 children"},
      {big_list, Errc::invalid_argument, "rule.value: list has more than 1000 values"},
      {std::string(300 * 1024, ' ') + "{}", Errc::invalid_argument, "rule: rule text is longer than"},
  };
  for (const auto& c : cases) {
    INFO("rule " << c.rule.substr(0, 200));
    bool threw = false;
    try {
      segs.count(c.rule, 0);
    } catch (const Error& e) {
      threw = true;
      CHECK(e.code() == c.code);
      CHECK_THAT(std::string(e.what()), Catch::StartsWith(c.message_start));
    }
    CHECK(threw);
    // Saving the same rule fails the same way and writes nothing.
    CHECK_THROWS_AS(segs.create("bad", crmkit::SegmentKind::dynamic, c.rule), Error);
  }
  CHECK(snapshot(store) == before);
}

TEST_CASE("hostile text-form rules give specific errors", "[segments][injection]") {
  const std::vector<std::pair<std::string, std::string>> cases{
      {"city = 'x'", "rule text at offset 7: unexpected character '''"},
      {"city = \"x\" -- comment", "rule text at offset 11: unexpected '-'"},
      {"city = \"x\" /* c */", "rule text at offset 11: unexpected character '/'"},
      {"city = \"x\"; DROP TABLE customers", "rule text at offset 10: unexpected character ';'"},
      {"city = \"unterminated", "rule text at offset 7: unterminated string"},
      {"city = \"bad \\q escape\"", "rule text at offset 7: bad literal"},
      {"city == \"x\"", "rule text at offset 6: expected a value"},
      {"(((((city = \"x\"", "rule text at offset 15: expected ')'"},
      {std::string(100, '(') + "city is set" + std::string(100, ')'), "rule text at offset"},
      {std::string(100, 'n') == "" ? "" : [] { std::string s; for (int i = 0; i < 100; ++i) s += "not "; return s + "city is set"; }(),
       "rule text at offset"},
      {"count(purchase, last 6 months, last 1 day) > 1", "rule text at offset 31: a second window"},
      {"sum(purchase) > 1", "rule text at offset 4: expected 'amount'"},
      {"\"city\" = \"x\"", "rule text at offset 0: expected a condition"},
      {"city = \"x\" and", "rule text at offset 14: expected a condition"},
      {"city in [\"a\", ]", "rule text at offset 14: expected a value"},
      {"attributes.a'b = 1", "rule text at offset 12: unexpected character '''"},
      {"attributes.a..b = 1", "rule.field: attribute path"},
      {"drop = 1", "rule.field: unknown field 'drop'"},
  };
  for (const auto& [text, start] : cases) {
    INFO("text " << text);
    try {
      crmkit::segments::rule_from_text(text);
      FAIL("no error");
    } catch (const Error& e) {
      CHECK(e.code() == Errc::invalid_argument);
      CHECK_THAT(std::string(e.what()), Catch::StartsWith(start));
    }
  }
}
