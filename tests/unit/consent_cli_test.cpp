// `crmkit consent ...` and `crmkit suppress ...` end to end: the command on a store made with
// the C++ API.
#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "cli_run.hpp"
#include "crmkit/consent.hpp"
#include "crmkit/customer.hpp"
#include "temp_dir.hpp"

using namespace crmkit;

TEST_CASE("crmkit consent: grant, withdraw, double opt-in, show, crmkit suppress", "[consent][cli]") {
  TempDir dir;
  const std::string path = dir.file("shop.db");
  {
    Store s = cli_run::open_store(path);
    CustomerFields f;
    f.external_id = "ana";
    f.email = "ana@example.com";
    f.created_at = 0;
    Customers(s).create(f);
  }
  struct Step {
    std::string args;
    int status;
    std::vector<std::string> says;
  };
  const Step session[] = {
      {"consent request 1 --source signup --form footer --text-version v3 --ip 203.0.113.9 --at 2025-01-02", 0,
       {"recorded consent event 1: request_double_opt_in marketing on email for customer 1"}},
      {"consent show 1 --as-of 2025-01-03", 0, {"pending", "2025-01-09T00:00:00.000Z", "event 1"}},
      {"consent confirm --external-id ana --at 2025-01-03", 0, {"recorded consent event 2: confirm"}},
      {"consent grant 1 --channel all --purpose profiling --basis legitimate_interest --at 2025-01-04", 0,
       {"event 3"}},
      {"consent withdraw 1 --channel sms --purpose profiling --at 2025-01-05", 0, {"event 4"}},
      {"consent grant 1 --purpose newsletter", 1, {"invalid_argument", "purpose 'newsletter' is not registered"}},
      {"consent grant 1 --channel fax", 1, {"--channel 'fax' is not one of"}},
      {"consent confirm 1 --channel sms", 1, {"conflict", "nothing to confirm"}},
      {"consent show 1 --as-of 2025-01-06", 0, {"granted", "withdrawn", "footer", "v3"}},
      {"consent show 1 --as-of 2025-01-06 --json", 0, {"\"state\": \"withdrawn\"", "\"text_version\": \"v3\""}},
      {"suppress add bob@example.com --reason complaint --at 2025-02-01", 0,
       {"email suppressed (complaint 2025-02-01"}},
      {"suppress check BOB@example.com", 1, {"email is suppressed (complaint"}},
      {"suppress check ana@example.com", 0, {"email is not suppressed"}},
      {"contact add 1 --type email --value bob@example.com", 1, {"conflict", "email is suppressed (complaint"}},
      {"suppress remove bob@example.com", 1, {"only a manual suppression is lifted"}},
  };
  for (const auto& step : session) {
    auto r = cli_run::crmkit(dir, step.args + " --db " + path);
    const std::string out = r.out + r.err;
    INFO(step.args << "\n" << out);
    if (step.status == 0)
      REQUIRE(r.status == 0);
    else
      CHECK(r.status == step.status);
    for (const auto& text : step.says) CHECK_THAT(out, Catch::Contains(text));
    if (step.args.rfind("suppress", 0) == 0) CHECK_THAT(out, !Catch::Contains("bob"));  // never the value
  }
  Store s = cli_run::open_store(path);
  CHECK(Consent(s).events(1).size() == 4);
}
