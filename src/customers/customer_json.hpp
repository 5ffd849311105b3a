// A customer as JSON, in either form (base/json_form.hpp); the C API and the CLI both use it.
#pragma once

#include <nlohmann/json.hpp>

#include "base/json_form.hpp"
#include "crmkit/customer.hpp"

namespace crmkit::detail {

nlohmann::json customer_json(const Customer& c, JsonForm form);

}  // namespace crmkit::detail
