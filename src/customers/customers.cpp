// Customers: the profile table, its tags, and the rules for creating, upserting and removing.
#include <sqlite3.h>

#include <algorithm>
#include <functional>

#include <fmt/format.h>

#include "base/checks.hpp"
#include "base/text.hpp"
#include "crmkit/customer.hpp"
#include "customers/contact_points.hpp"
#include "customers/customer_exists.hpp"
#include "customers/customer_field_table.hpp"
#include "customers/customer_fields.hpp"
#include "customers/customer_json.hpp"
#include "customers/erase_customer.hpp"
#include "customers/suppressions.hpp"
#include "store/audit_trail.hpp"
#include "store/connection.hpp"
#include "store/stored.hpp"

namespace crmkit {

namespace {

using detail::Connection;

constexpr const char* kColumns =
    "id, external_id, kind, display_name, given_name, family_name, email, phone, birth_date, gender, country, "
    "region, city, postal_code, acquisition_channel, acquisition_cost, acquisition_currency, lifecycle_stage, "
    "created_at, updated_at, attributes, lifecycle_manual";
// What a read takes: the written columns and the erasure mark, which only erasure writes.
const std::string kReadColumns = std::string(kColumns) + ", erased_at";

Customer read_row(detail::Statement& st) {
  const detail::StoredRow r(st, "customers");
  Customer c;
  r.columns(0, c.id, c.external_id);
  c.kind = r.parse(2, [](const std::string& t) { return parse_customer_kind(t); });
  r.columns(3, c.display_name, c.given_name, c.family_name, c.email, c.phone, c.birth_date, c.gender, c.country,
            c.region, c.city, c.postal_code, c.acquisition_channel);
  if (auto cost = r.opt_int64(15)) c.acquisition_cost = Money{*cost, r.text(16)};
  c.lifecycle_stage = r.parse(17, [](const std::string& t) { return parse_lifecycle_stage(t); });
  r.columns(18, c.created_at, c.updated_at);
  c.attributes = r.json_object(20);
  c.lifecycle_manual = r.flag(21);
  c.erased_at = r.opt_int64(22);
  return c;
}

std::vector<std::string> load_tags(Connection& conn, std::int64_t id) {
  auto& st = conn.prepare("SELECT tag FROM customer_tags WHERE customer_id = ? ORDER BY tag");
  detail::StatementReset done(st);
  detail::bind_all(st, id);
  std::vector<std::string> tags;
  while (st.executeStep()) tags.push_back(detail::StoredRow(st, "customer_tags", -1).text(0));
  return tags;
}

std::optional<Customer> load(Connection& conn, const char* where, const std::function<void(detail::Statement&)>& bind) {
  std::optional<Customer> c;
  {
    auto& st = conn.prepare(fmt::format("SELECT {} FROM customers WHERE {}", kReadColumns, where));
    detail::StatementReset done(st);
    bind(st);
    if (!st.executeStep()) return std::nullopt;
    c = read_row(st);
  }
  c->tags = load_tags(conn, c->id);
  return c;
}

std::optional<Customer> load_by_id(Connection& conn, std::int64_t id) {
  return load(conn, "id = ?", [&](detail::Statement& st) { detail::bind_all(st, id); });
}

std::optional<Customer> load_by_external_id(Connection& conn, const std::string& ext) {
  return load(conn, "external_id = ?", [&](detail::Statement& st) { detail::bind_all(st, ext); });
}

// Binds columns 2.. of kColumns (everything but id) to parameters 1..21, in order.
void bind_row(detail::Statement& st, const Customer& c) {
  std::optional<std::int64_t> cost;
  std::optional<std::string> cost_currency;
  if (c.acquisition_cost) {
    cost = c.acquisition_cost->minor;
    cost_currency = c.acquisition_cost->currency;
  }
  detail::bind_all(st, c.external_id, c.kind, c.display_name, c.given_name, c.family_name, c.email, c.phone,
                   c.birth_date, c.gender, c.country, c.region, c.city, c.postal_code, c.acquisition_channel, cost,
                   cost_currency, c.lifecycle_stage, c.created_at, c.updated_at, c.attributes, c.lifecycle_manual);
}

void write_tags(Connection& conn, std::int64_t id, const std::vector<std::string>& tags) {
  auto& del = conn.prepare("DELETE FROM customer_tags WHERE customer_id = ?");
  detail::bind_all(del, id);
  del.exec();
  auto& ins = conn.prepare("INSERT INTO customer_tags(customer_id, tag) VALUES (?, ?)");
  for (const auto& t : tags) {
    detail::StatementReset row_done(ins);
    detail::bind_all(ins, id, t);
    ins.exec();
  }
}

void check_external_id_free(Connection& conn, const std::optional<std::string>& ext, std::int64_t self) {
  if (!ext) return;
  auto& st = conn.prepare("SELECT id FROM customers WHERE external_id = ?");
  detail::StatementReset done(st);
  detail::bind_all(st, *ext);
  if (st.executeStep() && st.getColumn(0).getInt64() != self)
    throw Error(Errc::conflict, fmt::format("external_id '{}' already belongs to customer {}",
                                            detail::printable(*ext), st.getColumn(0).getInt64()));
}

// The primary email and phone as contact points: `given` is the caller's text (kept as the
// point's value), `now` the customer's normalised field after the write.
void keep_primary_contacts(Connection& conn, std::int64_t id, const CustomerFields& given, const Customer& before,
                           const Customer& now, Instant at) {
  auto keep = [&](ContactType type, const std::optional<std::string>& raw, const std::optional<std::string>& was,
                  const std::optional<std::string>& is) {
    if (was == is && !(raw && is)) return;
    std::optional<detail::GivenContact> value;
    if (is) {
      // The reading is the field's own (normalized_fields made it), so the key follows from it.
      const std::string text = raw ? std::string(detail::trim(*raw)) : *is;
      value = detail::GivenContact{text, detail::reading_of_normalized(type, *is)};
    }
    detail::replace_primary_contact(conn, id, type, value, at);
  };
  keep(ContactType::email, given.email, before.email, now.email);
  keep(ContactType::phone, given.phone, before.phone, now.phone);
}

// The customer as the audit trail keeps a whole record: its exact JSON without the id (the
// entry's entity_id) and updated_at (the entry's time).
std::string audit_record(const Customer& c) {
  nlohmann::json j = detail::customer_json(c, JsonForm::exact);
  j.erase("id");
  j.erase("updated_at");
  return j.dump();
}

// One audit entry per field whose stored value changed, old and new in the exact JSON form.
// Only fields the update gave or cleared can change, besides those the store keeps itself
// (lifecycle_manual): the others are not compared, as building their JSON twice per update
// was most of the trail's cost (bench workload 12).
void audit_fields(Connection& conn, const Customer& before, const Customer& after, const CustomerFields& n,
                  Instant at) {
  for (const auto& row : detail::customer_field_rows()) {
    const std::string name = row.info.name;
    if (name == "id" || name == "updated_at") continue;
    if (row.is_given && !row.is_given(n) && std::find(n.clear.begin(), n.clear.end(), name) == n.clear.end())
      continue;
    const nlohmann::json was = row.json(before, JsonForm::exact), is = row.json(after, JsonForm::exact);
    if (was == is) continue;
    auto text = [](const nlohmann::json& v) { return v.is_null() ? std::nullopt : std::optional<std::string>(v.dump()); };
    detail::record_change(conn, AuditEntity::customer, after.id, name, text(was), text(is), at);
  }
}

std::int64_t insert(Connection& conn, const CustomerFields& n, const CustomerFields& given) {
  if (!n.created_at) throw Error(Errc::invalid_argument, "created_at is required to create a customer");
  if (!n.clear.empty()) throw Error(Errc::invalid_argument, "clear is only for updates, not for creating a customer");
  Customer c;
  detail::apply_fields(c, n);
  c.created_at = c.updated_at = *n.created_at;
  check_external_id_free(conn, c.external_id, 0);
  auto& st = detail::prepare_insert(conn, fmt::format("INSERT INTO customers({}) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
                                                       std::string(kColumns).substr(4)));
  bind_row(st, c);
  const std::int64_t id = detail::inserted_id(conn, st).value();
  write_tags(conn, id, c.tags);
  keep_primary_contacts(conn, id, given, Customer{}, c, c.created_at);
  if (conn.audit_trail) detail::record_change(conn, AuditEntity::customer, id, "created", std::nullopt, audit_record(c), c.created_at);
  return id;
}

// Applies fields to an existing customer; writes only when something changed.
void modify(Connection& conn, Customer current, const CustomerFields& n, const CustomerFields& given,
            Instant updated_at) {
  // Checked before anything is compared: an erased record takes no change, not even one that
  // would leave it as it is (the caller is told it holds a pseudonym, not the person).
  if (current.erased_at) detail::refuse_erased(current.id, *current.erased_at);
  const Customer before = current;
  if (!detail::apply_fields(current, n)) return;
  check_external_id_free(conn, current.external_id, current.id);
  current.updated_at = updated_at;
  auto& st = conn.prepare(
      "UPDATE customers SET external_id=?1, kind=?2, display_name=?3, given_name=?4, family_name=?5, email=?6, "
      "phone=?7, birth_date=?8, gender=?9, country=?10, region=?11, city=?12, postal_code=?13, "
      "acquisition_channel=?14, acquisition_cost=?15, acquisition_currency=?16, lifecycle_stage=?17, "
      "created_at=?18, updated_at=?19, attributes=?20, lifecycle_manual=?21 WHERE id=?22");
  bind_row(st, current);
  detail::bind_value(st, 22, current.id);
  st.exec();
  if (current.tags != before.tags) write_tags(conn, current.id, current.tags);
  keep_primary_contacts(conn, current.id, given, before, current, updated_at);
  if (conn.audit_trail) audit_fields(conn, before, current, n, updated_at);
}

struct FilterSql {
  std::string where;
  std::vector<std::function<void(detail::Statement&, int)>> binds;
};

FilterSql filter_sql(const CustomerFilter& f) {
  FilterSql out;
  auto add = [&](const char* cond, std::function<void(detail::Statement&, int)> b) {
    out.where += " AND ";
    out.where += cond;
    out.binds.push_back(std::move(b));
  };
  if (f.created_from) {
    detail::check_instant("created_from", *f.created_from);
    Instant v = *f.created_from;
    add("created_at >= ?", [v](detail::Statement& st, int i) { detail::bind_value(st, i, v); });
  }
  if (f.created_to) {
    detail::check_instant("created_to", *f.created_to);
    Instant v = *f.created_to;
    add("created_at < ?", [v](detail::Statement& st, int i) { detail::bind_value(st, i, v); });
  }
  if (f.tag) {
    detail::check_text("tag", *f.tag);
    std::string v(detail::trim(*f.tag));
    add("id IN (SELECT customer_id FROM customer_tags WHERE tag = ?)",
        [v](detail::Statement& st, int i) { detail::bind_value(st, i, v); });
  }
  if (f.lifecycle_stage) {
    const char* v = to_string(*f.lifecycle_stage);
    if (!*v) throw Error(Errc::invalid_argument, "lifecycle_stage filter is not a lifecycle stage");
    add("lifecycle_stage = ?", [v](detail::Statement& st, int i) { detail::bind_value(st, i, v); });
  }
  if (f.country) {
    detail::check_text("country", *f.country);
    std::string v(detail::trim(*f.country));
    for (char& c : v)
      if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
    add("country = ?", [v](detail::Statement& st, int i) { detail::bind_value(st, i, v); });
  }
  return out;
}

}  // namespace

std::int64_t Customers::create(const CustomerFields& fields) {
  CustomerFields n = detail::normalized_fields(fields, store_);
  return detail::guard([&] {
    auto& conn = detail::connection_of(store_);
    detail::WriteScope scope(conn);
    std::int64_t id = insert(conn, n, fields);
    scope.commit();
    return id;
  });
}

std::int64_t Customers::upsert(const CustomerFields& fields, bool* created) {
  if (!fields.external_id) throw Error(Errc::invalid_argument, "external_id is required to upsert a customer");
  if (!fields.created_at)
    throw Error(Errc::invalid_argument, "created_at is required to upsert a customer (it is the time of the change)");
  CustomerFields n = detail::normalized_fields(fields, store_);
  return detail::guard([&] {
    auto& conn = detail::connection_of(store_);
    detail::WriteScope scope(conn);
    std::int64_t id;
    auto current = load_by_external_id(conn, *n.external_id);
    if (!current) {
      CustomerFields fresh = n;
      fresh.clear.clear();  // nothing to clear on a new customer
      id = insert(conn, fresh, fields);
    } else {
      id = current->id;
      modify(conn, std::move(*current), n, fields, *n.created_at);
    }
    scope.commit();
    if (created) *created = !current;
    return id;
  });
}

Customer Customers::get(std::int64_t id) {
  return detail::guard([&] {
    auto c = id > 0 ? load_by_id(detail::connection_of(store_), id) : std::nullopt;
    if (!c) throw Error(Errc::not_found, fmt::format("customer {} does not exist", id));
    return std::move(*c);
  });
}

Customer Customers::get_by_external_id(const std::string& external_id) {
  detail::check_text("external_id", external_id);
  return detail::guard([&] {
    auto c = load_by_external_id(detail::connection_of(store_), external_id);
    if (!c)
      throw Error(Errc::not_found,
                  fmt::format("no customer has external_id '{}'", detail::printable(external_id)));
    return std::move(*c);
  });
}

std::vector<Customer> Customers::find_by_email(const std::string& email) {
  // Any of a customer's emails, compared by match key (an internationalised domain in either form).
  const std::string key = normalize_contact(ContactType::email, email, "").match_key;
  return detail::guard([&] {
    auto& conn = detail::connection_of(store_);
    std::vector<std::int64_t> ids;
    {
      auto& st = conn.prepare(
          "SELECT DISTINCT customer_id FROM contact_points WHERE type = 'email' AND match_key = ? ORDER BY customer_id");
      detail::StatementReset done(st);
      detail::bind_all(st, key);
      while (st.executeStep()) ids.push_back(st.getColumn(0).getInt64());
    }
    std::vector<Customer> out;
    for (auto id : ids) out.push_back(*load_by_id(conn, id));
    return out;
  });
}

std::optional<std::int64_t> Customers::find_id(const std::string& external_id) {
  detail::check_text("external_id", external_id);
  return detail::guard([&]() -> std::optional<std::int64_t> {
    auto& st = detail::connection_of(store_).prepare("SELECT id FROM customers WHERE external_id = ?");
    detail::StatementReset done(st);
    detail::bind_all(st, external_id);
    if (!st.executeStep()) return std::nullopt;
    return st.getColumn(0).getInt64();
  });
}

void Customers::update(std::int64_t id, const CustomerFields& fields, Instant updated_at) {
  if (fields.created_at)
    throw Error(Errc::invalid_argument, "created_at cannot be changed by an update (pass updated_at instead)");
  detail::check_instant("updated_at", updated_at);
  CustomerFields n = detail::normalized_fields(fields, store_);
  detail::guard([&] {
    auto& conn = detail::connection_of(store_);
    detail::WriteScope scope(conn);
    auto current = id > 0 ? load_by_id(conn, id) : std::nullopt;
    if (!current) throw Error(Errc::not_found, fmt::format("customer {} does not exist", id));
    modify(conn, std::move(*current), n, fields, updated_at);
    scope.commit();
  });
}

void Customers::remove(std::int64_t id) {
  detail::guard([&] {
    auto& conn = detail::connection_of(store_);
    detail::WriteScope scope(conn);
    if (!detail::customer_exists(conn, id)) throw Error(Errc::not_found, fmt::format("customer {} does not exist", id));
    {
      auto& st = conn.prepare("SELECT count(*) FROM interactions WHERE customer_id = ?");
      detail::StatementReset done(st);
      detail::bind_all(st, id);
      st.executeStep();
      std::int64_t n = st.getColumn(0).getInt64();
      if (n > 0)
        throw Error(Errc::conflict,
                    fmt::format("customer {} has {} interaction(s) and cannot be deleted", id, n));
    }
    if (conn.audit_trail) {
      // The library reads no clock: the deletion is dated at the customer's last change.
      const Customer gone = *load_by_id(conn, id);
      // Its contact points go with it (the foreign key's cascade): each is audited as deleted.
      detail::audit_contacts_deleted(conn, id, gone.updated_at);
      detail::record_change(conn, AuditEntity::customer, id, "deleted", audit_record(gone), std::nullopt, gone.updated_at);
    }
    auto& del = conn.prepare("DELETE FROM customers WHERE id = ?");
    detail::bind_all(del, id);
    try {
      del.exec();
    } catch (const detail::SqlError& e) {
      if (e.code() == detail::SqlCode::foreign_key)
        throw Error(Errc::conflict,
                    fmt::format("customer {} is referenced by other facts (points, surveys, ...) and cannot be deleted",
                                id));
      throw;
    }
    scope.commit();
  });
}

CustomerPage Customers::list(const CustomerFilter& filter, std::int64_t after, int limit) {
  if (limit < 1 || limit > 10'000)
    throw Error(Errc::invalid_argument, fmt::format("limit {} is out of range 1..10000", limit));
  if (after < 0) throw Error(Errc::invalid_argument, fmt::format("after {} is negative", after));
  FilterSql f = filter_sql(filter);
  return detail::guard([&] {
    auto& conn = detail::connection_of(store_);
    CustomerPage page;
    {
      auto& st = conn.prepare(
          fmt::format("SELECT {} FROM customers WHERE id > ?{} ORDER BY id LIMIT ?", kReadColumns, f.where));
      detail::StatementReset done(st);
      int i = 1;
      detail::bind_value(st, i++, after);
      for (auto& b : f.binds) b(st, i++);
      detail::bind_value(st, i, static_cast<std::int64_t>(limit) + 1);
      while (st.executeStep()) page.customers.push_back(read_row(st));
    }
    if (page.customers.size() > static_cast<std::size_t>(limit)) {
      page.customers.pop_back();
      page.next_after = page.customers.back().id;
    }
    if (!page.customers.empty()) {
      // Tags of the whole page in one ordered range scan, merged by id.
      auto& st = conn.prepare(
          "SELECT customer_id, tag FROM customer_tags WHERE customer_id BETWEEN ? AND ? ORDER BY customer_id, tag");
      detail::StatementReset done(st);
      detail::bind_all(st, page.customers.front().id, page.customers.back().id);
      std::size_t k = 0;
      while (st.executeStep()) {
        const detail::StoredRow r(st, "customer_tags");
        std::int64_t cid = r.int64(0);
        while (k < page.customers.size() && page.customers[k].id < cid) ++k;
        if (k < page.customers.size() && page.customers[k].id == cid) page.customers[k].tags.push_back(r.text(1));
      }
    }
    return page;
  });
}

std::int64_t Customers::count(const CustomerFilter& filter) {
  FilterSql f = filter_sql(filter);
  return detail::guard([&] {
    auto& st = detail::connection_of(store_).prepare(fmt::format("SELECT count(*) FROM customers WHERE 1 = 1{}", f.where));
    detail::StatementReset done(st);
    int i = 1;
    for (auto& b : f.binds) b(st, i++);
    st.executeStep();
    return st.getColumn(0).getInt64();
  });
}

namespace detail {

bool customer_exists(Connection& c, std::int64_t id) {
  auto& st = c.prepare("SELECT 1 FROM customers WHERE id = ?");
  StatementReset done(st);
  bind_all(st, id);
  return st.executeStep();
}

std::optional<Instant> customer_erased_at(Connection& c, std::int64_t id) {
  auto& st = c.prepare("SELECT erased_at FROM customers WHERE id = ?");
  auto at = one_row(st, [](Statement& s) { return StoredRow(s, "customers", -1).opt_int64(0); }, id);
  return at ? *at : std::nullopt;
}

void refuse_erased(std::int64_t id, Instant erased_at) {
  throw Error(Errc::conflict, fmt::format("customer {} was erased at {}: its record holds a pseudonym and takes no "
                                          "changes", id, format_instant(erased_at)));
}

ErasedCustomer erase_customer_record(Connection& conn, std::int64_t id, Instant at) {
  auto current = id > 0 ? load_by_id(conn, id) : std::nullopt;
  if (!current) throw Error(Errc::not_found, fmt::format("customer {} does not exist", id));
  if (current->erased_at)
    throw Error(Errc::conflict, fmt::format("customer {} is already erased (at {})", id,
                                            format_instant(*current->erased_at)));
  ErasedCustomer out;
  out.before = *current;
  out.pseudonym = fmt::format("ERASED:{}", id);
  {
    auto& st = conn.prepare(
        "SELECT id, type, value_raw, value_norm, match_key, label FROM contact_points WHERE customer_id = ? ORDER BY id");
    out.points = all_rows(
        st,
        [](Statement& s) {
          const StoredRow r(s, "contact_points");
          ErasedContact p;
          p.id = r.int64(0);
          p.type = r.parse(1, [](const std::string& t) { return parse_contact_type(t); });
          r.columns(2, p.value, p.normalized, p.match_key, p.label);
          return p;
        },
        id);
  }
  // The list keeps the hash of each email and phone, so the person's address cannot come back
  // through an import; the points themselves go.
  for (const auto& p : out.points)
    if (p.type == ContactType::email || p.type == ContactType::phone) {
      insert_suppression(conn, p.type, p.match_key, SuppressionReason::erased, at);
      ++out.suppressed;
    }
  {
    auto& st = conn.prepare("DELETE FROM contact_points WHERE customer_id = ?");
    bind_all(st, id);
    st.exec();
  }
  Customer c = *current;
  for (const auto& row : customer_field_rows()) {
    if (row.personal == Personal::pseudonymised) c.*(row.stored_text) = out.pseudonym;
    else if (row.personal == Personal::cleared) row.clear(c);
  }
  c.updated_at = at;
  c.erased_at = at;
  auto& st = conn.prepare(
      "UPDATE customers SET external_id=?1, kind=?2, display_name=?3, given_name=?4, family_name=?5, email=?6, "
      "phone=?7, birth_date=?8, gender=?9, country=?10, region=?11, city=?12, postal_code=?13, "
      "acquisition_channel=?14, acquisition_cost=?15, acquisition_currency=?16, lifecycle_stage=?17, "
      "created_at=?18, updated_at=?19, attributes=?20, lifecycle_manual=?21, erased_at=?22 WHERE id=?23");
  bind_row(st, c);
  bind_value(st, 22, at);
  bind_value(st, 23, id);
  st.exec();
  write_tags(conn, id, c.tags);
  return out;
}

bool is_personal_customer_field(std::string_view name) {
  const auto* row = find_customer_field(name);
  return row && row->personal != Personal::no;
}

}  // namespace detail

}  // namespace crmkit
