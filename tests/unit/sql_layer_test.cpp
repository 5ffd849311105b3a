// The SQL layer's Statement::run_each on the test backend: on PostgreSQL it pipelines, so the
// order of results, chunks past the pipeline's depth, a failure in the middle and a change of
// parameter types must all come out as running the sets one by one would.
#include <catch2/catch.hpp>

#include <cstdint>
#include <string>
#include <vector>

#include "sql_store.hpp"
#include "store/connection.hpp"

using crmkit::detail::SqlRunError;
using crmkit::detail::WriteScope;

TEST_CASE("run_each gives every execution's first row, in order, past the pipeline depth", "[sql]") {
  SqlSeededStore s;
  auto st = s.db().statement("SELECT CAST(? AS BIGINT) * 3 WHERE CAST(? AS BIGINT) % 7 <> 0");
  const std::size_t n = 1000;  // several chunks of the PostgreSQL pipeline
  std::vector<std::int64_t> seen;
  std::vector<std::size_t> empty;
  st->run_each(
      n,
      [&](std::size_t i) {
        st->bind(1, static_cast<std::int64_t>(i));
        st->bind(2, static_cast<std::int64_t>(i));
      },
      [&](std::size_t i, bool has_row) {
        if (has_row) seen.push_back(st->getColumn(0).getInt64());
        else empty.push_back(i);
      });
  REQUIRE(empty.size() == 143);  // 0, 7, ..., 994
  for (std::size_t k = 0; k < empty.size(); ++k) CHECK(empty[k] == 7 * k);
  REQUIRE(seen.size() == n - 143);
  std::size_t k = 0;
  for (std::int64_t i = 0; i < static_cast<std::int64_t>(n); ++i)
    if (i % 7 != 0) CHECK(seen[k++] == 3 * i);
}

TEST_CASE("run_each stops at the first failed execution and names it", "[sql]") {
  SqlSeededStore s;
  auto& conn = crmkit::detail::connection_of(s.store);
  auto st = s.db().statement("INSERT INTO customers(external_id, created_at, updated_at) VALUES (?, 0, 0)");
  std::vector<std::size_t> done;
  {
    WriteScope scope(conn);
    try {
      st->run_each(
          600,
          [&](std::size_t i) { st->bind(1, i == 400 ? std::string("c-0") : "c-" + std::to_string(i)); },
          [&](std::size_t i, bool) { done.push_back(i); });
      FAIL("a repeated external_id was inserted");
    } catch (const SqlRunError& e) {
      CHECK(e.index() == 400);
      CHECK(e.code() == crmkit::detail::SqlCode::constraint);
    }
  }  // not committed: rolled back
  REQUIRE(done.size() == 400);
  for (std::size_t i = 0; i < done.size(); ++i) CHECK(done[i] == i);
  CHECK(s.db().execAndGet("SELECT count(*) FROM customers").getInt64() == 0);
  // The connection is usable afterwards, in and out of a transaction.
  {
    WriteScope scope(conn);
    st->run_each(3, [&](std::size_t i) { st->bind(1, "d-" + std::to_string(i)); });  // no callback: writes only
    scope.commit();
  }
  CHECK(s.db().execAndGet("SELECT count(*) FROM customers").getInt64() == 3);
}

TEST_CASE("run_each follows a change of parameter types and NULLs between sets", "[sql]") {
  SqlSeededStore s;
  auto st = s.db().statement("SELECT coalesce(CAST(? AS TEXT), 'none')");
  std::vector<std::string> out;
  st->run_each(
      6,
      [&](std::size_t i) {
        if (i % 3 == 0) st->bind(1, static_cast<std::int64_t>(i));
        else if (i % 3 == 1) st->bind(1, "t" + std::to_string(i));
        else st->bind(1);
      },
      [&](std::size_t, bool has_row) { out.push_back(has_row ? st->getColumn(0).getString() : "?"); });
  CHECK(out == std::vector<std::string>{"0", "t1", "none", "3", "t4", "none"});
}

TEST_CASE("run_each: a throwing callback stops the run and leaves the connection usable", "[sql]") {
  SqlSeededStore s;
  auto st = s.db().statement("SELECT ?");
  std::size_t calls = 0;
  CHECK_THROWS_AS(st->run_each(
                      500, [&](std::size_t i) { st->bind(1, static_cast<std::int64_t>(i)); },
                      [&](std::size_t i, bool) {
                        ++calls;
                        if (i == 10) throw std::runtime_error("stop");
                      }),
                  std::runtime_error);
  CHECK(calls == 11);
  CHECK(s.db().execAndGet("SELECT 41 + 1").getInt64() == 42);
}
