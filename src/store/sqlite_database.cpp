#include "store/sqlite_database.hpp"

#include <sqlite3.h>

#include <fmt/format.h>

namespace crmkit::detail {

namespace {

SqlCode code_of(int rc) noexcept {
  switch (rc) {
    case SQLITE_CONSTRAINT_FOREIGNKEY: return SqlCode::foreign_key;
    case SQLITE_CONSTRAINT_DATATYPE: return SqlCode::datatype;
    default: break;
  }
  switch (rc & 0xff) {
    case SQLITE_BUSY:
    case SQLITE_LOCKED: return SqlCode::busy;
    case SQLITE_CONSTRAINT: return SqlCode::constraint;
    case SQLITE_NOMEM: return SqlCode::no_memory;
    case SQLITE_CORRUPT:
    case SQLITE_NOTADB: return SqlCode::corrupt;
    case SQLITE_READONLY: return SqlCode::read_only;
    case SQLITE_IOERR:
    case SQLITE_FULL:
    case SQLITE_CANTOPEN:
    case SQLITE_PERM: return SqlCode::io;
    case SQLITE_TOOBIG:
    case SQLITE_RANGE:
    case SQLITE_MISMATCH: return SqlCode::invalid;
    case SQLITE_MISUSE: return SqlCode::misuse;
    default: return SqlCode::error;
  }
}

class SqliteStatement final : public Statement {
 public:
  SqliteStatement(sqlite3* db, const std::string& sql) : db_(db) {
    const int rc = sqlite3_prepare_v2(db, sql.c_str(), static_cast<int>(sql.size() + 1), &st_, nullptr);
    if (rc != SQLITE_OK) throw_sqlite(db, rc);
    if (!st_) throw SqlError(SqlCode::misuse, "the statement is empty");
  }
  ~SqliteStatement() override { sqlite3_finalize(st_); }

  void bind(int i) override { check(sqlite3_bind_null(st_, i)); }
  void bind(int i, std::int64_t v) override { check(sqlite3_bind_int64(st_, i, v)); }
  void bind(int i, double v) override { check(sqlite3_bind_double(st_, i, v)); }
  void bind(int i, const std::string& v) override {
    check(sqlite3_bind_text64(st_, i, v.data(), v.size(), SQLITE_TRANSIENT, SQLITE_UTF8));
  }
  void bind(int i, const char* v) override { check(sqlite3_bind_text(st_, i, v, -1, SQLITE_TRANSIENT)); }
  void bindNoCopy(int i, const std::string& v) override {
    check(sqlite3_bind_text64(st_, i, v.data(), v.size(), SQLITE_STATIC, SQLITE_UTF8));
  }
  void bindNoCopy(int i, const char* v) override { check(sqlite3_bind_text(st_, i, v, -1, SQLITE_STATIC)); }
  void bindNoCopy(int i, const void* data, int size) override {
    check(sqlite3_bind_blob(st_, i, data, size, SQLITE_STATIC));
  }
  int getIndex(const char* name) const override { return sqlite3_bind_parameter_index(st_, name); }
  void clearBindings() override { sqlite3_clear_bindings(st_); }

  bool executeStep() override {
    if (done_) throw SqlError(SqlCode::misuse, "the statement needs a reset before it runs again");
    const int rc = sqlite3_step(st_);
    if (rc == SQLITE_ROW) return row_ = true;
    row_ = false;
    if (rc == SQLITE_DONE) {
      done_ = true;
      return false;
    }
    throw_sqlite(db_, rc);
  }

  int exec() override {
    if (done_) throw SqlError(SqlCode::misuse, "the statement needs a reset before it runs again");
    const int rc = sqlite3_step(st_);
    if (rc == SQLITE_ROW) {
      sqlite3_reset(st_);
      throw SqlError(SqlCode::misuse, "exec() of a statement that yields rows");
    }
    if (rc != SQLITE_DONE) throw_sqlite(db_, rc);
    done_ = true;
    return sqlite3_changes(db_);
  }

  void reset() override {
    row_ = done_ = false;
    const int rc = sqlite3_reset(st_);
    if (rc != SQLITE_OK) throw_sqlite(db_, rc);
  }
  void tryReset() noexcept override {
    row_ = done_ = false;
    sqlite3_reset(st_);
  }

  int getColumnCount() const override { return sqlite3_column_count(st_); }
  int getBindParameterCount() const override { return sqlite3_bind_parameter_count(st_); }
  const char* getColumnName(int i) const override {
    const char* n = sqlite3_column_name(st_, i);
    if (!n) throw SqlError(SqlCode::no_memory, "out of memory reading a column name");
    return n;
  }

 private:
  void check(int rc) const {
    if (rc != SQLITE_OK) throw_sqlite(db_, rc);
  }
  void need_row(int i) const {
    if (!row_) throw SqlError(SqlCode::misuse, "a column read without a current row");
    if (i < 0 || i >= sqlite3_column_count(st_))
      throw SqlError(SqlCode::invalid, fmt::format("column index {} is out of range", i));
  }
  ColumnType columnType(int i) const override {
    need_row(i);
    switch (sqlite3_column_type(st_, i)) {
      case SQLITE_INTEGER: return ColumnType::integer;
      case SQLITE_FLOAT: return ColumnType::real;
      case SQLITE_TEXT: return ColumnType::text;
      case SQLITE_BLOB: return ColumnType::blob;
      default: return ColumnType::null;
    }
  }
  std::int64_t columnInt64(int i) const override {
    need_row(i);
    return sqlite3_column_int64(st_, i);
  }
  double columnDouble(int i) const override {
    need_row(i);
    return sqlite3_column_double(st_, i);
  }
  const char* columnText(int i, int* bytes) const override {
    need_row(i);
    const auto* t = reinterpret_cast<const char*>(sqlite3_column_text(st_, i));
    *bytes = sqlite3_column_bytes(st_, i);
    // NULL text for a value that is not NULL is SQLite out of memory: never read as "".
    if (!t && sqlite3_column_type(st_, i) != SQLITE_NULL)
      throw SqlError(SqlCode::no_memory, "out of memory reading a column");
    return t;
  }
  const void* columnBlob(int i, int* bytes) const override {
    need_row(i);
    const void* b = sqlite3_column_blob(st_, i);
    *bytes = sqlite3_column_bytes(st_, i);
    return b;
  }

  sqlite3* db_;
  sqlite3_stmt* st_ = nullptr;
  bool row_ = false, done_ = false;
};

// Runs a prepared ROLLBACK-like statement without throwing.
bool run_quietly(Statement& st) noexcept {
  try {
    st.tryReset();
    st.exec();
    st.tryReset();
    return true;
  } catch (...) {
    st.tryReset();
    return false;
  }
}

struct SqliteDialect final : Dialect {
  std::string json_text(const std::string& column, const std::string& path) const override {
    return fmt::format("json_extract({}, {})", column, path);
  }
  std::string json_type(const std::string& column, const std::string& path) const override {
    return fmt::format("json_type({}, {})", column, path);
  }
  std::string month_index(const std::string& instant_ms) const override {
    // Whole seconds floored toward the past, so that an instant just before midnight UTC keeps
    // its month (SQLite's integer division truncates toward zero).
    const std::string s = fmt::format("(({0}) - ((({0}) % 1000) + 1000) % 1000) / 1000", instant_ms);
    return fmt::format("(CAST(strftime('%Y', {0}, 'unixepoch') AS INTEGER) * 12 + "
                       "CAST(strftime('%m', {0}, 'unixepoch') AS INTEGER) - 1)",
                       s);
  }
  std::string json_array_of(const std::string& column, const std::string& from_where) const override {
    return fmt::format("(SELECT json_group_array(v) FROM (SELECT {} AS v {} ORDER BY 1))", column, from_where);
  }
  std::string temp_ids_table(const std::string& name) const override {
    return fmt::format("CREATE TEMP TABLE IF NOT EXISTS {}(id INTEGER PRIMARY KEY)", name);
  }
};

}  // namespace

void throw_sqlite(sqlite3* db, int rc) {
  const int extended = db ? sqlite3_extended_errcode(db) : rc;
  // The connection's message describes its last error, which is this one when the codes agree.
  const bool same = db && (extended & 0xff) == (rc & 0xff);
  throw SqlError(code_of(same ? extended : rc), same ? sqlite3_errmsg(db) : sqlite3_errstr(rc),
                 same ? extended : rc);
}

SqliteDatabase::SqliteDatabase(const std::string& path, int flags, int busy_timeout_ms) {
  const int rc = sqlite3_open_v2(path.c_str(), &db_, flags, nullptr);
  if (rc != SQLITE_OK) {
    std::string msg = db_ ? sqlite3_errmsg(db_) : sqlite3_errstr(rc);
    const int extended = db_ ? sqlite3_extended_errcode(db_) : rc;
    sqlite3_close(db_);
    db_ = nullptr;
    throw SqlError(code_of(extended), msg, extended);
  }
  try {
    sqlite3_extended_result_codes(db_, 1);
    if (busy_timeout_ms > 0) sqlite3_busy_timeout(db_, busy_timeout_ms);
    rollback_ = statement("ROLLBACK");
    rollback_to_ = statement("ROLLBACK TO crmkit_write");
    release_ = statement("RELEASE crmkit_write");
  } catch (...) {
    rollback_.reset();
    rollback_to_.reset();
    release_.reset();
    sqlite3_close(db_);
    throw;
  }
}

SqliteDatabase::~SqliteDatabase() {
  rollback_.reset();
  rollback_to_.reset();
  release_.reset();
  data_version_.reset();
  // Statements the Connection cached are finalized before the database is (Connection's
  // member order); sqlite3_close_v2 also waits for any left.
  sqlite3_close_v2(db_);
}

const Dialect& SqliteDatabase::dialect() const noexcept {
  static const SqliteDialect d;
  return d;
}

std::unique_ptr<Statement> SqliteDatabase::statement(const std::string& sql) {
  return std::make_unique<SqliteStatement>(db_, sql);
}

void SqliteDatabase::exec(const std::string& sql) {
  const int rc = sqlite3_exec(db_, sql.c_str(), nullptr, nullptr, nullptr);
  if (rc != SQLITE_OK) throw_sqlite(db_, rc);
}

std::int64_t SqliteDatabase::data_version() {
  if (!data_version_) data_version_ = statement("PRAGMA data_version");
  data_version_->tryReset();
  const std::int64_t v = data_version_->executeStep() ? data_version_->getColumn(0).getInt64() : 0;
  data_version_->tryReset();
  return v;
}

bool SqliteDatabase::in_transaction() const noexcept { return sqlite3_get_autocommit(db_) == 0; }

void SqliteDatabase::begin_write() { exec("BEGIN IMMEDIATE"); }

bool SqliteDatabase::rollback_all() noexcept {
  if (!in_transaction()) return true;
  if (run_quietly(*rollback_) || !in_transaction()) return true;
  sqlite3_exec(db_, "ROLLBACK", nullptr, nullptr, nullptr);
  return !in_transaction();
}

bool SqliteDatabase::rollback_savepoint() noexcept {
  return run_quietly(*rollback_to_) && run_quietly(*release_);
}

}  // namespace crmkit::detail
