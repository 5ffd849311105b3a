#include <algorithm>
#include <cmath>

#include "crmkit/error.hpp"
#include "plots/charts.hpp"
#include "plots/colour.hpp"

namespace crmkit::plots {

namespace {

std::string shown(double v, const HeatmapData& d) {
  return d.percent ? value_label(v * 100, d.decimals) + "%" : value_label(v, d.decimals);
}

constexpr double kLegendWidth = 86;

}  // namespace

std::string heatmap(const HeatmapData& d, const ChartText& text, Size size) {
  const std::size_t rows = d.row_labels.size(), cols = d.column_labels.size();
  if (rows == 0 || cols == 0)
    throw Error(Errc::invalid_argument, "a heatmap needs at least one row and one column");
  if (d.values.size() != rows * cols)
    throw Error(Errc::internal, "heatmap values do not fill rows x columns");

  double lo = d.scale_min.value_or(INFINITY), hi = d.scale_max.value_or(-INFINITY);
  for (const auto& v : d.values) {
    if (!v) continue;
    if (!d.scale_min) lo = std::min(lo, *v);
    if (!d.scale_max) hi = std::max(hi, *v);
  }
  if (!(lo <= hi)) lo = hi = 0;  // no value at all: every cell is missing
  auto t_of = [&](double v) { return hi > lo ? (v - lo) / (hi - lo) : 0.5; };

  Frame frame(text, size, label_chars(d.row_labels), kLegendWidth);
  SvgDocument& svg = frame.svg();
  const double cw = frame.plot_width() / cols, ch = frame.plot_height() / rows;
  // Numbers inside the cells only where they fit; the tooltip always has them.
  std::size_t chars = 0;
  for (const auto& v : d.values)
    if (v) chars = std::max(chars, shown(*v, d).size());
  const double font = std::min(11.0, ch * 0.6);
  const bool numbers = font >= 7 && chars * font * 0.58 + 4 <= cw;

  svg.open_group("cells");
  for (std::size_t r = 0; r < rows; ++r) {
    for (std::size_t c = 0; c < cols; ++c) {
      const auto& v = d.values[r * cols + c];
      const double x = frame.left() + c * cw, y = frame.top() + r * ch;
      const std::string where = (d.row_name.empty() ? "" : d.row_name + " ") + d.row_labels[r] + ", " +
                                (d.column_name.empty() ? "" : d.column_name + " ") + d.column_labels[c] +
                                ": ";
      if (!v) {
        svg.rect(x, y, cw, ch, "#ececec", "cell-missing", where + d.missing_text);
        continue;
      }
      const Rgb colour = colour_at(t_of(*v));
      svg.rect(x, y, cw, ch, hex(colour), "cell", where + shown(*v, d));
      if (numbers)
        svg.text(x + cw / 2, y + ch / 2 + font * 0.35, shown(*v, d), Anchor::middle, font, "cell-value",
                 false, text_colour_on(colour));
    }
  }
  svg.close_group();
  frame.x_bands(d.column_labels);
  frame.y_bands(d.row_labels);

  // The legend: five swatches from the scale's top to its bottom, with their values.
  svg.open_group("legend");
  const double lx = frame.right() + 14, swatch = std::min(22.0, frame.plot_height() / 6);
  // Right-aligned above the swatches: a long label runs left over the empty band above the plot.
  svg.text(frame.right() + kLegendWidth - 6, frame.top() - 8, d.legend_label, Anchor::end, 10,
           "legend-label");
  for (int i = 0; i < 5; ++i) {
    const double t = 1 - i / 4.0;
    const double y = frame.top() + i * swatch;
    svg.rect(lx, y, 14, swatch, hex(colour_at(t)), "swatch");
    svg.text(lx + 18, y + swatch / 2 + 3.5, shown(lo + (hi - lo) * t, d), Anchor::start, 10, "legend-value");
  }
  svg.close_group();
  return frame.finish();
}

}  // namespace crmkit::plots
