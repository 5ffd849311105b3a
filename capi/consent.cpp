// C API: the consent ledger (record, read, derived states, purposes, the double opt-in TTL) and
// the suppression list.
#include "crmkit/consent.hpp"
#include "handle.hpp"

using namespace crmkit;
using crmkit::capi::call;
using crmkit::capi::need;

namespace {

ConsentChannel channel_arg(const char* c) { return parse_consent_channel(capi::text_arg(c, "channel", 100)); }
ContactType suppression_type_arg(const char* t) { return parse_contact_type(capi::text_arg(t, "type", 100)); }

// The body of every call that changes something and returns no value.
template <class Change>
int change(crmkit_db* db, Change&& body) noexcept {
  CRMKIT_NEED_DB(db);
  return call(capi::session_of(db), [&] {
    body(db->session->store);
    return CRMKIT_OK;
  });
}

}  // namespace

extern "C" {

int crmkit_consent_record(int64_t* out_id, crmkit_db* db, int64_t customer_id, const int64_t* contact_point_id,
                          const char* channel, const char* purpose, const char* lawful_basis, const char* action,
                          const char* source, const char* evidence_form, const char* evidence_text_version,
                          const char* evidence_ip, const char* evidence_user_agent, int64_t at,
                          const int64_t* expires_at) {
  if (out_id) *out_id = 0;
  CRMKIT_NEED_DB(db);
  return call(capi::session_of(db), [&] {
    need(out_id, "out_id");
    NewConsentEvent e;
    e.customer_id = customer_id;
    if (contact_point_id) e.contact_point_id = *contact_point_id;
    e.channel = channel_arg(channel);
    e.purpose = capi::text_arg(purpose, "purpose", 1000);
    e.lawful_basis = parse_lawful_basis(capi::text_arg(lawful_basis, "lawful_basis", 100));
    e.action = parse_consent_action(capi::text_arg(action, "action", 100));
    e.source = capi::text_arg(source, "source", 1000);
    e.evidence.form = capi::optional_text(evidence_form, "evidence_form", 1000);
    e.evidence.text_version = capi::optional_text(evidence_text_version, "evidence_text_version", 1000);
    e.evidence.ip = capi::optional_text(evidence_ip, "evidence_ip", 1000);
    e.evidence.user_agent = capi::optional_text(evidence_user_agent, "evidence_user_agent", 1000);
    e.at = at;
    if (expires_at) e.expires_at = *expires_at;
    *out_id = Consent(db->session->store).record(e);
    return CRMKIT_OK;
  });
}

int crmkit_consent_get_json(char** out_json, crmkit_db* db, int64_t id) {
  return capi::json_out(out_json, db, "out_json",
                        [&] { return to_json(Consent(db->session->store).get(id), JsonForm::exact); });
}

int crmkit_consent_events_json(char** out_json, crmkit_db* db, int64_t customer_id) {
  return capi::json_out(out_json, db, "out_json",
                        [&] { return to_json(Consent(db->session->store).events(customer_id), JsonForm::exact); });
}

int crmkit_consent_state_json(char** out_json, crmkit_db* db, int64_t customer_id, const char* channel,
                              const char* purpose, int64_t as_of) {
  return capi::json_out(out_json, db, "out_json", [&] {
    const ConsentChannel c = channel_arg(channel);
    const std::string p = capi::text_arg(purpose, "purpose", 1000);
    return to_json(Consent(db->session->store).state(customer_id, c, p, as_of), JsonForm::exact);
  });
}

int crmkit_consent_states_json(char** out_json, crmkit_db* db, int64_t customer_id, int64_t as_of) {
  return capi::json_out(out_json, db, "out_json", [&] {
    return to_json(Consent(db->session->store).states(customer_id, as_of), JsonForm::exact);
  });
}

int crmkit_consent_add_purpose(crmkit_db* db, const char* name, const char* description, int64_t at) {
  return change(db, [&](Store& s) {
    const std::string n = capi::text_arg(name, "name", 1000);
    Consent(s).add_purpose(n, capi::optional_text(description, "description", 1000), at);
  });
}

int crmkit_consent_purposes_json(char** out_json, crmkit_db* db) {
  return capi::json_out(out_json, db, "out_json",
                        [&] { return to_json(Consent(db->session->store).purposes(), JsonForm::exact); });
}

int crmkit_consent_double_opt_in_ttl(int64_t* out_ms, crmkit_db* db) {
  if (out_ms) *out_ms = 0;
  CRMKIT_NEED_DB(db);
  return call(capi::session_of(db), [&] {
    need(out_ms, "out_ms");
    *out_ms = Consent(db->session->store).double_opt_in_ttl();
    return CRMKIT_OK;
  });
}

int crmkit_consent_set_double_opt_in_ttl(crmkit_db* db, int64_t ms) {
  return change(db, [&](Store& s) { Consent(s).set_double_opt_in_ttl(ms); });
}

int crmkit_suppression_add_json(char** out_json, crmkit_db* db, const char* type, const char* value,
                                const char* reason, int64_t at) {
  return capi::json_out(out_json, db, "out_json", [&] {
    const ContactType t = suppression_type_arg(type);
    const std::string v = capi::text_arg(value, "value", 1000);
    const SuppressionReason r = parse_suppression_reason(capi::text_arg(reason, "reason", 100));
    return to_json(Suppressions(db->session->store).suppress(t, v, r, at), JsonForm::exact);
  });
}

int crmkit_suppression_find_json(char** out_json, crmkit_db* db, const char* type, const char* value) {
  return capi::json_out(out_json, db, "out_json", [&] {
    const ContactType t = suppression_type_arg(type);
    auto found = Suppressions(db->session->store).find(t, capi::text_arg(value, "value", 1000));
    return found ? to_json(*found, JsonForm::exact) : std::string("null");
  });
}

int crmkit_suppression_check(int* out_suppressed, crmkit_db* db, const char* type, const char* value) {
  if (out_suppressed) *out_suppressed = 0;
  CRMKIT_NEED_DB(db);
  return call(capi::session_of(db), [&] {
    need(out_suppressed, "out_suppressed");
    const ContactType t = suppression_type_arg(type);
    *out_suppressed = Suppressions(db->session->store).is_suppressed(t, capi::text_arg(value, "value", 1000)) ? 1 : 0;
    return CRMKIT_OK;
  });
}

int crmkit_suppression_remove(crmkit_db* db, const char* type, const char* value) {
  return change(db, [&](Store& s) {
    const ContactType t = suppression_type_arg(type);
    Suppressions(s).unsuppress(t, capi::text_arg(value, "value", 1000));
  });
}

}  // extern "C"
