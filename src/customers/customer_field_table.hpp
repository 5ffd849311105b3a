// The customer's fields, one row each: the one source behind crmkit::customer_fields() and
// the code that must visit every field (checking `clear`, applying and clearing values, the
// JSON form). A field added to Customer is added here and nowhere else in src/customers/.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "base/json_form.hpp"
#include "crmkit/customer.hpp"

namespace crmkit::detail {

// What erasure (crmkit/erasure.hpp) does with a field: personal data is cleared (`clear`), or
// pseudonymised where the record must keep a value ("ERASED:<id>"); the rest is kept.
enum class Personal { no, cleared, pseudonymised };

struct CustomerFieldRow {
  CustomerFieldInfo info;
  Personal personal = Personal::no;
  // Text and date fields: their member in Customer and in CustomerFields; null otherwise.
  std::optional<std::string> Customer::*stored_text = nullptr;
  std::optional<std::string> CustomerFields::*given_text = nullptr;
  // Text, date and choice fields: sets the field from its text (parsing a choice).
  void (*set_text)(CustomerFields&, std::optional<std::string>) = nullptr;
  bool (*is_given)(const CustomerFields&) = nullptr;  // fields with info.given: whether `fields` sets it
  bool (*clear)(Customer&) = nullptr;  // fields with info.clearable: back to unknown; true if it changed
  nlohmann::json (*json)(const Customer&, JsonForm) = nullptr;
};

// In the order of Customer's members.
const std::vector<CustomerFieldRow>& customer_field_rows();

// nullptr when no field has this name.
const CustomerFieldRow* find_customer_field(std::string_view name);

}  // namespace crmkit::detail
