// The ledger's mechanics: idempotent requests, entries, lots, allocations and debts.
#include <fmt/format.h>

#include <algorithm>

#include "base/text.hpp"
#include "points/engine.hpp"

namespace crmkit::points {

void check_external_id(const std::string& external_id, const char* field) {
  detail::check_text(field, external_id);
  if (external_id.empty()) throw Error(Errc::invalid_argument, std::string(field) + " is empty");
}

std::optional<PointsResult> find_request(Connection& c, const Rules& r, const RequestKey& key) {
  auto& q = c.prepare(
      "SELECT id, kind, fingerprint, points, entry_id FROM points_requests WHERE programme_id = ? AND external_id = ?");
  detail::StatementReset q_done(q);
  detail::bind_all(q, r.id, key.external_id);
  if (!q.executeStep()) return std::nullopt;
  if (q.getColumn(1).getString() != key.kind || q.getColumn(2).getString() != key.fingerprint) {
    std::string was = q.getColumn(1).getString() + " " + q.getColumn(2).getString();
    throw Error(Errc::conflict,
                fmt::format("external_id '{}' was already used in programme '{}' for a different request ({})",
                            detail::printable(key.external_id), r.name, detail::printable(was)));
  }
  PointsResult res;
  res.request_id = q.getColumn(0).getInt64();
  res.points = q.getColumn(3).getInt64();
  res.entry_id = q.isColumnNull(4) ? 0 : q.getColumn(4).getInt64();
  res.replayed = true;
  return res;
}

std::int64_t insert_request(Connection& c, const Rules& r, const RequestKey& key, Instant created_at,
                            std::optional<std::int64_t> source_id, std::optional<std::int64_t> money_minor) {
  auto& q = detail::prepare_insert(c,
      "INSERT INTO points_requests(programme_id, external_id, kind, fingerprint, points, entry_id, source_id, "
      "money_minor, created_at) VALUES (?,?,?,?,0,NULL,?,?,?)");
  detail::bind_all(q, r.id, key.external_id, key.kind, key.fingerprint, source_id, money_minor, created_at);
  return detail::inserted_id(c, q).value();
}

void finish_request(Connection& c, std::int64_t request_id, std::int64_t points, std::int64_t entry_id) {
  auto& q = c.prepare("UPDATE points_requests SET points = ?, entry_id = ? WHERE id = ?");
  std::optional<std::int64_t> entry;  // 0: no entry was written
  if (entry_id) entry = entry_id;
  detail::bind_all(q, points, entry, request_id);
  q.exec();
}

namespace {

// Entries whose size counts towards kMaxMemberPoints: the credits and the debits that may owe
// more than the lots hold. Other debits only take what credits opened.
bool counts_towards_limit(const NewEntry& e) {
  return e.kind == PointsKind::earn || e.kind == PointsKind::reverse_redeem || e.kind == PointsKind::adjust;
}

void check_member_total(Connection& c, const Rules& r, const NewEntry& e) {
  auto& q = c.prepare(
      "SELECT COALESCE(SUM(ABS(points)), 0) FROM points_ledger WHERE programme_id = ? AND customer_id = ? "
      "AND kind IN ('earn', 'reverse_redeem', 'adjust')");
  detail::StatementReset reset_q(q);
  detail::bind_all(q, r.id, e.customer_id);
  q.executeStep();
  // Each stored total is within the limit and one entry is at most 2^53, so neither the sum
  // nor before + size can overflow.
  std::int64_t before = q.getColumn(0).getInt64();
  std::int64_t size = e.points < 0 ? -e.points : e.points;
  if (size > kMaxMemberPoints - before)
    throw Error(Errc::invalid_argument,
                fmt::format("{} of {} points would bring the points total of customer {} in programme '{}' to {}, "
                            "past the limit of 2^61 ({}) per member",
                            to_string(e.kind), e.points, e.customer_id, r.name,
                            before + size, kMaxMemberPoints));
}

}  // namespace

std::int64_t insert_entry(Connection& c, const Rules& r, const NewEntry& e) {
  if (counts_towards_limit(e)) check_member_total(c, r, e);
  auto& q = detail::prepare_insert(c,
      "INSERT INTO points_ledger(programme_id, customer_id, request_id, kind, points, created_at, effective_at, "
      "expires_at, source_type, source_id, money_minor, reason) VALUES (?,?,?,?,?,?,?,?,?,?,?,?)");
  detail::bind_all(q, r.id, e.customer_id, e.request_id, e.kind, e.points, e.created_at, e.effective_at, e.expires_at,
                   e.source_type, e.source_id, e.money_minor, e.reason);
  return detail::inserted_id(c, q).value();
}

namespace {

void allocate(Connection& c, std::int64_t entry_id, std::int64_t lot_id, std::int64_t points) {
  auto& a = c.prepare("INSERT INTO points_allocations(entry_id, lot_id, points) VALUES (?,?,?)");
  detail::bind_all(a, entry_id, lot_id, points);
  a.exec();
  auto& u = c.prepare("UPDATE points_lots SET remaining = remaining - ? WHERE entry_id = ?");
  detail::bind_all(u, points, lot_id);
  u.exec();
}

struct LotLeft {
  std::int64_t id;
  std::int64_t remaining;
};

// The member's lots a debit may take, in the order it takes them.
std::vector<LotLeft> candidate_lots(Connection& c, const Rules& r, std::int64_t customer_id, Instant as_of,
                                    Reach reach, std::optional<std::int64_t> first_lot) {
  // Effective lots come before pending ones (only reversals reach pending lots); within each,
  // FIFO takes the oldest, FEFO the earliest expiry, then the oldest, then non-expiring.
  std::string order = r.consumption == Consumption::fifo
                          ? "earned_at, entry_id"
                          : "expires_at IS NULL, expires_at, earned_at, entry_id";
  std::string sql;
  sql = "SELECT entry_id, remaining FROM points_lots WHERE programme_id = ?1 AND customer_id = ?2 "
        "AND remaining > 0 AND (expires_at IS NULL OR expires_at > ?3) ";
  if (reach == Reach::available) sql += "AND effective_at <= ?3 ";
  sql += "ORDER BY (entry_id = ?4) DESC, (effective_at > ?3), " + order;
  auto& q = c.prepare(sql);
  detail::bind_all(q, r.id, customer_id, as_of, first_lot.value_or(0));
  std::vector<LotLeft> out;
  while (q.executeStep()) out.push_back({q.getColumn(0).getInt64(), q.getColumn(1).getInt64()});
  return out;
}

}  // namespace

std::int64_t coverable(Connection& c, const Rules& r, std::int64_t customer_id, Instant as_of, Reach reach,
                       std::optional<std::int64_t> first_lot) {
  std::int64_t total = 0;
  for (const auto& l : candidate_lots(c, r, customer_id, as_of, reach, first_lot)) total += l.remaining;
  return total;
}

std::int64_t consume(Connection& c, const Rules& r, std::int64_t customer_id, std::int64_t entry_id,
                     std::int64_t amount, Instant as_of, Reach reach, std::optional<std::int64_t> first_lot) {
  std::int64_t left = amount;
  for (const auto& l : candidate_lots(c, r, customer_id, as_of, reach, first_lot)) {
    if (left == 0) break;
    std::int64_t take = std::min(left, l.remaining);
    allocate(c, entry_id, l.id, take);
    left -= take;
  }
  return amount - left;
}

void record_debt(Connection& c, const Rules& r, std::int64_t customer_id, std::int64_t entry_id,
                 std::int64_t points) {
  auto& q = c.prepare(
      "INSERT INTO points_debts(entry_id, programme_id, customer_id, points, outstanding) VALUES (?,?,?,?,?)");
  detail::bind_all(q, entry_id, r.id, customer_id, points, points);
  q.exec();
}

void repay_debts_from(Connection& c, const Rules& r, std::int64_t customer_id, std::int64_t lot_id) {
  auto& d = c.prepare(
      "SELECT entry_id, outstanding FROM points_debts WHERE programme_id = ? AND customer_id = ? AND outstanding > 0 "
      "ORDER BY entry_id");
  detail::bind_all(d, r.id, customer_id);
  std::vector<LotLeft> debts;
  while (d.executeStep()) debts.push_back({d.getColumn(0).getInt64(), d.getColumn(1).getInt64()});
  if (debts.empty()) return;
  std::int64_t left = 0;
  {
    auto& l = c.prepare("SELECT remaining FROM points_lots WHERE entry_id = ?");
    detail::StatementReset l_done(l);
    detail::bind_all(l, lot_id);
    l.executeStep();
    left = l.getColumn(0).getInt64();
  }
  for (const auto& debt : debts) {
    if (left == 0) break;
    std::int64_t pay = std::min(left, debt.remaining);
    allocate(c, debt.id, lot_id, pay);
    auto& u = c.prepare("UPDATE points_debts SET outstanding = outstanding - ? WHERE entry_id = ?");
    detail::bind_all(u, pay, debt.id);
    u.exec();
    left -= pay;
  }
}

void open_lot(Connection& c, const Rules& r, std::int64_t entry_id, std::int64_t customer_id, std::int64_t points,
              Instant earned_at, Instant effective_at, std::optional<Instant> expires_at) {
  auto& q = c.prepare(
      "INSERT INTO points_lots(entry_id, programme_id, customer_id, points, remaining, earned_at, effective_at, "
      "expires_at) VALUES (?,?,?,?,?,?,?,?)");
  detail::bind_all(q, entry_id, r.id, customer_id, points, points, earned_at, effective_at, expires_at);
  q.exec();
  repay_debts_from(c, r, customer_id, entry_id);
}

std::int64_t available(Connection& c, std::int64_t programme_id, std::int64_t customer_id, Instant as_of) {
  auto& q = c.prepare(
      "SELECT COALESCE(SUM(remaining), 0) FROM points_lots WHERE programme_id = ?1 AND customer_id = ?2 "
      "AND remaining > 0 AND effective_at <= ?3 AND (expires_at IS NULL OR expires_at > ?3)");
  detail::StatementReset q_done(q);
  detail::bind_all(q, programme_id, customer_id, as_of);
  q.executeStep();
  std::int64_t v = q.getColumn(0).getInt64();
  return v;
}

std::int64_t debt(Connection& c, std::int64_t programme_id, std::int64_t customer_id) {
  auto& q = c.prepare(
      "SELECT COALESCE(SUM(outstanding), 0) FROM points_debts WHERE programme_id = ? AND customer_id = ?");
  detail::StatementReset q_done(q);
  detail::bind_all(q, programme_id, customer_id);
  q.executeStep();
  std::int64_t v = q.getColumn(0).getInt64();
  return v;
}

}  // namespace crmkit::points
