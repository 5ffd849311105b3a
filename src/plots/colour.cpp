#include "plots/colour.hpp"

#include <cmath>
#include <cstdio>

namespace crmkit::plots {

namespace {
// Three anchors whose channels all fall from one to the next: interpolating linearly keeps
// every channel, and so the luminance, monotone.
constexpr Rgb kAnchors[] = {{247, 251, 255}, {107, 174, 214}, {8, 48, 107}};
}  // namespace

Rgb colour_at(double t) {
  if (!(t >= 0)) t = 0;  // NaN too: callers refuse NaN values before colouring
  if (t > 1) t = 1;
  const double pos = t * 2;
  const int i = pos >= 2 ? 1 : static_cast<int>(pos);
  const double f = pos - i;
  auto mix = [f](int a, int b) { return static_cast<int>(std::lround(a + (b - a) * f)); };
  return {mix(kAnchors[i].r, kAnchors[i + 1].r), mix(kAnchors[i].g, kAnchors[i + 1].g),
          mix(kAnchors[i].b, kAnchors[i + 1].b)};
}

std::string hex(Rgb c) {
  char buf[8];
  std::snprintf(buf, sizeof buf, "#%02x%02x%02x", c.r & 0xff, c.g & 0xff, c.b & 0xff);
  return buf;
}

double luminance(Rgb c) {
  auto lin = [](int v) {
    const double s = v / 255.0;
    return s <= 0.04045 ? s / 12.92 : std::pow((s + 0.055) / 1.055, 2.4);
  };
  return 0.2126 * lin(c.r) + 0.7152 * lin(c.g) + 0.0722 * lin(c.b);
}

const char* text_colour_on(Rgb background) { return luminance(background) < 0.3 ? "#ffffff" : "#222222"; }

const char* series_colour(std::size_t index) {
  static const char* const kColours[] = {"#1f5fa8", "#d9722b", "#2f8f4e", "#8e3fa3", "#b03030", "#555555"};
  return kColours[index % (sizeof kColours / sizeof kColours[0])];
}

}  // namespace crmkit::plots
