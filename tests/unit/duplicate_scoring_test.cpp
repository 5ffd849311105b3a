// Duplicate detection on plain records: scores and their explanations under the default
// rules, every refusal of a bad rule set, blocking (its cap, each pair once), determinism,
// linkage, the real-time index and the Fellegi-Sunter estimates on a pattern set worked by hand.
#include <catch2/catch.hpp>

#include <cmath>
#include <limits>

#include "analytics/duplicate_scoring.hpp"
#include "analytics/fellegi_sunter.hpp"
#include "crmkit/duplicates.hpp"
#include "expect_error.hpp"

using namespace crmkit;
using namespace crmkit::analytics;
using Approx = Catch::Detail::Approx;
using F = MatchField;
using C = Comparator;

namespace {

MatchRecord person(std::int64_t id, const char* given, const char* family, const char* email = "",
                   const char* phone = "", const char* org = "") {
  MatchRecord r;
  r.id = id;
  r[F::given_name] = given;
  r[F::family_name] = family;
  r[F::email] = email;
  r[F::phone] = phone;
  r[F::organization] = org;
  return r;
}

std::vector<std::string> texts(const DuplicateCandidate& c) {
  std::vector<std::string> v;
  for (const auto& f : c.fired) v.push_back(f.text + " " + std::to_string(f.weight));
  return v;
}

DuplicateRules one_rule(MatchCondition c) {
  DuplicateRules r;
  r.rules = {{{c}, 10}};
  return r;
}

}  // namespace

TEST_CASE("default rules: scores, verdicts and their explanations", "[duplicates]") {
  DuplicateRules d = default_duplicate_rules();
  REQUIRE_NOTHROW(check_duplicate_rules(d));

  auto same_email = score_pair(person(1, "Ann", "Lee", "Ann.Lee@Example.org"), person(2, "A.", "Li", " ann.lee@example.ORG"), d);
  CHECK(same_email.score == 10);
  CHECK(same_email.verdict == DuplicateVerdict::duplicate);
  CHECK(texts(same_email) == std::vector<std::string>{"email normalized 10"});

  auto names = score_pair(person(1, "Ann", "Lee"), person(2, "Ann", "Lee"), d);
  CHECK(names.score == 5);
  CHECK(names.verdict == DuplicateVerdict::suspect);
  CHECK(texts(names) == std::vector<std::string>{"given_name exact + family_name exact 5"});

  // Fuzzy full name (from the names) and the same organisation; the names differ exactly.
  auto fuzzy = score_pair(person(1, "Jonathan", "Smith", "", "", "ACME Ltd"),
                          person(2, "Jonathon", "Smith", "", "", "acme  ltd"), d);
  CHECK(texts(fuzzy) == std::vector<std::string>{"full_name jaro_winkler>=0.92 + organization normalized 5"});
  CHECK(fuzzy.verdict == DuplicateVerdict::suspect);

  auto all = score_pair(person(1, "Ann", "Lee", "a@x.org", "+390612345678"), person(2, "Ann", "Lee", "A@X.org", "+390612345678"), d);
  CHECK(all.score == 25);
  CHECK(all.fired.size() == 3);
  CHECK(all.fired[1].rule == 1);
  CHECK(all.fired[1].text == "phone exact");

  // Unknown never agrees: two records with no email do not share one.
  auto blank = score_pair(person(1, "", ""), person(2, "", ""), d);
  CHECK(blank.score == 0);
  CHECK(blank.verdict == DuplicateVerdict::distinct);
  CHECK(blank.fired.empty());
}

TEST_CASE("comparators", "[duplicates]") {
  MatchRecord a, b;
  a[F::family_name] = "Müller";
  b[F::family_name] = "MULLER";
  auto pa = prepare(a), pb = prepare(b);
  CHECK_FALSE(condition_holds({F::family_name, C::exact}, pa, pb));
  CHECK(condition_holds({F::family_name, C::normalized}, pa, pb));
  CHECK(condition_holds({F::family_name, C::prefix, 3}, pa, pb));
  CHECK(condition_holds({F::family_name, C::phonetic}, pa, pb));
  CHECK(condition_holds({F::family_name, C::jaro_winkler, 0, 1.0}, pa, pb));
  b[F::family_name] = "Mueller";
  pb = prepare(b);
  CHECK_FALSE(condition_holds({F::family_name, C::normalized}, pa, pb));
  CHECK(condition_holds({F::family_name, C::jaro_winkler, 0, 0.9}, pa, pb));
  CHECK_FALSE(condition_holds({F::family_name, C::prefix, 3}, pa, pb));
  CHECK(condition_holds({F::family_name, C::prefix, 2}, pa, pb));

  a[F::birth_date] = "1980-02-29";
  b[F::birth_date] = "1980-02-29";
  CHECK(condition_holds({F::birth_date, C::equal_date}, prepare(a), prepare(b)));
  a[F::birth_date] = "1981-02-29";  // not a date: unknown, agrees with nothing
  b[F::birth_date] = "1981-02-29";
  CHECK_FALSE(condition_holds({F::birth_date, C::equal_date}, prepare(a), prepare(b)));
  CHECK(condition_holds({F::birth_date, C::exact}, prepare(a), prepare(b)));
}

TEST_CASE("every bad rule set is refused with its own message", "[duplicates]") {
  auto refused = [](DuplicateRules r, const char* needle) {
    expect_error([&] { check_duplicate_rules(r); }, Errc::invalid_argument, needle);
    expect_error([&] { find_duplicates({}, r); }, Errc::invalid_argument, needle);
  };
  refused(DuplicateRules{}, "the rule list is empty");
  DuplicateRules r = default_duplicate_rules();
  r.rules[1].all_of.clear();
  refused(r, "duplicate rule 2: has no conditions");
  r = default_duplicate_rules();
  r.rules[0].weight = 0;
  refused(r, "duplicate rule 1: weight 0 is outside 1 .. 1000000");
  r.rules[0].weight = kMaxRuleWeight + 1;
  refused(r, "weight 1000001 is outside");
  refused(one_rule({F::family_name, C::prefix, 0}), "family_name prefix: prefix_length 0 must be >= 1");
  refused(one_rule({F::family_name, C::exact, 3}), "family_name exact: prefix_length applies to the prefix comparator only");
  refused(one_rule({F::family_name, C::jaro_winkler, 0, 1.5}), "family_name jaro_winkler: threshold 1.5 is outside [0, 1]");
  refused(one_rule({F::family_name, C::jaro_winkler, 0, -0.1}), "threshold -0.1 is outside [0, 1]");
  refused(one_rule({F::family_name, C::jaro_winkler, 0, std::numeric_limits<double>::quiet_NaN()}), "is outside [0, 1]");
  refused(one_rule({F::family_name, C::normalized, 0, 0.9}), "threshold applies to the jaro_winkler comparator only");
  refused(one_rule({F::city, C::equal_date}), "city equal_date: equal_date applies to birth_date only");
  refused(one_rule({static_cast<F>(99), C::exact}), "field 99 is not one of given_name, family_name");
  refused(one_rule({F::city, static_cast<C>(42)}), "comparator 42 is not one of exact, normalized");
  r = default_duplicate_rules();
  r.suspect_from = 11;
  refused(r, "suspect_from 11 is above duplicate_threshold 10");
  r.suspect_from = 0;
  refused(r, "suspect_from 0 must be >= 1");
  r = default_duplicate_rules();
  r.rules.resize(kMaxRules + 1, r.rules[0]);
  refused(r, "1001 rules, at most 1000 allowed");
}

TEST_CASE("names come from one table each", "[duplicates]") {
  for (std::size_t i = 0; i < kMatchFieldCount; ++i) {
    auto f = static_cast<F>(i);
    CHECK(parse_match_field(to_string(f)) == f);
  }
  for (C c : {C::exact, C::normalized, C::prefix, C::jaro_winkler, C::phonetic, C::equal_date})
    CHECK(parse_comparator(to_string(c)) == c);
  for (auto v : {DuplicateVerdict::duplicate, DuplicateVerdict::suspect, DuplicateVerdict::distinct})
    CHECK(parse_duplicate_verdict(to_string(v)) == v);
  for (BlockingKey k : all_blocking_keys()) CHECK(parse_blocking_key(to_string(k)) == k);
  expect_error([] { parse_comparator("fuzzy"); }, Errc::invalid_argument, "comparator 'fuzzy' is not one of exact");
  expect_error([] { parse_match_field("Email"); }, Errc::invalid_argument, "field 'Email' is not one of");
  CHECK(describe(MatchCondition{F::postal_code, C::prefix, 3}) == "postal_code prefix(3)");
}

TEST_CASE("batch: each pair once, sorted, and a repeated id refused", "[duplicates]") {
  std::vector<MatchRecord> people = {
      person(30, "Ann", "Lee", "ann@x.org", "+390611111111"), person(10, "Ann", "Lee", "ann@x.org", "+390611111111"),
      person(20, "Bob", "Ray", "bob@x.org"), person(40, "Bob", "Ray", "BOB@x.org"), person(50, "Cy", "Oz")};
  auto s = find_duplicates(people, default_duplicate_rules());
  CHECK(s.records == 5);
  CHECK(s.all_pairs == 10);
  // Ann: email + phone + names share three keys, yet the pair is compared once.
  CHECK(s.pairs_compared == 2);
  REQUIRE(s.candidates.size() == 2);
  CHECK(s.candidates[0].a == 10);
  CHECK(s.candidates[0].b == 30);
  CHECK(s.candidates[0].score == 25);
  CHECK(s.candidates[1].a == 20);
  CHECK(s.candidates[1].b == 40);
  CHECK(s.candidates[1].score == 15);

  people.push_back(person(10, "Dup", "Id"));
  expect_error([&] { find_duplicates(people, default_duplicate_rules()); }, Errc::invalid_argument,
               "records: record id 10 appears more than once");
}

TEST_CASE("blocking: a block above the cap is skipped and counted, never compared", "[duplicates]") {
  std::vector<MatchRecord> many;
  for (int i = 0; i < 300; ++i) many.push_back(person(i, "Ann", "Lee", "same@x.org"));
  SearchOptions o;
  o.max_block_size = 100;
  auto s = find_duplicates(many, default_duplicate_rules(), o);
  CHECK(s.pairs_compared == 0);
  CHECK(s.candidates.empty());
  CHECK(s.blocks_skipped == 2);  // the email, and the names' phonetic key
  CHECK(s.records_in_skipped_blocks == 600);
  o.max_block_size = 300;
  auto all = find_duplicates(many, default_duplicate_rules(), o);
  CHECK(all.pairs_compared == 300 * 299 / 2);
  CHECK(all.blocks_skipped == 0);
  o.max_block_size = 1;
  expect_error([&] { find_duplicates(many, default_duplicate_rules(), o); }, Errc::invalid_argument,
               "max_block_size 1 must be >= 2");
  o = SearchOptions{};
  o.keys.clear();
  expect_error([&] { find_duplicates(many, default_duplicate_rules(), o); }, Errc::invalid_argument,
               "blocking keys: the list is empty");
}

TEST_CASE("blocking keys of a record", "[duplicates]") {
  MatchRecord r = person(1, "Katherine", "Smith", " Kate@Example.org");
  r[F::birth_date] = "1970-05-04";
  r[F::postal_code] = "2600";
  auto keys = blocking_keys(prepare(r), all_blocking_keys());
  CHECK(keys == std::vector<std::string>{"birth_date_postal_code:1970-05-04|2600", "email:kate@example.org",
                                         "family_given_phonetic:SNAT|CATARAN",
                                         "family_phonetic_birth_year:SNAT|1970", "given_prefix_postal_code:kat|2600"});
}

TEST_CASE("batch output is deterministic whatever the input order", "[duplicates]") {
  std::vector<MatchRecord> people;
  for (int i = 0; i < 60; ++i) {
    people.push_back(person(i, i % 3 ? "Ann" : "Anne", i % 2 ? "Lee" : "Leigh", i % 5 ? "" : "ann@x.org"));
    people.back()[F::postal_code] = std::to_string(2600 + i % 4);
  }
  auto first = find_duplicates(people, default_duplicate_rules());
  std::reverse(people.begin(), people.end());
  auto second = find_duplicates(people, default_duplicate_rules());
  REQUIRE(first.candidates.size() == second.candidates.size());
  CHECK(first.pairs_compared == second.pairs_compared);
  for (std::size_t i = 0; i < first.candidates.size(); ++i) {
    CHECK(first.candidates[i].a == second.candidates[i].a);
    CHECK(first.candidates[i].b == second.candidates[i].b);
    CHECK(texts(first.candidates[i]) == texts(second.candidates[i]));
  }
}

TEST_CASE("linkage compares across the lists only, and the real-time index finds the same", "[duplicates]") {
  std::vector<MatchRecord> left = {person(1, "Ann", "Lee", "ann@x.org"), person(2, "Ann", "Lee", "ann@x.org")};
  std::vector<MatchRecord> right = {person(1, "Ann", "Lee", "ANN@x.org"), person(7, "Bob", "Ray")};
  auto s = link_records(left, right, default_duplicate_rules());
  CHECK(s.all_pairs == 4);
  CHECK(s.pairs_compared == 2);  // left 1 and 2 are never compared with each other
  REQUIRE(s.candidates.size() == 2);
  CHECK(s.candidates[0].a == 1);
  CHECK(s.candidates[0].b == 1);
  CHECK(s.candidates[1].a == 2);

  BlockingIndex index(left);
  auto found = index.candidates_for(right[0], default_duplicate_rules());
  REQUIRE(found.size() == 1);  // the indexed record with the same id 1 is itself
  CHECK(found[0].a == 1);
  CHECK(found[0].b == 2);
  CHECK(found[0].score == 15);
  CHECK(index.candidates_for(right[1], default_duplicate_rules()).empty());
}

TEST_CASE("Fellegi-Sunter: EM separates two classes, weights are log2(m/u)", "[duplicates][fellegi_sunter]") {
  std::vector<FsComparison> cmp = {{F::given_name, 0.85}, {F::family_name, 0.85}, {F::birth_date, 0}};
  using L = FsLevel;
  std::vector<FsPattern> patterns;
  for (int i = 0; i < 90; ++i) patterns.push_back({L::agree, L::agree, L::agree});
  for (int i = 0; i < 10; ++i) patterns.push_back({L::agree, L::partial, L::agree});
  for (int i = 0; i < 300; ++i) patterns.push_back({L::disagree, L::disagree, L::disagree});
  for (int i = 0; i < 20; ++i) patterns.push_back({L::agree, L::disagree, L::disagree});
  for (int i = 0; i < 5; ++i) patterns.push_back({L::missing, L::disagree, L::disagree});
  std::vector<std::array<double, 3>> u0(3, {0.05, 0.05, 0.9});
  FsModel m = estimate_fellegi_sunter(patterns, cmp, u0);
  CHECK(m.converged);
  CHECK(m.match_share == Approx(100.0 / 425).margin(0.01));
  CHECK(m.m[1][0] == Approx(0.9).margin(0.02));
  CHECK(m.weight(0, L::agree) > 0);
  CHECK(m.weight(1, L::disagree) < 0);
  CHECK(m.weight(0, L::missing) == 0.0);
  CHECK(m.weight(2, L::agree) == Approx(std::log2(m.m[2][0] / m.u[2][0])));
  CHECK(m.weight(FsPattern{L::agree, L::agree, L::agree}) > m.threshold());
  CHECK(m.weight(FsPattern{L::disagree, L::disagree, L::disagree}) < m.threshold());
  CHECK(m.threshold() == Approx(std::log2((1 - m.match_share) / m.match_share)));

  expect_error([&] { estimate_fellegi_sunter(patterns, {}, u0); }, Errc::invalid_argument, "no comparisons");
  expect_error([&] { estimate_fellegi_sunter({{L::agree}}, cmp, u0); }, Errc::invalid_argument, "a pattern of 1 levels for 3");
  expect_error([&] { estimate_fellegi_sunter(patterns, {{F::city, 2.0}}, {{0.1, 0.1, 0.8}}); }, Errc::invalid_argument,
               "city partial_threshold 2 is outside [0, 1]");
}

TEST_CASE("Fellegi-Sunter search explains each candidate by field and level", "[duplicates][fellegi_sunter]") {
  std::vector<MatchRecord> people;
  const char* given[] = {"ann", "bob", "cy", "dora", "eve", "finn", "gus", "hal"};
  const char* family[] = {"lee", "ray", "oz", "stone", "smith", "cole", "ward", "kent"};
  for (int i = 0; i < 8; ++i) {
    for (int copy = 0; copy < 2; ++copy) {
      MatchRecord r = person(i * 10 + copy, given[i], family[i]);
      r[F::birth_date] = "19" + std::to_string(50 + i) + "-0" + std::to_string(1 + copy * (i % 2)) + "-15";
      r[F::postal_code] = std::to_string(2600 + i);
      people.push_back(r);
    }
  }
  std::vector<FsComparison> cmp = {{F::given_name, 0.85}, {F::family_name, 0.85}, {F::birth_date, 0}};
  auto s = fellegi_sunter_duplicates(people, cmp);
  CHECK(s.pairs_compared >= 8);
  REQUIRE(!s.candidates.empty());
  for (const auto& c : s.candidates) {
    CHECK(c.b - c.a == 1);  // only the copies
    REQUIRE(c.parts.size() == 3);
    CHECK(c.parts[0].field == F::given_name);
    CHECK(c.parts[0].level == FsLevel::agree);
  }
  auto again = fellegi_sunter_duplicates(people, cmp);
  CHECK(again.model.u == s.model.u);  // the random pairs come from a fixed seed
}
