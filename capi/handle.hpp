// The C layer's handles and its one exception guard. Every C function body runs in
// crmkit::capi::call(); nothing it throws crosses the C boundary.
#pragma once

#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "crmkit.h"
#include "crmkit/error.hpp"
#include "crmkit/store.hpp"
#include "store/connection.hpp"

namespace crmkit::capi {

// What a crmkit_db owns. Iterators and results hold a shared_ptr to it, so closing the
// crmkit_db handle never pulls the connection out from under them.
struct Session {
  explicit Session(Store s) : store(std::move(s)) {}
  std::mutex mutex;  // serialises every call that uses this store
  Store store;
  // The crmkit_db_begin transaction, if open: the C++ one, so that its recovery steps (a stale
  // transaction discarded before BEGIN, a rollback that works without memory) apply here too.
  std::unique_ptr<Transaction> transaction;
  std::vector<std::unique_ptr<Savepoint>> savepoints;  // open in `transaction`, innermost last
  std::string error;  // the last failure on this handle
};

// Records a failure for this thread (and the handle, if any) and returns its status.
int fail(Session* session, int status, const std::string& message);
int status_of(Errc code) noexcept;
const char* last_error_message() noexcept;
void clear_error(Session* session);

// Throws Error(invalid_argument) naming `name` when p is NULL.
template <class T>
T* need(T* p, const char* name) {
  if (!p) throw Error(Errc::invalid_argument, std::string(name) + " is NULL");
  return p;
}

// Checks a C string argument: not NULL, valid UTF-8, within the limit. Returns it as a string.
std::string text_arg(const char* s, const char* name, std::size_t max_bytes = 1'000);
// As text_arg, but NULL is "not given".
std::optional<std::string> optional_text(const char* s, const char* name, std::size_t max_bytes = 1'000);

// Runs body() under the exception guard. With a session, holds its mutex and records the
// error on it too. body returns an int status (usually CRMKIT_OK).
template <class F>
int call(Session* session, F&& body) noexcept;

// Copies s into malloc'ed memory for an owned char** result.
char* owned_string(const std::string& s);

}  // namespace crmkit::capi

struct crmkit_db {
  std::shared_ptr<crmkit::capi::Session> session;
};

namespace crmkit::capi {
inline Session* session_of(crmkit_db* db) { return db ? db->session.get() : nullptr; }
}  // namespace crmkit::capi

// Every function taking a crmkit_db starts with this: a NULL handle is refused before the guard.
#define CRMKIT_NEED_DB(db) \
  if (!(db)) return ::crmkit::capi::fail(nullptr, CRMKIT_EINVALID, "db is NULL")

namespace crmkit::capi {
// The shape of every query that returns owned JSON: `out` is NULL after any failure (a NULL db
// included), `out_name` names it when it is NULL, and make() runs under the guard and returns
// the text handed over.
template <class Make>
int json_out(char** out, crmkit_db* db, const char* out_name, Make&& make) noexcept {
  if (out) *out = nullptr;
  CRMKIT_NEED_DB(db);
  return call(db->session.get(), [&] {
    need(out, out_name);
    *out = owned_string(make());
    return CRMKIT_OK;
  });
}

// The shape of every handle the host fills in before a call (records, filters, batches,
// crmkit_*_options): new gives one holding the defaults, and a setter runs set(handle) under
// the guard once the handle, called `name` in the error, is known not to be NULL. Options
// values are checked where they are used, so that one place names a bad option.
template <class Handle>
int new_handle(Handle** out) noexcept {
  return call(nullptr, [&] {
    need(out, "out");
    *out = nullptr;
    *out = new Handle();
    return CRMKIT_OK;
  });
}
template <class Handle, class Set>
int set_on(Handle* handle, const char* name, Set&& set) noexcept {
  return call(nullptr, [&] {
    set(*need(handle, name));
    return CRMKIT_OK;
  });
}
// An options handle's setter (the handle is the parameter `options`).
template <class Options, class Set>
int set_option(Options* options, Set&& set) noexcept {
  return set_on(options, "options", std::forward<Set>(set));
}
}  // namespace crmkit::capi

#include "handle_inl.hpp"
