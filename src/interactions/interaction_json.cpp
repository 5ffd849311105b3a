#include "interactions/interaction_json.hpp"

namespace crmkit::detail {

nlohmann::json interaction_json(const Interaction& i, JsonForm form) {
  // Readable: a margin reads in the amount's currency, and readers sort and join on the exact
  // instant too.
  nlohmann::json margin = optional_json(i.margin);
  if (form == JsonForm::readable)
    margin = i.margin && i.amount ? nlohmann::json(format_amount(*i.margin, i.amount->currency)) : nullptr;
  nlohmann::json j = {{"id", i.id},
                      {"customer_id", i.customer_id},
                      {"external_id", optional_json(i.external_id)},
                      {"occurred_at", instant_json(i.occurred_at, form)},
                      {"channel", to_string(i.channel)},
                      {"kind", to_string(i.kind)},
                      {"direction", to_string(i.direction)},
                      {"amount", money_json(i.amount, form)},
                      {"margin", margin},
                      {"subject", optional_json(i.subject)},
                      {"notes", optional_json(i.notes)},
                      {"attributes", i.attributes ? attributes_json(*i.attributes) : nlohmann::json(nullptr)}};
  if (form == JsonForm::readable) j["occurred_at_ms"] = i.occurred_at;
  return j;
}

nlohmann::json figures_json(const CustomerFigures& f, JsonForm form) {
  auto amount = [&](std::int64_t minor, const std::string& currency) {
    return form == JsonForm::exact ? nlohmann::json(minor) : nlohmann::json(format_amount(minor, currency));
  };
  auto instant = [&](const std::optional<Instant>& t) { return t ? instant_json(*t, form) : nlohmann::json(nullptr); };
  nlohmann::json money = nlohmann::json::array();
  for (const auto& m : f.money)
    money.push_back({{"currency", m.currency},
                     {"purchase_total", amount(m.purchase_total, m.currency)},
                     {"refund_total", amount(m.refund_total, m.currency)},
                     {"margin_total", amount(m.margin_total, m.currency)}});
  return {{"customer_id", f.customer_id},
          {"interaction_count", f.interaction_count},
          {"last_interaction_at", instant(f.last_interaction_at)},
          {"purchase_count", f.purchase_count},
          {"purchase_days", f.purchase_days},
          {"refund_count", f.refund_count},
          {"first_purchase_at", instant(f.first_purchase_at)},
          {"last_purchase_at", instant(f.last_purchase_at)},
          {"money", money}};
}

Interaction interaction_from_json(const std::string& text) {
  nlohmann::json j = parse_json_object(text);
  Interaction i;
  bool have_customer = false, have_time = false, have_kind = false;
  for (auto& [key, v] : j.items()) {
    if (key == "customer_id") i.customer_id = int64_from_json(v, key), have_customer = true;
    else if (key == "external_id") i.external_id = text_from_json(v, key);
    else if (key == "occurred_at") i.occurred_at = instant_from_json(v, key), have_time = true;
    else if (key == "channel") { if (auto s = text_from_json(v, key)) i.channel = parse_channel(*s); }
    else if (key == "kind") {
      if (auto s = text_from_json(v, key)) i.kind = parse_interaction_kind(*s), have_kind = true;
    } else if (key == "direction") { if (auto s = text_from_json(v, key)) i.direction = parse_direction(*s); }
    else if (key == "amount") { if (!v.is_null()) i.amount = money_from_json(v, key); }
    else if (key == "margin") { if (!v.is_null()) i.margin = int64_from_json(v, key); }
    else if (key == "subject") i.subject = text_from_json(v, key);
    else if (key == "notes") i.notes = text_from_json(v, key);
    else if (key == "attributes") { if (!v.is_null()) i.attributes = attributes_from_json(v, key); }
    else if (key == "id") bad_json_field(key, "is set by the store and cannot be given");
    else bad_json_field(key, "is not an interaction field");
  }
  if (!have_customer) throw Error(Errc::invalid_argument, "JSON field 'customer_id' is required");
  if (!have_time) throw Error(Errc::invalid_argument, "JSON field 'occurred_at' is required");
  if (!have_kind) throw Error(Errc::invalid_argument, "JSON field 'kind' is required");
  return i;
}

}  // namespace crmkit::detail

namespace crmkit {
std::string to_json(const Interaction& i, JsonForm form) { return detail::interaction_json(i, form).dump(); }
std::string to_json(const CustomerFigures& f, JsonForm form) { return detail::figures_json(f, form).dump(); }
}  // namespace crmkit
