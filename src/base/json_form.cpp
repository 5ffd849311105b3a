#include "base/json_form.hpp"

#include <limits>

#include <fmt/format.h>

#include "base/checks.hpp"
#include "base/text.hpp"
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

void bad_json_field(const std::string& key, const char* why) {
  throw Error(Errc::invalid_argument, fmt::format("JSON field '{}' {}", printable(key), why));
}

nlohmann::json parse_json_object(const std::string& text) {
  canonical_json_object("json", text);  // UTF-8, size and depth limits, object
  return nlohmann::json::parse(text);
}

std::optional<std::string> text_from_json(const nlohmann::json& v, const std::string& key) {
  if (v.is_null()) return std::nullopt;
  if (!v.is_string()) bad_json_field(key, "must be a string or null");
  return v.get<std::string>();
}

std::int64_t int64_from_json(const nlohmann::json& v, const std::string& key) {
  return json_int64(v, fmt::format("JSON field '{}'", printable(key)));
}

Instant instant_from_json(const nlohmann::json& v, const std::string& key) {
  if (v.is_string()) return parse_instant(v.get<std::string>(), key);
  if (v.is_number_integer()) return int64_from_json(v, key);
  bad_json_field(key, "must be epoch milliseconds or an ISO-8601 date-time string");
}

Money money_from_json(const nlohmann::json& v, const std::string& key) {
  if (!v.is_object()) bad_json_field(key, "must be an object {\"minor\": integer, \"currency\": \"ISO\"}");
  Money m;
  bool have_minor = false, have_currency = false;
  for (auto& [k, x] : v.items()) {
    if (k == "minor") m.minor = int64_from_json(x, key + ".minor"), have_minor = true;
    else if (k == "currency") {
      if (!x.is_string()) bad_json_field(key + ".currency", "must be a string");
      m.currency = currency_code(x.get<std::string>());
      have_currency = true;
    } else bad_json_field(key + "." + k, "is not a known field");
  }
  if (!have_minor || !have_currency) bad_json_field(key, "needs both minor and currency");
  return m;
}

std::string attributes_from_json(const nlohmann::json& v, const std::string& key) {
  if (v.is_string()) return v.get<std::string>();  // JSON text in a string is accepted too
  if (!v.is_object()) bad_json_field(key, "must be a JSON object");
  return v.dump();
}

}  // namespace crmkit::detail
