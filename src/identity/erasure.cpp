// Erasure (crmkit/erasure.hpp): the customer area pseudonymises the record and removes its
// contact points; this file walks every other table that refers to the customer through the one
// list in customer_references.cpp, redacts the audit trail, and then proves the result by
// scanning the store's files for the values it collected before it changed anything.
#include "crmkit/erasure.hpp"

#include <algorithm>
#include <set>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "base/checks.hpp"
#include "base/json_form.hpp"
#include "base/text.hpp"
#include "crmkit/audit.hpp"
#include "customers/customer_field_table.hpp"
#include "customers/erase_customer.hpp"
#include "identity/customer_references.hpp"
#include "store/audit_trail.hpp"
#include "store/connection.hpp"
#include "store/file_scan.hpp"
#include "store/stored.hpp"

namespace crmkit {

namespace {

using detail::Connection;
using nlohmann::json;

// The values erasure removes, each once, with where it was first found: what the scan searches.
class ErasedValues {
 public:
  void add(const std::string& source, const std::optional<std::string>& value) {
    if (value && !value->empty() && seen_.insert(*value).second) values_.emplace_back(source, *value);
  }
  // Every string inside a JSON value (an attributes object, a record the audit trail kept).
  void add_strings(const std::string& source, const json& value) {
    if (value.is_string()) add(source, value.get<std::string>());
    else if (value.is_structured())
      for (const auto& v : value) add_strings(source, v);
  }
  // A stored text that may be a JSON object (interactions.attributes) or free text.
  void add_text(const std::string& source, const std::optional<std::string>& text) {
    if (!text) return;
    if (!text->empty() && text->front() == '{') {
      const json j = json::parse(*text, nullptr, false);
      if (j.is_object()) return add_strings(source, j);
    }
    add(source, text);
  }
  void forget(const std::string& value) {
    for (auto it = values_.begin(); it != values_.end();)
      it = it->second == value ? values_.erase(it) : it + 1;
  }
  const std::vector<std::pair<std::string, std::string>>& list() const { return values_; }

 private:
  std::set<std::string> seen_;
  std::vector<std::pair<std::string, std::string>> values_;
};

// A contact point's fields that hold the person's data, as its audit entries name them.
bool personal_point_field(const std::string& name) {
  return name == "value" || name == "normalized" || name == "match_key" || name == "label";
}

bool personal_field(AuditEntity entity, const std::string& name) {
  return entity == AuditEntity::customer ? detail::is_personal_customer_field(name) : personal_point_field(name);
}

// The personal values of the audit entries of one record: a changed field's old and new value,
// and a whole record's ("created", "deleted") personal members.
void collect_audit(Connection& conn, AuditEntity entity, std::int64_t id, ErasedValues& out) {
  auto& st = conn.prepare(
      "SELECT field, old_value, new_value FROM audit_entries WHERE entity = ? AND entity_id = ? AND redacted = 0 "
      "ORDER BY id");
  detail::StatementReset done(st);
  detail::bind_all(st, to_string(entity), id);
  while (st.executeStep()) {
    const detail::StoredRow r(st, "audit_entries");
    const std::string field = r.text(0);
    const bool record = field == "created" || field == "deleted";
    const std::pair<const char*, std::optional<std::string>> sides[] = {{"audit_entries.old_value", r.opt_text(1)},
                                                                        {"audit_entries.new_value", r.opt_text(2)}};
    for (const auto& [source, text] : sides) {
      if (!text) continue;
      const json j = json::parse(*text, nullptr, false);
      if (record && j.is_object()) {
        for (auto it = j.begin(); it != j.end(); ++it)
          if (personal_field(entity, it.key())) out.add_strings(source, it.value());
      } else if (!record && personal_field(entity, field)) {
        out.add_strings(source, j);
      }
    }
  }
}

// Every table with a customer_id column must have its rule: a table added without one would
// keep the person's rows unseen. tests/unit/customer_references_test.cpp holds this too; here it
// is checked where it matters, before anything is written.
void require_every_reference(Connection& conn) {
  for (const auto& table : detail::tables_with_customer_id(conn))
    if (!detail::customer_reference(table))
      throw Error(Errc::internal, fmt::format("table {} refers to customers but erasure has no rule for it "
                                              "(src/identity/customer_references.cpp)", table));
}

std::vector<std::string> split_columns(const std::string& list) {
  std::vector<std::string> out;
  std::size_t from = 0;
  while (from <= list.size()) {
    const std::size_t comma = list.find(',', from);
    out.push_back(list.substr(from, comma == std::string::npos ? std::string::npos : comma - from));
    if (comma == std::string::npos) break;
    from = comma + 1;
  }
  return out;
}

ErasureScan not_verified(std::string reason) {
  ErasureScan s;
  s.reason = std::move(reason);
  return s;
}

json scan_json(const ErasureScan& s) {
  json files = json::array(), values = json::array();
  for (const auto& f : s.files) files.push_back({{"file", f.file}, {"exists", f.exists}, {"bytes", f.bytes}});
  for (const auto& v : s.values) {
    json hits = json::array();
    for (const auto& h : v.hits) hits.push_back({{"file", h.file}, {"offset", h.offset}, {"form", h.form}});
    values.push_back({{"source", v.source}, {"bytes", v.bytes}, {"forms", v.forms}, {"hits", hits}});
  }
  return {{"verified", s.verified}, {"reason", s.reason},   {"clean", s.clean},
          {"files", files},         {"values", values},     {"skipped", s.skipped},
          {"bytes_scanned", s.bytes_scanned}, {"hits", s.hits}};
}

// The files a raw scan can read, or why there are none.
std::optional<std::string> unscannable(Connection& conn) {
  if (conn.backend() == detail::Backend::postgres)
    return "a PostgreSQL store's files belong to the server: a client cannot read its data files, WAL or free "
           "space, so the erasure is logical only (docs/PRIVACY.md \"Erasure\")";
  if (conn.path.empty() || conn.path == ":memory:") return "an in-memory store has no files to scan";
  return std::nullopt;
}

}  // namespace

std::string to_json(const ErasureScan& scan) { return scan_json(scan).dump(); }

std::string to_json(const ErasureReport& r) {
  return json{{"customer_id", r.customer_id},
              {"erased_at", r.erased_at},
              {"pseudonym", r.pseudonym},
              {"contact_points_removed", r.contact_points_removed},
              {"suppressed", r.suppressed},
              {"rows_redacted", r.rows_redacted},
              {"rows_removed", r.rows_removed},
              {"audit_entries_redacted", r.audit_entries_redacted},
              {"checkpointed", r.checkpointed},
              {"scan", r.scan ? scan_json(*r.scan) : json(nullptr)}}
      .dump();
}

ErasureReport Erasure::erase(std::int64_t customer_id, Instant at, const ErasureOptions& options) {
  if (customer_id <= 0)
    throw Error(Errc::invalid_argument, fmt::format("customer id {} is not a customer id (ids are positive)", customer_id));
  detail::check_instant("at", at);
  return detail::guard([&] {
    auto& conn = detail::connection_of(store_);
    ErasureReport report;
    report.customer_id = customer_id;
    report.erased_at = at;
    ErasedValues values;
    std::vector<std::int64_t> point_ids;
    {
      detail::WriteScope scope(conn);
      require_every_reference(conn);
      // The values are read before anything changes: the scan looks for what was there.
      auto erased = detail::erase_customer_record(conn, customer_id, at);
      for (const auto& row : detail::customer_field_rows()) {
        if (row.personal == detail::Personal::no) continue;
        const std::string source = std::string("customers.") + row.info.name;
        if (row.stored_text) values.add(source, erased.before.*(row.stored_text));
        else values.add_strings(source, row.json(erased.before, JsonForm::exact));
      }
      for (const auto& p : erased.points) {
        values.add("contact_points.value", p.value);
        values.add("contact_points.normalized", p.normalized);
        values.add("contact_points.match_key", p.match_key);
        values.add("contact_points.label", p.label);
        point_ids.push_back(p.id);
      }
      for (auto id : detail::audited_contact_points_of(conn, customer_id)) point_ids.push_back(id);
      std::sort(point_ids.begin(), point_ids.end());
      point_ids.erase(std::unique(point_ids.begin(), point_ids.end()), point_ids.end());
      collect_audit(conn, AuditEntity::customer, customer_id, values);
      for (auto id : point_ids) collect_audit(conn, AuditEntity::contact_point, id, values);
      report.pseudonym = erased.pseudonym;
      report.contact_points_removed = static_cast<std::int64_t>(erased.points.size());
      report.suppressed = erased.suppressed;

      for (const auto& ref : detail::customer_references()) {
        if (ref.on_erasure == detail::OnErasure::keep) continue;
        if (ref.on_erasure == detail::OnErasure::remove) {
          auto& del = conn.prepare(fmt::format("DELETE FROM {} WHERE customer_id = ?", ref.table));
          detail::bind_all(del, customer_id);
          if (const int n = del.exec()) report.rows_removed[ref.table] += n;
          continue;
        }
        const auto columns = split_columns(ref.personal);
        std::string select, set, any;
        for (const auto& c : columns) {
          select += (select.empty() ? "" : ", ") + c;
          set += (set.empty() ? "" : ", ") + c + " = NULL";
          any += (any.empty() ? "" : " OR ") + c + " IS NOT NULL";
        }
        {
          auto& read = conn.prepare(
              fmt::format("SELECT {} FROM {} WHERE customer_id = ? AND ({})", select, ref.table, any));
          detail::StatementReset done(read);
          detail::bind_all(read, customer_id);
          while (read.executeStep())
            for (std::size_t i = 0; i < columns.size(); ++i) {
              const int col = static_cast<int>(i);
              if (!read.getColumn(col).isNull())
                values.add_text(std::string(ref.table) + "." + columns[i], read.getColumn(col).getString());
            }
        }
        // Only rows that still hold something: an append-only table's trigger lets a column
        // become NULL, and a row with nothing left is not touched at all.
        auto& update =
            conn.prepare(fmt::format("UPDATE {} SET {} WHERE customer_id = ? AND ({})", ref.table, set, any));
        detail::bind_all(update, customer_id);
        if (const int n = update.exec()) report.rows_redacted[ref.table] += n;
      }

      report.audit_entries_redacted = detail::redact_audit_entries(conn, AuditEntity::customer, customer_id);
      for (auto id : point_ids)
        report.audit_entries_redacted += detail::redact_audit_entries(conn, AuditEntity::contact_point, id);
      // The erasure's own entry, after the redaction so that it stays readable: when, by whom.
      detail::record_change(conn, AuditEntity::customer, customer_id, "erased_at", std::nullopt, std::to_string(at), at);
      scope.commit();
    }
    values.forget(report.pseudonym);
    const auto why_not = unscannable(conn);
    // Inside the caller's transaction nothing is committed yet: the checkpoint and the scan wait.
    if (!why_not && !conn.in_transaction()) report.checkpointed = detail::checkpoint_and_truncate_wal(conn);
    if (options.verify) {
      if (why_not) report.scan = not_verified(*why_not);
      else if (conn.in_transaction())
        report.scan = not_verified("erased inside the caller's transaction: commit it, then scan (Erasure::scan)");
      else {
        report.scan = detail::scan_files(detail::store_files(conn.path), values.list());
        if (!report.checkpointed)
          report.scan->reason = "the WAL could not be checkpointed (another connection is reading)" +
                                (report.scan->reason.empty() ? std::string() : "; " + report.scan->reason);
      }
    }
    return report;
  });
}

ErasureScan Erasure::scan(const std::vector<std::string>& values) {
  for (const auto& v : values)
    if (!detail::is_valid_utf8(v)) throw Error(Errc::invalid_argument, "a value to scan for is not valid UTF-8");
  return detail::guard([&] {
    auto& conn = detail::connection_of(store_);
    if (auto why_not = unscannable(conn)) return not_verified(*why_not);
    std::vector<std::pair<std::string, std::string>> named;
    for (std::size_t i = 0; i < values.size(); ++i) named.emplace_back(fmt::format("value {}", i + 1), values[i]);
    return detail::scan_files(detail::store_files(conn.path), named);
  });
}

}  // namespace crmkit
