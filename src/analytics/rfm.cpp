// RFM measures and scores (pure). Definitions: crmkit/rfm.hpp and docs/VALUE.md.
#include "analytics/rfm.hpp"

#include <algorithm>
#include <cmath>
#include <map>
#include <numeric>

#include <fmt/format.h>

#include "crmkit/error.hpp"

namespace crmkit {

std::vector<RfmMeasures> rfm_measures(const std::vector<RfmPurchase>& purchases, Instant as_of,
                                      RfmFrequency frequency) {
  // Sort indexes by (customer, time) once, then one pass per customer.
  std::vector<std::size_t> order;
  order.reserve(purchases.size());
  for (std::size_t i = 0; i < purchases.size(); ++i) {
    if (purchases[i].occurred_at < as_of) order.push_back(i);
    if (!std::isfinite(purchases[i].amount))
      throw Error(Errc::invalid_argument, fmt::format("purchase {} amount is not a finite number", i));
  }
  std::sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
    const auto& x = purchases[a];
    const auto& y = purchases[b];
    return x.customer_id != y.customer_id ? x.customer_id < y.customer_id : x.occurred_at < y.occurred_at;
  });
  const Day as_of_day = day_of(as_of - 1);
  std::vector<RfmMeasures> out;
  for (std::size_t k = 0; k < order.size();) {
    const std::int64_t id = purchases[order[k]].customer_id;
    RfmMeasures m;
    m.customer_id = id;
    Day last_day = 0;
    bool first = true;
    for (; k < order.size() && purchases[order[k]].customer_id == id; ++k) {
      const auto& p = purchases[order[k]];
      Day d = day_of(p.occurred_at);
      if (frequency == RfmFrequency::orders || first || d != last_day) ++m.frequency;
      last_day = d;
      first = false;
      m.monetary += p.amount;
    }
    m.recency_days = as_of_day - last_day;
    out.push_back(m);
  }
  return out;
}

namespace analytics {

double r_quantile7(const std::vector<double>& x, double p) {
  const std::size_t n = x.size();
  const double index = 1 + static_cast<double>(n - 1) * p;  // R's 1-based index
  const double lo = std::floor(index);
  const double hi = std::ceil(index);
  double qs = x[static_cast<std::size_t>(lo) - 1];
  const double xhi = x[static_cast<std::size_t>(hi) - 1];
  if (index > lo && xhi != qs) {
    const double h = index - lo;
    qs = (1 - h) * qs + h * xhi;
  }
  return qs;
}

double numpy_quantile(const std::vector<double>& x, double q) {
  const double n = static_cast<double>(x.size());
  const double virtual_index = n * q + (1 + q * (1 - 1 - 1)) - 1;  // alpha = beta = 1
  double prev = std::floor(virtual_index);
  const double gamma = virtual_index - prev;
  double next = prev + 1;
  const double last = n - 1;
  prev = std::clamp(prev, 0.0, last);
  next = std::clamp(next, 0.0, last);
  const double a = x[static_cast<std::size_t>(prev)];
  const double b = x[static_cast<std::size_t>(next)];
  const double diff = b - a;
  return gamma >= 0.5 ? b - diff * (1 - gamma) : a + diff * gamma;
}

namespace {

double probability(int k, int bins) { return k == bins ? 1.0 : k * (1.0 / bins); }

// Index order of (value, id) ascending. The keys are sorted as one contiguous array: sorting
// indices that point into two vectors spent most of its time on cache misses.
std::vector<std::size_t> rank_order(const std::vector<double>& v, const std::vector<std::int64_t>& ids) {
  struct Key {
    double value;
    std::int64_t id;
    std::size_t at;
  };
  std::vector<Key> keys(v.size());
  for (std::size_t i = 0; i < v.size(); ++i) keys[i] = Key{v[i], ids[i], i};
  std::sort(keys.begin(), keys.end(),
            [](const Key& a, const Key& b) { return a.value != b.value ? a.value < b.value : a.id < b.id; });
  std::vector<std::size_t> order(v.size());
  for (std::size_t i = 0; i < keys.size(); ++i) order[i] = keys[i].at;
  return order;
}

std::vector<int> ntile(const std::vector<double>& v, const std::vector<std::int64_t>& ids, int bins) {
  const auto order = rank_order(v, ids);
  const std::size_t n = v.size();
  const std::size_t b = static_cast<std::size_t>(bins);
  const std::size_t base = n / b, extra = n % b;
  std::vector<int> out(n);
  std::size_t pos = 0;
  for (std::size_t bucket = 0; bucket < b && pos < n; ++bucket) {
    std::size_t size = base + (bucket < extra ? 1 : 0);
    for (std::size_t j = 0; j < size; ++j) out[order[pos++]] = static_cast<int>(bucket) + 1;
  }
  return out;
}

// 1 + the number of cut points <= x.
int count_score(const std::vector<double>& cuts, double x) {
  return 1 + static_cast<int>(std::upper_bound(cuts.begin(), cuts.end(), x) - cuts.begin());
}

std::vector<int> qcut(const std::vector<double>& v, const std::vector<std::int64_t>& ids, int bins,
                      bool by_rank) {
  const std::size_t n = v.size();
  std::vector<double> sorted(v);
  std::sort(sorted.begin(), sorted.end());
  auto edges_of = [&](const std::vector<double>& s) {
    std::vector<double> e(static_cast<std::size_t>(bins) + 1);
    for (int k = 0; k <= bins; ++k) e[static_cast<std::size_t>(k)] = numpy_quantile(s, probability(k, bins));
    return e;
  };
  auto edges = edges_of(sorted);
  std::vector<double> values = v;
  if (by_rank || std::adjacent_find(edges.begin(), edges.end()) != edges.end()) {
    // pandas would raise on duplicate edges; cut the rank order instead (rank(method="first")).
    const auto order = rank_order(v, ids);
    for (std::size_t r = 0; r < n; ++r) values[order[r]] = static_cast<double>(r + 1);
    for (std::size_t r = 0; r < n; ++r) sorted[r] = static_cast<double>(r + 1);
    edges = edges_of(sorted);
  }
  std::vector<int> out(n);
  for (std::size_t i = 0; i < n; ++i) {
    // Right-closed bins (e[i-1], e[i]]; the lowest edge belongs to bin 1 (include_lowest).
    auto it = std::lower_bound(edges.begin(), edges.end(), values[i]);
    int idx = static_cast<int>(it - edges.begin());
    out[i] = std::clamp(idx, 1, bins);
  }
  return out;
}

void check_cuts(const std::vector<double>& cuts, const char* measure) {
  if (cuts.size() > 8)
    throw Error(Errc::invalid_argument,
                fmt::format("{} has {} custom cut points; at most 8 (scores 1..9)", measure, cuts.size()));
  for (std::size_t i = 0; i < cuts.size(); ++i) {
    if (!std::isfinite(cuts[i]))
      throw Error(Errc::invalid_argument, fmt::format("{} cut point {} is not a finite number", measure, i + 1));
    if (i > 0 && !(cuts[i - 1] < cuts[i]))
      throw Error(Errc::invalid_argument,
                  fmt::format("{} cut points must be strictly ascending ({} then {})", measure, cuts[i - 1], cuts[i]));
  }
}

}  // namespace

std::vector<int> score_measure(const std::vector<double>& values, const std::vector<std::int64_t>& ids,
                               RfmMethod method, int bins, const std::vector<double>& cuts, const char* measure,
                               bool qcut_by_rank) {
  std::vector<int> out(values.size());
  if (method == RfmMethod::custom) {
    check_cuts(cuts, measure);
    for (std::size_t i = 0; i < values.size(); ++i) out[i] = count_score(cuts, values[i]);
    return out;
  }
  if (values.empty()) return out;
  switch (method) {
    case RfmMethod::ntile: return ntile(values, ids, bins);
    case RfmMethod::qcut: return qcut(values, ids, bins, qcut_by_rank);
    case RfmMethod::quantile: {
      const auto c = rfm_quantile_cuts(values, bins);
      for (std::size_t i = 0; i < values.size(); ++i) out[i] = count_score(c, values[i]);
      return out;
    }
    case RfmMethod::custom: break;
  }
  return out;
}

}  // namespace analytics

std::vector<double> rfm_quantile_cuts(std::vector<double> values, int bins) {
  if (bins < 1 || bins > 9)
    throw Error(Errc::invalid_argument, fmt::format("bins {} is out of range 1..9", bins));
  std::vector<double> cuts;
  if (values.empty()) return cuts;
  std::sort(values.begin(), values.end());
  for (int k = 1; k < bins; ++k) cuts.push_back(analytics::r_quantile7(values, analytics::probability(k, bins)) + 1);
  return cuts;
}

std::vector<RfmScore> score_rfm(const std::vector<RfmMeasures>& measures, const RfmScoring& scoring) {
  if (scoring.method != RfmMethod::custom && (scoring.bins < 1 || scoring.bins > 9))
    throw Error(Errc::invalid_argument, fmt::format("bins {} is out of range 1..9", scoring.bins));
  const std::size_t n = measures.size();
  std::vector<double> r(n), f(n), m(n);
  std::vector<std::int64_t> ids(n);
  for (std::size_t i = 0; i < n; ++i) {
    const auto& x = measures[i];
    if (!std::isfinite(x.monetary))
      throw Error(Errc::invalid_argument,
                  fmt::format("monetary of customer {} is not a finite number", x.customer_id));
    if (x.recency_days < 0 || x.frequency < 0)
      throw Error(Errc::invalid_argument,
                  fmt::format("customer {} has negative recency or frequency", x.customer_id));
    r[i] = static_cast<double>(x.recency_days);
    f[i] = static_cast<double>(x.frequency);
    m[i] = x.monetary;
    ids[i] = x.customer_id;
  }
  const auto& c = scoring.cuts;
  auto rs = analytics::score_measure(r, ids, scoring.method, scoring.bins, c.recency, "recency");
  auto fs = analytics::score_measure(f, ids, scoring.method, scoring.bins, c.frequency, "frequency", true);
  auto ms = analytics::score_measure(m, ids, scoring.method, scoring.bins, c.monetary, "monetary");
  // Recency is reversed: the most recent customers get the top score.
  const int r_levels = scoring.method == RfmMethod::custom ? static_cast<int>(c.recency.size()) + 1 : scoring.bins;
  std::vector<RfmScore> out(n);
  for (std::size_t i = 0; i < n; ++i) out[i] = RfmScore{r_levels + 1 - rs[i], fs[i], ms[i]};
  return out;
}

std::vector<SegmentSummary> summarize_segments(const std::vector<RfmMeasures>& measures,
                                               const std::vector<std::string>& segments) {
  if (measures.size() != segments.size())
    throw Error(Errc::invalid_argument, "summarize_segments: measures and segments differ in length");
  std::map<std::string, SegmentSummary> by;
  for (std::size_t i = 0; i < measures.size(); ++i) {
    auto& s = by[segments[i]];
    if (s.customers == 0) s.segment = segments[i];
    s.customers += 1;
    s.orders += measures[i].frequency;
    s.revenue += measures[i].monetary;
  }
  std::vector<SegmentSummary> out;
  for (auto& kv : by) out.push_back(std::move(kv.second));
  std::stable_sort(out.begin(), out.end(),
                   [](const SegmentSummary& a, const SegmentSummary& b) { return a.customers > b.customers; });
  return out;
}

}  // namespace crmkit
