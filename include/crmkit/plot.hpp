// crmkit/plot.hpp: SVG charts of customer value, RFM and retention, from plain data.
//
// Pure functions: no store, no I/O, no clock. Each returns one self-contained SVG document
// (UTF-8 text) with a title, axis labels that carry their units, and a caption that defines
// what is drawn and over which period. Charts draw aggregates only (cells, bars, bins, lines):
// the SVG's size is bounded whatever the number of customers; scatters bin more than
// Options::kMaxScatterPoints points into a density grid. docs/PLOTS.md describes each chart.
//
// Errors: Error(invalid_argument) naming the problem, e.g. "actual_holdout[3] is NaN",
// "options.width 20 is outside 240..4000 pixels". Values are never clamped or dropped silently.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include "crmkit/clv.hpp"
#include "crmkit/retention.hpp"
#include "crmkit/rfm.hpp"

namespace crmkit::plot {

// What every chart takes. New members get defaults, so code written for one version keeps
// compiling and drawing the same with the next (the C API wraps it in crmkit_plot_options).
struct Options {
  static constexpr int kMinSize = 240, kMaxSize = 4000;
  static constexpr std::size_t kMaxScatterPoints = 2000;
  int width = 720;    // pixels, kMinSize..kMaxSize
  int height = 440;   // pixels, kMinSize..kMaxSize
  std::string title;  // empty: the chart's own title; at most 200 bytes, no control characters
  // The data's period, added to the caption as "Period: ..." where the inputs cannot tell it
  // (RFM measures and segment counts do not carry their analysis date). Empty: nothing added.
  // At most 200 bytes, no control characters.
  std::string period;
};

// ---- customer value (a fitted purchase model) -----------------------------------------------

// Expected purchases in the next `horizon` time units for a customer with frequency x
// (0..max_frequency repeat purchases, rows) and recency t_x (0..max_recency, columns),
// observed for T = max_recency: lifetimes' plot_frequency_recency_matrix. Above 40 rows or
// 60 columns the grid steps by a whole number of purchases or units (the caption says so).
// horizon > 0; 0 <= max_frequency <= 100000; 1 <= max_recency <= 1000000.
std::string expected_purchases_matrix(const clv::PurchaseModel& model, double horizon, int max_frequency,
                                      int max_recency, clv::TimeUnit unit, const Options& options = {});
// P(alive) at T = max_recency on the same grid: lifetimes' plot_probability_alive_matrix.
std::string p_alive_matrix(const clv::PurchaseModel& model, int max_frequency, int max_recency,
                           clv::TimeUnit unit, const Options& options = {});

// Per customer: repeat purchases in the calibration period (whole numbers >= 0), purchases
// actually made in the holdout period, and the model's prediction for the holdout period
// (clv::conditional_expected_purchases). Equal lengths.
struct CalibrationHoldout {
  std::vector<double> frequency_cal;
  std::vector<double> actual_holdout;
  std::vector<double> predicted_holdout;
};
// Mean actual and mean predicted holdout purchases per calibration frequency 0..max_frequency
// (lifetimes' plot_calibration_purchases_vs_holdout_purchases); customers above
// max_frequency are counted in the caption, not drawn. holdout_length > 0 in `unit`.
std::string calibration_vs_holdout(const CalibrationHoldout& data, double holdout_length, clv::TimeUnit unit,
                                   int max_frequency = 7, const Options& options = {});

// Actual and model-expected repeat purchases per period (or cumulated): lifetimes'
// plot_incremental_transactions / plot_cumulative_transactions. time strictly ascending, one
// value of actual and expected (>= 0, per period) per time; cumulative draws their running
// totals; calibration_end is marked (in the same unit).
struct RepeatPurchasesOverTime {
  std::vector<double> time;
  std::vector<double> actual;
  std::vector<double> expected;
  double calibration_end = 0;
  bool cumulative = false;
};
std::string repeat_purchases_over_time(const RepeatPurchasesOverTime& series, clv::TimeUnit unit,
                                       const Options& options = {});

// One customer's P(alive) from the first purchase to `end`, re-evaluated as each purchase
// arrives: lifetimes' plot_history_alive. purchase_times in `unit` on any origin (the first
// purchase is day zero), ascending; end >= the last purchase. Purchases are marked along the
// time axis.
std::string p_alive_history(const clv::PurchaseModel& model, const std::vector<double>& purchase_times,
                            double end, clv::TimeUnit unit, const Options& options = {});

// ---- RFM ------------------------------------------------------------------------------------

enum class RfmMeasure { recency, frequency, monetary };
const char* to_string(RfmMeasure m) noexcept;  // "recency", "frequency", "monetary"
RfmMeasure parse_rfm_measure(const std::string& text, const char* field = "measure");

// Mean monetary value per (R score, F score) cell: R `rfm`'s rfm_heatmap. scores aligned with
// measures; scores 1..9.
std::string rfm_heatmap(const std::vector<RfmMeasures>& measures, const std::vector<RfmScore>& scores,
                        const Options& options = {});
// Customers per segment, largest first (summarize_segments' order): R `rfm`'s
// rfm_plot_segment.
std::string segment_bars(const std::vector<SegmentSummary>& segments, const Options& options = {});
// Distribution of one measure over customers: R `rfm`'s rfm_histograms.
std::string rfm_histogram(const std::vector<RfmMeasures>& measures, RfmMeasure measure,
                          const Options& options = {});
// One measure against another (x, y distinct): R `rfm`'s rfm_rf_plot (recency, frequency),
// rfm_fm_plot (frequency, monetary) and rfm_rm_plot (recency, monetary).
std::string rfm_scatter(const std::vector<RfmMeasures>& measures, RfmMeasure x, RfmMeasure y,
                        const Options& options = {});

// ---- retention --------------------------------------------------------------------------------

// Share of each cohort active k periods after its first, cohorts top to bottom; periods not
// yet observable are grey. At most 400 cohorts and 400 periods.
std::string cohort_retention(const CohortMatrix& matrix, const Options& options = {});

}  // namespace crmkit::plot
