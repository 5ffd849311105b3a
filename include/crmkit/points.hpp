// crmkit/points.hpp: loyalty points programmes with lots, expiry, refunds and tiers.
//
// Every balance is derived from an append-only ledger. Credits (earn, positive adjust) open
// lots; debits (redeem, expire, reverse_earn, negative adjust) consume lots and record which
// ones (allocations), so reversals give back exactly what was taken. Every mutation is atomic
// and idempotent on a caller external id per programme: a repeat returns the first result and
// changes nothing; the same id with different content throws Errc::conflict. No call reads the
// clock: expiry, reviews and balances take an explicit as_of. Rules: docs/POINTS.md.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "crmkit/store.hpp"
#include "crmkit/time.hpp"

namespace crmkit {

enum class PointsKind { earn, redeem, expire, reverse_earn, reverse_redeem, adjust };
// fifo: oldest lot first. fefo: earliest expiry first, then oldest, then non-expiring.
enum class Consumption { fifo, fefo };
// What happens when a debit (refund reversal, negative adjustment) exceeds the points left:
// allow_negative: the shortfall is a debt and the balance shows it (negative);
// clamp_debt (default): the shortfall is a debt, the balance shows 0, the debt is reported
//   separately; both kinds of debt are paid back from the next credits;
// reject: the debit is refused with Errc::conflict and nothing is written.
enum class RefundPolicy { allow_negative, clamp_debt, reject };
// Tier qualification metric over a rolling window: net points earned (earn + reverse_earn),
// net spend in the programme currency (purchases + refunds, minor units), or purchase count.
enum class TierMetric { points, spend, orders };

const char* to_string(PointsKind k) noexcept;
const char* to_string(Consumption c) noexcept;
const char* to_string(RefundPolicy p) noexcept;
const char* to_string(TierMetric m) noexcept;
PointsKind parse_points_kind(const std::string& text, const char* field = "kind");
Consumption parse_consumption(const std::string& text, const char* field = "consumption");
RefundPolicy parse_refund_policy(const std::string& text, const char* field = "refund_policy");
TierMetric parse_tier_metric(const std::string& text, const char* field = "tier_metric");

// An earn multiplier in permille: 1500 multiplies by 1.5.
struct PointsMultiplier {
  std::string key;             // a channel name ("web") or a segment name
  std::int64_t permille = 1000;
};

struct TierDefinition {
  std::string name;
  std::int64_t threshold = 0;  // metric value needed (points, minor units, or orders)
  std::int64_t permille = 1000;  // earn multiplier while in this tier
};

struct ProgrammeSpec {
  std::string name;                     // unique
  std::string currency;                 // purchases in other currencies earn nothing
  // Points for a purchase: floor(amount_minor * points_per_unit / unit_minor) + points_per_order,
  // then times the channel, segment and tier multipliers, rounded down once at the end.
  std::int64_t points_per_unit = 1;
  std::int64_t unit_minor = 100;        // 100 = one major unit of a 2-decimal currency
  std::int64_t points_per_order = 0;
  std::vector<PointsMultiplier> channel_multipliers;
  std::vector<PointsMultiplier> segment_multipliers;  // the highest of the customer's segments applies
  std::optional<int> expiry_days;       // lots expire expiry_days after they become effective; none: never
  Consumption consumption = Consumption::fifo;
  int pending_days = 0;                 // earned points become spendable this many days after the purchase
  RefundPolicy refund_policy = RefundPolicy::clamp_debt;
  std::optional<std::int64_t> value_per_1000_points;  // minor units of `currency`, for liability
  // Tiers, lowest first; thresholds strictly increasing.
  std::vector<TierDefinition> tiers;
  TierMetric tier_metric = TierMetric::points;
  int tier_window_days = 365;
  int review_period_days = 365;         // a tier is kept at least this long before a review...
  int grace_days = 30;                  // ...plus this grace period
  Instant created_at = 0;
};

struct Programme : ProgrammeSpec {
  std::int64_t id = 0;
  std::vector<std::int64_t> tier_ids;   // parallel to tiers
};

// The outcome of one mutation. `replayed` is true when the external id was seen before and
// the first result is returned unchanged.
struct PointsResult {
  std::int64_t request_id = 0;
  std::int64_t entry_id = 0;    // the first ledger entry written (0: none, e.g. a 0-point earn)
  std::int64_t points = 0;      // net signed change of the ledger
  bool replayed = false;
};

struct PointsBalance {
  std::int64_t customer_id = 0;
  std::int64_t available = 0;   // effective, unexpired lot remainders
  std::int64_t pending = 0;     // lots not yet effective
  std::int64_t debt = 0;        // outstanding debt (allow_negative / clamp_debt)
  std::int64_t balance = 0;     // available - debt; clamped at 0 under clamp_debt
  std::int64_t spendable = 0;   // max(0, available - debt): what redeem accepts
  std::int64_t expiring_soon = 0;  // available points with expires_at <= as_of + days
  std::optional<std::string> tier;
};

struct LedgerEntry {
  std::int64_t id = 0;
  std::int64_t customer_id = 0;
  PointsKind kind = PointsKind::earn;
  std::int64_t points = 0;
  Instant created_at = 0;
  Instant effective_at = 0;
  std::optional<Instant> expires_at;
  std::optional<std::string> source_type;
  std::optional<std::int64_t> source_id;
  std::optional<std::string> reason;
  std::string external_id;      // of the request that wrote it
};

struct LedgerPage {
  std::vector<LedgerEntry> entries;  // by id ascending
  std::int64_t next_after = 0;       // pass as `after`; 0 when complete
};

struct TierChange {
  Instant from = 0;
  std::optional<Instant> to;          // the next change, if any
  std::optional<std::string> tier;    // none: below every tier
  std::optional<std::string> previous;
  std::string reason;                 // enrol, upgrade, review
};

struct TierReviewResult {
  std::int64_t reviewed = 0;
  std::int64_t downgraded = 0;
  std::int64_t upgraded = 0;
};

// A sum over many members: each member's figures fit int64 (points past 2^61 per member are
// refused at the write), their sum over a programme need not, so it is kept exact in 128 bits.
// In JSON it is an integer of as many digits as it needs.
__extension__ typedef __int128 PointsSum;

struct PointsLiability {
  PointsSum outstanding = 0;   // sum of available + pending lot remainders minus debts
  PointsSum available = 0;
  PointsSum pending = 0;
  PointsSum debt = 0;
  std::int64_t members = 0;
  std::optional<PointsSum> value_minor;  // outstanding * value_per_1000 / 1000, rounded down
  std::string currency;
};

struct TierCount {
  std::optional<std::string> tier;  // none: members below every tier
  std::int64_t members = 0;
};

// JSON forms shared by the C API, the CLI and bindings (docs/POINTS.md lists the members).
// parse_programme_spec: an object with "name", "currency", "created_at" (ms or ISO-8601) and
// optional rule members; unknown members are refused (invalid_argument naming the member).
ProgrammeSpec parse_programme_spec(const std::string& json);
std::string to_json(const Programme& p);
std::string to_json(const PointsResult& r);
std::string to_json(const PointsBalance& b);
std::string to_json(const LedgerPage& page);
std::string to_json(const PointsLiability& l);
std::string to_json(const TierReviewResult& r);
std::string to_json(const std::vector<TierCount>& mix);
std::string to_json(const std::vector<TierChange>& history);

class Points {
 public:
  explicit Points(Store& store) : store_(store) {}

  // Creates a programme; conflict when the name exists, invalid_argument naming the field.
  std::int64_t create_programme(const ProgrammeSpec& spec);
  Programme programme(std::int64_t id);                       // not_found
  Programme programme_by_name(const std::string& name);       // not_found
  std::vector<Programme> programmes();

  // Enrols a customer at `enrolled_at`. Repeating with the same instant changes nothing;
  // a different instant is a conflict. Purchases from enrolled_at on earn automatically.
  void enroll(std::int64_t programme_id, std::int64_t customer_id, Instant enrolled_at);
  bool enrolled(std::int64_t programme_id, std::int64_t customer_id);

  // Earns for a purchase interaction (idempotent per (programme, purchase)): the customer must
  // be enrolled and the purchase in the programme currency.
  PointsResult earn_for_purchase(std::int64_t programme_id, std::int64_t purchase_id);

  // Earns, in time order, for every purchase of the programme's members in [from, to) that has
  // not earned yet (purchases before enrolment or in another currency are skipped): for
  // customers enrolled after their purchases were recorded. Returns how many purchases earned.
  std::int64_t earn_backfill(std::int64_t programme_id, Instant from, Instant to);

  // Reverses the earn of a purchase for a refunded amount (minor units, > 0): cumulative
  // refunds R of a purchase of amount A reverse floor(earned * min(R, A) / A) in total.
  PointsResult reverse_purchase(std::int64_t programme_id, std::int64_t purchase_id, std::int64_t refunded_minor,
                                const std::string& external_id, Instant as_of);

  // Spends points (> 0) if spendable >= points, from effective lots in consumption order.
  // order_id optionally links the redemption to a purchase whose refund returns the points.
  PointsResult redeem(std::int64_t programme_id, std::int64_t customer_id, std::int64_t points,
                      const std::string& external_id, Instant as_of,
                      std::optional<std::int64_t> order_id = std::nullopt);

  // Gives back `points` (0: everything not yet returned) of an earlier redemption, to the very
  // lots it consumed, most recently consumed first.
  PointsResult reverse_redemption(std::int64_t programme_id, const std::string& redemption_external_id,
                                  std::int64_t points, const std::string& external_id, Instant as_of);

  // A manual correction (non-zero; reason required). Positive opens a lot effective at as_of;
  // negative consumes like a redemption, the shortfall following the refund policy.
  PointsResult adjust(std::int64_t programme_id, std::int64_t customer_id, std::int64_t points,
                      const std::string& reason, const std::string& external_id, Instant as_of);

  // Writes an expire entry for every lot remainder with expires_at <= as_of (a lot is
  // spendable strictly before its expires_at). Without an external id the key is
  // "expire@<as_of ms>". Returns the total expired (negative points).
  PointsResult expire(std::int64_t programme_id, Instant as_of, const std::string& external_id = {});

  // Moves members down whose tier is older than review period + grace (counted in whole
  // periods from tier_since) and whose metric over the window ending at as_of is below the
  // tier threshold. Naturally idempotent for the same as_of.
  TierReviewResult review_tiers(std::int64_t programme_id, Instant as_of);

  PointsBalance balance(std::int64_t programme_id, std::int64_t customer_id, Instant as_of,
                        int expiring_within_days = 30);
  // Keyset pagination by entry id; customer_id 0 lists the whole programme.
  LedgerPage ledger(std::int64_t programme_id, std::int64_t customer_id = 0, std::int64_t after = 0,
                    int limit = 100);
  std::optional<std::string> tier(std::int64_t programme_id, std::int64_t customer_id);
  std::vector<TierChange> tier_history(std::int64_t programme_id, std::int64_t customer_id);
  // The qualification metric of a member over the window ending at as_of.
  std::int64_t tier_metric_value(std::int64_t programme_id, std::int64_t customer_id, Instant as_of);
  PointsLiability liability(std::int64_t programme_id, Instant as_of);
  std::vector<TierCount> tier_mix(std::int64_t programme_id);  // highest tier first, then none

  // Verifies the ledger: per member, ledger sum == lot remainders - debts; every lot's
  // remaining == points - its allocations; every debit == its allocations + its debt;
  // reverse_redeem entries match their negative allocations; no debt under reject.
  // Throws Error(corrupt) describing the first violation.
  void check_invariants(std::int64_t programme_id);

 private:
  Store store_;
};

}  // namespace crmkit
