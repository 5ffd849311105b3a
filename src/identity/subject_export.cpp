// The subject-access export: every row that references a customer, found through the store's
// catalog rather than a list kept by hand, so no area's table can be forgotten.
#include "crmkit/subject_export.hpp"

#include <algorithm>
#include <vector>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "customers/customer_exists.hpp"
#include "identity/customer_references.hpp"
#include "identity/stored_rows.hpp"
#include "store/connection.hpp"

namespace crmkit {

namespace {

using detail::Connection;
using nlohmann::json;

// The rows a statement yields, as objects keyed by column name, sorted by their text so the
// export does not depend on the order a backend returns them in.
json rows_of(Connection& conn, const std::string& sql, std::int64_t customer_id, int binds) {
  auto st = conn.statement(sql);
  for (int i = 1; i <= binds; ++i) detail::bind_value(*st, i, customer_id);
  std::vector<std::pair<std::string, json>> rows;
  while (st->executeStep()) {
    json row = json::object();
    for (int c = 0; c < st->getColumnCount(); ++c) row[st->getColumnName(c)] = detail::stored_value(*st, c);
    std::string key = row.dump();
    rows.emplace_back(std::move(key), std::move(row));
  }
  std::sort(rows.begin(), rows.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
  json out = json::array();
  for (auto& r : rows) out.push_back(std::move(r.second));
  return out;
}

}  // namespace

std::string export_subject(Store& store, std::int64_t customer_id) {
  return detail::guard([&] {
    auto& conn = detail::connection_of(store);
    if (customer_id <= 0 || !detail::customer_exists(conn, customer_id))
      throw Error(Errc::not_found, fmt::format("customer {} does not exist", customer_id));
    json tables = json::object();
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
    return json{{"format", "crmkit-subject-export/1"}, {"customer_id", customer_id}, {"tables", tables}}.dump();
  });
}

}  // namespace crmkit
