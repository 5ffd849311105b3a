// The guard's template body (included by handle.hpp).
#pragma once

#include <SQLiteCpp/Exception.h>

#include <new>

namespace crmkit::capi {

int map_sqlite_code(int code) noexcept;

template <class F>
int call(Session* session, F&& body) noexcept {
  // Declared outside the try block so that the handlers below, which record the message on
  // the session, still hold the handle's mutex (another thread may be writing it).
  std::unique_lock<std::mutex> lock;
  try {
    if (session) lock = std::unique_lock<std::mutex>(session->mutex);
    int rc = body();
    if (rc >= 0) clear_error(session);
    return rc;
  } catch (const Error& e) {
    return fail(session, status_of(e.code()), e.what());
  } catch (const SQLite::Exception& e) {
    return fail(session, map_sqlite_code(e.getErrorCode()), e.what());
  } catch (const std::bad_alloc&) {
    return fail(session, CRMKIT_ENOMEM, "out of memory");
  } catch (const std::exception& e) {
    return fail(session, CRMKIT_EINTERNAL, std::string("internal error: ") + e.what());
  } catch (...) {
    return fail(session, CRMKIT_EINTERNAL, "internal error: unknown exception");
  }
}

}  // namespace crmkit::capi
