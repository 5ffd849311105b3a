// The segmentation C API through crmkit.h only, on customers and interactions recorded through
// the C API (so the per-customer figures are the library's own).
#include <catch2/catch.hpp>

#include <string>

#include "capi/test_db.hpp"
#include "crmkit.h"

namespace {

const int64_t FEB29 = 1709164800000;  // 2024-02-29 00:00 UTC
const int64_t AUG31 = 1725062400000;  // 2024-08-31 00:00 UTC: the date 2024-08-30 as an instant

struct Db {
  crmkit_db* db = nullptr;
  Db() {
    REQUIRE(open_test_db(&db) == CRMKIT_OK);
    const char* people[] = {
        R"({"external_id":"c1","gender":"F","birth_date":"1990-06-16","created_at":0})",
        R"({"external_id":"c2","gender":"F","birth_date":"1990-06-15","created_at":0})",
        R"({"external_id":"c3","gender":"M","created_at":0})"};
    for (const char* p : people) {
      int64_t id = 0;
      REQUIRE(crmkit_customer_upsert_json(&id, nullptr, db, p) == CRMKIT_OK);
    }
    int64_t iid = 0;
    REQUIRE(crmkit_interaction_record_json(&iid, db,
                                           (R"({"customer_id":1,"occurred_at":)" + std::to_string(FEB29) +
                                                R"(,"kind":"purchase","channel":"web","amount":{"minor":1250,"currency":"USD"}})").c_str()) == CRMKIT_OK);
    REQUIRE(crmkit_interaction_record_json(&iid, db,
                                           (R"({"customer_id":2,"occurred_at":)" + std::to_string(FEB29 - 1) +
                                                R"(,"kind":"purchase","channel":"store","amount":{"minor":999,"currency":"USD"}})").c_str()) == CRMKIT_OK);
  }
  ~Db() { crmkit_db_close(db); }
  int64_t count(const char* rule, int64_t as_of, int strict = 0) {
    int64_t n = -1;
    int rc = crmkit_segment_count(&n, db, rule, as_of, strict);
    return rc == CRMKIT_OK ? n : rc;
  }
};

std::string take(char* s) {
  std::string out = s ? s : "";
  crmkit_free(s);
  return out;
}

}  // namespace

TEST_CASE("segment count, explain and the text form through the C API", "[capi][segments]") {
  Db d;
  CHECK(d.count(R"({"agg":"count","where":{"kind":"purchase"},"window":{"last":6,"unit":"month"},"op":"gte","value":1})",
                AUG31) == 1);
  CHECK(d.count(R"({"field":"purchase_count","op":"eq","value":1})", AUG31) == 2);
  CHECK(d.count(R"({"field":"monetary_total","op":"eq","value":"12.50"})", AUG31) == 1);
  CHECK(d.count(R"({"field":"age","op":"eq","value":33})", 1718496000000) == 1);  // as of 2024-06-15
  CHECK(d.count(R"({"field":"birth_date","op":"ne","value":"1990-06-16"})", 0) == 2);
  CHECK(d.count(R"({"field":"birth_date","op":"ne","value":"1990-06-16"})", 0, 1) == 1);
  CHECK(d.count(R"({"field":"age","op":"eq","value":"x"})", 0) == CRMKIT_EINVALID);
  CHECK(std::string(crmkit_last_error_message()).rfind("rule.value: expected a number", 0) == 0);
  CHECK(d.count(R"({"segment":"nope","op":"in"})", 0) == CRMKIT_ENOTFOUND);
  CHECK(d.count("{}", 0, 2) == CRMKIT_EINVALID);
  int64_t n = 0;
  CHECK(crmkit_segment_count(nullptr, d.db, "{}", 0, 0) == CRMKIT_EINVALID);
  CHECK(crmkit_segment_count(&n, nullptr, "{}", 0, 0) == CRMKIT_EINVALID);
  CHECK(crmkit_segment_count(&n, d.db, nullptr, 0, 0) == CRMKIT_EINVALID);
  CHECK(std::string(crmkit_db_error_message(d.db)).find("rule_json") != std::string::npos);
  CHECK(crmkit_segment_count(&n, d.db, "{\"field\":\"city\",\"op\":\"eq\",\"value\":\"\xC3\x28\"}", 0, 0) == CRMKIT_EINVALID);

  char* out = nullptr;
  REQUIRE(crmkit_segment_explain_json(&out, d.db, R"({"field":"gender","op":"eq","value":"F"})", 0, 0) == CRMKIT_OK);
  CHECK(take(out) ==
        R"J({"params":["F"],"rule":{"field":"gender","op":"eq","value":"F"},"sql":"SELECT c.id FROM customers c WHERE (c.gender = ?1)"})J");
  REQUIRE(crmkit_segment_rule_from_text(&out, "gender = \"F\" and count(purchase, last 6 months) >= 3") == CRMKIT_OK);
  std::string json = take(out);
  CHECK(json == R"({"all":[{"field":"gender","op":"eq","value":"F"},{"agg":"count","op":"gte","value":3,"where":{"kind":"purchase"},"window":{"last":6,"unit":"month"}}]})");
  REQUIRE(crmkit_segment_rule_to_text(&out, json.c_str()) == CRMKIT_OK);
  CHECK(take(out) == "gender = \"F\" and count(purchase, last 6 months) >= 3");
  out = reinterpret_cast<char*>(0x1);
  CHECK(crmkit_segment_rule_from_text(&out, "gender ==") == CRMKIT_EINVALID);
  CHECK(out == nullptr);
}

TEST_CASE("saved segments, refresh and membership iterators through the C API", "[capi][segments]") {
  Db d;
  int64_t id = 0;
  REQUIRE(crmkit_segment_create(&id, d.db, "women", "dynamic", R"({"field":"gender","op":"eq","value":"F"})", 0) == CRMKIT_OK);
  CHECK(id == 1);
  CHECK(crmkit_segment_create(&id, d.db, "women", "dynamic", R"({"field":"gender","op":"eq","value":"F"})", 0) == CRMKIT_ECONFLICT);
  CHECK(crmkit_segment_create(&id, d.db, "x", "sometimes", nullptr, 0) == CRMKIT_EINVALID);
  CHECK(crmkit_segment_create(&id, d.db, "x", "dynamic", nullptr, 0) == CRMKIT_EINVALID);
  int64_t entered = -1, left = -1;
  REQUIRE(crmkit_segment_refresh(&entered, &left, d.db, "women", 1000) == CRMKIT_OK);
  CHECK(entered == 2);
  CHECK(left == 0);
  int version = 0;
  REQUIRE(crmkit_segment_update(&version, d.db, "women",
                                R"({"all":[{"field":"gender","op":"eq","value":"F"},{"field":"age","op":"lt","value":34}]})", 0) == CRMKIT_OK);
  CHECK(version == 2);
  const int64_t JUN16 = 1718496000000;  // the date 2024-06-15 as an instant: customer 2 turned 34
  REQUIRE(crmkit_segment_refresh(&entered, &left, d.db, "women", JUN16) == CRMKIT_OK);
  CHECK(entered == 0);
  CHECK(left == 1);
  CHECK(crmkit_segment_refresh(nullptr, nullptr, d.db, "women", 999) == CRMKIT_EINVALID);

  crmkit_segment_iter* it = nullptr;
  REQUIRE(crmkit_segment_members_iter_new(&it, d.db, "women") == CRMKIT_OK);
  CHECK(crmkit_segment_iter_customer_id(it) == 0);  // before the first row
  REQUIRE(crmkit_segment_iter_next(it) == CRMKIT_OK);
  CHECK(crmkit_segment_iter_customer_id(it) == 1);
  CHECK(crmkit_segment_iter_entered_at(it) == 1000);
  CHECK(crmkit_segment_iter_is_current(it) == 1);
  CHECK(crmkit_segment_iter_rule_version(it) == 1);
  CHECK(std::string(crmkit_segment_iter_segment_name(it)) == "women");
  CHECK(crmkit_segment_iter_next(it) == CRMKIT_DONE);
  CHECK(crmkit_segment_iter_next(it) == CRMKIT_DONE);
  CHECK(crmkit_segment_iter_segment_name(it) == nullptr);  // no current row
  crmkit_segment_iter_free(it);

  REQUIRE(crmkit_segment_history_iter_new(&it, d.db, "women", 1001, JUN16 + 1) == CRMKIT_OK);
  crmkit_db_close(d.db);  // the iterator keeps what it needs
  d.db = nullptr;
  REQUIRE(crmkit_segment_iter_next(it) == CRMKIT_OK);
  CHECK(crmkit_segment_iter_customer_id(it) == 2);
  CHECK(crmkit_segment_iter_left_at(it) == JUN16);
  CHECK(crmkit_segment_iter_is_current(it) == 0);
  CHECK(crmkit_segment_iter_next(it) == CRMKIT_DONE);
  crmkit_segment_iter_free(it);
  crmkit_segment_iter_free(nullptr);
  CHECK(crmkit_segment_iter_next(nullptr) == CRMKIT_EINVALID);
}

TEST_CASE("static segments, references and JSON listings through the C API", "[capi][segments]") {
  Db d;
  REQUIRE(crmkit_segment_create(nullptr, d.db, "club", "static", nullptr, 0) == CRMKIT_OK);
  int changed = -1;
  REQUIRE(crmkit_segment_add_customer(&changed, d.db, "club", 3, 500) == CRMKIT_OK);
  CHECK(changed == 1);
  CHECK(crmkit_segment_add_customer(&changed, d.db, "club", 3, 600) == CRMKIT_OK);
  CHECK(changed == 0);
  CHECK(crmkit_segment_add_customer(&changed, d.db, "club", 42, 600) == CRMKIT_ENOTFOUND);
  REQUIRE(crmkit_segment_create(nullptr, d.db, "club_or_women", "dynamic",
                                R"({"any":[{"segment":"club","op":"in"},{"field":"gender","op":"eq","value":"F"}]})", 0) == CRMKIT_OK);
  CHECK(d.count(R"({"segment":"club","op":"in"})", 0) == 1);
  CHECK(crmkit_segment_delete(d.db, "club") == CRMKIT_ECONFLICT);
  CHECK(crmkit_segment_update(nullptr, d.db, "club", R"({"field":"gender","op":"is_set"})", 0) == CRMKIT_EINVALID);
  crmkit_segment_iter* it = nullptr;
  REQUIRE(crmkit_segment_for_customer_iter_new(&it, d.db, 3) == CRMKIT_OK);
  REQUIRE(crmkit_segment_iter_next(it) == CRMKIT_OK);
  CHECK(std::string(crmkit_segment_iter_segment_name(it)) == "club");
  CHECK(crmkit_segment_iter_rule_version(it) == 0);
  CHECK(crmkit_segment_iter_next(it) == CRMKIT_DONE);
  crmkit_segment_iter_free(it);
  REQUIRE(crmkit_segment_remove_customer(&changed, d.db, "club", 3, 700) == CRMKIT_OK);
  CHECK(changed == 1);
  char* out = nullptr;
  REQUIRE(crmkit_segment_list_json(&out, d.db) == CRMKIT_OK);
  std::string list = take(out);
  CHECK(list.find(R"("name":"club")") != std::string::npos);
  CHECK(list.find(R"("name":"club_or_women")") != std::string::npos);
  REQUIRE(crmkit_segment_get_json(&out, d.db, "club_or_women") == CRMKIT_OK);
  CHECK(take(out).find(R"("rule_version":1)") != std::string::npos);
  REQUIRE(crmkit_segment_versions_json(&out, d.db, "club_or_women") == CRMKIT_OK);
  CHECK(take(out).rfind(R"([{"rule":{"any":)", 0) == 0);
  CHECK(crmkit_segment_get_json(&out, d.db, "nope") == CRMKIT_ENOTFOUND);
  CHECK(crmkit_segment_members_iter_new(&it, d.db, "nope") == CRMKIT_ENOTFOUND);
  CHECK(it == nullptr);
  REQUIRE(crmkit_segment_delete(d.db, "club_or_women") == CRMKIT_OK);
  REQUIRE(crmkit_segment_delete(d.db, "club") == CRMKIT_OK);
}
