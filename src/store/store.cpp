#include "crmkit/store.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <new>

#include <sqlite3.h>

#include <fmt/format.h>

#include "base/text.hpp"
#include "crmkit/money.hpp"
#include "customers/phone.hpp"
#include "store/connection.hpp"
#include "store/migrations.hpp"

namespace crmkit {

namespace {

bool is_memory(const std::string& path) { return path == ":memory:" || path.empty(); }

// Creates the file with the requested mode before SQLite sees it (SQLite would use 0644).
void create_file(const std::string& path, int mode) {
  int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, mode);
  if (fd < 0) {
    if (errno == EEXIST) return;
    throw Error(Errc::io, fmt::format("cannot create '{}': {}", path, std::strerror(errno)));
  }
  ::close(fd);
}

void migrate(detail::Connection& c) {
  SQLite::Database& db = c.db;
  int app_id = db.execAndGet("PRAGMA application_id").getInt();
  int version = db.execAndGet("PRAGMA user_version").getInt();
  const int latest = Store::latest_schema_version();
  if (app_id == 0 && version == 0) {
    int objects = db.execAndGet("SELECT count(*) FROM sqlite_schema").getInt();
    if (objects != 0)
      throw Error(Errc::corrupt, fmt::format("'{}' is a SQLite database but not a crmkit database", c.path));
  } else if (app_id != detail::kApplicationId) {
    throw Error(Errc::corrupt, fmt::format("'{}' is not a crmkit database (application_id {:#x})", c.path,
                                           static_cast<unsigned>(app_id)));
  }
  if (version > latest)
    throw Error(Errc::unsupported_version,
                fmt::format("'{}' has schema version {}, newer than this crmkit (version {}); upgrade crmkit",
                            c.path, version, latest));
  if (version == latest) return;
  if (c.read_only)
    throw Error(Errc::read_only, fmt::format("'{}' has schema version {} and needs an upgrade to {}; open it "
                                             "read-write once", c.path, version, latest));
  detail::migrate_to(c, latest);
}

std::string setting(const detail::Connection& c, const char* key) {
  auto& conn = const_cast<detail::Connection&>(c);
  auto& st = conn.prepare("SELECT value FROM store_settings WHERE key = ?");
  detail::StatementReset done(st);
  st.bind(1, key);
  return st.executeStep() ? st.getColumn(0).getString() : std::string();
}

void set_setting(detail::Connection& c, const char* key, const std::string& value) {
  detail::WriteScope scope(c);
  auto& st = c.prepare("INSERT INTO store_settings(key, value) VALUES (?, ?) "
                       "ON CONFLICT(key) DO UPDATE SET value = excluded.value");
  st.bind(1, key);
  st.bind(2, value);
  st.exec();
  scope.commit();
}

// crmkit_region_for_calling_code(text) -> text, for migrations that need the numbering plans
// (0006 turns a stored calling code into a region).
void region_for_calling_code_sql(sqlite3_context* ctx, int, sqlite3_value** argv) {
  try {
    const unsigned char* code = sqlite3_value_text(argv[0]);
    // NULL for a non-NULL value is SQLite out of memory: an error, never a silent "".
    if (!code && sqlite3_value_type(argv[0]) != SQLITE_NULL) return sqlite3_result_error_nomem(ctx);
    std::string region = detail::region_for_calling_code(code ? reinterpret_cast<const char*>(code) : "");
    sqlite3_result_text(ctx, region.c_str(), static_cast<int>(region.size()), SQLITE_TRANSIENT);
  } catch (const std::bad_alloc&) {
    sqlite3_result_error_nomem(ctx);
  } catch (...) {
    sqlite3_result_error(ctx, "crmkit_region_for_calling_code failed", -1);
  }
}

}  // namespace

namespace detail {

void migrate_to(Connection& c, int target) {
  SQLite::Database& db = c.db;
  int rc = sqlite3_create_function_v2(db.getHandle(), "crmkit_region_for_calling_code", 1,
                                      SQLITE_UTF8 | SQLITE_DETERMINISTIC, nullptr,
                                      region_for_calling_code_sql, nullptr, nullptr, nullptr);
  if (rc != SQLITE_OK)
    throw Error(rc == SQLITE_NOMEM ? Errc::no_memory : Errc::internal,
                fmt::format("cannot register the migration functions: {}", sqlite3_errstr(rc)));
  WriteScope scope(c);
  // Re-read under the write lock: another process may have migrated meanwhile.
  const int version = db.execAndGet("PRAGMA user_version").getInt();
  for (const auto& m : migrations()) {
    if (m.version <= version || m.version > target) continue;
    try {
      db.exec(m.sql);
    } catch (const SQLite::Exception& e) {
      rethrow_sqlite(e, fmt::format("migration {}", m.name));
    }
    db.exec(fmt::format("PRAGMA user_version = {}", m.version));
  }
  db.exec(fmt::format("PRAGMA application_id = {}", kApplicationId));
  scope.commit();
}

}  // namespace detail

Store Store::open(const std::string& path, const OpenOptions& options) {
  if (options.busy_timeout_ms < 0)
    throw Error(Errc::invalid_argument, "busy_timeout_ms must be >= 0");
  if (options.file_mode < 0 || options.file_mode > 07777)
    throw Error(Errc::invalid_argument, fmt::format("file_mode {:o} is not a permission mode", options.file_mode));
  if (!detail::is_valid_utf8(path)) throw Error(Errc::invalid_argument, "path is not valid UTF-8");
  return detail::guard([&] {
    const bool memory = is_memory(path);
    int flags = options.read_only ? SQLite::OPEN_READONLY : SQLite::OPEN_READWRITE;
    if (!options.read_only && options.create) {
      if (!memory) create_file(path, options.file_mode);
      flags |= SQLite::OPEN_CREATE;
    }
    std::shared_ptr<detail::Connection> c;
    try {
      c = std::make_shared<detail::Connection>(memory ? ":memory:" : path, flags, options.busy_timeout_ms);
    } catch (const SQLite::Exception& e) {
      detail::rethrow_sqlite(e, fmt::format("cannot open '{}'", path));
    }
    c->read_only = options.read_only;
    try {
      c->db.exec("PRAGMA foreign_keys = ON");
      if (!options.read_only) {
        if (!memory) c->db.execAndGet("PRAGMA journal_mode = WAL");
        c->db.exec("PRAGMA synchronous = NORMAL");
      }
      c->db.exec("PRAGMA temp_store = MEMORY");
      migrate(*c);
    } catch (const SQLite::Exception& e) {
      detail::rethrow_sqlite(e, fmt::format("cannot open '{}'", path));
    }
    return Store(std::move(c));
  });
}

const std::string& Store::path() const noexcept { return connection_->path; }
bool Store::read_only() const noexcept { return connection_->read_only; }
bool Store::in_transaction() const noexcept { return connection_->in_transaction(); }

int Store::schema_version() const {
  return detail::guard([&] { return connection_->db.execAndGet("PRAGMA user_version").getInt(); });
}

int Store::latest_schema_version() {
  const auto& all = detail::migrations();
  return all.empty() ? 0 : all.back().version;
}

std::string Store::default_region() const {
  return detail::guard([&] { return setting(*connection_, "default_region"); });
}

void Store::set_default_region(const std::string& region) {
  if (!region.empty() && !detail::is_phone_region(region))
    throw Error(Errc::invalid_argument,
                fmt::format("default_region '{}' is not an ISO 3166 alpha-2 region with a phone numbering plan "
                            "(upper case, e.g. \"IT\", \"US\"), or empty",
                            detail::printable(region)));
  detail::guard([&] { set_setting(*connection_, "default_region", region); });
}

std::string Store::default_currency() const {
  return detail::guard([&] { return setting(*connection_, "default_currency"); });
}

void Store::set_default_currency(const std::string& code) {
  if (!is_currency_code(code))
    throw Error(Errc::invalid_argument,
                fmt::format("default_currency '{}' is not an ISO-4217 code (three upper-case letters)",
                            detail::printable(code)));
  detail::guard([&] { set_setting(*connection_, "default_currency", code); });
}

Transaction::Transaction(Store& store) : store_(store) {
  auto& c = store_.connection();
  detail::require_writable(c);
  detail::guard([&] { c.discard_stale_transaction(); });
  if (c.in_transaction())
    throw Error(Errc::misuse, "a transaction is already open on this store");
  detail::guard([&] { c.db.exec("BEGIN IMMEDIATE"); });
  c.explicit_transaction = true;
}

Transaction::~Transaction() {
  if (open_) {
    try {
      rollback();
    } catch (...) {
    }
  }
}

void Transaction::commit() {
  if (!open_) throw Error(Errc::misuse, "the transaction is already finished");
  auto& c = store_.connection();
  detail::guard([&] { c.db.exec("COMMIT"); });
  open_ = false;
  c.explicit_transaction = false;
}

void Transaction::rollback() {
  if (!open_) throw Error(Errc::misuse, "the transaction is already finished");
  auto& c = store_.connection();
  open_ = false;
  c.explicit_transaction = false;
  if (!c.rollback_all())
    throw Error(Errc::no_memory, "rollback failed; the next transaction on this store rolls it back first");
}

}  // namespace crmkit
