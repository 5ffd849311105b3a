// The connection behind a Store (a SQLite file or a PostgreSQL tenant: store/database.hpp),
// its statement cache, and the scopes that make every mutation atomic.
// Internal to the library: services in src/<area>/ use it; nothing public includes it.
#pragma once

#include <cstddef>
#include <cstdint>
#include <limits>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <unordered_map>
#include <vector>

#include "crmkit/error.hpp"
#include "crmkit/store.hpp"
#include "store/database.hpp"
#include "store/statement.hpp"

namespace crmkit {
struct ModelInputs;
namespace analytics {
struct DistinctHistories;
}
}

namespace crmkit::detail {

// 'CRMK': PRAGMA application_id of every crmkit database.
constexpr int kApplicationId = 0x43524D4B;

struct Connection {
  // A SQLite file (flags: SQLITE_OPEN_*), as Store::open and the tests that build old files use.
  Connection(const std::string& path, int flags, int busy_timeout_ms);
  Connection(std::unique_ptr<Database> database, std::string path);

  // A cached prepared statement, reset with its bindings cleared. The reference stays valid
  // for the connection's life; do not hold it across calls that may prepare the same SQL.
  Statement& prepare(const std::string& sql);
  // A new statement, not cached: for SQL assembled per call (segment rules).
  std::unique_ptr<Statement> statement(const std::string& sql) { return db.statement(sql); }

  Backend backend() const noexcept { return db.backend(); }
  const Dialect& dialect() const noexcept { return db.dialect(); }
  bool in_transaction() const noexcept { return db.in_transaction(); }

  // Opens a write transaction (BEGIN IMMEDIATE on SQLite) and numbers it: what is read once
  // per write transaction (the audit chain flag) is kept under that number.
  void begin_write() {
    db.begin_write();
    ++write_transactions;
  }

  // Undo the whole open transaction / the innermost crmkit_write savepoint; never throw.
  // False if the backend refused (see Database).
  bool rollback_all() noexcept { return db.rollback_all(); }
  bool rollback_savepoint() noexcept {
    audit_chain_read_in = 0;  // the savepoint may have held a start_chain
    return db.rollback_savepoint();
  }
  // A transaction left open by a rollback that failed is rolled back here before the next
  // transaction starts (called by WriteScope and Transaction).
  void discard_stale_transaction();

  // The page cache: cache_kib normally, write_cache_kib while the open transaction records a
  // batch of interactions (widen_cache, called by the ingest). settle_cache returns it to
  // cache_kib once no transaction is open; the pages over the bound are freed then.
  void widen_cache();
  void settle_cache() noexcept;

  std::unique_ptr<Database> database;  // declared first: destroyed after the statements below
  Database& db;
  std::string path;
  bool read_only = false;
  bool explicit_transaction = false;     // a crmkit::Transaction / crmkit_db_begin is open
  std::uint64_t transactions_begun = 0;  // numbers explicit transactions (for Savepoint)
  int savepoint_depth = 0;               // Savepoints open in the explicit transaction
  int write_depth = 0;                   // WriteScopes alive on this connection
  std::int64_t cache_kib = 2000, write_cache_kib = 2000;  // set by Store::open
  bool cache_widened = false;
  std::uint64_t write_transactions = 0;  // numbers write transactions (begin_write)
  // Whether the audit trail is chained, as read in write transaction `audit_chain_read_in`: on
  // SQLite no other connection can change it while this one holds the write lock.
  bool audit_chained = false;
  std::uint64_t audit_chain_read_in = 0;
  bool audit_trail = true;    // OpenOptions::audit_trail
  AuditContext audit_context; // Store::set_audit_context
  std::unordered_map<std::string, std::unique_ptr<Statement>> statements;

  // The last model inputs built from committed facts on this connection, reused while the
  // purchases under them stay as they were: a fit, a second fit and a scoring run read the
  // purchases once (src/value/model_inputs.cpp). apply_figures drops them when it records a
  // purchase in `currency` before `scan_end`; data_version tells of other connections' commits.
  struct KeptModelInputs {
    std::shared_ptr<const ModelInputs> inputs;
    std::string currency;
    std::int64_t scan_end = 0;
    std::int64_t data_version = 0;
    std::shared_ptr<const analytics::DistinctHistories> distinct;  // of inputs, once asked for
  } kept_model_inputs;

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
  explicit StatementReset(Statement& st) noexcept : st_(st) {}
  ~StatementReset() { st_.tryReset(); }
  StatementReset(const StatementReset&) = delete;
  StatementReset& operator=(const StatementReset&) = delete;

 private:
  Statement& st_;
};

// Text or bytes the caller keeps alive and unchanged until the statement has run, bound without
// a copy: for the insert path of batch ingest. A null pointer binds NULL.
struct BorrowedText {
  const std::string* text = nullptr;
};
struct BorrowedBlob {
  const void* data = nullptr;
  int size = 0;
};
inline BorrowedText borrowed(const std::string& s) noexcept { return {&s}; }
inline BorrowedText borrowed(const std::optional<std::string>& s) noexcept { return {s ? &*s : nullptr}; }

// Binds one value to parameter i the way every table stores it: integers (ids, instants,
// counts, minor units) as INTEGER, bool as 0/1, double as REAL, text as TEXT, an enum as its
// text name (found by argument-dependent lookup of to_string), nullptr and an empty optional
// as NULL. An unsigned value int64 cannot hold is refused, never wrapped.
template <class T>
void bind_value(Statement& st, int i, const T& v) {
  if constexpr (std::is_same_v<T, std::nullptr_t>) {
    st.bind(i);
  } else if constexpr (std::is_same_v<T, BorrowedText>) {
    if (v.text) st.bindNoCopy(i, *v.text);
    else st.bind(i);
  } else if constexpr (std::is_same_v<T, BorrowedBlob>) {
    if (v.data) st.bindNoCopy(i, v.data, v.size);
    else st.bind(i);
  } else if constexpr (std::is_same_v<T, bool>) {
    st.bind(i, v ? 1 : 0);
  } else if constexpr (std::is_enum_v<T>) {
    // An enum's text table is static: no copy is needed while it is bound.
    if constexpr (std::is_same_v<decltype(to_string(v)), const char*>) st.bindNoCopy(i, to_string(v));
    else bind_value(st, i, to_string(v));
  } else if constexpr (std::is_integral_v<T>) {
    if constexpr (std::is_unsigned_v<T> && sizeof(T) >= sizeof(std::int64_t)) {
      if (v > static_cast<T>(std::numeric_limits<std::int64_t>::max()))
        throw Error(Errc::internal, "an unsigned value does not fit a stored INTEGER");
    }
    st.bind(i, static_cast<std::int64_t>(v));
  } else if constexpr (std::is_floating_point_v<T>) {
    st.bind(i, static_cast<double>(v));
  } else if constexpr (std::is_pointer_v<T>) {
    static_assert(std::is_convertible_v<T, const char*>, "bind_value: a pointer must be C text");
    if (v) st.bind(i, static_cast<const char*>(v));
    else st.bind(i);
  } else if constexpr (std::is_same_v<T, std::string> || std::is_convertible_v<const T&, const char*>) {
    st.bind(i, v);
  } else if constexpr (std::is_convertible_v<const T&, std::string_view>) {
    st.bind(i, std::string(std::string_view(v)));
  } else {
    if (v) bind_value(st, i, *v);  // std::optional
    else st.bind(i);
  }
}

// The same for a named parameter (":name") of a statement whose text is assembled from parts.
template <class T>
void bind_value(Statement& st, const char* name, const T& v) {
  bind_value(st, st.getIndex(name), v);
}

// Binds the values to parameters 1, 2, ... in order: one line per statement instead of one
// per parameter, so a parameter cannot be skipped or numbered twice.
template <class... Values>
void bind_all(Statement& st, const Values&... values) {
  int i = 0;
  (bind_value(st, ++i, values), ...);
}

// The same from parameter `first` on: one row of a multi-row INSERT.
template <class... Values>
void bind_from(Statement& st, int first, const Values&... values) {
  int i = first - 1;
  (bind_value(st, ++i, values), ...);
}

// Reads columns 0, 1, ... of the current row into the variables, each by its type (std::int64_t,
// double, std::string), as SQLiteCpp's getters convert them: NULL reads as 0 or "". For columns
// the query itself makes safe (aggregates, COALESCE); stored rows go through StoredRow, which
// refuses damaged values. The reading counterpart of bind_all.
template <class... Values>
void get_columns(Statement& st, Values&... values) {
  int i = 0;
  auto get = [&st](int col, auto& v) {
    using T = std::remove_reference_t<decltype(v)>;
    static_assert(std::is_same_v<T, std::int64_t> || std::is_same_v<T, double> || std::is_same_v<T, std::string>,
                  "get_columns reads std::int64_t, double or std::string");
    if constexpr (std::is_same_v<T, std::int64_t>) v = st.getColumn(col).getInt64();
    else if constexpr (std::is_same_v<T, double>) v = st.getColumn(col).getDouble();
    else v = st.getColumn(col).getString();
  };
  (get(i++, values), ...);
}

// Runs a statement that yields at most one row: that row as `read` makes it from the statement,
// or nullopt when there is none. The statement is reset afterwards (see StatementReset), also
// when `read` throws on a damaged row.
template <class Read, class... Values>
auto one_row(Statement& st, Read read, const Values&... values) -> std::optional<decltype(read(st))> {
  StatementReset done(st);
  bind_all(st, values...);
  if (!st.executeStep()) return std::nullopt;
  return read(st);
}

// The row a statement must yield, read as by one_row; Error(not_found, missing()) when there is
// none (`missing` is called only then).
template <class Read, class Missing, class... Values>
auto required_row(Statement& st, Read read, Missing missing, const Values&... values) -> decltype(read(st)) {
  auto row = one_row(st, read, values...);
  if (!row) throw Error(Errc::not_found, missing());
  return std::move(*row);
}

// Every row of a statement, in its order, as `read` makes each; reset as above.
template <class Read, class... Values>
auto all_rows(Statement& st, Read read, const Values&... values) -> std::vector<decltype(read(st))> {
  StatementReset done(st);
  bind_all(st, values...);
  std::vector<decltype(read(st))> out;
  while (st.executeStep()) out.push_back(read(st));
  return out;
}

// An INSERT whose new row's id the caller needs: prepared by prepare_insert (the SQL without a
// RETURNING clause), run by inserted_id, which returns the id, or nullopt when no row was made
// (ON CONFLICT DO NOTHING). PostgreSQL returns it (RETURNING id is appended); SQLite reads its
// last rowid instead, because with RETURNING SQLite runs every INSERT under a statement journal
// of its own, which made a million-row batch ingest quadratic (bench workload 1).
Statement& prepare_insert(Connection& c, const std::string& insert_sql);
std::optional<std::int64_t> inserted_id(Connection& c, Statement& st);

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

// Around one row of a batch that skips invalid rows: a savepoint where the backend needs one.
// A failed statement undoes only itself on SQLite, but aborts the whole transaction on
// PostgreSQL, so there each row gets a savepoint that a failure rolls back to. commit() after
// the row succeeded.
class RowScope {
 public:
  RowScope(Connection& c, bool skip_invalid) {
    if (skip_invalid && c.backend() == Backend::postgres) scope_.emplace(c);
  }
  void commit() {
    if (scope_) scope_->commit();
  }

 private:
  std::optional<WriteScope> scope_;
};

// Converts an error of the SQL layer into crmkit::Error (busy -> busy, constraint ->
// constraint, ...), its message prefixed by `context` when given.
[[noreturn]] void rethrow_sql(const SqlError& e, const std::string& context = {});

// Runs f, translating the SQL layer's errors; crmkit::Error passes through. Every public
// service method body runs inside this so that C++ callers only ever see crmkit::Error.
template <class F>
auto guard(F&& f) -> decltype(f()) {
  try {
    return f();
  } catch (const SqlError& e) {
    rethrow_sql(e);
  }
}

// Throws Error(read_only) when the store was opened read-only.
void require_writable(const Connection& c);

}  // namespace crmkit::detail
