// Catch's main for every test executable, with one rule for the PostgreSQL variants of the
// suites (CRMKIT_TEST_BACKEND=postgresql, tests/CMakeLists.txt): without a server to run on
// they skip (exit 77, ctest's SKIP_RETURN_CODE) rather than run the SQLite suite twice, unless
// CRMKIT_REQUIRE_POSTGRES=1 (CI), where a missing server is a failure.
#define CATCH_CONFIG_RUNNER
#include <catch2/catch.hpp>

#include <cstdio>
#include <cstdlib>
#include <cstring>

int main(int argc, char** argv) {
  const char* backend = std::getenv("CRMKIT_TEST_BACKEND");
  if (backend && std::strcmp(backend, "postgresql") == 0 && !std::getenv("CRMKIT_TEST_POSTGRES")) {
    const char* require = std::getenv("CRMKIT_REQUIRE_POSTGRES");
    if (require && std::strcmp(require, "1") == 0) {
      std::fprintf(stderr, "CRMKIT_REQUIRE_POSTGRES=1 but CRMKIT_TEST_POSTGRES is unset: no server to test on\n");
      return 1;
    }
    std::printf("SKIP: no PostgreSQL server (run under tests/postgres/with_server.sh, as make test does)\n");
    return 77;
  }
  return Catch::Session().run(argc, argv);
}
