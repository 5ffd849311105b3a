// The PostgreSQL backend: one libpq connection whose search_path is one tenant's schema.
// Internal; opened by Store::open for a postgresql:// or postgres:// URI (postgres_store.cpp).
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "store/database.hpp"

typedef struct pg_conn PGconn;

namespace crmkit::detail {

struct PostgresSession;  // the connection and what statements need of it (postgres_database.cpp)

class PostgresDatabase final : public Database {
 public:
  // Connects with libpq (the URI, then libpq's environment variables for what it leaves out)
  // and sets the session up for `tenant`, whose name must already be checked (a quoted
  // identifier is spliced into SET search_path). Throws SqlError(io) when the server cannot
  // be reached.
  PostgresDatabase(const std::string& uri, const std::string& tenant, int busy_timeout_ms, bool read_only);
  ~PostgresDatabase() override;

  Backend backend() const noexcept override { return Backend::postgres; }
  bool round_trips() const noexcept override { return true; }
  const Dialect& dialect() const noexcept override;
  std::unique_ptr<Statement> statement(const std::string& sql) override;
  void exec(const std::string& sql) override;
  // The server's snapshot (its next transaction id and those in progress) hashed: it changes
  // whenever any transaction on the server commits a change, so it is conservative.
  std::int64_t data_version() override;
  bool in_transaction() const noexcept override;
  // BEGIN, then the tenant's write lock (a transaction-scoped advisory lock): writers of one
  // tenant take turns exactly as SQLite's BEGIN IMMEDIATE makes them, so a read-then-write
  // (a points balance before a redemption) cannot interleave with another writer's.
  void begin_write() override;
  bool rollback_all() noexcept override;
  bool rollback_savepoint() noexcept override;

  const std::string& tenant() const noexcept;
  // A number that changes whenever the connection was re-established.
  std::uint64_t generation() const noexcept;

 private:
  std::shared_ptr<PostgresSession> session_;
};

// `name` quoted as a PostgreSQL identifier ("a""b").
std::string quote_identifier(const std::string& name);

}  // namespace crmkit::detail
