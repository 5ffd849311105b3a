// Points programmes: their rules, validation and storage; enrolment of customers.
#include <fmt/format.h>

#include <set>

#include "base/enums.hpp"
#include "base/text.hpp"
#include "crmkit/money.hpp"
#include "customers/customer_exists.hpp"
#include "points/engine.hpp"
#include "store/stored.hpp"

namespace crmkit {

namespace {
constexpr int kMaxDays = 36'600;
constexpr std::int64_t kMaxPermille = 1'000'000;  // x1000
constexpr std::int64_t kMaxRate = 1'000'000'000;
}  // namespace

namespace {

void check_range(const char* field, std::int64_t v, std::int64_t lo, std::int64_t hi) {
  if (v < lo || v > hi)
    throw Error(Errc::invalid_argument, fmt::format("{} {} is out of range {}..{}", field, v, lo, hi));
}

void validate(const ProgrammeSpec& s) {
  detail::check_text("name", s.name, 200);
  detail::check_instant("created_at", s.created_at);
  if (detail::trim(s.name).empty()) throw Error(Errc::invalid_argument, "name is empty");
  if (!is_currency_code(s.currency))
    throw Error(Errc::invalid_argument,
                fmt::format("currency '{}' is not an ISO 4217 currency code",
                            detail::printable(s.currency)));
  check_range("points_per_unit", s.points_per_unit, 0, kMaxRate);
  check_range("unit_minor", s.unit_minor, 1, kMaxRate);
  check_range("points_per_order", s.points_per_order, 0, kMaxRate);
  std::set<std::string> seen;
  for (const auto& m : s.channel_multipliers) {
    bool ok = false;
    for (const auto& ch : detail::kChannelNames) ok = ok || m.key == ch.name;
    if (!ok)
      throw Error(Errc::invalid_argument,
                  fmt::format("channel multiplier key '{}' is not a channel", detail::printable(m.key)));
    if (!seen.insert(m.key).second)
      throw Error(Errc::invalid_argument, fmt::format("channel multiplier '{}' is given twice", m.key));
    check_range("channel multiplier permille", m.permille, 0, kMaxPermille);
  }
  seen.clear();
  for (const auto& m : s.segment_multipliers) {
    detail::check_text("segment multiplier key", m.key, 200);
    if (m.key.empty()) throw Error(Errc::invalid_argument, "segment multiplier key is empty");
    if (!seen.insert(m.key).second)
      throw Error(Errc::invalid_argument,
                  fmt::format("segment multiplier '{}' is given twice", detail::printable(m.key)));
    check_range("segment multiplier permille", m.permille, 0, kMaxPermille);
  }
  if (s.expiry_days) check_range("expiry_days", *s.expiry_days, 1, kMaxDays);
  check_range("pending_days", s.pending_days, 0, kMaxDays);
  if (s.value_per_1000_points) check_range("value_per_1000_points", *s.value_per_1000_points, 0, kMaxRate);
  check_range("tier_window_days", s.tier_window_days, 1, kMaxDays);
  check_range("review_period_days", s.review_period_days, 1, kMaxDays);
  check_range("grace_days", s.grace_days, 0, kMaxDays);
  seen.clear();
  for (std::size_t i = 0; i < s.tiers.size(); ++i) {
    const auto& t = s.tiers[i];
    detail::check_text("tier name", t.name, 200);
    if (t.name.empty()) throw Error(Errc::invalid_argument, "tier name is empty");
    if (!seen.insert(t.name).second)
      throw Error(Errc::invalid_argument, fmt::format("tier name '{}' is given twice", detail::printable(t.name)));
    check_range("tier threshold", t.threshold, 0, std::int64_t(1) << 60);
    check_range("tier permille", t.permille, 0, kMaxPermille);
    if (i > 0 && t.threshold <= s.tiers[i - 1].threshold)
      throw Error(Errc::invalid_argument,
                  fmt::format("tier '{}' threshold {} must be greater than the previous tier's {}",
                              detail::printable(t.name), t.threshold, s.tiers[i - 1].threshold));
  }
}

std::optional<std::int64_t> opt_int(detail::Statement& q, int col) {
  if (q.isColumnNull(col)) return std::nullopt;
  return q.getColumn(col).getInt64();
}

Programme to_programme(const points::Rules& r) {
  Programme p;
  p.id = r.id;
  p.name = r.name;
  p.currency = r.currency;
  p.points_per_unit = r.points_per_unit;
  p.unit_minor = r.unit_minor;
  p.points_per_order = r.points_per_order;
  for (const auto& [k, v] : r.channel_permille) p.channel_multipliers.push_back({k, v});
  for (const auto& [k, v] : r.segment_permille) p.segment_multipliers.push_back({k, v});
  if (r.expiry_days) p.expiry_days = static_cast<int>(*r.expiry_days);
  p.consumption = r.consumption;
  p.pending_days = static_cast<int>(r.pending_days);
  p.refund_policy = r.refund_policy;
  p.value_per_1000_points = r.value_per_1000;
  for (const auto& t : r.tiers) {
    p.tiers.push_back({t.name, t.threshold, t.permille});
    p.tier_ids.push_back(t.id);
  }
  p.tier_metric = r.tier_metric;
  p.tier_window_days = static_cast<int>(r.tier_window_days);
  p.review_period_days = static_cast<int>(r.review_period_days);
  p.grace_days = static_cast<int>(r.grace_days);
  p.created_at = r.created_at;
  return p;
}

}  // namespace

namespace points {

std::string fmt_instant(Instant t) { return format_instant(t); }

Rules load_rules(Connection& c, std::int64_t programme_id) {
  auto& q = c.prepare(
      "SELECT id, name, currency, points_per_unit, unit_minor, points_per_order, expiry_days, consumption, "
      "pending_days, refund_policy, value_per_1000, tier_metric, tier_window_days, review_period_days, "
      "grace_days, created_at FROM points_programmes WHERE id = ?");
  detail::StatementReset q_done(q);  // a damaged row throws while the statement is on it
  detail::bind_all(q, programme_id);
  if (!q.executeStep())
    throw Error(Errc::not_found, fmt::format("points programme {} does not exist", programme_id));
  const detail::StoredRow row(q, "points_programmes");
  Rules r;
  row.columns(0, r.id, r.name, r.currency, r.points_per_unit, r.unit_minor, r.points_per_order, r.expiry_days);
  r.consumption = row.parse(7, [](const std::string& t) { return parse_consumption(t); });
  r.pending_days = row.int64(8);
  r.refund_policy = row.parse(9, [](const std::string& t) { return parse_refund_policy(t); });
  r.value_per_1000 = row.opt_int64(10);
  r.tier_metric = row.parse(11, [](const std::string& t) { return parse_tier_metric(t); });
  row.columns(12, r.tier_window_days, r.review_period_days, r.grace_days, r.created_at);
  auto& m = c.prepare("SELECT kind, key, permille FROM points_multipliers WHERE programme_id = ? ORDER BY kind, key");
  detail::bind_all(m, programme_id);
  while (m.executeStep()) {
    auto& map = m.getColumn(0).getString() == "channel" ? r.channel_permille : r.segment_permille;
    map[m.getColumn(1).getString()] = m.getColumn(2).getInt64();
  }
  auto& t = c.prepare(
      "SELECT id, name, rank, threshold, permille FROM points_tiers WHERE programme_id = ? ORDER BY rank");
  detail::bind_all(t, programme_id);
  while (t.executeStep())
    r.tiers.push_back({t.getColumn(0).getInt64(), t.getColumn(1).getString(), t.getColumn(2).getInt64(),
                       t.getColumn(3).getInt64(), t.getColumn(4).getInt64()});
  return r;
}

std::optional<Member> find_member(Connection& c, std::int64_t programme_id, std::int64_t customer_id) {
  auto& q = c.prepare(
      "SELECT enrolled_at, tier_id, tier_since, next_review_at FROM points_members "
      "WHERE programme_id = ? AND customer_id = ?");
  detail::StatementReset q_done(q);
  detail::bind_all(q, programme_id, customer_id);
  if (!q.executeStep()) return std::nullopt;
  Member m;
  m.enrolled_at = q.getColumn(0).getInt64();
  m.tier_id = opt_int(q, 1);
  m.tier_since = q.getColumn(2).getInt64();
  m.next_review_at = opt_int(q, 3);
  return m;
}

Member require_member(Connection& c, const Rules& r, std::int64_t customer_id) {
  auto m = find_member(c, r.id, customer_id);
  if (!m)
    throw Error(Errc::not_found,
                fmt::format("customer {} is not enrolled in points programme '{}'", customer_id, r.name));
  return *m;
}

}  // namespace points

std::int64_t Points::create_programme(const ProgrammeSpec& s) {
  return detail::guard([&] {
    auto& c = detail::connection_of(store_);
    detail::require_writable(c);
    validate(s);
    detail::WriteScope scope(c);
    auto& exists = c.prepare("SELECT id FROM points_programmes WHERE name = ?");
    {
      detail::StatementReset exists_done(exists);
      detail::bind_all(exists, s.name);
      if (exists.executeStep())
        throw Error(Errc::conflict, fmt::format("points programme '{}' already exists", detail::printable(s.name)));
    }
    auto& ins = detail::prepare_insert(c,
        "INSERT INTO points_programmes(name, currency, points_per_unit, unit_minor, points_per_order, expiry_days, "
        "consumption, pending_days, refund_policy, value_per_1000, tier_metric, tier_window_days, "
        "review_period_days, grace_days, created_at) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)");
    detail::bind_all(ins, s.name, s.currency, s.points_per_unit, s.unit_minor, s.points_per_order, s.expiry_days,
                     s.consumption, s.pending_days, s.refund_policy, s.value_per_1000_points,
                     s.tier_metric, s.tier_window_days, s.review_period_days, s.grace_days, s.created_at);
    const std::int64_t id = detail::inserted_id(c, ins).value();
    auto& mul = c.prepare("INSERT INTO points_multipliers(programme_id, kind, key, permille) VALUES (?,?,?,?)");
    auto add = [&](const char* kind, const std::vector<PointsMultiplier>& list) {
      for (const auto& m : list) {
        detail::StatementReset row_done(mul);
        detail::bind_all(mul, id, kind, m.key, m.permille);
        mul.exec();
      }
    };
    add("channel", s.channel_multipliers);
    add("segment", s.segment_multipliers);
    auto& tier = c.prepare(
        "INSERT INTO points_tiers(programme_id, name, rank, threshold, permille) VALUES (?,?,?,?,?)");
    for (std::size_t i = 0; i < s.tiers.size(); ++i) {
      detail::StatementReset row_done(tier);
      detail::bind_all(tier, id, s.tiers[i].name, i + 1, s.tiers[i].threshold, s.tiers[i].permille);
      tier.exec();
    }
    scope.commit();
    return id;
  });
}

Programme Points::programme(std::int64_t id) {
  return detail::guard([&] { return to_programme(points::load_rules(detail::connection_of(store_), id)); });
}

Programme Points::programme_by_name(const std::string& name) {
  return detail::guard([&] {
    auto& c = detail::connection_of(store_);
    detail::check_text("name", name, 200);
    std::int64_t id = 0;
    {
      auto& q = c.prepare("SELECT id FROM points_programmes WHERE name = ?");
      detail::StatementReset q_done(q);
      detail::bind_all(q, name);
      if (!q.executeStep())
        throw Error(Errc::not_found, fmt::format("points programme '{}' does not exist", detail::printable(name)));
      id = q.getColumn(0).getInt64();
    }
    return to_programme(points::load_rules(c, id));
  });
}

std::vector<Programme> Points::programmes() {
  return detail::guard([&] {
    auto& c = detail::connection_of(store_);
    std::vector<std::int64_t> ids;
    auto& q = c.prepare("SELECT id FROM points_programmes ORDER BY id");
    while (q.executeStep()) ids.push_back(q.getColumn(0).getInt64());
    std::vector<Programme> out;
    for (auto id : ids) out.push_back(to_programme(points::load_rules(c, id)));
    return out;
  });
}

void Points::enroll(std::int64_t programme_id, std::int64_t customer_id, Instant enrolled_at) {
  detail::guard([&] {
    auto& c = detail::connection_of(store_);
    detail::require_writable(c);
    detail::check_instant("enrolled_at", enrolled_at);
    detail::WriteScope scope(c);
    auto r = points::load_rules(c, programme_id);
    if (!detail::customer_exists(c, customer_id))
      throw Error(Errc::not_found, fmt::format("customer {} does not exist", customer_id));
    if (auto m = points::find_member(c, programme_id, customer_id)) {
      if (m->enrolled_at != enrolled_at)
        throw Error(Errc::conflict,
                    fmt::format("customer {} is already enrolled in '{}' since {}", customer_id, r.name,
                                format_instant(m->enrolled_at)));
      return;  // the same enrolment again: nothing to do
    }
    auto& ins = c.prepare(
        "INSERT INTO points_members(programme_id, customer_id, enrolled_at, tier_id, tier_since, next_review_at) "
        "VALUES (?,?,?,NULL,?,NULL)");
    detail::bind_all(ins, programme_id, customer_id, enrolled_at, enrolled_at);
    ins.exec();
    // The entry tier is the highest whose threshold a new member's metric (0) reaches.
    points::Member m{enrolled_at, std::nullopt, enrolled_at, std::nullopt};
    std::int64_t rank = points::qualifying_rank(r, points::metric_value(c, r, customer_id, m, enrolled_at));
    points::set_tier(c, r, customer_id, std::nullopt, rank, enrolled_at, "enrol");
    scope.commit();
  });
}

bool Points::enrolled(std::int64_t programme_id, std::int64_t customer_id) {
  return detail::guard([&] { return points::find_member(detail::connection_of(store_), programme_id, customer_id).has_value(); });
}

}  // namespace crmkit
