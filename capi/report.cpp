// C API: the report (converts and guards).
#include "crmkit/report.hpp"
#include "handle.hpp"

using namespace crmkit;

struct crmkit_report_options {
  ReportOptions options;
};

extern "C" {

int crmkit_report_options_new(crmkit_report_options** out) { return capi::new_handle(out); }

void crmkit_report_options_free(crmkit_report_options* options) { delete options; }

int crmkit_report_options_set_as_of(crmkit_report_options* options, int64_t as_of) {
  return capi::set_option(options, [&](crmkit_report_options& o) { o.options.as_of = as_of; });
}

int crmkit_report_options_set_top(crmkit_report_options* options, int top) {
  return capi::set_option(options, [&](crmkit_report_options& o) { o.options.top = top; });
}

int crmkit_report_options_set_at_risk(crmkit_report_options* options, double p_alive_below, double lost_below) {
  return capi::set_option(options, [&](crmkit_report_options& o) {
    o.options.at_risk_below = p_alive_below;
    o.options.lost_floor = lost_below;
  });
}

// NULL clears the filter.
int crmkit_report_options_set_currency(crmkit_report_options* options, const char* currency) {
  return capi::set_option(options, [&](crmkit_report_options& o) {
    o.options.currency = capi::optional_text(currency, "currency", 16);
  });
}

int crmkit_report_options_set_cohorts(crmkit_report_options* options, int periods, int months) {
  return capi::set_option(options, [&](crmkit_report_options& o) {
    o.options.cohort_periods = periods;
    o.options.cohort_months = months;
  });
}

int crmkit_report_json(char** out_json, crmkit_db* db, const crmkit_report_options* options) {
  return capi::json_out(out_json, db, "out_json", [&] {
    return to_json(build_report(db->session->store, options ? options->options : ReportOptions{}));
  });
}

int crmkit_report_html(char** out_html, crmkit_db* db, const crmkit_report_options* options) {
  return capi::json_out(out_html, db, "out_html", [&] {
    return to_html(build_report(db->session->store, options ? options->options : ReportOptions{}));
  });
}

}  // extern "C"
