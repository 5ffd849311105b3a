// Saved segments: definitions with versioned rules, evaluation, refresh and membership history.
#include <SQLiteCpp/Database.h>
#include <SQLiteCpp/Statement.h>
#include <fmt/format.h>

#include <set>

#include "base/checks.hpp"
#include "base/text.hpp"
#include "crmkit/error.hpp"
#include "crmkit/segment.hpp"
#include "customers/customer_exists.hpp"
#include "segments/rule.hpp"
#include "store/connection.hpp"
#include "store/stored.hpp"

namespace crmkit {

using segments::json;

std::string canonical_rule(const std::string& rule_json) { return segments::parse_rule(rule_json).dump(); }
std::string rule_from_text(const std::string& text) { return segments::rule_from_text(text).dump(); }
std::string rule_to_text(const std::string& rule_json) {
  return segments::rule_to_text(segments::parse_rule(rule_json));
}

namespace {

void bind_params(detail::Statement& st, const std::vector<SqlParam>& params, int first = 1) {
  for (std::size_t i = 0; i < params.size(); ++i) {
    const int k = first + static_cast<int>(i);
    const SqlParam& p = params[i];
    switch (p.type) {
      case SqlParam::Type::integer: detail::bind_value(st, k, p.integer); break;
      case SqlParam::Type::real: detail::bind_value(st, k, p.real); break;
      case SqlParam::Type::text: detail::bind_value(st, k, p.text); break;
    }
  }
}

std::int64_t segment_id_of(detail::Connection& c, const std::string& name) {
  auto& st = c.prepare("SELECT id FROM segments WHERE name = ?");
  detail::StatementReset done(st);  // no read snapshot left open after the lookup
  detail::bind_all(st, name);
  if (!st.executeStep())
    throw Error(Errc::not_found, fmt::format("segment '{}' does not exist", detail::printable(name)));
  return st.getColumn(0).getInt64();
}

void check_name(const std::string& name) {
  detail::check_text("segment name", name, 200);
  if (name.empty()) throw Error(Errc::invalid_argument, "segment name is empty");
}

segments::CompiledRule compile(detail::Connection& c, const Store& store, const json& rule, Instant as_of,
                               bool strict) {
  segments::CompileContext ctx;
  ctx.as_of = as_of;
  ctx.currency = store.default_currency();
  ctx.strict_nulls = strict;
  ctx.backend = c.backend();
  ctx.resolve_segment = [&c](const std::string& name) { return segment_id_of(c, name); };
  ctx.known_purpose = [&c](const std::string& purpose) {
    auto& st = c.prepare("SELECT 1 FROM consent_purposes WHERE name = ?");
    return detail::one_row(st, [](detail::Statement&) { return true; }, purpose).has_value();
  };
  return segments::compile_rule(rule, ctx);
}

// A saved rule must stay runnable: its SQL is prepared once at save time inside the deepest
// wrapper used later (sample's subquery), so a rule SQLite cannot compile is refused then, with
// its reason, instead of failing every refresh.
void check_compiles(detail::Connection& c, const segments::CompiledRule& compiled) {
  try {
    auto st = c.statement(fmt::format("SELECT id FROM ({}) AS r ORDER BY id LIMIT ?{}", compiled.sql,
                                      compiled.params.size() + 1));
    bind_params(*st, compiled.params);
    // PostgreSQL plans a statement when it is first described; SQLite when it is prepared.
    st->getColumnCount();
  } catch (const detail::SqlError& e) {
    if (e.code() == detail::SqlCode::no_memory || e.code() == detail::SqlCode::io ||
        e.code() == detail::SqlCode::busy)
      throw;
    throw Error(Errc::invalid_argument, fmt::format("rule: too complex for the database to compile ({})", e.what()));
  }
}

const char* kSegmentColumns =
    "SELECT s.id, s.name, s.kind, s.description, s.rule_version, s.strict_nulls, s.refreshed_at, "
    "(SELECT v.rule FROM segment_versions v WHERE v.segment_id = s.id AND v.version = s.rule_version), "
    "(SELECT count(*) FROM segment_membership m WHERE m.segment_id = s.id AND m.left_at IS NULL) "
    "FROM segments s";

Segment read_segment(detail::Statement& st) {
  Segment s;
  const detail::StoredRow row(st, "segments");
  s.id = row.int64(0);
  s.name = row.text(1);
  // A kind that is neither name was let through as "static" before: it is damage.
  s.kind = row.parse(2, [](const std::string& t) { return parse_segment_kind(t); });
  s.description = row.text(3);
  s.rule_version = static_cast<int>(row.int64(4));
  s.strict_nulls = row.int64(5) != 0;
  s.refreshed_at = row.opt_int64(6);
  s.rule = row.opt_text(7).value_or(std::string());
  s.member_count = row.int64(8);
  return s;
}

Segment load(detail::Connection& c, const std::string& name) {
  auto& st = c.prepare(std::string(kSegmentColumns) + " WHERE s.name = ?");
  return detail::required_row(
      st, read_segment, [&] { return fmt::format("segment '{}' does not exist", detail::printable(name)); }, name);
}

// A segment whose members are added and removed by hand.
Segment load_static(detail::Connection& c, const std::string& name) {
  Segment s = load(c, name);
  if (s.kind != SegmentKind::manual_static)
    throw Error(Errc::invalid_argument,
                fmt::format("segment '{}' is dynamic: its rule decides its members", detail::printable(name)));
  return s;
}

// Ids of the segments `rule` refers to; refuses unknown names and references that would close a
// cycle through `self` (0 for a new segment).
std::vector<std::int64_t> check_references(detail::Connection& c, const json& rule, std::int64_t self,
                                           const std::string& self_name) {
  std::vector<std::int64_t> ids;
  for (const auto& name : segments::referenced_segments(rule)) {
    std::int64_t id;
    try {
      id = segment_id_of(c, name);
    } catch (const Error& e) {
      throw Error(Errc::not_found, std::string("rule refers to an unknown segment: ") + e.what());
    }
    ids.push_back(id);
  }
  if (self == 0) return ids;
  // Depth-first search along stored references: reaching `self` again is a cycle.
  std::set<std::int64_t> seen;
  std::vector<std::int64_t> stack = ids;
  while (!stack.empty()) {
    std::int64_t s = stack.back();
    stack.pop_back();
    if (s == self)
      throw Error(Errc::conflict, fmt::format("rule of segment '{}' would refer to itself (a cycle of segment "
                                              "references)", detail::printable(self_name)));
    if (!seen.insert(s).second) continue;
    auto& st = c.prepare("SELECT ref_segment_id FROM segment_refs WHERE segment_id = ?");
    detail::StatementReset done(st);
    detail::bind_all(st, s);
    while (st.executeStep()) stack.push_back(st.getColumn(0).getInt64());
  }
  return ids;
}

void save_version(detail::Connection& c, std::int64_t id, int version, const json& rule, bool strict,
                  const std::vector<std::int64_t>& refs) {
  auto& v = c.prepare("INSERT INTO segment_versions(segment_id, version, rule, strict_nulls) VALUES (?, ?, ?, ?)");
  detail::bind_all(v, id, version, rule.dump(), strict);
  v.exec();
  auto& d = c.prepare("DELETE FROM segment_refs WHERE segment_id = ?");
  detail::bind_all(d, id);
  d.exec();
  auto& r = c.prepare("INSERT INTO segment_refs(segment_id, ref_segment_id) VALUES (?, ?)");
  for (auto ref : refs) {
    detail::StatementReset row_done(r);
    detail::bind_all(r, id, ref);
    r.exec();
  }
}

std::vector<Membership> read_memberships(detail::Statement& st) {
  detail::StatementReset done(st);
  std::vector<Membership> out;
  while (st.executeStep()) {
    Membership m;
    const detail::StoredRow row(st, "segment_membership", -1);
    row.columns(0, m.segment_id, m.segment_name, m.customer_id, m.entered_at, m.left_at);
    if (auto v = row.opt_int64(5)) m.rule_version = static_cast<int>(*v);
    out.push_back(std::move(m));
  }
  return out;
}

const char* kMembershipColumns =
    "SELECT m.segment_id, s.name, m.customer_id, m.entered_at, m.left_at, m.rule_version "
    "FROM segment_membership m JOIN segments s ON s.id = m.segment_id";

}  // namespace

std::int64_t Segments::count(const std::string& rule_json, Instant as_of, const RuleOptions& o) const {
  return detail::guard([&] {
    auto& c = detail::connection_of(store_);
    auto compiled = compile(c, store_, segments::parse_rule(rule_json), as_of, o.strict_nulls);
    // count(*) straight over the compiled FROM/WHERE (no subquery to flatten).
    static const std::string kSelect = "SELECT c.id ";
    const std::string sql = compiled.sql.rfind(kSelect, 0) == 0
                                ? "SELECT count(*) " + compiled.sql.substr(kSelect.size())
                                : "SELECT count(*) FROM (" + compiled.sql + ") AS r";
    auto st = c.statement(sql);
    bind_params(*st, compiled.params);
    st->executeStep();
    return static_cast<std::int64_t>(st->getColumn(0).getInt64());
  });
}

std::vector<std::int64_t> Segments::sample(const std::string& rule_json, Instant as_of, std::int64_t limit,
                                           const RuleOptions& o) const {
  if (limit < 0) throw Error(Errc::invalid_argument, fmt::format("limit {} is negative", limit));
  return detail::guard([&] {
    auto& c = detail::connection_of(store_);
    auto compiled = compile(c, store_, segments::parse_rule(rule_json), as_of, o.strict_nulls);
    auto st = c.statement(fmt::format("SELECT id FROM ({}) AS r ORDER BY id LIMIT ?{}", compiled.sql,
                                      compiled.params.size() + 1));
    bind_params(*st, compiled.params);
    detail::bind_value(*st, static_cast<int>(compiled.params.size() + 1), limit);
    std::vector<std::int64_t> ids;
    while (st->executeStep()) ids.push_back(st->getColumn(0).getInt64());
    return ids;
  });
}

std::vector<std::int64_t> Segments::evaluate(const std::string& rule_json, Instant as_of,
                                             const RuleOptions& o) const {
  return sample(rule_json, as_of, INT64_MAX, o);
}

ExplainedRule Segments::explain(const std::string& rule_json, Instant as_of, const RuleOptions& o) const {
  return detail::guard([&] {
    auto& c = detail::connection_of(store_);
    json rule = segments::parse_rule(rule_json);
    auto compiled = compile(c, store_, rule, as_of, o.strict_nulls);
    return ExplainedRule{compiled.sql, compiled.params, rule.dump()};
  });
}

Segment Segments::create(const std::string& name, SegmentKind kind, const std::string& rule_json,
                         const std::string& description, const RuleOptions& o) {
  check_name(name);
  detail::check_text("description", description, detail::kMaxLongText);
  auto& c = detail::connection_of(store_);
  detail::require_writable(c);
  return detail::guard([&] {
    json rule;
    if (kind == SegmentKind::dynamic) {
      if (rule_json.empty()) throw Error(Errc::invalid_argument, "rule: a dynamic segment needs a rule");
      rule = segments::parse_rule(rule_json);
    } else if (!rule_json.empty()) {
      throw Error(Errc::invalid_argument, "rule: a static segment takes no rule (add customers by hand)");
    }
    detail::WriteScope scope(c);
    {
      auto& e = c.prepare("SELECT 1 FROM segments WHERE name = ?");
      detail::StatementReset done(e);
      detail::bind_all(e, name);
      if (e.executeStep())
        throw Error(Errc::conflict, fmt::format("segment '{}' already exists", detail::printable(name)));
    }
    std::vector<std::int64_t> refs;
    if (kind == SegmentKind::dynamic) {
      refs = check_references(c, rule, 0, name);
      check_compiles(c, compile(c, store_, rule, 0, o.strict_nulls));  // amounts, references, SQL
    }
    auto& ins = detail::prepare_insert(c, "INSERT INTO segments(name, kind, description, rule_version, strict_nulls) "
                                          "VALUES (?, ?, ?, ?, ?)");
    detail::bind_all(ins, name, kind, description, kind == SegmentKind::dynamic, o.strict_nulls);
    const std::int64_t id = detail::inserted_id(c, ins).value();
    if (kind == SegmentKind::dynamic) save_version(c, id, 1, rule, o.strict_nulls, refs);
    Segment s = load(c, name);
    scope.commit();
    return s;
  });
}

Segment Segments::update(const std::string& name, const std::string& rule_json, const RuleOptions& o) {
  auto& c = detail::connection_of(store_);
  detail::require_writable(c);
  return detail::guard([&] {
    json rule = segments::parse_rule(rule_json);
    detail::WriteScope scope(c);
    Segment s = load(c, name);
    if (s.kind != SegmentKind::dynamic)
      throw Error(Errc::invalid_argument, fmt::format("segment '{}' is static: it has no rule to update",
                                                      detail::printable(name)));
    auto refs = check_references(c, rule, s.id, name);
    check_compiles(c, compile(c, store_, rule, 0, o.strict_nulls));
    const int version = s.rule_version + 1;
    save_version(c, s.id, version, rule, o.strict_nulls, refs);
    auto& up = c.prepare("UPDATE segments SET rule_version = ?, strict_nulls = ? WHERE id = ?");
    detail::bind_all(up, version, o.strict_nulls, s.id);
    up.exec();
    Segment out = load(c, name);
    scope.commit();
    return out;
  });
}

void Segments::remove(const std::string& name) {
  auto& c = detail::connection_of(store_);
  detail::require_writable(c);
  detail::guard([&] {
    detail::WriteScope scope(c);
    const std::int64_t id = segment_id_of(c, name);
    {
      auto& r = c.prepare("SELECT s.name FROM segment_refs x JOIN segments s ON s.id = x.segment_id "
                          "WHERE x.ref_segment_id = ? ORDER BY s.name LIMIT 1");
      detail::StatementReset done(r);
      detail::bind_all(r, id);
      if (r.executeStep())
        throw Error(Errc::conflict,
                    fmt::format("segment '{}' is used by the rule of segment '{}'", detail::printable(name),
                                detail::printable(r.getColumn(0).getString())));
    }
    auto& d = c.prepare("DELETE FROM segments WHERE id = ?");
    detail::bind_all(d, id);
    d.exec();
    scope.commit();
  });
}

Segment Segments::get(const std::string& name) const {
  return detail::guard([&] { return load(detail::connection_of(store_), name); });
}

std::vector<Segment> Segments::list() const {
  return detail::guard([&] {
    auto& st = detail::connection_of(store_).prepare(std::string(kSegmentColumns) + " ORDER BY s.name");
    return detail::all_rows(st, read_segment);
  });
}

std::vector<SegmentVersion> Segments::versions(const std::string& name) const {
  return detail::guard([&] {
    auto& c = detail::connection_of(store_);
    const std::int64_t id = segment_id_of(c, name);
    auto& st = c.prepare("SELECT version, rule, strict_nulls FROM segment_versions WHERE segment_id = ? ORDER BY version");
    detail::StatementReset done(st);
    detail::bind_all(st, id);
    std::vector<SegmentVersion> out;
    while (st.executeStep())
      out.push_back({st.getColumn(0).getInt(), st.getColumn(1).getString(), st.getColumn(2).getInt() != 0});
    return out;
  });
}

RefreshResult Segments::refresh(const std::string& name, Instant as_of) {
  auto& c = detail::connection_of(store_);
  detail::require_writable(c);
  return detail::guard([&] {
    detail::WriteScope scope(c);
    Segment s = load(c, name);
    if (s.kind != SegmentKind::dynamic)
      throw Error(Errc::invalid_argument, fmt::format("segment '{}' is static: change its members by hand",
                                                      detail::printable(name)));
    // Compiling checks as_of's range first, so the message below never formats an impossible date.
    auto compiled = compile(c, store_, json::parse(s.rule), as_of, s.strict_nulls);
    if (s.refreshed_at && as_of < *s.refreshed_at)
      throw Error(Errc::invalid_argument,
                  fmt::format("as_of {} precedes the last refresh of segment '{}' ({})", format_instant(as_of),
                              detail::printable(name), format_instant(*s.refreshed_at)));
    c.db.exec(c.dialect().temp_ids_table("segment_refresh_ids"));
    c.db.exec("DELETE FROM segment_refresh_ids");
    {
      auto fill = c.statement("INSERT INTO segment_refresh_ids(id) " + compiled.sql);
      bind_params(*fill, compiled.params);
      fill->exec();
    }
    RefreshResult r;
    r.rule_version = s.rule_version;
    auto& leave = c.prepare("UPDATE segment_membership SET left_at = ?1 WHERE segment_id = ?2 AND left_at IS NULL "
                            "AND customer_id NOT IN (SELECT id FROM segment_refresh_ids)");
    detail::bind_all(leave, as_of, s.id);
    r.left = leave.exec();
    auto& enter = c.prepare(
        "INSERT INTO segment_membership(segment_id, customer_id, entered_at, rule_version, source) "
        "SELECT ?1, t.id, ?2, ?3, 'rule' FROM segment_refresh_ids t WHERE NOT EXISTS (SELECT 1 FROM "
        "segment_membership m WHERE m.segment_id = ?1 AND m.customer_id = t.id AND m.left_at IS NULL)");
    detail::bind_all(enter, s.id, as_of, s.rule_version);
    r.entered = enter.exec();
    auto& done = c.prepare("UPDATE segments SET refreshed_at = ? WHERE id = ?");
    detail::bind_all(done, as_of, s.id);
    done.exec();
    {
      auto& n = c.prepare("SELECT count(*) FROM segment_refresh_ids");
      detail::StatementReset n_done(n);
      n.executeStep();
      r.members = n.getColumn(0).getInt64();
    }
    c.db.exec("DELETE FROM segment_refresh_ids");
    scope.commit();
    return r;
  });
}

namespace {

// Adds or removes hand-kept members in one write: `change(c, segment, customer_id)` returns the
// number of membership rows it changed for that customer. Returns the total.
template <class Change>
std::int64_t change_static_members(Store& store, const std::string& name, const std::vector<std::int64_t>& ids,
                                   Instant at, Change change) {
  auto& c = detail::connection_of(store);
  detail::require_writable(c);
  return detail::guard([&] {
    detail::check_instant("at", at);
    detail::WriteScope scope(c);
    const Segment s = load_static(c, name);
    std::int64_t changed = 0;
    for (auto id : ids) changed += change(c, s, id);
    scope.commit();
    return changed;
  });
}

}  // namespace

std::int64_t Segments::add_customers(const std::string& name, const std::vector<std::int64_t>& ids, Instant at) {
  return change_static_members(store_, name, ids, at, [&](detail::Connection& c, const Segment& s, std::int64_t id) {
    if (!detail::customer_exists(c, id)) throw Error(Errc::not_found, fmt::format("customer {} does not exist", id));
    auto& ins = c.prepare("INSERT INTO segment_membership(segment_id, customer_id, entered_at, source) "
                          "SELECT ?1, ?2, ?3, 'manual' WHERE NOT EXISTS (SELECT 1 FROM segment_membership "
                          "WHERE segment_id = ?1 AND customer_id = ?2 AND left_at IS NULL)");
    detail::bind_all(ins, s.id, id, at);
    return std::int64_t(ins.exec());
  });
}

std::int64_t Segments::remove_customers(const std::string& name, const std::vector<std::int64_t>& ids, Instant at) {
  return change_static_members(store_, name, ids, at, [&](detail::Connection& c, const Segment& s, std::int64_t id) {
    Instant entered = 0;
    {
      auto& q = c.prepare("SELECT entered_at FROM segment_membership WHERE segment_id = ? AND customer_id = ? "
                          "AND left_at IS NULL");
      detail::StatementReset done(q);
      detail::bind_all(q, s.id, id);
      if (!q.executeStep()) return std::int64_t(0);  // not a member: nothing to remove
      entered = q.getColumn(0).getInt64();
    }
    if (at < entered)
      throw Error(Errc::invalid_argument, fmt::format("customer {} entered segment '{}' at {}, after {}", id,
                                                      detail::printable(name), format_instant(entered),
                                                      format_instant(at)));
    auto& up = c.prepare("UPDATE segment_membership SET left_at = ? WHERE segment_id = ? AND customer_id = ? "
                         "AND left_at IS NULL");
    detail::bind_all(up, at, s.id, id);
    return std::int64_t(up.exec());
  });
}

std::vector<Membership> Segments::members(const std::string& name) const {
  return detail::guard([&] {
    auto& c = detail::connection_of(store_);
    const std::int64_t id = segment_id_of(c, name);
    auto& st = c.prepare(std::string(kMembershipColumns) +
                         " WHERE m.segment_id = ? AND m.left_at IS NULL ORDER BY m.customer_id");
    detail::bind_all(st, id);
    return read_memberships(st);
  });
}

std::vector<Membership> Segments::segments_of(std::int64_t customer_id) const {
  return detail::guard([&] {
    auto& st = detail::connection_of(store_).prepare(std::string(kMembershipColumns) +
                                           " WHERE m.customer_id = ? AND m.left_at IS NULL ORDER BY s.name");
    detail::bind_all(st, customer_id);
    return read_memberships(st);
  });
}

std::vector<Membership> Segments::history(const std::string& name, Instant from, Instant to) const {
  if (from > to) throw Error(Errc::invalid_argument, "history: 'from' is after 'to'");
  return detail::guard([&] {
    auto& c = detail::connection_of(store_);
    const std::int64_t id = segment_id_of(c, name);
    auto& st = c.prepare(std::string(kMembershipColumns) +
                         " WHERE m.segment_id = ?1 AND ((m.entered_at >= ?2 AND m.entered_at < ?3) OR "
                         "(m.left_at >= ?2 AND m.left_at < ?3)) ORDER BY m.entered_at, m.customer_id, m.id");
    detail::bind_all(st, id, from, to);
    return read_memberships(st);
  });
}

}  // namespace crmkit
