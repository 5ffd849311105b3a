// The points programmes through crmkit.h only: the main flow, idempotency, errors, iterators.
#include <catch2/catch.hpp>

#include <string>

#include "capi/test_db.hpp"
#include "crmkit.h"

namespace {

const int64_t kDay = 86400000;
const int64_t kT0 = 1704067200000;  // 2024-01-01T00:00:00Z

struct Db {
  crmkit_db* db = nullptr;
  Db() { REQUIRE(open_test_db(&db) == CRMKIT_OK); }
  ~Db() { crmkit_db_close(db); }
  int64_t customer(const std::string& ext) {
    int64_t id = 0;
    std::string j = R"({"external_id":")" + ext + R"(","created_at":0})";
    REQUIRE(crmkit_customer_upsert_json(&id, nullptr, db, j.c_str()) == CRMKIT_OK);
    return id;
  }
  int64_t purchase(int64_t customer, int64_t at, int64_t minor, const std::string& ext) {
    int64_t id = 0;
    std::string j = "{\"customer_id\":" + std::to_string(customer) + ",\"occurred_at\":" + std::to_string(at) +
                    ",\"kind\":\"purchase\",\"channel\":\"web\",\"external_id\":\"" + ext +
                    "\",\"amount\":{\"minor\":" + std::to_string(minor) + ",\"currency\":\"USD\"}}";
    REQUIRE(crmkit_interaction_record_json(&id, db, j.c_str()) == CRMKIT_OK);
    return id;
  }
  std::string take(char* s) {
    REQUIRE(s != nullptr);
    std::string out(s);
    crmkit_free(s);
    return out;
  }
};

const char* kSpec =
    R"({"name":"club","currency":"USD","created_at":"2023-12-01T00:00:00Z","expiry_days":30,"pending_days":0,)"
    R"("refund_policy":"allow_negative","value_per_1000_points":1000,)"
    R"("tiers":[{"name":"member","threshold":0},{"name":"gold","threshold":100,"permille":1500}]})";

}  // namespace

TEST_CASE("points: programme, automatic earning, redemption, expiry, reports", "[capi][points]") {
  Db d;
  int64_t pid = 0;
  int rc = crmkit_points_programme_create(&pid, d.db, kSpec);
  INFO(crmkit_last_error_message());
  REQUIRE(rc == CRMKIT_OK);
  int64_t found = 0;
  CHECK(crmkit_points_programme_find(&found, d.db, "club") == CRMKIT_OK);
  CHECK(found == pid);
  CHECK(crmkit_points_programme_create(&found, d.db, kSpec) == CRMKIT_ECONFLICT);
  char* js = nullptr;
  REQUIRE(crmkit_points_programme_json(&js, d.db, pid) == CRMKIT_OK);
  CHECK(d.take(js).find("\"refund_policy\":\"allow_negative\"") != std::string::npos);

  int64_t alice = d.customer("alice");
  REQUIRE(crmkit_points_enroll(d.db, pid, alice, kT0) == CRMKIT_OK);
  CHECK(crmkit_points_enroll(d.db, pid, alice, kT0 + 1) == CRMKIT_ECONFLICT);
  // Recording the purchase earns automatically: 150.00 USD -> 150 points, and gold at once.
  int64_t p1 = d.purchase(alice, kT0 + kDay, 15000, "o1");
  int64_t bal = 0;
  REQUIRE(crmkit_points_balance(&bal, d.db, pid, alice, kT0 + 2 * kDay) == CRMKIT_OK);
  CHECK(bal == 150);
  int64_t pts = -1;
  int replayed = -1;
  CHECK(crmkit_points_earn(&pts, &replayed, d.db, pid, p1) == CRMKIT_OK);
  CHECK(pts == 150);
  CHECK(replayed == 1);
  // Gold earns x1.5: 10.00 USD -> 15.
  d.purchase(alice, kT0 + 2 * kDay, 1000, "o2");
  CHECK(crmkit_points_balance(&bal, d.db, pid, alice, kT0 + 3 * kDay) == CRMKIT_OK);
  CHECK(bal == 165);

  CHECK(crmkit_points_redeem(&pts, &replayed, d.db, pid, alice, 100, "r1", kT0 + 3 * kDay, 0) == CRMKIT_OK);
  CHECK(pts == -100);
  CHECK(replayed == 0);
  CHECK(crmkit_points_redeem(&pts, &replayed, d.db, pid, alice, 100, "r1", kT0 + 4 * kDay, 0) == CRMKIT_OK);
  CHECK(replayed == 1);
  CHECK(crmkit_points_redeem(&pts, &replayed, d.db, pid, alice, 99, "r1", kT0 + 3 * kDay, 0) == CRMKIT_ECONFLICT);
  CHECK(crmkit_points_redeem(nullptr, nullptr, d.db, pid, alice, 1000, "r2", kT0 + 3 * kDay, 0) == CRMKIT_ECONFLICT);
  CHECK(std::string(crmkit_db_error_message(d.db)).find("spendable") != std::string::npos);
  CHECK(crmkit_points_reverse_redemption(&pts, nullptr, d.db, pid, "r1", 0, "back", kT0 + 3 * kDay) == CRMKIT_OK);
  CHECK(pts == 100);
  CHECK(crmkit_points_adjust(&pts, nullptr, d.db, pid, alice, -5, "correction", "a1", kT0 + 3 * kDay) == CRMKIT_OK);
  CHECK(pts == -5);
  CHECK(crmkit_points_reverse_purchase(&pts, nullptr, d.db, pid, p1, 7500, "half", kT0 + 3 * kDay) == CRMKIT_OK);
  CHECK(pts == -75);

  REQUIRE(crmkit_points_balance_json(&js, d.db, pid, alice, kT0 + 3 * kDay, 30) == CRMKIT_OK);
  std::string b = d.take(js);
  CHECK(b.find("\"available\":85") != std::string::npos);
  CHECK(b.find("\"tier\":\"gold\"") != std::string::npos);

  // Everything earned expires 30 days after it became effective.
  CHECK(crmkit_points_expire(&pts, &replayed, d.db, pid, kT0 + 40 * kDay, nullptr) == CRMKIT_OK);
  CHECK(pts == -85);
  CHECK(crmkit_points_expire(&pts, &replayed, d.db, pid, kT0 + 40 * kDay, nullptr) == CRMKIT_OK);
  CHECK(replayed == 1);
  CHECK(crmkit_points_balance(&bal, d.db, pid, alice, kT0 + 40 * kDay) == CRMKIT_OK);
  CHECK(bal == 0);

  REQUIRE(crmkit_points_liability_json(&js, d.db, pid, kT0 + 3 * kDay) == CRMKIT_OK);
  CHECK(d.take(js).find("\"members\":1") != std::string::npos);
  REQUIRE(crmkit_points_tier_mix_json(&js, d.db, pid) == CRMKIT_OK);
  CHECK(d.take(js) == R"([{"members":1,"tier":"gold"},{"members":0,"tier":"member"},{"members":0,"tier":null}])");
  REQUIRE(crmkit_points_tier_history_json(&js, d.db, pid, alice) == CRMKIT_OK);
  CHECK(d.take(js).find("\"reason\":\"upgrade\"") != std::string::npos);
  REQUIRE(crmkit_points_review_tiers(&js, d.db, pid, kT0 + 400 * kDay) == CRMKIT_OK);
  CHECK(d.take(js) == R"({"downgraded":1,"reviewed":1,"upgraded":0})");
  CHECK(crmkit_points_check(d.db, pid) == CRMKIT_OK);

  // The ledger by iterator, which outlives the db handle.
  crmkit_points_ledger_iter* it = nullptr;
  REQUIRE(crmkit_points_ledger_iter_new(&it, d.db, pid, alice) == CRMKIT_OK);
  crmkit_db_close(d.db);
  d.db = nullptr;
  int n = 0;
  int64_t sum = 0, last = 0;
  while (crmkit_points_ledger_iter_next(it) == CRMKIT_OK) {
    ++n;
    sum += crmkit_points_ledger_iter_points(it);
    CHECK(crmkit_points_ledger_iter_id(it) > last);
    last = crmkit_points_ledger_iter_id(it);
    CHECK(crmkit_points_ledger_iter_has_expiry(it) == (std::string(crmkit_points_ledger_iter_kind(it)) == "earn"));
  }
  CHECK(n == 8);  // earn, earn, redeem, reverse_redeem, adjust, reverse_earn, expire, expire
  CHECK(sum == 0);
  CHECK(crmkit_points_ledger_iter_next(it) == CRMKIT_DONE);
  CHECK(crmkit_points_ledger_iter_kind(it) == nullptr);  // no current entry after DONE
  CHECK(crmkit_points_ledger_iter_points(it) == 0);
  crmkit_points_ledger_iter_free(it);
}

TEST_CASE("points: NULLs, bad input and unknown ids give specific errors", "[capi][points]") {
  Db d;
  int64_t pid = 0;
  CHECK(crmkit_points_programme_create(&pid, nullptr, kSpec) == CRMKIT_EINVALID);
  CHECK(crmkit_points_programme_create(nullptr, d.db, kSpec) == CRMKIT_EINVALID);
  CHECK(crmkit_points_programme_create(&pid, d.db, nullptr) == CRMKIT_EINVALID);
  CHECK(crmkit_points_programme_create(&pid, d.db, "[1]") == CRMKIT_EINVALID);
  CHECK(crmkit_points_programme_create(&pid, d.db, R"({"name":"x","currency":"USD"})") == CRMKIT_EINVALID);
  CHECK(std::string(crmkit_last_error_message()).find("created_at") != std::string::npos);
  CHECK(crmkit_points_programme_create(&pid, d.db, R"({"name":"x","currency":"USD","created_at":0,"bogus":1})") ==
        CRMKIT_EINVALID);
  CHECK(std::string(crmkit_last_error_message()).find("bogus") != std::string::npos);
  CHECK(crmkit_points_programme_create(&pid, d.db, R"({"name":"x","currency":"USD","created_at":0,"consumption":"lifo"})") ==
        CRMKIT_EINVALID);
  CHECK(crmkit_points_programme_create(&pid, d.db, "{\"name\":\"\xff\",\"currency\":\"USD\",\"created_at\":0}") ==
        CRMKIT_EINVALID);
  char* js = nullptr;
  CHECK(crmkit_points_programmes_json(&js, d.db) == CRMKIT_OK);
  CHECK(std::string(js) == "[]");
  crmkit_free(js);
  REQUIRE(crmkit_points_programme_create(&pid, d.db, kSpec) == CRMKIT_OK);
  int64_t c = d.customer("c");
  CHECK(crmkit_points_enroll(d.db, 999, c, kT0) == CRMKIT_ENOTFOUND);
  CHECK(crmkit_points_enroll(d.db, pid, 999, kT0) == CRMKIT_ENOTFOUND);
  CHECK(crmkit_points_redeem(nullptr, nullptr, d.db, pid, c, 5, "r", kT0, 0) == CRMKIT_ENOTFOUND);  // not enrolled
  REQUIRE(crmkit_points_enroll(d.db, pid, c, kT0) == CRMKIT_OK);
  CHECK(crmkit_points_redeem(nullptr, nullptr, d.db, pid, c, 5, nullptr, kT0, 0) == CRMKIT_EINVALID);
  CHECK(crmkit_points_redeem(nullptr, nullptr, d.db, pid, c, 0, "r", kT0, 0) == CRMKIT_EINVALID);
  CHECK(crmkit_points_redeem(nullptr, nullptr, d.db, pid, c, 5, "r", kT0, -1) == CRMKIT_EINVALID);
  CHECK(crmkit_points_adjust(nullptr, nullptr, d.db, pid, c, 5, nullptr, "a", kT0) == CRMKIT_EINVALID);
  CHECK(crmkit_points_expire(nullptr, nullptr, d.db, pid, kT0, "") == CRMKIT_EINVALID);
  CHECK(crmkit_points_earn(nullptr, nullptr, d.db, pid, 12345) == CRMKIT_ENOTFOUND);
  CHECK(crmkit_points_balance(nullptr, d.db, pid, c, kT0) == CRMKIT_EINVALID);
  CHECK(crmkit_points_balance_json(&js, d.db, pid, c, kT0, -1) == CRMKIT_EINVALID);
  CHECK(crmkit_points_ledger_json(&js, d.db, pid, 0, 0, 0) == CRMKIT_EINVALID);
  CHECK(crmkit_points_ledger_json(nullptr, d.db, pid, 0, 0, 10) == CRMKIT_EINVALID);
  CHECK(crmkit_points_ledger_iter_new(nullptr, d.db, pid, 0) == CRMKIT_EINVALID);
  crmkit_points_ledger_iter* it = nullptr;
  CHECK(crmkit_points_ledger_iter_new(&it, d.db, 999, 0) == CRMKIT_ENOTFOUND);
  CHECK(it == nullptr);
  CHECK(crmkit_points_ledger_iter_next(nullptr) == CRMKIT_EINVALID);
  CHECK(crmkit_points_ledger_iter_points(nullptr) == 0);
  crmkit_points_ledger_iter_free(nullptr);
  REQUIRE(crmkit_points_ledger_json(&js, d.db, pid, 0, 0, 10) == CRMKIT_OK);
  CHECK(std::string(js) == R"({"entries":[],"next_after":0})");
  crmkit_free(js);
  CHECK(crmkit_points_check(d.db, pid) == CRMKIT_OK);
}
