// Whether a customer id names a stored customer: the check every service makes before it
// attaches something (a survey response, a points membership, a segment membership) to one.
#pragma once

#include <cstdint>
#include <optional>

#include "crmkit/time.hpp"

#include "store/connection.hpp"

namespace crmkit::detail {

bool customer_exists(Connection& c, std::int64_t id);

// When the customer was erased (crmkit/erasure.hpp); std::nullopt when it was not or does not
// exist. One indexed read: what merge and any other write to a customer asks first.
std::optional<Instant> customer_erased_at(Connection& c, std::int64_t id);

// Throws Error(conflict) "customer <id> was erased at <T>: ...": the one refusal of a change to
// an erased customer.
[[noreturn]] void refuse_erased(std::int64_t id, Instant erased_at);

}  // namespace crmkit::detail
