// C API: SVG charts from plain arrays (converts and guards).
#include "crmkit/plot.hpp"

#include <cmath>

#include "handle.hpp"
#include "option_handles.hpp"

using namespace crmkit;
using crmkit::capi::call;
using crmkit::capi::need;
using crmkit::capi::set_option;

namespace {

// The shape of every chart call: `out_svg` NULL after any failure, the text owned on success.
template <class Make>
int svg_out(char** out_svg, Make&& make) noexcept {
  if (out_svg) *out_svg = nullptr;
  return call(nullptr, [&] {
    need(out_svg, "out_svg");
    *out_svg = capi::owned_string(make());
    return CRMKIT_OK;
  });
}

plot::Options options_of(const crmkit_plot_options* o) { return o ? o->options : plot::Options{}; }

// The arrays' length: checked before anything is read, so that a wild count is refused
// instead of reading (or allocating) gigabytes.
constexpr int64_t kMaxValues = 100'000'000;

std::size_t count_arg(int64_t count, const char* name = "count") {
  if (count < 0)
    throw Error(Errc::invalid_argument, std::string(name) + " " + std::to_string(count) + " is negative");
  if (count > kMaxValues)
    throw Error(Errc::invalid_argument, std::string(name) + " " + std::to_string(count) +
                                            " is over the limit of " + std::to_string(kMaxValues) +
                                            " values");
  return static_cast<std::size_t>(count);
}

// count values of a caller's array; NULL only with count 0.
template <class T>
std::vector<T> array_arg(const T* p, std::size_t count, const char* name) {
  if (count == 0) return {};
  need(p, name);
  return std::vector<T>(p, p + count);
}

clv::PurchaseModel model_arg(const char* model, const double* params) {
  const auto kind = clv::parse_purchase_model_kind(capi::text_arg(model, "model", 32));
  need(params, "params");
  return clv::make_purchase_model(kind, {params[0], params[1], params[2], params[3]});
}

clv::TimeUnit unit_arg(const char* unit) { return clv::parse_time_unit(capi::text_arg(unit, "unit", 32)); }

int flag_arg(int v, const char* name) {
  if (v != 0 && v != 1)
    throw Error(Errc::invalid_argument, std::string(name) + " " + std::to_string(v) + " must be 0 or 1");
  return v;
}

// A measure's values as RfmMeasures: recency and frequency must be whole numbers (they are
// counts of days and purchases), which are then exact in the int64 fields.
void put_measure(std::vector<RfmMeasures>& rows, plot::RfmMeasure m, const std::vector<double>& v,
                 const char* name) {
  rows.resize(v.size());
  for (std::size_t i = 0; i < v.size(); ++i) {
    const std::string at = std::string(name) + "[" + std::to_string(i) + "]";
    if (!std::isfinite(v[i]))
      throw Error(Errc::invalid_argument, at + (std::isnan(v[i]) ? " is NaN" : " is infinite"));
    if (m == plot::RfmMeasure::monetary) {
      rows[i].monetary = v[i];
      continue;
    }
    if (v[i] != std::floor(v[i]) || std::fabs(v[i]) > 9.0e15)
      throw Error(Errc::invalid_argument, at + " is not a whole number of " +
                                              (m == plot::RfmMeasure::recency ? "days" : "purchases"));
    (m == plot::RfmMeasure::recency ? rows[i].recency_days : rows[i].frequency) =
        static_cast<std::int64_t>(v[i]);
  }
}

}  // namespace

extern "C" {

int crmkit_plot_options_new(crmkit_plot_options** out) { return capi::new_handle(out); }
void crmkit_plot_options_free(crmkit_plot_options* options) { delete options; }

int crmkit_plot_options_set_size(crmkit_plot_options* options, int width, int height) {
  return set_option(options, [&](crmkit_plot_options& o) {
    o.options.width = width;
    o.options.height = height;
  });
}

int crmkit_plot_options_set_title(crmkit_plot_options* options, const char* title) {
  return set_option(options, [&](crmkit_plot_options& o) {
    o.options.title = capi::optional_text(title, "title", 1'000).value_or("");
  });
}

int crmkit_plot_options_set_period(crmkit_plot_options* options, const char* period) {
  return set_option(options, [&](crmkit_plot_options& o) {
    o.options.period = capi::optional_text(period, "period", 1'000).value_or("");
  });
}

int crmkit_plot_expected_purchases_matrix(char** out_svg, const char* model, const double* params,
                                          double horizon, int max_frequency, int max_recency,
                                          const char* unit, const crmkit_plot_options* options) {
  return svg_out(out_svg, [&] {
    return plot::expected_purchases_matrix(model_arg(model, params), horizon, max_frequency, max_recency,
                                           unit_arg(unit), options_of(options));
  });
}

int crmkit_plot_p_alive_matrix(char** out_svg, const char* model, const double* params, int max_frequency,
                               int max_recency, const char* unit, const crmkit_plot_options* options) {
  return svg_out(out_svg, [&] {
    return plot::p_alive_matrix(model_arg(model, params), max_frequency, max_recency, unit_arg(unit),
                                options_of(options));
  });
}

int crmkit_plot_calibration_holdout(char** out_svg, const double* frequency_cal, const double* actual_holdout,
                                    const double* predicted_holdout, int64_t count, double holdout_length,
                                    const char* unit, int max_frequency, const crmkit_plot_options* options) {
  return svg_out(out_svg, [&] {
    const std::size_t n = count_arg(count);
    plot::CalibrationHoldout d{array_arg(frequency_cal, n, "frequency_cal"),
                               array_arg(actual_holdout, n, "actual_holdout"),
                               array_arg(predicted_holdout, n, "predicted_holdout")};
    return plot::calibration_vs_holdout(d, holdout_length, unit_arg(unit), max_frequency,
                                        options_of(options));
  });
}

int crmkit_plot_calibration_holdout_model(char** out_svg, const char* model, const double* params,
                                          const double* x, const double* t_x, const double* T,
                                          const double* actual_holdout, int64_t count, double holdout_length,
                                          const char* unit, int max_frequency,
                                          const crmkit_plot_options* options) {
  return svg_out(out_svg, [&] {
    const std::size_t n = count_arg(count);
    const clv::Histories h{array_arg(x, n, "x"), array_arg(t_x, n, "t_x"), array_arg(T, n, "T"), {}};
    return plot::calibration_vs_holdout(model_arg(model, params), h,
                                        array_arg(actual_holdout, n, "actual_holdout"), holdout_length,
                                        unit_arg(unit), max_frequency, options_of(options));
  });
}

int crmkit_plot_repeat_purchases(char** out_svg, const double* time, const double* actual,
                                 const double* expected, int64_t count, double calibration_end,
                                 int cumulative, const char* unit, const crmkit_plot_options* options) {
  return svg_out(out_svg, [&] {
    const std::size_t n = count_arg(count);
    plot::RepeatPurchasesOverTime s{array_arg(time, n, "time"), array_arg(actual, n, "actual"),
                                    array_arg(expected, n, "expected"), calibration_end,
                                    flag_arg(cumulative, "cumulative") == 1};
    return plot::repeat_purchases_over_time(s, unit_arg(unit), options_of(options));
  });
}

int crmkit_plot_p_alive_history(char** out_svg, const char* model, const double* params,
                                const double* purchase_times, int64_t count, double end, const char* unit,
                                const crmkit_plot_options* options) {
  return svg_out(out_svg, [&] {
    const std::size_t n = count_arg(count);
    return plot::p_alive_history(model_arg(model, params), array_arg(purchase_times, n, "purchase_times"),
                                 end, unit_arg(unit), options_of(options));
  });
}

int crmkit_plot_rfm_heatmap(char** out_svg, const int* r, const int* f, const double* monetary, int64_t count,
                            const crmkit_plot_options* options) {
  return svg_out(out_svg, [&] {
    const std::size_t n = count_arg(count);
    const auto rs = array_arg(r, n, "r"), fs = array_arg(f, n, "f");
    const auto money = array_arg(monetary, n, "monetary");
    std::vector<RfmMeasures> measures(n);
    std::vector<RfmScore> scores(n);
    for (std::size_t i = 0; i < n; ++i) {
      measures[i].monetary = money[i];
      scores[i] = RfmScore{rs[i], fs[i], 1};  // the heatmap reads R and F only
    }
    return plot::rfm_heatmap(measures, scores, options_of(options));
  });
}

int crmkit_plot_segment_bars(char** out_svg, const char* const* segments, const int64_t* customers,
                             int64_t count, const crmkit_plot_options* options) {
  return svg_out(out_svg, [&] {
    const std::size_t n = count_arg(count);
    const auto names = array_arg(segments, n, "segments");
    const auto counts = array_arg(customers, n, "customers");
    std::vector<SegmentSummary> rows(n);
    for (std::size_t i = 0; i < n; ++i) {
      const std::string at = "segments[" + std::to_string(i) + "]";
      rows[i].segment = capi::text_arg(names[i], at.c_str(), 1'000);
      rows[i].customers = counts[i];
    }
    return plot::segment_bars(rows, options_of(options));
  });
}

int crmkit_plot_rfm_histogram(char** out_svg, const char* measure, const double* values, int64_t count,
                              const crmkit_plot_options* options) {
  return svg_out(out_svg, [&] {
    const auto m = plot::parse_rfm_measure(capi::text_arg(measure, "measure", 32));
    std::vector<RfmMeasures> rows;
    put_measure(rows, m, array_arg(values, count_arg(count), "values"), "values");
    return plot::rfm_histogram(rows, m, options_of(options));
  });
}

int crmkit_plot_rfm_scatter(char** out_svg, const char* x_measure, const double* x, const char* y_measure,
                            const double* y, int64_t count, const crmkit_plot_options* options) {
  return svg_out(out_svg, [&] {
    const auto mx = plot::parse_rfm_measure(capi::text_arg(x_measure, "x_measure", 32), "x_measure");
    const auto my = plot::parse_rfm_measure(capi::text_arg(y_measure, "y_measure", 32), "y_measure");
    if (mx == my)
      throw Error(Errc::invalid_argument, std::string("x_measure and y_measure are both ") +
                                              plot::to_string(mx) +
                                              ": a scatter needs two different measures");
    const std::size_t n = count_arg(count);
    std::vector<RfmMeasures> rows;
    put_measure(rows, mx, array_arg(x, n, "x"), "x");
    std::vector<RfmMeasures> ys;
    put_measure(ys, my, array_arg(y, n, "y"), "y");
    for (std::size_t i = 0; i < n; ++i) {
      if (my == plot::RfmMeasure::recency) rows[i].recency_days = ys[i].recency_days;
      if (my == plot::RfmMeasure::frequency) rows[i].frequency = ys[i].frequency;
      if (my == plot::RfmMeasure::monetary) rows[i].monetary = ys[i].monetary;
    }
    return plot::rfm_scatter(rows, mx, my, options_of(options));
  });
}

int crmkit_plot_cohort_retention(char** out_svg, const char* by, int unbounded, const char* const* cohorts,
                                 const int64_t* sizes, const double* retention, const int* observed,
                                 int64_t cohort_count, int periods, const crmkit_plot_options* options) {
  return svg_out(out_svg, [&] {
    const std::size_t n = count_arg(cohort_count, "cohort_count");
    if (periods < 1 || periods > 400)
      throw Error(Errc::invalid_argument, "periods " + std::to_string(periods) + " is outside 1..400");
    if (n > 400) throw Error(Errc::invalid_argument, "cohort_count " + std::to_string(n) + " is over 400");
    CohortMatrix matrix;
    matrix.by = parse_cohort_period(capi::text_arg(by, "by", 32));
    matrix.unbounded = flag_arg(unbounded, "unbounded") == 1;
    matrix.periods = periods;
    const auto names = array_arg(cohorts, n, "cohorts");
    const auto size = array_arg(sizes, n, "sizes");
    const auto seen = array_arg(observed, n, "observed");
    const auto shares = array_arg(retention, n * static_cast<std::size_t>(periods), "retention");
    for (std::size_t i = 0; i < n; ++i) {
      const std::string at = "[" + std::to_string(i) + "]";
      if (seen[i] < 0 || seen[i] > periods)
        throw Error(Errc::invalid_argument, "observed" + at + " = " + std::to_string(seen[i]) +
                                                " is outside 0.." + std::to_string(periods));
      CohortRow row;
      row.cohort = capi::text_arg(names[i], ("cohorts" + at).c_str(), 1'000);
      row.size = size[i];
      for (int k = 0; k < periods; ++k)
        row.retention.push_back(k < seen[i] ? std::optional<double>(shares[i * periods + k]) : std::nullopt);
      matrix.rows.push_back(std::move(row));
    }
    return plot::cohort_retention(matrix, options_of(options));
  });
}

}  // extern "C"
