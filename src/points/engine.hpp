// Internals of the points area shared by its files: the programme as loaded for a request,
// idempotent requests, lots, allocations and debts. All SQL of the area lives in src/points/.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "base/checks.hpp"
#include "crmkit/points.hpp"
#include "interactions/followers.hpp"
#include "store/connection.hpp"

namespace crmkit::points {

using detail::Connection;

struct TierRow {
  std::int64_t id = 0;
  std::string name;
  std::int64_t rank = 0;  // 1 = lowest
  std::int64_t threshold = 0;
  std::int64_t permille = 1000;
};

// A programme's rules, as the engine uses them.
struct Rules {
  std::int64_t id = 0;
  std::string name;
  std::string currency;
  std::int64_t points_per_unit = 0, unit_minor = 100, points_per_order = 0;
  std::optional<std::int64_t> expiry_days;
  Consumption consumption = Consumption::fifo;
  std::int64_t pending_days = 0;
  RefundPolicy refund_policy = RefundPolicy::clamp_debt;
  std::optional<std::int64_t> value_per_1000;
  TierMetric tier_metric = TierMetric::points;
  std::int64_t tier_window_days = 365, review_period_days = 365, grace_days = 30;
  Instant created_at = 0;
  std::map<std::string, std::int64_t> channel_permille, segment_permille;
  std::vector<TierRow> tiers;  // by rank ascending
};

Rules load_rules(Connection& c, std::int64_t programme_id);  // throws not_found

// Points one request may move (redeem, adjust, give-back).
constexpr std::int64_t kMaxPoints = std::int64_t(1) << 50;
// A member's credits (earn, positive adjust, give-back) plus negative adjustments over the
// whole ledger. Every per-member figure (lot remainders, debts, any partial ledger sum) is
// bounded by twice this, so it stays inside int64 and every read works; insert_entry refuses
// the entry that would pass it.
constexpr std::int64_t kMaxMemberPoints = std::int64_t(1) << 61;

// --- requests (idempotency) ---------------------------------------------------------------
struct RequestKey {
  std::string external_id;
  std::string kind;
  std::string fingerprint;  // what was asked, excluding as_of unless it defines the request
};
// The first result when the key was seen with the same fingerprint; conflict when different.
std::optional<PointsResult> find_request(Connection& c, const Rules& r, const RequestKey& key);
std::int64_t insert_request(Connection& c, const Rules& r, const RequestKey& key, Instant created_at,
                            std::optional<std::int64_t> source_id = std::nullopt,
                            std::optional<std::int64_t> money_minor = std::nullopt);
void finish_request(Connection& c, std::int64_t request_id, std::int64_t points, std::int64_t entry_id);
void check_external_id(const std::string& external_id, const char* field = "external_id");

// --- ledger, lots, allocations, debts -----------------------------------------------------
struct NewEntry {
  std::int64_t customer_id = 0;
  std::int64_t request_id = 0;
  PointsKind kind = PointsKind::earn;
  std::int64_t points = 0;
  Instant created_at = 0;
  Instant effective_at = 0;
  std::optional<Instant> expires_at;
  const char* source_type = nullptr;
  std::optional<std::int64_t> source_id;
  std::optional<std::int64_t> money_minor;
  std::optional<std::string> reason;
};
std::int64_t insert_entry(Connection& c, const Rules& r, const NewEntry& e);

// An entry made and effective at `as_of`: all but earning (its points may be pending) and
// expiry (effective when its lot expired).
inline NewEntry immediate_entry(std::int64_t customer_id, std::int64_t request_id, PointsKind kind,
                                std::int64_t points, Instant as_of) {
  return NewEntry{customer_id, request_id, kind, points, /*created_at=*/as_of, /*effective_at=*/as_of,
                  /*expires_at=*/std::nullopt, /*source_type=*/nullptr, /*source_id=*/std::nullopt,
                  /*money_minor=*/std::nullopt, /*reason=*/std::nullopt};
}

// Opens the lot of a credit entry, then pays the member's debts from it (oldest first).
void open_lot(Connection& c, const Rules& r, std::int64_t entry_id, std::int64_t customer_id, std::int64_t points,
              Instant earned_at, Instant effective_at, std::optional<Instant> expires_at);
void repay_debts_from(Connection& c, const Rules& r, std::int64_t customer_id, std::int64_t lot_id);

// Which lots a debit may take.
enum class Reach {
  available,          // effective and unexpired at as_of (redeem)
  unexpired,          // effective first, then pending; unexpired (reversals, negative adjust)
};
// Takes up to `amount` from the member's lots for debit entry `entry_id` (first from
// `first_lot` if given and unexpired), writing allocations. Returns what was covered.
std::int64_t consume(Connection& c, const Rules& r, std::int64_t customer_id, std::int64_t entry_id,
                     std::int64_t amount, Instant as_of, Reach reach, std::optional<std::int64_t> first_lot);
// What consume() could cover, without writing.
std::int64_t coverable(Connection& c, const Rules& r, std::int64_t customer_id, Instant as_of, Reach reach,
                       std::optional<std::int64_t> first_lot);
void record_debt(Connection& c, const Rules& r, std::int64_t customer_id, std::int64_t entry_id, std::int64_t points);

std::int64_t available(Connection& c, std::int64_t programme_id, std::int64_t customer_id, Instant as_of);
std::int64_t debt(Connection& c, std::int64_t programme_id, std::int64_t customer_id);

// --- members and tiers ----------------------------------------------------------------------
struct Member {
  Instant enrolled_at = 0;
  std::optional<std::int64_t> tier_id;
  Instant tier_since = 0;
  std::optional<Instant> next_review_at;
};
std::optional<Member> find_member(Connection& c, std::int64_t programme_id, std::int64_t customer_id);
Member require_member(Connection& c, const Rules& r, std::int64_t customer_id);

std::int64_t metric_value(Connection& c, const Rules& r, std::int64_t customer_id, const Member& m, Instant at);
// The tier held at instant t (from the history), for the earn multiplier.
std::optional<std::int64_t> tier_at(Connection& c, const Rules& r, std::int64_t customer_id, Instant t);
// Upgrades at once when the metric at `at` reaches a higher tier.
void upgrade_if_qualified(Connection& c, const Rules& r, std::int64_t customer_id, Instant at);
// Tier rank (0 = none) whose threshold the metric reaches.
std::int64_t qualifying_rank(const Rules& r, std::int64_t metric);
std::int64_t rank_of(const Rules& r, std::optional<std::int64_t> tier_id);
void set_tier(Connection& c, const Rules& r, std::int64_t customer_id, std::optional<std::int64_t> previous,
              std::int64_t rank, Instant at, const char* reason);

// --- earning --------------------------------------------------------------------------------
struct Purchase {
  std::int64_t id = 0;
  std::int64_t customer_id = 0;
  Instant occurred_at = 0;
  std::string channel;
  std::string kind;
  std::int64_t amount = 0;
  std::string currency;
};
std::optional<Purchase> find_interaction(Connection& c, std::int64_t id);
// Points a purchase earns under the rules (multipliers at the purchase time).
std::int64_t points_for(Connection& c, const Rules& r, const Purchase& p);
PointsResult earn(Connection& c, const Rules& r, const Purchase& p);
// automatic: called from the interaction followers; under policy reject a reversal that
// cannot be covered is skipped (nothing written) instead of throwing.
PointsResult reverse(Connection& c, const Rules& r, const Purchase& p, std::int64_t refunded_minor,
                     const std::string& external_id, Instant as_of, bool automatic);

// Called by src/interactions/followers.cpp inside the recording transaction for newly
// inserted interactions: earns for purchases of enrolled customers and reverses earned points
// for refunds naming their purchase in attributes.refund_of. One query when nobody is enrolled.
void earn_for_interactions(Connection& c, const std::vector<std::int64_t>& interaction_ids);
// The same for the rows the followers hook sees: returns at once when no row is a purchase or
// a refund, otherwise one query when nobody is enrolled.
void earn_for_recorded(Connection& c, const std::vector<detail::RecordedInteraction>& rows);

std::string fmt_instant(Instant t);

}  // namespace crmkit::points
