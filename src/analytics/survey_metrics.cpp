#include "analytics/survey_metrics.hpp"

#include <boost/math/distributions/normal.hpp>

#include <algorithm>
#include <cmath>

#include "crmkit/error.hpp"

namespace crmkit::analytics {

double normal_z(double confidence) {
  if (!(confidence > 0.0 && confidence < 1.0))
    throw Error(Errc::invalid_argument, "confidence must be within (0, 1)");
  return boost::math::quantile(boost::math::normal(), 0.5 + confidence / 2.0);
}

NpsFigures nps_from_counts(const NpsCounts& c, double confidence) {
  double z = normal_z(confidence);  // validated even when n = 0: a bad level is a bad call
  NpsFigures f;
  for (int s = 0; s <= 6; ++s) f.detractors += c[s];
  f.passives = c[7] + c[8];
  f.promoters = c[9] + c[10];
  f.n = f.promoters + f.passives + f.detractors;
  if (f.n == 0) return f;
  double n = static_cast<double>(f.n);
  double pp = f.promoters / n, pd = f.detractors / n;
  f.nps = 100.0 * (pp - pd);
  if (f.n >= 2) {
    // Variance of the per-response score in {+1, 0, −1}: pP + pD − (pP − pD)².
    double var = std::max(0.0, pp + pd - (pp - pd) * (pp - pd));
    double se = 100.0 * std::sqrt(var / n);
    f.standard_error = se;
    f.ci_low = std::max(-100.0, *f.nps - z * se);
    f.ci_high = std::min(100.0, *f.nps + z * se);
  }
  return f;
}

namespace {
struct ScoreTotals {
  std::int64_t n = 0;  // responses
  double sum = 0;      // of their scores
};

// Over scores 1..N-1 of a histogram (index 0 unused), lowest score first.
template <std::size_t N>
ScoreTotals score_totals(const std::array<std::int64_t, N>& c) {
  ScoreTotals t;
  for (std::size_t s = 1; s < N; ++s) {
    t.n += c[s];
    t.sum += static_cast<double>(s) * c[s];
  }
  return t;
}
}  // namespace

CsatFigures csat_from_counts(const CsatCounts& c) {
  CsatFigures f;
  const ScoreTotals t = score_totals(c);
  f.n = t.n;
  f.satisfied = c[4] + c[5];
  if (f.n == 0) return f;
  f.csat_percent = 100.0 * f.satisfied / static_cast<double>(f.n);
  f.mean_score = t.sum / static_cast<double>(f.n);
  return f;
}

CesFigures ces_from_counts(const CesCounts& c) {
  CesFigures f;
  const ScoreTotals t = score_totals(c);
  f.n = t.n;
  f.low = c[1] + c[2] + c[3];
  f.high = c[6] + c[7];
  f.agree = c[5] + f.high;
  if (f.n == 0) return f;
  double n = static_cast<double>(f.n);
  f.mean_score = t.sum / n;
  f.index = 100.0 * (f.high - f.low) / n;
  f.percent_agree = 100.0 * f.agree / n;
  return f;
}

namespace {
template <std::size_t N>
std::array<std::int64_t, N> histogram(const std::vector<double>& scores, int lo, int hi) {
  std::array<std::int64_t, N> counts{};
  for (double s : scores) {
    if (!std::isfinite(s) || s != std::floor(s) || s < lo || s > hi) continue;
    ++counts[static_cast<std::size_t>(s)];
  }
  return counts;
}
}  // namespace

NpsCounts nps_counts(const std::vector<double>& scores) { return histogram<11>(scores, 0, 10); }
CsatCounts csat_counts(const std::vector<double>& scores) { return histogram<6>(scores, 1, 5); }
CesCounts ces_counts(const std::vector<double>& scores) { return histogram<8>(scores, 1, 7); }

}  // namespace crmkit::analytics
