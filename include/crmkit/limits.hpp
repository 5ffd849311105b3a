// crmkit/limits.hpp: the documented size and range limits, and the checks clients such as the
// command line share with the library so that they refuse the same input the same way.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include "crmkit/time.hpp"

namespace crmkit {

// Longer input is refused, not truncated.
constexpr std::size_t kMaxShortText = 1'000;      // names, ids, codes, subjects
constexpr std::size_t kMaxLongText = 1'000'000;   // notes, comments
constexpr std::size_t kMaxJsonText = 1'000'000;   // attribute objects, programme specs, segment maps
constexpr int kMaxJsonDepth = 32;
constexpr std::size_t kMaxRuleBytes = 256 * 1024;  // a segment rule, JSON or text

// Throws Error(invalid_argument) naming `field` when t is outside 0001-01-01..9999-12-31 UTC.
void check_instant(std::string_view field, Instant t);

// A value quoted for an error message: valid UTF-8 whatever the input, at most max_chars
// characters, control and invalid bytes escaped as \xNN.
std::string printable(std::string_view s, std::size_t max_chars = 60);

}  // namespace crmkit
