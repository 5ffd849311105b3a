// C API: contact points (add, read, find, primary, label, verification, bounces, delete).
#include "crmkit/contact_point.hpp"
#include "handle.hpp"

using namespace crmkit;
using crmkit::capi::call;
using crmkit::capi::need;

namespace {

ContactType type_arg(const char* type) { return parse_contact_type(capi::text_arg(type, "type", 100)); }

int flag_arg(int v, const char* name) {
  if (v != 0 && v != 1) throw Error(Errc::invalid_argument, std::string(name) + " " + std::to_string(v) + " must be 0 or 1");
  return v;
}

// The body of every call that changes one contact point and returns no value.
template <class Change>
int change(crmkit_db* db, Change&& body) noexcept {
  CRMKIT_NEED_DB(db);
  return call(capi::session_of(db), [&] {
    body(ContactPoints(db->session->store));
    return CRMKIT_OK;
  });
}

}  // namespace

extern "C" {

int crmkit_contact_add(int64_t* out_id, crmkit_db* db, int64_t customer_id, const char* type, const char* value,
                       const char* label, int primary, int64_t at) {
  if (out_id) *out_id = 0;
  CRMKIT_NEED_DB(db);
  return call(capi::session_of(db), [&] {
    need(out_id, "out_id");
    NewContactPoint p;
    p.type = type_arg(type);
    p.value = capi::text_arg(value, "value", 1000);
    p.label = capi::optional_text(label, "label", 100);
    p.primary = flag_arg(primary, "primary") == 1;
    *out_id = ContactPoints(db->session->store).add(customer_id, p, at);
    return CRMKIT_OK;
  });
}

int crmkit_contact_get_json(char** out_json, crmkit_db* db, int64_t id) {
  return capi::json_out(out_json, db, "out_json",
                        [&] { return to_json(ContactPoints(db->session->store).get(id), JsonForm::exact); });
}

int crmkit_contact_list_json(char** out_json, crmkit_db* db, int64_t customer_id) {
  return capi::json_out(out_json, db, "out_json",
                        [&] { return to_json(ContactPoints(db->session->store).list(customer_id), JsonForm::exact); });
}

int crmkit_contact_find_json(char** out_json, crmkit_db* db, const char* type, const char* value) {
  return capi::json_out(out_json, db, "out_json", [&] {
    const ContactType t = type_arg(type);
    return to_json(ContactPoints(db->session->store).find(t, capi::text_arg(value, "value", 1000)), JsonForm::exact);
  });
}

int crmkit_contact_set_primary(crmkit_db* db, int64_t id, int64_t at) {
  return change(db, [&](ContactPoints cp) { cp.set_primary(id, at); });
}

int crmkit_contact_set_label(crmkit_db* db, int64_t id, const char* label, int64_t at) {
  return change(db, [&](ContactPoints cp) { cp.set_label(id, capi::optional_text(label, "label", 100), at); });
}

int crmkit_contact_mark_verified(crmkit_db* db, int64_t id, int64_t at) {
  return change(db, [&](ContactPoints cp) { cp.mark_verified(id, at); });
}

int crmkit_contact_record_bounce(crmkit_db* db, int64_t id, int hard, int64_t at) {
  return change(db, [&](ContactPoints cp) { cp.record_bounce(id, flag_arg(hard, "hard") == 1, at); });
}

int crmkit_contact_delete(crmkit_db* db, int64_t id, int64_t at) {
  return change(db, [&](ContactPoints cp) { cp.remove(id, at); });
}

}  // extern "C"
