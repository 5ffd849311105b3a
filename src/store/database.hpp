// One connection to a store: a SQLite file or a PostgreSQL tenant schema, behind one interface
// (prepare, exec, transactions). Internal to the library; Store::open picks the backend from
// the string it is given (store.cpp).
//
// What differs between the two is named here and implemented once per backend
// (sqlite_database.cpp, postgres_database.cpp): the statements themselves, how a write
// transaction begins, and the few SQL expressions the dialects spell differently (Dialect).
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "store/statement.hpp"

namespace crmkit::detail {

enum class Backend { sqlite, postgres };

// The value of a one-row, one-column query, copied out of its statement.
struct Value {
  ColumnType type = ColumnType::null;
  std::int64_t integer = 0;
  double real = 0;
  std::string text;
  bool isNull() const noexcept { return type == ColumnType::null; }
  std::int64_t getInt64() const noexcept { return integer; }
  int getInt() const noexcept { return static_cast<int>(integer); }
  double getDouble() const noexcept { return real; }
  const std::string& getString() const noexcept { return text; }
};

// The SQL expressions the two dialects spell differently. Area code asks for them here instead
// of writing either spelling, so every difference is in the two implementations.
struct Dialect {
  virtual ~Dialect() = default;
  // The scalar at a JSON path (an SQL literal '$.a.b' of crmkit's own making) of a text column
  // holding a JSON object, readable as text (a string unquoted, a number in its JSON form) or
  // as an integer; NULL when absent.
  virtual std::string json_text(const std::string& column, const std::string& path_literal) const = 0;
  // The JSON type name ('integer', 'text', 'real', 'true', 'false', 'null', 'object', 'array')
  // at a path, or NULL when absent: SQLite's json_type.
  virtual std::string json_type(const std::string& column, const std::string& path_literal) const = 0;
  // The month of an instant (milliseconds since the epoch, UTC) as year * 12 + month - 1, in
  // integer arithmetic where the dialect allows: PostgreSQL's numeric division and time-zone
  // conversion made NPS by month 2.4x slower than the hand-written SQL.
  virtual std::string month_index(const std::string& instant_ms) const = 0;
  // A scalar subquery: the compact JSON array text ('["a","b"]', '[]' for none) of the values of
  // `column` (text) in the rows of `from_where` ("FROM t WHERE ..."), in ascending order.
  virtual std::string json_array_of(const std::string& column, const std::string& from_where) const = 0;
  // CREATE TEMP TABLE / the name to use for a private scratch table of ids.
  virtual std::string temp_ids_table(const std::string& name) const = 0;
};

class Database {
 public:
  virtual ~Database() = default;
  Database(const Database&) = delete;
  Database& operator=(const Database&) = delete;

  virtual Backend backend() const noexcept = 0;
  // Each statement costs a round trip to a server, so an area with many rows to write prefers
  // Statement::run_each passes over a statement per row (PostgreSQL; SQLite runs in-process).
  virtual bool round_trips() const noexcept = 0;
  virtual const Dialect& dialect() const noexcept = 0;

  // A new prepared statement (Connection::prepare keeps them cached).
  virtual std::unique_ptr<Statement> statement(const std::string& sql) = 0;
  // Runs one or more statements without parameters.
  virtual void exec(const std::string& sql) = 0;
  // The first column of the first row of a query.
  Value execAndGet(const std::string& sql);

  // A number that stays the same while no other connection has committed a change (it may also
  // change when none has): what kept results built from committed facts are checked against.
  virtual std::int64_t data_version() = 0;

  // Not in autocommit mode: a transaction is open.
  virtual bool in_transaction() const noexcept = 0;
  // Starts the transaction of a write: one that takes the write lock at once on SQLite
  // (BEGIN IMMEDIATE), so that it cannot fail later on a lock upgrade.
  virtual void begin_write() = 0;
  // Undo the whole open transaction / the innermost crmkit_write savepoint, and never throw
  // (they run during unwinding). False if the backend refused.
  virtual bool rollback_all() noexcept = 0;
  virtual bool rollback_savepoint() noexcept = 0;

 protected:
  Database() = default;
};

}  // namespace crmkit::detail
