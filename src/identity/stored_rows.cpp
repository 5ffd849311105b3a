#include "identity/stored_rows.hpp"

#include <deque>

#include <fmt/format.h>

#include "crmkit/error.hpp"
#include "store/connection.hpp"

namespace crmkit::detail {

using nlohmann::json;

json stored_value(Statement& st, int col) {
  switch (st.getColumn(col).getType()) {
    case ColumnType::null: return nullptr;
    case ColumnType::integer: return st.getColumn(col).getInt64();
    case ColumnType::real: return st.getColumn(col).getDouble();
    case ColumnType::text: return st.getColumn(col).getString();
    case ColumnType::blob: {
      const auto* bytes = static_cast<const unsigned char*>(st.getColumn(col).getBlob());
      std::string hex;
      for (int i = 0; i < st.getColumn(col).getBytes(); ++i) hex += fmt::format("{:02x}", bytes[i]);
      return json{{"hex", hex}};
    }
  }
  return nullptr;
}

std::vector<json> stored_rows(Connection& conn, const std::string& sql, const std::vector<std::int64_t>& ids) {
  auto st = conn.statement(sql);
  for (std::size_t i = 0; i < ids.size(); ++i) bind_value(*st, static_cast<int>(i) + 1, ids[i]);
  std::vector<json> rows;
  while (st->executeStep()) {
    json row = json::object();
    for (int c = 0; c < st->getColumnCount(); ++c) row[st->getColumnName(c)] = stored_value(*st, c);
    rows.push_back(std::move(row));
  }
  return rows;
}

std::vector<std::string> column_list(const std::string& columns) {
  std::vector<std::string> out;
  std::size_t from = 0;
  while (from <= columns.size()) {
    const std::size_t comma = columns.find(',', from);
    const std::size_t end = comma == std::string::npos ? columns.size() : comma;
    if (end > from) out.push_back(columns.substr(from, end - from));
    if (comma == std::string::npos) break;
    from = comma + 1;
  }
  return out;
}

namespace {

// Binds one JSON value the way it was read (stored_value). A blob's bytes are kept in `keep`
// until the statement has run.
void bind_json(Statement& st, int i, const json& v, std::deque<std::string>& keep) {
  if (v.is_null()) st.bind(i);
  else if (v.is_number_integer()) st.bind(i, v.get<std::int64_t>());
  else if (v.is_number_float()) st.bind(i, v.get<double>());
  else if (v.is_string()) st.bind(i, v.get<std::string>());
  else if (v.is_object() && v.size() == 1 && v.contains("hex") && v["hex"].is_string()) {
    const auto& hex = v["hex"].get_ref<const std::string&>();
    std::string bytes;
    for (std::size_t k = 0; k + 1 < hex.size(); k += 2) bytes.push_back(static_cast<char>(std::stoi(hex.substr(k, 2), nullptr, 16)));
    keep.push_back(std::move(bytes));
    st.bindNoCopy(i, keep.back().data(), static_cast<int>(keep.back().size()));
  } else {
    throw Error(Errc::internal, fmt::format("a kept row holds a value crmkit cannot write back: {}", v.dump()));
  }
}

std::string key_condition(const std::vector<std::string>& key, int first) {
  std::string out;
  for (std::size_t i = 0; i < key.size(); ++i)
    out += fmt::format("{}{} = ?{}", i ? " AND " : "", key[i], first + static_cast<int>(i));
  return out;
}

}  // namespace

void insert_row(Connection& conn, const std::string& table, const json& row) {
  std::string columns, params;
  int n = 0;
  for (const auto& [name, value] : row.items()) {
    columns += fmt::format("{}{}", n ? ", " : "", name);
    params += fmt::format("{}?{}", n ? ", " : "", n + 1);
    ++n;
  }
  std::deque<std::string> keep;
  auto& st = conn.prepare(fmt::format("INSERT INTO {}({}) VALUES ({})", table, columns, params));
  n = 0;
  for (const auto& [name, value] : row.items()) bind_json(st, ++n, value, keep);
  st.exec();
}

int update_row(Connection& conn, const std::string& table, const std::string& key, const json& row,
               const json& values) {
  const auto k = column_list(key);
  std::string set;
  int n = 0;
  for (const auto& [name, value] : values.items()) {
    set += fmt::format("{}{} = ?{}", n ? ", " : "", name, n + 1);
    ++n;
  }
  if (n == 0) return 0;
  std::deque<std::string> keep;
  auto& st = conn.prepare(fmt::format("UPDATE {} SET {} WHERE {}", table, set, key_condition(k, n + 1)));
  int i = 0;
  for (const auto& [name, value] : values.items()) bind_json(st, ++i, value, keep);
  for (const auto& c : k) bind_json(st, ++i, row.at(c), keep);
  return st.exec();
}

int delete_row(Connection& conn, const std::string& table, const std::string& key, const json& row) {
  const auto k = column_list(key);
  std::deque<std::string> keep;
  auto& st = conn.prepare(fmt::format("DELETE FROM {} WHERE {}", table, key_condition(k, 1)));
  int i = 0;
  for (const auto& c : k) bind_json(st, ++i, row.at(c), keep);
  return st.exec();
}

}  // namespace crmkit::detail
