// The SQLite connection behind a Store, and the scopes that make every mutation atomic.
// Internal to the library: services in src/<area>/ use it; nothing public includes it.
#pragma once

#include <SQLiteCpp/Database.h>
#include <SQLiteCpp/Statement.h>

#include <memory>
#include <string>
#include <unordered_map>

#include "crmkit/error.hpp"
#include "crmkit/store.hpp"

namespace crmkit::detail {

// 'CRMK': PRAGMA application_id of every crmkit database.
constexpr int kApplicationId = 0x43524D4B;

struct Connection {
  Connection(const std::string& path, int flags, int busy_timeout_ms);

  // A cached prepared statement, reset with its bindings cleared. The reference stays valid
  // for the connection's life; do not hold it across calls that may prepare the same SQL.
  SQLite::Statement& prepare(const std::string& sql);

  bool in_transaction() const noexcept;  // not in autocommit mode

  SQLite::Database db;  // declared first: destroyed after the statements below
  std::string path;
  bool read_only = false;
  bool explicit_transaction = false;  // a crmkit::Transaction / crmkit_db_begin is open
  std::unordered_map<std::string, std::unique_ptr<SQLite::Statement>> statements;
};

// Resets a statement when the scope ends. A statement stopped before SQLITE_DONE keeps its
// read snapshot open: the connection then misses other connections' writes and its next write
// fails with SQLITE_BUSY_SNAPSHOT. Use it wherever a statement is stepped only once.
class StatementReset {
 public:
  explicit StatementReset(SQLite::Statement& st) noexcept : st_(st) {}
  ~StatementReset() { st_.tryReset(); }
  StatementReset(const StatementReset&) = delete;
  StatementReset& operator=(const StatementReset&) = delete;

 private:
  SQLite::Statement& st_;
};

// Makes one public mutation atomic: BEGIN IMMEDIATE when no transaction is open, otherwise a
// SAVEPOINT inside the caller's transaction. Destruction without commit() undoes everything.
class WriteScope {
 public:
  explicit WriteScope(Connection& c);
  ~WriteScope();
  WriteScope(const WriteScope&) = delete;
  WriteScope& operator=(const WriteScope&) = delete;
  void commit();

 private:
  Connection& c_;
  bool savepoint_ = false;
  bool done_ = false;
};

// Converts a SQLite exception into crmkit::Error (BUSY -> busy, CONSTRAINT -> constraint, ...).
[[noreturn]] void rethrow_sqlite(const SQLite::Exception& e, const std::string& context = {});

// Runs f, translating SQLite exceptions; crmkit::Error passes through. Every public service
// method body runs inside this so that C++ callers only ever see crmkit::Error.
template <class F>
auto guard(F&& f) -> decltype(f()) {
  try {
    return f();
  } catch (const SQLite::Exception& e) {
    rethrow_sqlite(e);
  }
}

// Throws Error(read_only) when the store was opened read-only.
void require_writable(const Connection& c);

}  // namespace crmkit::detail
