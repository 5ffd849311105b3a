// Whether a customer id names a stored customer: the check every service makes before it
// attaches something (a survey response, a points membership, a segment membership) to one.
#pragma once

#include <cstdint>

#include "store/connection.hpp"

namespace crmkit::detail {

bool customer_exists(Connection& c, std::int64_t id);

}  // namespace crmkit::detail
