#include "customers/customer_field_table.hpp"

#include <fmt/format.h>

#include "base/enums.hpp"
#include "base/text.hpp"
#include "crmkit/error.hpp"

namespace crmkit {

namespace detail {

namespace {

using T = CustomerFieldType;

template <class V>
bool reset(std::optional<V>& v) {
  if (!v) return false;
  v.reset();
  return true;
}

template <std::optional<std::string> Customer::*Stored, std::optional<std::string> CustomerFields::*Given>
CustomerFieldRow text_row(const char* name, T type, const char* description, Personal personal = Personal::cleared) {
  CustomerFieldRow r{{name, type, true, true, {}, description}, personal, Stored, Given};
  r.set_text = [](CustomerFields& f, std::optional<std::string> v) { f.*Given = std::move(v); };
  r.is_given = [](const CustomerFields& f) { return (f.*Given).has_value(); };
  r.clear = [](Customer& c) { return reset(c.*Stored); };
  r.json = [](const Customer& c, JsonForm) { return optional_json(c.*Stored); };
  return r;
}

std::vector<CustomerFieldRow> make_rows() {
  std::vector<CustomerFieldRow> rows;
  {
    CustomerFieldRow r{{"id", T::integer, false, false, {}, "the store's number for the customer"}};
    r.json = [](const Customer& c, JsonForm) { return nlohmann::json(c.id); };
    rows.push_back(r);
  }
  rows.push_back(text_row<&Customer::external_id, &CustomerFields::external_id>(
      "external_id", T::text, "the host's key, unique", Personal::pseudonymised));
  {
    CustomerFieldRow r{{"kind", T::choice, true, false, enum_name_list(kCustomerKindNames),
                        "a person or an organisation"}};
    r.set_text = [](CustomerFields& f, std::optional<std::string> v) {
      f.kind = v ? std::optional(parse_customer_kind(*v)) : std::nullopt;
    };
    r.is_given = [](const CustomerFields& f) { return f.kind.has_value(); };
    r.json = [](const Customer& c, JsonForm) { return nlohmann::json(to_string(c.kind)); };
    rows.push_back(r);
  }
  rows.push_back(text_row<&Customer::display_name, &CustomerFields::display_name>(
      "display_name", T::text, "the name shown for the customer", Personal::pseudonymised));
  rows.push_back(text_row<&Customer::given_name, &CustomerFields::given_name>("given_name", T::text, "first name"));
  rows.push_back(
      text_row<&Customer::family_name, &CustomerFields::family_name>("family_name", T::text, "last name"));
  rows.push_back(text_row<&Customer::email, &CustomerFields::email>("email", T::text,
                                                                    "trimmed, lower-cased, syntax-checked"));
  rows.push_back(text_row<&Customer::phone, &CustomerFields::phone>(
      "phone", T::text, "E.164 (\"+390612345678\"), read with the store's default region"));
  rows.push_back(text_row<&Customer::birth_date, &CustomerFields::birth_date>("birth_date", T::date, "YYYY-MM-DD"));
  rows.push_back(text_row<&Customer::gender, &CustomerFields::gender>("gender", T::text, "F, M or X"));
  rows.push_back(text_row<&Customer::country, &CustomerFields::country>(
      "country", T::text, "ISO 3166-1 alpha-2, upper case", Personal::no));
  rows.push_back(text_row<&Customer::region, &CustomerFields::region>("region", T::text, "state, province or county"));
  rows.push_back(text_row<&Customer::city, &CustomerFields::city>("city", T::text, "city or town"));
  rows.push_back(
      text_row<&Customer::postal_code, &CustomerFields::postal_code>("postal_code", T::text, "postal code"));
  rows.push_back(text_row<&Customer::acquisition_channel, &CustomerFields::acquisition_channel>(
      "acquisition_channel", T::text, "where the customer came from", Personal::no));
  {
    CustomerFieldRow r{{"acquisition_cost", T::money, true, true, {}, "what winning the customer cost, >= 0"}};
    r.is_given = [](const CustomerFields& f) { return f.acquisition_cost.has_value(); };
    r.clear = [](Customer& c) { return reset(c.acquisition_cost); };
    r.json = [](const Customer& c, JsonForm form) { return money_json(c.acquisition_cost, form); };
    rows.push_back(r);
  }
  {
    CustomerFieldRow r{{"lifecycle_stage", T::choice, true, false, enum_name_list(kLifecycleStageNames),
                        "where the customer is in the lifecycle; giving it makes it manual"}};
    r.set_text = [](CustomerFields& f, std::optional<std::string> v) {
      f.lifecycle_stage = v ? std::optional(parse_lifecycle_stage(*v)) : std::nullopt;
    };
    r.is_given = [](const CustomerFields& f) { return f.lifecycle_stage.has_value(); };
    r.json = [](const Customer& c, JsonForm) { return nlohmann::json(to_string(c.lifecycle_stage)); };
    rows.push_back(r);
  }
  {
    CustomerFieldRow r{{"lifecycle_manual", T::flag, false, false, {},
                        "the host gave the stage: automatic moves skip the customer"}};
    r.json = [](const Customer& c, JsonForm) { return nlohmann::json(c.lifecycle_manual); };
    rows.push_back(r);
  }
  {
    CustomerFieldRow r{{"created_at", T::instant, true, false, {}, "when the customer was created; create needs it"}};
    r.is_given = [](const CustomerFields& f) { return f.created_at.has_value(); };
    r.json = [](const Customer& c, JsonForm form) { return instant_json(c.created_at, form); };
    rows.push_back(r);
  }
  {
    CustomerFieldRow r{{"updated_at", T::instant, false, false, {}, "when a field last changed"}};
    r.json = [](const Customer& c, JsonForm form) { return instant_json(c.updated_at, form); };
    rows.push_back(r);
  }
  {
    CustomerFieldRow r{{"erased_at", T::instant, false, false, {},
                        "when the customer's personal data was erased (crmkit/erasure.hpp); null until then"}};
    r.json = [](const Customer& c, JsonForm form) {
      return c.erased_at ? instant_json(*c.erased_at, form) : nlohmann::json(nullptr);
    };
    rows.push_back(r);
  }
  {
    CustomerFieldRow r{{"attributes", T::json_object, true, true, {},
                        "the host's own fields; a value replaces the whole object, clearing makes it {}"},
                       Personal::cleared};
    r.is_given = [](const CustomerFields& f) { return f.attributes.has_value(); };
    r.clear = [](Customer& c) {
      if (c.attributes == "{}") return false;
      c.attributes = "{}";
      return true;
    };
    r.json = [](const Customer& c, JsonForm) { return attributes_json(c.attributes); };
    rows.push_back(r);
  }
  {
    CustomerFieldRow r{{"tags", T::tags, true, true, {}, "trimmed, sorted, unique; a value replaces the whole set"},
                       Personal::cleared};
    r.is_given = [](const CustomerFields& f) { return f.tags.has_value(); };
    r.clear = [](Customer& c) {
      if (c.tags.empty()) return false;
      c.tags.clear();
      return true;
    };
    r.json = [](const Customer& c, JsonForm) { return nlohmann::json(c.tags); };
    rows.push_back(r);
  }
  return rows;
}

}  // namespace

const std::vector<CustomerFieldRow>& customer_field_rows() {
  static const std::vector<CustomerFieldRow> rows = make_rows();
  return rows;
}

const CustomerFieldRow* find_customer_field(std::string_view name) {
  for (const auto& r : customer_field_rows())
    if (name == r.info.name) return &r;
  return nullptr;
}

}  // namespace detail

const std::vector<CustomerFieldInfo>& customer_fields() {
  static const std::vector<CustomerFieldInfo> fields = [] {
    std::vector<CustomerFieldInfo> v;
    for (const auto& r : detail::customer_field_rows()) v.push_back(r.info);
    return v;
  }();
  return fields;
}

void set_text_field(CustomerFields& fields, std::string_view name, std::optional<std::string> value) {
  const auto* r = detail::find_customer_field(name);
  if (!r || !r->set_text)
    throw Error(Errc::invalid_argument, fmt::format("field '{}' is not a customer text field", detail::printable(name)));
  r->set_text(fields, std::move(value));
}

}  // namespace crmkit
