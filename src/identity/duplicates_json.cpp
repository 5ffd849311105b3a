// The duplicate rule set, candidates and scans as JSON (crmkit/duplicates.hpp), and the rule
// set's reader: the store keeps its rules in this form, and hosts give them in it.
#include <cmath>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "base/json_form.hpp"
#include "base/text.hpp"
#include "crmkit/duplicates.hpp"
#include "crmkit/error.hpp"

namespace crmkit {

namespace {

using nlohmann::json;

[[noreturn]] void bad(const std::string& where, const std::string& why) {
  throw Error(Errc::invalid_argument, fmt::format("duplicate rules: {} {}", where, why));
}

const json& member(const json& object, const char* key, const std::string& where) {
  auto it = object.find(key);
  if (it == object.end()) bad(where, fmt::format("has no \"{}\"", key));
  return *it;
}

int int_of(const json& v, const std::string& where) {
  if (!v.is_number_integer()) bad(where, "must be an integer");
  const std::int64_t n = detail::json_int64(v, where);
  if (n < -1'000'000'000 || n > 1'000'000'000) bad(where, fmt::format("{} is out of range", n));
  return static_cast<int>(n);
}

void only_keys(const json& object, std::initializer_list<const char*> keys, const std::string& where) {
  for (auto it = object.begin(); it != object.end(); ++it) {
    bool known = false;
    for (const char* k : keys) known = known || it.key() == k;
    if (!known) bad(where, fmt::format("has an unknown key \"{}\"", detail::printable(it.key())));
  }
}

MatchCondition condition_of(const json& j, const std::string& where) {
  if (!j.is_object()) bad(where, "must be an object");
  only_keys(j, {"field", "comparator", "prefix_length", "threshold"}, where);
  MatchCondition c;
  const json& field = member(j, "field", where);
  if (!field.is_string()) bad(where + " field", "must be a string");
  c.field = parse_match_field(field.get<std::string>(), "field");
  const json& comparator = member(j, "comparator", where);
  if (!comparator.is_string()) bad(where + " comparator", "must be a string");
  c.comparator = parse_comparator(comparator.get<std::string>(), "comparator");
  if (auto it = j.find("prefix_length"); it != j.end()) c.prefix_length = int_of(*it, where + " prefix_length");
  if (auto it = j.find("threshold"); it != j.end()) {
    if (!it->is_number()) bad(where + " threshold", "must be a number");
    c.threshold = it->get<double>();
  }
  return c;
}

json condition_json(const MatchCondition& c) {
  json j{{"field", to_string(c.field)}, {"comparator", to_string(c.comparator)}};
  if (c.comparator == Comparator::prefix) j["prefix_length"] = c.prefix_length;
  if (c.comparator == Comparator::jaro_winkler) j["threshold"] = c.threshold;
  return j;
}

json candidate_json(const DuplicateCandidate& c) {
  json fired = json::array();
  for (const auto& f : c.fired) fired.push_back({{"rule", f.rule + 1}, {"text", f.text}, {"weight", f.weight}});
  return {{"a", c.a}, {"b", c.b}, {"score", c.score}, {"verdict", to_string(c.verdict)}, {"fired", fired}};
}

}  // namespace

std::string to_json(const DuplicateRules& rules) {
  json list = json::array();
  for (const auto& r : rules.rules) {
    json all = json::array();
    for (const auto& c : r.all_of) all.push_back(condition_json(c));
    list.push_back({{"weight", r.weight}, {"all_of", all}});
  }
  return json{{"duplicate_threshold", rules.duplicate_threshold}, {"suspect_from", rules.suspect_from}, {"rules", list}}
      .dump();
}

DuplicateRules duplicate_rules_from_json(const std::string& text) {
  const json j = detail::parse_json_object(text);
  only_keys(j, {"duplicate_threshold", "suspect_from", "rules"}, "the object");
  DuplicateRules out;
  out.duplicate_threshold = int_of(member(j, "duplicate_threshold", "the object"), "duplicate_threshold");
  out.suspect_from = int_of(member(j, "suspect_from", "the object"), "suspect_from");
  const json& rules = member(j, "rules", "the object");
  if (!rules.is_array()) bad("rules", "must be an array");
  if (rules.size() > kMaxRules) bad("rules", fmt::format("has {} rules; at most {} are allowed", rules.size(), kMaxRules));
  for (std::size_t i = 0; i < rules.size(); ++i) {
    const std::string where = fmt::format("rule {}", i + 1);
    const json& r = rules[i];
    if (!r.is_object()) bad(where, "must be an object");
    only_keys(r, {"weight", "all_of"}, where);
    DuplicateRule rule;
    rule.weight = int_of(member(r, "weight", where), where + " weight");
    const json& all = member(r, "all_of", where);
    if (!all.is_array()) bad(where + " all_of", "must be an array");
    if (all.size() > kMatchFieldCount * 4) bad(where + " all_of", "has too many conditions");
    for (std::size_t k = 0; k < all.size(); ++k)
      rule.all_of.push_back(condition_of(all[k], fmt::format("{} condition {}", where, k + 1)));
    out.rules.push_back(std::move(rule));
  }
  check_duplicate_rules(out);
  return out;
}

std::string to_json(const DuplicateCandidate& candidate) { return candidate_json(candidate).dump(); }

std::string to_json(const DuplicateScan& scan) {
  json list = json::array();
  for (const auto& c : scan.candidates) list.push_back(candidate_json(c));
  return json{{"customers", scan.customers},         {"pairs_compared", scan.pairs_compared},
              {"all_pairs", scan.all_pairs},         {"blocks_skipped", scan.blocks_skipped},
              {"ignored", scan.ignored},             {"candidates", list}}
      .dump();
}

}  // namespace crmkit

namespace crmkit {

std::string to_json(const FellegiSunterScan& scan) {
  nlohmann::json fields = nlohmann::json::array(), pairs = nlohmann::json::array();
  for (const auto& f : scan.fields)
    fields.push_back({{"field", to_string(f.field)},
                      {"partial_threshold", f.partial_threshold},
                      {"m", f.m},
                      {"u", f.u},
                      {"weight", f.weight}});
  for (const auto& p : scan.pairs) {
    nlohmann::json parts = nlohmann::json::array();
    for (const auto& part : p.parts)
      parts.push_back({{"field", to_string(part.field)}, {"level", part.level}, {"weight", part.weight}});
    pairs.push_back({{"a", p.a}, {"b", p.b}, {"weight", p.weight}, {"parts", parts}});
  }
  return nlohmann::json{{"fields", fields},
                        {"match_share", scan.match_share},
                        {"threshold", scan.threshold},
                        {"iterations", scan.iterations},
                        {"converged", scan.converged},
                        {"customers", scan.customers},
                        {"pairs_compared", scan.pairs_compared},
                        {"all_pairs", scan.all_pairs},
                        {"ignored", scan.ignored},
                        {"pairs", pairs}}
      .dump();
}

}  // namespace crmkit
