// Customers and interactions for the loyalty C API tests, through the core C API.
#pragma once

#include <catch2/catch.hpp>

#include <string>

#include "crmkit.h"

inline int64_t make_customer(crmkit_db* db, const char* external_id) {
  crmkit_customer* c = nullptr;
  REQUIRE(crmkit_customer_new(&c) == CRMKIT_OK);
  REQUIRE(crmkit_customer_set_text(c, "external_id", external_id) == CRMKIT_OK);
  REQUIRE(crmkit_customer_set_created_at(c, 1'700'000'000'000) == CRMKIT_OK);
  int64_t id = 0;
  int rc = crmkit_customer_create(&id, db, c);
  crmkit_customer_free(c);
  REQUIRE(rc == CRMKIT_OK);
  return id;
}

inline int64_t make_interaction(crmkit_db* db, int64_t customer, int64_t at, const char* kind, int64_t minor) {
  crmkit_interaction* r = nullptr;
  REQUIRE(crmkit_interaction_new(&r) == CRMKIT_OK);
  REQUIRE(crmkit_interaction_set_customer_id(r, customer) == CRMKIT_OK);
  REQUIRE(crmkit_interaction_set_occurred_at(r, at) == CRMKIT_OK);
  REQUIRE(crmkit_interaction_set_kind(r, kind) == CRMKIT_OK);
  REQUIRE(crmkit_interaction_set_channel(r, "web") == CRMKIT_OK);
  if (minor != 0) REQUIRE(crmkit_interaction_set_amount(r, minor, "USD") == CRMKIT_OK);
  int64_t id = 0;
  int rc = crmkit_interaction_record(&id, db, r);
  crmkit_interaction_free(r);
  REQUIRE(rc == CRMKIT_OK);
  return id;
}

inline int64_t make_support(crmkit_db* db, int64_t customer, int64_t at) {
  return make_interaction(db, customer, at, "support", 0);
}
inline int64_t make_purchase(crmkit_db* db, int64_t customer, int64_t at, int64_t minor) {
  return make_interaction(db, customer, at, "purchase", minor);
}
