// RFM internals: quantile definitions and a segment map compiled to a lookup table.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <vector>

#include "crmkit/rfm.hpp"

namespace crmkit::analytics {

// R's quantile(x, p, type = 7) on sorted values, with R's arithmetic ((1-h) x_lo + h x_hi) so
// that cut points agree bit for bit with the R package.
double r_quantile7(const std::vector<double>& sorted, double p);

// numpy.quantile(x, p, method="linear") on sorted values (pandas qcut's edges), with numpy's
// virtual-index and interpolation arithmetic.
double numpy_quantile(const std::vector<double>& sorted, double p);

// Scores of one measure (1..bins ascending in value) under a method; the caller reverses
// recency. ids break ties for ntile and qcut's rank order; qcut_by_rank cuts the rank order
// (value, id) instead of the values (pandas qcut(x.rank(method="first"))).
std::vector<int> score_measure(const std::vector<double>& values, const std::vector<std::int64_t>& ids,
                               RfmMethod method, int bins, const std::vector<double>& cuts,
                               const char* measure, bool qcut_by_rank = false);

// A validated map compiled to a 10x10x10 table of segment indexes (scores are 1..9), so
// assigning a million customers is one array read each.
class CompiledSegmentMap {
 public:
  explicit CompiledSegmentMap(const SegmentMap& map);
  // Index into names(); scores outside 0..9 give the unmatched name.
  int index(const RfmScore& s) const noexcept {
    if (s.r < 0 || s.r > 9 || s.f < 0 || s.f > 9 || s.m < 0 || s.m > 9) return unmatched_;
    return table_[static_cast<std::size_t>(100 * s.r + 10 * s.f + s.m)];
  }
  const std::string& name(const RfmScore& s) const noexcept { return names_[static_cast<std::size_t>(index(s))]; }
  const std::vector<std::string>& names() const noexcept { return names_; }

 private:
  std::vector<std::string> names_;  // distinct segment names in map order, unmatched last
  std::array<int, 1000> table_{};
  int unmatched_ = 0;
};

}  // namespace crmkit::analytics
