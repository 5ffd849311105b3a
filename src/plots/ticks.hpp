// Axis ticks at "nice" steps (1, 2 or 5 times a power of ten) and their labels.
#pragma once

#include <string>
#include <vector>

namespace crmkit::plots {

// The smallest step of the form {1, 2, 5} x 10^k that is >= span / target (span > 0).
double nice_step(double span, int target);

// Ticks covering [lo, hi]: the axis is widened to whole steps (first <= lo, last >= hi), so
// data never falls outside it. lo == hi gets a unit-wide axis around the value.
struct Ticks {
  double first = 0;  // the axis' lower end, a multiple of step
  double last = 1;   // the axis' upper end, a multiple of step
  double step = 1;
  std::vector<double> values;  // first, first + step, ..., last
  int decimals = 0;            // decimals a label needs to tell ticks apart
};
Ticks nice_ticks(double lo, double hi, int target = 5);

// A tick label with `decimals` decimals, never "-0".
std::string tick_label(double value, int decimals);
// The labels of one axis, in one notation for the whole axis: thousands as "12k" or millions
// as "2.5M" when every tick is a whole number of them and the largest reaches 10k (1M), so
// that labels stay short on narrow axes without mixing "8000" and "10k".
std::vector<std::string> tick_labels(const Ticks& ticks);

// A value for a tooltip or a cell: up to `decimals` decimals, trailing zeros kept off.
std::string value_label(double value, int decimals);

}  // namespace crmkit::plots
