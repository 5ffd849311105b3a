#include "store/connection.hpp"

#include <sqlite3.h>

#include <fmt/format.h>

namespace crmkit::detail {

Connection::Connection(const std::string& p, int flags, int busy_timeout_ms)
    : db(p, flags, busy_timeout_ms), path(p) {}

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

bool Connection::in_transaction() const noexcept {
  return sqlite3_get_autocommit(db.getHandle()) == 0;
}

WriteScope::WriteScope(Connection& c) : c_(c) {
  require_writable(c_);
  savepoint_ = c_.in_transaction();
  c_.db.exec(savepoint_ ? "SAVEPOINT crmkit_write" : "BEGIN IMMEDIATE");
}

WriteScope::~WriteScope() {
  if (done_) return;
  try {
    if (savepoint_) {
      c_.db.exec("ROLLBACK TO crmkit_write");
      c_.db.exec("RELEASE crmkit_write");
    } else if (c_.in_transaction()) {
      c_.db.exec("ROLLBACK");
    }
  } catch (...) {
    // SQLite may already have rolled back (e.g. after SQLITE_FULL); nothing else to undo.
  }
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
