#include "store/database.hpp"

namespace crmkit::detail {

Value Database::execAndGet(const std::string& sql) {
  auto st = statement(sql);
  Value v;
  if (!st->executeStep()) return v;
  auto c = st->getColumn(0);
  v.type = c.getType();
  if (v.type == ColumnType::null) return v;
  v.integer = c.getInt64();
  v.real = c.getDouble();
  if (v.type == ColumnType::text || v.type == ColumnType::integer || v.type == ColumnType::real) v.text = c.getString();
  return v;
}

}  // namespace crmkit::detail
