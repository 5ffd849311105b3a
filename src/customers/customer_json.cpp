#include "customers/customer_json.hpp"

#include "customers/customer_field_table.hpp"

namespace crmkit::detail {

nlohmann::json customer_json(const Customer& c, JsonForm form) {
  nlohmann::json j = nlohmann::json::object();
  for (const auto& field : customer_field_rows()) j[field.info.name] = field.json(c, form);
  return j;
}

CustomerFields customer_fields_from_json(const std::string& text) {
  nlohmann::json j = parse_json_object(text);
  CustomerFields f;
  for (auto& [key, v] : j.items()) {
    // Text, date and choice fields (a choice's text is parsed) are set as the field table says;
    // null leaves them unset.
    const CustomerFieldRow* row = find_customer_field(key);
    if (row && row->set_text) row->set_text(f, text_from_json(v, key));
    else if (key == "acquisition_cost") { if (!v.is_null()) f.acquisition_cost = money_from_json(v, key); }
    else if (key == "created_at") { if (!v.is_null()) f.created_at = instant_from_json(v, key); }
    else if (key == "attributes") { if (!v.is_null()) f.attributes = attributes_from_json(v, key); }
    else if (key == "tags") {
      if (v.is_null()) continue;
      if (!v.is_array()) bad_json_field(key, "must be an array of strings");
      f.tags = std::vector<std::string>();
      for (auto& t : v) {
        if (!t.is_string()) bad_json_field(key, "must be an array of strings");
        f.tags->push_back(t.get<std::string>());
      }
    } else if (key == "clear") {
      if (!v.is_array()) bad_json_field(key, "must be an array of field names");
      for (auto& t : v) {
        if (!t.is_string()) bad_json_field(key, "must be an array of field names");
        f.clear.push_back(t.get<std::string>());
      }
    } else if (key == "lifecycle_manual") {
      bad_json_field(key, "is kept by the store (giving lifecycle_stage sets it) and cannot be given");
    } else if (key == "erased_at") {
      bad_json_field(key, "is set by erasure and cannot be given");
    } else if (key == "id" || key == "updated_at") {
      bad_json_field(key, "is set by the store and cannot be given");
    } else {
      bad_json_field(key, "is not a customer field");
    }
  }
  return f;
}

}  // namespace crmkit::detail

namespace crmkit {

std::string to_json(const Customer& c, JsonForm form) { return detail::customer_json(c, form).dump(); }

std::string to_json(const LifecycleRule& rule) {
  return nlohmann::json{{"churn_rule", to_string(rule.churn)},
                        {"window_days", rule.window_days},
                        {"p_alive_threshold", rule.p_alive_threshold}}
      .dump();
}

std::string to_json(const LifecycleUpdate& u) {
  nlohmann::json j;
  j["as_of"] = u.as_of;
  j["rule"] = nlohmann::json::parse(to_json(u.rule));
  j["evaluated"] = u.evaluated;
  j["moves"] = nlohmann::json::array();
  for (const auto& m : u.moves)
    j["moves"].push_back({{"from", to_string(m.from)}, {"to", to_string(m.to)}, {"customers", m.customers}});
  return j.dump();
}

}  // namespace crmkit
