// A sequential colour scale for heatmaps and density grids: light for low values, dark for
// high ones, every channel non-increasing, so that darker always means more (also in grey).
#pragma once

#include <cstddef>
#include <string>

namespace crmkit::plots {

struct Rgb {
  int r = 0, g = 0, b = 0;
};

// t in [0, 1] (clamped) to a colour; 0 is near-white, 1 dark blue.
Rgb colour_at(double t);
std::string hex(Rgb c);  // "#rrggbb"
// Relative luminance (sRGB, 0..1), for choosing a legible text colour on a cell.
double luminance(Rgb c);
// Text colour that reads on `background`.
const char* text_colour_on(Rgb background);

// The colours of a chart's series, in order (distinct in hue and in lightness).
const char* series_colour(std::size_t index);

}  // namespace crmkit::plots
