#include "analytics/retention_metrics.hpp"

#include <algorithm>
#include <map>

#include "crmkit/error.hpp"

namespace crmkit::analytics {

RetentionFigures retention_figures(const std::vector<std::int64_t>& start,
                                   const std::vector<std::int64_t>& end, std::int64_t new_customers) {
  if (new_customers < 0) throw Error(Errc::invalid_argument, "new_customers must be >= 0");
  RetentionFigures f;
  f.start = static_cast<std::int64_t>(start.size());
  f.end = static_cast<std::int64_t>(end.size());
  f.new_customers = new_customers;
  // Sorted merge: O(S + E), no allocation.
  auto a = start.begin(), b = end.begin();
  while (a != start.end() && b != end.end()) {
    if (*a < *b) ++a;
    else if (*b < *a) ++b;
    else { ++f.retained; ++a; ++b; }
  }
  f.churned = f.start - f.retained;
  if (f.start == 0) return f;
  double s = static_cast<double>(f.start);
  f.retention_rate = f.retained / s;
  f.classic_retention_rate = (f.end - f.new_customers) / s;
  f.churn_rate = f.churned / s;
  if (f.churned > 0) f.expected_lifetime = s / f.churned;
  return f;
}

RepeatFigures repeat_figures(const std::vector<std::int64_t>& orders_per_customer) {
  RepeatFigures f;
  for (std::int64_t n : orders_per_customer) {
    if (n <= 0) continue;
    ++f.purchasers;
    if (n >= 2) ++f.repeat_purchasers;
    f.orders += n;
  }
  if (f.purchasers == 0) return f;
  f.repeat_purchase_rate = static_cast<double>(f.repeat_purchasers) / f.purchasers;
  f.purchase_frequency = static_cast<double>(f.orders) / f.purchasers;
  return f;
}

std::optional<double> average_order_value(double revenue, std::int64_t orders) {
  if (orders <= 0) return std::nullopt;
  return revenue / static_cast<double>(orders);
}

std::int64_t month_index(Day day) noexcept {
  CivilDate d = civil_from_day(day);
  return (static_cast<std::int64_t>(d.year) - 1970) * 12 + (d.month - 1);
}

Day month_start(std::int64_t month) noexcept {
  std::int64_t y = 1970 + (month >= 0 ? month / 12 : -((-month + 11) / 12));
  int m = static_cast<int>(month - (y - 1970) * 12) + 1;
  return day_from_civil({static_cast<int>(y), m, 1});
}

// Day 0 (1970-01-01) is a Thursday; shifting by 3 makes Mondays multiples of 7.
std::int64_t week_index(Day day) noexcept {
  std::int64_t x = day + 3;
  return x >= 0 ? x / 7 : -((-x + 6) / 7);
}
Day week_start(std::int64_t week) noexcept { return week * 7 - 3; }

void CohortCustomers::add(std::int64_t first_period, const std::int64_t* p, std::size_t n) {
  cohort.push_back(first_period);
  periods.insert(periods.end(), p, p + n);
  begin.push_back(static_cast<std::uint32_t>(periods.size()));
}

std::vector<CohortCells> cohort_matrix(const CohortCustomers& customers, int periods, bool unbounded,
                                       std::int64_t last_period) {
  if (periods < 1) throw Error(Errc::invalid_argument, "periods must be >= 1");
  std::map<std::int64_t, CohortCells> rows;
  for (std::size_t i = 0; i < customers.size(); ++i) {
    std::int64_t c = customers.cohort[i];
    auto [it, fresh] = rows.try_emplace(c);
    CohortCells& row = it->second;
    if (fresh) {
      row.cohort = c;
      row.counts.assign(static_cast<std::size_t>(periods), 0);
    }
    ++row.size;
    const std::int64_t* first = customers.periods.data() + customers.begin[i];
    const std::int64_t* last = customers.periods.data() + customers.begin[i + 1];
    if (unbounded) {
      // Active in c+k or later for every k up to the latest period with a purchase.
      std::int64_t latest = first == last ? c : std::max(c, *(last - 1));
      std::int64_t kmax = std::min<std::int64_t>(latest - c, periods - 1);
      for (std::int64_t k = 0; k <= kmax; ++k) ++row.counts[static_cast<std::size_t>(k)];
    } else {
      for (const std::int64_t* p = first; p != last; ++p) {
        std::int64_t k = *p - c;
        if (k >= 0 && k < periods) ++row.counts[static_cast<std::size_t>(k)];
      }
    }
  }
  std::vector<CohortCells> out;
  out.reserve(rows.size());
  for (auto& [c, row] : rows) {
    row.retention.resize(static_cast<std::size_t>(periods));
    for (int k = 0; k < periods; ++k) {
      if (c + k > last_period) {
        row.counts[static_cast<std::size_t>(k)] = 0;
        continue;  // not observable yet
      }
      row.retention[static_cast<std::size_t>(k)] =
          static_cast<double>(row.counts[static_cast<std::size_t>(k)]) / static_cast<double>(row.size);
    }
    out.push_back(std::move(row));
  }
  return out;
}

}  // namespace crmkit::analytics
