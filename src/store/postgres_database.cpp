#include "store/postgres_database.hpp"

#include <libpq-fe.h>
#include <poll.h>

#include <cerrno>
#include <charconv>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <map>
#include <optional>
#include <vector>

#include <fmt/format.h>

namespace crmkit::detail {

namespace {

// The type OIDs crmkit reads and binds (PostgreSQL's catalog; stable since 7.x).
constexpr Oid kBool = 16, kBytea = 17, kInt8 = 20, kInt2 = 21, kInt4 = 23, kText = 25, kOid = 26, kFloat4 = 700,
              kFloat8 = 701, kNumeric = 1700;

// SQLSTATE classes and codes (PostgreSQL's errcodes appendix) -> crmkit's.
SqlCode code_of(const char* sqlstate) noexcept {
  if (!sqlstate || std::strlen(sqlstate) != 5) return SqlCode::io;
  const std::string s(sqlstate);
  if (s == "23503") return SqlCode::foreign_key;
  if (s.compare(0, 2, "23") == 0) return SqlCode::constraint;
  if (s == "40001" || s == "40P01" || s == "55P03" || s == "57014") return SqlCode::busy;  // retry, lock or timeout
  if (s == "22003") return SqlCode::datatype;                                           // out of range
  if (s == "53200") return SqlCode::no_memory;
  if (s == "25006") return SqlCode::read_only;
  if (s.compare(0, 2, "08") == 0 || s.compare(0, 2, "53") == 0 || s.compare(0, 2, "57") == 0 ||
      s.compare(0, 2, "58") == 0)
    return SqlCode::io;  // connection, resources, operator intervention (shutdown), system
  if (s.compare(0, 2, "22") == 0) return SqlCode::invalid;  // data exception
  if (s == "XX001" || s == "XX002") return SqlCode::corrupt;
  return SqlCode::error;
}

}  // namespace

struct PostgresSession {
  PGconn* conn = nullptr;
  std::string uri, tenant;
  int busy_timeout_ms = 0;
  bool read_only = false;
  std::uint64_t generation = 1;  // bumped by each reconnection: prepared statements are gone then
  std::uint64_t next_name = 0;
  bool closing = false;
  std::string lock_sql;  // BEGIN and the tenant's write lock

  ~PostgresSession() {
    if (conn) PQfinish(conn);
  }

  // libpq may still report CONNECTION_OK after the server ended the session (a restart's
  // "terminating connection" arrives as an error result first), so a failure that names no
  // SQLSTATE, or a connection (08) or shutdown (57P) one, marks the session broken too.
  bool broken = false;
  bool lost() const noexcept { return !conn || broken || PQstatus(conn) != CONNECTION_OK; }

  // Whether the last statement that reached the server left a transaction open. A connection
  // lost then took that transaction with it: reconnecting at the next statement would run the
  // rest of it in autocommit, half a batch committed. So until the caller rolls back
  // (rollback_all), every statement fails with io instead.
  bool in_transaction_seen = false;
  bool transaction_lost = false;
  void note_status() noexcept {
    if (conn) in_transaction_seen = PQtransactionStatus(conn) != PQTRANS_IDLE;
  }

  // The error of a failed result (or of the connection when there is none) as SqlError.
  // `sql`, when given, is named in the message of an error in the statement itself (SQLSTATE
  // class 42: syntax, an unknown name or type), which is a bug in crmkit to report.
  [[noreturn]] void fail(PGresult* res, const std::string& sql = {}) {
    const char* failed_state = res ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : nullptr;
    if (!failed_state || std::strncmp(failed_state, "08", 2) == 0 || std::strncmp(failed_state, "57P", 3) == 0)
      broken = true;
    if (lost()) {
      if (in_transaction_seen) transaction_lost = true;
      std::string why = conn ? PQerrorMessage(conn) : "no connection";
      while (!why.empty() && (why.back() == '\n' || why.back() == ' ')) why.pop_back();
      if (res) PQclear(res);
      throw SqlError(SqlCode::io, fmt::format("the connection to the PostgreSQL server was lost ({})", why));
    }
    const char* state = res ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : nullptr;
    const char* primary = res ? PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY) : nullptr;
    const char* detail = res ? PQresultErrorField(res, PG_DIAG_MESSAGE_DETAIL) : nullptr;
    std::string msg = primary ? primary : PQerrorMessage(conn);
    while (!msg.empty() && msg.back() == '\n') msg.pop_back();
    if (detail) msg += fmt::format(" ({})", detail);
    if (!sql.empty() && state && std::strncmp(state, "42", 2) == 0)
      msg += fmt::format(" in: {}", sql.size() > 400 ? sql.substr(0, 400) + "..." : sql);
    const SqlCode code = code_of(state);
    if (res) PQclear(res);
    note_status();
    throw SqlError(code, msg);
  }

  // Runs SQL without parameters (one or more statements) and returns the last one's result,
  // which the caller clears; throws SqlError.
  PGresult* run_result(const std::string& sql) {
    reconnect_if_lost();
    PGresult* res = PQexec(conn, sql.c_str());
    const auto st = res ? PQresultStatus(res) : PGRES_FATAL_ERROR;
    if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK) fail(res, sql);
    note_status();
    return res;
  }
  void run(const std::string& sql) { PQclear(run_result(sql)); }

  // Runs SQL whose last statement yields one boolean: whether it was true.
  bool run_true(const std::string& sql) {
    PGresult* res = run_result(sql);
    const bool yes = PQntuples(res) == 1 && PQnfields(res) == 1 && PQgetvalue(res, 0, 0)[0] == 't';
    PQclear(res);
    return yes;
  }

  bool in_transaction() const noexcept {
    if (lost()) return false;  // the server ended it with the connection
    const auto t = PQtransactionStatus(conn);
    return t == PQTRANS_INTRANS || t == PQTRANS_INERROR || t == PQTRANS_ACTIVE;
  }

  void connect() {
    if (conn) PQfinish(conn);
    broken = false;
    in_transaction_seen = transaction_lost = false;
    conn = PQconnectdb(uri.c_str());
    if (!conn) throw SqlError(SqlCode::no_memory, "out of memory connecting to PostgreSQL");
    if (PQstatus(conn) != CONNECTION_OK) {
      std::string why = PQerrorMessage(conn);
      while (!why.empty() && (why.back() == '\n' || why.back() == ' ')) why.pop_back();
      throw SqlError(SqlCode::io, fmt::format("cannot connect to PostgreSQL: {}", why));
    }
    PQsetNoticeProcessor(conn, [](void*, const char*) {}, nullptr);  // "already exists, skipping"
    if (PQsetClientEncoding(conn, "UTF8") != 0) fail(nullptr);
    // Shortest exact text for every double (the default since PostgreSQL 12, set for older
    // servers' sake), UTC, the caller's busy timeout for lock waits, and the tenant's schema.
    run(fmt::format("SET extra_float_digits = 1; SET TimeZone = 'UTC'; SET lock_timeout = {}; "
                    "SET search_path TO {}{}",
                    busy_timeout_ms > 0 ? busy_timeout_ms : 1, quote_identifier(tenant),
                    read_only ? "; SET default_transaction_read_only = on" : ""));
  }

  // A connection lost between transactions is re-established before the next statement (a
  // server restart then costs the statement that found it lost, not the store). Inside a
  // transaction it is not: the transaction is gone, and the caller must learn that.
  void reconnect_if_lost() {
    if (!lost() || closing) return;
    if (transaction_lost)
      throw SqlError(SqlCode::io,
                     "the connection to the PostgreSQL server was lost inside a transaction, which the server "
                     "rolled back; roll back before the next statement");
    connect();
    ++generation;
  }
};

namespace {

// SQLite's parameter forms (?, ?NNN, :name) as PostgreSQL's $N, outside quotes and comments.
struct Translated {
  std::string sql;
  int params = 0;
  std::map<std::string, int> names;  // ":name" -> N
  // used[N - 1]: $N occurs in the text. SQLite lets a statement skip a number (?1 and ?8 with
  // 2..7 bound but unused); PostgreSQL cannot infer the type of a parameter it never sees.
  std::vector<bool> used;
};

Translated translate(const std::string& in) {
  Translated t;
  t.sql.reserve(in.size() + 16);
  const std::size_t n = in.size();
  auto is_word = [](char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_'; };
  for (std::size_t i = 0; i < n;) {
    const char c = in[i];
    if (c == '\'' || c == '"') {  // a literal or a quoted identifier; a doubled quote stays inside
      std::size_t j = i + 1;
      while (j < n && !(in[j] == c && (j + 1 >= n || in[j + 1] != c))) j += (in[j] == c) ? 2 : 1;
      t.sql.append(in, i, std::min(n, j + 1) - i);
      i = j + 1;
    } else if (c == '-' && i + 1 < n && in[i + 1] == '-') {
      std::size_t j = in.find('\n', i);
      if (j == std::string::npos) j = n;
      t.sql.append(in, i, j - i);
      i = j;
    } else if (c == '/' && i + 1 < n && in[i + 1] == '*') {
      std::size_t j = in.find("*/", i + 2);
      j = j == std::string::npos ? n : j + 2;
      t.sql.append(in, i, j - i);
      i = j;
    } else if (c == '?') {
      std::size_t j = i + 1;
      while (j < n && std::isdigit(static_cast<unsigned char>(in[j]))) ++j;
      int k = 0;
      if (j > i + 1) k = std::atoi(in.substr(i + 1, j - i - 1).c_str());
      else k = t.params + 1;
      t.params = std::max(t.params, k);
      if (t.used.size() < static_cast<std::size_t>(k)) t.used.resize(static_cast<std::size_t>(k));
      t.used[static_cast<std::size_t>(k) - 1] = true;
      t.sql += fmt::format("${}", k);
      i = j;
    } else if (c == ':' && i + 1 < n && (std::isalpha(static_cast<unsigned char>(in[i + 1])) || in[i + 1] == '_') &&
               (i == 0 || in[i - 1] != ':')) {
      std::size_t j = i + 1;
      while (j < n && is_word(in[j])) ++j;
      const std::string name = in.substr(i, j - i);
      auto it = t.names.find(name);
      if (it == t.names.end()) {
        it = t.names.emplace(name, ++t.params).first;
        t.used.resize(static_cast<std::size_t>(t.params));
        t.used.back() = true;
      }
      t.sql += fmt::format("${}", it->second);
      i = j;
    } else {
      t.sql += c;
      ++i;
    }
  }
  t.used.resize(static_cast<std::size_t>(t.params));
  return t;
}

// At most this many executions are in flight in one pipeline (each holds its result until
// the chunk is read).
constexpr std::size_t kPipelineDepth = 256;

// One pipeline on a session: entered on construction; finish() sends the Sync and reads every
// result; the destructor drains one that was not finished (a bind() threw), so the connection
// is always left out of pipeline mode and blocking, or marked broken.
class Pipeline {
 public:
  explicit Pipeline(PostgresSession& s) : s_(s) {
    if (PQenterPipelineMode(s_.conn) != 1) s_.fail(nullptr);
    if (PQsetnonblocking(s_.conn, 1) != 0) {
      PQexitPipelineMode(s_.conn);
      s_.fail(nullptr);
    }
  }
  Pipeline(const Pipeline&) = delete;
  Pipeline& operator=(const Pipeline&) = delete;
  ~Pipeline() {
    if (finished_) return;
    std::vector<PGresult*> ignored;
    std::optional<SqlRunError> failed;
    read_all(ignored, failed, "", 0);
    for (PGresult* r : ignored) PQclear(r);
  }

  // Queues one execution of a prepared statement. False when libpq refused it (the
  // connection is gone): finish() reports that.
  bool send(const std::string& name, int n, const char* const* values, const int* lengths, const int* formats) {
    if (PQsendQueryPrepared(s_.conn, name.c_str(), n, values, lengths, formats, 0) != 1) return false;
    ++queued_;
    return true;
  }

  // The results of the executions sent, in order, up to the first failure, which is put in
  // `failed` (as execution first + k). The caller owns the results.
  std::vector<PGresult*> finish(const std::string& sql, std::optional<SqlRunError>& failed, std::size_t first) {
    std::vector<PGresult*> out;
    read_all(out, failed, sql, first);
    return out;
  }

 private:
  // Pushes out everything queued, reading what the server answers meanwhile (libpq's rule for
  // a non-blocking connection), so that neither side waits on a full buffer.
  bool flush() noexcept {
    for (;;) {
      const int f = PQflush(s_.conn);
      if (f == 0) return true;
      if (f < 0) return false;
      pollfd p{PQsocket(s_.conn), POLLIN | POLLOUT, 0};
      if (poll(&p, 1, -1) < 0 && errno != EINTR) return false;
      if ((p.revents & POLLIN) && PQconsumeInput(s_.conn) != 1) return false;
    }
  }

  void read_all(std::vector<PGresult*>& out, std::optional<SqlRunError>& failed, const std::string& sql,
                std::size_t first) noexcept {
    finished_ = true;
    PGconn* c = s_.conn;
    auto lose = [&](PGresult* r) {
      if (!failed) {
        try {
          s_.broken = true;
          s_.fail(r, sql);
        } catch (const SqlError& e) {
          failed.emplace(e, first + out.size());
        }
      } else if (r) {
        PQclear(r);
      }
    };
    if (PQpipelineSync(c) != 1 || !flush() || PQsetnonblocking(c, 0) != 0) return lose(nullptr);
    std::size_t answered = 0;
    int nulls = 0;
    for (;;) {
      PGresult* r = PQgetResult(c);
      if (!r) {
        // One NULL ends each execution's results; two in a row mean nothing more will come.
        if (++nulls > 1 || PQstatus(c) != CONNECTION_OK) return lose(nullptr);
        continue;
      }
      nulls = 0;
      const auto st = PQresultStatus(r);
      if (st == PGRES_PIPELINE_SYNC) {
        PQclear(r);
        break;
      }
      ++answered;
      if (failed || st == PGRES_PIPELINE_ABORTED) {
        PQclear(r);
      } else if (st == PGRES_TUPLES_OK || st == PGRES_COMMAND_OK) {
        out.push_back(r);
      } else {
        try {
          s_.fail(r, sql);
        } catch (const SqlError& e) {
          failed.emplace(e, first + out.size());
        }
        if (s_.lost()) return;
      }
    }
    if (answered != queued_ && !failed) return lose(nullptr);
    if (PQexitPipelineMode(c) != 1) return lose(nullptr);
    s_.note_status();
  }

  PostgresSession& s_;
  std::size_t queued_ = 0;
  bool finished_ = false;
};

class PostgresStatement final : public Statement {
 public:
  PostgresStatement(std::shared_ptr<PostgresSession> s, const std::string& sql)
      : s_(std::move(s)), t_(translate(sql)), params_(static_cast<std::size_t>(t_.params)) {}

  ~PostgresStatement() override {
    clear_result();
    // A named statement lives until the session ends; deallocating it costs a round trip that
    // an ending connection need not pay (and an aborted transaction would refuse).
    if (!name_.empty() && !s_->closing && prepared_generation_ == s_->generation && !s_->lost() &&
        PQtransactionStatus(s_->conn) == PQTRANS_IDLE) {
      if (PGresult* r = PQexec(s_->conn, ("DEALLOCATE " + name_).c_str())) PQclear(r);
    }
  }

  void bind(int i) override { param(i) = Param{}; }
  void bind(int i, std::int64_t v) override {
    Param& p = param(i);
    p = Param{};
    p.type = 0;  // inferred from its use: an integer may meet a bigint, an int or a numeric
    p.owned = std::to_string(v);
    p.present = true;
  }
  void bind(int i, double v) override {
    Param& p = param(i);
    p = Param{};
    p.type = kFloat8;  // explicit: inferred from `bigint_column * $1` it would refuse 0.5
    p.owned = fmt::format("{}", v);
    p.present = true;
  }
  void bind(int i, const std::string& v) override { text(i, v.data(), v.size(), true); }
  void bind(int i, const char* v) override { text(i, v, std::strlen(v), true); }
  void bindNoCopy(int i, const std::string& v) override { text(i, v.data(), v.size(), false); }
  void bindNoCopy(int i, const char* v) override { text(i, v, std::strlen(v), false); }
  void bindNoCopy(int i, const void* data, int size) override {
    Param& p = param(i);
    p = Param{};
    p.type = kBytea;
    p.data = static_cast<const char*>(data);
    p.size = size;
    p.binary = true;
    p.present = true;
  }
  int getIndex(const char* name) const override {
    auto it = t_.names.find(name);
    return it == t_.names.end() ? 0 : it->second;
  }
  void clearBindings() override {
    for (auto& p : params_) p = Param{};
  }

  bool executeStep() override {
    if (done_) throw SqlError(SqlCode::misuse, "the statement needs a reset before it runs again");
    if (!res_) run();
    ++row_;
    if (row_ < rows_) return true;
    done_ = true;
    return false;
  }

  int exec() override {
    if (res_) throw SqlError(SqlCode::misuse, "the statement needs a reset before it runs again");
    run();
    if (rows_ > 0) throw SqlError(SqlCode::misuse, "exec() of a statement that yields rows");
    done_ = true;
    const char* n = PQcmdTuples(res_);
    return n && *n ? std::atoi(n) : 0;
  }

  void reset() override { clear_result(); }
  void tryReset() noexcept override { clear_result(); }

  // Pipeline mode: up to kPipelineDepth executions are sent before their results are read, so a
  // batch costs a round trip per chunk instead of one per row. Sending is non-blocking and
  // reads whatever the server has answered meanwhile, so neither side can stall on a full
  // socket buffer. A chunk also ends where a set's parameter types need a new prepare.
  void run_each(std::size_t n, const std::function<void(std::size_t)>& bind,
                const std::function<void(std::size_t, bool)>& each) override {
    std::size_t i = 0;
    bool bound = false;  // set i is bound already (it ended the previous chunk)
    while (i < n) {
      clear_result();
      if (!bound) bind(i);
      bound = false;
      prepare_for_bindings();
      const std::size_t first = i;
      std::vector<PGresult*> results;
      std::optional<SqlRunError> failed;
      {
        Pipeline pipe(*s_);
        std::size_t sent = 0;
        for (; i < n && sent < kPipelineDepth; ++i, ++sent) {
          if (sent > 0) {
            bind(i);
            if (!fits_prepared()) {
              bound = true;
              break;
            }
          }
          const Arrays a = arrays();
          if (!pipe.send(name_, static_cast<int>(params_.size()), a.values.data(), a.lengths.data(),
                         a.formats.data())) {
            s_->broken = true;  // libpq refused to queue: the connection is unusable
            break;
          }
        }
        results = pipe.finish(t_.sql, failed, first);
      }
      if (!failed && s_->broken) {
        try {
          s_->fail(nullptr);
        } catch (const SqlError& e) {
          failed.emplace(e, first + results.size());
        }
      }
      for (std::size_t k = 0; k < results.size(); ++k) {
        res_ = results[k];
        results[k] = nullptr;
        rows_ = PQntuples(res_);
        row_ = rows_ > 0 ? 0 : -1;
        done_ = true;
        try {
          if (each) each(first + k, rows_ > 0);
        } catch (...) {
          for (PGresult* r : results)
            if (r) PQclear(r);
          throw;
        }
        clear_result();
      }
      if (failed) throw *failed;
    }
  }

  int getBindParameterCount() const override { return t_.params; }
  int getColumnCount() const override {
    if (!res_) const_cast<PostgresStatement*>(this)->describe();
    return res_ ? PQnfields(res_) : described_columns_;
  }
  const char* getColumnName(int i) const override {
    if (res_) return PQfname(res_, i);
    const_cast<PostgresStatement*>(this)->describe();
    return i >= 0 && i < static_cast<int>(described_names_.size()) ? described_names_[i].c_str() : "";
  }

 private:
  struct Param {
    Oid type = 0;
    std::string owned;
    const char* data = nullptr;  // borrowed bytes (bindNoCopy), else owned
    std::size_t size = 0;
    bool binary = false, present = false;
  };

  Param& param(int i) {
    if (i < 1 || i > static_cast<int>(params_.size()))
      throw SqlError(SqlCode::invalid, fmt::format("parameter index {} is out of range (1..{})", i, params_.size()));
    return params_[static_cast<std::size_t>(i - 1)];
  }
  void text(int i, const char* v, std::size_t n, bool copy) {
    Param& p = param(i);
    p = Param{};
    if (copy) p.owned.assign(v, n);
    else p.data = v, p.size = n;
    p.present = true;
  }

  void clear_result() noexcept {
    if (res_) PQclear(res_);
    res_ = nullptr;
    row_ = -1;
    rows_ = 0;
    done_ = false;
  }

  bool fits_prepared() const noexcept {
    if (name_.empty() || prepared_generation_ != s_->generation) return false;
    for (std::size_t k = 0; k < params_.size(); ++k)
      if (t_.used[k] && params_[k].present && params_[k].type != types_[k]) return false;
    return true;
  }

  // Prepares (again) when the bound types differ from those it was prepared with or the
  // connection was re-established since. NULL fits any type.
  void prepare_for_bindings() {
    s_->reconnect_if_lost();
    if (fits_prepared()) return;
    std::vector<Oid> types(params_.size());
    for (std::size_t k = 0; k < params_.size(); ++k)
      types[k] = !t_.used[k] ? kText : params_[k].present ? params_[k].type : 0;
    std::string name = fmt::format("crmkit_{}", ++s_->next_name);
    PGresult* r = PQprepare(s_->conn, name.c_str(), t_.sql.c_str(), static_cast<int>(types.size()), types.data());
    if (!r || PQresultStatus(r) != PGRES_COMMAND_OK) s_->fail(r, t_.sql);
    PQclear(r);
    name_ = std::move(name);
    types_ = std::move(types);
    prepared_generation_ = s_->generation;
  }

  // The bound parameters as libpq takes them (valid while the bindings are unchanged).
  struct Arrays {
    std::vector<const char*> values;
    std::vector<int> lengths, formats;
  };
  Arrays arrays() const {
    const std::size_t n = params_.size();
    Arrays a{std::vector<const char*>(n), std::vector<int>(n), std::vector<int>(n)};
    for (std::size_t k = 0; k < n; ++k) {
      const Param& p = params_[k];
      if (!p.present) continue;  // NULL
      a.values[k] = p.data ? p.data : p.owned.data();
      a.lengths[k] = static_cast<int>(p.data ? p.size : p.owned.size());
      a.formats[k] = p.binary ? 1 : 0;
    }
    return a;
  }

  void run() {
    prepare_for_bindings();
    const Arrays a = arrays();
    PGresult* r = PQexecPrepared(s_->conn, name_.c_str(), static_cast<int>(params_.size()), a.values.data(),
                                 a.lengths.data(), a.formats.data(), 0);
    const auto st = r ? PQresultStatus(r) : PGRES_FATAL_ERROR;
    if (st != PGRES_TUPLES_OK && st != PGRES_COMMAND_OK) s_->fail(r, t_.sql);
    s_->note_status();
    res_ = r;
    rows_ = PQntuples(r);
    row_ = -1;
  }

  // Column names before the first step (the CSV export's header).
  void describe() {
    if (!described_names_.empty() || described_columns_ > 0) return;
    prepare_for_bindings();
    PGresult* r = PQdescribePrepared(s_->conn, name_.c_str());
    if (!r || PQresultStatus(r) != PGRES_COMMAND_OK) s_->fail(r);
    described_columns_ = PQnfields(r);
    for (int k = 0; k < described_columns_; ++k) described_names_.emplace_back(PQfname(r, k));
    PQclear(r);
  }

  void need_row(int i) const {
    if (!res_ || row_ < 0 || row_ >= rows_) throw SqlError(SqlCode::misuse, "a column read without a current row");
    if (i < 0 || i >= PQnfields(res_))
      throw SqlError(SqlCode::invalid, fmt::format("column index {} is out of range", i));
  }

  ColumnType columnType(int i) const override {
    need_row(i);
    if (PQgetisnull(res_, row_, i)) return ColumnType::null;
    switch (PQftype(res_, i)) {
      case kBool:
      case kInt2:
      case kInt4:
      case kInt8:
      case kOid: return ColumnType::integer;
      case kFloat4:
      case kFloat8: return ColumnType::real;
      case kNumeric: {
        // sum() and avg() of integers are numeric: an integral value reads as an integer, as
        // SQLite's sum() of integers is one.
        const char* v = PQgetvalue(res_, row_, i);
        return std::strpbrk(v, ".eEN") ? ColumnType::real : ColumnType::integer;
      }
      case kBytea: return ColumnType::blob;
      default: return ColumnType::text;
    }
  }
  std::int64_t columnInt64(int i) const override {
    need_row(i);
    if (PQgetisnull(res_, row_, i)) return 0;
    const char* v = PQgetvalue(res_, row_, i);
    const Oid type = PQftype(res_, i);
    if (type == kBool) return v[0] == 't' ? 1 : 0;
    std::int64_t out = 0;
    const char* end = v + std::strlen(v);
    auto [p, ec] = std::from_chars(v, end, out);
    if (ec == std::errc() && p == end) return out;
    return static_cast<std::int64_t>(std::strtod(v, nullptr));  // a real or numeric read as an integer
  }
  double columnDouble(int i) const override {
    need_row(i);
    if (PQgetisnull(res_, row_, i)) return 0.0;
    const char* v = PQgetvalue(res_, row_, i);
    if (PQftype(res_, i) == kBool) return v[0] == 't' ? 1.0 : 0.0;
    return std::strtod(v, nullptr);
  }
  const char* columnText(int i, int* bytes) const override {
    need_row(i);
    if (PQgetisnull(res_, row_, i)) {
      *bytes = 0;
      return nullptr;
    }
    *bytes = PQgetlength(res_, row_, i);
    return PQgetvalue(res_, row_, i);
  }
  const void* columnBlob(int i, int* bytes) const override {
    // bytea arrives as text in hex form (a backslash, x, then hex digits): decoded here into
    // the bytes SQLite would give, kept per column until the next read of that column.
    int length = 0;
    const char* text = columnText(i, &length);
    std::string& out = blobs_[i];
    out.clear();
    auto digit = [](char c) { return c <= '9' ? c - '0' : (c | 0x20) - 'a' + 10; };
    if (text && length >= 2 && text[0] == '\\' && text[1] == 'x')
      for (int k = 2; k + 1 < length; k += 2) out.push_back(static_cast<char>(digit(text[k]) * 16 + digit(text[k + 1])));
    *bytes = static_cast<int>(out.size());
    return out.data();
  }

  std::shared_ptr<PostgresSession> s_;
  Translated t_;
  std::vector<Param> params_;
  std::vector<Oid> types_;
  std::string name_;
  std::uint64_t prepared_generation_ = 0;
  PGresult* res_ = nullptr;
  int row_ = -1, rows_ = 0;
  bool done_ = false;
  int described_columns_ = 0;
  std::vector<std::string> described_names_;
  mutable std::map<int, std::string> blobs_;
};

struct PostgresDialect final : Dialect {
  // SQLite's '$.a.b' path as a PostgreSQL text[] path ('{a,b}'): the path literal is crmkit's
  // own (segments compile it from checked attribute names).
  static std::string path_array(const std::string& literal) {
    std::string p = literal;
    if (p.size() >= 2 && p.front() == '\'' && p.back() == '\'') p = p.substr(1, p.size() - 2);
    if (p.rfind("$.", 0) == 0) p = p.substr(2);
    else if (p == "$") p.clear();
    std::string out = "'{";
    for (char c : p) out += c == '.' ? ',' : c;
    return out + "}'";
  }
  std::string json_text(const std::string& column, const std::string& path) const override {
    return fmt::format("(({})::jsonb #>> {})", column, path_array(path));
  }
  std::string json_type(const std::string& column, const std::string& path) const override {
    const std::string at = fmt::format("(({})::jsonb #> {})", column, path_array(path));
    return fmt::format("(CASE jsonb_typeof({0}) WHEN 'number' THEN (CASE WHEN ({0} #>> '{{}}') ~ '^-?[0-9]+$' "
                       "THEN 'integer' ELSE 'real' END) WHEN 'string' THEN 'text' WHEN 'boolean' THEN "
                       "({0})::text ELSE jsonb_typeof({0}) END)",
                       at);
  }
  std::string month_index(const std::string& instant_ms) const override {
    // The UTC day by floored bigint division, then the calendar of a date: no numeric division
    // and no time-zone conversion, which cost 3x on NPS by month. Equal to
    // EXTRACT(... to_timestamp(floor(ms / 1000.0)) AT TIME ZONE 'UTC') on 300,000 instants
    // over crmkit's whole range (years 1 to 9999), month ends included.
    const std::string day = fmt::format(
        "(date '1970-01-01' + CAST((({0}) - ((({0}) % 86400000) + 86400000) % 86400000) / 86400000 AS INTEGER))",
        instant_ms);
    return fmt::format("CAST(date_part('year', {0}) * 12 + date_part('month', {0}) - 1 AS BIGINT)", day);
  }
  std::string json_array_of(const std::string& column, const std::string& from_where) const override {
    // string_agg of each value's JSON form: json_agg would put a space after each comma.
    return fmt::format("(SELECT coalesce('[' || string_agg(to_json(v)::text, ',' ORDER BY v) || ']', '[]') "
                       "FROM (SELECT {} AS v {}) AS a)",
                       column, from_where);
  }
  std::string temp_ids_table(const std::string& name) const override {
    return fmt::format("CREATE TEMP TABLE IF NOT EXISTS {}(id BIGINT PRIMARY KEY)", name);
  }
};

}  // namespace

std::string quote_identifier(const std::string& name) {
  std::string out = "\"";
  for (char c : name) {
    if (c == '"') out += '"';
    out += c;
  }
  return out + "\"";
}

PostgresDatabase::PostgresDatabase(const std::string& uri, const std::string& tenant, int busy_timeout_ms,
                                   bool read_only)
    : session_(std::make_shared<PostgresSession>()) {
  session_->uri = uri;
  session_->tenant = tenant;
  session_->busy_timeout_ms = busy_timeout_ms;
  session_->read_only = read_only;
  // The lock's key: 'CRMK' and a hash of the tenant (another tenant sharing the hash only
  // takes turns with this one).
  const auto h = static_cast<std::uint32_t>(std::hash<std::string>{}(tenant));
  // A busy timeout of 0 means "never wait", as on SQLite, where PostgreSQL's lock_timeout = 0
  // would mean "wait for ever": the lock is then only tried.
  session_->lock_sql = fmt::format("BEGIN; SELECT pg_{}advisory_xact_lock({}, {})", busy_timeout_ms > 0 ? "" : "try_",
                                   0x43524D4B, static_cast<std::int32_t>(h));
  session_->connect();
}

PostgresDatabase::~PostgresDatabase() { session_->closing = true; }

const Dialect& PostgresDatabase::dialect() const noexcept {
  static const PostgresDialect d;
  return d;
}

std::unique_ptr<Statement> PostgresDatabase::statement(const std::string& sql) {
  return std::make_unique<PostgresStatement>(session_, sql);
}

void PostgresDatabase::exec(const std::string& sql) { session_->run(sql); }

std::int64_t PostgresDatabase::data_version() {
  const Value v = execAndGet("SELECT pg_current_snapshot()::text");
  return static_cast<std::int64_t>(std::hash<std::string>{}(v.getString()));
}

bool PostgresDatabase::in_transaction() const noexcept { return session_->in_transaction(); }

void PostgresDatabase::begin_write() {
  try {
    if (session_->busy_timeout_ms > 0) {
      session_->run(session_->lock_sql);  // waits at most lock_timeout, then fails with busy
      return;
    }
    if (!session_->run_true(session_->lock_sql))
      throw SqlError(SqlCode::busy, "another session is writing to this tenant (the busy timeout is 0 ms)");
  } catch (...) {
    rollback_all();  // BEGIN ran; the lock wait did not end in the lock
    throw;
  }
}

bool PostgresDatabase::rollback_all() noexcept {
  session_->transaction_lost = false;  // the server rolled it back with the connection
  if (!session_->in_transaction()) return true;
  if (PGresult* r = PQexec(session_->conn, "ROLLBACK")) PQclear(r);
  return !session_->in_transaction();
}

bool PostgresDatabase::rollback_savepoint() noexcept {
  if (session_->lost()) return false;
  PGresult* r = PQexec(session_->conn, "ROLLBACK TO crmkit_write; RELEASE crmkit_write");
  const bool ok = r && PQresultStatus(r) == PGRES_COMMAND_OK;
  if (r) PQclear(r);
  return ok;
}

const std::string& PostgresDatabase::tenant() const noexcept { return session_->tenant; }
std::uint64_t PostgresDatabase::generation() const noexcept { return session_->generation; }

}  // namespace crmkit::detail
