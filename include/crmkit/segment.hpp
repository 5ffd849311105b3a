// crmkit/segment.hpp: rule-based and hand-made customer segments.
//
// A rule is JSON (the public contract, see docs/SEGMENTS.md) or its text form
// ("gender = \"F\" and count(purchase, last 6 months) >= 3"). Rules compile to one
// parameterised SQL statement over the store; nothing of the rule's text is ever spliced into
// SQL. Saved segments keep every rule version and an append-only membership history.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "crmkit/store.hpp"
#include "crmkit/time.hpp"

namespace crmkit {

enum class SegmentKind { dynamic, manual_static };
const char* to_string(SegmentKind k) noexcept;  // "dynamic", "static"
SegmentKind parse_segment_kind(const std::string& text, const char* field = "kind");

// One bound parameter of a compiled rule (explain()).
struct SqlParam {
  enum class Type { integer, real, text } type = Type::integer;
  std::int64_t integer = 0;
  double real = 0;
  std::string text;
};

struct RuleOptions {
  // false (default): negative operators (ne, not_between, not_in, not_contains) and `not`
  // match customers whose value is missing. true: SQL three-valued logic (missing never matches).
  bool strict_nulls = false;
};

struct ExplainedRule {
  std::string sql;               // with ?1..?n placeholders
  std::vector<SqlParam> params;  // their values, in order
  std::string canonical_rule;    // the validated rule as canonical JSON
};

struct Segment {
  std::int64_t id = 0;
  std::string name;
  SegmentKind kind = SegmentKind::dynamic;
  std::string description;
  int rule_version = 0;          // current version (0: a static segment without a rule)
  std::string rule;              // current rule, canonical JSON ("" for static segments)
  bool strict_nulls = false;
  std::optional<Instant> refreshed_at;  // last refresh's as_of
  std::int64_t member_count = 0;        // current members
};

struct SegmentVersion {
  int version = 0;
  std::string rule;  // canonical JSON
  bool strict_nulls = false;
};

// One stay of a customer in a segment: [entered_at, left_at); left_at empty = current member.
struct Membership {
  std::int64_t segment_id = 0;
  std::string segment_name;
  std::int64_t customer_id = 0;
  Instant entered_at = 0;
  std::optional<Instant> left_at;
  std::optional<int> rule_version;  // empty for hand-made (static) changes
};

struct RefreshResult {
  std::int64_t entered = 0;  // customers that joined at as_of
  std::int64_t left = 0;     // customers that left at as_of
  std::int64_t members = 0;  // members after the refresh
  int rule_version = 0;
};

// Rule helpers that need no store.
// Validates a JSON rule; returns its canonical JSON. Throws Error(invalid_argument) naming the
// node path ("rule.all[2].value: ...").
std::string canonical_rule(const std::string& rule_json);
std::string rule_from_text(const std::string& text);       // text form -> canonical JSON
std::string rule_to_text(const std::string& rule_json);    // JSON -> canonical text form

class Segments {
 public:
  explicit Segments(Store store) : store_(std::move(store)) {}

  // Ad-hoc evaluation of a rule (JSON) as of an instant, without saving anything.
  std::int64_t count(const std::string& rule_json, Instant as_of, const RuleOptions& o = {}) const;
  // Up to `limit` matching customer ids in ascending order.
  std::vector<std::int64_t> sample(const std::string& rule_json, Instant as_of, std::int64_t limit,
                                   const RuleOptions& o = {}) const;
  std::vector<std::int64_t> evaluate(const std::string& rule_json, Instant as_of,
                                     const RuleOptions& o = {}) const;
  ExplainedRule explain(const std::string& rule_json, Instant as_of, const RuleOptions& o = {}) const;

  // Saved segments. Names: 1..200 bytes of UTF-8, unique. Dynamic segments need a rule;
  // static ones take none (rule_json empty) and are filled by add_customers.
  Segment create(const std::string& name, SegmentKind kind, const std::string& rule_json,
                 const std::string& description = {}, const RuleOptions& o = {});
  // A new rule version (dynamic segments); earlier versions stay readable.
  Segment update(const std::string& name, const std::string& rule_json, const RuleOptions& o = {});
  void remove(const std::string& name);  // refused (conflict) while another rule refers to it
  Segment get(const std::string& name) const;
  std::vector<Segment> list() const;
  std::vector<SegmentVersion> versions(const std::string& name) const;

  // Evaluates the current rule as of `as_of` and records who entered and left, in one
  // transaction. as_of must not precede the previous refresh.
  RefreshResult refresh(const std::string& name, Instant as_of);

  // Static segments: hand-made membership changes at `at` (recorded in the history).
  // Returns how many customers actually entered / left.
  std::int64_t add_customers(const std::string& name, const std::vector<std::int64_t>& ids, Instant at);
  std::int64_t remove_customers(const std::string& name, const std::vector<std::int64_t>& ids, Instant at);

  std::vector<Membership> members(const std::string& name) const;            // current
  std::vector<Membership> segments_of(std::int64_t customer_id) const;       // current
  // Stays that began or ended within [from, to).
  std::vector<Membership> history(const std::string& name, Instant from, Instant to) const;

 private:
  Store store_;
};

}  // namespace crmkit
