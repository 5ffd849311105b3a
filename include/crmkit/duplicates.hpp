// crmkit/duplicates.hpp: explainable duplicate detection, the rule model as plain data.
//
// A rule set is a list of weighted rules plus two thresholds, as in CiviCRM's dedupe rule
// groups (docs/IDENTITY.md). A rule fires for a pair when ALL of its conditions hold (a
// conjunction: "given_name exact AND family_name exact"); the pair's score is the sum of the
// weights of the rules that fired, and the fired rules, named in words, are its explanation.
// Alternatives ("email OR phone") are separate rules, whose weights add up.
//
// Pure data and pure functions: nothing here opens a store. The scoring, blocking and batch
// search live in src/analytics/duplicate_scoring.hpp.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

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

}  // namespace crmkit
