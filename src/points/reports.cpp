// Balances, the ledger listing, programme liability and the ledger's invariants.
#include <fmt/format.h>

#include <algorithm>

#include "points/engine.hpp"
#include "store/stored.hpp"

namespace crmkit {

namespace {
std::int64_t one(detail::Statement& q) {
  detail::StatementReset q_done(q);
  q.executeStep();
  return q.getColumn(0).getInt64();
}
}  // namespace

PointsBalance Points::balance(std::int64_t programme_id, std::int64_t customer_id, Instant as_of,
                              int expiring_within_days) {
  return detail::guard([&] {
    auto& c = detail::connection_of(store_);
    detail::check_instant("as_of", as_of);
    if (expiring_within_days < 0 || expiring_within_days > 36'600)
      throw Error(Errc::invalid_argument,
                  fmt::format("expiring_within_days {} is out of range 0..36600", expiring_within_days));
    auto r = points::load_rules(c, programme_id);
    auto m = points::require_member(c, r, customer_id);
    PointsBalance b;
    b.customer_id = customer_id;
    b.available = points::available(c, r.id, customer_id, as_of);
    b.debt = points::debt(c, r.id, customer_id);
    auto& p = c.prepare(
        "SELECT COALESCE(SUM(remaining), 0) FROM points_lots WHERE programme_id = ?1 AND customer_id = ?2 "
        "AND remaining > 0 AND effective_at > ?3 AND (expires_at IS NULL OR expires_at > ?3)");
    detail::bind_all(p, r.id, customer_id, as_of);
    b.pending = one(p);
    auto& e = c.prepare(
        "SELECT COALESCE(SUM(remaining), 0) FROM points_lots WHERE programme_id = ?1 AND customer_id = ?2 "
        "AND remaining > 0 AND effective_at <= ?3 AND expires_at > ?3 AND expires_at <= ?4");
    detail::bind_all(e, r.id, customer_id, as_of, as_of + expiring_within_days * kMillisPerDay);
    b.expiring_soon = one(e);
    b.spendable = std::max<std::int64_t>(0, b.available - b.debt);
    b.balance = r.refund_policy == RefundPolicy::allow_negative ? b.available - b.debt : b.spendable;
    for (const auto& t : r.tiers)
      if (m.tier_id && *m.tier_id == t.id) b.tier = t.name;
    return b;
  });
}

LedgerPage Points::ledger(std::int64_t programme_id, std::int64_t customer_id, std::int64_t after, int limit) {
  return detail::guard([&] {
    auto& c = detail::connection_of(store_);
    if (limit < 1 || limit > 10'000)
      throw Error(Errc::invalid_argument, fmt::format("limit {} is out of range 1..10000", limit));
    if (after < 0) throw Error(Errc::invalid_argument, fmt::format("after {} must be >= 0", after));
    auto r = points::load_rules(c, programme_id);
    auto& q = c.prepare(
        "SELECT l.id, l.customer_id, l.kind, l.points, l.created_at, l.effective_at, l.expires_at, l.source_type, "
        "l.source_id, l.reason, q.external_id FROM points_ledger l JOIN points_requests q ON q.id = l.request_id "
        "WHERE l.programme_id = ?1 AND (?2 = 0 OR l.customer_id = ?2) AND l.id > ?3 ORDER BY l.id LIMIT ?4");
    detail::StatementReset q_done(q);  // the page may stop early, or a damaged row throw, mid-statement
    detail::bind_all(q, r.id, customer_id, after, static_cast<std::int64_t>(limit) + 1);
    LedgerPage page;
    while (q.executeStep()) {
      if (page.entries.size() == static_cast<std::size_t>(limit)) {
        page.next_after = page.entries.back().id;
        break;
      }
      const detail::StoredRow row(q, "points_ledger");
      LedgerEntry e;
      row.columns(0, e.id, e.customer_id);
      e.kind = row.parse(2, [](const std::string& t) { return parse_points_kind(t); });
      row.columns(3, e.points, e.created_at, e.effective_at, e.expires_at, e.source_type, e.source_id, e.reason,
                  e.external_id);
      page.entries.push_back(std::move(e));
    }
    return page;
  });
}

PointsLiability Points::liability(std::int64_t programme_id, Instant as_of) {
  return detail::guard([&] {
    auto& c = detail::connection_of(store_);
    detail::check_instant("as_of", as_of);
    auto r = points::load_rules(c, programme_id);
    PointsLiability l;
    l.currency = r.currency;
    // SQLite sums per member (each within int64: kMaxMemberPoints); the programme total is
    // added here in 128 bits, since SQL's SUM() fails past int64 and TOTAL() rounds.
    auto& q = c.prepare(
        "SELECT COALESCE(SUM(CASE WHEN effective_at <= ?2 THEN remaining END), 0), "
        "COALESCE(SUM(CASE WHEN effective_at > ?2 THEN remaining END), 0) FROM points_lots "
        "WHERE programme_id = ?1 AND remaining > 0 AND (expires_at IS NULL OR expires_at > ?2) GROUP BY customer_id");
    detail::StatementReset reset_q(q);
    detail::bind_all(q, r.id, as_of);
    while (q.executeStep()) {
      l.available += q.getColumn(0).getInt64();
      l.pending += q.getColumn(1).getInt64();
    }
    auto& d = c.prepare(
        "SELECT SUM(outstanding) FROM points_debts WHERE programme_id = ? AND outstanding > 0 GROUP BY customer_id");
    detail::StatementReset reset_d(d);
    detail::bind_all(d, r.id);
    while (d.executeStep()) l.debt += d.getColumn(0).getInt64();
    auto& m = c.prepare("SELECT COUNT(*) FROM points_members WHERE programme_id = ? AND enrolled_at <= ?");
    detail::bind_all(m, r.id, as_of);
    l.members = one(m);
    l.outstanding = l.available + l.pending - l.debt;
    if (r.value_per_1000) {
      // Past 2^127 only with billions of members near the per-member limit: refused, not wrapped.
      PointsSum value;
      if (__builtin_mul_overflow(std::max<PointsSum>(0, l.outstanding), PointsSum(*r.value_per_1000), &value))
        throw Error(Errc::invalid_argument,
                    fmt::format("the value of the {} points outstanding in programme '{}' passes 2^127", l.outstanding,
                                r.name));
      l.value_minor = value / 1000;
    }
    return l;
  });
}

void Points::check_invariants(std::int64_t programme_id) {
  detail::guard([&] {
    auto& c = detail::connection_of(store_);
    auto r = points::load_rules(c, programme_id);
    auto pid = static_cast<std::int64_t>(r.id);
    // Each check is a query over the programme (?1) whose first row, if any, is a violation.
    auto expect_none = [&](const char* sql, auto describe) {
      auto& q = c.prepare(sql);
      detail::StatementReset reset_q(q);
      detail::bind_all(q, pid);
      if (q.executeStep()) throw Error(Errc::corrupt, "points ledger invariant: " + describe(q));
    };
    auto n = [](detail::Statement& q, int k) { return q.getColumn(k).getInt64(); };
    // 1. Per member: ledger sum == lot remainders - outstanding debts.
    expect_none(
        "WITH l AS (SELECT customer_id, SUM(points) s FROM points_ledger WHERE programme_id = ?1 GROUP BY customer_id), "
        "lo AS (SELECT customer_id, SUM(remaining) s FROM points_lots WHERE programme_id = ?1 GROUP BY customer_id), "
        "d AS (SELECT customer_id, SUM(outstanding) s FROM points_debts WHERE programme_id = ?1 GROUP BY customer_id) "
        "SELECT l.customer_id, l.s, COALESCE(lo.s, 0), COALESCE(d.s, 0) FROM l LEFT JOIN lo USING (customer_id) "
        "LEFT JOIN d USING (customer_id) WHERE l.s <> COALESCE(lo.s, 0) - COALESCE(d.s, 0) LIMIT 1",
        [&](detail::Statement& q) {
          return fmt::format("customer {}: ledger sum {} != lot remainders {} - debts {}", n(q, 0), n(q, 1), n(q, 2),
                             n(q, 3));
        });
    // Lots with no ledger entries at all would escape the join above.
    expect_none(
        "SELECT entry_id FROM points_lots lo WHERE programme_id = ?1 AND NOT EXISTS (SELECT 1 FROM points_ledger l "
        "WHERE l.id = lo.entry_id AND l.programme_id = ?1 AND l.customer_id = lo.customer_id AND l.points = lo.points "
        "AND (l.kind = 'earn' OR l.kind = 'adjust')) LIMIT 1",
        [&](detail::Statement& q) { return fmt::format("lot {} does not match a credit entry", n(q, 0)); });
    // 2. Every credit entry has its lot.
    expect_none(
        "SELECT l.id FROM points_ledger l WHERE l.programme_id = ?1 AND (l.kind = 'earn' OR (l.kind = 'adjust' AND "
        "l.points > 0)) AND NOT EXISTS (SELECT 1 FROM points_lots lo WHERE lo.entry_id = l.id) LIMIT 1",
        [&](detail::Statement& q) { return fmt::format("credit entry {} has no lot", n(q, 0)); });
    // 3. Lot remaining == points - allocations.
    expect_none(
        "SELECT * FROM (SELECT lo.entry_id, lo.points, lo.remaining, COALESCE((SELECT SUM(points) FROM "
        "points_allocations a WHERE a.lot_id = lo.entry_id), 0) AS s FROM points_lots lo WHERE lo.programme_id = ?1) x "
        "WHERE x.remaining <> x.points - x.s OR x.remaining < 0 LIMIT 1",
        [&](detail::Statement& q) {
          return fmt::format("lot {}: remaining {} != points {} - allocations {}", n(q, 0), n(q, 2), n(q, 1), n(q, 3));
        });
    // 4. Every debit == its allocations + its outstanding debt; reverse_redeem == -allocations.
    expect_none(
        "SELECT * FROM (SELECT l.id, l.kind, l.points, COALESCE((SELECT SUM(points) FROM points_allocations a "
        "WHERE a.entry_id = l.id), 0) AS al, COALESCE((SELECT outstanding FROM points_debts d WHERE d.entry_id = "
        "l.id), 0) AS dd FROM points_ledger l WHERE l.programme_id = ?1) x WHERE (x.points < 0 AND -x.points <> "
        "x.al + x.dd) OR (x.kind = 'reverse_redeem' AND x.points <> -x.al) OR (x.points > 0 AND x.kind <> "
        "'reverse_redeem' AND (x.al <> 0 OR x.dd <> 0)) LIMIT 1",
        [&](detail::Statement& q) {
          return fmt::format("entry {} ({} {}): allocations {} and debt {} do not account for it", n(q, 0),
                             q.getColumn(1).getString(), n(q, 2), n(q, 3), n(q, 4));
        });
    // 5. A redemption never has given back more than it took from any lot.
    expect_none(
        "WITH rel(redeem, entry) AS (SELECT id, id FROM points_ledger WHERE programme_id = ?1 AND kind = 'redeem' "
        "UNION ALL SELECT source_id, id FROM points_ledger WHERE programme_id = ?1 AND kind = 'reverse_redeem') "
        "SELECT rel.redeem, a.lot_id FROM rel JOIN points_allocations a ON a.entry_id = rel.entry "
        "GROUP BY rel.redeem, a.lot_id HAVING SUM(a.points) < 0 LIMIT 1",
        [&](detail::Statement& q) {
          return fmt::format("redemption {} gave back more than it took from lot {}", n(q, 0), n(q, 1));
        });
    // 6. No debt under the reject policy.
    if (r.refund_policy == RefundPolicy::reject)
      expect_none("SELECT 1 FROM points_debts WHERE programme_id = ?1 LIMIT 1",
                  [](detail::Statement&) { return std::string("debts exist under refund policy reject"); });
  });
}

}  // namespace crmkit
