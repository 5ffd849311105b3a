// Duplicates in the store: the real-time check and the scan find the same pairs with the same
// explanations, secondary emails count, confirmed non-duplicates stay out, the rule set is
// kept as data and refused when bad.
#include <catch2/catch.hpp>

#include <set>
#include <string>

#include <cmath>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "crmkit/contact_point.hpp"
#include "crmkit/customer.hpp"
#include "crmkit/duplicates.hpp"
#include "expect_error.hpp"
#include "store_checksum.hpp"
#include "test_store.hpp"

using namespace crmkit;

namespace {

constexpr Instant kT0 = 1'700'000'000'000;

std::int64_t person(Store& s, const std::string& ext, const char* given, const char* family, const char* email) {
  CustomerFields f;
  f.external_id = ext;
  f.created_at = kT0;
  if (given) f.given_name = std::string(given);
  if (family) f.family_name = std::string(family);
  if (email) f.email = std::string(email);
  return Customers(s).create(f);
}

std::string fired(const DuplicateCandidate& c) {
  std::string out;
  for (const auto& f : c.fired) out += (out.empty() ? "" : "; ") + f.text + "=" + std::to_string(f.weight);
  return out;
}

}  // namespace

TEST_CASE("the real-time check and the scan agree, with explanations", "[duplicates][store]") {
  Store s = test_store();
  const auto ana = person(s, "a", "Ana", "Silva", "ana@example.com");
  const auto ana2 = person(s, "b", "Ana", "Silva", "ANA@example.com");   // same email and names: 15
  const auto namesake = person(s, "c", "Ana", "Silva", "other@example.com");  // names only: 5, a suspect
  const auto bea = person(s, "d", "Bea", "Ng", "bea@example.com");
  const auto bea_work = person(s, "e", "Beatrice", "Ng", "b.ng@work.example");
  ContactPoints(s).add(bea_work, {ContactType::email, "bea@example.com", std::nullopt, false, std::nullopt}, kT0);
  Duplicates d(s);
  const auto found = d.check(ana);
  REQUIRE(found.size() == 2);
  CHECK(found[0].a == ana);
  CHECK(found[0].b == ana2);
  CHECK(found[0].score == 15);
  CHECK(found[0].verdict == DuplicateVerdict::duplicate);
  CHECK(fired(found[0]) == "email normalized=10; given_name exact + family_name exact=5");
  CHECK(found[1].b == namesake);
  CHECK(found[1].verdict == DuplicateVerdict::suspect);
  // bea's address is a secondary email of bea_work: compared on it.
  const auto b = d.check(bea);
  REQUIRE(b.size() == 1);
  CHECK(b[0].b == bea_work);
  CHECK(fired(b[0]) == "email normalized=10");

  const DuplicateScan scan = d.scan();
  CHECK(scan.customers == 5);
  CHECK(scan.all_pairs == 10);
  CHECK(scan.pairs_compared <= scan.all_pairs);
  std::set<std::pair<std::int64_t, std::int64_t>> pairs;
  for (const auto& c : scan.candidates) pairs.insert({c.a, c.b});
  CHECK(pairs == std::set<std::pair<std::int64_t, std::int64_t>>{
                     {ana, ana2}, {ana, namesake}, {ana2, namesake}, {bea, bea_work}});
  CHECK(scan.candidates[0].score == 15);
  const auto j = nlohmann::json::parse(to_json(scan));
  CHECK(j["candidates"][0]["fired"][0]["rule"] == 1);
  CHECK(j["candidates"][0]["verdict"] == "duplicate");
}

TEST_CASE("confirmed non-duplicates are never proposed again", "[duplicates][store]") {
  Store s = test_store();
  const auto a = person(s, "a", "Ana", "Silva", nullptr);
  const auto b = person(s, "b", "Ana", "Silva", nullptr);
  Duplicates d(s);
  REQUIRE(d.check(a).size() == 1);
  CHECK_FALSE(d.ignored(a, b));
  d.ignore(b, a, kT0);
  d.ignore(a, b, kT0 + 1);  // again: nothing changes
  CHECK(d.ignored(a, b));
  CHECK(d.check(a).empty());
  CHECK(d.check(b).empty());
  const auto scan = d.scan();
  CHECK(scan.candidates.empty());
  CHECK(scan.ignored == 1);
  CHECK(d.explain(a, b).score == 5);  // explain still answers
  const std::string before = store_checksum(s);
  expect_error([&] { d.ignore(a, a, kT0); }, Errc::invalid_argument, "not its own duplicate");
  expect_error([&] { d.ignore(a, b + 100, kT0); }, Errc::not_found, "customer");
  expect_error([&] { d.explain(a, b + 100); }, Errc::not_found, "customer");
  expect_error([&] { d.check(b + 100); }, Errc::not_found, "customer");
  CHECK(store_checksum(s) == before);
}

TEST_CASE("the rule set is stored as data, read back, and refused when bad", "[duplicates][store]") {
  Store s = test_store();
  Duplicates d(s);
  CHECK(to_json(d.rules()) == to_json(default_duplicate_rules()));
  const auto a = person(s, "a", "Ana", "Silva", nullptr);
  const auto b = person(s, "b", "Anna", "Silva", nullptr);
  CHECK(d.explain(a, b).score == 0);
  const DuplicateRules tuned = duplicate_rules_from_json(
      R"({"duplicate_threshold": 8, "suspect_from": 4, "rules": [
           {"weight": 4, "all_of": [{"field": "family_name", "comparator": "exact"}]},
           {"weight": 4, "all_of": [{"field": "given_name", "comparator": "jaro_winkler", "threshold": 0.9}]}]})");
  d.set_rules(tuned, kT0);
  CHECK(to_json(d.rules()) == to_json(tuned));
  CHECK(d.explain(a, b).score == 8);
  CHECK(d.explain(a, b).verdict == DuplicateVerdict::duplicate);
  const std::string before = store_checksum(s);
  DuplicateRules bad = tuned;
  bad.suspect_from = 9;
  expect_error([&] { d.set_rules(bad, kT0); }, Errc::invalid_argument, "suspect_from");
  for (const char* text :
       {R"({"duplicate_threshold": 8, "suspect_from": 4})", R"({"duplicate_threshold": 8, "suspect_from": 4, "rules": []})",
        R"({"duplicate_threshold": 8, "suspect_from": 4, "rules": [{"weight": 4, "all_of": [{"field": "shoe_size", "comparator": "exact"}]}]})",
        R"({"duplicate_threshold": 8, "suspect_from": 4, "rules": [{"weight": 4, "all_of": [{"field": "email", "comparator": "exact", "colour": 1}]}]})",
        R"({"duplicate_threshold": 8.5, "suspect_from": 4, "rules": []})", R"([1])", R"({"rules": "x"})"}) {
    INFO(text);
    expect_error([&] { duplicate_rules_from_json(text); }, Errc::invalid_argument, "");
  }
  CHECK(store_checksum(s) == before);
}

TEST_CASE("a record not stored yet is checked against the store, nothing written", "[duplicates][store]") {
  Store s = test_store();
  const auto ana = person(s, "a", "Ana", "Silva", "ana@example.com");
  const auto bea = person(s, "b", "Bea", "Ng", "bea@work.example");
  ContactPoints(s).add(bea, {ContactType::email, "bea@home.example", std::nullopt, false, std::nullopt}, kT0);
  Duplicates d(s);
  const std::string before = store_checksum(s);
  CustomerFields f;
  f.given_name = std::string("Ana");
  f.family_name = std::string("Silva");
  f.email = std::string(" ANA@Example.com ");
  auto found = d.check(f);
  REQUIRE(found.size() == 1);
  CHECK(found[0].a == 0);
  CHECK(found[0].b == ana);
  CHECK(found[0].score == 15);
  CustomerFields by_secondary;
  by_secondary.email = std::string("bea@home.example");
  found = d.check(by_secondary);
  REQUIRE(found.size() == 1);
  CHECK(found[0].b == bea);
  CHECK(fired(found[0]) == "email normalized=10");
  CustomerFields same_key;
  same_key.external_id = std::string("a");
  CHECK(d.check(same_key).at(0).b == ana);
  CustomerFields bad;
  bad.email = std::string("nope");
  expect_error([&] { d.check(bad); }, Errc::invalid_argument, "email");
  CHECK(d.check(CustomerFields{}).empty());
  CHECK(store_checksum(s) == before);
}

TEST_CASE("the Fellegi-Sunter mode estimates weights from the store and finds the planted pairs",
          "[duplicates][fellegi_sunter]") {
  Store s = test_store();
  // 300 people: 25 given names and 120 family names, so that blocking on names also brings
  // pairs of different people (EM needs both kinds); every 30th is entered again with the same
  // names and birth date, a typo in the family name for half of them.
  const char* syllables[] = {"ka", "lo", "mi", "ren", "sa", "tor", "vi", "zel", "bru", "den"};
  auto name = [&](int n, int parts) {
    std::string out;
    for (int k = 0; k < parts; ++k, n /= 10) out += syllables[n % 10];
    out[0] = static_cast<char>(out[0] - 'a' + 'A');
    return out;
  };
  std::set<std::pair<std::int64_t, std::int64_t>> planted;
  for (int i = 0; i < 300; ++i) {
    CustomerFields f;
    f.created_at = kT0;
    f.given_name = name(i % 25 * 7 + 3, 2);
    f.family_name = name(i % 120 * 13 + 1, 3);
    f.birth_date = fmt::format("19{:02}-{:02}-{:02}", 40 + i % 60, 1 + i % 12, 1 + i % 28);
    f.postal_code = fmt::format("P{:04}", i);
    f.city = name(i % 40, 2);
    const std::int64_t id = Customers(s).create(f);
    if (i % 30 == 0) {
      if (i % 60 == 0) f.family_name = *f.family_name + "e";
      planted.insert({id, Customers(s).create(f)});
    }
  }
  Duplicates dups(s);
  const FellegiSunterScan scan = dups.scan_fellegi_sunter();
  CHECK(scan.customers == 310);
  REQUIRE(scan.fields.size() == 7);
  // Given name and birth date tell matches from the other blocked pairs (which share a family
  // name): agreeing on them weighs for a match. The family name, shared by every blocked pair,
  // weighs little either way (docs/IDENTITY.md).
  for (const auto& f : scan.fields) {
    INFO(to_string(f.field));
    if (f.field == MatchField::given_name || f.field == MatchField::birth_date) CHECK(f.weight[0] > 5);
    if (f.field == MatchField::given_name) CHECK(f.weight[2] < -5);
  }
  CHECK(scan.converged);
  std::set<std::pair<std::int64_t, std::int64_t>> found;
  for (const auto& p : scan.pairs) {
    found.insert({p.a, p.b});
    double sum = 0;
    for (const auto& part : p.parts) sum += part.weight;
    CHECK(sum == Approx(p.weight));
    CHECK(p.weight >= scan.threshold);
  }
  CHECK(found == planted);
  // A confirmed non-duplicate stays out; a threshold given replaces the estimated one.
  dups.ignore(planted.begin()->first, planted.begin()->second, kT0);
  const FellegiSunterScan again = dups.scan_fellegi_sunter();
  CHECK(again.ignored == 1);
  CHECK(again.pairs.size() == planted.size() - 1);
  CHECK(dups.scan_fellegi_sunter(1e9).pairs.empty());
  expect_error([&] { dups.scan_fellegi_sunter(std::nan("")); }, Errc::invalid_argument, "finite");
  const auto j = nlohmann::json::parse(to_json(scan));
  CHECK(j["fields"][0]["field"] == "given_name");
  CHECK(j["pairs"].size() == planted.size());
}
