// The SQL layer every area is written against: a prepared statement, its columns and its
// errors, the same for the SQLite file and a PostgreSQL tenant (store/database.hpp opens
// either). Internal to the library.
//
// The verbs are SQLiteCpp's, which the areas were first written with: bind, executeStep, exec,
// getColumn. Parameters are written SQLite's way in every dialect (?, ?NNN, :name); the
// PostgreSQL statement renumbers them as $N.
#pragma once

#include <cstdint>
#include <cstddef>
#include <exception>
#include <functional>
#include <string>

namespace crmkit::detail {

// What went wrong, in crmkit's terms; each backend maps its own codes (SQLite result codes,
// PostgreSQL SQLSTATEs) onto these in one place (sqlite_database.cpp, postgres_database.cpp).
enum class SqlCode {
  error,        // a generic failure of the statement (SQLITE_ERROR; an unexpected SQLSTATE)
  busy,         // another writer holds the lock, a deadlock or serialisation failure: retry
  constraint,   // a CHECK, NOT NULL or UNIQUE refused the row
  foreign_key,  // a reference to a row that does not exist
  datatype,     // a value the column's type cannot hold (SQLite STRICT; PostgreSQL out of range)
  no_memory,
  corrupt,      // the file is not a database or is damaged
  read_only,
  io,           // disk, file or connection failure (including a lost server connection)
  invalid,      // a value too big, a parameter index out of range
  misuse,       // the statement was used out of order (a bug in crmkit)
};

// The exception the SQL layer throws; guard() (store/connection.hpp) turns it into crmkit::Error.
class SqlError : public std::exception {
 public:
  SqlError(SqlCode code, std::string message, int native = 0)
      : code_(code), native_(native), message_(std::move(message)) {}
  SqlCode code() const noexcept { return code_; }
  int native() const noexcept { return native_; }  // SQLite's extended result code; 0 on PostgreSQL
  const char* what() const noexcept override { return message_.c_str(); }

 private:
  SqlCode code_;
  int native_;
  std::string message_;
};

// The failure of one execution of Statement::run_each: which one, and why.
class SqlRunError : public SqlError {
 public:
  SqlRunError(const SqlError& e, std::size_t index) : SqlError(e), index_(index) {}
  std::size_t index() const noexcept { return index_; }

 private:
  std::size_t index_;
};

// The kind of a column's value in the current row. SQLite reports each value's storage class;
// PostgreSQL reports the column's type (integers and booleans are integer, float and numeric
// are real, bytea is blob, everything else is text), and null per value.
enum class ColumnType { integer, real, text, blob, null };

class Statement;

// One column of the current row (valid until the statement steps or resets).
class Column {
 public:
  Column(const Statement& st, int index) noexcept : st_(st), index_(index) {}
  ColumnType getType() const;
  bool isNull() const;
  std::int64_t getInt64() const;  // NULL reads as 0
  int getInt() const;
  double getDouble() const;        // NULL reads as 0.0
  std::string getString() const;   // NULL reads as ""
  const char* getText() const;     // NUL-terminated; NULL reads as ""
  const void* getBlob() const;
  int getBytes() const;
  const char* getName() const;

 private:
  const Statement& st_;
  int index_;
};

class Statement {
 public:
  virtual ~Statement() = default;
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;

  // Parameters, 1-based as in SQL. bindNoCopy: the caller keeps the bytes alive and unchanged
  // until the statement has run.
  virtual void bind(int index) = 0;  // NULL
  virtual void bind(int index, std::int64_t value) = 0;
  void bind(int index, int value) { bind(index, static_cast<std::int64_t>(value)); }
  virtual void bind(int index, double value) = 0;
  virtual void bind(int index, const std::string& value) = 0;
  virtual void bind(int index, const char* value) = 0;  // NUL-terminated text
  virtual void bindNoCopy(int index, const std::string& value) = 0;
  virtual void bindNoCopy(int index, const char* value) = 0;
  virtual void bindNoCopy(int index, const void* data, int size) = 0;  // a blob
  virtual int getIndex(const char* name) const = 0;  // of ":name"; 0 if there is none
  virtual int getBindParameterCount() const = 0;      // the largest parameter index
  virtual void clearBindings() = 0;

  // Runs to the next row: true while there is one. The first call executes the statement.
  virtual bool executeStep() = 0;
  // Runs a statement that yields no rows; returns the rows it changed.
  virtual int exec() = 0;
  // Runs the statement once per parameter set i = 0..n-1: bind(i) binds set i, then
  // each(i, has_row), when given, is called with the statement on the first row of execution i
  // when it yielded one. Where a statement costs a round trip to a server (PostgreSQL) the executions
  // are sent together in pipeline mode, so bind(i) may run before each(j) for j < i and must
  // not depend on it. The first failed execution throws SqlRunError naming it; each() ran for
  // those before it, none after it ran. A throwing each() stops the run the same way. Cheap
  // statements that fail often are better run one by one: on PostgreSQL a failure aborts the
  // transaction.
  virtual void run_each(std::size_t n, const std::function<void(std::size_t)>& bind,
                        const std::function<void(std::size_t, bool)>& each = {}) {
    for (std::size_t i = 0; i < n; ++i) {
      tryReset();
      bind(i);
      bool has_row = false;
      try {
        has_row = executeStep();
      } catch (const SqlError& e) {
        tryReset();
        throw SqlRunError(e, i);
      }
      if (each) each(i, has_row);
      tryReset();
    }
  }

  // Back to before the first step, bindings kept. reset() throws the error of a failed step
  // (SQLite); tryReset() never throws.
  virtual void reset() = 0;
  virtual void tryReset() noexcept = 0;

  virtual int getColumnCount() const = 0;
  virtual const char* getColumnName(int index) const = 0;
  Column getColumn(int index) const { return Column(*this, index); }
  bool isColumnNull(int index) const { return columnType(index) == ColumnType::null; }

 protected:
  Statement() = default;

 private:
  friend class Column;
  virtual ColumnType columnType(int index) const = 0;
  virtual std::int64_t columnInt64(int index) const = 0;
  virtual double columnDouble(int index) const = 0;
  virtual const char* columnText(int index, int* bytes) const = 0;  // nullptr for NULL
  virtual const void* columnBlob(int index, int* bytes) const = 0;
};

inline ColumnType Column::getType() const { return st_.columnType(index_); }
inline bool Column::isNull() const { return getType() == ColumnType::null; }
inline std::int64_t Column::getInt64() const { return st_.columnInt64(index_); }
inline int Column::getInt() const { return static_cast<int>(st_.columnInt64(index_)); }
inline double Column::getDouble() const { return st_.columnDouble(index_); }
inline std::string Column::getString() const {
  int n = 0;
  const char* t = st_.columnText(index_, &n);
  return t ? std::string(t, static_cast<std::size_t>(n)) : std::string();
}
inline const char* Column::getText() const {
  int n = 0;
  const char* t = st_.columnText(index_, &n);
  return t ? t : "";
}
inline const void* Column::getBlob() const {
  int n = 0;
  return st_.columnBlob(index_, &n);
}
inline int Column::getBytes() const {
  int n = 0;
  if (getType() == ColumnType::blob) st_.columnBlob(index_, &n);
  else st_.columnText(index_, &n);
  return n;
}
inline const char* Column::getName() const { return st_.getColumnName(index_); }

}  // namespace crmkit::detail
