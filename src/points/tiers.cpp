// Tiers: qualification metric over a rolling window, upgrade at once, downgrade at reviews.
#include <fmt/format.h>

#include "points/engine.hpp"

namespace crmkit::points {

std::int64_t metric_value(Connection& c, const Rules& r, std::int64_t customer_id, const Member& m, Instant at) {
  // Window (at - window_days, at]: the event at `at` itself counts.
  Instant from = at - r.tier_window_days * kMillisPerDay;
  detail::Statement* q = nullptr;
  if (r.tier_metric == TierMetric::points) {
    q = &c.prepare(
        "SELECT COALESCE(SUM(points), 0) FROM points_ledger WHERE programme_id = ?1 AND customer_id = ?2 "
        "AND kind IN ('earn', 'reverse_earn') AND created_at > ?3 AND created_at <= ?4");
    detail::bind_all(*q, r.id, customer_id, from, at);
  } else {
    // Spend and orders count from enrolment on, in the programme currency.
    q = &c.prepare(r.tier_metric == TierMetric::spend
                       ? "SELECT COALESCE(SUM(amount), 0) FROM interactions WHERE customer_id = ?2 AND kind IN "
                         "('purchase', 'refund') AND currency = ?1 AND occurred_at > ?3 AND occurred_at <= ?4 "
                         "AND occurred_at >= ?5"
                       : "SELECT COUNT(*) FROM interactions WHERE customer_id = ?2 AND kind = 'purchase' "
                         "AND currency = ?1 AND occurred_at > ?3 AND occurred_at <= ?4 AND occurred_at >= ?5");
    detail::bind_all(*q, r.currency, customer_id, from, at, m.enrolled_at);
  }
  detail::StatementReset q_done(*q);
  q->executeStep();
  std::int64_t v = q->getColumn(0).getInt64();
  return v;
}

std::optional<std::int64_t> tier_at(Connection& c, const Rules& r, std::int64_t customer_id, Instant t) {
  if (r.tiers.empty()) return std::nullopt;
  auto& q = c.prepare(
      "SELECT tier_id FROM points_tier_history WHERE programme_id = ? AND customer_id = ? AND from_at <= ? "
      "ORDER BY from_at DESC, id DESC LIMIT 1");
  detail::StatementReset q_done(q);
  detail::bind_all(q, r.id, customer_id, t);
  std::optional<std::int64_t> out;
  if (q.executeStep() && !q.isColumnNull(0)) out = q.getColumn(0).getInt64();
  return out;
}

std::int64_t qualifying_rank(const Rules& r, std::int64_t metric) {
  std::int64_t rank = 0;
  for (const auto& t : r.tiers)
    if (metric >= t.threshold) rank = t.rank;
  return rank;
}

std::int64_t rank_of(const Rules& r, std::optional<std::int64_t> tier_id) {
  if (!tier_id) return 0;
  for (const auto& t : r.tiers)
    if (t.id == *tier_id) return t.rank;
  return 0;
}

void set_tier(Connection& c, const Rules& r, std::int64_t customer_id, std::optional<std::int64_t> previous,
              std::int64_t rank, Instant at, const char* reason) {
  std::optional<std::int64_t> tier;
  if (rank > 0) tier = r.tiers[static_cast<std::size_t>(rank - 1)].id;
  auto& u = c.prepare(
      "UPDATE points_members SET tier_id = ?, tier_since = ?, next_review_at = ? WHERE programme_id = ? AND "
      "customer_id = ?");
  std::optional<Instant> next_review;
  if (tier) next_review = at + (r.review_period_days + r.grace_days) * kMillisPerDay;
  detail::bind_all(u, tier, at, next_review, r.id, customer_id);
  u.exec();
  auto& h = c.prepare(
      "INSERT INTO points_tier_history(programme_id, customer_id, from_at, tier_id, previous_id, reason) "
      "VALUES (?,?,?,?,?,?)");
  detail::bind_all(h, r.id, customer_id, at, tier, previous, reason);
  h.exec();
}

void upgrade_if_qualified(Connection& c, const Rules& r, std::int64_t customer_id, Instant at) {
  if (r.tiers.empty()) return;
  Member m = require_member(c, r, customer_id);
  std::int64_t target = qualifying_rank(r, metric_value(c, r, customer_id, m, at));
  if (target > rank_of(r, m.tier_id)) set_tier(c, r, customer_id, m.tier_id, target, std::max(at, m.tier_since), "upgrade");
}

}  // namespace crmkit::points

namespace crmkit {

TierReviewResult Points::review_tiers(std::int64_t programme_id, Instant as_of) {
  return detail::guard([&] {
    auto& c = detail::connection_of(store_);
    detail::require_writable(c);
    detail::check_instant("as_of", as_of);
    detail::WriteScope scope(c);
    auto r = points::load_rules(c, programme_id);
    TierReviewResult out;
    if (r.tiers.empty()) {
      scope.commit();
      return out;
    }
    struct Row {
      std::int64_t customer;
      points::Member m;
    };
    std::vector<Row> rows;
    {
      auto& q = c.prepare(
          "SELECT customer_id, enrolled_at, tier_id, tier_since, next_review_at FROM points_members "
          "WHERE programme_id = ?1 AND enrolled_at <= ?2 AND (tier_id IS NULL OR next_review_at <= ?2) "
          "ORDER BY customer_id");
      detail::bind_all(q, r.id, as_of);
      while (q.executeStep()) {
        points::Member m;
        m.enrolled_at = q.getColumn(1).getInt64();
        if (!q.isColumnNull(2)) m.tier_id = q.getColumn(2).getInt64();
        m.tier_since = q.getColumn(3).getInt64();
        if (!q.isColumnNull(4)) m.next_review_at = q.getColumn(4).getInt64();
        rows.push_back({q.getColumn(0).getInt64(), m});
      }
    }
    const std::int64_t period = r.review_period_days * kMillisPerDay, grace = r.grace_days * kMillisPerDay;
    for (const auto& row : rows) {
      ++out.reviewed;
      std::int64_t current = points::rank_of(r, row.m.tier_id);
      std::int64_t target = points::qualifying_rank(r, points::metric_value(c, r, row.customer, row.m, as_of));
      if (target > current) {
        points::set_tier(c, r, row.customer, row.m.tier_id, target, std::max(as_of, row.m.tier_since), "upgrade");
        ++out.upgraded;
      } else if (target < current) {
        points::set_tier(c, r, row.customer, row.m.tier_id, target, as_of, "review");
        ++out.downgraded;
      } else if (current > 0) {
        // Still qualifies: the next chance to move down is the end of the next whole review
        // period (counted from tier_since) plus the grace period.
        std::int64_t k = (as_of - grace - row.m.tier_since) / period + 1;
        auto& u = c.prepare("UPDATE points_members SET next_review_at = ? WHERE programme_id = ? AND customer_id = ?");
        detail::bind_all(u, row.m.tier_since + k * period + grace, r.id, row.customer);
        u.exec();
      }
    }
    scope.commit();
    return out;
  });
}

std::optional<std::string> Points::tier(std::int64_t programme_id, std::int64_t customer_id) {
  return detail::guard([&]() -> std::optional<std::string> {
    auto& c = detail::connection_of(store_);
    auto r = points::load_rules(c, programme_id);
    auto m = points::require_member(c, r, customer_id);
    for (const auto& t : r.tiers)
      if (m.tier_id && t.id == *m.tier_id) return t.name;
    return std::nullopt;
  });
}

std::vector<TierChange> Points::tier_history(std::int64_t programme_id, std::int64_t customer_id) {
  return detail::guard([&] {
    auto& c = detail::connection_of(store_);
    auto r = points::load_rules(c, programme_id);
    points::require_member(c, r, customer_id);
    auto name = [&](detail::Statement& q, int col) -> std::optional<std::string> {
      if (q.isColumnNull(col)) return std::nullopt;
      auto id = q.getColumn(col).getInt64();
      for (const auto& t : r.tiers)
        if (t.id == id) return t.name;
      return std::nullopt;
    };
    auto& q = c.prepare(
        "SELECT from_at, tier_id, previous_id, reason FROM points_tier_history WHERE programme_id = ? AND "
        "customer_id = ? ORDER BY from_at, id");
    detail::bind_all(q, programme_id, customer_id);
    std::vector<TierChange> out;
    while (q.executeStep()) {
      TierChange t;
      t.from = q.getColumn(0).getInt64();
      t.tier = name(q, 1);
      t.previous = name(q, 2);
      t.reason = q.getColumn(3).getString();
      if (!out.empty()) out.back().to = t.from;
      out.push_back(std::move(t));
    }
    return out;
  });
}

std::int64_t Points::tier_metric_value(std::int64_t programme_id, std::int64_t customer_id, Instant as_of) {
  return detail::guard([&] {
    auto& c = detail::connection_of(store_);
    detail::check_instant("as_of", as_of);
    auto r = points::load_rules(c, programme_id);
    auto m = points::require_member(c, r, customer_id);
    return points::metric_value(c, r, customer_id, m, as_of);
  });
}

std::vector<TierCount> Points::tier_mix(std::int64_t programme_id) {
  return detail::guard([&] {
    auto& c = detail::connection_of(store_);
    auto r = points::load_rules(c, programme_id);
    std::vector<TierCount> out;
    auto& q = c.prepare(
        "SELECT t.name, COUNT(m.customer_id) FROM points_tiers t LEFT JOIN points_members m ON m.tier_id = t.id AND "
        "m.programme_id = t.programme_id WHERE t.programme_id = ? GROUP BY t.id ORDER BY t.rank DESC");
    detail::bind_all(q, programme_id);
    while (q.executeStep()) out.push_back({q.getColumn(0).getString(), q.getColumn(1).getInt64()});
    auto& n = c.prepare("SELECT COUNT(*) FROM points_members WHERE programme_id = ? AND tier_id IS NULL");
    detail::StatementReset n_done(n);
    detail::bind_all(n, programme_id);
    n.executeStep();
    out.push_back({std::nullopt, n.getColumn(0).getInt64()});
    return out;
  });
}

}  // namespace crmkit
