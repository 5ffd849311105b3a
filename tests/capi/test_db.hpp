// The C API's counterpart of tests/test_store.hpp: a private store of the backend under test,
// opened through crmkit.h only (":memory:", or a fresh PostgreSQL tenant when ctest runs the
// suite's PostgreSQL variant).
#pragma once

#include <unistd.h>

#include <cstdlib>
#include <random>
#include <string>

#include "crmkit.h"

inline int open_test_db(crmkit_db** out) {
  const char* backend = std::getenv("CRMKIT_TEST_BACKEND");
  const char* uri = std::getenv("CRMKIT_TEST_POSTGRES");
  if (!backend || std::string(backend) != "postgresql" || !uri) return crmkit_db_open(out, ":memory:", nullptr);
  static unsigned counter = 0;
  static const unsigned salt = std::random_device{}();
  const std::string tenant =
      "c" + std::to_string(::getpid()) + "_" + std::to_string(salt % 1000000) + "_" + std::to_string(++counter);
  crmkit_options* o = nullptr;
  int rc = crmkit_options_new(&o);
  if (rc == CRMKIT_OK) rc = crmkit_options_set_tenant(o, tenant.c_str());
  if (rc == CRMKIT_OK) rc = crmkit_db_open(out, uri, o);
  crmkit_options_free(o);
  return rc;
}
