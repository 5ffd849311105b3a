// What makes an interaction valid: enum names, amount rules, text and attribute limits.
#pragma once

#include <string>

#include "crmkit/interaction.hpp"

namespace crmkit::detail {

// Checks every rule that does not need the database (the customer's existence is checked by
// the insert's foreign key). Returns the attributes in canonical JSON (empty optional when
// absent). Throws Error(invalid_argument) naming the field.
std::optional<std::string> check_interaction(const Interaction& i);

}  // namespace crmkit::detail
