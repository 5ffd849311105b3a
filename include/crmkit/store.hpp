// crmkit/store.hpp: the database and its transactions.
//
// A Store is one connection to either backend, with the same API and guarantees:
// - a SQLite file (a path, or ":memory:"): embedded, nothing to run. Several Stores may open the
//   same file at once (WAL: many readers, one writer).
// - a PostgreSQL tenant (a "postgresql://" or "postgres://" URI in libpq's syntax, libpq's
//   environment variables filling what it leaves out, plus OpenOptions::tenant): the tenant is a
//   schema of that database, created and migrated on first open as a new file is. Writers of one
//   tenant take turns as SQLite's do; readers never wait. See docs/SCALE.md.
// A Store is cheap to copy (copies share the connection) and is not thread-safe: use one Store
// per thread, or serialise calls (the C API does that per handle).
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "crmkit/error.hpp"

namespace crmkit {

struct OpenOptions {
  bool read_only = false;     // open an existing file (tenant) for reading only
  int busy_timeout_ms = 5000; // wait this long for another writer before Errc::busy
  int file_mode = 0600;       // permission bits of a newly created file
  bool create = true;         // create the file if it does not exist
  // SQLite's page cache for this connection, in MiB (1..65536). Memory is taken only as pages
  // are read, up to this bound. 64 MiB keeps the pages a large ingest revisits (indexes, the
  // per-customer figures) in memory; see bench/RESULTS.md, workload 1.
  int cache_mib = 64;
  // The page cache's bound while a transaction that records a batch of interactions is open,
  // in MiB (1..65536; below cache_mib means cache_mib); back to cache_mib when it ends. A
  // large ingest's changed pages then stay in memory until the commit writes them once,
  // instead of spilling to the WAL and being written again (bench/RESULTS.md, workload 10:
  // half the CPU and 1.9x instead of 3.3x the file in bytes written at 1M customers).
  int write_cache_mib = 256;
  // PostgreSQL only: the tenant, i.e. the schema holding this store's tables. 1..63 bytes of
  // lower-case ASCII letters, digits and '_', not starting with a digit or "pg_" (always quoted
  // in SQL, never spliced). Ignored for a SQLite file.
  std::string tenant = "crmkit";
  // Whether changes to customers and contact points append audit entries (crmkit/audit.hpp).
  // Leave it on; false is for a bulk load replaying a system that keeps its own record of
  // changes, and for measuring the audit trail's cost (bench workload 13).
  bool audit_trail = true;
};

// Who changes the store and why, recorded with every audit entry (crmkit/audit.hpp). Empty
// means not given. Each field is at most 200 bytes of UTF-8.
struct AuditContext {
  std::string actor;       // a user, a service, "import:nightly"
  std::string reason;      // "customer asked by phone", a ticket number
  std::string request_id;  // the host's id of the request that made the change
};

// True when `where` names a PostgreSQL server ("postgresql://" or "postgres://"), false for a
// file path or ":memory:": the choice Store::open makes.
bool is_postgres_uri(const std::string& where) noexcept;

// Throws Error(invalid_argument) naming the first option out of its range. Store::open checks
// its options with it; the C API's setters call it too, so a bad value is refused where it is
// set.
void check_open_options(const OpenOptions& options);

namespace detail {
struct Connection;
}

class Store {
 public:
  // Opens (creating if allowed) and upgrades the schema. ":memory:" gives a private store; a
  // PostgreSQL URI opens options.tenant on that server (io when it cannot be reached).
  // Throws Error: corrupt (not a crmkit database, damaged), unsupported_version (newer schema),
  // io, busy, read_only (a read-only open of a file that needs an upgrade). A refused file is
  // left exactly as it was (no WAL switch, no -wal/-shm files): identity and version are read
  // before anything is written.
  static Store open(const std::string& path, const OpenOptions& options = {});

  const std::string& path() const noexcept;  // as given to open (a URI's password is kept)
  int schema_version() const;          // the newest migration applied to the file or tenant
  static int latest_schema_version();  // the newest migration this library knows
  bool read_only() const noexcept;
  bool in_transaction() const noexcept;

  // Store-wide settings, persisted in the file.
  // default_region: the ISO 3166 alpha-2 region ("IT", "US") whose numbering plan reads phone
  // numbers given without a country code; empty = none (only "+" or "00" numbers are read).
  // Refused unless libphonenumber has a plan for it (upper case; "it" is refused, not fixed).
  std::string default_region() const;
  void set_default_region(const std::string& region);
  // default_currency: the currency of amounts given without one (rules, reports). "USD" default.
  std::string default_currency() const;
  void set_default_currency(const std::string& code);

  // The audit context of this connection (and every copy of this Store): applied to every
  // change until set again. invalid_argument for a field that is not UTF-8 or over 200 bytes.
  void set_audit_context(const AuditContext& context);
  AuditContext audit_context() const;

 private:
  explicit Store(std::shared_ptr<detail::Connection> c) : connection_(std::move(c)) {}
  std::shared_ptr<detail::Connection> connection_;
  friend struct detail::Connection;
};

// An explicit transaction: commit() makes it durable; destruction without commit rolls back.
// While one is open, every crmkit mutation on the Store joins it (one commit for a batch).
class Transaction {
 public:
  explicit Transaction(Store& store);
  ~Transaction();
  Transaction(const Transaction&) = delete;
  Transaction& operator=(const Transaction&) = delete;

  void commit();
  void rollback();

 private:
  Store store_;
  bool open_ = true;
};

// A savepoint in the open Transaction: release() keeps what was written since it as part of
// the transaction; rollback(), or destruction without release(), undoes exactly that and
// leaves the transaction open. Savepoints nest and end in reverse order (misuse otherwise).
// Throws misuse when no Transaction is open (outside one, every call is its own transaction).
// What it is for: a long import commits once per many batches, yet a batch that has to be
// redone is undone alone.
class Savepoint {
 public:
  explicit Savepoint(Store& store);
  ~Savepoint();
  Savepoint(const Savepoint&) = delete;
  Savepoint& operator=(const Savepoint&) = delete;

  void release();
  void rollback();

 private:
  Store store_;
  std::uint64_t transaction_ = 0;  // which transaction it belongs to
  int depth_ = 0;                  // 1 for the outermost savepoint of that transaction
  bool open_ = true;
};

}  // namespace crmkit
