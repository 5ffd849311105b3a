// Lifecycle stages: moved by purchases as they are recorded, and by the store's churn rule
// when the host applies it at an instant (Customers::update_lifecycle). docs/CORE.md.
#include "customers/lifecycle.hpp"

#include <cmath>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "base/checks.hpp"
#include "base/text.hpp"
#include "crmkit/customer.hpp"
#include "store/audit_trail.hpp"
#include "store/connection.hpp"
#include "store/stored.hpp"

namespace crmkit {

std::int64_t LifecycleUpdate::moved(LifecycleStage from, LifecycleStage to) const noexcept {
  for (const auto& m : moves)
    if (m.from == from && m.to == to) return m.customers;
  return 0;
}

namespace {

using detail::Connection;

LifecycleRule read_rule(Connection& conn) {
  auto& st = conn.prepare("SELECT churn_rule, window_days, p_alive_threshold FROM lifecycle_rule WHERE id = 1");
  detail::StatementReset done(st);
  if (!st.executeStep()) throw Error(Errc::corrupt, "the lifecycle_rule row is missing");
  LifecycleRule r;
  r.churn = parse_churn_rule(st.getColumn(0).getString());
  r.window_days = st.getColumn(1).getInt();
  r.p_alive_threshold = st.getColumn(2).getDouble();
  return r;
}

void check_rule(const LifecycleRule& r) {
  if (!*to_string(r.churn))
    throw Error(Errc::invalid_argument, fmt::format("churn_rule {} is not a churn rule", static_cast<int>(r.churn)));
  if (r.window_days < 1 || r.window_days > 36'500)
    throw Error(Errc::invalid_argument, fmt::format("window_days {} is out of range 1..36500", r.window_days));
  if (!(r.p_alive_threshold >= 0.0 && r.p_alive_threshold <= 1.0))
    throw Error(Errc::invalid_argument,
                fmt::format("p_alive_threshold {} is out of range 0..1", r.p_alive_threshold));
}

// The p_alive rule reads the stored scores; they must describe as_of, or a stage would be
// judged on another day's figures.
void require_scores_at(Connection& conn, Instant as_of) {
  auto& st = conn.prepare("SELECT count(*), min(scored_at), max(scored_at) FROM customer_scores");
  detail::StatementReset done(st);
  st.executeStep();
  if (st.getColumn(0).getInt64() == 0)
    throw Error(Errc::invalid_argument,
                "churn rule p_alive needs customer scores, and none are stored: score the customers at as_of first");
  const Instant lo = st.getColumn(1).getInt64(), hi = st.getColumn(2).getInt64();
  if (lo != as_of || hi != as_of)
    throw Error(Errc::invalid_argument,
                fmt::format("churn rule p_alive: the stored scores are as of {}, not as_of {}; score the customers "
                            "at as_of first",
                            format_instant(lo), format_instant(as_of)));
}

}  // namespace

namespace detail {

void stages_follow_purchases(Connection& conn, const std::vector<Purchaser>& purchasers) {
  if (purchasers.empty()) return;
  // Read first: most purchasers are customers already, and the old stage is the audit's.
  auto& read = conn.prepare(
      "SELECT lifecycle_stage FROM customers WHERE id = ?1 AND lifecycle_manual = 0 AND lifecycle_stage <> ?2");
  auto& st = conn.prepare("UPDATE customers SET lifecycle_stage = ?2 WHERE id = ?1");
  for (const auto& p : purchasers) {
    auto from = one_row(read, [](Statement& s) { return StoredRow(s, "customers", -1).text(0); }, p.customer_id,
                        LifecycleStage::customer);
    if (!from) continue;
    StatementReset row_done(st);
    bind_all(st, p.customer_id, LifecycleStage::customer);
    st.exec();
    record_change(conn, AuditEntity::customer, p.customer_id, "lifecycle_stage", nlohmann::json(*from).dump(),
                  nlohmann::json(to_string(LifecycleStage::customer)).dump(), p.at);
  }
}

}  // namespace detail

LifecycleRule Customers::lifecycle_rule() {
  return detail::guard([&] { return read_rule(detail::connection_of(store_)); });
}

void Customers::set_lifecycle_rule(const LifecycleRule& rule) {
  check_rule(rule);
  detail::require_writable(detail::connection_of(store_));
  detail::guard([&] {
    auto& conn = detail::connection_of(store_);
    detail::WriteScope scope(conn);
    auto& st = conn.prepare(
        "UPDATE lifecycle_rule SET churn_rule = ?1, window_days = ?2, p_alive_threshold = ?3 WHERE id = 1");
    detail::bind_all(st, rule.churn, rule.window_days, rule.p_alive_threshold);
    if (st.exec() != 1) throw Error(Errc::corrupt, "the lifecycle_rule row is missing");
    scope.commit();
  });
}

LifecycleUpdate Customers::update_lifecycle(Instant as_of, const LifecycleOptions& options) {
  detail::check_instant("as_of", as_of);
  detail::require_writable(detail::connection_of(store_));
  return detail::guard([&] {
    auto& conn = detail::connection_of(store_);
    detail::WriteScope scope(conn);
    LifecycleUpdate u;
    u.as_of = as_of;
    u.rule = read_rule(conn);
    const bool by_p_alive = u.rule.churn == ChurnRule::p_alive;
    if (by_p_alive) require_scores_at(conn, as_of);
    const Instant window_start = as_of - static_cast<Instant>(u.rule.window_days) * kMillisPerDay;

    struct Change {
      std::int64_t id;
      LifecycleStage from, to;
      bool was_manual;  // the host had set the stage: the move makes it automatic again
    };
    std::vector<Change> changes;
    {
      // Customers with a purchase before as_of; the figures hold first and last purchase.
      auto& st = conn.prepare(
          "SELECT c.id, c.lifecycle_stage, f.last_purchase_at, s.p_alive, c.lifecycle_manual FROM customers c "
          "JOIN customer_figures f ON f.customer_id = c.id LEFT JOIN customer_scores s ON s.customer_id = c.id "
          "WHERE f.first_purchase_at < ?1 AND (?2 = 1 OR c.lifecycle_manual = 0) ORDER BY c.id");
      detail::StatementReset done(st);
      detail::bind_all(st, as_of, options.override_manual);
      auto& recent = conn.prepare(
          "SELECT 1 FROM interactions WHERE customer_id = ?1 AND occurred_at >= ?2 AND occurred_at < ?3 "
          "AND kind = 'purchase' LIMIT 1");
      while (st.executeStep()) {
        const std::int64_t id = st.getColumn(0).getInt64();
        const LifecycleStage from = parse_lifecycle_stage(st.getColumn(1).getString());
        bool churned;
        if (by_p_alive) {
          // No score (no purchase in the scored currency, or created since): not judged churned.
          churned = !st.getColumn(3).isNull() && st.getColumn(3).getDouble() < u.rule.p_alive_threshold;
        } else {
          const Instant last = st.getColumn(2).getInt64();
          if (last < as_of) {
            churned = last < window_start;
          } else {
            // Purchases after as_of do not count: look for one inside the window only.
            detail::StatementReset recent_done(recent);
            detail::bind_all(recent, id, window_start, as_of);
            churned = !recent.executeStep();
          }
        }
        ++u.evaluated;
        const LifecycleStage to = churned ? LifecycleStage::churned : LifecycleStage::customer;
        if (to != from) changes.push_back({id, from, to, st.getColumn(4).getInt64() != 0});
      }
    }
    auto& upd = conn.prepare("UPDATE customers SET lifecycle_stage = ?2, lifecycle_manual = 0 WHERE id = ?1");
    for (const auto& c : changes) {
      detail::StatementReset row_done(upd);
      detail::bind_all(upd, c.id, c.to);
      upd.exec();
      detail::record_change(conn, AuditEntity::customer, c.id, "lifecycle_stage", nlohmann::json(to_string(c.from)).dump(),
                            nlohmann::json(to_string(c.to)).dump(), as_of);
      // The flag is a stored field like any other: clearing it is audited as an update's is.
      if (c.was_manual)
        detail::record_change(conn, AuditEntity::customer, c.id, "lifecycle_manual", nlohmann::json(true).dump(),
                              nlohmann::json(false).dump(), as_of);
    }
    for (auto from : kLifecycleStages)
      for (auto to : kLifecycleStages) {
        std::int64_t n = 0;
        for (const auto& c : changes) n += c.from == from && c.to == to;
        if (n) u.moves.push_back({from, to, n});
      }
    scope.commit();
    return u;
  });
}

}  // namespace crmkit
