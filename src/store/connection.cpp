#include "store/connection.hpp"

#include <sqlite3.h>

#include <fmt/format.h>

namespace crmkit::detail {

Connection::Connection(const std::string& p, int flags, int busy_timeout_ms)
    : db(p, flags, busy_timeout_ms), path(p) {
  auto raw = [&](const char* sql) {
    sqlite3_stmt* s = nullptr;
    int rc = sqlite3_prepare_v2(db.getHandle(), sql, -1, &s, nullptr);
    RawStatement owned(s);
    if (rc != SQLITE_OK) throw SQLite::Exception(db.getHandle(), rc);
    return owned;
  };
  rollback_stmt = raw("ROLLBACK");
  rollback_to_stmt = raw("ROLLBACK TO crmkit_write");
  release_stmt = raw("RELEASE crmkit_write");
}

void FinalizeStatement::operator()(sqlite3_stmt* s) const noexcept { sqlite3_finalize(s); }

namespace {
bool run_prepared(const RawStatement& st) noexcept {
  sqlite3_stmt* s = st.get();
  sqlite3_reset(s);
  int rc = sqlite3_step(s);
  sqlite3_reset(s);
  return rc == SQLITE_DONE;
}
}  // namespace

bool Connection::rollback_all() noexcept {
  if (!in_transaction()) return true;
  if (run_prepared(rollback_stmt) || !in_transaction()) return true;
  try {
    db.exec("ROLLBACK");
  } catch (...) {
  }
  return !in_transaction();
}

bool Connection::rollback_savepoint() noexcept {
  return run_prepared(rollback_to_stmt) && run_prepared(release_stmt);
}

void Connection::discard_stale_transaction() {
  if (write_depth == 0 && !explicit_transaction && in_transaction() && !rollback_all())
    throw Error(Errc::no_memory, "a transaction left open by a failed rollback could not be rolled back");
}

SQLite::Statement& Connection::prepare(const std::string& sql) {
  auto it = statements.find(sql);
  if (it == statements.end()) {
    it = statements.emplace(sql, std::make_unique<SQLite::Statement>(db, sql)).first;
  } else {
    // tryReset: reset() would rethrow the error of the statement's last failed step, so one
    // refused row would poison every later use of the cached statement.
    it->second->tryReset();
    it->second->clearBindings();
  }
  return *it->second;
}

void Connection::widen_cache() {
  if (cache_widened || write_cache_kib <= cache_kib) return;
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

bool Connection::in_transaction() const noexcept {
  return sqlite3_get_autocommit(db.getHandle()) == 0;
}

WriteScope::WriteScope(Connection& c) : c_(c) {
  require_writable(c_);
  c_.discard_stale_transaction();
  savepoint_ = c_.in_transaction();
  c_.db.exec(savepoint_ ? "SAVEPOINT crmkit_write" : "BEGIN IMMEDIATE");
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

void rethrow_sqlite(const SQLite::Exception& e, const std::string& context) {
  std::string msg = context.empty() ? std::string(e.what()) : fmt::format("{}: {}", context, e.what());
  switch (e.getErrorCode() & 0xff) {
    case SQLITE_BUSY:
    case SQLITE_LOCKED: throw Error(Errc::busy, msg);
    case SQLITE_CONSTRAINT: throw Error(Errc::constraint, msg);
    case SQLITE_NOMEM: throw Error(Errc::no_memory, msg);
    case SQLITE_CORRUPT:
    case SQLITE_NOTADB: throw Error(Errc::corrupt, msg);
    case SQLITE_READONLY: throw Error(Errc::read_only, msg);
    case SQLITE_IOERR:
    case SQLITE_FULL:
    case SQLITE_CANTOPEN:
    case SQLITE_PERM: throw Error(Errc::io, msg);
    case SQLITE_TOOBIG:
    case SQLITE_RANGE:
    case SQLITE_MISMATCH: throw Error(Errc::invalid_argument, msg);
    default: throw Error(Errc::internal, msg);
  }
}

void require_writable(const Connection& c) {
  if (c.read_only) throw Error(Errc::read_only, "the store was opened read-only");
}

}  // namespace crmkit::detail
