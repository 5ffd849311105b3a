// The rule model of crmkit/duplicates.hpp: names, descriptions, the defaults and the checks.
#include <cmath>

#include <fmt/format.h>

#include "analytics/duplicate_names.hpp"
#include "crmkit/duplicates.hpp"
#include "crmkit/error.hpp"

namespace crmkit {

using detail::enum_name;

const char* to_string(MatchField f) noexcept { return enum_name(detail::kMatchFieldNames, f); }
MatchField parse_match_field(const std::string& t, const char* f) {
  return detail::parse_enum(detail::kMatchFieldNames, t, f);
}
const char* to_string(Comparator c) noexcept { return enum_name(detail::kComparatorNames, c); }
Comparator parse_comparator(const std::string& t, const char* f) {
  return detail::parse_enum(detail::kComparatorNames, t, f);
}
const char* to_string(DuplicateVerdict v) noexcept { return enum_name(detail::kDuplicateVerdictNames, v); }
DuplicateVerdict parse_duplicate_verdict(const std::string& t, const char* f) {
  return detail::parse_enum(detail::kDuplicateVerdictNames, t, f);
}

std::string describe(const MatchCondition& c) {
  std::string out = fmt::format("{} {}", to_string(c.field), to_string(c.comparator));
  if (c.comparator == Comparator::prefix) out += fmt::format("({})", c.prefix_length);
  if (c.comparator == Comparator::jaro_winkler) out += fmt::format(">={}", c.threshold);
  return out;
}

std::string describe(const DuplicateRule& r) {
  std::string out;
  for (const auto& c : r.all_of) out += (out.empty() ? "" : " + ") + describe(c);
  return out;
}

DuplicateRules default_duplicate_rules() {
  using F = MatchField;
  using C = Comparator;
  DuplicateRules r;
  r.rules = {
      {{{F::email, C::normalized}}, 10},
      {{{F::phone, C::exact}}, 10},
      {{{F::given_name, C::exact}, {F::family_name, C::exact}}, 5},
      {{{F::full_name, C::jaro_winkler, 0, 0.92}, {F::organization, C::normalized}}, 5},
      {{{F::external_id, C::exact}}, 10},
  };
  r.duplicate_threshold = 10;
  r.suspect_from = 5;
  return r;
}

namespace {

[[noreturn]] void refuse(std::size_t rule, const std::string& what) {
  throw Error(Errc::invalid_argument, fmt::format("duplicate rule {}: {}", rule + 1, what));
}

}  // namespace

void check_duplicate_rules(const DuplicateRules& rules) {
  if (rules.rules.empty()) throw Error(Errc::invalid_argument, "duplicate rules: the rule list is empty");
  if (rules.rules.size() > kMaxRules)
    throw Error(Errc::invalid_argument, fmt::format("duplicate rules: {} rules, at most {} allowed",
                                                    rules.rules.size(), kMaxRules));
  for (std::size_t i = 0; i < rules.rules.size(); ++i) {
    const DuplicateRule& r = rules.rules[i];
    if (r.all_of.empty()) refuse(i, "has no conditions");
    if (r.weight < 1 || r.weight > kMaxRuleWeight)
      refuse(i, fmt::format("weight {} is outside 1 .. {}", r.weight, kMaxRuleWeight));
    for (const MatchCondition& c : r.all_of) {
      if (!*to_string(c.field))
        refuse(i, fmt::format("field {} is not one of {}", static_cast<int>(c.field),
                              detail::enum_names(detail::kMatchFieldNames)));
      if (!*to_string(c.comparator))
        refuse(i, fmt::format("comparator {} is not one of {}", static_cast<int>(c.comparator),
                              detail::enum_names(detail::kComparatorNames)));
      const char* name = to_string(c.field);
      if (c.comparator == Comparator::prefix) {
        if (c.prefix_length < 1)
          refuse(i, fmt::format("{} prefix: prefix_length {} must be >= 1", name, c.prefix_length));
      } else if (c.prefix_length != 0) {
        refuse(i, fmt::format("{} {}: prefix_length applies to the prefix comparator only", name,
                              to_string(c.comparator)));
      }
      if (c.comparator == Comparator::jaro_winkler) {
        if (!(c.threshold >= 0.0 && c.threshold <= 1.0))
          refuse(i, fmt::format("{} jaro_winkler: threshold {} is outside [0, 1]", name, c.threshold));
      } else if (c.threshold != 0.0) {  // NaN too: it is not 0
        refuse(i, fmt::format("{} {}: threshold applies to the jaro_winkler comparator only", name,
                              to_string(c.comparator)));
      }
      if (c.comparator == Comparator::equal_date && c.field != MatchField::birth_date)
        refuse(i, fmt::format("{} equal_date: equal_date applies to birth_date only", name));
    }
  }
  if (rules.suspect_from < 1)
    throw Error(Errc::invalid_argument,
                fmt::format("duplicate rules: suspect_from {} must be >= 1", rules.suspect_from));
  if (rules.suspect_from > rules.duplicate_threshold)
    throw Error(Errc::invalid_argument,
                fmt::format("duplicate rules: suspect_from {} is above duplicate_threshold {}",
                            rules.suspect_from, rules.duplicate_threshold));
}

}  // namespace crmkit
