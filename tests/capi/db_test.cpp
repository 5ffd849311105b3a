// The C API's database handle, errors and transactions, through crmkit.h only.
#include <catch2/catch.hpp>

#include <string>

#include "core_fixture.hpp"
#include "crmkit.h"

TEST_CASE("version functions agree with the header", "[capi]") {
  CHECK(crmkit_version_number() == CRMKIT_VERSION_NUMBER);
  CHECK(std::string(crmkit_version_string()) == CRMKIT_VERSION_STRING);
}

TEST_CASE("NULL arguments are refused with EINVALID and a message naming them", "[capi]") {
  CHECK(crmkit_db_open(nullptr, ":memory:", nullptr) == CRMKIT_EINVALID);
  CHECK(std::string(crmkit_last_error_message()).find("out") != std::string::npos);
  crmkit_db* db = reinterpret_cast<crmkit_db*>(0x1);
  CHECK(crmkit_db_open(&db, nullptr, nullptr) == CRMKIT_EINVALID);
  CHECK(db == nullptr);
  CHECK(std::string(crmkit_last_error_message()).find("path") != std::string::npos);
  CHECK(crmkit_db_begin(nullptr) == CRMKIT_EINVALID);
  CHECK(std::string(crmkit_db_error_message(nullptr)) == "db is NULL");
  crmkit_db_close(nullptr);
  crmkit_options_free(nullptr);
  crmkit_free(nullptr);
}

TEST_CASE("open, settings, transactions and their misuse", "[capi]") {
  MemoryDb d;
  crmkit_db* db = d.db;
  CHECK(std::string(crmkit_last_error_message()).empty());
  int version = 0;
  CHECK(crmkit_db_schema_version(&version, db) == CRMKIT_OK);
  CHECK(version >= 1);
  CHECK(crmkit_db_commit(db) == CRMKIT_EMISUSE);
  CHECK(std::string(crmkit_db_error_message(db)).find("commit without begin") != std::string::npos);
  CHECK(crmkit_db_begin(db) == CRMKIT_OK);
  CHECK(crmkit_db_begin(db) == CRMKIT_EMISUSE);
  CHECK(crmkit_db_set_default_currency(db, "EUR") == CRMKIT_OK);
  CHECK(crmkit_db_rollback(db) == CRMKIT_OK);
  CHECK(crmkit_db_set_default_currency(db, "euro") == CRMKIT_EINVALID);
  CHECK(crmkit_db_set_default_currency(db, "\xff\xfe") == CRMKIT_EINVALID);
}

TEST_CASE("savepoints undo their own part of the begin transaction, nest, and end with it", "[capi]") {
  MemoryDb d;
  crmkit_db* db = d.db;
  auto region = [db] {
    char* j = nullptr;
    REQUIRE(crmkit_db_default_region(&j, db) == CRMKIT_OK);
    std::string out = j;
    crmkit_free(j);
    return out;
  };
  CHECK(crmkit_db_savepoint(nullptr) == CRMKIT_EINVALID);
  CHECK(crmkit_db_savepoint(db) == CRMKIT_EMISUSE);  // no transaction
  CHECK(std::string(crmkit_db_error_message(db)).find("savepoint without begin") != std::string::npos);
  REQUIRE(crmkit_db_begin(db) == CRMKIT_OK);
  CHECK(crmkit_db_release(db) == CRMKIT_EMISUSE);
  CHECK(crmkit_db_rollback_to(db) == CRMKIT_EMISUSE);
  CHECK(crmkit_db_set_default_region(db, "IT") == CRMKIT_OK);
  REQUIRE(crmkit_db_savepoint(db) == CRMKIT_OK);
  CHECK(crmkit_db_set_default_region(db, "FR") == CRMKIT_OK);
  REQUIRE(crmkit_db_savepoint(db) == CRMKIT_OK);  // nested
  CHECK(crmkit_db_set_default_region(db, "DE") == CRMKIT_OK);
  CHECK(crmkit_db_rollback_to(db) == CRMKIT_OK);  // the inner one: back to FR
  CHECK(region() == "FR");
  CHECK(crmkit_db_rollback_to(db) == CRMKIT_OK);  // the outer one: back to IT
  CHECK(region() == "IT");
  REQUIRE(crmkit_db_savepoint(db) == CRMKIT_OK);
  CHECK(crmkit_db_set_default_region(db, "ES") == CRMKIT_OK);
  CHECK(crmkit_db_release(db) == CRMKIT_OK);  // kept in the transaction
  REQUIRE(crmkit_db_savepoint(db) == CRMKIT_OK);
  CHECK(crmkit_db_set_default_region(db, "SE") == CRMKIT_OK);
  CHECK(crmkit_db_commit(db) == CRMKIT_OK);  // commits the open savepoint's part too
  CHECK(region() == "SE");
  CHECK(crmkit_db_release(db) == CRMKIT_EMISUSE);  // it ended with the transaction
  REQUIRE(crmkit_db_begin(db) == CRMKIT_OK);
  REQUIRE(crmkit_db_savepoint(db) == CRMKIT_OK);
  CHECK(crmkit_db_set_default_region(db, "NO") == CRMKIT_OK);
  CHECK(crmkit_db_rollback(db) == CRMKIT_OK);
  CHECK(region() == "SE");
}

TEST_CASE("the default region is set, read back and checked", "[capi]") {
  MemoryDb d;
  crmkit_db* db = d.db;
  char* region = nullptr;
  REQUIRE(crmkit_db_default_region(&region, db) == CRMKIT_OK);
  CHECK(std::string(region).empty());
  crmkit_free(region);
  REQUIRE(crmkit_db_set_default_region(db, "IT") == CRMKIT_OK);
  CHECK(crmkit_db_set_default_region(db, "it") == CRMKIT_EINVALID);
  CHECK(std::string(crmkit_db_error_message(db)).find("default_region 'it'") != std::string::npos);
  CHECK(crmkit_db_set_default_region(db, "39") == CRMKIT_EINVALID);
  CHECK(crmkit_db_set_default_region(db, nullptr) == CRMKIT_EINVALID);
  REQUIRE(crmkit_db_default_region(&region, db) == CRMKIT_OK);
  CHECK(std::string(region) == "IT");
  crmkit_free(region);
  region = reinterpret_cast<char*>(1);
  CHECK(crmkit_db_default_region(&region, nullptr) == CRMKIT_EINVALID);
  CHECK(region == nullptr);
  CHECK(crmkit_db_default_region(nullptr, db) == CRMKIT_EINVALID);
}

TEST_CASE("options are checked", "[capi]") {
  crmkit_options* o = nullptr;
  REQUIRE(crmkit_options_new(&o) == CRMKIT_OK);
  CHECK(crmkit_options_set_busy_timeout(o, -1) == CRMKIT_EINVALID);
  CHECK(crmkit_options_set_file_mode(o, 0x10000) == CRMKIT_EINVALID);
  CHECK(crmkit_options_set_cache_mib(o, 0) == CRMKIT_EINVALID);
  CHECK(crmkit_options_set_cache_mib(o, 65537) == CRMKIT_EINVALID);
  CHECK(crmkit_options_set_cache_mib(nullptr, 8) == CRMKIT_EINVALID);
  CHECK(crmkit_options_set_cache_mib(o, 8) == CRMKIT_OK);
  CHECK(crmkit_options_set_write_cache_mib(o, 0) == CRMKIT_EINVALID);
  CHECK(crmkit_options_set_write_cache_mib(o, 65537) == CRMKIT_EINVALID);
  CHECK(crmkit_options_set_write_cache_mib(nullptr, 8) == CRMKIT_EINVALID);
  CHECK(crmkit_options_set_write_cache_mib(o, 128) == CRMKIT_OK);
  CHECK(crmkit_options_set_read_only(nullptr, 1) == CRMKIT_EINVALID);
  CHECK(crmkit_options_set_create(o, 0) == CRMKIT_OK);
  crmkit_db* db = nullptr;
  CHECK(crmkit_db_open(&db, "/nonexistent-dir/x.db", o) == CRMKIT_EIO);
  CHECK(db == nullptr);
  crmkit_options_free(o);
  CHECK(std::string(crmkit_status_name(CRMKIT_ECORRUPT)) == "CRMKIT_ECORRUPT");
}

// The header's promise: on failure a new handle or owned string is NULL, even when the failure
// is the database argument itself (a caller may free whatever comes back without checking).
TEST_CASE("a NULL db leaves every handle and string out-parameter NULL", "[capi]") {
  void* const junk = reinterpret_cast<void*>(0x1);
  auto out_string = [&](const char* name, auto call) {
    char* s = static_cast<char*>(junk);
    INFO(name);
    CHECK(call(&s) == CRMKIT_EINVALID);
    CHECK(s == nullptr);
  };
  out_string("customer_get_json", [](char** s) { return crmkit_customer_get_json(s, nullptr, 1); });
  out_string("customer_find_by_email_json", [](char** s) { return crmkit_customer_find_by_email_json(s, nullptr, "a@b.c"); });
  out_string("interaction_get_json", [](char** s) { return crmkit_interaction_get_json(s, nullptr, 1); });
  out_string("customer_figures_json", [](char** s) { return crmkit_customer_figures_json(s, nullptr, 1); });
  out_string("value_model_json", [](char** s) { return crmkit_value_model_json(s, nullptr, 1); });
  out_string("value_customer_scores_json", [](char** s) { return crmkit_value_customer_scores_json(s, nullptr, 1); });
  out_string("segment_get_json", [](char** s) { return crmkit_segment_get_json(s, nullptr, "x"); });
  out_string("segment_list_json", [](char** s) { return crmkit_segment_list_json(s, nullptr); });
  out_string("survey_get_json", [](char** s) { return crmkit_survey_get_json(s, nullptr, 1); });
  out_string("points_programmes_json", [](char** s) { return crmkit_points_programmes_json(s, nullptr); });
  out_string("points_balance_json", [](char** s) { return crmkit_points_balance_json(s, nullptr, 1, 1, 0, 0); });

  crmkit_customer_iter* ci = static_cast<crmkit_customer_iter*>(junk);
  CHECK(crmkit_customer_iter_new(&ci, nullptr, nullptr, 0) == CRMKIT_EINVALID);
  CHECK(ci == nullptr);
  crmkit_interaction_iter* ii = static_cast<crmkit_interaction_iter*>(junk);
  CHECK(crmkit_interaction_iter_new(&ii, nullptr, 1, nullptr, nullptr, 0, 1) == CRMKIT_EINVALID);
  CHECK(ii == nullptr);
  crmkit_rfm_iter* ri = static_cast<crmkit_rfm_iter*>(junk);
  CHECK(crmkit_rfm_iter_new(&ri, nullptr, 1, nullptr) == CRMKIT_EINVALID);
  CHECK(ri == nullptr);
  crmkit_segment_iter* si = static_cast<crmkit_segment_iter*>(junk);
  CHECK(crmkit_segment_members_iter_new(&si, nullptr, "x") == CRMKIT_EINVALID);
  CHECK(si == nullptr);
  crmkit_points_ledger_iter* li = static_cast<crmkit_points_ledger_iter*>(junk);
  CHECK(crmkit_points_ledger_iter_new(&li, nullptr, 1, 1) == CRMKIT_EINVALID);
  CHECK(li == nullptr);
}
