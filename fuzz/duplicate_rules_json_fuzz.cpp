// Fuzzes the duplicate rule set's JSON reader (crmkit::duplicate_rules_from_json). Whatever the
// bytes, the outcome is a rule set or Error(invalid_argument); an accepted set passes
// check_duplicate_rules, its JSON reads back to the same JSON (a fixed point), and scoring two
// records under it keeps the score within the weights' sum.
#include <cstdlib>
#include <string>

#include "analytics/duplicate_scoring.hpp"
#include "crmkit/duplicates.hpp"
#include "crmkit/error.hpp"

using namespace crmkit;

namespace {
void require(bool ok) {
  if (!ok) std::abort();
}
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  DuplicateRules rules;
  try {
    rules = duplicate_rules_from_json(text);
  } catch (const Error& e) {
    require(e.code() == Errc::invalid_argument);
    return 0;
  }
  check_duplicate_rules(rules);  // throws (and the fuzzer reports it) if an accepted set is bad
  const std::string json = to_json(rules);
  require(to_json(duplicate_rules_from_json(json)) == json);
  MatchRecord a, b;
  a.id = 1;
  b.id = 2;
  for (std::size_t f = 0; f < kMatchFieldCount; ++f) a.fields[f] = b.fields[f] = "x" + std::to_string(f);
  a[MatchField::birth_date] = b[MatchField::birth_date] = "1990-01-02";
  const DuplicateCandidate c = analytics::score_pair(a, b, rules);
  long long total = 0;
  for (const auto& r : rules.rules) total += r.weight;
  require(c.score >= 0 && c.score <= total);
  return 0;
}
