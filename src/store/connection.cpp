#include "store/connection.hpp"

#include <fmt/format.h>
#include <sqlite3.h>

#include "store/sqlite_database.hpp"

namespace crmkit::detail {

Connection::Connection(const std::string& p, int flags, int busy_timeout_ms)
    : Connection(std::make_unique<SqliteDatabase>(p, flags, busy_timeout_ms), p) {}

Connection::Connection(std::unique_ptr<Database> d, std::string p)
    : database(std::move(d)), db(*database), path(std::move(p)) {}

void Connection::discard_stale_transaction() {
  if (write_depth == 0 && !explicit_transaction && in_transaction() && !rollback_all())
    throw Error(Errc::no_memory, "a transaction left open by a failed rollback could not be rolled back");
}

Statement& Connection::prepare(const std::string& sql) {
  auto it = statements.find(sql);
  if (it == statements.end()) {
    it = statements.emplace(sql, db.statement(sql)).first;
  } else {
    // tryReset: reset() would rethrow the error of the statement's last failed step, so one
    // refused row would poison every later use of the cached statement.
    it->second->tryReset();
    it->second->clearBindings();
  }
  return *it->second;
}

// The page cache is SQLite's: a PostgreSQL server sizes its own buffers.
void Connection::widen_cache() {
  if (cache_widened || write_cache_kib <= cache_kib || backend() != Backend::sqlite) return;
  db.exec(fmt::format("PRAGMA cache_size = {}", -write_cache_kib));
  cache_widened = true;
}

void Connection::settle_cache() noexcept {
  if (!cache_widened || in_transaction()) return;
  try {
    db.exec(fmt::format("PRAGMA cache_size = {}", -cache_kib));
    cache_widened = false;
  } catch (...) {
    // Out of memory for the statement: the cache stays wide and is tried again next time.
  }
}

WriteScope::WriteScope(Connection& c) : c_(c) {
  require_writable(c_);
  c_.discard_stale_transaction();
  savepoint_ = c_.in_transaction();
  if (savepoint_) c_.db.exec("SAVEPOINT crmkit_write");
  else c_.begin_write();
  ++c_.write_depth;
}

WriteScope::~WriteScope() {
  --c_.write_depth;
  if (!done_) {
    // SQLite may already have rolled back (e.g. after SQLITE_FULL): then there is nothing to undo.
    if (savepoint_) {
      if (!c_.rollback_savepoint() && c_.write_depth == 0 && !c_.explicit_transaction) c_.rollback_all();
    } else {
      c_.rollback_all();
    }
  }
  if (!savepoint_) c_.settle_cache();
}

void WriteScope::commit() {
  c_.db.exec(savepoint_ ? "RELEASE crmkit_write" : "COMMIT");
  done_ = true;
}

void rethrow_sql(const SqlError& e, const std::string& context) {
  std::string msg = context.empty() ? std::string(e.what()) : fmt::format("{}: {}", context, e.what());
  switch (e.code()) {
    case SqlCode::busy: throw Error(Errc::busy, msg);
    case SqlCode::constraint:
    case SqlCode::foreign_key:
    case SqlCode::datatype: throw Error(Errc::constraint, msg);
    case SqlCode::no_memory: throw Error(Errc::no_memory, msg);
    case SqlCode::corrupt: throw Error(Errc::corrupt, msg);
    case SqlCode::read_only: throw Error(Errc::read_only, msg);
    case SqlCode::io: throw Error(Errc::io, msg);
    case SqlCode::invalid: throw Error(Errc::invalid_argument, msg);
    case SqlCode::error:
    case SqlCode::misuse: break;
  }
  throw Error(Errc::internal, msg);
}

Statement& prepare_insert(Connection& c, const std::string& insert_sql) {
  return c.prepare(c.backend() == Backend::postgres ? insert_sql + " RETURNING id" : insert_sql);
}

std::optional<std::int64_t> inserted_id(Connection& c, Statement& st) {
  StatementReset done(st);
  if (SqliteDatabase* lite = as_sqlite(c.db)) {
    if (st.exec() == 0) return std::nullopt;
    return sqlite3_last_insert_rowid(lite->handle());
  }
  if (!st.executeStep()) return std::nullopt;
  return st.getColumn(0).getInt64();
}

void require_writable(const Connection& c) {
  if (c.read_only) throw Error(Errc::read_only, "the store was opened read-only");
}

}  // namespace crmkit::detail
