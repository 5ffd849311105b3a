// The SQLite backend: a connection to a file (or ":memory:") through SQLite's C API.
// Internal; the Store's SQLite-only duties (file identity, WAL, the page cache, data_version)
// reach the handle through sqlite_handle().
#pragma once

#include <string>

#include "store/database.hpp"

struct sqlite3;

namespace crmkit::detail {

// Throws SqlError for SQLite result code `rc` with `db`'s message (or SQLite's text for rc).
[[noreturn]] void throw_sqlite(sqlite3* db, int rc);

class SqliteDatabase final : public Database {
 public:
  // flags: SQLITE_OPEN_* (read-only or read-write, create). Throws SqlError.
  SqliteDatabase(const std::string& path, int flags, int busy_timeout_ms);
  ~SqliteDatabase() override;

  Backend backend() const noexcept override { return Backend::sqlite; }
  bool round_trips() const noexcept override { return false; }
  const Dialect& dialect() const noexcept override;
  std::unique_ptr<Statement> statement(const std::string& sql) override;
  void exec(const std::string& sql) override;
  std::int64_t data_version() override;  // PRAGMA data_version
  bool in_transaction() const noexcept override;
  void begin_write() override;
  bool rollback_all() noexcept override;
  bool rollback_savepoint() noexcept override;

  sqlite3* handle() const noexcept { return db_; }

 private:
  sqlite3* db_ = nullptr;
  // ROLLBACK and its savepoint forms, prepared when the connection opens so that they work
  // when memory is exhausted (an OOM that also defeated ROLLBACK would leave a transaction
  // open, and every later write would silently join it and never commit).
  std::unique_ptr<Statement> rollback_, rollback_to_, release_;
  std::unique_ptr<Statement> data_version_;
};

// The SQLite connection of a store, or nullptr when it is a PostgreSQL one.
inline SqliteDatabase* as_sqlite(Database& db) noexcept {
  return db.backend() == Backend::sqlite ? static_cast<SqliteDatabase*>(&db) : nullptr;
}

}  // namespace crmkit::detail
