// Helpers for the C API tests of customers and interactions: crmkit.h only.
#pragma once

#include <catch2/catch.hpp>

#include <string>

#include "capi/test_db.hpp"
#include "crmkit.h"

// A private in-memory database for one test.
struct MemoryDb {
  crmkit_db* db = nullptr;
  MemoryDb() { REQUIRE(open_test_db(&db) == CRMKIT_OK); }
  ~MemoryDb() { crmkit_db_close(db); }
  MemoryDb(const MemoryDb&) = delete;
  MemoryDb& operator=(const MemoryDb&) = delete;
};

// Takes an owned string from the library.
inline std::string take(char* s) {
  std::string out = s ? s : "<NULL>";
  crmkit_free(s);
  return out;
}

// The stored interaction `id` as JSON (it must exist).
inline std::string interaction_json(crmkit_db* db, int64_t id) {
  char* json = nullptr;
  REQUIRE(crmkit_interaction_get_json(&json, db, id) == CRMKIT_OK);
  return take(json);
}

inline bool message_has(const char* needle) {
  return std::string(crmkit_last_error_message()).find(needle) != std::string::npos;
}

// Everything observable about the store's customers, interactions and figures, through the
// C API only: the test proves that refused calls changed none of it.
inline std::string snapshot(crmkit_db* db) {
  std::string all;
  crmkit_customer_iter* it = nullptr;
  REQUIRE(crmkit_customer_iter_new(&it, db, nullptr, 0) == CRMKIT_OK);
  while (crmkit_customer_iter_next(it) == CRMKIT_OK) {
    char* j = nullptr;
    REQUIRE(crmkit_customer_iter_json(&j, it) == CRMKIT_OK);
    all += take(j) + "\n";
    int64_t id = crmkit_customer_iter_id(it);
    REQUIRE(crmkit_customer_figures_json(&j, db, id) == CRMKIT_OK);
    all += take(j) + "\n";
    crmkit_interaction_iter* ti = nullptr;
    REQUIRE(crmkit_interaction_iter_new(&ti, db, id, nullptr, nullptr, INT64_MIN, INT64_MAX) == CRMKIT_OK);
    while (crmkit_interaction_iter_next(ti) == CRMKIT_OK) {
      REQUIRE(crmkit_interaction_iter_json(&j, ti) == CRMKIT_OK);
      all += take(j) + "\n";
    }
    crmkit_interaction_iter_free(ti);
  }
  crmkit_customer_iter_free(it);
  return all;
}
