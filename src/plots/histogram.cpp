#include <algorithm>
#include <cmath>

#include "crmkit/error.hpp"
#include "plots/charts.hpp"
#include "plots/colour.hpp"

namespace crmkit::plots {

Bins bin_values(const std::vector<double>& values, int target) {
  if (values.empty()) throw Error(Errc::invalid_argument, "a histogram needs at least one value");
  const auto [lo_it, hi_it] = std::minmax_element(values.begin(), values.end());
  const double lo = *lo_it, hi = *hi_it;
  // One value: a bin a twentieth of its size (or 1) wide, so that any magnitude gets a real bin.
  const double step = nice_step(hi > lo ? hi - lo : std::max(1.0, std::fabs(lo)), target);
  // Edges at whole steps: the last bin starts at or below the maximum, so it holds it.
  const double first = std::floor(lo / step) * step;
  const double whole_steps = std::floor((hi - first) / step);
  // Edges a double cannot tell apart (a narrow range at a huge magnitude) are refused.
  if (!(whole_steps <= 4.0 * target + 4) || std::fabs(first / step) > 0x1p52 || !(first + step > first))
    throw Error(Errc::invalid_argument, "the values are too close together for their magnitude to be binned");
  const auto n = static_cast<std::size_t>(whole_steps) + 1;
  Bins bins;
  for (std::size_t i = 0; i <= n; ++i) bins.edges.push_back(first + i * step);
  bins.counts.assign(n, 0);
  for (double v : values) {
    auto i = static_cast<std::size_t>(std::floor((v - first) / step));
    bins.counts[std::min(i, n - 1)] += 1;
  }
  return bins;
}

std::string histogram(const Bins& bins, const ChartText& text, Size size) {
  if (bins.counts.empty() || bins.edges.size() != bins.counts.size() + 1)
    throw Error(Errc::internal, "histogram bins do not match their edges");
  const double top = *std::max_element(bins.counts.begin(), bins.counts.end());
  const Ticks y = nice_ticks(0, top > 0 ? top : 1, 5);
  Frame frame(text, size, label_chars(tick_labels(y)));
  frame.x_axis(nice_ticks(bins.edges.front(), bins.edges.back(), 8));
  frame.y_axis(y);
  SvgDocument& svg = frame.svg();
  svg.open_group("bars");
  const int decimals = nice_ticks(bins.edges.front(), bins.edges.back(), 8).decimals;
  for (std::size_t i = 0; i < bins.counts.size(); ++i) {
    const double x0 = frame.x_of(bins.edges[i]), x1 = frame.x_of(bins.edges[i + 1]);
    const double y0 = frame.y_of(bins.counts[i]);
    const bool last = i + 1 == bins.counts.size();
    svg.rect(x0 + 0.5, y0, std::max(x1 - x0 - 1, 0.5), frame.bottom() - y0, series_colour(0), "bar",
             "[" + value_label(bins.edges[i], decimals) + ", " + value_label(bins.edges[i + 1], decimals) +
                 (last ? "]" : ")") + ": " + value_label(bins.counts[i], 0));
  }
  svg.close_group();
  return frame.finish();
}

}  // namespace crmkit::plots
