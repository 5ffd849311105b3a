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
// equal as strings. Numbers are kept by value, not spelling (1.50 reads back as 1.5); one that
// would not read back with the same value is refused (check_exact_numbers). Throws
// Error(invalid_argument) naming `field`.
std::string canonical_json_object(std::string_view field, std::string_view text);

// Refuses, naming its path ("attributes.order[2]") and its text, the first number in valid
// JSON text that parsing would change: an integer beyond int64/uint64, or a decimal whose
// double does not print back as the same decimal value (more than 17 significant digits,
// underflow to 0). Throws Error(invalid_argument).
void check_exact_numbers(std::string_view field, std::string_view text);

// A JSON number's exact decimal value as "[-]digits e exponent" with no leading or trailing
// zeros in digits ("0" for any zero), so that 1.50, 15e-1 and 1.5 compare equal. `lexeme`
// must be a valid JSON number.
std::string decimal_value(std::string_view lexeme);

// Number of Unicode code points in valid UTF-8.
std::size_t code_points(std::string_view utf8) noexcept;

}  // namespace crmkit::detail
