// Segment rules: the JSON language (validation to a canonical form), its text form, and the
// compiler to one parameterised SQL statement. Internal to the library (nlohmann::json).
#pragma once

#include <nlohmann/json.hpp>

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "crmkit/segment.hpp"
#include "crmkit/limits.hpp"
#include "crmkit/time.hpp"
#include "store/database.hpp"

namespace crmkit::segments {

using json = nlohmann::json;

// Documented limits (docs/SEGMENTS.md): larger rules are refused, never truncated.
using crmkit::kMaxRuleBytes;  // rule JSON or text (crmkit/limits.hpp)
constexpr int kMaxDepth = 24;                      // nesting of groups
constexpr int kMaxLeaves = 200;                    // leaves in one rule
constexpr std::size_t kMaxListSize = 1'000;        // values of one in / not_in / where list
constexpr std::size_t kMaxStringBytes = 1'000;     // one string value
constexpr std::size_t kMaxAttributePath = 8;       // segments of attributes.a.b.c
constexpr std::size_t kMaxAttributeKey = 64;       // bytes of one path segment

// Parses rule JSON text and validates it; returns the canonical rule. Errors:
// Error(invalid_argument) whose message starts with the node path ("rule.all[2].value: ...").
json parse_rule(std::string_view json_text);
// Validates an already parsed rule (same errors); returns its canonical form.
json canonical_rule(const json& rule);

// The text form: "gender = \"F\" and age between 30 and 39 and count(purchase, last 6 months) >= 3".
// rule_from_text returns the canonical JSON rule; rule_to_text prints a canonical rule.
// rule_to_text(rule_from_text(t)) is the canonical text; rule_from_text(rule_to_text(r)) == r.
json rule_from_text(std::string_view text);
std::string rule_to_text(const json& canonical);

// Names of the segments a canonical rule refers to (sorted, unique).
std::vector<std::string> referenced_segments(const json& canonical);

struct CompileContext {
  Instant as_of = 0;
  std::string currency = "USD";   // the store's default currency
  bool strict_nulls = false;      // SQL three-valued logic instead of "negatives match missing"
  // The SQL dialect to emit: SQLite's integer truth values and json_extract, or PostgreSQL's
  // booleans and jsonb (same results on both).
  detail::Backend backend = detail::Backend::sqlite;
  // Segment name -> id; throws Error(not_found) for an unknown name.
  std::function<std::int64_t(const std::string& name)> resolve_segment;
  // Whether a consent purpose is registered (consent.<channel>.<purpose> fields); unset: any is.
  std::function<bool(const std::string& purpose)> known_purpose;
};

struct CompiledRule {
  std::string sql;                 // SELECT c.id FROM customers c ... WHERE ...
  std::vector<SqlParam> params;    // ?1..?n in order
};

// Compiles a canonical rule. Placeholders are numbered ?1..?n (so the statement can be
// embedded in a larger one that numbers its own parameters after n).
CompiledRule compile_rule(const json& canonical, const CompileContext& ctx);

}  // namespace crmkit::segments
