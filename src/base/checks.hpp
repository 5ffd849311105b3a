// Value checks shared by the core areas: instants in range, JSON attribute objects, tags.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "crmkit/time.hpp"

namespace crmkit::detail {

// Instants are accepted between 0001-01-01T00:00Z and 9999-12-31T23:59:59.999Z, so that day
// arithmetic never overflows and every instant formats as a four-digit year.
constexpr Instant kMinInstant = -62'135'596'800'000;
constexpr Instant kMaxInstant = 253'402'300'799'999;

// Throws Error(invalid_argument) naming `field` when t is outside [kMinInstant, kMaxInstant].
void check_instant(std::string_view field, Instant t);

// Validates a JSON object (UTF-8, at most kMaxJsonText bytes, nesting at most kMaxJsonDepth)
// and returns its canonical text (keys sorted, no white space), so that equal objects compare
// equal as strings. Throws Error(invalid_argument) naming `field`.
std::string canonical_json_object(std::string_view field, std::string_view text);

// Number of Unicode code points in valid UTF-8.
std::size_t code_points(std::string_view utf8) noexcept;

}  // namespace crmkit::detail
