// The shared half of the C API's iterators. Paged ones (customers, timelines, ledgers) fetch a
// page of rows under the database's lock, step through it without the lock, and refill it when
// used up; the others (segment stays, RFM rows) hold every row from the start (Rows).
#pragma once

#include <cstddef>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "crmkit/json_form.hpp"
#include "handle.hpp"

namespace crmkit::capi {

template <class Row>
struct Pages {
  std::shared_ptr<Session> session;  // keeps the store open after crmkit_db_close
  std::vector<Row> page;
  std::size_t pos = 0;  // index of the current row + 1 in page (0: none yet)
  bool more = true;     // another page may follow this one
  bool done = false;

  const Row* current() const { return !done && pos > 0 && pos <= page.size() ? &page[pos - 1] : nullptr; }

  // Moves to the next row: CRMKIT_OK, CRMKIT_DONE (and ever after), or a failure from `fetch`,
  // which refills `page` and `more` (and its own cursor) under the session's lock.
  template <class Fetch>
  int next(Fetch&& fetch) {
    if (!done && pos < page.size()) {
      ++pos;  // within the page no database work is needed: no lock, no guard
      clear_error(nullptr);
      return CRMKIT_OK;
    }
    return call(session.get(), [&] {
      if (done || !more) {
        done = true;
        return static_cast<int>(CRMKIT_DONE);
      }
      fetch();
      pos = page.empty() ? 0 : 1;
      done = page.empty();
      return static_cast<int>(done ? CRMKIT_DONE : CRMKIT_OK);
    });
  }
};

// Rows computed in full when the iterator is made; stepped through without the lock.
template <class Row>
struct Rows {
  std::shared_ptr<Session> session;  // keeps the store open after crmkit_db_close
  std::vector<Row> rows;
  std::size_t pos = 0;  // index of the current row + 1 (0: none yet; rows.size() + 1: done)

  const Row* current() const { return pos > 0 && pos <= rows.size() ? &rows[pos - 1] : nullptr; }
  int next() {
    clear_error(nullptr);
    if (pos < rows.size()) {
      ++pos;
      return CRMKIT_OK;
    }
    pos = rows.size() + 1;
    return CRMKIT_DONE;
  }
};

// crmkit_*_iter_next: a NULL iterator is refused; a paged one refills through `fetch` (see
// Pages::next), a Rows one steps without it.
template <class Iter, class Fetch>
int next_row(Iter* it, Fetch&& fetch) {
  if (!it) return fail(nullptr, CRMKIT_EINVALID, "it is NULL");
  return it->rows.next(std::forward<Fetch>(fetch));
}
template <class Iter>
int next_row(Iter* it) {
  if (!it) return fail(nullptr, CRMKIT_EINVALID, "it is NULL");
  return it->rows.next();
}

// crmkit_*_iter_columns: up to `capacity` steps of `step` (the iterator's next), `put(row, i)`
// writing row i into the caller's arrays. CRMKIT_DONE when no row was left.
template <class Iter, class Step, class Put>
int read_columns(int64_t* out_rows, Iter* it, int64_t capacity, Step&& step, Put&& put) {
  if (out_rows) *out_rows = 0;
  if (!it) return fail(nullptr, CRMKIT_EINVALID, "it is NULL");
  if (!out_rows) return fail(nullptr, CRMKIT_EINVALID, "out_rows is NULL");
  if (capacity < 0) return fail(nullptr, CRMKIT_EINVALID, "capacity " + std::to_string(capacity) + " is negative");
  int64_t n = 0;
  while (n < capacity) {
    const int rc = step();
    if (rc == CRMKIT_DONE) break;
    if (rc != CRMKIT_OK) return rc;
    put(*it->rows.current(), static_cast<std::size_t>(n));
    ++n;
  }
  *out_rows = n;
  clear_error(nullptr);
  return n == 0 && capacity > 0 ? CRMKIT_DONE : CRMKIT_OK;
}

// crmkit_*_iter_json: the exact JSON of the current row (a `row_name`), owned by the caller;
// misuse without a current row, naming `next_name`, the call that gives one.
template <class Iter>
int current_row_json(char** out_json, const Iter* it, const char* row_name, const char* next_name) {
  return call(nullptr, [&] {
    need(it, "it");
    need(out_json, "out_json");
    *out_json = nullptr;
    const auto* row = it->rows.current();
    if (!row)
      throw Error(Errc::misuse, std::string("the iterator has no current ") + row_name + " (call " + next_name + ")");
    *out_json = owned_string(to_json(*row, JsonForm::exact));
    return CRMKIT_OK;
  });
}

// A field of an iterator's current row, or R{} (0, NULL) without one: a NULL iterator, before
// the first next(), after CRMKIT_DONE.
template <class R, class Iter, class Get>
R current_field(const Iter* it, Get get) {
  const auto* row = it ? it->rows.current() : nullptr;
  return row ? static_cast<R>(get(*row)) : R{};
}

}  // namespace crmkit::capi
