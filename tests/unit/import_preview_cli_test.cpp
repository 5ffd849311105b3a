// `crmkit import customers --preview` end to end: per row what the import would do, the totals,
// --json for scripts, and the store untouched; the import that follows agrees with it.
#include <catch2/catch.hpp>

#include <string>

#include "cli_run.hpp"
#include "crmkit/customer.hpp"
#include "temp_dir.hpp"

using namespace crmkit;

TEST_CASE("crmkit import customers --preview reports each row and writes nothing", "[import_preview][cli]") {
  TempDir dir;
  const std::string path = dir.file("shop.db");
  {
    Store s = cli_run::open_store(path);
    CustomerFields f;
    f.external_id = "c1";
    f.email = "ana@example.com";
    f.created_at = 0;
    Customers(s).create(f);
  }
  cli_run::write(dir.file("new.csv"),
                 "external_id,email,city\r\n"
                 "c1,,Oslo\r\n"                // line 2: update
                 "c9,ANA@example.com,\r\n"     // line 3: create, duplicate of customer 1
                 ",not-an-email,\r\n"          // line 4: error
                 "c9,,Bergen\r\n"              // line 5: update of line 3's customer
                 "c10,ana@example.com,\r\n");  // line 6: create, same email as line 3
  const std::string before = cli_run::store_digest(dir, "shop.db");
  const auto text = cli_run::crmkit(dir, "import customers --db shop.db new.csv --preview --as-of 2025-02-01");
  INFO(text.err);
  REQUIRE(text.status == 0);
  for (const char* says : {"line 2: update customer 1 (same external_id)",
                           "line 3: create; duplicate of customer 1 (score 10: email normalized 10)",
                           "line 4: error (invalid_argument) email 'not-an-email'",
                           "line 5: update the customer line 3 creates (same external_id)",
                           "same email or phone as line 3",
                           "5 rows: 2 to create, 2 to update, 1 errors; 2 with duplicates", "nothing written"}) {
    INFO(says);
    CHECK(text.out.find(says) != std::string::npos);
  }
  const auto js = cli_run::crmkit(dir, "import customers --db shop.db new.csv --preview --json --as-of 2025-02-01");
  REQUIRE(js.status == 0);
  const auto j = js.json();
  CHECK(j["preview"] == true);
  CHECK(j["rows"].size() == 5);
  CHECK(j["rows"][1]["candidates"][0]["b"] == 1);
  CHECK(j["rows"][1]["candidates"][0]["fired"][0]["text"] == "email normalized");
  CHECK(j["rows"][2]["error_code"] == "invalid_argument");
  CHECK(j["totals"]["create"] == 2);
  CHECK(j["totals"]["update"] == 2);
  CHECK(j["totals"]["error"] == 1);
  CHECK(cli_run::store_digest(dir, "shop.db") == before);

  // The import itself does what the preview said.
  const auto run = cli_run::crmkit(dir, "import customers --db shop.db new.csv --json --as-of 2025-02-01");
  REQUIRE(run.status == 0);
  CHECK(run.json()["imported"] == 2);
  CHECK(run.json()["updated"] == 2);
  CHECK(run.json()["error_count"] == 1);
}
