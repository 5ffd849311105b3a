// Spending points, giving them back, manual adjustments and expiry.
#include <fmt/format.h>

#include <algorithm>

#include "base/text.hpp"
#include "points/engine.hpp"

namespace crmkit::points {

namespace {

void check_points(std::int64_t points, bool allow_negative) {
  if (points == 0 || (!allow_negative && points < 0) || points > kMaxPoints || points < -kMaxPoints)
    throw Error(Errc::invalid_argument,
                fmt::format("points {} must be {} and at most 2^50 in size", points,
                            allow_negative ? "non-zero" : "> 0"));
}
}  // namespace

// Gives `points` of redemption `redeem_entry` back to the lots it consumed, most recently
// consumed first; the lots then pay any debt. Returns the reverse_redeem entry.
std::int64_t restore_redemption(Connection& c, const Rules& r, std::int64_t customer_id, std::int64_t redeem_entry,
                                std::int64_t points, std::int64_t request_id, Instant as_of) {
  NewEntry e = immediate_entry(customer_id, request_id, PointsKind::reverse_redeem, points, as_of);
  e.source_type = "redemption";
  e.source_id = redeem_entry;
  std::int64_t entry = insert_entry(c, r, e);
  struct Net {
    std::int64_t lot, points;
  };
  std::vector<Net> lots;
  {
    auto& q = c.prepare(
        "SELECT a.lot_id, SUM(a.points) FROM points_allocations a WHERE a.entry_id IN (SELECT ?1 UNION ALL "
        "SELECT id FROM points_ledger WHERE programme_id = ?2 AND source_type = 'redemption' AND source_id = ?1 "
        "AND kind = 'reverse_redeem') GROUP BY a.lot_id HAVING SUM(a.points) > 0 ORDER BY MIN(a.id) DESC");
    detail::bind_all(q, redeem_entry, r.id);
    while (q.executeStep()) lots.push_back({q.getColumn(0).getInt64(), q.getColumn(1).getInt64()});
  }
  std::int64_t left = points;
  std::vector<std::int64_t> touched;
  for (const auto& n : lots) {
    if (left == 0) break;
    std::int64_t give = std::min(left, n.points);
    auto& a = c.prepare("INSERT INTO points_allocations(entry_id, lot_id, points) VALUES (?,?,?)");
    detail::bind_all(a, entry, n.lot, -give);
    a.exec();
    auto& u = c.prepare("UPDATE points_lots SET remaining = remaining + ? WHERE entry_id = ?");
    detail::bind_all(u, give, n.lot);
    u.exec();
    touched.push_back(n.lot);
    left -= give;
  }
  if (left != 0)
    throw Error(Errc::internal, fmt::format("redemption {} could not give back {} points", redeem_entry, left));
  for (auto lot : touched) repay_debts_from(c, r, customer_id, lot);
  return entry;
}

}  // namespace crmkit::points

namespace crmkit {

using points::check_external_id;
using points::check_points;
using points::NewEntry;
using points::RequestKey;

PointsResult Points::redeem(std::int64_t programme_id, std::int64_t customer_id, std::int64_t points,
                            const std::string& external_id, Instant as_of, std::optional<std::int64_t> order_id) {
  return detail::guard([&] {
    auto& c = detail::connection_of(store_);
    detail::require_writable(c);
    detail::check_instant("as_of", as_of);
    check_external_id(external_id);
    check_points(points, false);
    detail::WriteScope scope(c);
    auto r = points::load_rules(c, programme_id);
    RequestKey key{external_id, "redeem",
                   fmt::format("customer={}|points={}|order={}", customer_id, points,
                               order_id ? std::to_string(*order_id) : "")};
    if (auto prev = points::find_request(c, r, key)) return *prev;
    points::require_member(c, r, customer_id);
    if (order_id) {
      auto o = points::find_interaction(c, *order_id);
      if (!o || o->kind != "purchase" || o->customer_id != customer_id)
        throw Error(Errc::invalid_argument,
                    fmt::format("order_id {} is not a purchase of customer {}", *order_id, customer_id));
    }
    std::int64_t spendable =
        std::max<std::int64_t>(0, points::available(c, r.id, customer_id, as_of) - points::debt(c, r.id, customer_id));
    if (spendable < points)
      throw Error(Errc::conflict, fmt::format("customer {} has {} spendable points at {}, fewer than the {} asked",
                                              customer_id, spendable, format_instant(as_of), points));
    std::int64_t req = points::insert_request(c, r, key, as_of);
    NewEntry e = points::immediate_entry(customer_id, req, PointsKind::redeem, -points, as_of);
    if (order_id) {
      e.source_type = "purchase";
      e.source_id = order_id;
    }
    std::int64_t entry = points::insert_entry(c, r, e);
    std::int64_t got = points::consume(c, r, customer_id, entry, points, as_of, points::Reach::available, std::nullopt);
    if (got != points) throw Error(Errc::internal, "redemption found fewer points than available");
    points::finish_request(c, req, -points, entry);
    scope.commit();
    return PointsResult{req, entry, -points, false};
  });
}

PointsResult Points::reverse_redemption(std::int64_t programme_id, const std::string& redemption_external_id,
                                        std::int64_t points, const std::string& external_id, Instant as_of) {
  return detail::guard([&] {
    auto& c = detail::connection_of(store_);
    detail::require_writable(c);
    detail::check_instant("as_of", as_of);
    check_external_id(redemption_external_id, "redemption_external_id");
    check_external_id(external_id);
    if (points < 0 || points > points::kMaxPoints)
      throw Error(Errc::invalid_argument, fmt::format("points {} must be >= 0 (0: all not yet returned)", points));
    detail::WriteScope scope(c);
    auto r = points::load_rules(c, programme_id);
    RequestKey key{external_id, "reverse_redeem",
                   fmt::format("redemption={}|points={}", redemption_external_id, points)};
    if (auto prev = points::find_request(c, r, key)) return *prev;
    auto& q = c.prepare(
        "SELECT l.id, l.customer_id, -l.points FROM points_requests q JOIN points_ledger l ON l.id = q.entry_id "
        "WHERE q.programme_id = ? AND q.external_id = ? AND q.kind = 'redeem'");
    detail::StatementReset q_done(q);
    detail::bind_all(q, r.id, redemption_external_id);
    if (!q.executeStep())
      throw Error(Errc::not_found, fmt::format("no redemption with external_id '{}' in programme '{}'",
                                               detail::printable(redemption_external_id), r.name));
    std::int64_t redeem_entry = q.getColumn(0).getInt64();
    std::int64_t customer = q.getColumn(1).getInt64();
    std::int64_t redeemed = q.getColumn(2).getInt64();
    auto& s = c.prepare(
        "SELECT COALESCE(SUM(points), 0) FROM points_ledger WHERE programme_id = ? AND source_type = 'redemption' "
        "AND source_id = ? AND kind = 'reverse_redeem'");
    detail::StatementReset s_done(s);
    detail::bind_all(s, r.id, redeem_entry);
    s.executeStep();
    std::int64_t left = redeemed - s.getColumn(0).getInt64();
    std::int64_t give = points == 0 ? left : points;
    if (give > left)
      throw Error(Errc::invalid_argument,
                  fmt::format("points {} exceed the {} points of redemption '{}' not yet given back", give, left,
                              detail::printable(redemption_external_id)));
    std::int64_t req = points::insert_request(c, r, key, as_of);
    std::int64_t entry = 0;
    if (give > 0) entry = points::restore_redemption(c, r, customer, redeem_entry, give, req, as_of);
    points::finish_request(c, req, give, entry);
    scope.commit();
    return PointsResult{req, entry, give, false};
  });
}

PointsResult Points::adjust(std::int64_t programme_id, std::int64_t customer_id, std::int64_t points,
                            const std::string& reason, const std::string& external_id, Instant as_of) {
  return detail::guard([&] {
    auto& c = detail::connection_of(store_);
    detail::require_writable(c);
    detail::check_instant("as_of", as_of);
    check_external_id(external_id);
    check_points(points, true);
    detail::check_text("reason", reason);
    if (detail::trim(reason).empty()) throw Error(Errc::invalid_argument, "reason is empty");
    detail::WriteScope scope(c);
    auto r = points::load_rules(c, programme_id);
    RequestKey key{external_id, "adjust", fmt::format("customer={}|points={}|reason={}", customer_id, points, reason)};
    if (auto prev = points::find_request(c, r, key)) return *prev;
    points::require_member(c, r, customer_id);
    if (points < 0 && r.refund_policy == RefundPolicy::reject) {
      std::int64_t cover = points::coverable(c, r, customer_id, as_of, points::Reach::unexpired, std::nullopt);
      if (cover < -points)
        throw Error(Errc::conflict,
                    fmt::format("adjusting by {} needs more than the {} points customer {} has left (refund policy "
                                "reject)",
                                points, cover, customer_id));
    }
    std::int64_t req = points::insert_request(c, r, key, as_of);
    NewEntry e = points::immediate_entry(customer_id, req, PointsKind::adjust, points, as_of);
    e.source_type = "manual";
    e.reason = reason;
    if (points > 0 && r.expiry_days) e.expires_at = as_of + *r.expiry_days * kMillisPerDay;
    std::int64_t entry = points::insert_entry(c, r, e);
    if (points > 0) {
      points::open_lot(c, r, entry, customer_id, points, as_of, as_of, e.expires_at);
    } else {
      std::int64_t got = points::consume(c, r, customer_id, entry, -points, as_of, points::Reach::unexpired,
                                         std::nullopt);
      if (got < -points) points::record_debt(c, r, customer_id, entry, -points - got);
    }
    points::finish_request(c, req, points, entry);
    scope.commit();
    return PointsResult{req, entry, points, false};
  });
}

PointsResult Points::expire(std::int64_t programme_id, Instant as_of, const std::string& external_id) {
  return detail::guard([&] {
    auto& c = detail::connection_of(store_);
    detail::require_writable(c);
    detail::check_instant("as_of", as_of);
    std::string ext = external_id.empty() ? fmt::format("expire@{}", as_of) : external_id;
    check_external_id(ext);
    detail::WriteScope scope(c);
    auto r = points::load_rules(c, programme_id);
    RequestKey key{ext, "expire", fmt::format("as_of={}", as_of)};
    if (auto prev = points::find_request(c, r, key)) return *prev;
    struct Due {
      std::int64_t lot, customer, remaining;
      Instant expires_at;
    };
    std::vector<Due> due;
    {
      // Boundary: a lot is spendable strictly before expires_at, so expires_at == as_of expires.
      auto& q = c.prepare(
          "SELECT entry_id, customer_id, remaining, expires_at FROM points_lots WHERE programme_id = ? "
          "AND remaining > 0 AND expires_at IS NOT NULL AND expires_at <= ? ORDER BY customer_id, entry_id");
      detail::bind_all(q, r.id, as_of);
      while (q.executeStep())
        due.push_back({q.getColumn(0).getInt64(), q.getColumn(1).getInt64(), q.getColumn(2).getInt64(),
                       q.getColumn(3).getInt64()});
    }
    std::int64_t req = points::insert_request(c, r, key, as_of);
    std::int64_t first = 0, total = 0;
    for (const auto& d : due) {
      NewEntry e;
      e.customer_id = d.customer;
      e.request_id = req;
      e.kind = PointsKind::expire;
      e.points = -d.remaining;
      e.created_at = as_of;
      e.effective_at = d.expires_at;
      e.source_type = "lot";
      e.source_id = d.lot;
      std::int64_t entry = points::insert_entry(c, r, e);
      if (!first) first = entry;
      auto& a = c.prepare("INSERT INTO points_allocations(entry_id, lot_id, points) VALUES (?,?,?)");
      detail::bind_all(a, entry, d.lot, d.remaining);
      a.exec();
      auto& u = c.prepare("UPDATE points_lots SET remaining = 0 WHERE entry_id = ?");
      detail::bind_all(u, d.lot);
      u.exec();
      // The run's total is over members: past int64 (several members near the 2^61 limit) it
      // cannot be returned or stored, so the run is refused rather than wrapped.
      if (__builtin_sub_overflow(total, d.remaining, &total))
        throw Error(Errc::invalid_argument,
                    fmt::format("the expiry run at {} in programme '{}' would expire more than 2^63 points in one "
                                "request",
                                as_of, r.name));
    }
    points::finish_request(c, req, total, first);
    scope.commit();
    return PointsResult{req, first, total, false};
  });
}

}  // namespace crmkit
