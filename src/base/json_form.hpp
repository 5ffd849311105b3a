// The two JSON forms of stored records.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "crmkit/json_form.hpp"
#include "crmkit/money.hpp"
#include "crmkit/time.hpp"

namespace crmkit::detail {

// The forms are public (crmkit/json_form.hpp): the C API asks for `exact`, the command for
// `readable`.
using crmkit::JsonForm;

// The pieces every record's JSON shares.
template <class T>
nlohmann::json optional_json(const std::optional<T>& v) {
  return v ? nlohmann::json(*v) : nlohmann::json(nullptr);
}
nlohmann::json money_json(const std::optional<Money>& m, JsonForm form);
nlohmann::json instant_json(Instant t, JsonForm form);
nlohmann::json attributes_json(const std::string& text);

// The one way to read an integer from caller JSON. nlohmann keeps a literal above INT64_MAX
// as uint64, and get<int64_t>() would wrap it (9223372036854775808 read as INT64_MIN), so
// throws Error(invalid_argument) "<what> must be an integer" or "<what> <digits as given> is
// out of the int64 range" instead.
std::int64_t json_int64(const nlohmann::json& v, std::string_view what);

// Readers of the exact form, the writers' counterparts, for records given as JSON by a caller.
// Each throws Error(invalid_argument) "JSON field '<key>' <why>".
[[noreturn]] void bad_json_field(const std::string& key, const char* why);
// The text as a JSON object, after the UTF-8, size and depth checks every JSON argument gets.
nlohmann::json parse_json_object(const std::string& text);
std::optional<std::string> text_from_json(const nlohmann::json& v, const std::string& key);  // null: absent
std::int64_t int64_from_json(const nlohmann::json& v, const std::string& key);
// Epoch milliseconds or an ISO-8601 date-time string.
Instant instant_from_json(const nlohmann::json& v, const std::string& key);
// {"minor": integer, "currency": "ISO"}.
Money money_from_json(const nlohmann::json& v, const std::string& key);
// A JSON object, or its text in a string; returned as text.
std::string attributes_from_json(const nlohmann::json& v, const std::string& key);

}  // namespace crmkit::detail
