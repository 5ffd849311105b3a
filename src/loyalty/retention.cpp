// Retention and cohort figures from purchase interactions. First purchases come from the kept
// per-customer figures; retention reads only the purchases of its activity windows (the
// occurred_at index) and cohorts only their customers' purchases (the timeline index), each
// reduced to per-customer arrays; the figures themselves come from analytics/retention_metrics.
#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <unordered_map>

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

    // Only the purchases that can make a customer active at the start or at the end, and the
    // refunds of the period, are read: through the occurred_at index, in time order, so that
    // each customer's days arrive in order. First purchases come from the kept figures. Memory
    // is one entry per customer with a purchase in that window.
    struct Buyer {
      bool active_start = false, active_end = false;
      std::int64_t orders = 0;
      bool seen_day = false, seen_currency_day = false;
      Day last_day = 0, last_currency_day = 0;
    };
    std::unordered_map<std::int64_t, Buyer> buyers;
    std::int64_t currency_orders = 0;
    // Across customers: each one's totals fit int64 (checked when recorded), their sum need not.
    MoneySum revenue = 0;

    auto& s = c.prepare(
        "SELECT customer_id, occurred_at, kind = 'purchase', amount, currency FROM interactions "
        "WHERE occurred_at >= ? AND occurred_at < ? AND kind IN ('purchase', 'refund') ORDER BY occurred_at");
    detail::StatementReset reset_s(s);
    detail::bind_all(s, std::min(start_lo, end_lo), q.to);
    while (s.executeStep()) {
      const Instant t = s.getColumn(1).getInt64();
      const bool in_period = t >= q.from && t < q.to;
      const bool in_currency = s.getColumn(4).getText() == currency;  // NOLINT: short codes, exact match
      if (s.getColumn(2).getInt() == 0) {
        if (in_period && in_currency && q.revenue == RevenueBasis::net) revenue += s.getColumn(3).getInt64();
        continue;
      }
      Buyer& b = buyers[s.getColumn(0).getInt64()];
      if (t >= start_lo && t < q.from) b.active_start = true;
      if (t >= end_lo) b.active_end = true;
      if (!in_period) continue;
      const Day d = day_of(t);
      if (!per_day || !b.seen_day || d != b.last_day) ++b.orders;
      b.seen_day = true;
      b.last_day = d;
      if (in_currency) {
        revenue += s.getColumn(3).getInt64();
        if (!per_day || !b.seen_currency_day || d != b.last_currency_day) ++currency_orders;
        b.seen_currency_day = true;
        b.last_currency_day = d;
      }
    }
    std::vector<std::int64_t> start_ids, end_ids, orders;
    for (const auto& [id, b] : buyers) {
      if (b.active_start) start_ids.push_back(id);
      if (q.activity == ActivityRule::recent_purchase && b.active_end) end_ids.push_back(id);
      if (b.orders > 0) orders.push_back(b.orders);
    }
    std::sort(start_ids.begin(), start_ids.end());
    std::sort(end_ids.begin(), end_ids.end());

    auto& n = c.prepare("SELECT count(*) FROM customer_figures WHERE first_purchase_at >= ? AND first_purchase_at < ?");
    detail::StatementReset reset_n(n);
    detail::bind_all(n, q.from, q.to);
    n.executeStep();
    const std::int64_t new_customers = n.getColumn(0).getInt64();

    if (q.activity == ActivityRule::p_alive) {
      // Alive customers that had become customers before the period's end, by id.
      auto& a = c.prepare("SELECT customer_id FROM customer_scores WHERE p_alive >= ? ORDER BY customer_id");
      detail::StatementReset reset_a(a);
      detail::bind_all(a, q.p_alive_threshold);
      std::vector<std::int64_t> alive;
      while (a.executeStep()) alive.push_back(a.getColumn(0).getInt64());
      alive.erase(std::unique(alive.begin(), alive.end()), alive.end());
      auto& f = c.prepare("SELECT customer_id FROM customer_figures WHERE first_purchase_at < ? ORDER BY customer_id");
      detail::StatementReset reset_f(f);
      detail::bind_all(f, q.to);
      std::vector<std::int64_t> first_before_to;
      while (f.executeStep()) first_before_to.push_back(f.getColumn(0).getInt64());
      std::set_intersection(alive.begin(), alive.end(), first_before_to.begin(), first_before_to.end(),
                            std::back_inserter(end_ids));
    }

    auto rf = analytics::retention_figures(start_ids, end_ids, new_customers);
    auto pf = analytics::repeat_figures(orders);
    RetentionResult r;
    r.from = q.from;
    r.to = q.to;
    r.activity = q.activity;
    r.active_days = q.active_days;
    r.p_alive_threshold = q.p_alive_threshold;
    r.order_unit = q.order_unit;
    r.revenue_basis = q.revenue;
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
    CohortMatrix m;
    m.by = q.by;
    m.unbounded = q.unbounded;
    m.periods = q.periods;
    // Default: the period of the last purchase (its day's end is never in a later period).
    Instant last = 0;
    if (q.as_of) {
      last = *q.as_of - 1;
    } else {
      auto& l = c.prepare("SELECT max(last_purchase_at) FROM customer_figures");
      detail::StatementReset reset_l(l);
      l.executeStep();
      if (l.getColumn(0).isNull()) return m;  // no purchase at all
      last = l.getColumn(0).getInt64();
    }
    // The cohorts' customers come from the kept first purchases, and only their purchases are
    // read (through the timeline index): the cost grows with the customers of the cohorts asked
    // for, not with every purchase in the store. CROSS JOIN keeps that order: left to itself
    // SQLite scans every purchase and sorts them in a temporary b-tree. (The join condition is
    // in WHERE because PostgreSQL takes no ON after CROSS JOIN.)
    auto& s = c.prepare(
        "SELECT f.customer_id, i.occurred_at FROM customer_figures f CROSS JOIN interactions i "
        "WHERE i.customer_id = f.customer_id AND i.kind = 'purchase' "
        "AND f.first_purchase_at >= ? AND f.first_purchase_at < ? ORDER BY f.customer_id, i.occurred_at");
    detail::StatementReset reset_s(s);
    detail::bind_all(s, q.from ? *q.from : kMin, q.to ? *q.to : std::numeric_limits<std::int64_t>::max());
    analytics::CohortCustomers customers;
    std::vector<std::int64_t> periods;  // reused per customer: no per-row allocation
    std::int64_t cur = 0;
    auto flush = [&] {
      if (!periods.empty()) customers.add(periods.front(), periods.data(), periods.size());
    };
    while (s.executeStep()) {
      std::int64_t id = s.getColumn(0).getInt64();
      if (id != cur || periods.empty()) {
        flush();
        cur = id;
        periods.clear();
      }
      std::int64_t p = period_of(s.getColumn(1).getInt64());
      if (periods.empty() || periods.back() != p) periods.push_back(p);
    }
    flush();

    const std::int64_t last_period = period_of(last);
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

}  // namespace crmkit
