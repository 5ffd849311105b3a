// The subject-access export's CSV bundle through crmkit.h only: the manifest returned is the one
// written, and a refusal leaves the directory as it was.
#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>

#include "capi/test_db.hpp"
#include "core_fixture.hpp"
#include "crmkit.h"
#include "temp_dir.hpp"

namespace {

std::string slurp(const std::filesystem::path& file) {
  std::ifstream in(file, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

}  // namespace

TEST_CASE("crmkit_subject_export_csv writes the bundle whose manifest it returns", "[capi][subject_export]") {
  MemoryDb d;
  int64_t id = 0;
  int created = 0;
  REQUIRE(crmkit_customer_upsert_json(&id, &created, d.db,
                                      "{\"external_id\":\"ana\",\"email\":\"ana@example.com\",\"city\":\"a,\\\"b\\\"\\nc\","
                                      "\"created_at\":1}") == CRMKIT_OK);
  TempDir tmp;
  const auto bundle = tmp.path / "sar";
  char* manifest = nullptr;
  REQUIRE(crmkit_subject_export_csv(&manifest, d.db, id, bundle.string().c_str()) == CRMKIT_OK);
  const std::string text = take(manifest);
  CHECK(text + "\n" == slurp(bundle / "manifest.json"));
  CHECK(text.find("\"format\":\"crmkit-subject-export-csv/1\"") != std::string::npos);
  CHECK(text.find("{\"file\":\"customers.csv\",\"rows\":1,\"table\":\"customers\"}") != std::string::npos);
  const std::string customers = slurp(bundle / "customers.csv");
  CHECK(customers.find("\"a,\"\"b\"\"\nc\"") != std::string::npos);
  CHECK(customers.find("ana@example.com") != std::string::npos);

  // Refused: the directory now holds the bundle, which stays as it is.
  char* again = reinterpret_cast<char*>(0x1);
  CHECK(crmkit_subject_export_csv(&again, d.db, id, bundle.string().c_str()) == CRMKIT_ECONFLICT);
  CHECK(again == nullptr);
  CHECK(message_has("is not empty"));
  CHECK(slurp(bundle / "manifest.json") == text + "\n");
  CHECK(crmkit_subject_export_csv(&again, d.db, id + 1, (tmp.path / "b").string().c_str()) == CRMKIT_ENOTFOUND);
  CHECK(crmkit_subject_export_csv(&again, d.db, id, nullptr) == CRMKIT_EINVALID);
  CHECK(message_has("directory is NULL"));
  CHECK(!std::filesystem::exists(tmp.path / "b"));
}
