// The interactions section of the C API (records, batches, timeline, figures), crmkit.h only.
#include <catch2/catch.hpp>

#include <string>
#include <thread>
#include <vector>

#include "capi/test_db.hpp"
#include "core_fixture.hpp"
#include "crmkit.h"

namespace {

using Db = MemoryDb;

struct Rec {
  crmkit_interaction* r = nullptr;
  Rec() { REQUIRE(crmkit_interaction_new(&r) == CRMKIT_OK); }
  ~Rec() { crmkit_interaction_free(r); }
};

int64_t add_customer(crmkit_db* db, const char* ext) {
  crmkit_customer* c = nullptr;
  REQUIRE(crmkit_customer_new(&c) == CRMKIT_OK);
  REQUIRE(crmkit_customer_set_text(c, "external_id", ext) == CRMKIT_OK);
  REQUIRE(crmkit_customer_set_created_at(c, 0) == CRMKIT_OK);
  int64_t id = 0;
  REQUIRE(crmkit_customer_create(&id, db, c) == CRMKIT_OK);
  crmkit_customer_free(c);
  return id;
}

void make_purchase(crmkit_interaction* r, int64_t customer, int64_t at, int64_t minor, const char* currency = "EUR") {
  REQUIRE(crmkit_interaction_set_customer_id(r, customer) == CRMKIT_OK);
  REQUIRE(crmkit_interaction_set_occurred_at(r, at) == CRMKIT_OK);
  REQUIRE(crmkit_interaction_set_kind(r, "purchase") == CRMKIT_OK);
  REQUIRE(crmkit_interaction_set_channel(r, "web") == CRMKIT_OK);
  REQUIRE(crmkit_interaction_set_amount(r, minor, currency) == CRMKIT_OK);
}

}  // namespace

TEST_CASE("interaction functions refuse every NULL pointer with EINVALID", "[capi][interactions]") {
  Db d;
  Rec r;
  int64_t id = 5;
  char* json = reinterpret_cast<char*>(0x1);
  CHECK(crmkit_interaction_new(nullptr) == CRMKIT_EINVALID);
  CHECK(crmkit_interaction_set_customer_id(nullptr, 1) == CRMKIT_EINVALID);
  CHECK(message_has("rec is NULL"));
  CHECK(crmkit_interaction_set_external_id(nullptr, "x") == CRMKIT_EINVALID);
  CHECK(crmkit_interaction_set_external_id(r.r, nullptr) == CRMKIT_OK);  // un-sets
  CHECK(crmkit_interaction_set_occurred_at(nullptr, 1) == CRMKIT_EINVALID);
  CHECK(crmkit_interaction_set_channel(nullptr, "web") == CRMKIT_EINVALID);
  CHECK(crmkit_interaction_set_channel(r.r, nullptr) == CRMKIT_EINVALID);
  CHECK(message_has("channel is NULL"));
  CHECK(crmkit_interaction_set_kind(nullptr, "note") == CRMKIT_EINVALID);
  CHECK(crmkit_interaction_set_kind(r.r, nullptr) == CRMKIT_EINVALID);
  CHECK(crmkit_interaction_set_direction(nullptr, "none") == CRMKIT_EINVALID);
  CHECK(crmkit_interaction_set_direction(r.r, nullptr) == CRMKIT_EINVALID);
  CHECK(crmkit_interaction_set_amount(nullptr, 1, "EUR") == CRMKIT_EINVALID);
  CHECK(crmkit_interaction_set_amount(r.r, 1, nullptr) == CRMKIT_EINVALID);
  CHECK(crmkit_interaction_clear_amount(nullptr) == CRMKIT_EINVALID);
  CHECK(crmkit_interaction_set_margin(nullptr, 1) == CRMKIT_EINVALID);
  CHECK(crmkit_interaction_clear_margin(nullptr) == CRMKIT_EINVALID);
  CHECK(crmkit_interaction_set_subject(nullptr, "s") == CRMKIT_EINVALID);
  CHECK(crmkit_interaction_set_notes(nullptr, "n") == CRMKIT_EINVALID);
  CHECK(crmkit_interaction_set_attributes(nullptr, "{}") == CRMKIT_EINVALID);
  CHECK(crmkit_interaction_record(&id, nullptr, r.r) == CRMKIT_EINVALID);
  CHECK(crmkit_interaction_record(&id, d.db, nullptr) == CRMKIT_EINVALID);
  CHECK(crmkit_interaction_record(nullptr, d.db, r.r) == CRMKIT_EINVALID);
  CHECK(message_has("id is NULL"));
  CHECK(crmkit_interaction_record_json(&id, nullptr, "{}") == CRMKIT_EINVALID);
  CHECK(crmkit_interaction_record_json(&id, d.db, nullptr) == CRMKIT_EINVALID);
  CHECK(crmkit_interaction_record_json(nullptr, d.db, "{}") == CRMKIT_EINVALID);
  CHECK(crmkit_interaction_get_json(&json, nullptr, 1) == CRMKIT_EINVALID);
  CHECK(crmkit_interaction_get_json(nullptr, d.db, 1) == CRMKIT_EINVALID);
  CHECK(crmkit_batch_new(nullptr) == CRMKIT_EINVALID);
  crmkit_batch* b = nullptr;
  REQUIRE(crmkit_batch_new(&b) == CRMKIT_OK);
  CHECK(crmkit_batch_add(nullptr, r.r) == CRMKIT_EINVALID);
  CHECK(crmkit_batch_add(b, nullptr) == CRMKIT_EINVALID);
  CHECK(crmkit_batch_add_json(nullptr, "{}") == CRMKIT_EINVALID);
  CHECK(crmkit_batch_add_json(b, nullptr) == CRMKIT_EINVALID);
  CHECK(crmkit_batch_clear(nullptr) == CRMKIT_EINVALID);
  CHECK(crmkit_batch_set_skip_invalid(nullptr, 1) == CRMKIT_EINVALID);
  CHECK(crmkit_batch_size(nullptr) == 0);
  crmkit_batch_result* res = reinterpret_cast<crmkit_batch_result*>(0x1);
  CHECK(crmkit_batch_commit(nullptr, d.db, b) == CRMKIT_EINVALID);
  CHECK(crmkit_batch_commit(&res, nullptr, b) == CRMKIT_EINVALID);
  CHECK(res == nullptr);
  CHECK(crmkit_batch_commit(&res, d.db, nullptr) == CRMKIT_EINVALID);
  CHECK(message_has("batch is NULL"));
  CHECK(crmkit_batch_result_inserted(nullptr) == 0);
  CHECK(crmkit_batch_result_duplicates(nullptr) == 0);
  CHECK(crmkit_batch_result_id(nullptr, 0) == 0);
  CHECK(crmkit_batch_result_error_count(nullptr) == 0);
  CHECK(crmkit_batch_result_error(nullptr, nullptr, nullptr, nullptr, 0) == CRMKIT_EINVALID);
  CHECK(crmkit_batch_result_json(&json, nullptr) == CRMKIT_EINVALID);
  crmkit_interaction_iter* it = reinterpret_cast<crmkit_interaction_iter*>(0x1);
  CHECK(crmkit_interaction_iter_new(nullptr, d.db, 1, nullptr, nullptr, INT64_MIN, INT64_MAX) == CRMKIT_EINVALID);
  CHECK(crmkit_interaction_iter_new(&it, nullptr, 1, nullptr, nullptr, INT64_MIN, INT64_MAX) == CRMKIT_EINVALID);
  CHECK(it == nullptr);
  CHECK(crmkit_interaction_iter_next(nullptr) == CRMKIT_EINVALID);
  CHECK(crmkit_interaction_iter_json(&json, nullptr) == CRMKIT_EINVALID);
  CHECK(crmkit_interaction_iter_id(nullptr) == 0);
  CHECK(crmkit_interaction_iter_kind(nullptr) == nullptr);
  CHECK(crmkit_interaction_iter_currency(nullptr) == nullptr);
  CHECK(crmkit_customer_figures_json(&json, nullptr, 1) == CRMKIT_EINVALID);
  CHECK(crmkit_customer_figures_json(nullptr, d.db, 1) == CRMKIT_EINVALID);
  CHECK(crmkit_interaction_rebuild_figures(nullptr) == CRMKIT_EINVALID);
  crmkit_batch_free(b);
  crmkit_batch_free(nullptr);
  crmkit_batch_result_free(nullptr);
  crmkit_interaction_free(nullptr);
  crmkit_interaction_iter_free(nullptr);
}

TEST_CASE("an interaction is recorded, read as JSON and counted in the figures", "[capi][interactions]") {
  Db d;
  int64_t c = add_customer(d.db, "c");
  Rec r;
  make_purchase(r.r, c, 1'700'000'000'000, 4999);
  REQUIRE(crmkit_interaction_set_external_id(r.r, "order-😀-1") == CRMKIT_OK);
  REQUIRE(crmkit_interaction_set_direction(r.r, "inbound") == CRMKIT_OK);
  REQUIRE(crmkit_interaction_set_margin(r.r, 1500) == CRMKIT_OK);
  REQUIRE(crmkit_interaction_set_subject(r.r, "Größe 42 – ☂") == CRMKIT_OK);
  REQUIRE(crmkit_interaction_set_notes(r.r, "line 1\nline 2") == CRMKIT_OK);
  REQUIRE(crmkit_interaction_set_attributes(r.r, "{\"sku\": \"A-1\"}") == CRMKIT_OK);
  int64_t id = 0;
  REQUIRE(crmkit_interaction_record(&id, d.db, r.r) == CRMKIT_OK);
  CHECK(id > 0);
  int64_t again = 0;
  REQUIRE(crmkit_interaction_record(&again, d.db, r.r) == CRMKIT_OK);  // idempotent
  CHECK(again == id);
  std::string j = interaction_json(d.db, id);
  CHECK(j.find("\"external_id\":\"order-😀-1\"") != std::string::npos);
  CHECK(j.find("\"subject\":\"Größe 42 – ☂\"") != std::string::npos);
  CHECK(j.find("\"notes\":\"line 1\\nline 2\"") != std::string::npos);
  CHECK(j.find("\"amount\":{\"currency\":\"EUR\",\"minor\":4999}") != std::string::npos);
  CHECK(j.find("\"margin\":1500") != std::string::npos);
  CHECK(j.find("\"kind\":\"purchase\"") != std::string::npos);
  CHECK(j.find("\"channel\":\"web\"") != std::string::npos);
  CHECK(j.find("\"direction\":\"inbound\"") != std::string::npos);
  CHECK(j.find("\"attributes\":{\"sku\":\"A-1\"}") != std::string::npos);
  char* json = nullptr;
  REQUIRE(crmkit_customer_figures_json(&json, d.db, c) == CRMKIT_OK);
  j = take(json);
  CHECK(j.find("\"purchase_count\":1") != std::string::npos);
  CHECK(j.find("\"purchase_days\":1") != std::string::npos);
  CHECK(j.find("\"purchase_total\":4999") != std::string::npos);
  CHECK(j.find("\"margin_total\":1500") != std::string::npos);
  CHECK(j.find("\"first_purchase_at\":1700000000000") != std::string::npos);

  // Different content under the same key.
  REQUIRE(crmkit_interaction_set_amount(r.r, 5000, "EUR") == CRMKIT_OK);
  CHECK(crmkit_interaction_record(&again, d.db, r.r) == CRMKIT_ECONFLICT);
  CHECK(message_has("with a different amount"));
  CHECK(again == 0);

  // JSON entry point, with an ISO time.
  std::string text = "{\"customer_id\": " + std::to_string(c) +
                     ", \"occurred_at\": \"2024-01-02T03:04:05Z\", \"kind\": \"refund\", \"channel\": \"store\","
                     " \"amount\": {\"minor\": -999, \"currency\": \"EUR\"}, \"external_id\": \"rf-1\"}";
  REQUIRE(crmkit_interaction_record_json(&id, d.db, text.c_str()) == CRMKIT_OK);
  j = interaction_json(d.db, id);
  CHECK(j.find("\"occurred_at\":1704164645000") != std::string::npos);
  CHECK(j.find("\"minor\":-999") != std::string::npos);
  REQUIRE(crmkit_interaction_record_json(&again, d.db, text.c_str()) == CRMKIT_OK);
  CHECK(again == id);
  REQUIRE(crmkit_customer_figures_json(&json, d.db, c) == CRMKIT_OK);
  j = take(json);
  CHECK(j.find("\"refund_count\":1") != std::string::npos);
  CHECK(j.find("\"refund_total\":-999") != std::string::npos);
  CHECK(j.find("\"interaction_count\":2") != std::string::npos);
  REQUIRE(crmkit_interaction_rebuild_figures(d.db) == CRMKIT_OK);
  REQUIRE(crmkit_customer_figures_json(&json, d.db, c) == CRMKIT_OK);
  CHECK(take(json) == j);
}

TEST_CASE("bad interactions get specific statuses and change nothing", "[capi][interactions]") {
  Db d;
  int64_t c = add_customer(d.db, "c");
  {
    Rec r;
    make_purchase(r.r, c, 1000, 10);
    int64_t id = 0;
    REQUIRE(crmkit_interaction_record(&id, d.db, r.r) == CRMKIT_OK);
  }
  const std::string before = snapshot(d.db);
  Rec r;
  CHECK(crmkit_interaction_set_kind(r.r, "sale") == CRMKIT_EINVALID);
  CHECK(message_has("kind 'sale' is not one of purchase"));
  CHECK(crmkit_interaction_set_channel(r.r, "e-mail") == CRMKIT_EINVALID);
  CHECK(crmkit_interaction_set_direction(r.r, "sideways") == CRMKIT_EINVALID);
  CHECK(crmkit_interaction_set_subject(r.r, "\xe0\x80\x80") == CRMKIT_EINVALID);
  CHECK(message_has("subject is not valid UTF-8"));
  CHECK(crmkit_interaction_set_external_id(r.r, "\xf5\x80\x80\x80") == CRMKIT_EINVALID);

  struct Case {
    const char* what;
    void (*spoil)(crmkit_interaction*, int64_t);
    int status;
    const char* needle;
  };
  const Case cases[] = {
      {"negative purchase", [](crmkit_interaction* x, int64_t) { crmkit_interaction_set_amount(x, -1, "EUR"); },
       CRMKIT_EINVALID, "amount -1 is negative"},
      {"positive refund",
       [](crmkit_interaction* x, int64_t) { crmkit_interaction_set_kind(x, "refund"); },
       CRMKIT_EINVALID, "a refund amount must be <= 0"},
      {"amount on a note", [](crmkit_interaction* x, int64_t) { crmkit_interaction_set_kind(x, "note"); },
       CRMKIT_EINVALID, "amount is only allowed"},
      {"no amount", [](crmkit_interaction* x, int64_t) { crmkit_interaction_clear_amount(x); }, CRMKIT_EINVALID,
       "amount is required"},
      {"bad currency", [](crmkit_interaction* x, int64_t) { crmkit_interaction_set_amount(x, 5, "E1R"); },
       CRMKIT_EINVALID, "currency 'E1R'"},
      {"unknown customer", [](crmkit_interaction* x, int64_t c) { crmkit_interaction_set_customer_id(x, c + 1000); },
       CRMKIT_ENOTFOUND, "does not exist"},
      {"max customer id", [](crmkit_interaction* x, int64_t) { crmkit_interaction_set_customer_id(x, INT64_MAX); },
       CRMKIT_ENOTFOUND, "does not exist"},
      {"time too large", [](crmkit_interaction* x, int64_t) { crmkit_interaction_set_occurred_at(x, INT64_MAX); },
       CRMKIT_EINVALID, "occurred_at"},
      {"time too small", [](crmkit_interaction* x, int64_t) { crmkit_interaction_set_occurred_at(x, INT64_MIN); },
       CRMKIT_EINVALID, "occurred_at"},
      {"attributes array", [](crmkit_interaction* x, int64_t) { crmkit_interaction_set_attributes(x, "[]"); },
       CRMKIT_EINVALID, "attributes must be a JSON object"},
      {"attributes broken", [](crmkit_interaction* x, int64_t) { crmkit_interaction_set_attributes(x, "{\"a\"}"); },
       CRMKIT_EINVALID, "attributes is not valid JSON"},
  };
  for (const auto& k : cases) {
    INFO(k.what);
    Rec x;
    make_purchase(x.r, c, 2000, 10);
    k.spoil(x.r, c);
    int64_t id = 77;
    CHECK(crmkit_interaction_record(&id, d.db, x.r) == k.status);
    CHECK(id == 0);
    CHECK(message_has(k.needle));
    CHECK(std::string(crmkit_db_error_message(d.db)).find(k.needle) != std::string::npos);
    CHECK(snapshot(d.db) == before);
  }
  const char* bad_json[] = {
      "",
      "not json",
      "{\"customer_id\": 1, \"occurred_at\": 5",
      "[1, 2]",
      "{\"occurred_at\": 5, \"kind\": \"note\"}",
      "{\"customer_id\": 1, \"kind\": \"note\"}",
      "{\"customer_id\": 1, \"occurred_at\": 5}",
      "{\"customer_id\": \"1\", \"occurred_at\": 5, \"kind\": \"note\"}",
      "{\"customer_id\": 1, \"occurred_at\": 5.5, \"kind\": \"note\"}",
      "{\"customer_id\": 1, \"occurred_at\": 5, \"kind\": \"sale\"}",
      "{\"customer_id\": 1, \"occurred_at\": 5, \"kind\": \"purchase\", \"amount\": 5}",
      "{\"customer_id\": 1, \"occurred_at\": 5, \"kind\": \"purchase\", \"amount\": {\"minor\": -5, \"currency\": \"EUR\"}}",
      "{\"customer_id\": 1, \"occurred_at\": 5, \"kind\": \"note\", \"colour\": \"red\"}",
      "{\"customer_id\": 1, \"occurred_at\": 5, \"kind\": \"note\", \"id\": 9}",
      "{\"customer_id\": 9223372036854775808, \"occurred_at\": 5, \"kind\": \"note\"}",
  };
  for (const char* text : bad_json) {
    INFO(text);
    int64_t id = 3;
    CHECK(crmkit_interaction_record_json(&id, d.db, text) == CRMKIT_EINVALID);
    CHECK(id == 0);
    CHECK(snapshot(d.db) == before);
  }
  int64_t id = 0;
  CHECK(crmkit_interaction_record_json(&id, d.db, "{\"customer_id\": 999, \"occurred_at\": 5, \"kind\": \"note\"}") ==
        CRMKIT_ENOTFOUND);
  char* json = nullptr;
  CHECK(crmkit_interaction_get_json(&json, d.db, INT64_MAX) == CRMKIT_ENOTFOUND);
  CHECK(crmkit_interaction_get_json(&json, d.db, INT64_MIN) == CRMKIT_ENOTFOUND);
  CHECK(crmkit_customer_figures_json(&json, d.db, INT64_MAX) == CRMKIT_ENOTFOUND);
  CHECK(json == nullptr);
  CHECK(snapshot(d.db) == before);
}

TEST_CASE("int64 limits round trip through amounts, margins and times", "[capi][interactions]") {
  Db d;
  int64_t c = add_customer(d.db, "c");
  Rec r;
  const int64_t latest = 253'402'300'799'999;     // 9999-12-31T23:59:59.999Z
  const int64_t earliest = -62'135'596'800'000;   // 0001-01-01T00:00:00Z
  make_purchase(r.r, c, latest, INT64_MAX);
  REQUIRE(crmkit_interaction_set_margin(r.r, INT64_MIN) == CRMKIT_OK);
  int64_t id = 0;
  REQUIRE(crmkit_interaction_record(&id, d.db, r.r) == CRMKIT_OK);
  Rec early;
  make_purchase(early.r, c, earliest, 0, "JPY");
  REQUIRE(crmkit_interaction_record(&id, d.db, early.r) == CRMKIT_OK);
  crmkit_interaction_iter* it = nullptr;
  REQUIRE(crmkit_interaction_iter_new(&it, d.db, c, nullptr, nullptr, INT64_MIN, INT64_MAX) == CRMKIT_OK);
  REQUIRE(crmkit_interaction_iter_next(it) == CRMKIT_OK);
  CHECK(crmkit_interaction_iter_occurred_at(it) == latest);
  CHECK(crmkit_interaction_iter_amount(it) == INT64_MAX);
  char* json = nullptr;
  REQUIRE(crmkit_interaction_iter_json(&json, it) == CRMKIT_OK);
  std::string j = take(json);
  CHECK(j.find("\"margin\":-9223372036854775808") != std::string::npos);
  CHECK(j.find("\"minor\":9223372036854775807") != std::string::npos);
  REQUIRE(crmkit_interaction_iter_next(it) == CRMKIT_OK);
  CHECK(crmkit_interaction_iter_occurred_at(it) == earliest);
  CHECK(std::string(crmkit_interaction_iter_currency(it)) == "JPY");
  CHECK(crmkit_interaction_iter_next(it) == CRMKIT_DONE);
  crmkit_interaction_iter_free(it);
  REQUIRE(crmkit_customer_figures_json(&json, d.db, c) == CRMKIT_OK);
  j = take(json);
  CHECK(j.find("\"purchase_total\":9223372036854775807") != std::string::npos);
  CHECK(j.find("\"purchase_days\":2") != std::string::npos);
  // One more purchase in the same currency would overflow the total: refused, nothing written.
  const std::string before = snapshot(d.db);
  Rec more;
  make_purchase(more.r, c, 5, 1);
  CHECK(crmkit_interaction_record(&id, d.db, more.r) == CRMKIT_EINVALID);
  CHECK(message_has("EUR totals of customer"));
  CHECK(message_has("would overflow"));
  CHECK(snapshot(d.db) == before);
}

TEST_CASE("batches: all-or-nothing, skip_invalid with per-row errors, JSON rows", "[capi][interactions]") {
  Db d;
  int64_t c = add_customer(d.db, "c");
  crmkit_batch* b = nullptr;
  REQUIRE(crmkit_batch_new(&b) == CRMKIT_OK);
  Rec r;
  for (int k = 0; k < 5; ++k) {
    make_purchase(r.r, c, 1000 + k, 100 + k);
    REQUIRE(crmkit_batch_add(b, r.r) == CRMKIT_OK);
  }
  make_purchase(r.r, c, 2000, -1);  // bad: row 5
  REQUIRE(crmkit_batch_add(b, r.r) == CRMKIT_OK);
  std::string ok_json = "{\"customer_id\": " + std::to_string(c) +
                        ", \"occurred_at\": 3000, \"kind\": \"visit\", \"channel\": \"store\"}";
  REQUIRE(crmkit_batch_add_json(b, ok_json.c_str()) == CRMKIT_OK);
  CHECK(crmkit_batch_add_json(b, "{\"kind\": \"visit\"}") == CRMKIT_EINVALID);
  CHECK(crmkit_batch_size(b) == 7);
  const std::string before = snapshot(d.db);
  crmkit_batch_result* res = nullptr;
  CHECK(crmkit_batch_commit(&res, d.db, b) == CRMKIT_EINVALID);
  CHECK(res == nullptr);
  CHECK(message_has("row 5: amount -1 is negative"));
  CHECK(snapshot(d.db) == before);

  REQUIRE(crmkit_batch_set_skip_invalid(b, 1) == CRMKIT_OK);
  Rec ghost;
  REQUIRE(crmkit_interaction_set_customer_id(ghost.r, c + 50) == CRMKIT_OK);
  REQUIRE(crmkit_interaction_set_kind(ghost.r, "note") == CRMKIT_OK);
  REQUIRE(crmkit_batch_add(b, ghost.r) == CRMKIT_OK);  // row 7: unknown customer
  REQUIRE(crmkit_batch_commit(&res, d.db, b) == CRMKIT_OK);
  CHECK(crmkit_batch_result_inserted(res) == 6);
  CHECK(crmkit_batch_result_duplicates(res) == 0);
  CHECK(crmkit_batch_result_error_count(res) == 2);
  CHECK(crmkit_batch_result_id(res, 0) > 0);
  CHECK(crmkit_batch_result_id(res, 5) == 0);
  CHECK(crmkit_batch_result_id(res, 7) == 0);
  CHECK(crmkit_batch_result_id(res, 8) == 0);
  CHECK(crmkit_batch_result_id(res, -1) == 0);
  int64_t row = -1;
  int status = 0;
  const char* message = nullptr;
  REQUIRE(crmkit_batch_result_error(&row, &status, &message, res, 0) == CRMKIT_OK);
  CHECK(row == 5);
  CHECK(status == CRMKIT_EINVALID);
  CHECK(std::string(message).find("amount -1") != std::string::npos);
  REQUIRE(crmkit_batch_result_error(&row, &status, nullptr, res, 1) == CRMKIT_OK);
  CHECK(row == 7);
  CHECK(status == CRMKIT_ENOTFOUND);
  CHECK(crmkit_batch_result_error(&row, &status, &message, res, 2) == CRMKIT_EINVALID);
  char* json = nullptr;
  REQUIRE(crmkit_batch_result_json(&json, res) == CRMKIT_OK);
  std::string j = take(json);
  CHECK(j.find("\"inserted\":6") != std::string::npos);
  CHECK(j.find("\"row\":5") != std::string::npos);
  CHECK(j.find("\"status\":-2") != std::string::npos);
  crmkit_batch_result_free(res);
  REQUIRE(crmkit_customer_figures_json(&json, d.db, c) == CRMKIT_OK);
  j = take(json);
  CHECK(j.find("\"purchase_total\":510") != std::string::npos);  // 100+101+102+103+104
  CHECK(j.find("\"interaction_count\":6") != std::string::npos);

  // Inside an explicit transaction that is rolled back, the batch leaves nothing.
  const std::string committed = snapshot(d.db);
  REQUIRE(crmkit_batch_clear(b) == CRMKIT_OK);
  CHECK(crmkit_batch_size(b) == 0);
  make_purchase(r.r, c, 9000, 1);
  REQUIRE(crmkit_batch_add(b, r.r) == CRMKIT_OK);
  REQUIRE(crmkit_db_begin(d.db) == CRMKIT_OK);
  REQUIRE(crmkit_batch_commit(&res, d.db, b) == CRMKIT_OK);
  CHECK(crmkit_batch_result_inserted(res) == 1);
  crmkit_batch_result_free(res);
  REQUIRE(crmkit_db_rollback(d.db) == CRMKIT_OK);
  CHECK(snapshot(d.db) == committed);
  crmkit_batch_free(b);
}

TEST_CASE("the timeline iterator filters, pages, exhausts and outlives its db", "[capi][interactions]") {
  crmkit_db* db = nullptr;
  REQUIRE(open_test_db(&db) == CRMKIT_OK);
  int64_t c = add_customer(db, "c");
  crmkit_batch* b = nullptr;
  REQUIRE(crmkit_batch_new(&b) == CRMKIT_OK);
  REQUIRE(crmkit_batch_set_allow_repeats(b, 1) == CRMKIT_OK);  // rows 1000 apart are alike: repeats on purpose
  Rec r;
  for (int k = 0; k < 1100; ++k) {
    REQUIRE(crmkit_interaction_set_customer_id(r.r, c) == CRMKIT_OK);
    REQUIRE(crmkit_interaction_set_occurred_at(r.r, (k * 37) % 1000) == CRMKIT_OK);  // ties and disorder
    REQUIRE(crmkit_interaction_set_kind(r.r, k % 4 == 0 ? "support" : "note") == CRMKIT_OK);
    REQUIRE(crmkit_interaction_set_channel(r.r, k % 2 == 0 ? "chat" : "email") == CRMKIT_OK);
    REQUIRE(crmkit_batch_add(b, r.r) == CRMKIT_OK);
  }
  crmkit_batch_result* res = nullptr;
  REQUIRE(crmkit_batch_commit(&res, db, b) == CRMKIT_OK);
  crmkit_batch_result_free(res);
  crmkit_batch_free(b);

  crmkit_interaction_iter* all = nullptr;
  crmkit_interaction_iter* support = nullptr;
  crmkit_interaction_iter* none = nullptr;
  REQUIRE(crmkit_interaction_iter_new(&all, db, c, nullptr, nullptr, INT64_MIN, INT64_MAX) == CRMKIT_OK);
  REQUIRE(crmkit_interaction_iter_new(&support, db, c, "chat", "support", 100, 500) == CRMKIT_OK);
  REQUIRE(crmkit_interaction_iter_new(&none, db, c, "sms", nullptr, INT64_MIN, INT64_MAX) == CRMKIT_OK);
  crmkit_interaction_iter* bad = nullptr;
  CHECK(crmkit_interaction_iter_new(&bad, db, c + 1, nullptr, nullptr, INT64_MIN, INT64_MAX) == CRMKIT_ENOTFOUND);
  CHECK(crmkit_interaction_iter_new(&bad, db, c, "fax", nullptr, INT64_MIN, INT64_MAX) == CRMKIT_EINVALID);
  CHECK(crmkit_interaction_iter_new(&bad, db, c, nullptr, "sale", INT64_MIN, INT64_MAX) == CRMKIT_EINVALID);
  CHECK(bad == nullptr);
  crmkit_db_close(db);

  int64_t n = 0, prev_t = INT64_MAX, prev_id = INT64_MAX;
  while (crmkit_interaction_iter_next(all) == CRMKIT_OK) {
    int64_t t = crmkit_interaction_iter_occurred_at(all), id = crmkit_interaction_iter_id(all);
    CHECK((t < prev_t || (t == prev_t && id < prev_id)));
    CHECK(crmkit_interaction_iter_customer_id(all) == c);
    CHECK(crmkit_interaction_iter_currency(all) == nullptr);
    CHECK(crmkit_interaction_iter_amount(all) == 0);
    CHECK(std::string(crmkit_interaction_iter_direction(all)) == "none");
    prev_t = t;
    prev_id = id;
    ++n;
  }
  CHECK(n == 1100);
  CHECK(crmkit_interaction_iter_next(all) == CRMKIT_DONE);
  CHECK(crmkit_interaction_iter_id(all) == 0);
  char* json = nullptr;
  CHECK(crmkit_interaction_iter_json(&json, all) == CRMKIT_EMISUSE);
  int64_t m = 0;
  while (crmkit_interaction_iter_next(support) == CRMKIT_OK) {
    CHECK(std::string(crmkit_interaction_iter_kind(support)) == "support");
    CHECK(std::string(crmkit_interaction_iter_channel(support)) == "chat");
    CHECK(crmkit_interaction_iter_occurred_at(support) >= 100);
    CHECK(crmkit_interaction_iter_occurred_at(support) < 500);
    ++m;
  }
  // k % 4 == 0 and (37k mod 1000) in [100, 500): counted independently here.
  int64_t expected = 0;
  for (int k = 0; k < 1100; k += 4)
    if ((k * 37) % 1000 >= 100 && (k * 37) % 1000 < 500) ++expected;
  CHECK(m == expected);
  CHECK(crmkit_interaction_iter_next(none) == CRMKIT_DONE);
  crmkit_interaction_iter_free(none);
  crmkit_interaction_iter_free(support);
  crmkit_interaction_iter_free(all);
}

TEST_CASE("one handle is used from several threads at once", "[capi][interactions]") {
  MemoryDb d;
  crmkit_db* db = d.db;
  int64_t c = add_customer(db, "shared");
  constexpr int kThreads = 4, kEach = 150;
  std::vector<std::thread> threads;
  std::vector<int> failures(kThreads, 0);
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      crmkit_interaction* r = nullptr;
      if (crmkit_interaction_new(&r) != CRMKIT_OK) return void(++failures[t]);
      for (int k = 0; k < kEach; ++k) {
        crmkit_interaction_set_customer_id(r, c);
        crmkit_interaction_set_occurred_at(r, 86'400'000LL * (k % 10) + t);
        crmkit_interaction_set_kind(r, "purchase");
        crmkit_interaction_set_amount(r, 1, "EUR");
        std::string ext = "t" + std::to_string(t) + "-" + std::to_string(k);
        crmkit_interaction_set_external_id(r, ext.c_str());
        int64_t id = 0;
        if (crmkit_interaction_record(&id, db, r) != CRMKIT_OK) ++failures[t];
        char* json = nullptr;
        if (crmkit_customer_figures_json(&json, db, c) != CRMKIT_OK) ++failures[t];
        crmkit_free(json);
      }
      crmkit_interaction_free(r);
    });
  }
  for (auto& th : threads) th.join();
  for (int t = 0; t < kThreads; ++t) CHECK(failures[t] == 0);
  char* json = nullptr;
  REQUIRE(crmkit_customer_figures_json(&json, db, c) == CRMKIT_OK);
  std::string j = take(json);
  CHECK(j.find("\"purchase_count\":600") != std::string::npos);
  CHECK(j.find("\"purchase_days\":10") != std::string::npos);
  CHECK(j.find("\"purchase_total\":600") != std::string::npos);
}

// ---- idempotent batches without external_id ----------------------------------------------

TEST_CASE("a batch without external_ids committed twice records each fact once and allow_repeats records repeats",
          "[capi][interactions]") {
  Db d;
  int64_t c = add_customer(d.db, "c");
  crmkit_batch* b = nullptr;
  REQUIRE(crmkit_batch_new(&b) == CRMKIT_OK);
  CHECK(crmkit_batch_set_allow_repeats(nullptr, 1) == CRMKIT_EINVALID);
  Rec r;
  make_purchase(r.r, c, 1000, 350);
  REQUIRE(crmkit_batch_add(b, r.r) == CRMKIT_OK);
  REQUIRE(crmkit_batch_add(b, r.r) == CRMKIT_OK);  // the same coffee again
  crmkit_batch_result* res = nullptr;
  REQUIRE(crmkit_batch_commit(&res, d.db, b) == CRMKIT_OK);
  CHECK(crmkit_batch_result_inserted(res) == 1);
  CHECK(crmkit_batch_result_duplicates(res) == 1);
  CHECK(crmkit_batch_result_duplicate_natural_keys(res) == 1);
  CHECK(crmkit_batch_result_duplicate_external_ids(res) == 0);
  crmkit_batch_result_free(res);
  const std::string before = snapshot(d.db);
  REQUIRE(crmkit_batch_commit(&res, d.db, b) == CRMKIT_OK);
  CHECK(crmkit_batch_result_inserted(res) == 0);
  CHECK(crmkit_batch_result_duplicate_natural_keys(res) == 2);
  char* json = nullptr;
  REQUIRE(crmkit_batch_result_json(&json, res) == CRMKIT_OK);
  CHECK(take(json).find("\"duplicates_by_reason\":{\"same_external_id\":0,\"same_natural_key\":2}") !=
        std::string::npos);
  crmkit_batch_result_free(res);
  CHECK(snapshot(d.db) == before);

  REQUIRE(crmkit_batch_set_allow_repeats(b, 1) == CRMKIT_OK);
  REQUIRE(crmkit_batch_commit(&res, d.db, b) == CRMKIT_OK);
  CHECK(crmkit_batch_result_inserted(res) == 2);
  CHECK(crmkit_batch_result_duplicates(res) == 0);
  crmkit_batch_result_free(res);
  CHECK(crmkit_batch_result_duplicate_natural_keys(nullptr) == 0);
  REQUIRE(crmkit_customer_figures_json(&json, d.db, c) == CRMKIT_OK);
  CHECK(take(json).find("\"purchase_count\":3") != std::string::npos);
  crmkit_batch_free(b);
}

TEST_CASE("channel kind and currency text in any ASCII case are stored canonical", "[capi][interactions]") {
  Db d;
  int64_t c = add_customer(d.db, "c");
  Rec r;
  REQUIRE(crmkit_interaction_set_customer_id(r.r, c) == CRMKIT_OK);
  REQUIRE(crmkit_interaction_set_occurred_at(r.r, 1000) == CRMKIT_OK);
  REQUIRE(crmkit_interaction_set_kind(r.r, "Purchase") == CRMKIT_OK);
  REQUIRE(crmkit_interaction_set_channel(r.r, "WEB") == CRMKIT_OK);
  REQUIRE(crmkit_interaction_set_amount(r.r, 500, "jpy") == CRMKIT_OK);
  int64_t id = 0;
  REQUIRE(crmkit_interaction_record(&id, d.db, r.r) == CRMKIT_OK);
  std::string j = interaction_json(d.db, id);
  CHECK(j.find("\"channel\":\"web\"") != std::string::npos);
  CHECK(j.find("\"kind\":\"purchase\"") != std::string::npos);
  CHECK(j.find("\"currency\":\"JPY\"") != std::string::npos);
  CHECK(crmkit_interaction_set_channel(r.r, "w eb") == CRMKIT_EINVALID);
}
