// The customer import preview through crmkit.h only: records as JSON in, rows and totals out,
// nothing written.
#include <catch2/catch.hpp>

#include <string>

#include "capi/test_db.hpp"
#include "core_fixture.hpp"
#include "crmkit.h"

TEST_CASE("crmkit_customer_import_preview_json judges each record and writes nothing", "[capi][import_preview]") {
  MemoryDb d;
  int64_t id = 0;
  int created = 0;
  REQUIRE(crmkit_customer_upsert_json(&id, &created, d.db,
                                      "{\"external_id\":\"c1\",\"email\":\"ana@example.com\",\"created_at\":1}") ==
          CRMKIT_OK);
  char* out = nullptr;
  REQUIRE(crmkit_customer_import_preview_json(
              &out, d.db,
              "[{\"external_id\":\"c1\",\"city\":\"Oslo\",\"created_at\":2},"
              "{\"external_id\":\"c2\",\"email\":\"Ana@Example.com\",\"created_at\":2},"
              "{\"no_such_field\":1},"
              "{\"email\":\"x@example.com\"}]") == CRMKIT_OK);
  const std::string text = take(out);
  CHECK(text.find("\"totals\":{\"create\":1,\"error\":2,\"rows\":4,\"update\":1,\"with_duplicates\":1,"
                  "\"with_same_contact\":0,\"with_suspects\":0}") != std::string::npos);
  CHECK(text.find("\"action\":\"update\",\"candidates\":[],\"customer_id\":" + std::to_string(id)) !=
        std::string::npos);
  CHECK(text.find("\"text\":\"email normalized\"") != std::string::npos);
  CHECK(text.find("no_such_field") != std::string::npos);  // the malformed record's error names it
  CHECK(text.find("created_at is required") != std::string::npos);
  int64_t n = 0;
  REQUIRE(crmkit_customer_count(&n, d.db, nullptr) == CRMKIT_OK);
  CHECK(n == 1);

  char* bad = reinterpret_cast<char*>(0x1);
  CHECK(crmkit_customer_import_preview_json(&bad, d.db, "{\"external_id\":\"c1\"}") == CRMKIT_EINVALID);
  CHECK(bad == nullptr);
  CHECK(message_has("not a JSON array"));
  CHECK(crmkit_customer_import_preview_json(&bad, d.db, nullptr) == CRMKIT_EINVALID);
}
