#include "plots/svg.hpp"

#include <cmath>
#include <cstdio>

#include "crmkit/error.hpp"

namespace crmkit::plots {

void append_escaped(std::string& out, std::string_view text) {
  for (char c : text) {
    switch (c) {
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '&':
        out += "&amp;";
        break;
      case '"':
        out += "&quot;";
        break;
      case '\'':
        out += "&apos;";
        break;
      default:
        out += c;
    }
  }
}

std::string escaped(std::string_view text) {
  std::string out;
  append_escaped(out, text);
  return out;
}

std::string number_text(double value, int decimals) {
  if (!std::isfinite(value))
    throw Error(Errc::invalid_argument,
                "a value to draw is not finite: a sum or the range of the inputs overflows a double");
  char buf[512];  // a double up to 1e308 written out in full
  std::snprintf(buf, sizeof buf, "%.*f", decimals, value);
  std::string s(buf);
  if (s.find('.') != std::string::npos) {
    while (s.back() == '0') s.pop_back();
    if (s.back() == '.') s.pop_back();
  }
  if (s == "-0") s = "0";
  return s;
}

namespace {
const char* anchor_name(Anchor a) {
  switch (a) {
    case Anchor::middle:
      return "middle";
    case Anchor::end:
      return "end";
    case Anchor::start:
      break;
  }
  return "start";
}
}  // namespace

SvgDocument::SvgDocument(double width, double height, std::string_view title, std::string_view description) {
  out_.reserve(16 * 1024);
  const std::string w = number_text(width, 0), h = number_text(height, 0);
  out_ += "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"" + w + "\" height=\"" + h +
          "\" viewBox=\"0 0 " + w + " " + h +
          "\" role=\"img\" font-family=\"Helvetica, Arial, sans-serif\">\n<title>";
  append_escaped(out_, title);
  out_ += "</title>\n<desc>";
  append_escaped(out_, description);
  out_ += "</desc>\n";
  rect(0, 0, width, height, "#ffffff", "background");
}

void SvgDocument::class_attribute(std::string_view css_class) {
  if (css_class.empty()) return;
  out_ += " class=\"";
  append_escaped(out_, css_class);
  out_ += '"';
}

void SvgDocument::fill_and_tooltip(std::string_view tag, std::string_view fill, std::string_view tooltip) {
  append_escaped(out_, fill);
  if (tooltip.empty()) {
    out_ += "\"/>\n";
    return;
  }
  out_ += "\"><title>";
  append_escaped(out_, tooltip);
  out_ += "</title></";
  out_ += tag;
  out_ += ">\n";
}

void SvgDocument::open_group(std::string_view css_class) {
  out_ += "<g";
  class_attribute(css_class);
  out_ += ">\n";
  ++open_groups_;
}

void SvgDocument::close_group() {
  if (open_groups_ == 0) throw Error(Errc::internal, "SVG group closed twice");
  out_ += "</g>\n";
  --open_groups_;
}

void SvgDocument::rect(double x, double y, double width, double height, std::string_view fill,
                       std::string_view css_class, std::string_view tooltip) {
  out_ += "<rect";
  class_attribute(css_class);
  out_ += " x=\"" + number_text(x) + "\" y=\"" + number_text(y) + "\" width=\"" + number_text(width) +
          "\" height=\"" + number_text(height) + "\" fill=\"";
  fill_and_tooltip("rect", fill, tooltip);
}

void SvgDocument::line(double x1, double y1, double x2, double y2, std::string_view stroke,
                       double stroke_width, std::string_view css_class, bool dashed) {
  out_ += "<line";
  class_attribute(css_class);
  out_ += " x1=\"" + number_text(x1) + "\" y1=\"" + number_text(y1) + "\" x2=\"" + number_text(x2) +
          "\" y2=\"" + number_text(y2) + "\" stroke=\"";
  append_escaped(out_, stroke);
  out_ += "\" stroke-width=\"" + number_text(stroke_width) + "\"";
  if (dashed) out_ += " stroke-dasharray=\"5 4\"";
  out_ += "/>\n";
}

void SvgDocument::polyline(const std::vector<Point>& points, std::string_view stroke, double stroke_width,
                           std::string_view css_class, bool dashed) {
  out_ += "<polyline";
  class_attribute(css_class);
  out_ += " fill=\"none\" stroke=\"";
  append_escaped(out_, stroke);
  out_ += "\" stroke-width=\"" + number_text(stroke_width) + "\"";
  if (dashed) out_ += " stroke-dasharray=\"6 4\"";
  out_ += " points=\"";
  bool first = true;
  for (const Point& p : points) {
    if (!first) out_ += ' ';
    first = false;
    out_ += number_text(p.x) + "," + number_text(p.y);
  }
  out_ += "\"/>\n";
}

void SvgDocument::circle(double cx, double cy, double r, std::string_view fill, std::string_view css_class,
                         std::string_view tooltip) {
  out_ += "<circle";
  class_attribute(css_class);
  out_ +=
      " cx=\"" + number_text(cx) + "\" cy=\"" + number_text(cy) + "\" r=\"" + number_text(r) + "\" fill=\"";
  fill_and_tooltip("circle", fill, tooltip);
}

void SvgDocument::text(double x, double y, std::string_view content, Anchor anchor, double font_size,
                       std::string_view css_class, bool vertical, std::string_view fill) {
  out_ += "<text";
  class_attribute(css_class);
  out_ += " x=\"" + number_text(x) + "\" y=\"" + number_text(y) + "\" font-size=\"" + number_text(font_size) +
          "\" text-anchor=\"" + anchor_name(anchor) + "\" fill=\"";
  append_escaped(out_, fill);
  out_ += '"';
  if (vertical) out_ += " transform=\"rotate(-90 " + number_text(x) + " " + number_text(y) + ")\"";
  out_ += '>';
  append_escaped(out_, content);
  out_ += "</text>\n";
}

std::string SvgDocument::finish() {
  while (open_groups_ > 0) close_group();
  out_ += "</svg>\n";
  return std::move(out_);
}

}  // namespace crmkit::plots
