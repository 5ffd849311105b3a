// C API: merging customers (plan, merge, undo, records).
#include "crmkit/merge.hpp"
#include "handle.hpp"

using namespace crmkit;

extern "C" {

int crmkit_merge_plan_json(char** out_json, crmkit_db* db, const char* request_json, int64_t at) {
  return capi::json_out(out_json, db, "out_json", [&] {
    const auto request = merge_request_from_json(capi::text_arg(request_json, "request_json", 100'000));
    return to_json(Merges(db->session->store).plan(request, at), JsonForm::exact);
  });
}

int crmkit_merge_json(char** out_json, crmkit_db* db, const char* request_json, int64_t at) {
  return capi::json_out(out_json, db, "out_json", [&] {
    const auto request = merge_request_from_json(capi::text_arg(request_json, "request_json", 100'000));
    return to_json(Merges(db->session->store).merge(request, at), JsonForm::exact);
  });
}

int crmkit_merge_undo_json(char** out_json, crmkit_db* db, int64_t merge_id, int64_t at, int force) {
  return capi::json_out(out_json, db, "out_json", [&] {
    if (force != 0 && force != 1) throw Error(Errc::invalid_argument, "force must be 0 or 1");
    return to_json(Merges(db->session->store).undo(merge_id, at, force == 1), JsonForm::exact);
  });
}

int crmkit_merge_get_json(char** out_json, crmkit_db* db, int64_t merge_id) {
  return capi::json_out(out_json, db, "out_json",
                        [&] { return to_json(Merges(db->session->store).get(merge_id), JsonForm::exact); });
}

int crmkit_merge_list_json(char** out_json, crmkit_db* db, int64_t customer_id) {
  return capi::json_out(out_json, db, "out_json",
                        [&] { return to_json(Merges(db->session->store).of_customer(customer_id), JsonForm::exact); });
}

}  // extern "C"
