// crmkit/rfm.hpp: RFM (recency, frequency, monetary) measures, 1..n scores and segment maps.
//
// Pure computation on plain values: no store, no clock. The store-backed service that computes
// and saves RFM for every customer is crmkit::CustomerValue::rfm (crmkit/value.hpp).
// Definitions (docs/VALUE.md, shared METRICS.md section 1):
//   recency   = UTC day of the analysis instant minus UTC day of the last purchase; an analysis
//               date D means the end of D, so a purchase on D has recency 0;
//   frequency = number of purchases (as R `rfm` counts rows), or distinct purchase days;
//   monetary  = sum of purchase amounts (major units of one currency when scored).
// Scores run 1..bins, higher is better; recency is reversed (few days -> high score).
#pragma once

#include <cstdint>
#include <limits>
#include <string>
#include <vector>

#include "crmkit/time.hpp"

namespace crmkit {

// How raw values become 1..bins scores.
//   ntile    (default) equal-count buckets over (value, customer_id) ascending, as SQL
//            NTILE(bins): sizes differ by at most one, larger buckets first; ties are split by
//            customer id, so equal values may get different scores.
//   quantile cut points of the R package `rfm` 0.3.0: type-7 quantiles at 0, 1/n, .., 1, min and
//            max dropped, 1 added to each interior cut; bin i holds lower_i <= x < upper_i.
//            Equal values always share a score; bins can be very unequal.
//   qcut     the pandas notebook idiom: recency and monetary by qcut(x, bins) on the raw values
//            (right-closed bins on type-7 quantile edges), frequency by qcut on its rank order
//            (value, customer_id), i.e. qcut(x.rank(method="first")). Where raw edges are not
//            distinct (pandas would raise) that measure is cut on its rank order too.
//   custom   caller-given ascending cut points per measure (RfmScoring::cuts): score =
//            1 + the number of cut points <= x, so k cut points give k + 1 scores.
enum class RfmMethod { ntile, quantile, qcut, custom };
enum class RfmFrequency { orders, days };

const char* to_string(RfmMethod m) noexcept;
const char* to_string(RfmFrequency f) noexcept;
RfmMethod parse_rfm_method(const std::string& text, const char* field = "method");
RfmFrequency parse_rfm_frequency(const std::string& text, const char* field = "frequency");

// One customer's raw measures. monetary is in major units (the quantile method's "+1" is one
// major unit, as in the R package).
struct RfmMeasures {
  std::int64_t customer_id = 0;
  std::int64_t recency_days = 0;
  std::int64_t frequency = 0;
  double monetary = 0;
};

struct RfmScore {
  int r = 0;
  int f = 0;
  int m = 0;
  // 100 R + 10 F + M (as the R package); with more than 9 bins use the parts.
  int combined() const noexcept { return 100 * r + 10 * f + m; }
};

struct RfmCuts {
  std::vector<double> recency, frequency, monetary;  // strictly ascending
};

struct RfmScoring {
  RfmMethod method = RfmMethod::ntile;
  int bins = 5;       // 1..9 for ntile, quantile and qcut; ignored by custom
  RfmCuts cuts;       // custom only: each measure's cut points (at most 8)
};

// A purchase for computing measures without a store.
struct RfmPurchase {
  std::int64_t customer_id = 0;
  Instant occurred_at = 0;
  double amount = 0;  // major units
};

// Measures per customer from purchases strictly before as_of; customers without such a purchase
// are absent. Sorted by customer_id. Recency is day_of(as_of - 1 ms) - day_of(last purchase).
std::vector<RfmMeasures> rfm_measures(const std::vector<RfmPurchase>& purchases, Instant as_of,
                                      RfmFrequency frequency = RfmFrequency::orders);

// Scores aligned with `measures`. Throws Error(invalid_argument) for bins outside 1..9, custom
// cut points that are not strictly ascending or finite, or a non-finite monetary value.
// Fewer customers than bins: ntile gives 1..N; the quantile methods collapse bins. Empty in,
// empty out.
std::vector<RfmScore> score_rfm(const std::vector<RfmMeasures>& measures, const RfmScoring& scoring = {});

// The quantile method's interior cut points (after the +1 shift) for one measure, bins - 1 of
// them: R package thresholds (recency 115/181/297.4/482 on its sample).
std::vector<double> rfm_quantile_cuts(std::vector<double> values, int bins);

// ---------------------------------------------------------------------------- segment maps --

// An inclusive range of scores; the default matches anything.
struct ScoreRange {
  double lo = -std::numeric_limits<double>::infinity();
  double hi = std::numeric_limits<double>::infinity();
  bool contains(double v) const noexcept { return lo <= v && v <= hi; }
};

// A rule matches when every range holds; fm is the average (F + M) / 2.
struct SegmentRule {
  std::string name;
  ScoreRange r, f, m, fm;
};

// A segment map is data: rules evaluated in order (first match wins), or a cell table keyed by
// the three scores. Scores no rule/cell covers get `unmatched`.
struct SegmentCell {
  int r = 0, f = 0, m = 0;
  std::string name;
};
struct SegmentMap {
  std::string name;
  int version = 1;
  std::string description;
  std::string unmatched = "Others";
  std::vector<SegmentRule> rules;  // used when cells is empty
  std::vector<SegmentCell> cells;  // a table; then rules must be empty
};

// Built-in maps, each with a name and version (docs/VALUE.md lists their sources):
//   rf_grid            Map A: the RF 5x5 grid (10 segments, R and F only)
//   rfm_readme         R package `rfm` 0.3.0 README / vignette rule set (10 segments)
//   rfm_tests          R package test-suite rule set (10 segments, "Others" when unmatched)
//   rfm_cells          Map C: 125-cell table (11 segments, complete)
//   r_vs_fm            Map B: R score against the average of F and M (11 rules, first match)
const std::vector<SegmentMap>& builtin_segment_maps();
// Throws Error(not_found) naming the known maps.
const SegmentMap& builtin_segment_map(const std::string& name);

// Parses a map from JSON. Accepted forms:
//   [{"name": "Champions", "r": [4,5], "f": [4,5], "m": [4,5], "fm": [lo,hi]}, ...]   rules
//   {"name": "...", "version": 1, "unmatched": "Others", "rules": [ ...as above... ]}
//   {"name": "...", "cells": {"Champions": ["555", "554"], ...}}   a table by "RFM" digits
// A missing range matches anything. A map without a name is named "custom-<hash of its content>"
// (so a name and version always identify one definition). Throws Error(invalid_argument) naming
// the problem.
SegmentMap parse_segment_map(const std::string& json);
// The map as parse_segment_map reads it back.
std::string to_json(const SegmentMap& map);

// Throws Error(invalid_argument) for an unnamed map or rule, lo > hi, NaN bounds, a cell
// outside 1..9 or a duplicate cell, rules and cells together, or an empty map.
void validate_segment_map(const SegmentMap& map);

// The segment for one score under a validated map.
const std::string& assign_segment(const SegmentMap& map, const RfmScore& score) noexcept;

// Per-segment totals, as R `rfm_segment_summary`: customers, orders (sum of frequency) and
// revenue (sum of monetary), sorted by customers descending, then name.
struct SegmentSummary {
  std::string segment;
  std::int64_t customers = 0;
  std::int64_t orders = 0;
  double revenue = 0;
};
std::vector<SegmentSummary> summarize_segments(const std::vector<RfmMeasures>& measures,
                                               const std::vector<std::string>& segments);


// ------------------------------------------------ R `rfm`'s entry points on plain data --
// The analyst's calls of the R package rfm 0.3.0 on rows they pass in (docs/VALUE.md maps each
// R function to these). R's defaults are RfmScoring{RfmMethod::quantile, 5}; R's custom
// thresholds (recency_bins = c(115, 181, ...)) are RfmMethod::custom with those cut points.

// One customer's measures and scores, as a row of R's rfm table.
struct RfmTableRow {
  RfmMeasures measures;
  RfmScore score;
};

// R rfm_table_order: one order per element (customer, time, revenue in major units) and the
// analysis instant; orders at or after as_of are left out (an analysis date D is the end of D).
// Sorted by customer id. Throws Error(invalid_argument) naming the order for a non-finite
// revenue, and as score_rfm for bad scoring.
std::vector<RfmTableRow> rfm_table_orders(const std::vector<RfmPurchase>& orders, Instant as_of,
                                          const RfmScoring& scoring);

// R rfm_table_customer: rows already aggregated per customer (orders, recency days, revenue),
// scored in the order given. Throws Error(invalid_argument) naming the row for negative orders
// or recency, non-finite revenue, or a customer id given twice.
std::vector<RfmTableRow> rfm_table_customers(const std::vector<RfmMeasures>& customers,
                                             const RfmScoring& scoring);

// R rfm_segment(data, segment_names, recency_lower, recency_upper, ...): one rule per name with
// inclusive score ranges, first match wins, "Others" otherwise. Throws Error(invalid_argument)
// when the lists differ in length, a name is empty, or a range has lo > hi or a NaN bound.
SegmentMap rfm_segment_rules(const std::vector<std::string>& names, const std::vector<ScoreRange>& recency,
                             const std::vector<ScoreRange>& frequency, const std::vector<ScoreRange>& monetary);
// The index of the first rule of a rules map that holds the score, -1 for none (the unmatched
// name); the same choice as assign_segment, told apart from a rule that is itself named "Others".
int rfm_segment_index(const SegmentMap& map, const RfmScore& score) noexcept;

// R rfm_segment_summary, per currency: customers, orders, revenue and average order value
// (revenue / orders, 0 without orders) of each segment, and its share of the currency's
// customers, orders and revenue. Rows of different currencies are never added together; an
// empty `currencies` puts every row in one unnamed currency (""). Sorted by currency, then
// customers descending, then segment name. Throws Error(invalid_argument) when the lists
// differ in length, orders are negative or revenue is not finite.
struct RfmSegmentShare {
  std::string currency;
  std::string segment;
  std::int64_t customers = 0;
  std::int64_t orders = 0;
  double revenue = 0;
  double average_order_value = 0;
  double customer_share = 0, order_share = 0, revenue_share = 0;
};
std::vector<RfmSegmentShare> summarize_segment_shares(const std::vector<std::string>& segments,
                                                      const std::vector<std::int64_t>& orders,
                                                      const std::vector<double>& revenue,
                                                      const std::vector<std::string>& currencies);

}  // namespace crmkit
