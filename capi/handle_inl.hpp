// The guard's template body (included by handle.hpp).
#pragma once

#include <new>

#include "store/statement.hpp"

namespace crmkit::capi {

// The status of an error of the SQL layer that escaped the C++ API's guard.
int status_of_sql(detail::SqlCode code) noexcept;

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
  } catch (const detail::SqlError& e) {
    return fail(session, status_of_sql(e.code()), e.what());
  } catch (const std::bad_alloc&) {
    return fail(session, CRMKIT_ENOMEM, "out of memory");
  } catch (const std::exception& e) {
    return fail(session, CRMKIT_EINTERNAL, std::string("internal error: ") + e.what());
  } catch (...) {
    return fail(session, CRMKIT_EINTERNAL, "internal error: unknown exception");
  }
}

}  // namespace crmkit::capi
