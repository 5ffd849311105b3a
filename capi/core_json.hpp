// JSON forms of customers, interactions and figures for the C API's *_json functions and JSON
// entry points. Conversion only: every rule is checked by the C++ services afterwards.
#pragma once

#include <string>

#include <nlohmann/json.hpp>

#include "crmkit/customer.hpp"
#include "crmkit/interaction.hpp"

namespace crmkit::capi {

nlohmann::json to_json(const Customer& c);
nlohmann::json to_json(const Interaction& i);
nlohmann::json to_json(const CustomerFigures& f);

// Parses a JSON object of customer fields (the keys of to_json(Customer) except id and
// updated_at, plus "clear"; null = not given). Unknown keys and wrong types are refused.
CustomerFields customer_fields_from_json(const std::string& text);

// Parses a JSON object of an interaction (the keys of to_json(Interaction) except id).
Interaction interaction_from_json(const std::string& text);

}  // namespace crmkit::capi
