// C API: the audit context of a handle, the audit trail's listing, and the subject-access export
// (JSON, and the CSV bundle).
#include "crmkit/audit.hpp"
#include "crmkit/subject_export.hpp"
#include "handle.hpp"

using namespace crmkit;
using crmkit::capi::call;

extern "C" {

int crmkit_db_set_audit_context(crmkit_db* db, const char* actor, const char* reason, const char* request_id) {
  CRMKIT_NEED_DB(db);
  return call(capi::session_of(db), [&] {
    AuditContext c;
    c.actor = capi::optional_text(actor, "actor", 200).value_or("");
    c.reason = capi::optional_text(reason, "reason", 200).value_or("");
    c.request_id = capi::optional_text(request_id, "request_id", 200).value_or("");
    db->session->store.set_audit_context(c);
    return CRMKIT_OK;
  });
}

int crmkit_audit_list_json(char** out_json, crmkit_db* db, const char* entity, int64_t entity_id, const char* actor,
                           const int64_t* from, const int64_t* to, int64_t after, int limit) {
  return capi::json_out(out_json, db, "out_json", [&] {
    AuditQuery q;
    if (entity) q.entity = parse_audit_entity(capi::text_arg(entity, "entity", 100));
    if (entity_id != 0) q.entity_id = entity_id;
    if (actor) q.actor = capi::text_arg(actor, "actor", 200);
    if (from) q.from = *from;
    if (to) q.to = *to;
    return to_json(AuditTrail(db->session->store).list(q, after, limit), JsonForm::exact);
  });
}

int crmkit_audit_start_chain(crmkit_db* db) {
  CRMKIT_NEED_DB(db);
  return call(capi::session_of(db), [&] {
    AuditTrail(db->session->store).start_chain();
    return CRMKIT_OK;
  });
}

int crmkit_audit_verify_json(char** out_json, crmkit_db* db) {
  return capi::json_out(out_json, db, "out_json", [&] { return to_json(AuditTrail(db->session->store).verify()); });
}

int crmkit_subject_export_json(char** out_json, crmkit_db* db, int64_t customer_id) {
  return capi::json_out(out_json, db, "out_json", [&] { return export_subject(db->session->store, customer_id); });
}

int crmkit_subject_export_csv(char** out_json, crmkit_db* db, int64_t customer_id, const char* directory) {
  return capi::json_out(out_json, db, "out_json", [&] {
    const std::string dir = capi::text_arg(directory, "directory", 4096);
    return to_json(export_subject_csv(db->session->store, customer_id, dir));
  });
}

}  // extern "C"
