// crmkit/charts.hpp: the charts of crmkit/plot.hpp drawn from a store, without the caller
// gathering their data: a saved model's frequency/recency matrices, its calibration vs holdout
// check, its cohort's repeat purchases over time and one customer's P(alive) history, the stored RFM run's heatmap, segments, histograms
// and scatters, and the cohort retention heatmap.
//
// Each chart reads what the store's services already read (CustomerValue's models, inputs and
// holdout validation, the stored RFM assignment, RetentionMetrics' cohorts) and draws it with the
// plain-data chart of plot.hpp: the same title, axes, units and caption, aggregates only (the
// SVG's size does not grow with the customers). Read only; nothing reads the clock.
//
// Errors: invalid_argument for a bad request (naming the member: "holdout_end", "customer_id",
// a bad plot::Options member); not_found naming what the store lacks: "no transaction model is
// saved (fit one first)", "value model 7 does not exist", "no RFM run is saved (crmkit rfm)",
// "customer 12 does not exist", "customer 12 has no USD purchase before 1997-10-01", "no
// purchase before ...: no cohort to draw". docs/PLOTS.md, "Charts of a store".
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "crmkit/plot.hpp"
#include "crmkit/retention.hpp"
#include "crmkit/store.hpp"
#include "crmkit/time.hpp"

namespace crmkit {

enum class StoreChart {
  expected_purchases,   // plot::expected_purchases_matrix of a saved model
  p_alive,              // plot::p_alive_matrix of a saved model
  calibration_holdout,  // plot::calibration_vs_holdout of a saved model (needs holdout_end)
  repeat_purchases,     // plot::repeat_purchases_over_time of a saved model's cohort
  p_alive_history,      // plot::p_alive_history of one customer (needs customer_id)
  rfm_heatmap,          // plot::rfm_heatmap of the stored RFM run
  rfm_segments,         // plot::segment_bars of the stored RFM run
  recency_histogram,    // plot::rfm_histogram, recency
  frequency_histogram,  // plot::rfm_histogram, frequency
  monetary_histogram,   // plot::rfm_histogram, monetary
  rf_scatter,           // plot::rfm_scatter, recency x frequency
  fm_scatter,           // plot::rfm_scatter, frequency x monetary
  rm_scatter,           // plot::rfm_scatter, recency x monetary
  cohort_retention,     // plot::cohort_retention of the newest cohorts
};

// The one table of store charts: name (as the CLI, C and Python take it), what it needs in the
// store, and what it draws. In the enum's order.
struct StoreChartInfo {
  StoreChart chart;
  const char* name;   // "expected-purchases", "p-alive", ...
  const char* needs;  // "a saved transaction model", "a stored RFM run", "purchases"
  const char* draws;  // one line
};
const std::vector<StoreChartInfo>& store_charts();
const char* to_string(StoreChart chart) noexcept;
StoreChart parse_store_chart(const std::string& text, const char* field = "chart");
// {"charts": [{"name", "needs", "draws"}]}
std::string store_charts_json();

struct ChartRequest {
  StoreChart chart = StoreChart::p_alive;
  // The model charts (expected-purchases, p-alive, calibration-holdout, p-alive-history): a
  // saved transaction model's id, or 0 for the default one (CustomerValue::choose_model).
  std::int64_t model_id = 0;
  // p-alive-history: the end of the history (exclusive instant; default: the model's
  // calibration end). repeat-purchases: the end of the observation (default: the end of the
  // day of the last purchase in the model's currency). cohort-retention: the last observable instant (default: the day of the
  // last purchase) and the newest cohorts are those with a first purchase before it.
  std::optional<Instant> as_of;
  std::int64_t customer_id = 0;        // p-alive-history: required (> 0)
  std::optional<Instant> holdout_end;  // calibration-holdout: required, after the calibration end
  // expected-purchases: the horizon in the model's unit (> 0; lifetimes' default 1).
  double horizon = 1;
  // The matrices' grid and calibration-holdout's last frequency. -1: from the model's
  // calibration data (the largest repeat purchases and the longest observation, as lifetimes
  // does; calibration-holdout: 7).
  int max_frequency = -1;
  int max_recency = -1;
  // cohort-retention: period and columns, and how many of the newest cohorts (1..400).
  CohortPeriod cohort_by = CohortPeriod::month;
  int cohort_periods = 12;
  int cohorts = 12;
  // repeat-purchases: running totals instead of per-period counts (lifetimes'
  // plot_cumulative_transactions rather than plot_incremental_transactions).
  bool cumulative = false;
  // Size and title as for every chart. An empty period is filled with what the store knows
  // (the model and its calibration, the RFM run's date and map); a given one is kept.
  plot::Options options;
};

// One SVG document (UTF-8). See the header comment for the errors.
std::string chart(Store& store, const ChartRequest& request);

}  // namespace crmkit
