// A chart's frame: title, caption, axis labels, and the plot area the chart kinds draw in.
#pragma once

#include <string>
#include <vector>

#include "plots/svg.hpp"
#include "plots/ticks.hpp"

namespace crmkit::plots {

// What every chart says about itself. Units go in the axis labels ("recency (days)"); the
// caption defines what is drawn and over which period.
struct ChartText {
  std::string title;
  std::string x_label;
  std::string y_label;
  std::string caption;
};

struct Size {
  int width = 720;
  int height = 440;
};

class Frame {
 public:
  // y_tick_chars: the longest left-hand label, in characters (room is kept for it);
  // right_margin: room for a legend beside the plot area.
  Frame(const ChartText& text, Size size, std::size_t y_tick_chars, double right_margin = 16);

  SvgDocument& svg() { return svg_; }
  double left() const { return left_; }
  double top() const { return top_; }
  double right() const { return right_; }
  double bottom() const { return bottom_; }
  double plot_width() const { return right_ - left_; }
  double plot_height() const { return bottom_ - top_; }

  // Continuous axes: grid lines, tick marks and labels; x_of/y_of map data to pixels.
  void x_axis(const Ticks& ticks);
  void y_axis(const Ticks& ticks);
  double x_of(double v) const;
  double y_of(double v) const;
  // Categorical axes: one label per band, in order (x left to right, y top to bottom).
  // Labels are thinned to every k-th one when they would overlap.
  void x_bands(const std::vector<std::string>& labels);
  void y_bands(const std::vector<std::string>& labels);

  std::string finish();

 private:
  SvgDocument svg_;
  double width_, height_;
  double left_ = 0, top_ = 0, right_ = 0, bottom_ = 0;
  Ticks x_ticks_, y_ticks_;
};

// Characters in the longest label (UTF-8 code points).
std::size_t label_chars(const std::vector<std::string>& labels);
std::size_t label_chars(const std::string& label);

}  // namespace crmkit::plots
