// An SVG document written as text: every attribute and text node escaped, numbers compact.
// The charts build on this one writer so that well-formedness is checked in one place.
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace crmkit::plots {

// Appends text with XML's special characters (< > & " ') escaped; the caller has refused
// control characters (check_label), which XML 1.0 cannot carry even escaped.
void append_escaped(std::string& out, std::string_view text);
std::string escaped(std::string_view text);

// A coordinate or size as short text: at most `decimals` decimals, trailing zeros dropped,
// never "-0" (output size is what keeps a 1M-customer chart light).
std::string number_text(double value, int decimals = 1);

enum class Anchor { start, middle, end };

struct Point {
  double x = 0, y = 0;
};

class SvgDocument {
 public:
  // The root element with its size and an accessible <title> and <desc> (the caption).
  SvgDocument(double width, double height, std::string_view title, std::string_view description);

  // A group with a class, so that a reader (and the tests) find the parts of a chart.
  void open_group(std::string_view css_class);
  void close_group();

  // A rectangle; `tooltip`, if not empty, becomes its <title> child (hover text in browsers).
  void rect(double x, double y, double width, double height, std::string_view fill,
            std::string_view css_class = {}, std::string_view tooltip = {});
  void line(double x1, double y1, double x2, double y2, std::string_view stroke, double stroke_width = 1,
            std::string_view css_class = {}, bool dashed = false);
  void polyline(const std::vector<Point>& points, std::string_view stroke, double stroke_width,
                std::string_view css_class = {}, bool dashed = false);
  void circle(double cx, double cy, double r, std::string_view fill, std::string_view css_class = {},
              std::string_view tooltip = {});
  // Text at (x, y) (the baseline); rotated -90 degrees about that point when `vertical`.
  void text(double x, double y, std::string_view content, Anchor anchor = Anchor::start,
            double font_size = 11, std::string_view css_class = {}, bool vertical = false,
            std::string_view fill = "#222");

  // Closes the root element and returns the document; the writer is empty afterwards.
  std::string finish();

 private:
  void class_attribute(std::string_view css_class);
  // Ends a shape whose fill attribute is open: self-closing, or holding its tooltip.
  void fill_and_tooltip(std::string_view tag, std::string_view fill, std::string_view tooltip);
  std::string out_;
  int open_groups_ = 0;
};

}  // namespace crmkit::plots
