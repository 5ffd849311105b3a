// Text checks shared by every area: UTF-8 validity, size limits, quoting values in messages.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include "crmkit/limits.hpp"

namespace crmkit::detail {

// The documented size limits live in the public crmkit/limits.hpp.
using crmkit::kMaxJsonDepth;
using crmkit::kMaxJsonText;
using crmkit::kMaxLongText;
using crmkit::kMaxShortText;

// Well-formed UTF-8 per RFC 3629: no overlongs, no surrogates, nothing above U+10FFFF.
// NUL bytes are refused too (they cannot cross the C API and truncate SQLite text).
bool is_valid_utf8(std::string_view s) noexcept;

// A value quoted for an error message: valid UTF-8 whatever the input, at most max_chars
// characters, control and invalid bytes escaped as \xNN.
std::string printable(std::string_view s, std::size_t max_chars = 60);

// Checks UTF-8 and length; throws Error(invalid_argument) naming the field.
void check_text(std::string_view field, std::string_view value, std::size_t max_bytes = kMaxShortText);

// Trims ASCII white space at both ends.
std::string_view trim(std::string_view s) noexcept;

}  // namespace crmkit::detail
