#include "crmkit/store.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdint>
#include <cstring>
#include <map>
#include <new>
#include <optional>
#include <vector>

#include <sqlite3.h>

#include <fmt/format.h>

#include "base/text.hpp"
#include "crmkit/money.hpp"
#include "base/phone.hpp"
#include "store/connection.hpp"
#include "store/migration_steps.hpp"
#include "store/migrations.hpp"
#include "store/postgres_store.hpp"
#include "store/sqlite_database.hpp"

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

// What a file says it is: PRAGMA application_id, PRAGMA user_version and whether
// sqlite_schema has any entry. `has_core` (a customers table) is known only through SQLite.
struct Identity {
  int app_id = 0;
  int version = 0;
  bool has_objects = false;
  std::optional<bool> has_core;
};

// Refuses a file that is not a crmkit database this version can use; returns its version.
int judge(const Identity& id, const std::string& path, bool read_only) {
  const int latest = Store::latest_schema_version();
  if (id.app_id == 0 && id.version == 0) {
    if (id.has_objects)
      throw Error(Errc::corrupt, fmt::format("'{}' is a SQLite database but not a crmkit database", path));
    // A new, empty file: only a read-write open can give it the schema; read-only, every read
    // would fail on a missing table.
    if (read_only)
      throw Error(Errc::read_only, fmt::format("'{}' is an empty database; open it read-write once to create "
                                               "the crmkit schema", path));
    return 0;
  }
  if (id.app_id != detail::kApplicationId)
    throw Error(Errc::corrupt, fmt::format("'{}' is not a crmkit database (application_id {:#x})", path,
                                           static_cast<unsigned>(id.app_id)));
  if (id.version < 0)
    throw Error(Errc::corrupt, fmt::format("'{}' has schema version {}: its header is damaged", path, id.version));
  if (id.version > latest)
    throw Error(Errc::unsupported_version,
                fmt::format("'{}' has schema version {}, newer than this crmkit (version {}); upgrade crmkit",
                            path, id.version, latest));
  // Every migration from 0001 on creates the customers table; tables without a version (or a
  // version without them) mean a damaged header, and migrating would fail on "already exists".
  if (id.version == 0 && id.has_objects)
    throw Error(Errc::corrupt, fmt::format("'{}' has crmkit tables but schema version 0: its header is damaged",
                                           path));
  if (id.version >= 1 && id.has_core == false)
    throw Error(Errc::corrupt, fmt::format("'{}' has schema version {} but no customers table: it is damaged",
                                           path, id.version));
  if (id.version < latest && read_only)
    throw Error(Errc::read_only, fmt::format("'{}' has schema version {} and needs an upgrade to {}; open it "
                                             "read-write once", path, id.version, latest));
  return id.version;
}

std::uint32_t big_endian(const unsigned char* p) {
  return (std::uint32_t{p[0]} << 24) | (std::uint32_t{p[1]} << 16) | (std::uint32_t{p[2]} << 8) | p[3];
}

// The identity read from the file's first bytes, before SQLite opens it: SQLite creates -wal
// and -shm files as soon as it reads a WAL-mode file (even read-only), so a refusal decided
// through SQLite would already have changed the directory. Nothing when the bytes on disk may
// not be the whole truth (a -wal or hot -journal beside the file) or when SQLite must judge
// (a new or unreadable file); the same rules then run through SQLite, still before any write.
std::optional<Identity> identity_from_header(const std::string& path) {
  struct stat st{};
  if (::stat(path.c_str(), &st) != 0 || !S_ISREG(st.st_mode) || st.st_size == 0) return std::nullopt;
  if (::access((path + "-wal").c_str(), F_OK) == 0 || ::access((path + "-journal").c_str(), F_OK) == 0)
    return std::nullopt;
  // SQLite counts whole pages only, so it would take a file shorter than the smallest page
  // (512 bytes) for an empty database and write a schema over its bytes.
  if (st.st_size < 512)
    throw Error(Errc::corrupt, fmt::format("'{}' is not a SQLite database ({} bytes, shorter than a page)", path,
                                           static_cast<long long>(st.st_size)));
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return std::nullopt;
  unsigned char h[108];
  const ssize_t n = ::pread(fd, h, sizeof h, 0);
  ::close(fd);
  if (n != static_cast<ssize_t>(sizeof h)) return std::nullopt;
  if (std::memcmp(h, "SQLite format 3", 16) != 0)
    throw Error(Errc::corrupt, fmt::format("'{}' is not a SQLite database", path));
  Identity id;
  id.app_id = static_cast<int>(big_endian(h + 68));
  id.version = static_cast<int>(big_endian(h + 60));
  // Page 1 holds sqlite_schema: a leaf (0x0d) with its cell count, or an interior page (0x05).
  if (h[100] == 0x0d)
    id.has_objects = ((h[103] << 8) | h[104]) != 0;
  else if (h[100] == 0x05)
    id.has_objects = true;
  else
    return std::nullopt;  // a damaged schema page: SQLite reports it
  return id;
}

// The same identity through SQLite (reads only).
int check_identity(detail::Connection& c) {
  detail::Database& db = c.db;
  Identity id;
  id.app_id = db.execAndGet("PRAGMA application_id").getInt();
  id.version = db.execAndGet("PRAGMA user_version").getInt();
  id.has_objects = db.execAndGet("SELECT count(*) FROM sqlite_schema").getInt() != 0;
  id.has_core = db.execAndGet("SELECT count(*) FROM sqlite_schema WHERE type = 'table' AND name = 'customers'")
                    .getInt() != 0;
  return judge(id, c.path, c.read_only);
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


// Registers the SQL functions migrations call, on any connection that runs them.
void register_migration_functions(detail::SqliteDatabase& db) {
  int rc = sqlite3_create_function_v2(db.handle(), "crmkit_region_for_calling_code", 1,
                                      SQLITE_UTF8 | SQLITE_DETERMINISTIC, nullptr,
                                      region_for_calling_code_sql, nullptr, nullptr, nullptr);
  if (rc != SQLITE_OK)
    throw Error(rc == SQLITE_NOMEM ? Errc::no_memory : Errc::internal,
                fmt::format("cannot register the migration functions: {}", sqlite3_errstr(rc)));
}

// sqlite_schema (name -> type and SQL text) as the migrations create it, built once in memory.
using SchemaRows = std::map<std::string, std::pair<std::string, std::string>>;

SchemaRows schema_rows(detail::Database& db) {
  SchemaRows rows;
  auto q = db.statement("SELECT name, type, sql FROM sqlite_schema");
  while (q->executeStep())
    rows[q->getColumn(0).getString()] = {q->getColumn(1).getString(),
                                         q->getColumn(2).isNull() ? std::string("-") : "=" + q->getColumn(2).getString()};
  return rows;
}

// sqlite_schema after each migration: [0] is the empty file, [v] what migrations 0001..v make.
// Built once in memory, the first time a store is opened.
const std::vector<SchemaRows>& schema_by_version() {
  static const std::vector<SchemaRows> all = [] {
    std::vector<SchemaRows> out(1);
    detail::SqliteDatabase db(":memory:", SQLITE_OPEN_READWRITE, 0);
    register_migration_functions(db);
    for (const auto& m : detail::migrations()) {
      db.exec(m.sql);
      out.resize(static_cast<std::size_t>(m.version) + 1, out.back());
      out[static_cast<std::size_t>(m.version)] = schema_rows(db);
    }
    return out;
  }();
  return all;
}

// A damaged schema page can still parse and rename a column or drop a CHECK, and a damaged
// header can claim an earlier version than the tables are: the statements (or the migrations)
// would then fail as if crmkit had a bug. Every table, index and trigger crmkit made up to the
// file's version must be there with the exact text it was made with, and none from a later
// version (objects a host added beside them are its own).
void check_schema(detail::Connection& c, int version) {
  const auto& all = schema_by_version();
  const SchemaRows actual = schema_rows(c.db);
  for (const auto& [name, want] : all.at(static_cast<std::size_t>(version))) {
    auto it = actual.find(name);
    if (it == actual.end())
      throw Error(Errc::corrupt, fmt::format("'{}' is damaged: its schema has no {} {}", c.path, want.first, name));
    if (it->second != want)
      throw Error(Errc::corrupt, fmt::format("'{}' is damaged: the definition of {} {} differs from crmkit's",
                                             c.path, want.first, name));
  }
  if (static_cast<std::size_t>(version) + 1 >= all.size()) return;
  for (const auto& [name, row] : all.back())
    if (actual.count(name) && !all[static_cast<std::size_t>(version)].count(name))
      throw Error(Errc::corrupt, fmt::format("'{}' is damaged: it has schema version {} but already holds {} {} "
                                             "of a later version", c.path, version, row.first, name));
}

std::string setting(const detail::Connection& c, const char* key) {
  auto& conn = const_cast<detail::Connection&>(c);
  auto& st = conn.prepare("SELECT value FROM store_settings WHERE key = ?");
  detail::StatementReset done(st);
  detail::bind_all(st, key);
  return st.executeStep() ? st.getColumn(0).getString() : std::string();
}

void set_setting(detail::Connection& c, const char* key, const std::string& value) {
  detail::WriteScope scope(c);
  auto& st = c.prepare("INSERT INTO store_settings(key, value) VALUES (?, ?) "
                       "ON CONFLICT(key) DO UPDATE SET value = excluded.value");
  detail::bind_all(st, key, value);
  st.exec();
  scope.commit();
}

}  // namespace

namespace detail {

void migrate_to(Connection& c, int target) {
  if (c.backend() == Backend::postgres) return postgres_migrate_to(c, target);
  Database& db = c.db;
  register_migration_functions(*as_sqlite(db));
  WriteScope scope(c);
  // Re-read under the write lock: another process may have migrated meanwhile.
  const int version = db.execAndGet("PRAGMA user_version").getInt();
  for (const auto& m : migrations()) {
    if (m.version <= version || m.version > target) continue;
    try {
      db.exec(m.sql);
    } catch (const SqlError& e) {
      rethrow_sql(e, fmt::format("migration {}", m.name));
    }
    after_migration(c, m.version);
    db.exec(fmt::format("PRAGMA user_version = {}", m.version));
  }
  db.exec(fmt::format("PRAGMA application_id = {}", kApplicationId));
  scope.commit();
}

}  // namespace detail

void check_open_options(const OpenOptions& options) {
  if (options.busy_timeout_ms < 0)
    throw Error(Errc::invalid_argument,
                fmt::format("busy_timeout_ms must be >= 0 milliseconds (got {})", options.busy_timeout_ms));
  if (options.file_mode < 0 || options.file_mode > 07777)
    throw Error(Errc::invalid_argument, fmt::format("file_mode {:o} is not a permission mode within 0..07777",
                                                    options.file_mode));
  if (options.cache_mib < 1 || options.cache_mib > 65536)
    throw Error(Errc::invalid_argument, fmt::format("cache_mib must be within 1..65536 (got {})", options.cache_mib));
  if (options.write_cache_mib < 1 || options.write_cache_mib > 65536)
    throw Error(Errc::invalid_argument,
                fmt::format("write_cache_mib must be within 1..65536 (got {})", options.write_cache_mib));
  detail::check_tenant(options.tenant);
}

Store Store::open(const std::string& path, const OpenOptions& options) {
  check_open_options(options);
  if (!detail::is_valid_utf8(path)) throw Error(Errc::invalid_argument, "path is not valid UTF-8");
  if (is_postgres_uri(path)) return Store(detail::open_postgres(path, options));
  return detail::guard([&] {
    const bool memory = is_memory(path);
    // No SQLite mutex per call: a Store is used by one thread at a time (the C API holds its
    // handle's mutex), and the lock taken for every column read cost a tenth of a scan.
    int flags = (options.read_only ? SQLITE_OPEN_READONLY : SQLITE_OPEN_READWRITE) | SQLITE_OPEN_NOMUTEX;
    if (!options.read_only && options.create) {
      if (!memory) create_file(path, options.file_mode);
      flags |= SQLITE_OPEN_CREATE;
    }
    if (!memory)
      if (auto id = identity_from_header(path)) judge(*id, path, options.read_only);
    std::shared_ptr<detail::Connection> c;
    try {
      c = std::make_shared<detail::Connection>(memory ? ":memory:" : path, flags, options.busy_timeout_ms);
    } catch (const detail::SqlError& e) {
      detail::rethrow_sql(e, fmt::format("cannot open '{}'", path));
    }
    c->read_only = options.read_only;
    c->audit_trail = options.audit_trail;
    try {
      // Connection-local settings only (they write nothing), then the identity check, and only
      // then the changes to the file: WAL mode and the migrations.
      c->db.exec("PRAGMA foreign_keys = ON");
      c->db.exec("PRAGMA temp_store = MEMORY");
      // Deleted and overwritten content is zeroed in its page and freed pages are zeroed, so an
      // erased value (crmkit/erasure.hpp) and a value changed earlier leave no bytes in the file.
      // ON, not FAST: FAST leaves freelist pages as they were. Its cost is measured in
      // bench/RESULTS.md; docs/PRIVACY.md "Erasure".
      if (!options.read_only) c->db.exec("PRAGMA secure_delete = ON");
      int version = 0;
      try {
        version = check_identity(*c);
        if (version > 0) check_schema(*c, version);
      } catch (const detail::SqlError& e) {
        // Only fixed reads of the header and the schema ran so far: SQLite's generic error here
        // ("unsupported file format" for a damaged format number) is the file's, not ours.
        if (e.code() == detail::SqlCode::error)
          throw Error(Errc::corrupt, fmt::format("cannot open '{}': {}", path, e.what()));
        throw;
      }
      // Reads the schema, so only once the file is known to be ours (a damaged header is
      // reported above as corrupt, not as SQLite's generic error).
      c->cache_kib = 1024 * static_cast<std::int64_t>(options.cache_mib);
      c->write_cache_kib = 1024 * static_cast<std::int64_t>(options.write_cache_mib);
      c->db.exec(fmt::format("PRAGMA cache_size = {}", -c->cache_kib));
      if (!options.read_only) {
        if (!memory) c->db.execAndGet("PRAGMA journal_mode = WAL");
        c->db.exec("PRAGMA synchronous = NORMAL");
        // Checked again now that the lock mode changed: another process may have initialised
        // the file meanwhile; migrate_to re-reads the version under the write lock.
        if (check_identity(*c) < Store::latest_schema_version())
          detail::migrate_to(*c, Store::latest_schema_version());
        if (version != Store::latest_schema_version()) check_schema(*c, Store::latest_schema_version());
      }
    } catch (const detail::SqlError& e) {
      detail::rethrow_sql(e, fmt::format("cannot open '{}'", path));
    }
    return Store(std::move(c));
  });
}

const std::string& Store::path() const noexcept { return connection_->path; }
bool Store::read_only() const noexcept { return connection_->read_only; }
bool Store::in_transaction() const noexcept { return connection_->in_transaction(); }

int Store::schema_version() const {
  return detail::guard([&] {
    if (connection_->backend() == detail::Backend::postgres) return detail::postgres_schema_version(*connection_);
    return connection_->db.execAndGet("PRAGMA user_version").getInt();
  });
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
                fmt::format("default_currency '{}' is not an ISO 4217 currency code",
                            detail::printable(code)));
  detail::guard([&] { set_setting(*connection_, "default_currency", code); });
}

void Store::set_audit_context(const AuditContext& context) {
  detail::check_text("actor", context.actor, 200);
  detail::check_text("reason", context.reason, 200);
  detail::check_text("request_id", context.request_id, 200);
  connection_->audit_context = context;
}

AuditContext Store::audit_context() const { return connection_->audit_context; }

Transaction::Transaction(Store& store) : store_(store) {
  auto& c = detail::connection_of(store_);
  detail::require_writable(c);
  detail::guard([&] { c.discard_stale_transaction(); });
  if (c.in_transaction())
    throw Error(Errc::misuse, "a transaction is already open on this store");
  detail::guard([&] { c.begin_write(); });
  c.explicit_transaction = true;
  ++c.transactions_begun;
  c.savepoint_depth = 0;
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
  auto& c = detail::connection_of(store_);
  detail::guard([&] { c.db.exec("COMMIT"); });
  open_ = false;
  c.explicit_transaction = false;
  c.settle_cache();
}

void Transaction::rollback() {
  if (!open_) throw Error(Errc::misuse, "the transaction is already finished");
  auto& c = detail::connection_of(store_);
  open_ = false;
  c.explicit_transaction = false;
  const bool undone = c.rollback_all();
  c.settle_cache();
  if (!undone)
    throw Error(Errc::no_memory, "rollback failed; the next transaction on this store rolls it back first");
}

namespace {

// The Savepoint's transaction, when it is still the open one (and SQLite has not rolled it
// back by itself, e.g. after a full disk): then its SAVEPOINT is still there to end.
bool savepoint_live(detail::Connection& c, std::uint64_t transaction) {
  return c.explicit_transaction && c.transactions_begun == transaction && c.in_transaction();
}

// What release and rollback check first. False when the savepoint ended with its
// transaction (then it is marked finished and there is no SQL to run).
bool may_end(detail::Connection& c, std::uint64_t transaction, int depth, bool& open) {
  if (!open) throw Error(Errc::misuse, "the savepoint is already finished");
  if (!savepoint_live(c, transaction)) {
    open = false;
    return false;
  }
  if (depth != c.savepoint_depth) throw Error(Errc::misuse, "savepoints end in reverse order: an inner one is open");
  return true;
}

}  // namespace

Savepoint::Savepoint(Store& store) : store_(store) {
  auto& c = detail::connection_of(store_);
  if (!c.explicit_transaction) throw Error(Errc::misuse, "a savepoint needs an open transaction");
  if (!c.in_transaction())
    throw Error(Errc::misuse, "the open transaction was rolled back by SQLite (roll it back and begin again)");
  detail::guard([&] { c.db.exec("SAVEPOINT crmkit_savepoint"); });
  transaction_ = c.transactions_begun;
  depth_ = ++c.savepoint_depth;
}

Savepoint::~Savepoint() {
  if (open_) {
    try {
      rollback();
    } catch (...) {
    }
  }
}

void Savepoint::release() {
  auto& c = detail::connection_of(store_);
  if (!may_end(c, transaction_, depth_, open_)) throw Error(Errc::misuse, "the savepoint's transaction has ended");
  detail::guard([&] { c.db.exec("RELEASE crmkit_savepoint"); });
  open_ = false;
  --c.savepoint_depth;
}

void Savepoint::rollback() {
  auto& c = detail::connection_of(store_);
  if (!may_end(c, transaction_, depth_, open_)) return;  // nothing of it is left to undo
  c.audit_chain_read_in = 0;  // the savepoint may have held a start_chain
  detail::guard([&] { c.db.exec("ROLLBACK TO crmkit_savepoint; RELEASE crmkit_savepoint"); });
  open_ = false;
  --c.savepoint_depth;
}

}  // namespace crmkit
