// Merging customers (crmkit/merge.hpp). The whole change is worked out first, reading only:
// plan() stops there, merge() applies it and keeps every row it touched, as it was, in the
// merge record, which is all undo() reads. The tables come from the one list of customer
// references (identity/customer_references.hpp), so a table an area adds is merged too.
#include "crmkit/merge.hpp"

#include <algorithm>
#include <set>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "base/checks.hpp"
#include "base/enums.hpp"
#include "identity/consent_state.hpp"
#include "identity/customer_references.hpp"
#include "identity/merge_record.hpp"
#include "identity/stored_rows.hpp"
#include "interactions/figures.hpp"
#include "store/audit_trail.hpp"
#include "store/connection.hpp"

namespace crmkit {

namespace {

using detail::Connection;
using detail::MergeWork;
using detail::TableChanges;
using nlohmann::json;

std::string id_list(const std::vector<std::int64_t>& ids) {
  std::string out;
  for (auto id : ids) out += (out.empty() ? "" : ",") + std::to_string(id);
  return out;
}

std::optional<std::string> value_text(const json& v) {
  return v.is_null() ? std::nullopt : std::optional<std::string>(v.dump());
}

bool key_has_customer(const std::string& key) {
  const auto k = detail::column_list(key);
  return std::find(k.begin(), k.end(), "customer_id") != k.end();
}

void check_request(const MergeRequest& r) {
  if (r.survivor <= 0) throw Error(Errc::invalid_argument, fmt::format("survivor {} is not a customer id", r.survivor));
  if (r.absorbed.empty()) throw Error(Errc::invalid_argument, "a merge needs at least one absorbed record");
  if (r.absorbed.size() + 1 > static_cast<std::size_t>(kMergeMaxRecords))
    throw Error(Errc::invalid_argument, fmt::format("a merge takes at most {} records, survivor included; {} given",
                                                    kMergeMaxRecords, r.absorbed.size() + 1));
  std::set<std::int64_t> seen;
  for (auto id : r.absorbed) {
    if (id <= 0) throw Error(Errc::invalid_argument, fmt::format("absorbed {} is not a customer id", id));
    if (id == r.survivor)
      throw Error(Errc::invalid_argument,
                  fmt::format("customer {} cannot be merged into itself: it is both the survivor and absorbed", id));
    if (!seen.insert(id).second)
      throw Error(Errc::invalid_argument, fmt::format("customer {} is named twice among the absorbed", id));
  }
}

// The lifecycle stages by how far along they are: the merged record takes the furthest.
int stage_rank(const json& stage) {
  const std::string s = stage.is_string() ? stage.get<std::string>() : "";
  if (s == "customer") return 3;
  if (s == "churned") return 2;
  if (s == "prospect") return 1;
  return 0;
}

// What merge() will do, worked out without writing.
class Planner {
 public:
  Planner(Store& store, const MergeRequest& request, Instant at)
      : store_(store), conn_(detail::connection_of(store)), r_(request), at_(at) {}

  MergeWork run() {
    check_request(r_);
    detail::check_instant("at", at_);
    merged_.push_back(r_.survivor);
    merged_.insert(merged_.end(), r_.absorbed.begin(), r_.absorbed.end());
    load_customers();
    check_choices();
    for (const auto& ref : detail::customer_references()) plan_table(ref);
    choose_primaries();
    plan_customer_fields();
    plan_consent();
    plan_exceptions();
    summarise();
    return std::move(w_);
  }

 private:
  void load_customers() {
    for (auto id : merged_) {
      auto rows = detail::stored_rows(conn_, "SELECT * FROM customers WHERE id = ?", {id});
      if (rows.empty()) throw Error(Errc::not_found, fmt::format("customer {} does not exist", id));
      const json& row = rows.front();
      if (row.contains("erased_at") && !row["erased_at"].is_null())
        throw Error(Errc::conflict, fmt::format("customer {} was erased: an erased record cannot be merged", id));
      customers_[id] = row;
    }
  }

  void check_choices() {
    static const std::set<std::string> fixed = {"id", "created_at", "updated_at", "lifecycle_manual",
                                                "acquisition_currency", "erased_at"};
    const json& survivor = customers_.at(r_.survivor);
    for (const auto& [field, from] : r_.field_choices) {
      if (!survivor.contains(field) || fixed.count(field))
        throw Error(Errc::invalid_argument, fmt::format("field_choices names '{}', which is not a field a merge "
                                                        "chooses", field));
      if (std::find(merged_.begin(), merged_.end(), from) == merged_.end())
        throw Error(Errc::invalid_argument,
                    fmt::format("field_choices takes '{}' from customer {}, which is not in the merge", field, from));
    }
  }

  std::vector<json> rows_of(const std::string& table, std::int64_t id, const std::string& key,
                            const std::string& scope) {
    const std::string sql =
        scope.empty()
            ? fmt::format("SELECT * FROM {} WHERE customer_id = ? ORDER BY {}", table, key)
            : fmt::format("SELECT *, CASE WHEN {} THEN 1 ELSE 0 END AS crmkit_in_scope FROM {} WHERE customer_id = ? "
                          "ORDER BY {}",
                          scope, table, key);
    return detail::stored_rows(conn_, sql, {id});
  }

  void plan_table(const detail::CustomerReference& ref) {
    TableChanges t;
    t.table = ref.table;
    t.key = ref.key;
    using M = detail::OnMerge;
    switch (ref.on_merge) {
      case M::repoint:
      case M::repoint_append_only:
        // One integer column names each row: only the keys are kept (a row changes owner, nothing else).
        for (auto id : r_.absorbed) {
          auto& st = conn_.prepare(fmt::format("SELECT {0} FROM {1} WHERE customer_id = ? ORDER BY {0}", t.key, t.table));
          auto keys = detail::all_rows(st, [](detail::Statement& s) { return s.getColumn(0).getInt64(); }, id);
          if (!keys.empty()) t.moved_ids[id] = std::move(keys);
        }
        break;
      case M::union_by_key: plan_union(ref, t); break;
      case M::recompute:
        t.recompute = true;
        for (auto id : r_.absorbed)
          for (auto& row : rows_of(t.table, id, t.key, "")) t.removed.push_back(std::move(row));
        break;
      case M::drop:
        for (auto id : merged_)
          for (auto& row : rows_of(t.table, id, t.key, "")) t.removed.push_back(std::move(row));
        break;
    }
    w_.tables.push_back(std::move(t));
  }

  // The survivor's rows first, then each absorbed record's in the order given: the first row
  // with given unique values stays; a later one is removed.
  void plan_union(const detail::CustomerReference& ref, TableChanges& t) {
    const auto unique = detail::column_list(ref.unique);
    const std::string scope = ref.unique_where;
    const bool contact = t.table == "contact_points";
    const bool keyed_by_customer = key_has_customer(t.key);
    std::map<json, std::int64_t> kept;  // unique values -> the record holding them
    std::map<json, json> kept_row;
    auto unique_of = [&](const json& row) {
      json u = json::array();
      for (const auto& c : unique) u.push_back(row.at(c));
      return u;
    };
    auto in_scope = [&](json& row) {
      if (scope.empty()) return true;
      const bool in = row.at("crmkit_in_scope").get<std::int64_t>() == 1;
      row.erase("crmkit_in_scope");
      return in;
    };
    for (auto& row : rows_of(t.table, r_.survivor, t.key, scope)) {
      if (in_scope(row)) {
        kept[unique_of(row)] = r_.survivor;
        kept_row[unique_of(row)] = row;
      }
      if (contact) survivor_points_.push_back(row);
    }
    for (auto id : r_.absorbed) {
      for (auto& row : rows_of(t.table, id, t.key, scope)) {
        const bool scoped = in_scope(row);
        const json u = unique_of(row);
        if (scoped && kept.count(u)) {
          if (contact) point_keeper_[row.at("id").get<std::int64_t>()] = kept_row.at(u);
          t.removed.push_back(std::move(row));
          continue;
        }
        if (scoped) {
          kept[u] = id;
          kept_row[u] = row;
        }
        if (keyed_by_customer) {
          json copy = row;
          copy["customer_id"] = r_.survivor;
          t.added.push_back(std::move(copy));
          t.removed.push_back(std::move(row));
        } else {
          json set = {{"customer_id", r_.survivor}};
          if (contact) set["is_primary"] = 0;
          if (contact) absorbed_points_.push_back(row);
          t.moved.push_back({std::move(row), std::move(set)});
        }
      }
    }
  }

  TableChanges& table(const std::string& name) {
    for (auto& t : w_.tables)
      if (t.table == name) return t;
    throw Error(Errc::internal, fmt::format("the merge has no table {}", name));
  }

  // Per contact type, the point the survivor ends with as primary: the chosen record's (email
  // and phone), else the survivor's, else the first absorbed record's that has one; a primary
  // removed as a copy hands the flag to the point that stays with its match key.
  void choose_primaries() {
    auto primary_of = [&](std::int64_t customer, const std::string& type) -> std::optional<json> {
      const auto& rows = customer == r_.survivor ? survivor_points_ : absorbed_points_;
      for (const auto& p : rows)
        if (p.at("customer_id") == customer && p.at("type") == type && p.at("is_primary") == 1) return p;
      // An absorbed primary removed as a copy of a point that stays.
      for (const auto& [removed_id, keeper] : point_keeper_) {
        for (const auto& p : table("contact_points").removed)
          if (p.at("id") == removed_id && p.at("customer_id") == customer && p.at("type") == type &&
              p.at("is_primary") == 1)
            return keeper;
      }
      return std::nullopt;
    };
    auto& points = table("contact_points");
    for (const auto& named : detail::kContactTypeNames) {  // every contact type
      const char* type = named.name;
      std::vector<std::int64_t> order;
      auto choice = r_.field_choices.find(type);
      if (choice != r_.field_choices.end()) order = {choice->second};
      else order = merged_;
      std::optional<json> final_point;
      for (auto c : order)
        if ((final_point = primary_of(c, type))) break;
      const auto current = primary_of(r_.survivor, type);
      const json current_id = current ? (*current)["id"] : json();
      const json final_id = final_point ? (*final_point)["id"] : json();
      if (current_id != final_id) {
        if (current) points.changed.push_back({*current, json{{"is_primary", 0}}});
        if (final_point) {
          bool moved = false;
          for (auto& m : points.moved)
            if (m.row.at("id") == final_id) {
              m.set["is_primary"] = 1;
              moved = true;
            }
          if (!moved) points.changed.push_back({*final_point, json{{"is_primary", 1}}});
        }
      }
      if (std::string(type) == "email" || std::string(type) == "phone")
        mirror_[type] = final_point ? (*final_point)["value_norm"] : json();
    }
    // Consent events that named a point removed as a copy now name the point that stays.
    auto& events = table("consent_events");
    for (const auto& [removed, keeper] : point_keeper_)
      for (auto& row : detail::stored_rows(conn_, "SELECT * FROM consent_events WHERE contact_point_id = ?", {removed}))
        events.changed.push_back({std::move(row), json{{"contact_point_id", keeper.at("id")}}});
  }

  void plan_customer_fields() {
    const json& survivor = customers_.at(r_.survivor);
    json set = json::object();
    auto value_from = [&](const std::string& field) -> std::pair<json, std::int64_t> {
      auto choice = r_.field_choices.find(field);
      if (choice != r_.field_choices.end()) return {customers_.at(choice->second).at(field), choice->second};
      for (auto id : merged_)
        if (!customers_.at(id).at(field).is_null()) return {customers_.at(id).at(field), id};
      return {json(), r_.survivor};
    };
    for (const auto& [field, old] : survivor.items()) {
      json now;
      std::int64_t source = r_.survivor;
      if (field == "id" || field == "updated_at" || field == "lifecycle_manual" || field == "acquisition_currency" ||
          field == "erased_at") {
        continue;
      } else if (field == "created_at") {
        now = old;
        for (auto id : merged_)
          if (customers_.at(id).at(field).get<std::int64_t>() < now.get<std::int64_t>()) {
            now = customers_.at(id).at(field);
            source = id;
          }
      } else if (field == "email" || field == "phone") {
        now = mirror_.at(field);
        auto choice = r_.field_choices.find(field);
        if (choice != r_.field_choices.end()) source = choice->second;
        else
          for (auto id : merged_)
            if (customers_.at(id).at(field) == now) {
              source = id;
              break;
            }
      } else if (field == "lifecycle_stage") {
        auto choice = r_.field_choices.find(field);
        source = r_.survivor;
        if (choice != r_.field_choices.end()) source = choice->second;
        else
          for (auto id : merged_)
            if (stage_rank(customers_.at(id).at(field)) > stage_rank(customers_.at(source).at(field))) source = id;
        now = customers_.at(source).at(field);
        if (customers_.at(source).at("lifecycle_manual") != survivor.at("lifecycle_manual"))
          set["lifecycle_manual"] = customers_.at(source).at("lifecycle_manual");
      } else if (field == "attributes" && !r_.field_choices.count(field)) {
        json merged_attributes = json::object();
        for (auto it = merged_.rbegin(); it != merged_.rend(); ++it) {
          const json& text = customers_.at(*it).at(field);
          if (text.is_string()) merged_attributes.update(json::parse(text.get<std::string>()));
        }
        const json before = json::parse(old.get<std::string>());
        now = merged_attributes == before ? old : json(merged_attributes.dump());
        if (now != old)
          for (auto id : r_.absorbed)
            if (customers_.at(id).at(field) != json("{}")) {
              source = id;
              break;
            }
      } else {
        std::tie(now, source) = value_from(field);
      }
      if (now == old) continue;
      set[field] = now;
      if (field == "acquisition_cost") set["acquisition_currency"] = customers_.at(source).at("acquisition_currency");
      w_.plan.fields.push_back({field, value_text(old), value_text(now), source});
    }
    set["updated_at"] = at_;
    TableChanges t;
    t.table = "customers";
    t.key = "id";
    t.changed.push_back({survivor, set});
    for (auto id : r_.absorbed) t.removed.push_back(customers_.at(id));
    w_.tables.insert(w_.tables.begin(), std::move(t));
  }

  // Opt-out wins: a (channel, purpose) withdrawn on a merged record is withdrawn on the
  // survivor, unless the merged events already say so.
  void plan_consent() {
    Consent consent(store_);
    const std::int64_t ttl = consent.double_opt_in_ttl();
    std::vector<ConsentEvent> all;
    std::map<std::pair<ConsentChannel, std::string>, std::pair<std::int64_t, LawfulBasis>> withdrawn;
    for (auto id : merged_) {
      const auto events = consent.events(id);
      for (const auto& s : detail::derive_all_consent(id, events, at_, ttl))
        if (s.state == ConsentState::withdrawn && s.deciding) {
          auto k = std::make_pair(s.channel, s.purpose);
          if (!withdrawn.count(k)) withdrawn[k] = {id, s.deciding->lawful_basis};
        }
      for (auto e : events) {
        e.customer_id = r_.survivor;
        all.push_back(std::move(e));
      }
    }
    for (const auto& [k, by] : withdrawn) {
      const auto combined = detail::derive_consent(r_.survivor, k.first, k.second, all, at_, ttl);
      if (combined.state == ConsentState::withdrawn) continue;
      w_.plan.consent.push_back({k.first, k.second, by.first});
      NewConsentEvent e;
      e.customer_id = r_.survivor;
      e.channel = k.first;
      e.purpose = k.second;
      e.lawful_basis = by.second;
      e.action = ConsentAction::withdraw;
      e.source = "merge";
      e.at = at_;
      w_.withdrawals.push_back(std::move(e));
    }
  }

  // Confirmed non-duplicate pairs naming an absorbed record now name the survivor; a pair that
  // becomes the survivor with itself, or one it already has, goes.
  void plan_exceptions() {
    TableChanges t;
    t.table = "duplicate_exceptions";
    t.key = "customer_a,customer_b";
    const std::set<std::int64_t> absorbed(r_.absorbed.begin(), r_.absorbed.end());
    const char* sql = "SELECT * FROM duplicate_exceptions WHERE customer_a = ?1 OR customer_b = ?1 "
                      "ORDER BY customer_a, customer_b";
    std::set<std::pair<std::int64_t, std::int64_t>> have, taken;
    auto pair_of = [](const json& row) {
      return std::make_pair(row.at("customer_a").get<std::int64_t>(), row.at("customer_b").get<std::int64_t>());
    };
    for (auto id : r_.absorbed)
      for (auto& row : detail::stored_rows(conn_, sql, {id}))
        if (taken.insert(pair_of(row)).second) t.removed.push_back(std::move(row));
    for (const auto& row : detail::stored_rows(conn_, sql, {r_.survivor})) {
      const auto p = pair_of(row);
      if (!absorbed.count(p.first) && !absorbed.count(p.second)) have.insert(p);
    }
    for (const auto& row : t.removed) {
      auto map = [&](const json& v) {
        const auto id = v.get<std::int64_t>();
        return absorbed.count(id) ? r_.survivor : id;
      };
      const auto a = map(row.at("customer_a")), b = map(row.at("customer_b"));
      if (a == b || !have.insert({std::min(a, b), std::max(a, b)}).second) continue;
      t.added.push_back(json{{"customer_a", std::min(a, b)}, {"customer_b", std::max(a, b)}, {"at", row.at("at")}});
    }
    w_.tables.push_back(std::move(t));
  }

  void summarise() {
    w_.plan.survivor = r_.survivor;
    w_.plan.absorbed = r_.absorbed;
    std::int64_t rows = 0;
    for (const auto& t : w_.tables) {
      MergeTableChange c;
      c.table = t.table;
      c.moved = static_cast<std::int64_t>(t.moved.size());
      for (const auto& [from, keys] : t.moved_ids) c.moved += static_cast<std::int64_t>(keys.size());
      c.changed = static_cast<std::int64_t>(t.changed.size());
      c.removed = static_cast<std::int64_t>(t.removed.size());
      c.added = static_cast<std::int64_t>(t.added.size());
      c.recomputed = t.recompute;
      if (t.table == "consent_events") c.added = static_cast<std::int64_t>(w_.withdrawals.size());
      if (c.moved + c.changed + c.removed + c.added == 0 && !c.recomputed) continue;
      rows += c.moved + c.changed + c.removed + c.added;
      w_.plan.tables.push_back(c);
    }
    w_.plan.rows = rows;
    if (rows > kMergeMaxRows)
      throw Error(Errc::invalid_argument,
                  fmt::format("the merge would change {} rows, more than the {} one merge may keep for its undo", rows,
                              kMergeMaxRows));
  }

  Store& store_;
  Connection& conn_;
  const MergeRequest& r_;
  Instant at_;
  MergeWork w_;
  std::vector<std::int64_t> merged_;  // survivor first, then the absorbed in the order given
  std::map<std::int64_t, json> customers_;
  std::vector<json> survivor_points_, absorbed_points_;
  std::map<std::int64_t, json> point_keeper_;  // absorbed point removed as a copy -> the point that stays
  std::map<std::string, json> mirror_;         // email, phone: the survivor's primary value after the merge
};

void set_row(Connection& conn, const TableChanges& t, const detail::RowChange& c) {
  if (detail::update_row(conn, t.table, t.key, c.row, c.set) != 1)
    throw Error(Errc::conflict, fmt::format("a row of {} changed while the merge was planned; try again", t.table));
}

// The rows of moved_ids given to the survivor, one statement per table: the keys were read in
// this transaction, so the count must agree.
void move_owners(Connection& conn, const TableChanges& t, std::int64_t survivor) {
  std::vector<std::int64_t> from;
  std::size_t rows = 0;
  for (const auto& [id, keys] : t.moved_ids) {
    from.push_back(id);
    rows += keys.size();
  }
  auto st = conn.statement(
      fmt::format("UPDATE {} SET customer_id = {} WHERE customer_id IN ({})", t.table, survivor, id_list(from)));
  if (static_cast<std::size_t>(st->exec()) != rows)
    throw Error(Errc::internal, fmt::format("the merge moved another number of {} rows than it planned", t.table));
}

// Undo's counterpart: each row back to the record it came from, 500 keys a statement.
void return_owners(Connection& conn, const TableChanges& t, std::int64_t from, const std::vector<std::int64_t>& keys) {
  for (std::size_t i = 0; i < keys.size(); i += 500) {
    const std::vector<std::int64_t> chunk(keys.begin() + static_cast<std::ptrdiff_t>(i),
                                          keys.begin() + static_cast<std::ptrdiff_t>(std::min(keys.size(), i + 500)));
    conn.statement(fmt::format("UPDATE {} SET customer_id = {} WHERE {} IN ({})", t.table, from, t.key, id_list(chunk)))
        ->exec();
  }
}

// Every column of `row` but its key: what undo sets to put a row back.
json non_key(const json& row, const std::string& key) {
  json out = row;
  for (const auto& c : detail::column_list(key)) out.erase(c);
  return out;
}

void audit(Connection& conn, std::int64_t customer, const std::string& field, const json& value, Instant at) {
  detail::record_change(conn, AuditEntity::customer, customer, field, std::nullopt, value.dump(), at);
}

}  // namespace

MergePlan Merges::plan(const MergeRequest& request, Instant at) {
  return detail::guard([&] { return Planner(store_, request, at).run().plan; });
}

MergeRecord Merges::merge(const MergeRequest& request, Instant at) {
  return detail::guard([&] {
    auto& conn = detail::connection_of(store_);
    detail::require_writable(conn);
    detail::WriteScope scope(conn);
    MergeWork w = Planner(store_, request, at).run();
    auto& tables = w.tables;
    // Changed rows first (a primary flag given up before another takes it), then the copies of
    // rows keyed by customer, then the moves; removals last, in reverse, so no row is removed
    // while another still refers to it.
    for (auto& t : tables) {
      if (t.table == "customers") continue;
      if (!t.moved_ids.empty()) move_owners(conn, t, request.survivor);
      for (const auto& c : t.changed) set_row(conn, t, c);
      for (const auto& row : t.added) detail::insert_row(conn, t.table, row);
      for (const auto& c : t.moved) set_row(conn, t, c);
    }
    for (auto t = tables.rbegin(); t != tables.rend(); ++t)
      for (const auto& row : t->removed) detail::delete_row(conn, t->table, t->key, row);
    // The survivor takes an absorbed external_id only once its record is gone.
    const TableChanges& customers = tables.front();
    for (const auto& c : customers.changed) set_row(conn, customers, c);
    detail::rebuild_figures_of(conn, {request.survivor});
    Consent consent(store_);
    for (auto& t : tables)
      if (t.table == "consent_events")
        for (const auto& e : w.withdrawals) t.added.push_back(json{{"id", consent.record(e)}});
    const std::int64_t id = detail::insert_merge_record(conn, w, at);
    for (const auto& f : w.plan.fields)
      detail::record_change(conn, AuditEntity::customer, request.survivor, f.field, f.old_value, f.new_value, at);
    audit(conn, request.survivor, "merged", json{{"merge", id}, {"absorbed", request.absorbed}}, at);
    for (auto a : request.absorbed) audit(conn, a, "merged_into", json{{"merge", id}, {"survivor", request.survivor}}, at);
    scope.commit();
    return detail::read_merge_record(conn, id);
  });
}

MergeRecord Merges::undo(std::int64_t merge_id, Instant at, bool force) {
  detail::check_instant("at", at);
  return detail::guard([&] {
    auto& conn = detail::connection_of(store_);
    detail::require_writable(conn);
    detail::WriteScope scope(conn);
    const MergeRecord record = detail::read_merge_record(conn, merge_id);
    if (record.undone_at)
      throw Error(Errc::conflict, fmt::format("merge {} was undone already (at {})", merge_id, *record.undone_at));
    const std::int64_t s = record.survivor;
    auto now = detail::stored_rows(conn, "SELECT * FROM customers WHERE id = ?", {s});
    if (now.empty())
      throw Error(Errc::conflict, fmt::format("merge {}'s survivor {} no longer exists{}: undo that first", merge_id, s,
                                              record.held_by != s
                                                  ? fmt::format(" (it was merged into {})", record.held_by)
                                                  : std::string(" (it was deleted)")));
    if (record.held_by != s)
      throw Error(Errc::conflict, fmt::format("merge {}'s survivor {} was merged into {} since: undo that merge first",
                                              merge_id, s, record.held_by));
    if (now.front().contains("erased_at") && !now.front()["erased_at"].is_null())
      throw Error(Errc::conflict, fmt::format("merge {}'s survivor {} was erased since", merge_id, s));
    for (auto a : record.absorbed)
      if (!detail::stored_rows(conn, "SELECT id FROM customers WHERE id = ?", {a}).empty())
        throw Error(Errc::conflict,
                    fmt::format("customer id {} of merge {} was taken by another record since", a, merge_id));
    const json after = detail::merge_survivor_after(conn, merge_id);
    std::string changed;
    for (const auto& [field, value] : after.items())
      if (field != "updated_at" && now.front().value(field, json()) != value) changed += (changed.empty() ? "" : ", ") + field;
    if (!changed.empty() && !force)
      throw Error(Errc::conflict, fmt::format("survivor {} changed since merge {}: {}; undo with force to put these "
                                              "fields back as they were before the merge",
                                              s, merge_id, changed));
    std::vector<TableChanges> tables = detail::merge_changes_of(conn, merge_id);
    // The records first (the survivor gives back an absorbed external_id before its owner
    // returns), then each table in order: moved and changed rows back as they were, removed
    // rows back in; added rows go last, in reverse.
    const TableChanges& customers = tables.front();
    for (const auto& c : customers.changed) detail::update_row(conn, "customers", "id", c.row, non_key(c.row, "id"));
    for (const auto& row : customers.removed) detail::insert_row(conn, "customers", row);
    // A row deleted since the merge stays deleted: undo puts back what the merge did, not more.
    for (const auto& t : tables) {
      if (t.table == "customers" || t.recompute) continue;
      for (const auto& [from, keys] : t.moved_ids) return_owners(conn, t, from, keys);
      for (const auto* list : {&t.moved, &t.changed})
        for (const auto& c : *list) detail::update_row(conn, t.table, t.key, c.row, non_key(c.row, t.key));
      for (const auto& row : t.removed) detail::insert_row(conn, t.table, row);
    }
    for (auto t = tables.rbegin(); t != tables.rend(); ++t)
      for (const auto& row : t->added) detail::delete_row(conn, t->table, t->key, row);
    std::vector<std::int64_t> involved = {s};
    involved.insert(involved.end(), record.absorbed.begin(), record.absorbed.end());
    detail::rebuild_figures_of(conn, involved);
    detail::mark_merge_undone(conn, merge_id, at);
    audit(conn, s, "merge_undone", json{{"merge", merge_id}, {"absorbed", record.absorbed}}, at);
    for (auto a : record.absorbed) audit(conn, a, "merge_undone", json{{"merge", merge_id}, {"survivor", s}}, at);
    scope.commit();
    return detail::read_merge_record(conn, merge_id);
  });
}

MergeRecord Merges::get(std::int64_t merge_id) {
  return detail::guard([&] { return detail::read_merge_record(detail::connection_of(store_), merge_id); });
}

std::vector<MergeRecord> Merges::of_customer(std::int64_t customer_id) {
  return detail::guard([&] { return detail::merge_records_of(detail::connection_of(store_), customer_id); });
}

}  // namespace crmkit
