// The chart kinds every crmkit chart is drawn with. They take aggregates (cells, bars, bins,
// series) and never one element per customer: the scatter bins its points into a density grid
// above a few thousand of them.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <vector>

#include "plots/frame.hpp"

namespace crmkit::plots {

// A matrix of values, drawn as rows x columns cells (a cell without a value is drawn grey with
// `missing_text` as its tooltip, so that every chart of n x m has n x m cells).
struct HeatmapData {
  std::vector<std::string> row_labels;        // top to bottom
  std::vector<std::string> column_labels;     // left to right
  std::vector<std::optional<double>> values;  // row-major, rows x columns
  int decimals = 2;                           // of the values written in cells and tooltips
  bool percent = false;                       // values are shares, shown as percentages
  std::string legend_label;                   // the value's name and unit
  std::string missing_text = "no value";
  // Names put before a cell's row and column label in its tooltip ("x 5, t_x 12: 0.42").
  std::string row_name, column_name;
  std::optional<double> scale_min, scale_max;  // a fixed scale (shares: 0..1); else the data's
};
std::string heatmap(const HeatmapData& data, const ChartText& text, Size size);

// Horizontal bars, one per category, top to bottom in the given order, each labelled with
// its value.
struct Bar {
  std::string label;
  double value = 0;
};
std::string horizontal_bars(const std::vector<Bar>& bars, const ChartText& text, Size size, int decimals = 0);

// Histogram bins: edges.size() == counts.size() + 1; bin i is [edges[i], edges[i+1]), the last
// one closed.
struct Bins {
  std::vector<double> edges;
  std::vector<double> counts;
};
// Bins at a nice step (about `target` of them) covering every value; values must be finite.
// Throws invalid_argument when the range overflows or is too narrow for the values' magnitude.
Bins bin_values(const std::vector<double>& values, int target = 20);
std::string histogram(const Bins& bins, const ChartText& text, Size size);

// Points up to `max_points`; above that a density grid of customers per cell (log colour
// scale). The caption is extended to say which was drawn.
std::string scatter(const std::vector<double>& x, const std::vector<double>& y, const ChartText& text,
                    Size size, std::size_t max_points = 2000);

// Lines over a shared x axis, with a legend; an optional dashed vertical marker (e.g. the end
// of calibration) and optional dots on each point.
struct Series {
  std::string name;
  std::vector<double> x, y;
  bool dashed = false;
};
struct VerticalMarker {
  double x = 0;
  std::string label;
};
struct LineOptions {
  std::optional<VerticalMarker> marker;
  std::optional<double> y_min, y_max;  // fixed y range (probabilities: 0..1)
  bool dots = false;                   // a dot on every point (short series only)
  std::vector<double> rug;             // small ticks along the x axis (e.g. purchase times)
};
constexpr std::size_t kMaxSeriesPoints = 10'000;
std::string lines(const std::vector<Series>& series, const ChartText& text, Size size,
                  const LineOptions& options = {});

}  // namespace crmkit::plots
