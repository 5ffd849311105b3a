#include "base/json_form.hpp"

#include <limits>

#include <fmt/format.h>

#include "crmkit/error.hpp"

namespace crmkit::detail {

nlohmann::json money_json(const std::optional<Money>& m, JsonForm form) {
  if (!m) return nullptr;
  if (form == JsonForm::exact) return {{"minor", m->minor}, {"currency", m->currency}};
  return {{"amount", format_amount(m->minor, m->currency)}, {"currency", m->currency}};
}

nlohmann::json instant_json(Instant t, JsonForm form) {
  return form == JsonForm::exact ? nlohmann::json(t) : nlohmann::json(format_instant(t));
}

// Stored attributes were validated on the way in (and again by the loaders, StoredRow): text
// that does not parse now is a damaged store, not something to show as if it were valid.
nlohmann::json attributes_json(const std::string& text) {
  auto j = nlohmann::json::parse(text, nullptr, false);
  if (j.is_discarded()) throw Error(Errc::corrupt, "the store is damaged: stored attributes are not JSON");
  return j;
}

std::int64_t json_int64(const nlohmann::json& v, std::string_view what) {
  if (!v.is_number_integer()) throw Error(Errc::invalid_argument, fmt::format("{} must be an integer", what));
  if (v.is_number_unsigned() &&
      v.get<std::uint64_t>() > static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max()))
    throw Error(Errc::invalid_argument, fmt::format("{} {} is out of the int64 range", what, v.dump()));
  return v.get<std::int64_t>();
}

}  // namespace crmkit::detail
