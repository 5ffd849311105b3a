// Contact points: the contact_points table, its one primary per customer and type, and the
// customer row's copy of the primary email and phone (written here, in the same transaction).
#include "customers/contact_points.hpp"

#include <algorithm>
#include <limits>
#include <map>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "base/checks.hpp"
#include "base/json_form.hpp"
#include "base/text.hpp"
#include "customers/customer_exists.hpp"
#include "store/audit_trail.hpp"
#include "customers/suppressions.hpp"
#include "store/stored.hpp"

namespace crmkit {

namespace {

using detail::Connection;

constexpr const char* kColumns =
    "id, customer_id, type, value_raw, value_norm, match_key, label, is_primary, verified_at, invalid_since, "
    "bounce_count, created_at, updated_at";
constexpr std::size_t kMaxLabelBytes = 100;

ContactPoint read_row(detail::Statement& st) {
  const detail::StoredRow r(st, "contact_points");
  ContactPoint p;
  r.columns(0, p.id, p.customer_id);
  p.type = r.parse(2, [](const std::string& t) { return parse_contact_type(t); });
  r.columns(3, p.value, p.normalized, p.match_key, p.label, p.primary, p.verified_at, p.invalid_since,
            p.bounce_count, p.created_at, p.updated_at);
  return p;
}

ContactPoint load(Connection& conn, std::int64_t id) {
  auto& st = conn.prepare(fmt::format("SELECT {} FROM contact_points WHERE id = ?", kColumns));
  return detail::required_row(st, read_row, [&] { return fmt::format("contact point {} does not exist", id); }, id);
}

std::optional<ContactPoint> find_own(Connection& conn, std::int64_t customer, ContactType type, const char* where,
                                     const std::string& value) {
  auto& st = conn.prepare(
      fmt::format("SELECT {} FROM contact_points WHERE customer_id = ? AND type = ? AND {}", kColumns, where));
  return detail::one_row(st, read_row, customer, to_string(type), value);
}

std::optional<ContactPoint> primary_of(Connection& conn, std::int64_t customer, ContactType type) {
  auto& st = conn.prepare(
      fmt::format("SELECT {} FROM contact_points WHERE customer_id = ? AND type = ? AND is_primary = 1", kColumns));
  return detail::one_row(st, read_row, customer, to_string(type));
}

std::optional<ContactPoint> with_key(Connection& conn, std::int64_t customer, ContactType type, const std::string& key) {
  return find_own(conn, customer, type, "match_key = ?", key);
}

// The customer row keeps the primary email's and phone's normalized value (Customer::email,
// ::phone); updated_at moves only when that value changed.
void copy_primary_to_customer(Connection& conn, std::int64_t customer, ContactType type, Instant at) {
  if (type != ContactType::email && type != ContactType::phone) return;
  const char* column = type == ContactType::email ? "email" : "phone";
  std::optional<std::string> now;
  if (auto p = primary_of(conn, customer, type)) now = p->normalized;
  auto& read = conn.prepare(fmt::format("SELECT {} FROM customers WHERE id = ?", column));
  auto before = detail::one_row(
      read, [](detail::Statement& st) { return detail::StoredRow(st, "customers", -1).opt_text(0); }, customer);
  if (before && *before == now) return;
  auto& write = conn.prepare(fmt::format("UPDATE customers SET {} = ?, updated_at = ? WHERE id = ?", column));
  detail::bind_all(write, now, at, customer);
  write.exec();
  auto json_text = [](const std::optional<std::string>& v) {
    return v ? std::optional<std::string>(nlohmann::json(*v).dump()) : std::nullopt;
  };
  detail::record_change(conn, AuditEntity::customer, customer, column, json_text(before ? *before : std::nullopt),
                        json_text(now), at);
}

void demote_primary(Connection& conn, std::int64_t customer, ContactType type, Instant at) {
  auto& st = conn.prepare(
      "UPDATE contact_points SET is_primary = 0, updated_at = ? WHERE customer_id = ? AND type = ? AND is_primary = 1");
  detail::bind_all(st, at, customer, to_string(type));
  st.exec();
}

void set_flag_primary(Connection& conn, std::int64_t id, Instant at) {
  auto& st = conn.prepare("UPDATE contact_points SET is_primary = 1, updated_at = ? WHERE id = ?");
  detail::bind_all(st, at, id);
  st.exec();
}

void delete_point(Connection& conn, std::int64_t id) {
  auto& st = conn.prepare("DELETE FROM contact_points WHERE id = ?");
  detail::bind_all(st, id);
  st.exec();
}

std::int64_t insert_point(Connection& conn, std::int64_t customer, ContactType type, const std::string& raw,
                          const ContactValue& v, const std::optional<std::string>& label, bool primary,
                          const std::optional<Instant>& verified_at, Instant at) {
  auto& st = detail::prepare_insert(
      conn,
      "INSERT INTO contact_points(customer_id, type, value_raw, value_norm, match_key, label, is_primary, verified_at, "
      "created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
  detail::bind_all(st, customer, to_string(type), raw, v.normalized, v.match_key, label, primary, verified_at, at, at);
  return detail::inserted_id(conn, st).value();
}

std::optional<std::string> checked_label(const std::optional<std::string>& label) {
  if (!label) return std::nullopt;
  detail::check_text("label", *label, kMaxLabelBytes);
  std::string t(detail::trim(*label));
  if (t.empty()) throw Error(Errc::invalid_argument, "label is empty (clear it with no label instead)");
  return t;
}

void require_customer(Connection& conn, std::int64_t customer) {
  if (customer <= 0 || !detail::customer_exists(conn, customer))
    throw Error(Errc::not_found, fmt::format("customer {} does not exist", customer));
}

// The order list() returns: by type as the enumeration lists them, the primary first, then id.
bool listed_before(const ContactPoint& a, const ContactPoint& b) {
  if (a.type != b.type) return a.type < b.type;
  if (a.primary != b.primary) return a.primary;
  return a.id < b.id;
}

nlohmann::json point_json(const ContactPoint& p, JsonForm form) {
  auto instant = [&](const std::optional<Instant>& t) {
    return t ? detail::instant_json(*t, form) : nlohmann::json(nullptr);
  };
  return nlohmann::json{{"id", p.id},
                        {"customer_id", p.customer_id},
                        {"type", to_string(p.type)},
                        {"value", p.value},
                        {"normalized", p.normalized},
                        {"match_key", p.match_key},
                        {"label", detail::optional_json(p.label)},
                        {"primary", p.primary},
                        {"verified_at", instant(p.verified_at)},
                        {"invalid_since", instant(p.invalid_since)},
                        {"bounce_count", p.bounce_count},
                        {"created_at", detail::instant_json(p.created_at, form)},
                        {"updated_at", detail::instant_json(p.updated_at, form)}};
}

// Every point of one customer and type: what a change may touch, read before and after it so
// the audit trail gets one entry per field that changed (or "created" / "deleted").
std::vector<ContactPoint> points_of(Connection& conn, std::int64_t customer, ContactType type) {
  if (!conn.audit_trail) return {};
  auto& st = conn.prepare(
      fmt::format("SELECT {} FROM contact_points WHERE customer_id = ? AND type = ? ORDER BY id", kColumns));
  return detail::all_rows(st, read_row, customer, to_string(type));
}

// A point as the audit trail keeps a whole record: without the id (the entry's entity_id) and
// its own times (the entry's time).
nlohmann::json audit_record(const ContactPoint& p) {
  nlohmann::json j = point_json(p, JsonForm::exact);
  j.erase("id");
  j.erase("created_at");
  j.erase("updated_at");
  return j;
}

void audit_points(Connection& conn, const std::vector<ContactPoint>& before, std::int64_t customer, ContactType type,
                  Instant at) {
  if (!conn.audit_trail) return;
  const auto after = points_of(conn, customer, type);
  std::map<std::int64_t, nlohmann::json> was, is;
  for (const auto& p : before) was.emplace(p.id, audit_record(p));
  for (const auto& p : after) is.emplace(p.id, audit_record(p));
  auto text = [](const nlohmann::json& v) { return v.is_null() ? std::nullopt : std::optional<std::string>(v.dump()); };
  for (const auto& [id, old] : was) {
    auto now = is.find(id);
    if (now == is.end()) {
      detail::record_change(conn, AuditEntity::contact_point, id, "deleted", old.dump(), std::nullopt, at);
      continue;
    }
    for (auto it = old.begin(); it != old.end(); ++it)
      if (now->second[it.key()] != it.value())
        detail::record_change(conn, AuditEntity::contact_point, id, it.key(), text(it.value()),
                              text(now->second[it.key()]), at);
  }
  for (const auto& [id, made] : is)
    if (!was.count(id)) detail::record_change(conn, AuditEntity::contact_point, id, "created", std::nullopt, made.dump(), at);
}

void replace_primary(Connection& conn, std::int64_t customer, ContactType type,
                     const std::optional<detail::GivenContact>& value, Instant at) {
  auto primary = primary_of(conn, customer, type);
  if (!value) {
    if (primary) delete_point(conn, primary->id);
    return;
  }
  auto same = with_key(conn, customer, type, value->read.match_key);
  if (!same) refuse_suppressed(conn, type, value->read.match_key);
  if (same && primary && same->id == primary->id) {
    if (same->value == value->raw && same->normalized == value->read.normalized) return;
    auto& st = conn.prepare("UPDATE contact_points SET value_raw = ?, value_norm = ?, updated_at = ? WHERE id = ?");
    detail::bind_all(st, value->raw, value->read.normalized, at, same->id);
    st.exec();
  } else if (same) {
    if (primary) delete_point(conn, primary->id);
    set_flag_primary(conn, same->id, at);
  } else if (primary) {
    // Another address in the same row: what was verified or bounced was the old one.
    auto& st = conn.prepare(
        "UPDATE contact_points SET value_raw = ?, value_norm = ?, match_key = ?, verified_at = NULL, "
        "invalid_since = NULL, bounce_count = 0, updated_at = ? WHERE id = ?");
    detail::bind_all(st, value->raw, value->read.normalized, value->read.match_key, at, primary->id);
    st.exec();
  } else {
    insert_point(conn, customer, type, value->raw, value->read, std::nullopt, true, std::nullopt, at);
  }
}

// One change to a stored contact point, in one write scope: the point loaded (not_found),
// changed by `change` (false: nothing to do, nothing written), and its customer's points of
// that type audited against how they were before.
template <class Change>
void change_point(Store& store, std::int64_t id, Instant at, Change&& change) {
  detail::check_instant("at", at);
  detail::guard([&] {
    auto& conn = detail::connection_of(store);
    detail::WriteScope scope(conn);
    const ContactPoint p = load(conn, id);
    const auto before = points_of(conn, p.customer_id, p.type);
    if (!change(conn, p)) return;
    audit_points(conn, before, p.customer_id, p.type, at);
    scope.commit();
  });
}

}  // namespace

namespace detail {

void replace_primary_contact(Connection& conn, std::int64_t customer, ContactType type,
                             const std::optional<GivenContact>& value, Instant at) {
  const auto before = points_of(conn, customer, type);
  replace_primary(conn, customer, type, value, at);
  audit_points(conn, before, customer, type, at);
}

void audit_contacts_deleted(Connection& conn, std::int64_t customer_id, Instant at) {
  if (!conn.audit_trail) return;
  auto& st = conn.prepare(fmt::format("SELECT {} FROM contact_points WHERE customer_id = ? ORDER BY id", kColumns));
  for (const auto& p : detail::all_rows(st, read_row, customer_id))
    detail::record_change(conn, AuditEntity::contact_point, p.id, "deleted", audit_record(p).dump(), std::nullopt, at);
}

}  // namespace detail

std::string to_json(const ContactPoint& c, JsonForm form) { return point_json(c, form).dump(); }

std::string to_json(const std::vector<ContactPoint>& list, JsonForm form) {
  nlohmann::json j = nlohmann::json::array();
  for (const auto& p : list) j.push_back(point_json(p, form));
  return j.dump();
}

std::int64_t ContactPoints::add(std::int64_t customer_id, const NewContactPoint& point, Instant at) {
  detail::check_instant("at", at);
  if (point.verified_at) detail::check_instant("verified_at", *point.verified_at);
  const std::string region = point.type == ContactType::phone ? store_.default_region() : std::string();
  const ContactValue v = normalize_contact(point.type, point.value, region);
  const auto label = checked_label(point.label);
  const std::string raw(detail::trim(point.value));
  return detail::guard([&] {
    auto& conn = detail::connection_of(store_);
    detail::WriteScope scope(conn);
    require_customer(conn, customer_id);
    if (auto erased = detail::customer_erased_at(conn, customer_id)) detail::refuse_erased(customer_id, *erased);
    if (auto same = with_key(conn, customer_id, point.type, v.match_key))
      throw Error(Errc::conflict, fmt::format("customer {} already has {} '{}' (contact point {})", customer_id,
                                              to_string(point.type), detail::printable(same->normalized), same->id));
    detail::refuse_suppressed(conn, point.type, v.match_key);
    // The first of its type becomes primary: a customer with one email has a primary email.
    const auto before = points_of(conn, customer_id, point.type);
    const bool primary = point.primary || !primary_of(conn, customer_id, point.type);
    if (primary) demote_primary(conn, customer_id, point.type, at);
    const std::int64_t id = insert_point(conn, customer_id, point.type, raw, v, label, primary, point.verified_at, at);
    if (primary) copy_primary_to_customer(conn, customer_id, point.type, at);
    audit_points(conn, before, customer_id, point.type, at);
    scope.commit();
    return id;
  });
}

ContactPoint ContactPoints::get(std::int64_t id) {
  return detail::guard([&] { return load(detail::connection_of(store_), id); });
}

std::vector<ContactPoint> ContactPoints::list(std::int64_t customer_id) {
  return detail::guard([&] {
    auto& conn = detail::connection_of(store_);
    require_customer(conn, customer_id);
    auto& st = conn.prepare(fmt::format("SELECT {} FROM contact_points WHERE customer_id = ? ORDER BY id", kColumns));
    auto out = detail::all_rows(st, read_row, customer_id);
    std::stable_sort(out.begin(), out.end(), listed_before);
    return out;
  });
}

std::vector<ContactPoint> ContactPoints::find(ContactType type, const std::string& value) {
  const std::string region = type == ContactType::phone ? store_.default_region() : std::string();
  const ContactValue v = normalize_contact(type, value, region);
  return detail::guard([&] {
    auto& st = detail::connection_of(store_).prepare(fmt::format(
        "SELECT {} FROM contact_points WHERE type = ? AND match_key = ? ORDER BY customer_id, id", kColumns));
    return detail::all_rows(st, read_row, to_string(type), v.match_key);
  });
}

void ContactPoints::set_primary(std::int64_t id, Instant at) {
  change_point(store_, id, at, [&](Connection& conn, const ContactPoint& p) {
    if (p.primary) return false;
    demote_primary(conn, p.customer_id, p.type, at);
    set_flag_primary(conn, id, at);
    copy_primary_to_customer(conn, p.customer_id, p.type, at);
    return true;
  });
}

void ContactPoints::set_label(std::int64_t id, const std::optional<std::string>& label, Instant at) {
  const auto checked = checked_label(label);
  change_point(store_, id, at, [&](Connection& conn, const ContactPoint& p) {
    if (p.label == checked) return false;
    auto& st = conn.prepare("UPDATE contact_points SET label = ?, updated_at = ? WHERE id = ?");
    detail::bind_all(st, checked, at, id);
    st.exec();
    return true;
  });
}

void ContactPoints::mark_verified(std::int64_t id, Instant at) {
  change_point(store_, id, at, [&](Connection& conn, const ContactPoint&) {
    auto& st = conn.prepare(
        "UPDATE contact_points SET verified_at = ?, invalid_since = NULL, bounce_count = 0, updated_at = ? WHERE id = ?");
    detail::bind_all(st, at, at, id);
    st.exec();
    return true;
  });
}

void ContactPoints::record_bounce(std::int64_t id, bool hard, Instant at) {
  change_point(store_, id, at, [&](Connection& conn, const ContactPoint& p) {
    if (p.bounce_count == std::numeric_limits<std::int64_t>::max())
      throw Error(Errc::invalid_argument, fmt::format("contact point {} cannot count another bounce", id));
    std::optional<Instant> invalid = p.invalid_since;
    if (hard && !invalid) invalid = at;
    auto& st = conn.prepare("UPDATE contact_points SET bounce_count = ?, invalid_since = ?, updated_at = ? WHERE id = ?");
    detail::bind_all(st, p.bounce_count + 1, invalid, at, id);
    st.exec();
    return true;
  });
}

void ContactPoints::remove(std::int64_t id, Instant at) {
  change_point(store_, id, at, [&](Connection& conn, const ContactPoint& p) {
    delete_point(conn, id);
    if (p.primary) copy_primary_to_customer(conn, p.customer_id, p.type, at);
    return true;
  });
}

}  // namespace crmkit
