// C API: the customer field list, so bindings derive their field names instead of copying them.
#include <nlohmann/json.hpp>

#include "crmkit/customer.hpp"
#include "handle.hpp"

using namespace crmkit;

extern "C" int crmkit_customer_fields_json(char** out_json) {
  if (out_json) *out_json = nullptr;
  return capi::call(nullptr, [&] {
    capi::need(out_json, "out_json");
    nlohmann::json fields = nlohmann::json::array();
    for (const auto& f : customer_fields())
      fields.push_back({{"name", f.name},
                        {"type", to_string(f.type)},
                        {"given", f.given},
                        {"clearable", f.clearable},
                        {"choices", f.choices},
                        {"description", f.description}});
    *out_json = capi::owned_string(fields.dump());
    return CRMKIT_OK;
  });
}
