// crmkit/retention.hpp: retention, churn, repeat-purchase figures and cohort retention
// matrices computed from purchase interactions. Definitions: docs/LOYALTY_METRICS.md.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "crmkit/money.hpp"
#include "crmkit/store.hpp"
#include "crmkit/time.hpp"

namespace crmkit {

// When a customer counts as active at an instant t.
//  recent_purchase: a purchase at p with t − active_days·1 day <= p < t.
//  p_alive: the value area's customer_scores.p_alive >= p_alive_threshold. Scores are one
//    snapshot (the latest scoring), so they describe the END of the period only; activity at
//    the start still uses the recent_purchase rule. Requires the customer_scores table.
enum class ActivityRule { recent_purchase, p_alive };
// order: one purchase interaction, or all purchases of a customer on one UTC day.
enum class OrderUnit { purchase, customer_day };
// gross: purchase amounts; net: purchase amounts plus refund amounts (refunds are <= 0) of
// the same period. Refunds are never orders.
enum class RevenueBasis { gross, net };

const char* to_string(ActivityRule r) noexcept;
const char* to_string(OrderUnit u) noexcept;
const char* to_string(RevenueBasis b) noexcept;
ActivityRule parse_activity_rule(const std::string& text, const char* field = "activity");
OrderUnit parse_order_unit(const std::string& text, const char* field = "order_unit");
RevenueBasis parse_revenue_basis(const std::string& text, const char* field = "revenue");

struct RetentionQuery {
  Instant from = 0;                      // period [from, to); from < to
  Instant to = 0;
  ActivityRule activity = ActivityRule::recent_purchase;
  int active_days = 90;                  // k for recent_purchase, >= 1
  double p_alive_threshold = 0.5;        // for p_alive, in [0, 1]
  OrderUnit order_unit = OrderUnit::customer_day;
  RevenueBasis revenue = RevenueBasis::gross;
  std::optional<std::string> currency;   // revenue currency (default: the store's default)
};

// Undefined values (zero denominators) are std::nullopt.
struct RetentionResult {
  Instant from = 0, to = 0;
  // The query's rules, as the figures were computed with them.
  ActivityRule activity = ActivityRule::recent_purchase;
  int active_days = 90;
  double p_alive_threshold = 0.5;        // used (and written to JSON) with p_alive only
  OrderUnit order_unit = OrderUnit::customer_day;
  RevenueBasis revenue_basis = RevenueBasis::gross;
  std::int64_t active_at_start = 0;      // S
  std::int64_t active_at_end = 0;        // E
  std::int64_t new_customers = 0;        // N: first purchase ever falls in [from, to)
  std::int64_t retained = 0;             // |S ∩ E| (on customer ids)
  std::int64_t churned = 0;              // |S \ E|
  std::optional<double> retention_rate;          // retained / S
  std::optional<double> classic_retention_rate;  // (E − N) / S, the widely quoted form
  std::optional<double> churn_rate;              // churned / S = 1 − retention_rate
  std::optional<double> expected_lifetime_periods;  // 1 / churn_rate (undefined at 0)
  // Purchase behaviour within [from, to):
  std::int64_t purchasers = 0;           // customers with >= 1 order
  std::int64_t repeat_purchasers = 0;    // customers with >= 2 orders
  std::int64_t orders = 0;               // in order_unit
  std::optional<double> repeat_purchase_rate;    // repeat_purchasers / purchasers
  std::optional<double> purchase_frequency;      // orders / purchasers
  std::string currency;
  MoneySum revenue_minor = 0;            // gross or net, in currency's minor units; a sum over
                                         // customers, so 128-bit (JSON: an integer of any size)
  std::int64_t currency_orders = 0;      // orders with a purchase in that currency
  std::optional<double> average_order_value;     // revenue / currency_orders, major units
};
// {"from", "to", "activity", "active_days", ..., "revenue": "12.34", "revenue_minor": 1234, ...};
// undefined values as null.
std::string to_json(const RetentionResult& result);

enum class CohortPeriod { month, week };   // calendar months; weeks start Monday (UTC)
const char* to_string(CohortPeriod p) noexcept;
CohortPeriod parse_cohort_period(const std::string& text, const char* field = "by");

struct CohortQuery {
  CohortPeriod by = CohortPeriod::month;
  int periods = 12;                      // columns k = 0 .. periods − 1, >= 1
  bool unbounded = false;                // false: purchase in exactly period c+k ("N-period");
                                         // true: purchase in period c+k or later
  std::optional<Instant> from;           // cohorts whose first purchase is >= from
  std::optional<Instant> to;             // cohorts whose first purchase is < to
  std::optional<Instant> as_of;          // last observable instant (exclusive); default: end
                                         // of the day of the last purchase
};

struct CohortRow {
  std::string cohort;                    // "1997-01" (month) or "1996-12-30" (week's Monday)
  Instant start = 0;                     // first instant of the cohort's period
  std::int64_t size = 0;                 // customers whose first purchase is in the period
  std::vector<std::int64_t> counts;      // per k; columns not yet observable are 0
  std::vector<std::optional<double>> retention;  // counts/size; nullopt when period c+k has
                                                 // not started by as_of (triangle)
};

struct CohortMatrix {
  CohortPeriod by = CohortPeriod::month;
  bool unbounded = false;
  int periods = 0;
  std::vector<CohortRow> rows;
};
// {"by", "unbounded", "periods", "cohorts": [{"cohort", "start", "size", "counts", "retention"}]}
std::string to_json(const CohortMatrix& matrix);

class RetentionMetrics {
 public:
  explicit RetentionMetrics(Store& store) : store_(store) {}
  RetentionResult retention(const RetentionQuery& query);
  CohortMatrix cohorts(const CohortQuery& query = {});

 private:
  Store store_;
};

}  // namespace crmkit
