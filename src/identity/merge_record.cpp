#include "identity/merge_record.hpp"

#include <fmt/format.h>

#include "base/json_form.hpp"
#include "identity/stored_rows.hpp"
#include "store/connection.hpp"

namespace crmkit {

namespace detail {

using nlohmann::json;

namespace {

json changes_json(const std::vector<TableChanges>& tables) {
  json out = json::array();
  for (const auto& t : tables) {
    json moved = json::array(), changed = json::array();
    for (const auto& c : t.moved) moved.push_back({{"row", c.row}, {"set", c.set}});
    for (const auto& c : t.changed) changed.push_back({{"row", c.row}, {"set", c.set}});
    json ids = json::object();
    for (const auto& [from, keys] : t.moved_ids) ids[std::to_string(from)] = keys;
    out.push_back({{"table", t.table},
                   {"key", t.key},
                   {"recompute", t.recompute},
                   {"moved_ids", ids},
                   {"moved", moved},
                   {"changed", changed},
                   {"removed", t.removed},
                   {"added", t.added}});
  }
  return json{{"format", 1}, {"tables", out}};
}

std::optional<std::string> text_of(const json& v) {
  return v.is_null() ? std::nullopt : std::optional<std::string>(v.dump());
}

MergePlan plan_of(const json& j) {
  MergePlan p;
  p.survivor = j.at("survivor").get<std::int64_t>();
  p.absorbed = j.at("absorbed").get<std::vector<std::int64_t>>();
  for (const auto& f : j.at("fields"))
    p.fields.push_back({f.at("field").get<std::string>(), text_of(f.at("old")), text_of(f.at("new")),
                        f.at("source").get<std::int64_t>()});
  for (const auto& t : j.at("tables"))
    p.tables.push_back({t.at("table").get<std::string>(), t.at("moved").get<std::int64_t>(),
                        t.at("changed").get<std::int64_t>(), t.at("removed").get<std::int64_t>(),
                        t.at("added").get<std::int64_t>(), t.at("recomputed").get<bool>()});
  for (const auto& c : j.at("consent"))
    p.consent.push_back({parse_consent_channel(c.at("channel").get<std::string>()), c.at("purpose").get<std::string>(),
                         c.at("withdrawn_on").get<std::int64_t>()});
  p.rows = j.at("rows").get<std::int64_t>();
  return p;
}

constexpr const char* kColumns = "id, survivor_id, absorbed, customer_id, plan, actor, reason, at, undone_at";

MergeRecord record_of(Statement& st) {
  MergeRecord r;
  r.id = st.getColumn(0).getInt64();
  r.survivor = st.getColumn(1).getInt64();
  r.absorbed = json::parse(st.getColumn(2).getString()).get<std::vector<std::int64_t>>();
  r.held_by = st.getColumn(3).getInt64();
  r.plan = plan_of(json::parse(st.getColumn(4).getString()));
  if (!st.getColumn(5).isNull()) r.actor = st.getColumn(5).getString();
  if (!st.getColumn(6).isNull()) r.reason = st.getColumn(6).getString();
  r.at = st.getColumn(7).getInt64();
  if (!st.getColumn(8).isNull()) r.undone_at = st.getColumn(8).getInt64();
  return r;
}

std::optional<std::string> given(const std::string& s) { return s.empty() ? std::nullopt : std::optional(s); }

json stored_column(Connection& conn, std::int64_t merge_id, const char* column) {
  auto& st = conn.prepare(fmt::format("SELECT {} FROM merge_records WHERE id = ?", column));
  auto text = one_row(st, [](Statement& s) { return s.getColumn(0).getString(); }, merge_id);
  if (!text) throw Error(Errc::not_found, fmt::format("merge {} does not exist", merge_id));
  return json::parse(*text);
}

}  // namespace

json plan_json(const MergePlan& p, JsonForm) {
  json fields = json::array(), tables = json::array(), consent = json::array();
  auto value = [](const std::optional<std::string>& v) { return v ? json::parse(*v) : json(); };
  for (const auto& f : p.fields)
    fields.push_back({{"field", f.field}, {"old", value(f.old_value)}, {"new", value(f.new_value)}, {"source", f.source}});
  for (const auto& t : p.tables)
    tables.push_back({{"table", t.table},
                      {"moved", t.moved},
                      {"changed", t.changed},
                      {"removed", t.removed},
                      {"added", t.added},
                      {"recomputed", t.recomputed}});
  for (const auto& c : p.consent)
    consent.push_back({{"channel", to_string(c.channel)}, {"purpose", c.purpose}, {"withdrawn_on", c.withdrawn_on}});
  return json{{"survivor", p.survivor}, {"absorbed", p.absorbed}, {"fields", fields},
              {"tables", tables},       {"consent", consent},     {"rows", p.rows}};
}

std::int64_t insert_merge_record(Connection& conn, const MergeWork& w, Instant at) {
  const auto after = stored_rows(conn, "SELECT * FROM customers WHERE id = ?", {w.plan.survivor});
  auto& st = prepare_insert(conn,
                            "INSERT INTO merge_records(customer_id, survivor_id, absorbed, plan, undo, survivor_after, "
                            "actor, reason, at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)");
  bind_all(st, w.plan.survivor, w.plan.survivor, json(w.plan.absorbed).dump(),
           plan_json(w.plan, JsonForm::exact).dump(), changes_json(w.tables).dump(), after.at(0).dump(),
           given(conn.audit_context.actor), given(conn.audit_context.reason), at);
  return *inserted_id(conn, st);
}

MergeRecord read_merge_record(Connection& conn, std::int64_t merge_id) {
  auto& st = conn.prepare(fmt::format("SELECT {} FROM merge_records WHERE id = ?", kColumns));
  return required_row(st, record_of, [&] { return fmt::format("merge {} does not exist", merge_id); }, merge_id);
}

std::vector<MergeRecord> merge_records_of(Connection& conn, std::int64_t customer_id) {
  auto& st = conn.prepare(fmt::format("SELECT {} FROM merge_records WHERE customer_id = ? ORDER BY id DESC", kColumns));
  return all_rows(st, record_of, customer_id);
}

std::vector<TableChanges> merge_changes_of(Connection& conn, std::int64_t merge_id) {
  const json kept = stored_column(conn, merge_id, "undo");
  std::vector<TableChanges> out;
  for (const auto& t : kept.at("tables")) {
    TableChanges c;
    c.table = t.at("table").get<std::string>();
    c.key = t.at("key").get<std::string>();
    c.recompute = t.at("recompute").get<bool>();
    for (const auto& [from, keys] : t.at("moved_ids").items())
      c.moved_ids[std::stoll(from)] = keys.get<std::vector<std::int64_t>>();
    for (const auto& m : t.at("moved")) c.moved.push_back({m.at("row"), m.at("set")});
    for (const auto& m : t.at("changed")) c.changed.push_back({m.at("row"), m.at("set")});
    for (const auto& r : t.at("removed")) c.removed.push_back(r);
    for (const auto& r : t.at("added")) c.added.push_back(r);
    out.push_back(std::move(c));
  }
  return out;
}

json merge_survivor_after(Connection& conn, std::int64_t merge_id) {
  return stored_column(conn, merge_id, "survivor_after");
}

void mark_merge_undone(Connection& conn, std::int64_t merge_id, Instant at) {
  auto& st = conn.prepare("UPDATE merge_records SET undone_at = ? WHERE id = ?");
  bind_all(st, at, merge_id);
  st.exec();
}

}  // namespace detail

MergeRequest merge_request_from_json(const std::string& text) {
  const nlohmann::json j = detail::parse_json_object(text);
  MergeRequest r;
  for (const auto& [key, value] : j.items()) {
    if (key == "survivor") {
      r.survivor = detail::json_int64(value, "survivor");
    } else if (key == "absorbed") {
      if (!value.is_array()) detail::bad_json_field(key, "must be an array of customer ids");
      if (value.size() > static_cast<std::size_t>(kMergeMaxRecords))
        detail::bad_json_field(key, "names more records than one merge takes");
      for (const auto& id : value) r.absorbed.push_back(detail::json_int64(id, "an absorbed id"));
    } else if (key == "field_choices") {
      if (!value.is_object()) detail::bad_json_field(key, "must be an object of field: customer id");
      for (const auto& [field, id] : value.items()) r.field_choices[field] = detail::json_int64(id, "a field choice");
    } else {
      detail::bad_json_field(key, "is not a key of a merge request (survivor, absorbed, field_choices)");
    }
  }
  if (!j.contains("survivor")) detail::bad_json_field("survivor", "is missing");
  if (!j.contains("absorbed")) detail::bad_json_field("absorbed", "is missing");
  return r;
}

std::string to_json(const MergePlan& plan, JsonForm form) { return detail::plan_json(plan, form).dump(); }

namespace {

nlohmann::json record_json(const MergeRecord& r, JsonForm form) {
  return {{"id", r.id},
          {"survivor", r.survivor},
          {"absorbed", r.absorbed},
          {"held_by", r.held_by},
          {"plan", detail::plan_json(r.plan, form)},
          {"actor", detail::optional_json(r.actor)},
          {"reason", detail::optional_json(r.reason)},
          {"at", detail::instant_json(r.at, form)},
          {"undone_at", r.undone_at ? detail::instant_json(*r.undone_at, form) : nlohmann::json()}};
}

}  // namespace

std::string to_json(const MergeRecord& record, JsonForm form) { return record_json(record, form).dump(); }

std::string to_json(const std::vector<MergeRecord>& records, JsonForm form) {
  nlohmann::json out = nlohmann::json::array();
  for (const auto& r : records) out.push_back(record_json(r, form));
  return out.dump();
}

}  // namespace crmkit
