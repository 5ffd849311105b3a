// Values read back from the store into C++ values. Every value was checked on the way in (by
// crmkit and by the schema's CHECKs), so one that fails a check now means the file is damaged:
// these readers throw Errc::corrupt naming the table, the column and the row, never
// invalid_argument (the caller's input was fine) or internal (it is not a bug in crmkit).
// Every loader reads its rows through StoredRow.
#pragma once

#include <cstdint>
#include <new>
#include <optional>
#include <string>
#include <utility>

#include "crmkit/error.hpp"
#include "store/statement.hpp"

namespace crmkit::detail {

class StoredRow {
 public:
  // `key` is the column that identifies the row in messages (its primary key), or -1 for none.
  StoredRow(Statement& st, const char* table, int key = 0) noexcept : st_(st), table_(table), key_(key) {}

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

  // Reads columns first, first + 1, ... into the fields, each by its type: std::int64_t (int64),
  // bool (flag), double (real), std::string (text), and the std::optional of each but bool
  // (opt_int64, opt_real, opt_text). Like bind_all, one call for a run of plain columns, so a
  // column cannot be skipped or numbered twice; columns that need more (enums, JSON, money)
  // are read by name between the runs.
  template <class... Fields>
  void columns(int first, Fields&... fields) const {
    int col = first;
    (read_into(col++, fields), ...);  // comma fold: left to right
  }

  [[noreturn]] void damaged(int col, const std::string& why) const;

 private:
  void read_into(int col, std::int64_t& v) const { v = int64(col); }
  void read_into(int col, std::optional<std::int64_t>& v) const { v = opt_int64(col); }
  void read_into(int col, bool& v) const { v = flag(col); }
  void read_into(int col, double& v) const { v = real(col); }
  void read_into(int col, std::optional<double>& v) const { v = opt_real(col); }
  void read_into(int col, std::string& v) const { v = text(col); }
  void read_into(int col, std::optional<std::string>& v) const { v = opt_text(col); }

  Statement& st_;
  const char* table_;
  int key_;
};

}  // namespace crmkit::detail
