// A customer as JSON, in either form (base/json_form.hpp); the C API and the CLI both use it.
#pragma once

#include <nlohmann/json.hpp>

#include "base/json_form.hpp"
#include "crmkit/customer.hpp"

namespace crmkit::detail {

nlohmann::json customer_json(const Customer& c, JsonForm form);
// Its reader: the keys of customer_json in the exact form except id, updated_at and
// lifecycle_manual, plus "clear" (names to set back to unknown); null = not given. Unknown keys
// and wrong types are refused naming the key; every rule is checked by Customers afterwards.
CustomerFields customer_fields_from_json(const std::string& text);

}  // namespace crmkit::detail
