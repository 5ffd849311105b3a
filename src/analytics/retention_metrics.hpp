// Retention, churn, repeat-purchase and cohort figures on compact per-customer arrays.
// Pure: no SQL, no clock. Definitions: docs/LOYALTY_METRICS.md and shared METRICS.md §3.2.
#pragma once

#include <cstdint>
#include <optional>
#include <vector>

#include "crmkit/time.hpp"

namespace crmkit::analytics {

struct RetentionFigures {
  std::int64_t start = 0, end = 0, new_customers = 0, retained = 0, churned = 0;
  std::optional<double> retention_rate;          // retained / start
  std::optional<double> classic_retention_rate;  // (end − new) / start
  std::optional<double> churn_rate;              // churned / start
  std::optional<double> expected_lifetime;       // 1 / churn_rate, periods
};

// start, end: ids of customers active at the period's start and end, sorted, unique.
// The intersection is taken on ids, so a customer who left and a different one who arrived
// never cancel out (which the classic (E − N)/S form cannot tell apart).
RetentionFigures retention_figures(const std::vector<std::int64_t>& start,
                                   const std::vector<std::int64_t>& end, std::int64_t new_customers);

struct RepeatFigures {
  std::int64_t purchasers = 0, repeat_purchasers = 0, orders = 0;
  std::optional<double> repeat_purchase_rate;    // customers with >= 2 orders / with >= 1
  std::optional<double> purchase_frequency;      // orders / customers with >= 1
};

// One entry per customer: their number of orders in the window (zeros are ignored).
RepeatFigures repeat_figures(const std::vector<std::int64_t>& orders_per_customer);

// revenue / orders; undefined when orders = 0.
std::optional<double> average_order_value(double revenue, std::int64_t orders);

// Calendar periods as integers: months since 1970-01; Monday-start weeks (week 0 starts on
// Monday 1969-12-29).
std::int64_t month_index(Day day) noexcept;
Day month_start(std::int64_t month) noexcept;
std::int64_t week_index(Day day) noexcept;
Day week_start(std::int64_t week) noexcept;

// Per customer: the period of the first purchase and the distinct periods with a purchase,
// in compressed rows: customer i's periods are periods[begin[i] .. begin[i+1]), sorted.
struct CohortCustomers {
  std::vector<std::int64_t> cohort;
  std::vector<std::uint32_t> begin{0};
  std::vector<std::int64_t> periods;
  void add(std::int64_t first_period, const std::int64_t* p, std::size_t n);
  std::size_t size() const noexcept { return cohort.size(); }
};

struct CohortCells {
  std::int64_t cohort = 0;                         // period index
  std::int64_t size = 0;
  std::vector<std::int64_t> counts;                // per k
  std::vector<std::optional<double>> retention;    // counts/size; nullopt when cohort+k > last
};

// cell(c, k) = customers of cohort c with a purchase in period c+k (unbounded: in c+k or
// later) / size of c; k = 0 is 1.0 by construction. Columns whose period is after
// last_period are not observable: nullopt. Rows ordered by cohort.
std::vector<CohortCells> cohort_matrix(const CohortCustomers& customers, int periods, bool unbounded,
                                       std::int64_t last_period);

}  // namespace crmkit::analytics
