// C API: the report (converts and guards).
#include "crmkit/report.hpp"
#include "handle.hpp"

using namespace crmkit;
using crmkit::capi::call;
using crmkit::capi::need;

struct crmkit_report_options {
  ReportOptions options;
};

extern "C" {

int crmkit_report_options_new(crmkit_report_options** out) {
  return call(nullptr, [&] {
    need(out, "out");
    *out = nullptr;
    *out = new crmkit_report_options();
    return CRMKIT_OK;
  });
}

void crmkit_report_options_free(crmkit_report_options* options) { delete options; }

// The values are checked where the report is built, so that one place names a bad option.
int crmkit_report_options_set_as_of(crmkit_report_options* options, int64_t as_of) {
  return call(nullptr, [&] {
    need(options, "options")->options.as_of = as_of;
    return CRMKIT_OK;
  });
}

int crmkit_report_options_set_top(crmkit_report_options* options, int top) {
  return call(nullptr, [&] {
    need(options, "options")->options.top = top;
    return CRMKIT_OK;
  });
}

int crmkit_report_options_set_at_risk(crmkit_report_options* options, double p_alive_below, double lost_below) {
  return call(nullptr, [&] {
    auto* o = need(options, "options");
    o->options.at_risk_below = p_alive_below;
    o->options.lost_floor = lost_below;
    return CRMKIT_OK;
  });
}

int crmkit_report_options_set_currency(crmkit_report_options* options, const char* currency) {
  return call(nullptr, [&] {
    auto* o = need(options, "options");
    if (currency)
      o->options.currency = capi::text_arg(currency, "currency", 16);
    else
      o->options.currency.reset();
    return CRMKIT_OK;
  });
}

int crmkit_report_options_set_cohorts(crmkit_report_options* options, int periods, int months) {
  return call(nullptr, [&] {
    auto* o = need(options, "options");
    o->options.cohort_periods = periods;
    o->options.cohort_months = months;
    return CRMKIT_OK;
  });
}

int crmkit_report_json(char** out_json, crmkit_db* db, const crmkit_report_options* options) {
  return capi::json_out(out_json, db, "out_json", [&] {
    return report_json(build_report(db->session->store, options ? options->options : ReportOptions{}));
  });
}

}  // extern "C"
