// `crmkit export subject` end to end: the JSON document and the CSV bundle, on a store made with
// the C++ API.
#include <catch2/catch.hpp>

#include <filesystem>
#include <string>

#include "cli_run.hpp"
#include "crmkit/customer.hpp"
#include "temp_dir.hpp"

using namespace crmkit;

TEST_CASE("crmkit export subject --csv writes the bundle and refuses a directory in use", "[subject_export][cli]") {
  TempDir dir;
  const std::string path = dir.file("shop.db");
  {
    Store s = cli_run::open_store(path);
    CustomerFields f;
    f.external_id = "ana";
    f.email = "ana@example.com";
    f.city = "Oslo, \"Old\" town";
    f.created_at = 0;
    Customers(s).create(f);
  }
  const auto run = cli_run::crmkit(dir, "export subject --db shop.db --customer 1 --csv sar");
  INFO(run.err);
  REQUIRE(run.status == 0);
  CHECK(run.err.find("customer 1's data written to sar") != std::string::npos);
  const auto manifest = nlohmann::json::parse(cli_run::slurp(dir.file("sar/manifest.json")));
  CHECK(manifest["customer_id"] == 1);
  const std::string customers = cli_run::slurp(dir.file("sar/customers.csv"));
  CHECK(customers.find("\"Oslo, \"\"Old\"\" town\"") != std::string::npos);
  CHECK(customers.find("ana@example.com") != std::string::npos);
  // The JSON document lists the same tables.
  const auto doc = cli_run::crmkit(dir, "export subject --db shop.db --customer 1");
  REQUIRE(doc.status == 0);
  CHECK(doc.json()["tables"].size() == manifest["files"].size());

  const std::string before = cli_run::slurp(dir.file("sar/manifest.json"));
  const auto again = cli_run::crmkit(dir, "export subject --db shop.db --customer 1 --csv sar");
  CHECK(again.status == 1);
  CHECK(again.err.find("conflict") != std::string::npos);
  CHECK(again.err.find("is not empty") != std::string::npos);
  CHECK(cli_run::slurp(dir.file("sar/manifest.json")) == before);
  const auto both = cli_run::crmkit(dir, "export subject --db shop.db --customer 1 --csv x --out y");
  CHECK(both.status != 0);
  CHECK(!std::filesystem::exists(dir.file("x")));
  const auto other = cli_run::crmkit(dir, "export customers --db shop.db --csv x");
  CHECK(other.status == 1);
  CHECK(other.err.find("--csv is for export subject") != std::string::npos);
}
