#include "plots/ticks.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>

#include "crmkit/error.hpp"
#include "plots/svg.hpp"

namespace crmkit::plots {

namespace {
const char* const kOverflow = "a value to draw is not finite: a sum or the range of the inputs overflows a double";
const char* const kPrecision = "the values are too close together for their magnitude to be drawn apart";
}  // namespace

double nice_step(double span, int target) {
  if (target < 1 || !(span > 0)) throw Error(Errc::internal, "nice_step needs a positive span and target");
  if (!std::isfinite(span)) throw Error(Errc::invalid_argument, kOverflow);
  const double raw = span / target;
  const double power = std::pow(10.0, std::floor(std::log10(raw)));
  for (double m : {1.0, 2.0, 5.0, 10.0}) {
    // A relative tolerance: 0.3 / 3 must give 0.1, not 0.2, despite rounding.
    if (m * power >= raw * (1 - 1e-9)) return m * power;
  }
  return 10 * power;
}

Ticks nice_ticks(double lo, double hi, int target) {
  if (!std::isfinite(lo) || !std::isfinite(hi)) throw Error(Errc::invalid_argument, kOverflow);
  if (lo > hi) throw Error(Errc::internal, "nice_ticks needs lo <= hi");
  if (lo == hi) {  // one value: an axis around it, wide enough to differ from it at any magnitude
    const double pad = std::max(0.5, std::fabs(lo) * 0.05);
    lo -= pad;
    hi += pad;
  }
  Ticks t;
  t.step = nice_step(hi - lo, target);
  // Whole steps, with a tolerance so that a bound on a tick does not add one more step.
  const double eps = 1e-9;
  const double first_index = std::floor(lo / t.step + eps);
  const double last_index = std::ceil(hi / t.step - eps);
  // Values far apart in magnitude but close together (1e300 and 1e300 + 1e284) leave steps
  // a double cannot tell apart: refused rather than drawn as a million ticks.
  if (last_index - first_index > 1000 || std::fabs(first_index) > 0x1p52 || std::fabs(last_index) > 0x1p52)
    throw Error(Errc::invalid_argument, kPrecision);
  t.first = first_index * t.step;
  t.last = last_index * t.step;
  const auto steps = static_cast<int>(last_index - first_index);
  for (int k = 0; k <= steps; ++k) t.values.push_back((first_index + k) * t.step);
  t.decimals = std::max(0, static_cast<int>(-std::floor(std::log10(t.step) + eps)));
  return t;
}

std::string tick_label(double value, int decimals) {
  char buf[512];  // a double up to 1e308 written out in full
  std::snprintf(buf, sizeof buf, "%.*f", decimals, value);
  std::string s(buf);
  if (s.find_first_not_of("-0.") == std::string::npos && s[0] == '-') s.erase(0, 1);
  return s;
}

std::vector<std::string> tick_labels(const Ticks& ticks) {
  double largest = 0;
  bool thousands = ticks.decimals == 0, millions = ticks.decimals == 0;
  for (double v : ticks.values) {
    largest = std::max(largest, std::fabs(v));
    thousands = thousands && std::fmod(v, 1e3) == 0;
    millions = millions && std::fmod(v, 1e5) == 0;
  }
  std::vector<std::string> labels;
  for (double v : ticks.values) {
    if (millions && largest >= 1e6)
      labels.push_back(v == 0 ? "0" : number_text(v / 1e6, 1) + "M");
    else if (thousands && largest >= 1e4)
      labels.push_back(v == 0 ? "0" : number_text(v / 1e3, 0) + "k");
    else
      labels.push_back(tick_label(v, ticks.decimals));
  }
  return labels;
}

std::string value_label(double value, int decimals) { return number_text(value, decimals); }

}  // namespace crmkit::plots
