#include "customers/customer_json.hpp"

namespace crmkit::detail {

nlohmann::json customer_json(const Customer& c, JsonForm form) {
  return {{"id", c.id},
          {"external_id", optional_json(c.external_id)},
          {"kind", to_string(c.kind)},
          {"display_name", optional_json(c.display_name)},
          {"given_name", optional_json(c.given_name)},
          {"family_name", optional_json(c.family_name)},
          {"email", optional_json(c.email)},
          {"phone", optional_json(c.phone)},
          {"birth_date", optional_json(c.birth_date)},
          {"gender", optional_json(c.gender)},
          {"country", optional_json(c.country)},
          {"region", optional_json(c.region)},
          {"city", optional_json(c.city)},
          {"postal_code", optional_json(c.postal_code)},
          {"acquisition_channel", optional_json(c.acquisition_channel)},
          {"acquisition_cost", money_json(c.acquisition_cost, form)},
          {"lifecycle_stage", to_string(c.lifecycle_stage)},
          {"lifecycle_manual", c.lifecycle_manual},
          {"created_at", instant_json(c.created_at, form)},
          {"updated_at", instant_json(c.updated_at, form)},
          {"attributes", attributes_json(c.attributes)},
          {"tags", c.tags}};
}

}  // namespace crmkit::detail

namespace crmkit {
std::string to_json(const Customer& c) { return detail::customer_json(c, detail::JsonForm::readable).dump(); }
}  // namespace crmkit
