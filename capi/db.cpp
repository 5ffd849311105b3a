// C API: library version, errors, memory, opening a database, transactions, settings, currencies.

#include <cstdlib>
#include <cstring>

#include <fmt/format.h>

#include "base/text.hpp"
#include "crmkit/money.hpp"
#include "handle.hpp"

namespace crmkit::capi {

namespace {
thread_local std::string t_last_error;
}

const char* last_error_message() noexcept { return t_last_error.c_str(); }

int status_of(Errc code) noexcept {
  switch (code) {
    case Errc::invalid_argument: return CRMKIT_EINVALID;
    case Errc::not_found: return CRMKIT_ENOTFOUND;
    case Errc::conflict: return CRMKIT_ECONFLICT;
    case Errc::constraint: return CRMKIT_ECONSTRAINT;
    case Errc::busy: return CRMKIT_EBUSY;
    case Errc::io: return CRMKIT_EIO;
    case Errc::corrupt: return CRMKIT_ECORRUPT;
    case Errc::unsupported_version: return CRMKIT_EVERSION;
    case Errc::read_only: return CRMKIT_EREADONLY;
    case Errc::no_memory: return CRMKIT_ENOMEM;
    case Errc::misuse: return CRMKIT_EMISUSE;
    case Errc::internal: return CRMKIT_EINTERNAL;
  }
  return CRMKIT_EINTERNAL;
}

int status_of_sql(detail::SqlCode code) noexcept {
  switch (code) {
    case detail::SqlCode::busy: return CRMKIT_EBUSY;
    case detail::SqlCode::constraint:
    case detail::SqlCode::foreign_key:
    case detail::SqlCode::datatype: return CRMKIT_ECONSTRAINT;
    case detail::SqlCode::no_memory: return CRMKIT_ENOMEM;
    case detail::SqlCode::corrupt: return CRMKIT_ECORRUPT;
    case detail::SqlCode::read_only: return CRMKIT_EREADONLY;
    case detail::SqlCode::io: return CRMKIT_EIO;
    case detail::SqlCode::invalid: return CRMKIT_EINVALID;
    case detail::SqlCode::error:
    case detail::SqlCode::misuse: break;
  }
  return CRMKIT_EINTERNAL;
}

int fail(Session* session, int status, const std::string& message) {
  try {
    t_last_error = message;
    if (session) session->error = message;
  } catch (...) {
    // Out of memory while recording the message: the status still says what happened.
  }
  return status;
}

void clear_error(Session* session) {
  t_last_error.clear();
  if (session) session->error.clear();
}

std::string text_arg(const char* s, const char* name, std::size_t max_bytes) {
  if (!s) throw Error(Errc::invalid_argument, std::string(name) + " is NULL");
  std::size_t n = strnlen(s, max_bytes + 1);
  std::string_view v(s, n);
  detail::check_text(name, v, max_bytes);
  return std::string(v);
}

std::optional<std::string> optional_text(const char* s, const char* name, std::size_t max_bytes) {
  if (!s) return std::nullopt;
  return text_arg(s, name, max_bytes);
}

char* owned_string(const std::string& s) {
  char* p = static_cast<char*>(std::malloc(s.size() + 1));
  if (!p) throw std::bad_alloc();
  std::memcpy(p, s.data(), s.size() + 1);
  return p;
}

}  // namespace crmkit::capi

using namespace crmkit;
using crmkit::capi::call;
using crmkit::capi::need;

struct crmkit_options {
  OpenOptions options;
};

namespace {

// The crmkit_db_begin transaction of this handle; misuse ("<what> without begin") when none is open.
Transaction& open_transaction(capi::Session& session, const char* what) {
  if (!session.transaction) throw Error(Errc::misuse, std::string(what) + " without begin");
  return *session.transaction;
}

// Ends the handle's innermost savepoint: kept (release) or undone. It leaves the handle's list
// even when the SQL fails, as the transaction does on rollback.
void end_savepoint(capi::Session& session, const char* what, bool keep) {
  open_transaction(session, what);
  if (session.savepoints.empty()) throw Error(Errc::misuse, std::string(what) + " without savepoint");
  auto innermost = std::move(session.savepoints.back());
  session.savepoints.pop_back();
  keep ? innermost->release() : innermost->rollback();
}

// Sets one option on a copy, checks the copy with the core's rule and only then keeps it: a
// refused value leaves the options as they were.
template <class Set>
int set_open_option(crmkit_options* opts, Set&& set) noexcept {
  return capi::set_on(opts, "opts", [&](crmkit_options& o) {
    OpenOptions changed = o.options;
    set(changed);
    check_open_options(changed);
    o.options = changed;
  });
}

}  // namespace

extern "C" {

const char* crmkit_status_name(int status) {
  switch (status) {
    case CRMKIT_OK: return "CRMKIT_OK";
    case CRMKIT_DONE: return "CRMKIT_DONE";
    case CRMKIT_EINVALID: return "CRMKIT_EINVALID";
    case CRMKIT_ENOTFOUND: return "CRMKIT_ENOTFOUND";
    case CRMKIT_ECONFLICT: return "CRMKIT_ECONFLICT";
    case CRMKIT_ECONSTRAINT: return "CRMKIT_ECONSTRAINT";
    case CRMKIT_EBUSY: return "CRMKIT_EBUSY";
    case CRMKIT_EIO: return "CRMKIT_EIO";
    case CRMKIT_ECORRUPT: return "CRMKIT_ECORRUPT";
    case CRMKIT_EVERSION: return "CRMKIT_EVERSION";
    case CRMKIT_EREADONLY: return "CRMKIT_EREADONLY";
    case CRMKIT_ENOMEM: return "CRMKIT_ENOMEM";
    case CRMKIT_EMISUSE: return "CRMKIT_EMISUSE";
    case CRMKIT_EINTERNAL: return "CRMKIT_EINTERNAL";
    default: return "CRMKIT_UNKNOWN";
  }
}

int crmkit_version_number(void) { return CRMKIT_VERSION_NUMBER; }
const char* crmkit_version_string(void) { return CRMKIT_VERSION_STRING; }
const char* crmkit_last_error_message(void) { return crmkit::capi::last_error_message(); }
void crmkit_free(void* p) { std::free(p); }

int crmkit_options_new(crmkit_options** out) { return capi::new_handle(out); }

void crmkit_options_free(crmkit_options* opts) { delete opts; }

int crmkit_options_set_read_only(crmkit_options* opts, int read_only) {
  return capi::set_on(opts, "opts", [&](crmkit_options& o) { o.options.read_only = read_only != 0; });
}

int crmkit_options_set_create(crmkit_options* opts, int create) {
  return capi::set_on(opts, "opts", [&](crmkit_options& o) { o.options.create = create != 0; });
}

int crmkit_options_set_busy_timeout(crmkit_options* opts, int milliseconds) {
  return set_open_option(opts, [&](OpenOptions& o) { o.busy_timeout_ms = milliseconds; });
}

int crmkit_options_set_file_mode(crmkit_options* opts, int mode) {
  return set_open_option(opts, [&](OpenOptions& o) { o.file_mode = mode; });
}

int crmkit_options_set_cache_mib(crmkit_options* opts, int mebibytes) {
  return set_open_option(opts, [&](OpenOptions& o) { o.cache_mib = mebibytes; });
}

int crmkit_options_set_write_cache_mib(crmkit_options* opts, int mebibytes) {
  return set_open_option(opts, [&](OpenOptions& o) { o.write_cache_mib = mebibytes; });
}

int crmkit_options_set_tenant(crmkit_options* opts, const char* tenant) {
  return call(nullptr, [&] {
    need(opts, "opts");
    std::string t = capi::text_arg(tenant, "tenant", 64);
    OpenOptions changed = opts->options;
    changed.tenant = t;
    check_open_options(changed);
    opts->options = changed;
    return CRMKIT_OK;
  });
}

int crmkit_db_open(crmkit_db** out, const char* path, const crmkit_options* opts) {
  return call(nullptr, [&] {
    need(out, "out");
    *out = nullptr;
    std::string p = capi::text_arg(path, "path", 4096);
    Store store = Store::open(p, opts ? opts->options : OpenOptions{});
    auto db = std::make_unique<crmkit_db>();
    db->session = std::make_shared<capi::Session>(std::move(store));
    *out = db.release();
    return CRMKIT_OK;
  });
}

void crmkit_db_close(crmkit_db* db) {
  if (!db) return;
  try {
    // An explicit transaction still open is rolled back, as sqlite3_close would.
    std::lock_guard<std::mutex> lock(db->session->mutex);
    db->session->transaction.reset();
  } catch (...) {
  }
  delete db;
}

const char* crmkit_db_error_message(crmkit_db* db) {
  return db ? db->session->error.c_str() : "db is NULL";
}

int crmkit_db_schema_version(int* out, crmkit_db* db) {
  CRMKIT_NEED_DB(db);
  return call(capi::session_of(db), [&] {
    need(out, "out");
    *out = db->session->store.schema_version();
    return CRMKIT_OK;
  });
}

int crmkit_db_begin(crmkit_db* db) {
  CRMKIT_NEED_DB(db);
  return call(capi::session_of(db), [&] {
    auto& session = *db->session;
    if (session.transaction) throw Error(Errc::misuse, "a transaction is already open on this handle");
    session.transaction = std::make_unique<Transaction>(session.store);
    return CRMKIT_OK;
  });
}

int crmkit_db_commit(crmkit_db* db) {
  CRMKIT_NEED_DB(db);
  return call(capi::session_of(db), [&] {
    // A failed COMMIT leaves it open: the host may retry or roll back.
    open_transaction(*db->session, "commit").commit();
    db->session->savepoints.clear();  // ended with the transaction: their destructors undo nothing
    db->session->transaction.reset();
    return CRMKIT_OK;
  });
}

int crmkit_db_rollback(crmkit_db* db) {
  CRMKIT_NEED_DB(db);
  return call(capi::session_of(db), [&] {
    open_transaction(*db->session, "rollback");
    auto transaction = std::move(db->session->transaction);  // closed even if the ROLLBACK fails
    auto savepoints = std::move(db->session->savepoints);    // ended with it (undo nothing more)
    transaction->rollback();
    return CRMKIT_OK;
  });
}

int crmkit_db_savepoint(crmkit_db* db) {
  CRMKIT_NEED_DB(db);
  return call(capi::session_of(db), [&] {
    auto& session = *db->session;
    open_transaction(session, "savepoint");
    session.savepoints.push_back(std::make_unique<Savepoint>(session.store));
    return CRMKIT_OK;
  });
}

int crmkit_db_release(crmkit_db* db) {
  CRMKIT_NEED_DB(db);
  return call(capi::session_of(db), [&] {
    end_savepoint(*db->session, "release", true);
    return CRMKIT_OK;
  });
}

int crmkit_db_rollback_to(crmkit_db* db) {
  CRMKIT_NEED_DB(db);
  return call(capi::session_of(db), [&] {
    end_savepoint(*db->session, "rollback_to", false);
    return CRMKIT_OK;
  });
}

int crmkit_db_set_default_region(crmkit_db* db, const char* region) {
  CRMKIT_NEED_DB(db);
  return call(capi::session_of(db), [&] {
    db->session->store.set_default_region(capi::text_arg(region, "region", 16));
    return CRMKIT_OK;
  });
}

int crmkit_db_default_region(char** out, crmkit_db* db) {
  return capi::json_out(out, db, "out", [&] { return db->session->store.default_region(); });
}

int crmkit_db_set_default_currency(crmkit_db* db, const char* currency) {
  CRMKIT_NEED_DB(db);
  return call(capi::session_of(db), [&] {
    db->session->store.set_default_currency(capi::text_arg(currency, "currency", 16));
    return CRMKIT_OK;
  });
}

int crmkit_currency_minor_units(int* out, const char* code) {
  return call(nullptr, [&] {
    need(out, "out");
    *out = 0;
    const std::string c = capi::text_arg(code, "code", 16);
    if (!is_currency_code(c))
      throw Error(Errc::invalid_argument,
                  fmt::format("currency '{}' is not an ISO 4217 code", detail::printable(c)));
    *out = currency_exponent(c);
    return CRMKIT_OK;
  });
}

}  // extern "C"
