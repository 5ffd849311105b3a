// The one place where the report adds money across customers. A total of int64 minor units
// can pass int64, so it is added in 128 bits and printed exactly.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace crmkit::reports {

using ExactSum = __int128;

// Minor units as exact decimal text in major units: (123456, "USD") -> "1234.56".
std::string exact_amount(ExactSum minor, std::string_view currency);

}  // namespace crmkit::reports
