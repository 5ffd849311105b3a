#include <algorithm>

#include "crmkit/error.hpp"
#include "plots/charts.hpp"
#include "plots/colour.hpp"

namespace crmkit::plots {

std::string horizontal_bars(const std::vector<Bar>& bars, const ChartText& text, Size size, int decimals) {
  if (bars.empty()) throw Error(Errc::invalid_argument, "a bar chart needs at least one bar");
  std::vector<std::string> labels;
  double hi = 0, lo = 0;
  for (const Bar& b : bars) {
    labels.push_back(b.label);
    hi = std::max(hi, b.value);
    lo = std::min(lo, b.value);
  }
  Frame frame(text, size, label_chars(labels));
  const Ticks ticks = nice_ticks(lo, hi > lo ? hi : lo + 1, 5);
  frame.x_axis(ticks);
  SvgDocument& svg = frame.svg();
  const double band = frame.plot_height() / bars.size();
  const double thickness = band * 0.72;
  svg.open_group("bars");
  for (std::size_t i = 0; i < bars.size(); ++i) {
    const double x0 = frame.x_of(0), x1 = frame.x_of(bars[i].value);
    const double y = frame.top() + i * band + (band - thickness) / 2;
    const std::string value = value_label(bars[i].value, decimals);
    svg.rect(std::min(x0, x1), y, std::max(std::abs(x1 - x0), 0.5), thickness, series_colour(0), "bar",
             bars[i].label + ": " + value);
    const bool inside = std::abs(x1 - x0) > value.size() * 6.5 + 10;
    svg.text(inside ? x1 - 4 : x1 + 4, y + thickness / 2 + 4, value, inside ? Anchor::end : Anchor::start,
             std::min(11.0, std::max(7.0, thickness * 0.7)), "bar-value", false,
             inside ? "#ffffff" : "#222222");
  }
  svg.close_group();
  frame.y_bands(labels);
  return frame.finish();
}

}  // namespace crmkit::plots
