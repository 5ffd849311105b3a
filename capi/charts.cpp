// C API: the charts of a store (crmkit/charts.hpp). Converts and guards; the reads and the
// refusals live in src/reports/charts.cpp.
#include "crmkit/charts.hpp"

#include "handle.hpp"
#include "option_handles.hpp"

using namespace crmkit;
using crmkit::capi::set_option;

struct crmkit_chart_options {
  ChartRequest request;  // chart and plot::Options are the call's
};

extern "C" {

int crmkit_chart_options_new(crmkit_chart_options** out) { return capi::new_handle(out); }
void crmkit_chart_options_free(crmkit_chart_options* options) { delete options; }

int crmkit_chart_options_set_model(crmkit_chart_options* options, int64_t model_id) {
  return set_option(options, [&](crmkit_chart_options& o) { o.request.model_id = model_id; });
}

int crmkit_chart_options_set_as_of(crmkit_chart_options* options, const int64_t* as_of) {
  return set_option(options, [&](crmkit_chart_options& o) {
    o.request.as_of = as_of ? std::optional<Instant>(*as_of) : std::nullopt;
  });
}

int crmkit_chart_options_set_customer(crmkit_chart_options* options, int64_t customer_id) {
  return set_option(options, [&](crmkit_chart_options& o) { o.request.customer_id = customer_id; });
}

int crmkit_chart_options_set_holdout_end(crmkit_chart_options* options, const int64_t* holdout_end) {
  return set_option(options, [&](crmkit_chart_options& o) {
    o.request.holdout_end = holdout_end ? std::optional<Instant>(*holdout_end) : std::nullopt;
  });
}

int crmkit_chart_options_set_grid(crmkit_chart_options* options, double horizon, int max_frequency,
                                  int max_recency) {
  return set_option(options, [&](crmkit_chart_options& o) {
    o.request.horizon = horizon;
    o.request.max_frequency = max_frequency;
    o.request.max_recency = max_recency;
  });
}

int crmkit_chart_options_set_cumulative(crmkit_chart_options* options, int cumulative) {
  return set_option(options, [&](crmkit_chart_options& o) {
    if (cumulative != 0 && cumulative != 1)
      throw Error(Errc::invalid_argument, "cumulative " + std::to_string(cumulative) + " is not 0 or 1");
    o.request.cumulative = cumulative == 1;
  });
}

int crmkit_chart_options_set_cohorts(crmkit_chart_options* options, const char* by, int periods, int cohorts) {
  return set_option(options, [&](crmkit_chart_options& o) {
    o.request.cohort_by = parse_cohort_period(capi::text_arg(by, "by", 32), "by");
    o.request.cohort_periods = periods;
    o.request.cohorts = cohorts;
  });
}

int crmkit_db_chart(char** out_svg, crmkit_db* db, const char* chart, const crmkit_chart_options* options,
                    const crmkit_plot_options* plot_options) {
  return capi::json_out(out_svg, db, "out_svg", [&] {
    ChartRequest r = options ? options->request : ChartRequest{};
    r.chart = parse_store_chart(capi::text_arg(chart, "chart", 64), "chart");
    r.options = plot_options ? plot_options->options : plot::Options{};
    return crmkit::chart(db->session->store, r);
  });
}

int crmkit_chart_list_json(char** out_json) {
  if (out_json) *out_json = nullptr;
  return capi::call(nullptr, [&] {
    capi::need(out_json, "out_json");
    *out_json = capi::owned_string(store_charts_json());
    return CRMKIT_OK;
  });
}

}  // extern "C"
