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

struct sqlite3_stmt;

namespace crmkit::detail {

struct FinalizeStatement {
  void operator()(sqlite3_stmt* s) const noexcept;
};
using RawStatement = std::unique_ptr<sqlite3_stmt, FinalizeStatement>;

// 'CRMK': PRAGMA application_id of every crmkit database.
constexpr int kApplicationId = 0x43524D4B;

struct Connection {
  Connection(const std::string& path, int flags, int busy_timeout_ms);

  // A cached prepared statement, reset with its bindings cleared. The reference stays valid
  // for the connection's life; do not hold it across calls that may prepare the same SQL.
  SQLite::Statement& prepare(const std::string& sql);

  bool in_transaction() const noexcept;  // not in autocommit mode

  // Undo the whole open transaction / the innermost crmkit_write savepoint. They run
  // statements prepared when the connection opened, so that they work when memory is
  // exhausted (an OOM that also defeated ROLLBACK would leave a transaction open, and every
  // later write would silently join it and never commit). False if SQLite refused.
  bool rollback_all() noexcept;
  bool rollback_savepoint() noexcept;
  // A transaction left open by a rollback that failed is rolled back here before the next
  // transaction starts (called by WriteScope and Transaction).
  void discard_stale_transaction();

  SQLite::Database db;  // declared first: destroyed after the statements below
  std::string path;
  bool read_only = false;
  bool explicit_transaction = false;  // a crmkit::Transaction / crmkit_db_begin is open
  int write_depth = 0;                // WriteScopes alive on this connection
  std::unordered_map<std::string, std::unique_ptr<SQLite::Statement>> statements;
  RawStatement rollback_stmt, rollback_to_stmt, release_stmt;

  // The connection a Store holds (Connection is the Store's friend, so the public header need
  // not expose it).
  static Connection& of(const Store& store) noexcept { return *store.connection_; }
};

inline Connection& connection_of(const Store& store) noexcept { return Connection::of(store); }

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
