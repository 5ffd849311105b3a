#include "core_json.hpp"

#include <limits>

#include <fmt/format.h>

#include "base/checks.hpp"
#include "base/json_form.hpp"
#include "base/text.hpp"
#include "crmkit/error.hpp"

namespace crmkit::capi {

using nlohmann::json;

namespace {

[[noreturn]] void bad(const std::string& key, const char* why) {
  throw Error(Errc::invalid_argument, fmt::format("JSON field '{}' {}", detail::printable(key), why));
}

json parse_object(const std::string& text) {
  detail::canonical_json_object("json", text);  // UTF-8, size and depth limits, object
  return json::parse(text);
}

std::optional<std::string> text(const json& v, const std::string& key) {
  if (v.is_null()) return std::nullopt;
  if (!v.is_string()) bad(key, "must be a string or null");
  return v.get<std::string>();
}

std::int64_t integer(const json& v, const std::string& key) {
  return detail::json_int64(v, fmt::format("JSON field '{}'", detail::printable(key)));
}

// An instant: integer epoch milliseconds or an ISO-8601 string.
Instant instant(const json& v, const std::string& key) {
  if (v.is_string()) return parse_instant(v.get<std::string>(), key);
  if (v.is_number_integer()) return integer(v, key);
  bad(key, "must be epoch milliseconds or an ISO-8601 date-time string");
}

Money money_from(const json& v, const std::string& key) {
  if (!v.is_object()) bad(key, "must be an object {\"minor\": integer, \"currency\": \"ISO\"}");
  Money m;
  bool have_minor = false, have_currency = false;
  for (auto& [k, x] : v.items()) {
    if (k == "minor") m.minor = integer(x, key + ".minor"), have_minor = true;
    else if (k == "currency") {
      if (!x.is_string()) bad(key + ".currency", "must be a string");
      m.currency = currency_code(x.get<std::string>());
      have_currency = true;
    } else bad(key + "." + k, "is not a known field");
  }
  if (!have_minor || !have_currency) bad(key, "needs both minor and currency");
  return m;
}

std::string attributes_from(const json& v, const std::string& key) {
  if (v.is_string()) return v.get<std::string>();  // JSON text in a string is accepted too
  if (!v.is_object()) bad(key, "must be a JSON object");
  return v.dump();
}

}  // namespace

CustomerFields customer_fields_from_json(const std::string& src) {
  json j = parse_object(src);
  CustomerFields f;
  for (auto& [key, v] : j.items()) {
    if (key == "external_id") f.external_id = text(v, key);
    else if (key == "kind") { if (auto s = text(v, key)) f.kind = parse_customer_kind(*s); }
    else if (key == "display_name") f.display_name = text(v, key);
    else if (key == "given_name") f.given_name = text(v, key);
    else if (key == "family_name") f.family_name = text(v, key);
    else if (key == "email") f.email = text(v, key);
    else if (key == "phone") f.phone = text(v, key);
    else if (key == "birth_date") f.birth_date = text(v, key);
    else if (key == "gender") f.gender = text(v, key);
    else if (key == "country") f.country = text(v, key);
    else if (key == "region") f.region = text(v, key);
    else if (key == "city") f.city = text(v, key);
    else if (key == "postal_code") f.postal_code = text(v, key);
    else if (key == "acquisition_channel") f.acquisition_channel = text(v, key);
    else if (key == "acquisition_cost") { if (!v.is_null()) f.acquisition_cost = money_from(v, key); }
    else if (key == "lifecycle_stage") { if (auto s = text(v, key)) f.lifecycle_stage = parse_lifecycle_stage(*s); }
    else if (key == "created_at") { if (!v.is_null()) f.created_at = instant(v, key); }
    else if (key == "attributes") { if (!v.is_null()) f.attributes = attributes_from(v, key); }
    else if (key == "tags") {
      if (v.is_null()) continue;
      if (!v.is_array()) bad(key, "must be an array of strings");
      f.tags = std::vector<std::string>();
      for (auto& t : v) {
        if (!t.is_string()) bad(key, "must be an array of strings");
        f.tags->push_back(t.get<std::string>());
      }
    } else if (key == "clear") {
      if (!v.is_array()) bad(key, "must be an array of field names");
      for (auto& t : v) {
        if (!t.is_string()) bad(key, "must be an array of field names");
        f.clear.push_back(t.get<std::string>());
      }
    } else if (key == "lifecycle_manual") {
      bad(key, "is kept by the store (giving lifecycle_stage sets it) and cannot be given");
    } else if (key == "id" || key == "updated_at") {
      bad(key, "is set by the store and cannot be given");
    } else {
      bad(key, "is not a customer field");
    }
  }
  return f;
}

Interaction interaction_from_json(const std::string& src) {
  json j = parse_object(src);
  Interaction i;
  bool have_customer = false, have_time = false, have_kind = false;
  for (auto& [key, v] : j.items()) {
    if (key == "customer_id") i.customer_id = integer(v, key), have_customer = true;
    else if (key == "external_id") i.external_id = text(v, key);
    else if (key == "occurred_at") i.occurred_at = instant(v, key), have_time = true;
    else if (key == "channel") { if (auto s = text(v, key)) i.channel = parse_channel(*s); }
    else if (key == "kind") {
      if (auto s = text(v, key)) i.kind = parse_interaction_kind(*s), have_kind = true;
    } else if (key == "direction") { if (auto s = text(v, key)) i.direction = parse_direction(*s); }
    else if (key == "amount") { if (!v.is_null()) i.amount = money_from(v, key); }
    else if (key == "margin") { if (!v.is_null()) i.margin = integer(v, key); }
    else if (key == "subject") i.subject = text(v, key);
    else if (key == "notes") i.notes = text(v, key);
    else if (key == "attributes") { if (!v.is_null()) i.attributes = attributes_from(v, key); }
    else if (key == "id") bad(key, "is set by the store and cannot be given");
    else bad(key, "is not an interaction field");
  }
  if (!have_customer) throw Error(Errc::invalid_argument, "JSON field 'customer_id' is required");
  if (!have_time) throw Error(Errc::invalid_argument, "JSON field 'occurred_at' is required");
  if (!have_kind) throw Error(Errc::invalid_argument, "JSON field 'kind' is required");
  return i;
}

}  // namespace crmkit::capi
