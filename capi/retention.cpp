// C API: retention, repeat behaviour and cohort matrices (converts and guards).
#include "crmkit/retention.hpp"
#include "handle.hpp"

using namespace crmkit;
using crmkit::capi::set_option;

struct crmkit_retention_options {
  RetentionQuery query;  // from and to are the call's
};

struct crmkit_cohort_options {
  CohortQuery query;
};

extern "C" {

int crmkit_retention_options_new(crmkit_retention_options** out) { return capi::new_handle(out); }
void crmkit_retention_options_free(crmkit_retention_options* options) { delete options; }

int crmkit_retention_options_set_activity(crmkit_retention_options* options, const char* activity) {
  return set_option(options, [&](crmkit_retention_options& o) {
    o.query.activity = parse_activity_rule(capi::text_arg(activity, "activity", 32));
  });
}

int crmkit_retention_options_set_active_days(crmkit_retention_options* options, int active_days) {
  return set_option(options, [&](crmkit_retention_options& o) { o.query.active_days = active_days; });
}

int crmkit_retention_options_set_p_alive_threshold(crmkit_retention_options* options, double threshold) {
  return set_option(options, [&](crmkit_retention_options& o) { o.query.p_alive_threshold = threshold; });
}

int crmkit_retention_options_set_order_unit(crmkit_retention_options* options, const char* order_unit) {
  return set_option(options, [&](crmkit_retention_options& o) {
    o.query.order_unit = parse_order_unit(capi::text_arg(order_unit, "order_unit", 32));
  });
}

int crmkit_retention_options_set_revenue(crmkit_retention_options* options, const char* revenue) {
  return set_option(options, [&](crmkit_retention_options& o) {
    o.query.revenue = parse_revenue_basis(capi::text_arg(revenue, "revenue", 32));
  });
}

int crmkit_retention_options_set_currency(crmkit_retention_options* options, const char* currency) {
  return set_option(options, [&](crmkit_retention_options& o) {
    o.query.currency = capi::optional_text(currency, "currency", 16);
  });
}

int crmkit_retention_json(char** out_json, crmkit_db* db, int64_t from, int64_t to,
                          const crmkit_retention_options* options) {
  return capi::json_out(out_json, db, "out_json", [&] {
    RetentionQuery q = options ? options->query : RetentionQuery{};
    q.from = from;
    q.to = to;
    return to_json(RetentionMetrics(db->session->store).retention(q));
  });
}

int crmkit_cohort_options_new(crmkit_cohort_options** out) { return capi::new_handle(out); }
void crmkit_cohort_options_free(crmkit_cohort_options* options) { delete options; }

int crmkit_cohort_options_set_by(crmkit_cohort_options* options, const char* by) {
  return set_option(options, [&](crmkit_cohort_options& o) {
    o.query.by = parse_cohort_period(capi::text_arg(by, "by", 32));
  });
}

int crmkit_cohort_options_set_periods(crmkit_cohort_options* options, int periods) {
  return set_option(options, [&](crmkit_cohort_options& o) { o.query.periods = periods; });
}

int crmkit_cohort_options_set_unbounded(crmkit_cohort_options* options, int unbounded) {
  return set_option(options, [&](crmkit_cohort_options& o) {
    if (unbounded != 0 && unbounded != 1)
      throw Error(Errc::invalid_argument, "unbounded " + std::to_string(unbounded) + " must be 0 or 1");
    o.query.unbounded = unbounded == 1;
  });
}

int crmkit_cohort_options_set_from(crmkit_cohort_options* options, int64_t from) {
  return set_option(options, [&](crmkit_cohort_options& o) { o.query.from = from; });
}

int crmkit_cohort_options_set_to(crmkit_cohort_options* options, int64_t to) {
  return set_option(options, [&](crmkit_cohort_options& o) { o.query.to = to; });
}

int crmkit_cohort_options_set_as_of(crmkit_cohort_options* options, int64_t as_of) {
  return set_option(options, [&](crmkit_cohort_options& o) { o.query.as_of = as_of; });
}

int crmkit_retention_cohorts_json(char** out_json, crmkit_db* db, const crmkit_cohort_options* options) {
  return capi::json_out(out_json, db, "out_json", [&] {
    return to_json(RetentionMetrics(db->session->store).cohorts(options ? options->query : CohortQuery{}));
  });
}

}  // extern "C"
