// C API: erasure of a customer and its scan report.
#include "crmkit/erasure.hpp"
#include "handle.hpp"

using namespace crmkit;

extern "C" {

int crmkit_customer_erase_json(char** out_json, crmkit_db* db, int64_t customer_id, int64_t at, int verify) {
  return capi::json_out(out_json, db, "out_json", [&] {
    ErasureOptions o;
    o.verify = verify != 0;
    return to_json(Erasure(db->session->store).erase(customer_id, at, o));
  });
}

}  // extern "C"
