// The one list of customer references (src/identity/customer_references.hpp) covers the store:
// a table with a customer_id column that it does not name would be skipped by merge and erasure.
#include <catch2/catch.hpp>

#include <string>

#include "identity/customer_references.hpp"
#include "store/connection.hpp"
#include "test_store.hpp"

using namespace crmkit;

TEST_CASE("every table with a customer_id column has a merge and an erasure rule", "[identity][references]") {
  Store s = test_store();
  auto& conn = detail::connection_of(s);
  const auto tables = detail::tables_with_customer_id(conn);
  CHECK(tables.size() >= 15);
  for (const auto& t : tables) {
    INFO(t);
    CHECK(detail::customer_reference(t) != nullptr);
  }
  // And the list names no table the store lacks (a renamed table would be skipped silently).
  for (const auto& r : detail::customer_references()) {
    INFO(r.table);
    CHECK(std::find(tables.begin(), tables.end(), std::string(r.table)) != tables.end());
  }
}
