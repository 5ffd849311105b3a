// Pieces shared by the rule checker, the text form and the compiler.
#pragma once

#include <string>
#include <vector>

#include "crmkit/time.hpp"
#include "segments/rule.hpp"

namespace crmkit::segments {

// Throws Error(invalid_argument) "<path>: <reason>".
[[noreturn]] void fail(const std::string& path, const std::string& reason);

// The values interactions.kind / channel / direction accept (0001_core.sql CHECKs).
const std::vector<std::string>& interaction_kinds();
const std::vector<std::string>& interaction_channels();
const std::vector<std::string>& interaction_directions();

// "attributes.a.b" -> {"a", "b"}; strict syntax, errors name `path`.
std::vector<std::string> attribute_path(const std::string& field, const std::string& path);

// "consent.email.marketing" -> {"email", "marketing"}: a channel a message goes out on (not
// `all`) and a purpose name's syntax; whether the purpose is registered is the compiler's check.
struct ConsentField {
  std::string channel;
  std::string purpose;
};
ConsentField consent_field(const std::string& field, const std::string& path);

// A time value of a rule as the half-open interval it denotes: a date D is [D 00:00, D+1 00:00),
// an instant t is [t, t+1ms).
struct TimeInterval {
  Instant lo;
  Instant hi;
};
TimeInterval time_interval(const std::string& s, const std::string& path);

// Validated N of {"last": N, "unit": U}.
std::int64_t window_last(const json& n, const std::string& unit, const std::string& path);

// [lo, hi) of a canonical window object as of `as_of`.
TimeInterval window_bounds(const json& window, Instant as_of);

}  // namespace crmkit::segments
