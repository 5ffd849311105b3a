// The customers section of the C API, through crmkit.h only.
#include <catch2/catch.hpp>

#include <string>

#include "capi/test_db.hpp"
#include "core_fixture.hpp"
#include "crmkit.h"

namespace {

using Db = MemoryDb;

struct Rec {
  crmkit_customer* c = nullptr;
  Rec() { REQUIRE(crmkit_customer_new(&c) == CRMKIT_OK); }
  ~Rec() { crmkit_customer_free(c); }
};

}  // namespace

TEST_CASE("customer functions refuse every NULL pointer with EINVALID naming it", "[capi][customers]") {
  Db d;
  Rec r;
  int64_t id = 7;
  char* json = reinterpret_cast<char*>(0x1);
  CHECK(crmkit_customer_new(nullptr) == CRMKIT_EINVALID);
  CHECK(crmkit_customer_set_text(nullptr, "email", "a@b.co") == CRMKIT_EINVALID);
  CHECK(message_has("c is NULL"));
  CHECK(crmkit_customer_set_text(r.c, nullptr, "x") == CRMKIT_EINVALID);
  CHECK(message_has("field is NULL"));
  CHECK(crmkit_customer_set_acquisition_cost(nullptr, 1, "EUR") == CRMKIT_EINVALID);
  CHECK(crmkit_customer_set_acquisition_cost(r.c, 1, nullptr) == CRMKIT_EINVALID);
  CHECK(message_has("currency is NULL"));
  CHECK(crmkit_customer_set_created_at(nullptr, 1) == CRMKIT_EINVALID);
  CHECK(crmkit_customer_add_tag(nullptr, "t") == CRMKIT_EINVALID);
  CHECK(crmkit_customer_add_tag(r.c, nullptr) == CRMKIT_EINVALID);
  CHECK(crmkit_customer_clear_field(nullptr, "email") == CRMKIT_EINVALID);
  CHECK(crmkit_customer_clear_field(r.c, nullptr) == CRMKIT_EINVALID);
  CHECK(crmkit_customer_create(&id, nullptr, r.c) == CRMKIT_EINVALID);
  CHECK(message_has("db is NULL"));
  CHECK(crmkit_customer_create(&id, d.db, nullptr) == CRMKIT_EINVALID);
  CHECK(crmkit_customer_create(nullptr, d.db, r.c) == CRMKIT_EINVALID);
  CHECK(message_has("id is NULL"));
  CHECK(crmkit_customer_upsert(&id, nullptr, nullptr, r.c) == CRMKIT_EINVALID);
  CHECK(crmkit_customer_upsert(&id, nullptr, d.db, nullptr) == CRMKIT_EINVALID);
  CHECK(crmkit_customer_upsert(nullptr, nullptr, d.db, r.c) == CRMKIT_EINVALID);
  CHECK(crmkit_customer_upsert_json(&id, nullptr, nullptr, "{}") == CRMKIT_EINVALID);
  CHECK(crmkit_customer_upsert_json(&id, nullptr, d.db, nullptr) == CRMKIT_EINVALID);
  CHECK(message_has("json is NULL"));
  CHECK(crmkit_customer_upsert_json(nullptr, nullptr, d.db, "{}") == CRMKIT_EINVALID);
  CHECK(crmkit_customer_update(nullptr, 1, r.c, 1) == CRMKIT_EINVALID);
  CHECK(crmkit_customer_update(d.db, 1, nullptr, 1) == CRMKIT_EINVALID);
  CHECK(crmkit_customer_delete(nullptr, 1) == CRMKIT_EINVALID);
  CHECK(crmkit_customer_get_json(&json, nullptr, 1) == CRMKIT_EINVALID);
  CHECK(crmkit_customer_get_json(nullptr, d.db, 1) == CRMKIT_EINVALID);
  CHECK(crmkit_customer_get_by_external_id_json(&json, d.db, nullptr) == CRMKIT_EINVALID);
  CHECK(json == nullptr);
  CHECK(crmkit_customer_get_by_external_id_json(nullptr, d.db, "x") == CRMKIT_EINVALID);
  CHECK(crmkit_customer_get_by_external_id_json(&json, nullptr, "x") == CRMKIT_EINVALID);
  CHECK(crmkit_customer_find_by_email_json(&json, d.db, nullptr) == CRMKIT_EINVALID);
  CHECK(crmkit_customer_find_by_email_json(nullptr, d.db, "a@b.co") == CRMKIT_EINVALID);
  CHECK(crmkit_customer_find_by_email_json(&json, nullptr, "a@b.co") == CRMKIT_EINVALID);
  CHECK(crmkit_customer_find_id(&id, d.db, nullptr) == CRMKIT_EINVALID);
  CHECK(crmkit_customer_find_id(nullptr, d.db, "x") == CRMKIT_EINVALID);
  CHECK(crmkit_customer_find_id(&id, nullptr, "x") == CRMKIT_EINVALID);
  CHECK(crmkit_customer_filter_new(nullptr) == CRMKIT_EINVALID);
  CHECK(crmkit_customer_filter_set_created_from(nullptr, 1) == CRMKIT_EINVALID);
  CHECK(crmkit_customer_filter_set_created_to(nullptr, 1) == CRMKIT_EINVALID);
  CHECK(crmkit_customer_filter_set_tag(nullptr, "t") == CRMKIT_EINVALID);
  CHECK(crmkit_customer_filter_set_lifecycle_stage(nullptr, "lead") == CRMKIT_EINVALID);
  CHECK(crmkit_customer_filter_set_country(nullptr, "DE") == CRMKIT_EINVALID);
  crmkit_customer_filter* f = nullptr;
  REQUIRE(crmkit_customer_filter_new(&f) == CRMKIT_OK);
  CHECK(crmkit_customer_filter_set_tag(f, nullptr) == CRMKIT_EINVALID);
  CHECK(crmkit_customer_filter_set_lifecycle_stage(f, nullptr) == CRMKIT_EINVALID);
  CHECK(crmkit_customer_filter_set_country(f, nullptr) == CRMKIT_EINVALID);
  CHECK(crmkit_customer_count(&id, nullptr, f) == CRMKIT_EINVALID);
  CHECK(crmkit_customer_count(nullptr, d.db, f) == CRMKIT_EINVALID);
  crmkit_customer_iter* it = reinterpret_cast<crmkit_customer_iter*>(0x1);
  CHECK(crmkit_customer_iter_new(nullptr, d.db, f, 0) == CRMKIT_EINVALID);
  CHECK(crmkit_customer_iter_new(&it, nullptr, f, 0) == CRMKIT_EINVALID);
  CHECK(it == nullptr);
  CHECK(crmkit_customer_iter_next(nullptr) == CRMKIT_EINVALID);
  CHECK(crmkit_customer_iter_json(&json, nullptr) == CRMKIT_EINVALID);
  CHECK(crmkit_customer_iter_id(nullptr) == 0);
  CHECK(crmkit_customer_iter_email(nullptr) == nullptr);
  CHECK(crmkit_customer_iter_kind(nullptr) == nullptr);
  crmkit_customer_filter_free(f);
  crmkit_customer_free(nullptr);
  crmkit_customer_filter_free(nullptr);
  crmkit_customer_iter_free(nullptr);
}

TEST_CASE("customers are created, read as JSON, updated and deleted", "[capi][customers]") {
  Db d;
  REQUIRE(crmkit_db_set_default_region(d.db, "DE") == CRMKIT_OK);
  Rec r;
  REQUIRE(crmkit_customer_set_text(r.c, "external_id", "K-1") == CRMKIT_OK);
  REQUIRE(crmkit_customer_set_text(r.c, "display_name", "Jürgen 😀 Straße") == CRMKIT_OK);
  REQUIRE(crmkit_customer_set_text(r.c, "email", "Juergen@Example.DE") == CRMKIT_OK);
  REQUIRE(crmkit_customer_set_text(r.c, "phone", "030 1234567") == CRMKIT_OK);
  REQUIRE(crmkit_customer_set_text(r.c, "kind", "organization") == CRMKIT_OK);
  REQUIRE(crmkit_customer_set_text(r.c, "lifecycle_stage", "prospect") == CRMKIT_OK);
  REQUIRE(crmkit_customer_set_text(r.c, "country", "de") == CRMKIT_OK);
  REQUIRE(crmkit_customer_set_text(r.c, "attributes", "{\"tier\": \"gold\"}") == CRMKIT_OK);
  REQUIRE(crmkit_customer_set_acquisition_cost(r.c, 1250, "EUR") == CRMKIT_OK);
  REQUIRE(crmkit_customer_add_tag(r.c, "b2b") == CRMKIT_OK);
  REQUIRE(crmkit_customer_set_created_at(r.c, 1'700'000'000'000) == CRMKIT_OK);
  int64_t id = 0;
  REQUIRE(crmkit_customer_create(&id, d.db, r.c) == CRMKIT_OK);
  CHECK(id > 0);
  char* json = nullptr;
  REQUIRE(crmkit_customer_get_json(&json, d.db, id) == CRMKIT_OK);
  std::string j = take(json);
  CHECK(j.find("\"display_name\":\"Jürgen 😀 Straße\"") != std::string::npos);
  CHECK(j.find("\"email\":\"juergen@example.de\"") != std::string::npos);
  CHECK(j.find("\"phone\":\"+49301234567\"") != std::string::npos);
  CHECK(j.find("\"kind\":\"organization\"") != std::string::npos);
  CHECK(j.find("\"lifecycle_stage\":\"prospect\"") != std::string::npos);
  CHECK(j.find("\"country\":\"DE\"") != std::string::npos);
  CHECK(j.find("\"acquisition_cost\":{\"currency\":\"EUR\",\"minor\":1250}") != std::string::npos);
  CHECK(j.find("\"attributes\":{\"tier\":\"gold\"}") != std::string::npos);
  CHECK(j.find("\"tags\":[\"b2b\"]") != std::string::npos);
  CHECK(j.find("\"created_at\":1700000000000") != std::string::npos);

  REQUIRE(crmkit_customer_get_by_external_id_json(&json, d.db, "K-1") == CRMKIT_OK);
  CHECK(take(json) == j);
  int64_t found = 0;
  REQUIRE(crmkit_customer_find_id(&found, d.db, "K-1") == CRMKIT_OK);
  CHECK(found == id);
  CHECK(crmkit_customer_find_id(&found, d.db, "K-2") == CRMKIT_ENOTFOUND);
  CHECK(found == 0);
  REQUIRE(crmkit_customer_find_by_email_json(&json, d.db, "JUERGEN@example.de") == CRMKIT_OK);
  CHECK(take(json) == "[" + j + "]");
  REQUIRE(crmkit_customer_find_by_email_json(&json, d.db, "x@example.de") == CRMKIT_OK);
  CHECK(take(json) == "[]");

  // Update: set one field, clear two.
  Rec u;
  REQUIRE(crmkit_customer_set_text(u.c, "city", "Köln") == CRMKIT_OK);
  REQUIRE(crmkit_customer_clear_field(u.c, "phone") == CRMKIT_OK);
  REQUIRE(crmkit_customer_clear_field(u.c, "tags") == CRMKIT_OK);
  REQUIRE(crmkit_customer_update(d.db, id, u.c, 1'700'000'100'000) == CRMKIT_OK);
  REQUIRE(crmkit_customer_get_json(&json, d.db, id) == CRMKIT_OK);
  j = take(json);
  CHECK(j.find("\"city\":\"Köln\"") != std::string::npos);
  CHECK(j.find("\"phone\":null") != std::string::npos);
  CHECK(j.find("\"tags\":[]") != std::string::npos);
  CHECK(j.find("\"updated_at\":1700000100000") != std::string::npos);

  CHECK(crmkit_customer_delete(d.db, id) == CRMKIT_OK);
  CHECK(crmkit_customer_get_json(&json, d.db, id) == CRMKIT_ENOTFOUND);
  CHECK(json == nullptr);
  CHECK(message_has("does not exist"));
  CHECK(std::string(crmkit_db_error_message(d.db)).find("does not exist") != std::string::npos);
  CHECK(crmkit_customer_delete(d.db, id) == CRMKIT_ENOTFOUND);
}

TEST_CASE("bad customer input gets a specific status and changes nothing", "[capi][customers]") {
  Db d;
  Rec base;
  REQUIRE(crmkit_customer_set_text(base.c, "external_id", "E-1") == CRMKIT_OK);
  REQUIRE(crmkit_customer_set_created_at(base.c, 1) == CRMKIT_OK);
  int64_t id = 0;
  REQUIRE(crmkit_customer_create(&id, d.db, base.c) == CRMKIT_OK);
  const std::string before = snapshot(d.db);

  // Refused by the setters.
  Rec r;
  CHECK(crmkit_customer_set_text(r.c, "display_name", "bad \xc3\x28 utf8") == CRMKIT_EINVALID);
  CHECK(message_has("display_name is not valid UTF-8"));
  CHECK(crmkit_customer_set_text(r.c, "nickname", "x") == CRMKIT_EINVALID);
  CHECK(message_has("'nickname' is not a customer text field"));
  CHECK(crmkit_customer_set_text(r.c, "kind", "robot") == CRMKIT_EINVALID);
  CHECK(message_has("kind 'robot'"));
  CHECK(crmkit_customer_set_text(r.c, "lifecycle_stage", "LEAD") == CRMKIT_EINVALID);
  CHECK(crmkit_customer_set_text(r.c, "city", std::string(1001, 'c').c_str()) == CRMKIT_EINVALID);
  CHECK(message_has("city is"));

  struct Case {
    const char* field;
    const char* value;
    int status;
    const char* needle;
  };
  const Case cases[] = {
      {"email", "nope", CRMKIT_EINVALID, "email 'nope' has no '@'"},
      {"phone", "12345678", CRMKIT_EINVALID, "default_region"},
      {"phone", "+1 555 0100", CRMKIT_EINVALID, "phone '+1 555 0100' is a local number only"},
      {"birth_date", "2023-02-29", CRMKIT_EINVALID, "birth_date"},
      {"gender", "Q", CRMKIT_EINVALID, "gender 'Q'"},
      {"country", "ZZ", CRMKIT_EINVALID, "country 'ZZ'"},
      {"attributes", "[1]", CRMKIT_EINVALID, "attributes must be a JSON object"},
      {"attributes", "{\"a\":", CRMKIT_EINVALID, "attributes is not valid JSON"},
      {"external_id", "E-1", CRMKIT_ECONFLICT, "already belongs to customer"},
  };
  for (const auto& k : cases) {
    INFO(k.field << " = " << k.value);
    Rec c;
    REQUIRE(crmkit_customer_set_created_at(c.c, 5) == CRMKIT_OK);
    REQUIRE(crmkit_customer_set_text(c.c, k.field, k.value) == CRMKIT_OK);
    int64_t out = 99;
    CHECK(crmkit_customer_create(&out, d.db, c.c) == k.status);
    CHECK(out == 0);
    CHECK(message_has(k.needle));
    CHECK(snapshot(d.db) == before);
  }
  Rec cost;
  REQUIRE(crmkit_customer_set_created_at(cost.c, 5) == CRMKIT_OK);
  REQUIRE(crmkit_customer_set_acquisition_cost(cost.c, -1, "EUR") == CRMKIT_OK);
  CHECK(crmkit_customer_create(&id, d.db, cost.c) == CRMKIT_EINVALID);
  CHECK(message_has("acquisition_cost -1 is negative"));
  Rec no_time;
  CHECK(crmkit_customer_create(&id, d.db, no_time.c) == CRMKIT_EINVALID);
  CHECK(message_has("created_at is required"));
  Rec bad_tag;
  REQUIRE(crmkit_customer_set_created_at(bad_tag.c, 5) == CRMKIT_OK);
  REQUIRE(crmkit_customer_add_tag(bad_tag.c, std::string(101, 't').c_str()) == CRMKIT_OK);
  CHECK(crmkit_customer_create(&id, d.db, bad_tag.c) == CRMKIT_EINVALID);
  CHECK(message_has("101 characters"));
  Rec clear;
  REQUIRE(crmkit_customer_clear_field(clear.c, "lifecycle_stage") == CRMKIT_OK);
  CHECK(crmkit_customer_update(d.db, 1, clear.c, 10) == CRMKIT_EINVALID);
  CHECK(message_has("clear names 'lifecycle_stage'"));
  Rec ok;
  CHECK(crmkit_customer_update(d.db, INT64_MAX, ok.c, 10) == CRMKIT_ENOTFOUND);
  CHECK(crmkit_customer_delete(d.db, INT64_MIN) == CRMKIT_ENOTFOUND);
  char* json = nullptr;
  CHECK(crmkit_customer_get_json(&json, d.db, INT64_MAX) == CRMKIT_ENOTFOUND);
  CHECK(crmkit_customer_get_by_external_id_json(&json, d.db, "\xff") == CRMKIT_EINVALID);
  CHECK(crmkit_customer_find_by_email_json(&json, d.db, "not an email") == CRMKIT_EINVALID);

  // Malformed JSON and wrong types.
  const char* bad_json[] = {
      "",
      "{",
      "[]",
      "{\"external_id\": 5, \"created_at\": 1}",
      "{\"external_id\": \"J\", \"created_at\": \"yesterday\"}",
      "{\"external_id\": \"J\", \"created_at\": 1, \"nickname\": \"x\"}",
      "{\"external_id\": \"J\", \"created_at\": 1, \"id\": 3}",
      "{\"external_id\": \"J\", \"created_at\": 1, \"tags\": \"x\"}",
      "{\"external_id\": \"J\", \"created_at\": 1, \"kind\": \"robot\"}",
      "{\"external_id\": \"J\", \"created_at\": 1, \"acquisition_cost\": 5}",
      "{\"external_id\": \"J\", \"created_at\": 18446744073709551615}",
      "{\"created_at\": 1}",
      "{\"external_id\": \"J\"}",
  };
  for (const char* text : bad_json) {
    INFO(text);
    int64_t out = 5;
    int created = 7;
    CHECK(crmkit_customer_upsert_json(&out, &created, d.db, text) == CRMKIT_EINVALID);
    CHECK(out == 0);
    CHECK(created == 7);
    CHECK(snapshot(d.db) == before);
  }
  std::string deep = "{\"external_id\":\"J\",\"created_at\":1,\"attributes\":{\"a\":" + std::string(40, '[') +
                     std::string(40, ']') + "}}";
  CHECK(crmkit_customer_upsert_json(&id, nullptr, d.db, deep.c_str()) == CRMKIT_EINVALID);
  CHECK(message_has("levels deep"));
  CHECK(snapshot(d.db) == before);
}

TEST_CASE("upsert by record and by JSON is idempotent", "[capi][customers]") {
  Db d;
  const char* text =
      "{\"external_id\": \"J-1\", \"created_at\": \"2024-03-01T10:00:00Z\", \"email\": \"J@X.io\","
      " \"tags\": [\"a\", \"b\"], \"attributes\": {\"x\": 1}, \"acquisition_cost\": {\"minor\": 5, \"currency\": \"USD\"}}";
  int64_t id = 0, again = 0;
  int created = -1;
  REQUIRE(crmkit_customer_upsert_json(&id, &created, d.db, text) == CRMKIT_OK);
  CHECK(created == 1);
  const std::string after = snapshot(d.db);
  REQUIRE(crmkit_customer_upsert_json(&again, &created, d.db, text) == CRMKIT_OK);
  CHECK(again == id);
  CHECK(created == 0);
  CHECK(snapshot(d.db) == after);
  char* json = nullptr;
  REQUIRE(crmkit_customer_get_json(&json, d.db, id) == CRMKIT_OK);
  std::string j = take(json);
  CHECK(j.find("\"created_at\":1709287200000") != std::string::npos);  // 2024-03-01T10:00Z
  CHECK(j.find("\"email\":\"j@x.io\"") != std::string::npos);

  Rec r;
  REQUIRE(crmkit_customer_set_text(r.c, "external_id", "J-1") == CRMKIT_OK);
  REQUIRE(crmkit_customer_set_text(r.c, "city", "Lyon") == CRMKIT_OK);
  REQUIRE(crmkit_customer_set_created_at(r.c, 1'800'000'000'000) == CRMKIT_OK);
  REQUIRE(crmkit_customer_upsert(&again, nullptr, d.db, r.c) == CRMKIT_OK);
  CHECK(again == id);
  REQUIRE(crmkit_customer_get_json(&json, d.db, id) == CRMKIT_OK);
  j = take(json);
  CHECK(j.find("\"city\":\"Lyon\"") != std::string::npos);
  CHECK(j.find("\"updated_at\":1800000000000") != std::string::npos);
  CHECK(j.find("\"tags\":[\"a\",\"b\"]") != std::string::npos);
}

TEST_CASE("the customer iterator pages, filters, exhausts and outlives its db", "[capi][customers]") {
  crmkit_db* db = nullptr;
  REQUIRE(open_test_db(&db) == CRMKIT_OK);
  REQUIRE(crmkit_db_begin(db) == CRMKIT_OK);
  for (int k = 0; k < 1203; ++k) {
    Rec r;
    std::string ext = "I-" + std::to_string(k);
    REQUIRE(crmkit_customer_set_text(r.c, "external_id", ext.c_str()) == CRMKIT_OK);
    REQUIRE(crmkit_customer_set_text(r.c, "country", k % 3 == 0 ? "SE" : "NO") == CRMKIT_OK);
    if (k % 2 == 0) REQUIRE(crmkit_customer_add_tag(r.c, "even") == CRMKIT_OK);
    REQUIRE(crmkit_customer_set_created_at(r.c, k) == CRMKIT_OK);
    int64_t id = 0;
    REQUIRE(crmkit_customer_create(&id, db, r.c) == CRMKIT_OK);
  }
  REQUIRE(crmkit_db_commit(db) == CRMKIT_OK);

  crmkit_customer_iter* all = nullptr;
  REQUIRE(crmkit_customer_iter_new(&all, db, nullptr, 0) == CRMKIT_OK);
  CHECK(crmkit_customer_iter_id(all) == 0);  // nothing current yet
  char* json = nullptr;
  CHECK(crmkit_customer_iter_json(&json, all) == CRMKIT_EMISUSE);
  crmkit_customer_filter* f = nullptr;
  REQUIRE(crmkit_customer_filter_new(&f) == CRMKIT_OK);
  REQUIRE(crmkit_customer_filter_set_country(f, "se") == CRMKIT_OK);
  REQUIRE(crmkit_customer_filter_set_tag(f, "even") == CRMKIT_OK);
  crmkit_customer_iter* some = nullptr;
  REQUIRE(crmkit_customer_iter_new(&some, db, f, 0) == CRMKIT_OK);
  int64_t n = 0;
  REQUIRE(crmkit_customer_count(&n, db, f) == CRMKIT_OK);
  CHECK(n == 201);  // k divisible by 6 in 0..1202
  crmkit_customer_filter_free(f);  // the iterator took a copy

  crmkit_db_close(db);  // iterators keep the store alive

  int64_t count = 0, last = 0;
  while (crmkit_customer_iter_next(all) == CRMKIT_OK) {
    CHECK(crmkit_customer_iter_id(all) > last);
    last = crmkit_customer_iter_id(all);
    CHECK(crmkit_customer_iter_created_at(all) == count);
    CHECK(std::string(crmkit_customer_iter_external_id(all)) == "I-" + std::to_string(count));
    CHECK(crmkit_customer_iter_email(all) == nullptr);
    CHECK(std::string(crmkit_customer_iter_kind(all)) == "person");
    CHECK(std::string(crmkit_customer_iter_lifecycle_stage(all)) == "lead");
    ++count;
  }
  CHECK(count == 1203);
  CHECK(crmkit_customer_iter_next(all) == CRMKIT_DONE);  // stays done
  CHECK(crmkit_customer_iter_id(all) == 0);
  CHECK(crmkit_customer_iter_external_id(all) == nullptr);
  int64_t filtered = 0;
  while (crmkit_customer_iter_next(some) == CRMKIT_OK) {
    CHECK(std::string(crmkit_customer_iter_country(some)) == "SE");
    REQUIRE(crmkit_customer_iter_json(&json, some) == CRMKIT_OK);
    CHECK(take(json).find("\"even\"") != std::string::npos);
    ++filtered;
  }
  CHECK(filtered == 201);
  crmkit_customer_iter_free(some);
  crmkit_customer_iter_free(all);
}

TEST_CASE("bad filters are refused", "[capi][customers]") {
  Db d;
  crmkit_customer_filter* f = nullptr;
  REQUIRE(crmkit_customer_filter_new(&f) == CRMKIT_OK);
  CHECK(crmkit_customer_filter_set_lifecycle_stage(f, "won") == CRMKIT_EINVALID);
  CHECK(message_has("stage 'won'"));
  CHECK(crmkit_customer_filter_set_tag(f, "\xc0\x80") == CRMKIT_EINVALID);
  REQUIRE(crmkit_customer_filter_set_created_from(f, INT64_MIN) == CRMKIT_OK);
  crmkit_customer_iter* it = nullptr;
  CHECK(crmkit_customer_iter_new(&it, d.db, f, 0) == CRMKIT_EINVALID);
  CHECK(message_has("created_from"));
  CHECK(it == nullptr);
  CHECK(crmkit_customer_iter_new(&it, d.db, nullptr, -1) == CRMKIT_EINVALID);
  int64_t n = 0;
  CHECK(crmkit_customer_count(&n, d.db, f) == CRMKIT_EINVALID);
  crmkit_customer_filter_free(f);
}
