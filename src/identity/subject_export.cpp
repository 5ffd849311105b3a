// The subject-access export: every row that references a customer, found through the store's
// catalog rather than a list kept by hand, so no area's table can be forgotten.
#include "crmkit/subject_export.hpp"

#include <stdlib.h>  // mkdtemp

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <map>
#include <system_error>
#include <vector>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "crmkit/csv.hpp"
#include "customers/customer_exists.hpp"
#include "identity/customer_references.hpp"
#include "identity/stored_rows.hpp"
#include "store/connection.hpp"

namespace crmkit {

namespace {

using detail::Connection;
using nlohmann::json;

// One exported table: its stored column names in stored order, and its rows as objects keyed
// by column name.
struct Table {
  std::vector<std::string> columns;
  std::vector<json> rows;
};

// The rows a statement yields, sorted by their text so the export does not depend on the order
// a backend returns them in.
Table rows_of(Connection& conn, const std::string& sql, std::int64_t customer_id, int binds) {
  auto st = conn.statement(sql);
  for (int i = 1; i <= binds; ++i) detail::bind_value(*st, i, customer_id);
  Table table;
  // Read before the first step: a table with no rows still has its header.
  for (int c = 0; c < st->getColumnCount(); ++c) table.columns.emplace_back(st->getColumnName(c));
  std::vector<std::pair<std::string, json>> rows;
  while (st->executeStep()) {
    json row = json::object();
    for (int c = 0; c < st->getColumnCount(); ++c) row[st->getColumnName(c)] = detail::stored_value(*st, c);
    std::string key = row.dump();
    rows.emplace_back(std::move(key), std::move(row));
  }
  std::sort(rows.begin(), rows.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
  for (auto& r : rows) table.rows.push_back(std::move(r.second));
  return table;
}

// Every table that references the customer, by name (the JSON document's order).
std::map<std::string, Table> subject_tables(Store& store, std::int64_t customer_id) {
  auto& conn = detail::connection_of(store);
  if (customer_id <= 0 || !detail::customer_exists(conn, customer_id))
    throw Error(Errc::not_found, fmt::format("customer {} does not exist", customer_id));
  std::map<std::string, Table> tables;
  tables["customers"] = rows_of(conn, "SELECT * FROM customers WHERE id = ?", customer_id, 1);
  for (const auto& t : detail::tables_with_customer_id(conn))
    tables[t] = rows_of(conn, fmt::format("SELECT * FROM \"{}\" WHERE customer_id = ?", t), customer_id, 1);
  tables["duplicate_exceptions"] =
      rows_of(conn, "SELECT * FROM duplicate_exceptions WHERE customer_a = ? OR customer_b = ?", customer_id, 2);
  tables["audit_entries"] = rows_of(
      conn,
      "SELECT * FROM audit_entries WHERE (entity = 'customer' AND entity_id = ?) OR (entity = 'contact_point' AND "
      "entity_id IN (SELECT id FROM contact_points WHERE customer_id = ?))",
      customer_id, 2);
  return tables;
}

// A stored value as a CSV field. NULL is an empty field and empty text a quoted one, so the two
// stay apart; a binary value (exported as {"hex": ...}) is its hexadecimal digits.
std::string csv_value(const json& v) {
  if (v.is_null()) return "";
  if (v.is_string()) {
    const auto& text = v.get_ref<const std::string&>();
    return text.empty() ? "\"\"" : io::csv_field(text);
  }
  if (v.is_object()) return v.at("hex").get<std::string>();
  return v.dump();
}

std::string csv_of(const Table& table) {
  std::string out;
  for (std::size_t c = 0; c < table.columns.size(); ++c) out += (c ? "," : "") + io::csv_field(table.columns[c]);
  out += "\r\n";
  for (const auto& row : table.rows) {
    for (std::size_t c = 0; c < table.columns.size(); ++c) out += (c ? "," : "") + csv_value(row.at(table.columns[c]));
    out += "\r\n";
  }
  return out;
}

namespace fs = std::filesystem;

void write_file(const fs::path& path, const std::string& text) {
  std::ofstream f(path, std::ios::binary | std::ios::trunc);
  f << text;
  f.close();
  if (!f) throw Error(Errc::io, fmt::format("export: {} cannot be written", path.string()));
}

// Refuses a destination that is not free: missing or an empty directory are the only ones.
void refuse_taken(const fs::path& dir) {
  std::error_code ec;
  const auto status = fs::symlink_status(dir, ec);
  if (ec && ec != std::errc::no_such_file_or_directory)
    throw Error(Errc::io, fmt::format("export: {} cannot be read: {}", dir.string(), ec.message()));
  if (!fs::exists(status)) return;
  if (!fs::is_directory(status))
    throw Error(Errc::conflict, fmt::format("export: {} exists and is not a directory", dir.string()));
  const bool empty = fs::directory_iterator(dir, ec) == fs::directory_iterator();
  if (ec) throw Error(Errc::io, fmt::format("export: directory {} cannot be read: {}", dir.string(), ec.message()));
  if (!empty)
    throw Error(Errc::conflict,
                fmt::format("export: directory {} is not empty (a bundle is written only to a new or empty one)",
                            dir.string()));
}

// Removes the partial bundle when the export fails before the rename.
struct PartialBundle {
  fs::path path;
  bool kept = false;
  ~PartialBundle() {
    std::error_code ec;
    if (!kept) fs::remove_all(path, ec);
  }
};

}  // namespace

std::string export_subject(Store& store, std::int64_t customer_id) {
  return detail::guard([&] {
    json tables = json::object();
    for (auto& [name, table] : subject_tables(store, customer_id)) tables[name] = std::move(table.rows);
    return json{{"format", "crmkit-subject-export/1"}, {"customer_id", customer_id}, {"tables", tables}}.dump();
  });
}

SubjectExportManifest export_subject_csv(Store& store, std::int64_t customer_id, const std::string& directory) {
  return detail::guard([&] {
    if (directory.empty()) throw Error(Errc::invalid_argument, "export: the bundle's directory is empty");
    const fs::path dir = fs::path(directory).lexically_normal();
    const fs::path target = dir.has_filename() ? dir : dir.parent_path();  // "out/" names "out"
    refuse_taken(target);
    const auto tables = subject_tables(store, customer_id);
    const fs::path parent = target.parent_path().empty() ? fs::path(".") : target.parent_path();
    std::error_code ec;
    if (!fs::is_directory(parent, ec))
      throw Error(Errc::io, fmt::format("export: the directory {} does not exist", parent.string()));
    // Beside the target, so the rename stays on one file system; mkdtemp makes it 0700, which a
    // person's data deserves anyway.
    std::string pattern = (parent / ("." + target.filename().string() + ".partial-XXXXXX")).string();
    if (!mkdtemp(pattern.data()))
      throw Error(Errc::io, fmt::format("export: a directory cannot be made in {}", parent.string()));
    PartialBundle partial{pattern};
    SubjectExportManifest manifest;
    manifest.customer_id = customer_id;
    for (const auto& [name, table] : tables) {
      SubjectExportFile file{name, name + ".csv", static_cast<std::int64_t>(table.rows.size())};
      write_file(partial.path / file.file, csv_of(table));
      manifest.files.push_back(std::move(file));
    }
    write_file(partial.path / "manifest.json", to_json(manifest) + "\n");
    // rename(2) replaces an empty directory and refuses one that gained entries meanwhile.
    fs::rename(partial.path, target, ec);
    if (ec) {
      refuse_taken(target);
      throw Error(Errc::io, fmt::format("export: {} cannot be made: {}", target.string(), ec.message()));
    }
    partial.kept = true;
    return manifest;
  });
}

}  // namespace crmkit
