// Survey metrics (NPS, CSAT, CES) on score histograms. Pure: counts in, figures out.
// Formulas and their sources: docs/LOYALTY_METRICS.md and shared METRICS.md §3.1.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <vector>

namespace crmkit::analytics {

// counts[s] = number of responses with score s.
using NpsCounts = std::array<std::int64_t, 11>;   // 0..10
using CsatCounts = std::array<std::int64_t, 6>;   // 1..5 (index 0 unused)
using CesCounts = std::array<std::int64_t, 8>;    // 1..7 (index 0 unused)

struct NpsFigures {
  std::int64_t n = 0, promoters = 0, passives = 0, detractors = 0;
  std::optional<double> nps;             // points, −100..100; undefined for n = 0
  std::optional<double> standard_error;  // points; undefined for n < 2
  std::optional<double> ci_low, ci_high; // nps ∓ z·SE, clamped to [−100, 100]
};

struct CsatFigures {
  std::int64_t n = 0, satisfied = 0;
  std::optional<double> csat_percent;    // 100·count(4..5)/n
  std::optional<double> mean_score;
};

struct CesFigures {
  std::int64_t n = 0, low = 0, agree = 0, high = 0;
  std::optional<double> mean_score;      // CES 2.0 default
  std::optional<double> index;           // %(6..7) − %(1..3)
  std::optional<double> percent_agree;   // %(5..7)
};

// The two-sided normal quantile z for a confidence level in (0, 1) (0.95 -> 1.959964).
// Throws Error(invalid_argument) outside (0, 1).
double normal_z(double confidence);

NpsFigures nps_from_counts(const NpsCounts& counts, double confidence = 0.95);
CsatFigures csat_from_counts(const CsatCounts& counts);
CesFigures ces_from_counts(const CesCounts& counts);

// Raw scores: values that are NaN, not integers or outside the kind's range are excluded
// (as CRAN NPS::nps omits NA), never counted as zeros.
NpsCounts nps_counts(const std::vector<double>& scores);
CsatCounts csat_counts(const std::vector<double>& scores);
CesCounts ces_counts(const std::vector<double>& scores);

}  // namespace crmkit::analytics
