// crmkit_db_begin/commit/rollback hold the C++ Transaction, so its recovery steps apply to C
// hosts too. Needs the handle's internals (a failed rollback cannot be provoked through crmkit.h).
#include <catch2/catch.hpp>

#include <string>

#include "capi/test_db.hpp"
#include "handle.hpp"
#include "store/connection.hpp"

namespace {
std::string default_currency(crmkit_db* db) { return db->session->store.default_currency(); }
}  // namespace

TEST_CASE("crmkit_db_begin rolls back a transaction a failed rollback left open", "[capi][store]") {
  crmkit_db* db = nullptr;
  REQUIRE(open_test_db(&db) == CRMKIT_OK);
  REQUIRE(crmkit_db_set_default_currency(db, "EUR") == CRMKIT_OK);
  // What an out-of-memory ROLLBACK leaves: a transaction open that nobody owns, with a change.
  auto& c = crmkit::detail::connection_of(db->session->store);
  c.db.exec("BEGIN");
  c.db.exec("INSERT INTO store_settings(key, value) VALUES ('default_currency', 'JPY') "
            "ON CONFLICT(key) DO UPDATE SET value = excluded.value");
  REQUIRE(default_currency(db) == "JPY");

  // The stale change is discarded, not silently joined and committed with the host's work.
  REQUIRE(crmkit_db_begin(db) == CRMKIT_OK);
  CHECK(default_currency(db) == "EUR");
  CHECK(crmkit_db_set_default_currency(db, "USD") == CRMKIT_OK);
  CHECK(crmkit_db_commit(db) == CRMKIT_OK);
  CHECK(default_currency(db) == "USD");
  CHECK_FALSE(c.in_transaction());
  crmkit_db_close(db);
}

TEST_CASE("closing a handle rolls back its open crmkit_db_begin transaction", "[capi][store]") {
  crmkit_db* db = nullptr;
  REQUIRE(open_test_db(&db) == CRMKIT_OK);
  crmkit::Store store = db->session->store;  // outlives the handle
  REQUIRE(crmkit_db_begin(db) == CRMKIT_OK);
  REQUIRE(crmkit_db_set_default_currency(db, "EUR") == CRMKIT_OK);
  crmkit_db_close(db);
  CHECK_FALSE(store.in_transaction());
  CHECK(store.default_currency() == "USD");
}
