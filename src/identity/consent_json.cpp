// The JSON of consent events, states, purposes and suppressions (crmkit/consent.hpp).
#include <nlohmann/json.hpp>

#include "base/json_form.hpp"
#include "crmkit/consent.hpp"

namespace crmkit {

namespace {

using nlohmann::json;

json opt_instant(const std::optional<Instant>& t, JsonForm form) {
  return t ? detail::instant_json(*t, form) : json(nullptr);
}

json event_json(const ConsentEvent& e, JsonForm form) {
  return json{{"id", e.id},
              {"customer_id", e.customer_id},
              {"contact_point_id", detail::optional_json(e.contact_point_id)},
              {"channel", to_string(e.channel)},
              {"purpose", e.purpose},
              {"lawful_basis", to_string(e.lawful_basis)},
              {"action", to_string(e.action)},
              {"source", e.source},
              {"evidence",
               json{{"form", detail::optional_json(e.evidence.form)},
                    {"text_version", detail::optional_json(e.evidence.text_version)},
                    {"ip", detail::optional_json(e.evidence.ip)},
                    {"user_agent", detail::optional_json(e.evidence.user_agent)}}},
              {"at", detail::instant_json(e.at, form)},
              {"expires_at", opt_instant(e.expires_at, form)}};
}

json state_json(const EffectiveConsent& s, JsonForm form) {
  return json{{"customer_id", s.customer_id},
              {"channel", to_string(s.channel)},
              {"purpose", s.purpose},
              {"state", to_string(s.state)},
              {"deciding", s.deciding ? event_json(*s.deciding, form) : json(nullptr)},
              {"until", opt_instant(s.until, form)},
              {"as_of", detail::instant_json(s.as_of, form)}};
}

template <class T, class One>
std::string array_json(const std::vector<T>& list, JsonForm form, One one) {
  json j = json::array();
  for (const auto& x : list) j.push_back(one(x, form));
  return j.dump();
}

}  // namespace

std::string to_json(const ConsentEvent& e, JsonForm form) { return event_json(e, form).dump(); }
std::string to_json(const std::vector<ConsentEvent>& list, JsonForm form) { return array_json(list, form, event_json); }
std::string to_json(const EffectiveConsent& s, JsonForm form) { return state_json(s, form).dump(); }
std::string to_json(const std::vector<EffectiveConsent>& list, JsonForm form) {
  return array_json(list, form, state_json);
}

std::string to_json(const std::vector<ConsentPurpose>& list, JsonForm form) {
  return array_json(list, form, [](const ConsentPurpose& p, JsonForm f) {
    return json{{"name", p.name},
                {"description", detail::optional_json(p.description)},
                {"built_in", p.built_in},
                {"created_at", detail::instant_json(p.created_at, f)}};
  });
}

std::string to_json(const Suppression& s, JsonForm form) {
  return json{{"type", to_string(s.type)},
              {"hash", s.hash},
              {"reason", to_string(s.reason)},
              {"at", detail::instant_json(s.at, form)}}
      .dump();
}

}  // namespace crmkit
