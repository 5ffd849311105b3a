#include <algorithm>
#include <cmath>

#include "crmkit/error.hpp"
#include "plots/charts.hpp"
#include "plots/colour.hpp"

namespace crmkit::plots {

std::string lines(const std::vector<Series>& series, const ChartText& text, Size size,
                  const LineOptions& options) {
  if (series.empty()) throw Error(Errc::internal, "a line chart without series");
  double xlo = INFINITY, xhi = -INFINITY, ylo = INFINITY, yhi = -INFINITY;
  for (const Series& s : series) {
    if (s.x.size() != s.y.size()) throw Error(Errc::internal, "a series' x and y differ in length");
    if (s.x.empty()) throw Error(Errc::invalid_argument, "series \"" + s.name + "\" has no points");
    if (s.x.size() > kMaxSeriesPoints)
      throw Error(Errc::invalid_argument, "series \"" + s.name + "\" has " + std::to_string(s.x.size()) +
                                              " points; a line chart takes at most " +
                                              std::to_string(kMaxSeriesPoints) +
                                              " (aggregate by period first)");
    xlo = std::min(xlo, *std::min_element(s.x.begin(), s.x.end()));
    xhi = std::max(xhi, *std::max_element(s.x.begin(), s.x.end()));
    ylo = std::min(ylo, *std::min_element(s.y.begin(), s.y.end()));
    yhi = std::max(yhi, *std::max_element(s.y.begin(), s.y.end()));
  }
  if (options.marker) {
    xlo = std::min(xlo, options.marker->x);
    xhi = std::max(xhi, options.marker->x);
  }
  for (double r : options.rug) {
    xlo = std::min(xlo, r);
    xhi = std::max(xhi, r);
  }
  if (options.y_min) ylo = *options.y_min;
  if (options.y_max) yhi = std::max(*options.y_max, yhi);
  const Ticks xt = nice_ticks(xlo, xhi, 8), yt = nice_ticks(std::min(ylo, 0.0), yhi, 6);
  Frame frame(text, size,
              label_chars(tick_labels(yt)));
  frame.x_axis(xt);
  frame.y_axis(yt);
  SvgDocument& svg = frame.svg();

  if (options.marker) {
    const double x = frame.x_of(options.marker->x);
    svg.open_group("marker");
    svg.line(x, frame.top(), x, frame.bottom(), "#888", 1, "marker-line", true);
    svg.text(x + 4, frame.top() + 11, options.marker->label, Anchor::start, 10, "marker-label", false,
             "#555");
    svg.close_group();
  }
  if (!options.rug.empty()) {
    // One tick per distinct pixel column: a long history stays a bounded row of ticks.
    std::vector<long> columns;
    for (double r : options.rug) columns.push_back(std::lround(frame.x_of(r)));
    std::sort(columns.begin(), columns.end());
    columns.erase(std::unique(columns.begin(), columns.end()), columns.end());
    svg.open_group("rug");
    for (long c : columns) svg.line(c, frame.bottom(), c, frame.bottom() - 8, "#b03030", 1.5, "rug-tick");
    svg.close_group();
  }
  for (std::size_t i = 0; i < series.size(); ++i) {
    const Series& s = series[i];
    std::vector<Point> points;
    for (std::size_t k = 0; k < s.x.size(); ++k) points.push_back({frame.x_of(s.x[k]), frame.y_of(s.y[k])});
    svg.open_group("series");
    svg.polyline(points, series_colour(i), 2, "series-line", s.dashed);
    if (options.dots && s.x.size() <= 200)
      for (const Point& p : points) svg.circle(p.x, p.y, 3, series_colour(i), "dot");
    svg.close_group();
  }
  // The legend, top left inside the plot area, on a white box so that lines do not cross it;
  // a single line is named by the y axis already.
  if (series.size() < 2) return frame.finish();
  svg.open_group("legend");
  std::size_t chars = 0;
  for (const Series& s : series) chars = std::max(chars, label_chars(s.name));
  const double lx = frame.left() + 10, ly = frame.top() + 8;
  svg.rect(lx - 4, ly - 4, 34 + chars * 6.2, series.size() * 16 + 6, "rgba(255,255,255,0.85)", "legend-box");
  for (std::size_t i = 0; i < series.size(); ++i) {
    const double y = ly + 8 + i * 16;
    svg.line(lx, y, lx + 22, y, series_colour(i), 2, "legend-swatch", series[i].dashed);
    svg.text(lx + 28, y + 4, series[i].name, Anchor::start, 11, "legend-entry");
  }
  svg.close_group();
  return frame.finish();
}

}  // namespace crmkit::plots
