#include <algorithm>
#include <cmath>

#include "crmkit/error.hpp"
#include "plots/charts.hpp"
#include "plots/colour.hpp"

namespace crmkit::plots {

namespace {
constexpr std::size_t kGridColumns = 60, kGridRows = 40;
}

std::string scatter(const std::vector<double>& x, const std::vector<double>& y, const ChartText& text,
                    Size size, std::size_t max_points) {
  if (x.size() != y.size()) throw Error(Errc::internal, "scatter coordinates differ in length");
  if (x.empty()) throw Error(Errc::invalid_argument, "a scatter plot needs at least one point");
  const auto [xlo, xhi] = std::minmax_element(x.begin(), x.end());
  const auto [ylo, yhi] = std::minmax_element(y.begin(), y.end());
  const Ticks xt = nice_ticks(*xlo, *xhi, 8), yt = nice_ticks(*ylo, *yhi, 6);
  const bool density = x.size() > max_points;

  ChartText t = text;
  t.caption += density ? " " + std::to_string(x.size()) + " customers, binned into a " +
                             std::to_string(kGridColumns) + " x " + std::to_string(kGridRows) +
                             " grid; darker cells hold more customers (log scale)."
                       : " One dot per customer (" + std::to_string(x.size()) + ").";
  Frame frame(t, size,
              label_chars(tick_labels(yt)),
              density ? 70 : 16);
  frame.x_axis(xt);
  frame.y_axis(yt);
  SvgDocument& svg = frame.svg();
  if (!density) {
    svg.open_group("points");
    for (std::size_t i = 0; i < x.size(); ++i)
      svg.circle(frame.x_of(x[i]), frame.y_of(y[i]), 2.6, "rgba(31,95,168,0.55)", "point");
    svg.close_group();
    return frame.finish();
  }
  // Counts per grid cell over the axes' range (the ticks cover every point).
  std::vector<double> counts(kGridColumns * kGridRows, 0);
  auto index = [](double v, double lo, double hi, std::size_t n) {
    const auto i = static_cast<std::size_t>(std::max(0.0, std::floor((v - lo) / (hi - lo) * n)));
    return std::min(i, n - 1);
  };
  for (std::size_t i = 0; i < x.size(); ++i)
    counts[index(yt.last - y[i] + yt.first, yt.first, yt.last, kGridRows) * kGridColumns +
           index(x[i], xt.first, xt.last, kGridColumns)] += 1;
  const double most = *std::max_element(counts.begin(), counts.end());
  const double cw = frame.plot_width() / kGridColumns, ch = frame.plot_height() / kGridRows;
  svg.open_group("density");
  for (std::size_t r = 0; r < kGridRows; ++r) {
    for (std::size_t c = 0; c < kGridColumns; ++c) {
      const double n = counts[r * kGridColumns + c];
      if (n == 0) continue;  // empty cells stay background: nothing to read there
      const double tone = 0.15 + 0.85 * std::log1p(n) / std::log1p(most);
      svg.rect(frame.left() + c * cw, frame.top() + r * ch, cw + 0.2, ch + 0.2, hex(colour_at(tone)),
               "density-cell", value_label(n, 0) + " customers");
    }
  }
  svg.close_group();
  svg.open_group("legend");
  const double lx = frame.right() + 12;
  svg.text(frame.right() + 64, frame.top() - 8, "customers", Anchor::end, 10, "legend-label");
  for (int i = 0; i < 5; ++i) {
    const double share = 1 - i / 4.0;  // the log scale's positions, labelled with counts
    const double n = std::expm1(share * std::log1p(most));
    svg.rect(lx, frame.top() + i * 20, 14, 20, hex(colour_at(0.15 + 0.85 * share)), "swatch");
    svg.text(lx + 18, frame.top() + i * 20 + 14, value_label(std::max(1.0, std::round(n)), 0), Anchor::start,
             10, "legend-value");
  }
  svg.close_group();
  return frame.finish();
}

}  // namespace crmkit::plots
