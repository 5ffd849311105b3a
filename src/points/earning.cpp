// Earning from purchases (explicit and automatic) and reversing it on refunds.
#include <fmt/format.h>

#include <map>

#include "base/text.hpp"
#include "points/engine.hpp"

namespace crmkit::points {

std::int64_t restore_redemption(Connection& c, const Rules& r, std::int64_t customer_id, std::int64_t redeem_entry,
                                std::int64_t points, std::int64_t request_id, Instant as_of);

namespace {
Purchase read_purchase(detail::Statement& st) {
  Purchase p;
  detail::get_columns(st, p.id, p.customer_id, p.occurred_at, p.channel, p.kind, p.amount, p.currency);
  return p;
}
}  // namespace

std::optional<Purchase> find_interaction(Connection& c, std::int64_t id) {
  auto& q = c.prepare(
      "SELECT id, customer_id, occurred_at, channel, kind, COALESCE(amount, 0), COALESCE(currency, '') "
      "FROM interactions WHERE id = ?");
  return detail::one_row(q, read_purchase, id);
}

namespace {

// The highest multiplier among the segments the customer belongs to at t (1000 when none).
std::int64_t segment_permille(Connection& c, const Rules& r, std::int64_t customer_id, Instant t) {
  if (r.segment_permille.empty()) return 1000;
  auto& q = c.prepare(
      "SELECT DISTINCT s.name FROM segment_membership m JOIN segments s ON s.id = m.segment_id "
      "WHERE m.customer_id = ?1 AND m.entered_at <= ?2 AND (m.left_at IS NULL OR m.left_at > ?2)");
  detail::bind_all(q, customer_id, t);
  std::int64_t best = -1;
  while (q.executeStep()) {
    auto it = r.segment_permille.find(q.getColumn(0).getString());
    if (it != r.segment_permille.end() && it->second > best) best = it->second;
  }
  return best < 0 ? 1000 : best;
}

std::int64_t earn_request_points(Connection& c, const Rules& r, std::int64_t purchase_id, std::int64_t* entry_id) {
  auto& q = c.prepare(
      "SELECT points, COALESCE(entry_id, 0) FROM points_requests WHERE programme_id = ? AND kind = 'earn' "
      "AND source_id = ?");
  detail::StatementReset q_done(q);
  detail::bind_all(q, r.id, purchase_id);
  if (!q.executeStep()) return -1;
  if (entry_id) *entry_id = q.getColumn(1).getInt64();
  return q.getColumn(0).getInt64();
}

std::int64_t scalar(Connection& c, const std::string& sql, std::int64_t a, std::int64_t b) {
  auto& q = c.prepare(sql);
  detail::StatementReset q_done(q);
  detail::bind_all(q, a, b);
  q.executeStep();
  return q.getColumn(0).getInt64();
}

}  // namespace

std::int64_t points_for(Connection& c, const Rules& r, const Purchase& p) {
  using I = __int128;
  I base = I(p.amount) * r.points_per_unit / r.unit_minor + r.points_per_order;
  auto ch = r.channel_permille.find(p.channel);
  I channel = ch == r.channel_permille.end() ? 1000 : ch->second;
  I segment = segment_permille(c, r, p.customer_id, p.occurred_at);
  I tier = 1000;
  if (auto t = tier_at(c, r, p.customer_id, p.occurred_at))
    for (const auto& row : r.tiers)
      if (row.id == *t) tier = row.permille;
  // One rounding (down) at the end, so multipliers compose exactly.
  I total = base * channel * segment * tier / I(1'000'000'000);
  if (total > I(std::int64_t(1) << 53))
    throw Error(Errc::invalid_argument, fmt::format("purchase {} would earn more than 2^53 points", p.id));
  return static_cast<std::int64_t>(total);
}

PointsResult earn(Connection& c, const Rules& r, const Purchase& p) {
  RequestKey key{fmt::format("purchase:{}", p.id), "earn", fmt::format("purchase={}", p.id)};
  if (auto prev = find_request(c, r, key)) return *prev;
  if (p.kind != "purchase")
    throw Error(Errc::invalid_argument, fmt::format("interaction {} is a {}, not a purchase", p.id, p.kind));
  if (p.currency != r.currency)
    throw Error(Errc::invalid_argument,
                fmt::format("purchase {} is in {}, programme '{}' earns on {}", p.id, p.currency, r.name, r.currency));
  Member m = require_member(c, r, p.customer_id);
  if (p.occurred_at < m.enrolled_at)
    throw Error(Errc::invalid_argument,
                fmt::format("purchase {} at {} predates the enrolment of customer {} at {}", p.id,
                            format_instant(p.occurred_at), p.customer_id, format_instant(m.enrolled_at)));
  std::int64_t pts = points_for(c, r, p);
  std::int64_t req = insert_request(c, r, key, p.occurred_at, p.id, p.amount);
  std::int64_t entry = 0;
  if (pts > 0) {
    Instant effective = p.occurred_at + r.pending_days * kMillisPerDay;
    std::optional<Instant> expires;
    if (r.expiry_days) expires = effective + *r.expiry_days * kMillisPerDay;
    NewEntry e;
    e.customer_id = p.customer_id;
    e.request_id = req;
    e.kind = PointsKind::earn;
    e.points = pts;
    e.created_at = p.occurred_at;
    e.effective_at = effective;
    e.expires_at = expires;
    e.source_type = "purchase";
    e.source_id = p.id;
    e.money_minor = p.amount;
    entry = insert_entry(c, r, e);
    open_lot(c, r, entry, p.customer_id, pts, p.occurred_at, effective, expires);
  }
  finish_request(c, req, pts, entry);
  upgrade_if_qualified(c, r, p.customer_id, p.occurred_at);
  return {req, entry, pts, false};
}

PointsResult reverse(Connection& c, const Rules& r, const Purchase& p, std::int64_t refunded,
                     const std::string& external_id, Instant as_of, bool automatic) {
  check_external_id(external_id);
  detail::check_instant("as_of", as_of);
  if (refunded <= 0)
    throw Error(Errc::invalid_argument, fmt::format("refunded amount {} must be > 0 (minor units)", refunded));
  RequestKey key{external_id, "reverse_earn", fmt::format("purchase={}|refunded={}", p.id, refunded)};
  if (auto prev = find_request(c, r, key)) return *prev;
  if (p.kind != "purchase")
    throw Error(Errc::invalid_argument, fmt::format("interaction {} is a {}, not a purchase", p.id, p.kind));
  std::int64_t earn_entry = 0;
  std::int64_t earned = earn_request_points(c, r, p.id, &earn_entry);
  if (earned < 0)
    throw Error(Errc::not_found,
                fmt::format("purchase {} has not earned in points programme '{}'", p.id, r.name));
  std::int64_t prior = scalar(c,
                              "SELECT COALESCE(SUM(money_minor), 0) FROM points_requests WHERE programme_id = ? "
                              "AND kind = 'reverse_earn' AND source_id = ?",
                              r.id, p.id);
  using I = __int128;
  // The refunds stored for a purchase are summed on every later reversal: a total past int64
  // would make that sum fail for good, so the refund that would pass it is refused here.
  std::int64_t refunds_total;
  if (__builtin_add_overflow(prior, refunded, &refunds_total))
    throw Error(Errc::invalid_argument,
                fmt::format("refunds of purchase {} of customer {} in programme '{}' would total {} minor units, "
                            "past the int64 range",
                            p.id, p.customer_id, r.name, I(prior) + refunded));
  // Cumulative refunds, capped at the purchase amount, reverse floor(earned * R / A) in total.
  std::int64_t cum = std::min<std::int64_t>(refunds_total, p.amount);
  auto share = [&](std::int64_t whole) -> std::int64_t {
    return p.amount > 0 ? static_cast<std::int64_t>(I(whole) * cum / p.amount) : whole;
  };
  std::int64_t already = -scalar(c,
                                 "SELECT COALESCE(SUM(points), 0) FROM points_ledger WHERE programme_id = ? "
                                 "AND kind = 'reverse_earn' AND source_type = 'purchase' AND source_id = ?",
                                 r.id, p.id);
  std::int64_t delta = share(earned) - already;
  if (delta > 0 && r.refund_policy == RefundPolicy::reject) {
    std::int64_t cover = coverable(c, r, p.customer_id, as_of, Reach::unexpired,
                                   earn_entry ? std::optional<std::int64_t>(earn_entry) : std::nullopt);
    if (cover < delta) {
      if (automatic) return {};  // the refund is a fact; the reversal waits for an explicit retry
      throw Error(Errc::conflict,
                  fmt::format("reversing {} points of purchase {} needs more than the {} points customer {} has "
                              "left (refund policy reject)",
                              delta, p.id, cover, p.customer_id));
    }
  }
  std::int64_t req = insert_request(c, r, key, as_of, p.id, refunded);
  std::int64_t net = 0, first = 0;
  // Redemptions that paid for this order give their points back in the same share, first,
  // so that the reversal below can take from them.
  std::vector<std::pair<std::int64_t, std::int64_t>> linked;
  {
    auto& q = c.prepare(
        "SELECT id, -points FROM points_ledger WHERE programme_id = ? AND kind = 'redeem' AND source_type = "
        "'purchase' AND source_id = ? ORDER BY id");
    detail::bind_all(q, r.id, p.id);
    while (q.executeStep()) linked.emplace_back(q.getColumn(0).getInt64(), q.getColumn(1).getInt64());
  }
  for (const auto& [redeem_entry, redeemed] : linked) {
    std::int64_t returned = scalar(c,
                                   "SELECT COALESCE(SUM(points), 0) FROM points_ledger WHERE programme_id = ? "
                                   "AND source_type = 'redemption' AND kind = 'reverse_redeem' AND source_id = ?",
                                   r.id, redeem_entry);
    std::int64_t d = share(redeemed) - returned;
    if (d <= 0) continue;
    std::int64_t e = restore_redemption(c, r, p.customer_id, redeem_entry, d, req, as_of);
    if (!first) first = e;
    net += d;
  }
  if (delta > 0) {
    NewEntry e = immediate_entry(p.customer_id, req, PointsKind::reverse_earn, -delta, as_of);
    e.source_type = "purchase";
    e.source_id = p.id;
    e.money_minor = refunded;
    std::int64_t entry = insert_entry(c, r, e);
    if (!first) first = entry;
    std::int64_t got = consume(c, r, p.customer_id, entry, delta, as_of, Reach::unexpired,
                               earn_entry ? std::optional<std::int64_t>(earn_entry) : std::nullopt);
    if (got < delta) record_debt(c, r, p.customer_id, entry, delta - got);
    net -= delta;
  }
  finish_request(c, req, net, first);
  return {req, first, net, false};
}

void earn_for_recorded(Connection& c, const std::vector<detail::RecordedInteraction>& rows) {
  std::vector<std::int64_t> ids;
  for (const auto& row : rows)
    if (row.kind == InteractionKind::purchase || row.kind == InteractionKind::refund) ids.push_back(row.id);
  earn_for_interactions(c, ids);
}

void earn_for_interactions(Connection& c, const std::vector<std::int64_t>& interaction_ids) {
  if (interaction_ids.empty()) return;
  {
    auto& any = c.prepare("SELECT EXISTS(SELECT 1 FROM points_members)");
    detail::StatementReset any_done(any);
    any.executeStep();
    if (any.getColumn(0).getInt() == 0) return;  // no programme has members: one query per batch
  }
  std::map<std::int64_t, Rules> rules;
  auto rules_of = [&](std::int64_t id) -> const Rules& {
    auto it = rules.find(id);
    if (it == rules.end()) it = rules.emplace(id, load_rules(c, id)).first;
    return it->second;
  };
  std::vector<std::int64_t> programmes;
  for (std::int64_t id : interaction_ids) {
    auto p = find_interaction(c, id);
    if (!p || (p->kind != "purchase" && p->kind != "refund")) continue;
    programmes.clear();
    {
      auto& q = c.prepare("SELECT programme_id, enrolled_at FROM points_members WHERE customer_id = ?");
      detail::bind_all(q, p->customer_id);
      while (q.executeStep())
        if (p->kind == "refund" || q.getColumn(1).getInt64() <= p->occurred_at)
          programmes.push_back(q.getColumn(0).getInt64());
    }
    if (programmes.empty()) continue;
    if (p->kind == "purchase") {
      for (auto pid : programmes) {
        const Rules& r = rules_of(pid);
        if (r.currency == p->currency) earn(c, r, *p);
      }
      continue;
    }
    // A refund names its purchase in attributes.refund_of: a string is the purchase's
    // external_id, an integer its interaction id. Without it nothing is reversed.
    if (p->amount >= 0) continue;
    std::optional<std::int64_t> purchase_id;
    {
      auto& q = c.prepare(fmt::format("SELECT {}, {} FROM interactions WHERE id = ? AND attributes IS NOT NULL",
                                      c.dialect().json_type("attributes", "'$.refund_of'"),
                                      c.dialect().json_text("attributes", "'$.refund_of'")));
      std::optional<std::string> ext;
      {
        detail::StatementReset q_done(q);
        detail::bind_all(q, id);
        if (q.executeStep() && !q.isColumnNull(0)) {
          std::string type = q.getColumn(0).getString();
          if (type == "integer") purchase_id = q.getColumn(1).getInt64();
          else if (type == "text") ext = q.getColumn(1).getString();
        }
      }
      if (ext) {
        auto& e = c.prepare("SELECT id FROM interactions WHERE external_id = ?");
        detail::StatementReset e_done(e);
        detail::bind_all(e, *ext);
        if (e.executeStep()) purchase_id = e.getColumn(0).getInt64();
      }
    }
    if (!purchase_id) continue;
    auto purchase = find_interaction(c, *purchase_id);
    if (!purchase || purchase->kind != "purchase" || purchase->customer_id != p->customer_id) continue;
    for (auto pid : programmes) {
      const Rules& r = rules_of(pid);
      if (earn_request_points(c, r, purchase->id, nullptr) < 0) continue;
      reverse(c, r, *purchase, -p->amount, fmt::format("refund:{}", p->id), p->occurred_at, true);
    }
  }
}

}  // namespace crmkit::points

namespace crmkit {

PointsResult Points::earn_for_purchase(std::int64_t programme_id, std::int64_t purchase_id) {
  return detail::guard([&] {
    auto& c = detail::connection_of(store_);
    detail::require_writable(c);
    detail::WriteScope scope(c);
    auto r = points::load_rules(c, programme_id);
    auto p = points::find_interaction(c, purchase_id);
    if (!p) throw Error(Errc::not_found, fmt::format("purchase {} does not exist", purchase_id));
    auto res = points::earn(c, r, *p);
    scope.commit();
    return res;
  });
}

std::int64_t Points::earn_backfill(std::int64_t programme_id, Instant from, Instant to) {
  return detail::guard([&] {
    auto& c = detail::connection_of(store_);
    detail::require_writable(c);
    detail::check_instant("from", from);
    detail::check_instant("to", to);
    if (to < from) throw Error(Errc::invalid_argument, "backfill window ends before it starts");
    detail::WriteScope scope(c);
    auto r = points::load_rules(c, programme_id);
    std::vector<std::int64_t> ids;
    {
      auto& q = c.prepare(
          "SELECT i.id FROM points_members m JOIN interactions i ON i.customer_id = m.customer_id "
          "WHERE m.programme_id = ?1 AND i.kind = 'purchase' AND i.currency = ?2 AND i.occurred_at >= ?3 "
          "AND i.occurred_at < ?4 AND i.occurred_at >= m.enrolled_at AND NOT EXISTS (SELECT 1 FROM "
          "points_requests q WHERE q.programme_id = ?1 AND q.kind = 'earn' AND q.source_id = i.id) "
          "ORDER BY i.occurred_at, i.id");
      detail::bind_all(q, r.id, r.currency, from, to);
      while (q.executeStep()) ids.push_back(q.getColumn(0).getInt64());
    }
    for (auto id : ids) points::earn(c, r, *points::find_interaction(c, id));
    scope.commit();
    return static_cast<std::int64_t>(ids.size());
  });
}

PointsResult Points::reverse_purchase(std::int64_t programme_id, std::int64_t purchase_id, std::int64_t refunded_minor,
                                      const std::string& external_id, Instant as_of) {
  return detail::guard([&] {
    auto& c = detail::connection_of(store_);
    detail::require_writable(c);
    detail::check_instant("as_of", as_of);
    detail::WriteScope scope(c);
    auto r = points::load_rules(c, programme_id);
    auto p = points::find_interaction(c, purchase_id);
    if (!p) throw Error(Errc::not_found, fmt::format("purchase {} does not exist", purchase_id));
    auto res = points::reverse(c, r, *p, refunded_minor, external_id, as_of, false);
    scope.commit();
    return res;
  });
}

}  // namespace crmkit
