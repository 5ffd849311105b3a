// The C API's JSON entry points: customers and interactions parsed from JSON. Conversion only:
// every rule is checked by the C++ services afterwards.
#pragma once

#include <string>

#include <nlohmann/json.hpp>

#include "crmkit/customer.hpp"
#include "crmkit/interaction.hpp"

namespace crmkit::capi {

// Records go out through detail::customer_json / interaction_json / figures_json in the exact
// form; these parse them back.

// Parses a JSON object of customer fields (the keys of customer_json except id and updated_at,
// plus "clear"; null = not given). Unknown keys and wrong types are refused.
CustomerFields customer_fields_from_json(const std::string& text);

// Parses a JSON object of an interaction (the keys of interaction_json except id).
Interaction interaction_from_json(const std::string& text);

}  // namespace crmkit::capi
