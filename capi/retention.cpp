// C API: retention, repeat behaviour and cohort matrices (converts and guards).
#include "crmkit/retention.hpp"
#include "handle.hpp"

using namespace crmkit;
using crmkit::capi::call;
using crmkit::capi::need;

extern "C" {

int crmkit_retention_json(char** out_json, crmkit_db* db, int64_t from, int64_t to, const char* activity,
                          int active_days, double p_alive_threshold, const char* order_unit, const char* revenue,
                          const char* currency) {
  return capi::json_out(out_json, db, "out_json", [&] {
    RetentionQuery q;
    q.from = from;
    q.to = to;
    if (activity) q.activity = parse_activity_rule(capi::text_arg(activity, "activity", 32));
    if (active_days != 0) q.active_days = active_days;
    q.p_alive_threshold = p_alive_threshold;
    if (order_unit) q.order_unit = parse_order_unit(capi::text_arg(order_unit, "order_unit", 32));
    if (revenue) q.revenue = parse_revenue_basis(capi::text_arg(revenue, "revenue", 32));
    if (currency) q.currency = capi::text_arg(currency, "currency", 16);
    return RetentionMetrics(db->session->store).retention_json(q);
  });
}

int crmkit_retention_cohorts_json(char** out_json, crmkit_db* db, const char* by, int periods, int unbounded,
                                  const int64_t* from, const int64_t* to, const int64_t* as_of) {
  return capi::json_out(out_json, db, "out_json", [&] {
    CohortQuery q;
    if (by) q.by = parse_cohort_period(capi::text_arg(by, "by", 32));
    if (periods != 0) q.periods = periods;
    q.unbounded = unbounded != 0;
    if (from) q.from = *from;
    if (to) q.to = *to;
    if (as_of) q.as_of = *as_of;
    return RetentionMetrics(db->session->store).cohorts_json(q);
  });
}

}  // extern "C"
