// The merge functions of the C API as a host calls them: plan, merge, list, undo, each result
// as owned JSON, and a conflict on undo named in the last error message.
#include <catch2/catch.hpp>

#include <string>

#include <nlohmann/json.hpp>

#include "capi/test_db.hpp"
#include "crmkit.h"

namespace {

constexpr int64_t kAt = 1'700'000'000'000;

int64_t customer(crmkit_db* db, const char* email, const char* city) {
  crmkit_customer* c = nullptr;
  REQUIRE(crmkit_customer_new(&c) == CRMKIT_OK);
  REQUIRE(crmkit_customer_set_text(c, "email", email) == CRMKIT_OK);
  REQUIRE(crmkit_customer_set_text(c, "city", city) == CRMKIT_OK);
  REQUIRE(crmkit_customer_set_created_at(c, kAt) == CRMKIT_OK);
  int64_t id = 0;
  REQUIRE(crmkit_customer_create(&id, db, c) == CRMKIT_OK);
  crmkit_customer_free(c);
  return id;
}

nlohmann::json take(char* s) {
  REQUIRE(s != nullptr);
  auto j = nlohmann::json::parse(s);
  crmkit_free(s);
  return j;
}

}  // namespace

TEST_CASE("the C API plans, merges, lists and undoes a merge", "[capi][merge]") {
  crmkit_db* db = nullptr;
  REQUIRE(open_test_db(&db) == CRMKIT_OK);
  const int64_t a = customer(db, "ana@example.com", "Lisbon");
  const int64_t b = customer(db, "ana.b@example.org", "Porto");
  const std::string request = "{\"survivor\": " + std::to_string(a) + ", \"absorbed\": [" + std::to_string(b) +
                              "], \"field_choices\": {\"city\": " + std::to_string(b) + "}}";
  char* out = nullptr;
  REQUIRE(crmkit_merge_plan_json(&out, db, request.c_str(), kAt + 1) == CRMKIT_OK);
  const auto plan = take(out);
  CHECK(plan["survivor"] == a);
  CHECK(plan["fields"][0]["field"] == "city");
  CHECK(plan["fields"][0]["new"] == "Porto");
  REQUIRE(crmkit_customer_get_json(&out, db, b) == CRMKIT_OK);  // the dry run left b alone
  crmkit_free(out);

  REQUIRE(crmkit_merge_json(&out, db, request.c_str(), kAt + 1) == CRMKIT_OK);
  const auto record = take(out);
  CHECK(record["plan"] == plan);
  CHECK(crmkit_customer_get_json(&out, db, b) == CRMKIT_ENOTFOUND);
  REQUIRE(crmkit_customer_get_json(&out, db, a) == CRMKIT_OK);
  CHECK(take(out)["city"] == "Porto");
  REQUIRE(crmkit_merge_list_json(&out, db, a) == CRMKIT_OK);
  CHECK(take(out).size() == 1);

  // The survivor changed since: undo names the field, and force puts it back.
  crmkit_customer* c = nullptr;
  REQUIRE(crmkit_customer_new(&c) == CRMKIT_OK);
  REQUIRE(crmkit_customer_set_text(c, "display_name", "Ana") == CRMKIT_OK);
  REQUIRE(crmkit_customer_update(db, a, c, kAt + 2) == CRMKIT_OK);
  crmkit_customer_free(c);
  const int64_t id = record["id"];
  CHECK(crmkit_merge_undo_json(&out, db, id, kAt + 3, 0) == CRMKIT_ECONFLICT);
  CHECK(out == nullptr);
  CHECK(std::string(crmkit_last_error_message()).find("display_name") != std::string::npos);
  REQUIRE(crmkit_merge_undo_json(&out, db, id, kAt + 3, 1) == CRMKIT_OK);
  CHECK(take(out)["undone_at"] == kAt + 3);
  REQUIRE(crmkit_customer_get_json(&out, db, b) == CRMKIT_OK);
  CHECK(take(out)["email"] == "ana.b@example.org");
  REQUIRE(crmkit_customer_get_json(&out, db, a) == CRMKIT_OK);
  const auto back = take(out);
  CHECK(back["city"] == "Lisbon");
  CHECK(back["display_name"] == nullptr);
  crmkit_db_close(db);
}
