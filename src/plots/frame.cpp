#include "plots/frame.hpp"

#include <algorithm>
#include <cmath>

#include "crmkit/error.hpp"

namespace crmkit::plots {

namespace {

constexpr double kTitleSize = 15;
constexpr double kLabelSize = 12;
constexpr double kTickSize = 10.5;
constexpr double kCaptionSize = 10.5;
constexpr double kCharWidth = 0.56;  // an average glyph's width per font-size unit

// Greedy word wrap by an estimated glyph width: SVG text has no line breaking of its own.
std::vector<std::string> wrap(const std::string& text, std::size_t max_chars) {
  std::vector<std::string> lines;
  std::string line;
  std::size_t pos = 0;
  while (pos < text.size()) {
    std::size_t end = text.find(' ', pos);
    if (end == std::string::npos) end = text.size();
    const std::string word = text.substr(pos, end - pos);
    pos = end + 1;
    if (!line.empty() && label_chars(line) + 1 + label_chars(word) > max_chars) {
      lines.push_back(line);
      line.clear();
    }
    if (!line.empty()) line += ' ';
    line += word;
  }
  if (!line.empty()) lines.push_back(line);
  return lines;
}

}  // namespace

std::size_t label_chars(const std::string& label) {
  std::size_t n = 0;
  for (unsigned char c : label) n += (c & 0xC0) != 0x80;
  return n;
}

std::size_t label_chars(const std::vector<std::string>& labels) {
  std::size_t n = 0;
  for (const auto& l : labels) n = std::max(n, label_chars(l));
  return n;
}

Frame::Frame(const ChartText& text, Size size, std::size_t y_tick_chars, double right_margin)
    : svg_(size.width, size.height, text.title, text.caption), width_(size.width), height_(size.height) {
  const auto caption_chars = static_cast<std::size_t>((width_ - 24) / (kCaptionSize * kCharWidth));
  const std::vector<std::string> caption = wrap(text.caption, std::max<std::size_t>(caption_chars, 20));
  const double caption_height = caption.size() * (kCaptionSize + 3);
  const double tick_width = std::min<double>(y_tick_chars, 28) * kTickSize * kCharWidth;

  top_ = 44;
  left_ = 12 + kLabelSize + 10 + tick_width + 8;
  right_ = width_ - right_margin;
  bottom_ = height_ - 10 - caption_height - 8 - kLabelSize - 6 - kTickSize - 8;
  if (plot_width() < 60 || plot_height() < 60)
    throw Error(Errc::invalid_argument,
                "width " + number_text(width_, 0) + " and height " + number_text(height_, 0) +
                    " leave no room for the plot area of \"" + text.title + "\"; make the chart larger");

  svg_.text(12, 26, text.title, Anchor::start, kTitleSize, "title", false, "#111");
  svg_.text(left_ + plot_width() / 2, bottom_ + 8 + kTickSize + 6 + kLabelSize, text.x_label, Anchor::middle,
            kLabelSize, "axis-label x");
  svg_.text(12 + kLabelSize, top_ + plot_height() / 2, text.y_label, Anchor::middle, kLabelSize,
            "axis-label y", true);
  double y = height_ - 10 - caption_height + kCaptionSize;
  svg_.open_group("caption");
  for (const auto& line : caption) {
    svg_.text(12, y, line, Anchor::start, kCaptionSize, "caption-line", false, "#444");
    y += kCaptionSize + 3;
  }
  svg_.close_group();
}

void Frame::x_axis(const Ticks& ticks) {
  x_ticks_ = ticks;
  svg_.open_group("x-ticks");
  // Thin the labels when they would overlap (each takes about its width plus a gap).
  std::size_t chars = 0;
  const std::vector<std::string> labels = tick_labels(ticks);
  for (const auto& l : labels) chars = std::max(chars, l.size());
  const double spacing = plot_width() / std::max<std::size_t>(ticks.values.size() - 1, 1);
  const auto every = static_cast<std::size_t>(std::ceil((chars * kTickSize * kCharWidth + 8) / spacing));
  for (std::size_t i = 0; i < ticks.values.size(); ++i) {
    const double x = x_of(ticks.values[i]);
    svg_.line(x, top_, x, bottom_, "#e4e4e4", 1, "grid");
    svg_.line(x, bottom_, x, bottom_ + 4, "#444", 1);
    if (i % std::max<std::size_t>(every, 1) == 0)
      svg_.text(x, bottom_ + 6 + kTickSize, labels[i], Anchor::middle,
                kTickSize, "tick");
  }
  svg_.close_group();
  svg_.line(left_, bottom_, right_, bottom_, "#444", 1, "axis x");
}

void Frame::y_axis(const Ticks& ticks) {
  y_ticks_ = ticks;
  svg_.open_group("y-ticks");
  const std::vector<std::string> labels = tick_labels(ticks);
  for (std::size_t i = 0; i < ticks.values.size(); ++i) {
    const double y = y_of(ticks.values[i]);
    svg_.line(left_, y, right_, y, "#e4e4e4", 1, "grid");
    svg_.line(left_ - 4, y, left_, y, "#444", 1);
    svg_.text(left_ - 6, y + kTickSize * 0.35, labels[i], Anchor::end, kTickSize, "tick");
  }
  svg_.close_group();
  svg_.line(left_, top_, left_, bottom_, "#444", 1, "axis y");
}

double Frame::x_of(double v) const {
  return left_ + (v - x_ticks_.first) / (x_ticks_.last - x_ticks_.first) * plot_width();
}

double Frame::y_of(double v) const {
  return bottom_ - (v - y_ticks_.first) / (y_ticks_.last - y_ticks_.first) * plot_height();
}

void Frame::x_bands(const std::vector<std::string>& labels) {
  if (labels.empty()) return;
  const double band = plot_width() / labels.size();
  const auto every =
      static_cast<std::size_t>(std::ceil((label_chars(labels) * kTickSize * kCharWidth + 6) / band));
  svg_.open_group("x-ticks");
  for (std::size_t i = 0; i < labels.size(); i += std::max<std::size_t>(every, 1))
    svg_.text(left_ + (i + 0.5) * band, bottom_ + 6 + kTickSize, labels[i], Anchor::middle, kTickSize,
              "tick");
  svg_.close_group();
}

void Frame::y_bands(const std::vector<std::string>& labels) {
  if (labels.empty()) return;
  const double band = plot_height() / labels.size();
  const auto every = static_cast<std::size_t>(std::ceil((kTickSize + 2) / band));
  svg_.open_group("y-ticks");
  for (std::size_t i = 0; i < labels.size(); i += std::max<std::size_t>(every, 1))
    svg_.text(left_ - 6, top_ + (i + 0.5) * band + kTickSize * 0.35, labels[i], Anchor::end, kTickSize,
              "tick");
  svg_.close_group();
}

std::string Frame::finish() { return svg_.finish(); }

}  // namespace crmkit::plots
