// The RFM charts R `rfm` draws: the score heatmap, segment bars, histograms and scatters.
#include <algorithm>
#include <cmath>

#include "crmkit/error.hpp"
#include "crmkit/plot.hpp"
#include "plots/charts.hpp"
#include "plots/checks.hpp"

namespace crmkit::plot {

using namespace crmkit::plots;

namespace {

[[noreturn]] void refuse(const std::string& message) { throw Error(Errc::invalid_argument, message); }

void check_measures(const std::vector<RfmMeasures>& measures) {
  if (measures.empty()) refuse("measures is empty: an RFM chart needs at least one customer");
  for (std::size_t i = 0; i < measures.size(); ++i)
    check_finite(measures[i].monetary, "measures[" + std::to_string(i) + "].monetary");
}

const char* measure_axis(RfmMeasure m) {
  switch (m) {
    case RfmMeasure::recency:
      return "recency (days since the last purchase)";
    case RfmMeasure::frequency:
      return "frequency (purchases)";
    case RfmMeasure::monetary:
      return "monetary (sum of purchases, major currency units)";
  }
  return "";
}

std::vector<double> column(const std::vector<RfmMeasures>& measures, RfmMeasure m) {
  std::vector<double> v;
  v.reserve(measures.size());
  for (const auto& c : measures)
    v.push_back(m == RfmMeasure::recency     ? static_cast<double>(c.recency_days)
                : m == RfmMeasure::frequency ? static_cast<double>(c.frequency)
                                             : c.monetary);
  return v;
}

void check_measure(RfmMeasure m, const char* field) {
  if (m != RfmMeasure::recency && m != RfmMeasure::frequency && m != RfmMeasure::monetary)
    refuse(std::string(field) + " is not an RfmMeasure value");
}

const char* kDefinitions =
    "Recency: days from the last purchase to the analysis date; frequency: purchases; monetary: their sum.";

}  // namespace

const char* to_string(RfmMeasure m) noexcept {
  switch (m) {
    case RfmMeasure::recency:
      return "recency";
    case RfmMeasure::frequency:
      return "frequency";
    case RfmMeasure::monetary:
      return "monetary";
  }
  return "?";
}

RfmMeasure parse_rfm_measure(const std::string& text, const char* field) {
  for (RfmMeasure m : {RfmMeasure::recency, RfmMeasure::frequency, RfmMeasure::monetary})
    if (text == to_string(m)) return m;
  refuse(std::string(field) + " \"" + text + "\" is not one of recency, frequency, monetary");
}

std::string rfm_heatmap(const std::vector<RfmMeasures>& measures, const std::vector<RfmScore>& scores,
                        const Options& options) {
  check_same_size(scores.size(), "scores", measures.size(), "measures");
  check_measures(measures);
  const Size size = checked_size(options);
  int max_r = 1, max_f = 1;
  for (std::size_t i = 0; i < scores.size(); ++i) {
    const RfmScore& s = scores[i];
    for (auto [v, name] : {std::pair{s.r, "r"}, std::pair{s.f, "f"}, std::pair{s.m, "m"}})
      if (v < 1 || v > 9)
        refuse("scores[" + std::to_string(i) + "]." + name + " = " + std::to_string(v) + " is outside 1..9");
    max_r = std::max(max_r, s.r);
    max_f = std::max(max_f, s.f);
  }
  std::vector<double> sum(max_r * max_f, 0), count(max_r * max_f, 0);
  for (std::size_t i = 0; i < scores.size(); ++i) {
    const std::size_t cell = (max_r - scores[i].r) * max_f + (scores[i].f - 1);  // R high on top
    sum[cell] += measures[i].monetary;
    count[cell] += 1;
  }
  HeatmapData d;
  for (int r = max_r; r >= 1; --r) d.row_labels.push_back(std::to_string(r));
  for (int f = 1; f <= max_f; ++f) d.column_labels.push_back(std::to_string(f));
  for (std::size_t c = 0; c < sum.size(); ++c)
    d.values.push_back(count[c] > 0 ? std::optional<double>(sum[c] / count[c]) : std::nullopt);
  d.decimals = 0;
  d.legend_label = "mean monetary";
  d.missing_text = "no customers";
  d.row_name = "R";
  d.column_name = "F";
  ChartText text{
      title_or(options, "Mean monetary value by recency and frequency score"),
      "frequency score (1 = fewest purchases)", "recency score (1 = longest ago)",
      "Each cell: the mean monetary value (sum of purchases, major currency units) of the customers with "
      "that recency and frequency score; " +
          std::to_string(measures.size()) + " customers. Grey: no customer has that pair of scores. " +
          kDefinitions};
  text.caption = with_period(options, std::move(text.caption));
  return heatmap(d, text, size);
}

std::string segment_bars(const std::vector<SegmentSummary>& segments, const Options& options) {
  if (segments.empty()) refuse("segments is empty: a segment chart needs at least one segment");
  if (segments.size() > 100)
    refuse("segments has " + std::to_string(segments.size()) + " entries; at most 100 are drawn");
  const Size size = checked_size(options);
  std::vector<Bar> bars;
  std::int64_t total = 0;
  for (std::size_t i = 0; i < segments.size(); ++i) {
    const std::string at = "segments[" + std::to_string(i) + "]";
    check_label(at + ".segment", segments[i].segment);
    if (segments[i].customers < 0)
      refuse(at + ".customers " + std::to_string(segments[i].customers) + " is negative");
    bars.push_back({segments[i].segment, static_cast<double>(segments[i].customers)});
    total += segments[i].customers;
  }
  ChartText text{title_or(options, "Customers per RFM segment"), "customers (count)", "segment",
                 "Customers in each segment of the RFM segment map, in the order given (largest first from "
                 "summarize_segments); " +
                     std::to_string(total) + " customers in all."};
  text.caption = with_period(options, std::move(text.caption));
  return horizontal_bars(bars, text, size, 0);
}

std::string rfm_histogram(const std::vector<RfmMeasures>& measures, RfmMeasure measure,
                          const Options& options) {
  check_measure(measure, "measure");
  check_measures(measures);
  const Size size = checked_size(options);
  const std::vector<double> values = column(measures, measure);
  ChartText text{title_or(options, std::string("Distribution of ") + to_string(measure)),
                 measure_axis(measure), "customers (count)",
                 "Customers per " + std::string(to_string(measure)) +
                     " bin (bins of equal width; each includes its "
                     "lower edge); " +
                     std::to_string(measures.size()) + " customers. " + kDefinitions};
  text.caption = with_period(options, std::move(text.caption));
  return histogram(bin_values(values), text, size);
}

std::string rfm_scatter(const std::vector<RfmMeasures>& measures, RfmMeasure x, RfmMeasure y,
                        const Options& options) {
  check_measure(x, "x");
  check_measure(y, "y");
  if (x == y)
    refuse(std::string("x and y are both ") + to_string(x) + ": a scatter needs two different measures");
  check_measures(measures);
  const Size size = checked_size(options);
  ChartText text{title_or(options, std::string("Customers by ") + to_string(x) + " and " + to_string(y)),
                 measure_axis(x), measure_axis(y), kDefinitions};
  text.caption = with_period(options, std::move(text.caption));
  return scatter(column(measures, x), column(measures, y), text, size, Options::kMaxScatterPoints);
}

}  // namespace crmkit::plot
