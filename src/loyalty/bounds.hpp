// Period bounds of the loyalty queries: instants of the supported calendar (years 1..9999) or
// the exclusive end just after it, so that month and week arithmetic never overflows.
#pragma once

#include <fmt/format.h>

#include "base/checks.hpp"
#include "crmkit/error.hpp"

namespace crmkit::loyalty {

inline void check_bound(const char* field, Instant t) {
  if (t < detail::kMinInstant || t > detail::kMaxInstant + 1)
    throw Error(Errc::invalid_argument,
                fmt::format("{} {} is outside the supported range (years 0001 to 9999)", field, t));
}

}  // namespace crmkit::loyalty
