// The store a test runs on. The same suites run on both backends: SQLite (":memory:", the
// default) and PostgreSQL when ctest runs the suite's PostgreSQL variant, which sets
// CRMKIT_TEST_BACKEND=postgresql beside CRMKIT_TEST_POSTGRES (the private server's URI, from
// tests/postgres/with_server.sh). Each store is then a fresh tenant of that server.
#pragma once

#include <unistd.h>

#include <cstdlib>
#include <random>
#include <string>

#include "crmkit/store.hpp"

inline bool testing_postgres() {
  const char* b = std::getenv("CRMKIT_TEST_BACKEND");
  return b && std::string(b) == "postgresql";
}

// The server's URI when testing PostgreSQL; "" otherwise.
inline std::string test_postgres_uri() {
  const char* u = std::getenv("CRMKIT_TEST_POSTGRES");
  return testing_postgres() && u ? u : "";
}

// A tenant name no other test of this run has used: the pid alone repeats across a long run.
inline std::string fresh_tenant() {
  static unsigned counter = 0;
  static const unsigned salt = std::random_device{}();
  return "t" + std::to_string(::getpid()) + "_" + std::to_string(salt % 1000000) + "_" + std::to_string(++counter);
}

// What a test opens instead of ":memory:": a private store of the backend under test.
inline crmkit::Store test_store(crmkit::OpenOptions options = {}) {
  const std::string uri = test_postgres_uri();
  if (uri.empty()) return crmkit::Store::open(":memory:", options);
  options.tenant = fresh_tenant();
  return crmkit::Store::open(uri, options);
}
