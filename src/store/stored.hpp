// Values read back from the store into C++ values. Every value was checked on the way in (by
// crmkit and by the schema's CHECKs), so one that fails a check now means the file is damaged:
// these readers throw Errc::corrupt naming the table, the column and the row, never
// invalid_argument (the caller's input was fine) or internal (it is not a bug in crmkit).
// Every loader reads its rows through StoredRow.
#pragma once

#include <SQLiteCpp/Column.h>
#include <SQLiteCpp/Statement.h>

#include <cstdint>
#include <new>
#include <optional>
#include <string>
#include <utility>

#include "crmkit/error.hpp"

namespace crmkit::detail {

class StoredRow {
 public:
  // `key` is the column that identifies the row in messages (its primary key), or -1 for none.
  StoredRow(SQLite::Statement& st, const char* table, int key = 0) noexcept : st_(st), table_(table), key_(key) {}

  std::int64_t int64(int col) const;  // an INTEGER, not NULL
  std::optional<std::int64_t> opt_int64(int col) const;
  bool flag(int col) const;  // an INTEGER 0 or 1
  double real(int col) const;  // a REAL or INTEGER, not NULL, finite
  std::optional<double> opt_real(int col) const;
  std::string text(int col) const;  // TEXT of valid UTF-8, not NULL
  std::optional<std::string> opt_text(int col) const;
  // TEXT not NULL, unchecked: for matching against a fixed list of names (no copy is made).
  const char* name(int col) const;
  std::string json_object(int col) const;  // text that parses as a JSON object
  std::optional<std::string> opt_json_object(int col) const;

  // Converts the column's text with `parse` (e.g. an enum's parser). Any crmkit::Error or
  // library exception it throws is the stored value's fault: corrupt.
  template <class F>
  auto parse(int col, F&& parse) const -> decltype(parse(std::string())) {
    std::string t = text(col);
    try {
      return parse(t);
    } catch (const std::bad_alloc&) {
      throw;
    } catch (const std::exception& e) {
      damaged(col, e.what());
    }
  }

  [[noreturn]] void damaged(int col, const std::string& why) const;

 private:
  SQLite::Statement& st_;
  const char* table_;
  int key_;
};

}  // namespace crmkit::detail
