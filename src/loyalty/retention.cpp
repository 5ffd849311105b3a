// Retention and cohort figures from purchase interactions. One ordered scan over purchases and
// refunds (the interactions_timeline index) reduces them to per-customer arrays; the figures
// themselves come from analytics/retention_metrics.
#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <cmath>
#include <limits>

#include "analytics/retention_metrics.hpp"
#include "base/text.hpp"
#include "crmkit/money.hpp"
#include "crmkit/retention.hpp"
#include "loyalty/bounds.hpp"
#include "store/connection.hpp"

namespace crmkit {

namespace {

constexpr std::int64_t kMin = std::numeric_limits<std::int64_t>::min();

std::int64_t saturating_sub(std::int64_t a, std::int64_t b) { return a < kMin + b ? kMin : a - b; }

nlohmann::json opt(const std::optional<double>& v) { return v ? nlohmann::json(*v) : nlohmann::json(nullptr); }

}  // namespace

RetentionResult RetentionMetrics::retention(const RetentionQuery& q) {
  return detail::guard([&] {
    loyalty::check_bound("from", q.from);
    loyalty::check_bound("to", q.to);
    if (!(q.from < q.to)) throw Error(Errc::invalid_argument, "period is empty: from must be before to");
    if (q.active_days < 1 || q.active_days > 36'500)
      throw Error(Errc::invalid_argument, fmt::format("active_days {} is out of range 1..36500", q.active_days));
    if (!(q.p_alive_threshold >= 0.0 && q.p_alive_threshold <= 1.0))
      throw Error(Errc::invalid_argument, "p_alive_threshold must be within [0, 1]");
    std::string currency = q.currency ? *q.currency : store_.default_currency();
    if (!is_currency_code(currency))
      throw Error(Errc::invalid_argument,
                  fmt::format("currency {} is not an ISO 4217 currency code", detail::printable(currency)));
    auto& c = detail::connection_of(store_);
    if (q.activity == ActivityRule::p_alive) {
      auto& any = c.prepare("SELECT EXISTS (SELECT 1 FROM customer_scores WHERE p_alive IS NOT NULL)");
      detail::StatementReset done(any);
      any.executeStep();
      if (any.getColumn(0).getInt() == 0)
        throw Error(Errc::not_found, "activity p_alive needs P(alive) scores: fit a model and score customers first");
    }

    const std::int64_t window = static_cast<std::int64_t>(q.active_days) * kMillisPerDay;
    const Instant start_lo = saturating_sub(q.from, window), end_lo = saturating_sub(q.to, window);
    const bool per_day = q.order_unit == OrderUnit::customer_day;

    std::vector<std::int64_t> start_ids, end_ids, orders, first_before_to;
    std::int64_t new_customers = 0, currency_orders = 0;
    // Across customers: each one's totals fit int64 (checked when recorded), their sum need not.
    MoneySum revenue = 0;

    auto& s = c.prepare(
        "SELECT customer_id, occurred_at, kind = 'purchase', amount, currency FROM interactions "
        "WHERE kind IN ('purchase', 'refund') ORDER BY customer_id, occurred_at, id");
    detail::StatementReset reset_s(s);
    // Per-customer state, flushed when the customer id changes.
    std::int64_t cur = 0;
    bool any = false, active_start = false, active_end = false, has_purchase = false;
    Instant first = 0;
    std::int64_t n_orders = 0;
    Day last_day = 0, last_cur_day = 0;
    bool seen_day = false, seen_cur_day = false;
    auto flush = [&] {
      if (!any) return;
      if (active_start) start_ids.push_back(cur);
      if (has_purchase && first < q.to) first_before_to.push_back(cur);
      if (q.activity == ActivityRule::recent_purchase && active_end) end_ids.push_back(cur);
      if (has_purchase && first >= q.from && first < q.to) ++new_customers;
      if (n_orders > 0) orders.push_back(n_orders);
    };
    while (s.executeStep()) {
      std::int64_t id = s.getColumn(0).getInt64();
      Instant t = s.getColumn(1).getInt64();
      bool purchase = s.getColumn(2).getInt() != 0;
      if (!any || id != cur) {
        flush();
        cur = id;
        any = true;
        active_start = active_end = has_purchase = seen_day = seen_cur_day = false;
        n_orders = 0;
      }
      bool in_period = t >= q.from && t < q.to;
      bool in_currency = s.getColumn(4).getText() == currency;  // NOLINT: short codes, exact match
      if (purchase) {
        if (!has_purchase) { first = t; has_purchase = true; }
        if (t >= start_lo && t < q.from) active_start = true;
        if (t >= end_lo && t < q.to) active_end = true;
        if (in_period) {
          Day d = day_of(t);
          if (!per_day || !seen_day || d != last_day) ++n_orders;
          seen_day = true;
          last_day = d;
          if (in_currency) {
            revenue += s.getColumn(3).getInt64();
            if (!per_day || !seen_cur_day || d != last_cur_day) ++currency_orders;
            seen_cur_day = true;
            last_cur_day = d;
          }
        }
      } else if (in_period && in_currency && q.revenue == RevenueBasis::net) {
        revenue += s.getColumn(3).getInt64();
      }
    }
    flush();

    if (q.activity == ActivityRule::p_alive) {
      // Alive customers that had become customers before the period's end, by id.
      auto& a = c.prepare("SELECT customer_id FROM customer_scores WHERE p_alive >= ? ORDER BY customer_id");
      detail::StatementReset reset_a(a);
      detail::bind_all(a, q.p_alive_threshold);
      std::vector<std::int64_t> alive;
      while (a.executeStep()) alive.push_back(a.getColumn(0).getInt64());
      alive.erase(std::unique(alive.begin(), alive.end()), alive.end());
      std::set_intersection(alive.begin(), alive.end(), first_before_to.begin(), first_before_to.end(),
                            std::back_inserter(end_ids));
    }

    auto rf = analytics::retention_figures(start_ids, end_ids, new_customers);
    auto pf = analytics::repeat_figures(orders);
    RetentionResult r;
    r.from = q.from;
    r.to = q.to;
    r.active_at_start = rf.start;
    r.active_at_end = rf.end;
    r.new_customers = rf.new_customers;
    r.retained = rf.retained;
    r.churned = rf.churned;
    r.retention_rate = rf.retention_rate;
    r.classic_retention_rate = rf.classic_retention_rate;
    r.churn_rate = rf.churn_rate;
    r.expected_lifetime_periods = rf.expected_lifetime;
    r.purchasers = pf.purchasers;
    r.repeat_purchasers = pf.repeat_purchasers;
    r.orders = pf.orders;
    r.repeat_purchase_rate = pf.repeat_purchase_rate;
    r.purchase_frequency = pf.purchase_frequency;
    r.currency = currency;
    r.revenue_minor = revenue;
    r.currency_orders = currency_orders;
    r.average_order_value = analytics::average_order_value(
        static_cast<double>(revenue) / std::pow(10.0, currency_exponent(currency)), currency_orders);
    return r;
  });
}

CohortMatrix RetentionMetrics::cohorts(const CohortQuery& q) {
  return detail::guard([&] {
    if (q.periods < 1 || q.periods > 1000)
      throw Error(Errc::invalid_argument, fmt::format("periods {} is out of range 1..1000", q.periods));
    if (q.from && q.to && *q.from >= *q.to) throw Error(Errc::invalid_argument, "from must be before to");
    if (q.from) loyalty::check_bound("from", *q.from);
    if (q.to) loyalty::check_bound("to", *q.to);
    if (q.as_of) loyalty::check_bound("as_of", *q.as_of);
    const bool weekly = q.by == CohortPeriod::week;
    auto period_of = [&](Instant t) {
      Day d = day_of(t);
      return weekly ? analytics::week_index(d) : analytics::month_index(d);
    };
    auto& c = detail::connection_of(store_);
    auto& s = c.prepare("SELECT customer_id, occurred_at FROM interactions WHERE kind = 'purchase' "
                        "ORDER BY customer_id, occurred_at");
    detail::StatementReset reset_s(s);
    analytics::CohortCustomers customers;
    std::vector<std::int64_t> periods;  // reused per customer: no per-row allocation
    std::int64_t cur = 0;
    bool any = false;
    Instant first = 0, latest = kMin;
    auto flush = [&] {
      if (!any) return;
      if ((!q.from || first >= *q.from) && (!q.to || first < *q.to))
        customers.add(periods.front(), periods.data(), periods.size());
    };
    while (s.executeStep()) {
      std::int64_t id = s.getColumn(0).getInt64();
      Instant t = s.getColumn(1).getInt64();
      latest = std::max(latest, t);
      if (!any || id != cur) {
        flush();
        any = true;
        cur = id;
        first = t;
        periods.clear();
      }
      std::int64_t p = period_of(t);
      if (periods.empty() || periods.back() != p) periods.push_back(p);
    }
    flush();

    CohortMatrix m;
    m.by = q.by;
    m.unbounded = q.unbounded;
    m.periods = q.periods;
    if (!any) return m;
    // Default: the period of the last purchase (its day's end is never in a later period).
    std::int64_t last_period = period_of(q.as_of ? *q.as_of - 1 : latest);
    for (auto& cells : analytics::cohort_matrix(customers, q.periods, q.unbounded, last_period)) {
      CohortRow row;
      Day start = weekly ? analytics::week_start(cells.cohort) : analytics::month_start(cells.cohort);
      CivilDate d = civil_from_day(start);
      row.cohort = weekly ? format_date(start) : fmt::format("{:04}-{:02}", d.year, d.month);
      row.start = start_of_day(start);
      row.size = cells.size;
      row.counts = std::move(cells.counts);
      row.retention = std::move(cells.retention);
      m.rows.push_back(std::move(row));
    }
    return m;
  });
}

std::string RetentionMetrics::retention_json(const RetentionQuery& q) {
  RetentionResult r = retention(q);
  nlohmann::json j{
      {"from", r.from},
      {"to", r.to},
      {"activity", to_string(q.activity)},
      {"active_days", q.active_days},
      {"order_unit", to_string(q.order_unit)},
      {"revenue_basis", to_string(q.revenue)},
      {"active_at_start", r.active_at_start},
      {"active_at_end", r.active_at_end},
      {"new_customers", r.new_customers},
      {"retained", r.retained},
      {"churned", r.churned},
      {"retention_rate", opt(r.retention_rate)},
      {"classic_retention_rate", opt(r.classic_retention_rate)},
      {"churn_rate", opt(r.churn_rate)},
      {"expected_lifetime_periods", opt(r.expected_lifetime_periods)},
      {"purchasers", r.purchasers},
      {"repeat_purchasers", r.repeat_purchasers},
      {"orders", r.orders},
      {"repeat_purchase_rate", opt(r.repeat_purchase_rate)},
      {"purchase_frequency", opt(r.purchase_frequency)},
      {"currency", r.currency},
      {"revenue", format_amount_sum(r.revenue_minor, r.currency)},
      {"revenue_minor", nullptr},  // below: an integer of as many digits as it needs
      {"currency_orders", r.currency_orders},
      {"average_order_value", opt(r.average_order_value)},
  };
  if (q.activity == ActivityRule::p_alive) j["p_alive_threshold"] = q.p_alive_threshold;
  // nlohmann's numbers stop at 64 bits; JSON's do not, and the exact form is an integer.
  std::string text = j.dump();
  const std::string slot = "\"revenue_minor\":null";
  text.replace(text.find(slot), slot.size(), fmt::format("\"revenue_minor\":{}", r.revenue_minor));
  return text;
}

std::string RetentionMetrics::cohorts_json(const CohortQuery& q) {
  CohortMatrix m = cohorts(q);
  nlohmann::json j{{"by", to_string(m.by)}, {"unbounded", m.unbounded}, {"periods", m.periods}};
  j["cohorts"] = nlohmann::json::array();
  for (const auto& r : m.rows) {
    nlohmann::json cells = nlohmann::json::array();
    for (const auto& v : r.retention) cells.push_back(opt(v));
    j["cohorts"].push_back(
        {{"cohort", r.cohort}, {"start", r.start}, {"size", r.size}, {"counts", r.counts}, {"retention", cells}});
  }
  return j.dump();
}

}  // namespace crmkit
