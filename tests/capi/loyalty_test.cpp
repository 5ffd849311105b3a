// The loyalty part of the C API (surveys and metrics), through crmkit.h only.
#include <catch2/catch.hpp>

#include <cmath>
#include <cstring>
#include <string>

#include "capi/test_db.hpp"
#include "crmkit.h"

namespace {

constexpr int64_t kDay = 86'400'000;
constexpr int64_t kJan1 = 1'767'225'600'000;  // 2026-01-01T00:00:00Z

struct Db {
  crmkit_db* db = nullptr;
  Db() { REQUIRE(open_test_db(&db) == CRMKIT_OK); }
  ~Db() { crmkit_db_close(db); }
};

std::string take(char* s) {
  std::string out = s ? s : "";
  crmkit_free(s);
  return out;
}

// Counts responses through the metrics (the only read path besides get).
int64_t nps_responses(crmkit_db* db) {
  char* out = nullptr;
  REQUIRE(crmkit_survey_nps_json(&out, db, nullptr, nullptr, nullptr, 0) == CRMKIT_OK);
  std::string j = take(out);
  auto p = j.find("\"responses\":");
  REQUIRE(p != std::string::npos);
  return std::stoll(j.substr(p + 12));
}

}  // namespace

// Customer and interaction helpers come from the core C API.
#include "loyalty_capi_fixture.hpp"
#include "options_fixture.hpp"

TEST_CASE("survey record: bad input gives specific codes and writes nothing", "[capi][surveys]") {
  Db d;
  int64_t a = make_customer(d.db, "A");
  int64_t b = make_customer(d.db, "B");
  int64_t ib = make_support(d.db, b, kJan1 + kDay);
  int64_t id = -1;
  CHECK(crmkit_survey_record(&id, d.db, a, "nps", 11, kJan1, "email", 0, nullptr, nullptr) == CRMKIT_EINVALID);
  CHECK(id == 0);
  CHECK(std::strstr(crmkit_last_error_message(), "score 11 is out of range 0..10 for kind nps"));
  CHECK(std::strstr(crmkit_db_error_message(d.db), "score 11"));
  CHECK(crmkit_survey_record(&id, d.db, a, "nps", std::nan(""), kJan1, "email", 0, nullptr, nullptr) ==
        CRMKIT_EINVALID);
  CHECK(crmkit_survey_record(&id, d.db, a, "nps", 7.5, kJan1, "email", 0, nullptr, nullptr) == CRMKIT_EINVALID);
  CHECK(crmkit_survey_record(&id, d.db, a, "loyalty", 5, kJan1, "email", 0, nullptr, nullptr) == CRMKIT_EINVALID);
  CHECK(std::strstr(crmkit_last_error_message(), "kind"));
  CHECK(crmkit_survey_record(&id, d.db, a, "custom", 5, kJan1, "email", 0, nullptr, nullptr) == CRMKIT_EINVALID);
  CHECK(crmkit_survey_record(&id, d.db, a, "csat", 5, kJan1, "pigeon", 0, nullptr, nullptr) == CRMKIT_EINVALID);
  CHECK(crmkit_survey_record(&id, d.db, 9999, "csat", 5, kJan1, "email", 0, nullptr, nullptr) == CRMKIT_ENOTFOUND);
  CHECK(crmkit_survey_record(&id, d.db, a, "csat", 5, kJan1, "email", 424242, nullptr, nullptr) == CRMKIT_ENOTFOUND);
  CHECK(crmkit_survey_record(&id, d.db, a, "csat", 5, kJan1, "email", ib, nullptr, nullptr) == CRMKIT_ECONFLICT);
  CHECK(std::strstr(crmkit_last_error_message(), "belongs to customer"));
  CHECK(crmkit_survey_record(&id, d.db, a, "csat", 5, kJan1, "email", 0, "\xc3\x28", nullptr) == CRMKIT_EINVALID);
  CHECK(crmkit_survey_record(&id, d.db, a, "csat", 5, kJan1, nullptr, 0, nullptr, nullptr) == CRMKIT_EINVALID);
  CHECK(crmkit_survey_record(nullptr, d.db, a, "csat", 5, kJan1, "email", 0, nullptr, nullptr) == CRMKIT_EINVALID);
  CHECK(crmkit_survey_record(&id, nullptr, a, "csat", 5, kJan1, "email", 0, nullptr, nullptr) == CRMKIT_EINVALID);
  CHECK(crmkit_survey_record_custom(&id, d.db, a, 5, 1, "higher_is_better", 3, kJan1, "web", 0, nullptr, nullptr) ==
        CRMKIT_EINVALID);
  CHECK(crmkit_survey_record_custom(&id, d.db, a, 1, 5, "sideways", 3, kJan1, "web", 0, nullptr, nullptr) ==
        CRMKIT_EINVALID);
  CHECK(nps_responses(d.db) == 0);
  char* out = nullptr;
  REQUIRE(crmkit_survey_csat_json(&out, d.db, nullptr, nullptr, nullptr) == CRMKIT_OK);
  CHECK(take(out).find("\"responses\":0") != std::string::npos);
}

TEST_CASE("survey record, idempotency and get", "[capi][surveys]") {
  Db d;
  int64_t a = make_customer(d.db, "A");
  int64_t id = 0, again = 0;
  REQUIRE(crmkit_survey_record(&id, d.db, a, "nps", 10, kJan1, "email", 0, "super \xe2\x9c\x93", "ext-1") == CRMKIT_OK);
  CHECK(id > 0);
  REQUIRE(crmkit_survey_record(&again, d.db, a, "nps", 10, kJan1, "email", 0, "super \xe2\x9c\x93", "ext-1") ==
          CRMKIT_OK);
  CHECK(again == id);
  CHECK(crmkit_survey_record(&again, d.db, a, "nps", 9, kJan1, "email", 0, nullptr, "ext-1") == CRMKIT_ECONFLICT);
  char* out = nullptr;
  REQUIRE(crmkit_survey_get_json(&out, d.db, id) == CRMKIT_OK);
  std::string j = take(out);
  CHECK(j.find("\"kind\":\"nps\"") != std::string::npos);
  CHECK(j.find("super \xe2\x9c\x93") != std::string::npos);
  CHECK(crmkit_survey_get_json(&out, d.db, 777) == CRMKIT_ENOTFOUND);
  CHECK(out == nullptr);
  int64_t cid = 0;
  REQUIRE(crmkit_survey_record_custom(&cid, d.db, a, 1, 5, "lower_is_better", 1.5, kJan1, "web", 0, nullptr, nullptr) == CRMKIT_OK);
  REQUIRE(crmkit_survey_get_json(&out, d.db, cid) == CRMKIT_OK);
  CHECK(take(out).find("\"direction\":\"lower_is_better\"") != std::string::npos);
}

TEST_CASE("survey batch JSON: atomic by default, skip_invalid on request", "[capi][surveys]") {
  Db d;
  int64_t a = make_customer(d.db, "A");
  std::string rows = "[{\"customer_id\":" + std::to_string(a) +
                     ",\"kind\":\"nps\",\"score\":9,\"occurred_at\":" + std::to_string(kJan1) +
                     ",\"channel\":\"web\"},{\"customer_id\":" + std::to_string(a) +
                     ",\"kind\":\"nps\",\"score\":12,\"occurred_at\":" + std::to_string(kJan1) +
                     ",\"channel\":\"web\"},{\"customer_id\":" + std::to_string(a) +
                     ",\"kind\":\"ces\",\"score\":6,\"occurred_at\":" + std::to_string(kJan1) + ",\"channel\":\"web\"}]";
  char* out = nullptr;
  CHECK(crmkit_survey_record_batch_json(&out, d.db, rows.c_str(), 0) == CRMKIT_EINVALID);
  CHECK(std::strstr(crmkit_last_error_message(), "row 1"));
  CHECK(nps_responses(d.db) == 0);
  REQUIRE(crmkit_survey_record_batch_json(&out, d.db, rows.c_str(), 1) == CRMKIT_OK);
  std::string j = take(out);
  CHECK(j.find("\"inserted\":2") != std::string::npos);
  CHECK(j.find("\"index\":1") != std::string::npos);
  CHECK(nps_responses(d.db) == 1);
  CHECK(crmkit_survey_record_batch_json(&out, d.db, "{not json", 0) == CRMKIT_EINVALID);
  CHECK(crmkit_survey_record_batch_json(&out, d.db, nullptr, 0) == CRMKIT_EINVALID);
}

TEST_CASE("NPS, CSAT and CES JSON with grouping, empty groups are null", "[capi][metrics]") {
  Db d;
  int64_t a = make_customer(d.db, "A");
  int64_t id = 0;
  REQUIRE(crmkit_survey_record(&id, d.db, a, "nps", 10, kJan1 + 5 * kDay, "email", 0, nullptr, nullptr) == CRMKIT_OK);
  REQUIRE(crmkit_survey_record(&id, d.db, a, "nps", 4, kJan1 + 70 * kDay, "web", 0, nullptr, nullptr) == CRMKIT_OK);
  int64_t from = kJan1, to = kJan1 + 90 * kDay;  // 2026-01-01 .. 2026-04-01
  char* out = nullptr;
  REQUIRE(crmkit_survey_nps_json(&out, d.db, &from, &to, "month", 0) == CRMKIT_OK);
  std::string j = take(out);
  CHECK(j.find("\"group\":\"2026-02\"") != std::string::npos);
  CHECK(j.find("\"nps\":null") != std::string::npos);
  CHECK(j.find("\"nps\":100.0") != std::string::npos);
  CHECK(j.find("\"nps\":-100.0") != std::string::npos);
  REQUIRE(crmkit_survey_nps_json(&out, d.db, &from, &to, "channel", 0.9) == CRMKIT_OK);
  CHECK(take(out).find("\"group\":\"sms\"") != std::string::npos);
  CHECK(crmkit_survey_nps_json(&out, d.db, &from, &to, "quarter", 0) == CRMKIT_EINVALID);
  CHECK(crmkit_survey_nps_json(&out, d.db, &to, &from, nullptr, 0) == CRMKIT_EINVALID);
  CHECK(crmkit_survey_nps_json(&out, d.db, nullptr, nullptr, nullptr, 1.5) == CRMKIT_EINVALID);
  CHECK(crmkit_survey_nps_json(&out, d.db, nullptr, nullptr, nullptr, std::nan("")) == CRMKIT_EINVALID);
  // No segment exists: grouping by segment has no groups (not an error; every migration,
  // the segments table included, is always present).
  REQUIRE(crmkit_survey_nps_json(&out, d.db, nullptr, nullptr, "segment", 0) == CRMKIT_OK);
  CHECK(take(out).find("\"group\"") == std::string::npos);
  CHECK(crmkit_survey_nps_json(nullptr, d.db, nullptr, nullptr, nullptr, 0) == CRMKIT_EINVALID);
  REQUIRE(crmkit_survey_ces_json(&out, d.db, nullptr, nullptr, nullptr) == CRMKIT_OK);
  CHECK(take(out).find("\"mean_score\":null") != std::string::npos);
}

TEST_CASE("retention and cohort JSON", "[capi][metrics]") {
  Db d;
  int64_t a = make_customer(d.db, "A");
  int64_t b = make_customer(d.db, "B");
  make_purchase(d.db, a, kJan1 + 10 * kDay, 1000);
  make_purchase(d.db, a, kJan1 + 40 * kDay, 3000);
  make_purchase(d.db, b, kJan1 + 20 * kDay, 2000);
  char* out = nullptr;
  // [02-01, 03-01), 30-day activity: S = {a (01-11), b (01-21)}, E = {a (02-10)}.
  REQUIRE(capi_test::retention_json(&out, d.db, kJan1 + 31 * kDay, kJan1 + 59 * kDay, {nullptr, 30, 0.5, nullptr, nullptr, nullptr}) == CRMKIT_OK);
  std::string j = take(out);
  CHECK(j.find("\"active_at_start\":2") != std::string::npos);
  CHECK(j.find("\"retention_rate\":0.5") != std::string::npos);
  CHECK(j.find("\"average_order_value\":30.0") != std::string::npos);
  CHECK(capi_test::retention_json(&out, d.db, kJan1, kJan1, {nullptr, 0, 0.5, nullptr, nullptr, nullptr}) == CRMKIT_EINVALID);
  CHECK(capi_test::retention_json(&out, d.db, kJan1, kJan1 + kDay, {"vibes", 0, 0.5, nullptr, nullptr, nullptr}) ==
        CRMKIT_EINVALID);
  CHECK(capi_test::retention_json(&out, d.db, kJan1, kJan1 + kDay, {nullptr, -3, 0.5, nullptr, nullptr, nullptr}) ==
        CRMKIT_EINVALID);
  CHECK(capi_test::retention_json(&out, d.db, kJan1, kJan1 + kDay, {nullptr, 0, 0.5, "invoice", nullptr, nullptr}) ==
        CRMKIT_EINVALID);
  CHECK(capi_test::retention_json(&out, d.db, kJan1, kJan1 + kDay, {nullptr, 0, 0.5, nullptr, "after_tax", nullptr}) ==
        CRMKIT_EINVALID);
  CHECK(capi_test::retention_json(&out, d.db, kJan1, kJan1 + kDay, {nullptr, 0, 0.5, nullptr, nullptr, "dollars"}) ==
        CRMKIT_EINVALID);
  CHECK(capi_test::retention_json(&out, d.db, kJan1, kJan1 + kDay, {"p_alive", 0, 0.5, nullptr, nullptr, nullptr}) ==
        CRMKIT_ENOTFOUND);  // no customer_scores without the value area
  REQUIRE(capi_test::cohorts_json(&out, d.db, "month", 3, 0) == CRMKIT_OK);
  j = take(out);
  CHECK(j.find("\"cohort\":\"2026-01\"") != std::string::npos);
  CHECK(j.find("\"retention\":[1.0,0.5,null]") != std::string::npos);
  CHECK(capi_test::cohorts_json(&out, d.db, "fortnight", 3, 0) == CRMKIT_EINVALID);
  CHECK(capi_test::cohorts_json(&out, d.db, nullptr, -1, 0) == CRMKIT_EINVALID);
}
