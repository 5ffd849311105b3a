// crmkit/duplicates.hpp: explainable duplicate detection, the rule model as plain data.
//
// A rule set is a list of weighted rules plus two thresholds, as in CiviCRM's dedupe rule
// groups (docs/IDENTITY.md). A rule fires for a pair when ALL of its conditions hold (a
// conjunction: "given_name exact AND family_name exact"); the pair's score is the sum of the
// weights of the rules that fired, and the fired rules, named in words, are its explanation.
// Alternatives ("email OR phone") are separate rules, whose weights add up.
//
// The rule model is plain data, scored by pure functions (src/analytics/duplicate_scoring.hpp);
// the Duplicates class at the end applies it to the store's customers.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "crmkit/customer.hpp"
#include "crmkit/store.hpp"
#include "crmkit/time.hpp"

namespace crmkit {

// What a condition compares. Names (to_string, parse_match_field) come from one table.
enum class MatchField {
  given_name,
  family_name,
  full_name,     // when a record leaves it empty: given_name and family_name joined by a space
  email,         // as held by the ContactPoint (value_norm); compared folded by `normalized`
  phone,         // E.164, as normalize_phone gives it
  birth_date,    // ISO 8601 YYYY-MM-DD (crmkit::parse_date)
  street,
  city,
  postal_code,
  region,
  country,
  organization,
  domain,        // a company's web or mail domain
  external_id,   // the caller's key in another system
  identifier,    // a national or other official id
};
inline constexpr std::size_t kMatchFieldCount = 15;

const char* to_string(MatchField f) noexcept;
MatchField parse_match_field(const std::string& text, const char* field = "field");

// How a condition compares a field of two records. Every comparator but `exact` works on the
// folded form (fold_for_match: lower case, accents removed, white space collapsed).
enum class Comparator {
  exact,         // byte-equal
  normalized,    // folded forms equal
  prefix,        // the first prefix_length characters of the folded forms equal
  jaro_winkler,  // Jaro-Winkler (p = 0.1) of the folded forms >= threshold
  phonetic,      // NYSIIS keys of the folded forms equal (src/analytics/phonetic.hpp)
  equal_date,    // both parse as the same ISO date; birth_date only
};

const char* to_string(Comparator c) noexcept;
Comparator parse_comparator(const std::string& text, const char* field = "comparator");

// One comparison. prefix_length is for `prefix` only and threshold for `jaro_winkler` only:
// a value given to another comparator is refused rather than ignored.
struct MatchCondition {
  MatchField field = MatchField::email;
  Comparator comparator = Comparator::exact;
  int prefix_length = 0;  // prefix: >= 1
  double threshold = 0;   // jaro_winkler: in [0, 1]
};

// A rule: all conditions must hold (an empty or unknown value never agrees), then `weight`
// counts towards the pair's score.
struct DuplicateRule {
  std::vector<MatchCondition> all_of;
  int weight = 0;  // 1 .. kMaxRuleWeight
};
inline constexpr int kMaxRuleWeight = 1000000;
inline constexpr std::size_t kMaxRules = 1000;

// The printable name of a condition and of a rule, the text of the explanations:
// "email normalized", "given_name exact + family_name exact",
// "full_name jaro_winkler>=0.92 + organization normalized", "postal_code prefix(3)".
std::string describe(const MatchCondition& c);
std::string describe(const DuplicateRule& r);

// A score >= duplicate_threshold is a duplicate, one in [suspect_from, duplicate_threshold)
// a suspect, anything lower is not reported.
struct DuplicateRules {
  std::vector<DuplicateRule> rules;
  int duplicate_threshold = 10;
  int suspect_from = 5;
};

// DOMAIN.md's defaults: email normalized 10; phone (E.164) exact 10; given_name exact +
// family_name exact 5; full_name jaro_winkler >= 0.92 + organization normalized 5;
// external_id exact 10. 10 or more is a duplicate, 5 to 9 a suspect.
DuplicateRules default_duplicate_rules();

// Refuses, with Error(invalid_argument) naming the rule (1-based) and the problem: an empty
// rule list or more than kMaxRules, a rule without conditions, a weight outside
// 1 .. kMaxRuleWeight, a field or comparator outside its table, prefix without a
// prefix_length >= 1, jaro_winkler without a threshold in [0, 1] (NaN included),
// prefix_length or threshold given to a comparator that does not use them, equal_date on a
// field other than birth_date, suspect_from < 1, suspect_from > duplicate_threshold.
void check_duplicate_rules(const DuplicateRules& rules);

// A record to compare: one text per MatchField, "" meaning unknown (unknown never agrees).
struct MatchRecord {
  std::int64_t id = 0;
  std::array<std::string, kMatchFieldCount> fields;

  const std::string& operator[](MatchField f) const { return fields[static_cast<std::size_t>(f)]; }
  std::string& operator[](MatchField f) { return fields[static_cast<std::size_t>(f)]; }
};

enum class DuplicateVerdict { duplicate, suspect, distinct };
const char* to_string(DuplicateVerdict v) noexcept;
DuplicateVerdict parse_duplicate_verdict(const std::string& text, const char* field = "verdict");

// One rule that fired: its position in DuplicateRules::rules, its name (describe) and weight.
struct RuleContribution {
  std::size_t rule = 0;
  std::string text;
  int weight = 0;
};

// A scored pair and why. In a search of one list a < b; in a linkage a is from the left list.
struct DuplicateCandidate {
  std::int64_t a = 0, b = 0;
  int score = 0;
  DuplicateVerdict verdict = DuplicateVerdict::distinct;
  std::vector<RuleContribution> fired;  // in rule order
};


// ---- duplicates in the store (docs/IDENTITY.md "Duplicates in the store") ------------------

// The rule set as JSON: {"duplicate_threshold": 10, "suspect_from": 5, "rules": [{"weight": 10,
// "all_of": [{"field": "email", "comparator": "normalized"}]}, ...]}; "prefix_length" and
// "threshold" appear on the conditions that use them. The reader refuses unknown keys, wrong
// types and bad rules (check_duplicate_rules) with Error(invalid_argument) naming the place.
std::string to_json(const DuplicateRules& rules);
DuplicateRules duplicate_rules_from_json(const std::string& text);
// {"a", "b", "score", "verdict", "fired": [{"rule", "text", "weight"}]} (rule is 1-based).
std::string to_json(const DuplicateCandidate& candidate);

// What a scan of the whole store found, and what it cost.
struct DuplicateScan {
  std::vector<DuplicateCandidate> candidates;  // by score (highest first), then a, b
  std::int64_t customers = 0;
  std::int64_t pairs_compared = 0;
  std::int64_t all_pairs = 0;          // n(n-1)/2: what comparing every pair would cost
  std::int64_t blocks_skipped = 0;     // blocking keys shared by more customers than the cap
  std::int64_t ignored = 0;            // candidate pairs confirmed not to be duplicates
};
// {"customers", "pairs_compared", "all_pairs", "blocks_skipped", "ignored", "candidates": [...]}
std::string to_json(const DuplicateScan& scan);

// The probabilistic mode: Fellegi–Sunter weights estimated from the store's own customers (EM
// over the blocked pairs), then every pair at or above the match threshold. docs/IDENTITY.md
// "Fellegi–Sunter mode". Per compared field: m and u for agree, partial and disagree, and the
// weights log2(m/u) each level adds to a pair (a missing value adds 0).
struct FellegiSunterField {
  MatchField field = MatchField::given_name;
  double partial_threshold = 0;  // Jaro-Winkler for partial (1: equal values only; dates: one part differs)
  std::array<double, 3> m{}, u{}, weight{};  // [agree, partial, disagree]
};
struct FellegiSunterPart {
  MatchField field = MatchField::given_name;
  std::string level;  // "agree", "partial", "disagree", "missing"
  double weight = 0;
};
struct FellegiSunterPair {
  std::int64_t a = 0, b = 0;
  double weight = 0;                     // the sum of the parts
  std::vector<FellegiSunterPart> parts;  // one per field: the explanation
};
struct FellegiSunterScan {
  std::vector<FellegiSunterField> fields;
  double match_share = 0;  // p, the share of the blocked pairs EM calls matches
  double threshold = 0;    // the weight a pair needs: log2((1 - p) / p), or the one given
  int iterations = 0;
  bool converged = false;
  std::int64_t customers = 0, pairs_compared = 0, all_pairs = 0;
  std::int64_t ignored = 0;                // pairs over the threshold confirmed not duplicates
  std::vector<FellegiSunterPair> pairs;    // by weight (highest first), then a, b
};
// {"fields": [{"field", "partial_threshold", "m": [3], "u": [3], "weight": [3]}], "match_share",
//  "threshold", "iterations", "converged", "customers", "pairs_compared", "all_pairs", "ignored",
//  "pairs": [{"a", "b", "weight", "parts": [{"field", "level", "weight"}]}]}
std::string to_json(const FellegiSunterScan& scan);

// Duplicate detection over the store's customers. A customer is compared as a MatchRecord:
// names, display name (full_name), birth date, city, postal code, region, country, external id,
// and the match keys of its primary email and phone; a pair that shares any email or phone
// (primary or not) is compared on that shared key. Pairs a person confirmed are not duplicates
// (ignore) are never proposed again.
class Duplicates {
 public:
  explicit Duplicates(Store& store) : store_(store) {}

  // The store's rule set (the defaults until one is saved), and saving one (checked first).
  DuplicateRules rules();
  void set_rules(const DuplicateRules& rules, Instant at);

  // Real-time: the customers that may be `customer_id` (at or above suspect_from), found through
  // indexed look-ups (shared email or phone keys, the same external id, the same family and
  // given name), never a scan; ignored pairs left out. a is customer_id. not_found for a
  // missing customer.
  std::vector<DuplicateCandidate> check(std::int64_t customer_id);
  // The same for a record that is not stored yet (before a create, an upsert or an import row):
  // the fields are checked and normalised as Customers::create would (invalid_argument), nothing
  // is written, and each candidate's a is 0. A customer with the same external_id is a
  // candidate (the default rules score it 10).
  std::vector<DuplicateCandidate> check(const CustomerFields& fields);

  // Batch: every candidate pair of the whole store, compared through blocking keys (near-linear
  // work; docs/IDENTITY.md has the measurements).
  DuplicateScan scan();
  // The Fellegi–Sunter mode over the same records and blocking: weights estimated from the
  // store, compared on given and family name (Jaro-Winkler >= 0.85 partial), birth date, email,
  // phone, postal code and city (>= 0.9). `threshold` overrides the estimated one.
  // invalid_argument: a threshold that is not finite; an empty store gives no pairs.
  FellegiSunterScan scan_fellegi_sunter(std::optional<double> threshold = std::nullopt);

  // The score of one pair and the rules that fired, whatever the thresholds. not_found for a
  // missing customer, invalid_argument for a == b.
  DuplicateCandidate explain(std::int64_t a, std::int64_t b);

  // Records that a and b are not the same person: no later check or scan proposes the pair.
  // Repeating it changes nothing. not_found, invalid_argument for a == b.
  void ignore(std::int64_t a, std::int64_t b, Instant at);
  bool ignored(std::int64_t a, std::int64_t b);

 private:
  Store store_;
};

}  // namespace crmkit
