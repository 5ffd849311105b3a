// Stored rows as JSON objects keyed by column name, and back: what the subject export prints
// and what a merge keeps to undo itself. Values keep their stored type (integer, real, text,
// null; a blob as {"hex": "..."}), so a row written back is the row that was read.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace crmkit::detail {

struct Connection;
class Statement;

// The value of column `col` of the current row.
nlohmann::json stored_value(Statement& st, int col);

// The rows `sql` yields (its parameters 1..n bound to `ids` in turn), in its order.
std::vector<nlohmann::json> stored_rows(Connection& conn, const std::string& sql,
                                        const std::vector<std::int64_t>& ids = {});

// `row`'s columns written as a new row of `table`.
void insert_row(Connection& conn, const std::string& table, const nlohmann::json& row);

// Sets the columns of `values` on the row of `table` whose `key` columns (comma-separated) equal
// `row`'s; the rows changed (0 when there is none).
int update_row(Connection& conn, const std::string& table, const std::string& key, const nlohmann::json& row,
               const nlohmann::json& values);

// Deletes the row of `table` whose `key` columns equal `row`'s; the rows deleted.
int delete_row(Connection& conn, const std::string& table, const std::string& key, const nlohmann::json& row);

// The comma-separated column list as names.
std::vector<std::string> column_list(const std::string& columns);

}  // namespace crmkit::detail
