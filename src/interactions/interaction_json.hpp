// An interaction and a customer's figures as JSON, in either form (base/json_form.hpp); the C
// API and the CLI both use them.
#pragma once

#include <nlohmann/json.hpp>

#include "base/json_form.hpp"
#include "crmkit/interaction.hpp"

namespace crmkit::detail {

nlohmann::json interaction_json(const Interaction& i, JsonForm form);
// Its reader: the keys of interaction_json in the exact form except id; customer_id,
// occurred_at and kind required. The rules are checked by Interactions afterwards.
Interaction interaction_from_json(const std::string& text);
nlohmann::json figures_json(const CustomerFigures& f, JsonForm form);

}  // namespace crmkit::detail
