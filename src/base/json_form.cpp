#include "base/json_form.hpp"

namespace crmkit::detail {

nlohmann::json money_json(const std::optional<Money>& m, JsonForm form) {
  if (!m) return nullptr;
  if (form == JsonForm::exact) return {{"minor", m->minor}, {"currency", m->currency}};
  return {{"amount", format_amount(m->minor, m->currency)}, {"currency", m->currency}};
}

nlohmann::json instant_json(Instant t, JsonForm form) {
  return form == JsonForm::exact ? nlohmann::json(t) : nlohmann::json(format_instant(t));
}

// Stored attributes were validated on the way in; should one ever not parse, it is shown as
// text rather than hidden.
nlohmann::json attributes_json(const std::string& text) {
  auto j = nlohmann::json::parse(text, nullptr, false);
  return j.is_discarded() ? nlohmann::json(text) : j;
}

}  // namespace crmkit::detail
