// Segments: reference cases for time rules (ages, month-end and leap-day windows), rule errors
// with node paths, the text form, and saved segments (versions, refresh, history, static lists,
// references and cycles).
#include <catch2/catch.hpp>

#include <nlohmann/json.hpp>

#include "test_store.hpp"
#include "crmkit/error.hpp"
#include "crmkit/segment.hpp"
#include "segment_world.hpp"
#include "segments/rule.hpp"
#include "temp_dir.hpp"

using crmkit::Errc;
using crmkit::Error;
using crmkit::Instant;
using crmkit::Segments;
using nlohmann::json;
using segtest::ms_of;

namespace {

Instant end_of(int y, int m, int d) { return crmkit::end_of_day(crmkit::day_from_civil({y, m, d})); }

struct Shop {
  crmkit::Store store = test_store();
  Segments segs{store};
  void customer(std::int64_t id, const char* birth = nullptr, const char* city = nullptr) {
    auto st_st = crmkit::detail::connection_of(store).db.statement("INSERT INTO customers(id, created_at, updated_at, birth_date, city) VALUES (?, 0, 0, ?, ?)");
    auto& st = *st_st;
    st.bind(1, static_cast<int64_t>(id));
    if (birth) st.bind(2, birth); else st.bind(2);
    if (city) st.bind(3, city); else st.bind(3);
    st.exec();
  }
  void purchase(std::int64_t id, Instant at, std::int64_t cents = 1000, const char* cur = "USD") {
    auto st_st = crmkit::detail::connection_of(store).db.statement("INSERT INTO interactions(customer_id, occurred_at, channel, kind, amount, currency) "
                         "VALUES (?, ?, 'web', 'purchase', ?, ?)");
    auto& st = *st_st;
    st.bind(1, static_cast<int64_t>(id));
    st.bind(2, static_cast<int64_t>(at));
    st.bind(3, static_cast<int64_t>(cents));
    st.bind(4, cur);
    st.exec();
  }
  std::vector<std::int64_t> ids(const json& rule, Instant as_of, bool strict = false) {
    crmkit::RuleOptions o;
    o.strict_nulls = strict;
    return segs.evaluate(rule.dump(), as_of, o);
  }
};

json age_eq(int n) { return json{{"field", "age"}, {"op", "eq"}, {"value", n}}; }

json count_last(int n, const char* unit) {
  return json{{"agg", "count"}, {"where", {{"kind", "purchase"}}}, {"window", {{"last", n}, {"unit", unit}}},
              {"op", "gte"}, {"value", 1}};
}

std::string error_of(const std::function<void()>& f, Errc* code = nullptr) {
  try {
    f();
  } catch (const Error& e) {
    if (code) *code = e.code();
    return e.what();
  }
  return "(no error)";
}

}  // namespace

TEST_CASE("age is completed years on the as-of day, with 29 February birthdays on 1 March", "[segments]") {
  Shop s;
  s.customer(1, "1990-06-16");  // METRICS.md §2: 33 on 2024-06-15
  s.customer(2, "1990-06-15");  // birthday on the as-of day: 34
  s.customer(3, "2000-02-29");
  s.customer(4);                // no birth date: age missing
  CHECK(s.ids(age_eq(33), end_of(2024, 6, 15)) == std::vector<std::int64_t>{1});
  CHECK(s.ids(age_eq(34), end_of(2024, 6, 15)) == std::vector<std::int64_t>{2});
  CHECK(s.ids(age_eq(22), end_of(2023, 2, 28)) == std::vector<std::int64_t>{3});
  CHECK(s.ids(age_eq(23), end_of(2023, 3, 1)) == std::vector<std::int64_t>{3});
  CHECK(s.ids(age_eq(24), end_of(2024, 2, 29)) == std::vector<std::int64_t>{3});
  CHECK(s.ids(age_eq(23), end_of(2024, 2, 28)) == std::vector<std::int64_t>{3});
  // Missing age: `ne` matches it by default, not in strict mode.
  json ne{{"field", "age"}, {"op", "ne"}, {"value", 33}};
  CHECK(s.ids(ne, end_of(2024, 6, 15)) == std::vector<std::int64_t>{2, 3, 4});
  CHECK(s.ids(ne, end_of(2024, 6, 15), true) == std::vector<std::int64_t>{2, 3});
  CHECK(s.ids(json{{"not", age_eq(33)}}, end_of(2024, 6, 15)) == std::vector<std::int64_t>{2, 3, 4});
  CHECK(s.ids(json{{"not", age_eq(33)}}, end_of(2024, 6, 15), true) == std::vector<std::int64_t>{2, 3});
}

TEST_CASE("month windows clamp to the month's end instead of SQLite's date() overflow", "[segments]") {
  Shop s;
  for (int i = 1; i <= 6; ++i) s.customer(i);
  s.purchase(1, ms_of(2024, 2, 29));              // first instant of a 6-month window ending 2024-08-31 00:00
  s.purchase(2, ms_of(2024, 2, 29) - 1);          // one ms earlier
  s.purchase(3, ms_of(2024, 3, 2));               // SQLite's date('2024-08-31','-6 months') = 2024-03-02
  s.purchase(4, ms_of(2024, 8, 31));              // exactly as_of: outside [lo, as_of)
  s.purchase(5, ms_of(2024, 6, 30) + 43'200'000); // 2024-06-30 12:00, inside Dec 31 - 6 months (SQLite: Jul 1)
  s.purchase(6, ms_of(2023, 2, 28));              // 2024-02-29 minus 1 year = 2023-02-28 (clamped)
  // as_of date 2024-08-30 is the instant 2024-08-31 00:00.
  CHECK(s.ids(count_last(6, "month"), end_of(2024, 8, 30)) == std::vector<std::int64_t>{1, 3, 5});
  CHECK(s.ids(count_last(6, "month"), end_of(2024, 8, 31)) == std::vector<std::int64_t>{3, 4, 5});
  CHECK(s.ids(count_last(6, "month"), end_of(2024, 12, 30)) == std::vector<std::int64_t>{4, 5});
  CHECK(s.ids(count_last(1, "year"), end_of(2024, 2, 28)) == std::vector<std::int64_t>{2, 6});
  CHECK(s.ids(count_last(12, "month"), end_of(2024, 2, 28)) == std::vector<std::int64_t>{2, 6});
  CHECK(s.ids(count_last(1, "day"), end_of(2024, 2, 29)) == std::vector<std::int64_t>{1});
  CHECK(s.ids(count_last(1, "week"), end_of(2024, 3, 1)) == std::vector<std::int64_t>{1, 2});
  // A date window covers whole days: [from 00:00, to + 1 day 00:00).
  json range{{"agg", "count"}, {"window", {{"from", "2024-02-29"}, {"to", "2024-02-29"}}}, {"op", "gte"}, {"value", 1}};
  CHECK(s.ids(range, end_of(2030, 1, 1)) == std::vector<std::int64_t>{1});
  range["window"] = {{"from", "2024-02-28"}, {"to", "2024-03-01"}};
  CHECK(s.ids(range, end_of(2030, 1, 1)) == std::vector<std::int64_t>{1, 2});
}

TEST_CASE("amounts in rules are major units of the default currency, other currencies are ignored", "[segments]") {
  Shop s;
  s.customer(1);
  s.customer(2);
  s.customer(3);
  s.purchase(1, ms_of(2024, 1, 10), 1250);
  s.purchase(1, ms_of(2024, 1, 11), 750);
  s.purchase(2, ms_of(2024, 1, 10), 999999, "EUR");
  json sum{{"agg", "sum"}, {"of", "amount"}, {"op", "eq"}, {"value", "20.00"}};
  CHECK(s.ids(sum, end_of(2024, 12, 31)) == std::vector<std::int64_t>{1});
  json avg{{"agg", "avg"}, {"of", "amount"}, {"op", "eq"}, {"value", 10}};
  CHECK(s.ids(avg, end_of(2024, 12, 31)) == std::vector<std::int64_t>{1});
  // avg over no rows is missing: `ne` matches it by default, never in strict mode.
  avg["op"] = "ne";
  CHECK(s.ids(avg, end_of(2024, 12, 31)) == std::vector<std::int64_t>{2, 3});
  CHECK(s.ids(avg, end_of(2024, 12, 31), true).empty());
  json max{{"agg", "max"}, {"of", "amount"}, {"op", "between"}, {"value", {12.5, "12.50"}}};
  CHECK(s.ids(max, end_of(2024, 12, 31)) == std::vector<std::int64_t>{1});
  s.store.set_default_currency("EUR");
  sum["value"] = 9999.99;
  CHECK(s.ids(sum, end_of(2024, 12, 31)) == std::vector<std::int64_t>{2});
  s.store.set_default_currency("JPY");
  Errc code;
  CHECK_THAT(error_of([&] { s.ids(sum, 0); }, &code), Catch::Contains("rule.value"));
  CHECK(code == Errc::invalid_argument);
}

TEST_CASE("rule errors name the node path and the reason", "[segments]") {
  auto err = [](const std::string& text) {
    return error_of([&] { crmkit::segments::parse_rule(text); });
  };
  CHECK_THAT(err(R"({"all":[{"field":"gender","op":"eq","value":"F"},{"field":"age","op":"is_set"},
               {"field":"age","op":"eq","value":"thirty"}]})"),
             Catch::StartsWith("rule.all[2].value: expected a number"));
  CHECK_THAT(err(R"({"field":"tags","op":"eq","value":"vip"})"),
             Catch::StartsWith("rule.op: operator eq does not apply to tags field tags"));
  CHECK_THAT(err(R"({"any":[{"not":{"field":"nope","op":"eq","value":1}}]})"),
             Catch::StartsWith("rule.any[0].not.field: unknown field 'nope'"));
  CHECK_THAT(err(R"({"field":"created_at","op":"in","value":["2024-01-01"]})"),
             Catch::StartsWith("rule.op: operator in does not apply to time field created_at"));
  CHECK_THAT(err(R"({"field":"age","op":"between","value":[1]})"), Catch::StartsWith("rule.value: operator between"));
  CHECK_THAT(err(R"({"field":"age","op":"is_set","value":1})"), Catch::StartsWith("rule.value: operator is_set takes no value"));
  CHECK_THAT(err(R"({"agg":"count","of":"amount","op":"gt","value":1})"), Catch::StartsWith("rule.of: count takes no"));
  CHECK_THAT(err(R"({"agg":"sum","op":"gt","value":1})"), Catch::StartsWith("rule.of: sum needs"));
  CHECK_THAT(err(R"({"agg":"count","window":{"last":0,"unit":"day"},"op":"gt","value":1})"),
             Catch::StartsWith("rule.window.last: must be between 1 and"));
  CHECK_THAT(err(R"({"agg":"count","window":{"from":"2024-02-30","to":"2024-03-01"},"op":"gt","value":1})"),
             Catch::StartsWith("rule.window.from:"));
  CHECK_THAT(err(R"({"agg":"count","where":{"kind":["purchase","bogus"]},"op":"gt","value":1})"),
             Catch::StartsWith("rule.where.kind[1]: unknown kind 'bogus'"));
  CHECK_THAT(err(R"({"segment":"vip","op":"eq"})"), Catch::StartsWith("rule.op: operator eq does not apply to a segment"));
  CHECK_THAT(err(R"({"field":"birth_date","op":"lt","value":"2024-13-01"})"), Catch::StartsWith("rule.value:"));
  CHECK_THAT(err(R"({"field":"age","op":"eq","value":1,"extra":2})"), Catch::StartsWith("rule: unknown key 'extra'"));
  CHECK_THAT(err(R"({"field":"age","all":[]})"), Catch::StartsWith("rule: a node has either"));
  CHECK_THAT(err("{"), Catch::StartsWith("rule: not valid JSON"));
}

TEST_CASE("the text form parses the documented example and prints canonically", "[segments]") {
  const std::string text =
      "gender = \"F\" and age between 30 and 39 and count(purchase, last 6 months) >= 3";
  json r = crmkit::segments::rule_from_text(text);
  json want = json::parse(R"({"all":[{"field":"gender","op":"eq","value":"F"},
      {"field":"age","op":"between","value":[30,39]},
      {"agg":"count","where":{"kind":"purchase"},"window":{"last":6,"unit":"month"},"op":"gte","value":3}]})");
  CHECK(r == want);
  CHECK(crmkit::segments::rule_to_text(r) == text);
  // Non-canonical spacing, keywords and groups print canonically.
  json r2 = crmkit::segments::rule_from_text("(city starts with \"Be\" or  tags contains \"vip\")and not in segment \"x\"");
  CHECK(crmkit::segments::rule_to_text(r2) == "(city starts with \"Be\" or tags contains \"vip\") and not in segment \"x\"");
  json r3 = crmkit::segments::rule_from_text("sum(amount, kind in [\"purchase\", \"refund\"], channel = \"web\", "
                                             "from \"2024-01-01\" to \"2024-03-31\") > 10.5 and all() and "
                                             "any(email is not set) and not (in segment \"vip\")");
  CHECK(crmkit::segments::rule_to_text(r3) ==
        "sum(amount, kind in [\"purchase\", \"refund\"], channel = \"web\", from \"2024-01-01\" to \"2024-03-31\") > "
        "10.5 and all() and any(email is not set) and not (in segment \"vip\")");
  CHECK(r3["all"][3] == json::parse(R"({"not":{"segment":"vip","op":"in"}})"));
  Errc code;
  CHECK_THAT(error_of([&] { crmkit::segments::rule_from_text("gender = "); }, &code),
             Catch::StartsWith("rule text at offset 9: expected a value"));
  CHECK_THAT(error_of([&] { crmkit::segments::rule_from_text("gender = \"F\"; DROP TABLE customers"); }),
             Catch::StartsWith("rule text at offset 12: unexpected character ';'"));
  CHECK_THAT(error_of([&] { crmkit::segments::rule_from_text("age = \"x\""); }),
             Catch::StartsWith("rule.value: expected a number"));
}

TEST_CASE("saved segments: versions, refresh, history, static lists, references", "[segments]") {
  Shop s;
  for (int i = 1; i <= 5; ++i) s.customer(i, nullptr, i <= 2 ? "Berlin" : "Paris");
  auto berlin = R"({"field":"city","op":"eq","value":"Berlin"})";
  auto seg = s.segs.create("berliners", crmkit::SegmentKind::dynamic, berlin, "people in Berlin");
  CHECK(seg.rule_version == 1);
  CHECK(seg.member_count == 0);
  auto r1 = s.segs.refresh("berliners", 1000);
  CHECK(r1.entered == 2);
  CHECK(r1.left == 0);
  CHECK(r1.members == 2);
  // Customer 3 moves to Berlin, customer 1 leaves.
  crmkit::detail::connection_of(s.store).db.exec("UPDATE customers SET city = 'Berlin' WHERE id = 3");
  crmkit::detail::connection_of(s.store).db.exec("UPDATE customers SET city = 'Paris' WHERE id = 1");
  auto r2 = s.segs.refresh("berliners", 2000);
  CHECK(r2.entered == 1);
  CHECK(r2.left == 1);
  auto members = s.segs.members("berliners");
  REQUIRE(members.size() == 2);
  CHECK(members[0].customer_id == 2);
  CHECK(members[1].customer_id == 3);
  CHECK(members[1].entered_at == 2000);
  CHECK(members[1].rule_version == 1);
  auto h = s.segs.history("berliners", 1500, 2500);  // stays that began or ended in [1500, 2500)
  REQUIRE(h.size() == 2);
  CHECK(h[0].customer_id == 1);
  CHECK(h[0].entered_at == 1000);
  CHECK(*h[0].left_at == 2000);
  CHECK(h[1].customer_id == 3);
  CHECK(!h[1].left_at);
  // A refresh may not go back in time; nothing changes.
  Errc code;
  CHECK_THAT(error_of([&] { s.segs.refresh("berliners", 1999); }, &code), Catch::Contains("precedes the last refresh"));
  CHECK(code == Errc::invalid_argument);
  // New version: the next refresh stamps it.
  auto v2 = s.segs.update("berliners", R"({"field":"city","op":"in","value":["Berlin","Paris"]})");
  CHECK(v2.rule_version == 2);
  auto r3 = s.segs.refresh("berliners", 3000);
  CHECK(r3.entered == 3);
  CHECK(r3.members == 5);
  CHECK(s.segs.members("berliners").back().rule_version == 2);
  auto versions = s.segs.versions("berliners");
  REQUIRE(versions.size() == 2);
  CHECK(json::parse(versions[0].rule) == json::parse(berlin));
  // Static segments: by hand, with history.
  s.segs.create("vip", crmkit::SegmentKind::manual_static, "");
  CHECK(s.segs.add_customers("vip", {1, 2}, 5000) == 2);
  CHECK(s.segs.add_customers("vip", {2}, 5001) == 0);
  CHECK(s.segs.remove_customers("vip", {1}, 6000) == 1);
  CHECK_THAT(error_of([&] { s.segs.add_customers("vip", {99}, 6000); }, &code), Catch::Contains("customer 99"));
  CHECK(code == Errc::not_found);
  CHECK_THAT(error_of([&] { s.segs.refresh("vip", 7000); }), Catch::Contains("static"));
  CHECK_THAT(error_of([&] { s.segs.add_customers("berliners", {1}, 7000); }), Catch::Contains("dynamic"));
  auto of2 = s.segs.segments_of(2);
  REQUIRE(of2.size() == 2);
  CHECK(of2[0].segment_name == "berliners");
  CHECK(of2[1].segment_name == "vip");
  CHECK(!of2[1].rule_version);
  // Rules referring to segments use their current members.
  auto uses = s.segs.create("berlin_vips", crmkit::SegmentKind::dynamic,
                            R"({"all":[{"segment":"vip","op":"in"},{"segment":"berliners","op":"in"}]})");
  CHECK(s.segs.count(uses.rule, 0) == 1);
  CHECK_THAT(error_of([&] { s.segs.remove("vip"); }, &code), Catch::Contains("used by the rule of segment 'berlin_vips'"));
  CHECK(code == Errc::conflict);
  // Cycles are refused when saving.
  CHECK_THAT(error_of([&] { s.segs.update("berliners", R"({"segment":"berlin_vips","op":"not_in"})"); }, &code),
             Catch::Contains("cycle"));
  CHECK(code == Errc::conflict);
  CHECK_THAT(error_of([&] { s.segs.update("berlin_vips", R"({"segment":"berlin_vips","op":"in"})"); }, &code),
             Catch::Contains("cycle"));
  CHECK(s.segs.get("berliners").rule_version == 2);
  CHECK_THAT(error_of([&] { s.segs.create("x", crmkit::SegmentKind::dynamic, R"({"segment":"nope","op":"in"})"); }, &code),
             Catch::Contains("unknown segment"));
  CHECK(code == Errc::not_found);
  CHECK_THAT(error_of([&] { s.segs.create("vip", crmkit::SegmentKind::manual_static, ""); }, &code),
             Catch::Contains("already exists"));
  CHECK(code == Errc::conflict);
  CHECK(s.segs.list().size() == 3);
  s.segs.remove("berlin_vips");
  s.segs.remove("vip");
  CHECK(s.segs.list().size() == 1);
  CHECK_THAT(error_of([&] { s.segs.get("vip"); }, &code), Catch::Contains("does not exist"));
  CHECK(code == Errc::not_found);
}

TEST_CASE("as_of outside the years 0001..9999 is refused", "[segments]") {
  Shop s;
  Errc code;
  CHECK_THAT(error_of([&] { s.segs.count(count_last(1, "year").dump(), INT64_MIN); }, &code),
             Catch::Contains("outside the years"));
  CHECK(code == Errc::invalid_argument);
  CHECK_THAT(error_of([&] { s.segs.count(count_last(1, "year").dump(), INT64_MAX); }), Catch::Contains("outside"));
  CHECK(s.segs.count(count_last(1000, "year").dump(), -62135596800000) == 0);  // 0001-01-01
}

TEST_CASE("explain gives numbered placeholders and their values", "[segments]") {
  Shop s;
  auto e = s.segs.explain(R"({"all":[{"field":"gender","op":"eq","value":"F"},
      {"agg":"count","where":{"kind":"purchase"},"window":{"last":6,"unit":"month"},"op":"gte","value":3}]})",
                          end_of(2024, 8, 30));
  CHECK(e.sql.rfind("SELECT c.id FROM customers c WHERE ", 0) == 0);
  REQUIRE(e.params.size() == 5);
  CHECK(e.params[0].text == "F");
  CHECK(e.params[1].integer == ms_of(2024, 2, 29));  // window start, clamped
  CHECK(e.params[2].integer == ms_of(2024, 8, 31));  // as_of
  CHECK(e.params[3].text == "purchase");
  CHECK(e.params[4].integer == 3);
  CHECK(e.sql.find("?5") != std::string::npos);
  CHECK(e.sql.find("purchase") == std::string::npos);
}

TEST_CASE("segment lookups leave no read snapshot open: a second connection's writes are seen", "[segments]") {
  TempDir dir;
  const std::string path = dir.file("two.db");
  crmkit::Store a = crmkit::Store::open(path);
  crmkit::Store b = crmkit::Store::open(path);
  Segments sa(a), sb(b);
  sa.create("first", crmkit::SegmentKind::manual_static, "");
  CHECK(sa.get("first").name == "first");  // a cached lookup, stepped once
  CHECK(sa.list().size() == 1);
  sb.create("second", crmkit::SegmentKind::manual_static, "");
  CHECK(sa.get("second").name == "second");
  CHECK(sa.count(R"({"segment":"second","op":"in"})", 0) == 0);
  sa.create("third", crmkit::SegmentKind::manual_static, "");  // a write after reads: no 'database is locked'
  CHECK(sb.list().size() == 3);
}

namespace {

// The heaviest leaf the compiler emits: a correlated subquery with window and where lists,
// under a negative operator (which adds "x IS NULL OR" in the lenient mode).
json heavy_leaf() {
  return json{{"agg", "sum"},
              {"of", "amount"},
              {"where", {{"kind", {"purchase", "refund"}}}},
              {"window", {{"last", 6}, {"unit", "month"}}},
              {"op", "not_between"},
              {"value", {1, 2}}};
}

// A rule whose leaves sit `depth` groups deep. shape: "not", "all", "any", "mixed" (all, any,
// not in turn), or "twin" (each group's first child is a `not` chain as deep as the rest).
// Groups put the nested part last: the order that leaves the most pending in the SQL parser.
json nested_rule(const std::string& shape, int depth) {
  json r = heavy_leaf();
  for (int level = depth - 1; level >= 0; --level) {
    std::string op = shape == "mixed" ? std::string(level % 3 == 0 ? "all" : level % 3 == 1 ? "any" : "not") : shape;
    if (op == "twin") {
      json chain = json{{"field", "city"}, {"op", "eq"}, {"value", "Berlin"}};
      for (int k = level + 1; k < depth; ++k) chain = json{{"not", chain}};
      r = json{{level % 2 ? "any" : "all", json::array({chain, r})}};
    } else if (op == "not") {
      r = json{{"not", r}};
    } else {
      r = json{{op, json::array({json{{"field", "city"}, {"op", "ne"}, {"value", "Paris"}}, r})}};
    }
  }
  return r;
}

}  // namespace

TEST_CASE("every rule within the nesting limit saves and counts and refreshes in both null modes", "[segments]") {
  Shop s;
  s.customer(1, "1990-01-01", "Berlin");
  s.customer(2, nullptr, "Paris");
  s.customer(3);
  s.purchase(1, 1000, 150);
  const Instant as_of = 100'000;
  int n = 0;
  for (const char* shape : {"not", "all", "any", "mixed", "twin"})
    for (bool strict : {false, true})
      for (int depth = 1; depth <= crmkit::segments::kMaxDepth; ++depth) {
        INFO(shape << " depth " << depth << (strict ? " strict" : " lenient"));
        const std::string rule = nested_rule(shape, depth).dump();
        crmkit::RuleOptions o;
        o.strict_nulls = strict;
        const std::int64_t count = s.segs.count(rule, as_of, o);
        CHECK(count == static_cast<std::int64_t>(s.segs.evaluate(rule, as_of, o).size()));
        const std::string name = "deep" + std::to_string(++n);
        s.segs.create(name, crmkit::SegmentKind::dynamic, rule, "", o);
        CHECK(s.segs.refresh(name, as_of).members == count);
        s.segs.update(name, rule, o);
        CHECK(s.segs.refresh(name, as_of + 1).members == count);
      }
  // One level more is refused when saving, naming the limit, and nothing is saved.
  for (const char* shape : {"not", "all", "any", "mixed", "twin"}) {
    INFO(shape);
    Errc code{};
    const std::string rule = nested_rule(shape, crmkit::segments::kMaxDepth + 1).dump();
    CHECK_THAT(error_of([&] { s.segs.create("too-deep", crmkit::SegmentKind::dynamic, rule, ""); }, &code),
               Catch::Contains("nests deeper than 24 levels"));
    CHECK(code == Errc::invalid_argument);
    CHECK_THAT(error_of([&] { s.segs.update("deep1", rule); }, &code), Catch::Contains("nests deeper than 24 levels"));
    CHECK(code == Errc::invalid_argument);
  }
  CHECK(s.segs.list().size() == static_cast<std::size_t>(n));
  CHECK(s.segs.get("deep1").rule_version == 2);
}

TEST_CASE("not keeps its meaning in both null modes after the flatter SQL", "[segments]") {
  Shop s;
  s.customer(1, nullptr, "Berlin");
  s.customer(2, nullptr, "Paris");
  s.customer(3);  // no city: unknown
  const json berlin = {{"field", "city"}, {"op", "eq"}, {"value", "Berlin"}};
  CHECK(s.ids(json{{"not", berlin}}, 1) == std::vector<std::int64_t>{2, 3});
  CHECK(s.ids(json{{"not", berlin}}, 1, true) == std::vector<std::int64_t>{2});
  CHECK(s.ids(json{{"not", {{"not", berlin}}}}, 1) == std::vector<std::int64_t>{1});
  CHECK(s.ids(json{{"not", {{"not", berlin}}}}, 1, true) == std::vector<std::int64_t>{1});
  // The neediest child goes first; the result does not depend on the order.
  const json either = {{"any", {berlin, {{"not", {{"not", berlin}}}}}}};
  CHECK(s.ids(either, 1) == std::vector<std::int64_t>{1});
}
