// Shared set-up of the points tests: a private store, customers and interactions written with
// plain SQL (so the tests depend only on the core tables), and day-based instants.
#pragma once


#include <optional>
#include <string>

#include "crmkit/points.hpp"
#include "crmkit/store.hpp"
#include "crmkit/time.hpp"
#include "sql_store.hpp"
#include "store/connection.hpp"

namespace points_test {

using namespace crmkit;

// Day d of the tests' calendar (2024-01-01 + d) at 00:00 UTC.
inline Instant day(std::int64_t d) { return start_of_day(day_from_civil({2024, 1, 1}) + d); }

struct Fixture : SqlSeededStore {
  Points points{store};

  // A new customer enrolled in `programme` on `since`.
  std::int64_t member(std::int64_t programme, const std::string& ext = "c1", Instant since = day(0)) {
    const std::int64_t c = customer(ext);
    points.enroll(programme, c, since);
    return c;
  }
  std::int64_t purchase(std::int64_t customer_id, Instant at, std::int64_t amount_minor,
                        const std::string& channel = "web", const std::string& currency = "USD",
                        std::optional<std::string> ext = std::nullopt) {
    auto q_st = db().statement("INSERT INTO interactions(customer_id, external_id, occurred_at, channel, kind, amount, currency) "
                        "VALUES (?, ?, ?, ?, 'purchase', ?, ?) RETURNING id");
    auto& q = *q_st;
    q.bind(1, static_cast<std::int64_t>(customer_id));
    if (ext) q.bind(2, *ext); else q.bind(2);
    q.bind(3, static_cast<std::int64_t>(at));
    q.bind(4, channel);
    q.bind(5, static_cast<std::int64_t>(amount_minor));
    q.bind(6, currency);
    q.executeStep();
    return q.getColumn(0).getInt64();
  }
  // A refund of `amount_minor` (> 0) with optional attributes JSON.
  std::int64_t refund(std::int64_t customer_id, Instant at, std::int64_t amount_minor,
                      std::optional<std::string> attributes = std::nullopt) {
    auto q_st = db().statement("INSERT INTO interactions(customer_id, occurred_at, channel, kind, amount, currency, attributes) "
                        "VALUES (?, ?, 'web', 'refund', ?, 'USD', ?) RETURNING id");
    auto& q = *q_st;
    q.bind(1, static_cast<std::int64_t>(customer_id));
    q.bind(2, static_cast<std::int64_t>(at));
    q.bind(3, static_cast<std::int64_t>(-amount_minor));
    if (attributes) q.bind(4, *attributes); else q.bind(4);
    q.executeStep();
    return q.getColumn(0).getInt64();
  }
  std::int64_t count(const std::string& table) {
    return db().execAndGet("SELECT COUNT(*) FROM " + table).getInt64();
  }
  // Rows in every points table: to check that a refused call wrote nothing.
  std::int64_t footprint() {
    return count("points_ledger") + count("points_lots") + count("points_allocations") + count("points_debts") +
           count("points_requests") + count("points_members") + count("points_tier_history") +
           count("points_programmes") + db().execAndGet("SELECT COALESCE(SUM(remaining), 0) FROM points_lots").getInt64();
  }
  std::int64_t lot_remaining(std::int64_t lot) {
    auto q_st = db().statement("SELECT remaining FROM points_lots WHERE entry_id = ?");
    auto& q = *q_st;
    q.bind(1, static_cast<std::int64_t>(lot));
    q.executeStep();
    return q.getColumn(0).getInt64();
  }
  // A USD programme named `name` with the defaults, for a test to adjust.
  static ProgrammeSpec spec(const std::string& name) {
    ProgrammeSpec s;
    s.name = name;
    s.currency = "USD";
    return s;
  }
  // Tiers by order count: base (x1) from 0 orders, plus (x2) from 2.
  std::int64_t order_tiered_programme(const std::string& name) {
    ProgrammeSpec s = spec(name);
    s.tier_metric = TierMetric::orders;
    s.tiers = {{"base", 0, 1000}, {"plus", 2, 2000}};
    return points.create_programme(s);
  }
  // 1 point per 1.00 USD, no expiry, no pending, the given policy.
  std::int64_t simple_programme(RefundPolicy policy = RefundPolicy::clamp_debt, std::optional<int> expiry = std::nullopt,
                                int pending = 0, Consumption consumption = Consumption::fifo) {
    ProgrammeSpec s = spec("club");
    s.refund_policy = policy;
    s.expiry_days = expiry;
    s.pending_days = pending;
    s.consumption = consumption;
    s.created_at = day(-100);
    return points.create_programme(s);
  }
};

}  // namespace points_test
