#include "store/stored.hpp"

#include <cmath>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "base/text.hpp"

namespace crmkit::detail {

void StoredRow::damaged(int col, const std::string& why) const {
  std::string row;
  if (key_ >= 0 && key_ != col) {
    auto k = st_.getColumn(key_);
    row = k.getType() == ColumnType::integer ? fmt::format(" of row {}", k.getInt64())
                                        : fmt::format(" of row '{}'", printable(k.getString()));
  }
  throw Error(Errc::corrupt, fmt::format("the store is damaged: {}.{}{}: {}", table_, st_.getColumnName(col), row, why));
}

std::optional<std::int64_t> StoredRow::opt_int64(int col) const {
  // The hottest read of every scan: the type asked once (isNull would ask again).
  const auto c = st_.getColumn(col);
  const ColumnType type = c.getType();
  if (type == ColumnType::null) return std::nullopt;
  if (type != ColumnType::integer) damaged(col, "not an integer");
  return c.getInt64();
}

std::int64_t StoredRow::int64(int col) const {
  auto v = opt_int64(col);
  if (!v) damaged(col, "NULL where a value is required");
  return *v;
}

bool StoredRow::flag(int col) const {
  const std::int64_t v = int64(col);
  if (v != 0 && v != 1) damaged(col, fmt::format("{} where a flag (0 or 1) is required", v));
  return v == 1;
}

std::optional<double> StoredRow::opt_real(int col) const {
  auto c = st_.getColumn(col);
  if (c.isNull()) return std::nullopt;
  if (c.getType() != ColumnType::real && c.getType() != ColumnType::integer) damaged(col, "not a number");
  double v = c.getDouble();
  if (!std::isfinite(v)) damaged(col, "not a finite number");
  return v;
}

double StoredRow::real(int col) const {
  auto v = opt_real(col);
  if (!v) damaged(col, "NULL where a value is required");
  return *v;
}

std::optional<std::string> StoredRow::opt_text(int col) const {
  auto c = st_.getColumn(col);
  if (c.isNull()) return std::nullopt;
  if (c.getType() != ColumnType::text) damaged(col, "not text");
  std::string t = c.getString();
  if (!is_valid_utf8(t)) damaged(col, "not valid UTF-8");
  return t;
}

std::string StoredRow::text(int col) const {
  auto v = opt_text(col);
  if (!v) damaged(col, "NULL where a value is required");
  return std::move(*v);
}

const char* StoredRow::name(int col) const {
  auto c = st_.getColumn(col);
  if (c.getType() != ColumnType::text) damaged(col, c.isNull() ? "NULL where a value is required" : "not text");
  return c.getText();
}

std::optional<std::string> StoredRow::opt_json_object(int col) const {
  auto t = opt_text(col);
  // accept() checks without building the document; the first character decides "object".
  if (t && (!nlohmann::json::accept(*t) || t->find_first_not_of(" \t\r\n") == std::string::npos ||
            (*t)[t->find_first_not_of(" \t\r\n")] != '{'))
    damaged(col, "not a JSON object");
  return t;
}

std::string StoredRow::json_object(int col) const {
  auto v = opt_json_object(col);
  if (!v) damaged(col, "NULL where a value is required");
  return std::move(*v);
}

}  // namespace crmkit::detail
