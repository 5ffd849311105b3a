// `crmkit contact ...` end to end: the command on a store made with the C++ API.
#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "cli_run.hpp"
#include "crmkit/contact_point.hpp"
#include "crmkit/customer.hpp"
#include "temp_dir.hpp"

using namespace crmkit;

namespace {

// One command of a session: `crmkit COMMAND ARGS --db PATH`, the status it must end with and
// what its output (stdout and stderr together) must say. A step that must succeed stops the
// session when it fails; a refusal is checked and the session goes on.
struct Step {
  std::string args;
  int status;
  std::vector<std::string> says;
};

template <std::size_t N>
void run_session(const TempDir& dir, const std::string& command, const std::string& path, const Step (&session)[N]) {
  for (const auto& step : session) {
    auto r = cli_run::crmkit(dir, command + " " + step.args + " --db " + path);
    const std::string out = r.out + r.err;
    INFO(command << " " << step.args << "\n" << out);
    if (step.status == 0)
      REQUIRE(r.status == 0);
    else
      CHECK(r.status == step.status);
    for (const auto& text : step.says) CHECK_THAT(out, Catch::Contains(text));
  }
}

}  // namespace

TEST_CASE("crmkit contact: add, list, find, primary, label, verify, bounce, remove", "[contacts][cli]") {
  TempDir dir;
  const std::string path = dir.file("shop.db");
  {
    Store s = cli_run::open_store(path);
    s.set_default_region("IT");
    CustomerFields f;
    f.external_id = "ana";
    f.email = "ana@example.com";
    f.created_at = 0;
    Customers(s).create(f);
    f.external_id = "bea";
    f.email.reset();
    Customers(s).create(f);
  }
  const Step session[] = {
      {"add --external-id ana --type phone --value '06 1234 5678' --label mobile --at 2025-01-02", 0,
       {"added phone +390612345678 to customer 1 as contact point 2 (primary)"}},
      {"add 1 --type email --value 'Ana@Café.fr' --at 2025-01-03", 0, {"as contact point 3"}},
      {"add 2 --type email --value 'ana@xn--caf-dma.fr' --at 2025-01-03", 0, {"(primary)"}},
      {"add 1 --type email --value ANA@example.com", 1, {"conflict", "already has email 'ana@example.com'"}},
      {"add 1 --type fax --value 1", 1, {"invalid_argument", "--type 'fax' is not one of"}},
      {"find 'ana@café.fr' --type email --json", 0, {"\"customer_id\": 1", "\"customer_id\": 2"}},
      {"primary 3 --at 2025-01-04", 0, {"contact point 3 is primary"}},
      {"label 3 home --at 2025-01-05", 0, {"is labelled"}},
      {"label 3 --at 2025-01-05", 1, {"give either a LABEL or --clear"}},
      {"bounce 3 --hard --at 2025-01-06", 0, {"bounced"}},
      {"verify 3 --at 2025-01-07", 0, {"is verified"}},
      {"list 1", 0, {"ana@café.fr", "home", "2025-01-07", "mobile"}},
      {"remove 99 --at 2025-01-08", 1, {"not_found", "contact point 99 does not exist"}},
      {"remove 3 --at 2025-01-08", 0, {"is removed"}},
      {"list --external-id ana --json", 0, {"\"type\": \"email\"", "\"primary\": false"}},
  };
  run_session(dir, "contact", path, session);
  Store s = cli_run::open_store(path);
  CHECK_FALSE(Customers(s).get(1).email);  // the primary email was removed
  CHECK(ContactPoints(s).list(1).size() == 2);
}

TEST_CASE("crmkit dedupe: scan, check, explain, ignore, rules", "[duplicates][cli]") {
  TempDir dir;
  const std::string path = dir.file("shop.db");
  {
    Store s = cli_run::open_store(path);
    for (const char* ext : {"a", "b"}) {
      CustomerFields f;
      f.external_id = std::string(ext);
      f.given_name = std::string("Ana");
      f.family_name = std::string("Silva");
      f.email = std::string("ana@example.com");
      f.created_at = 0;
      Customers(s).create(f);
    }
  }
  const Step session[] = {
      {"scan", 0, {"2 customers", "1 candidate pairs", "email normalized +10", "duplicate"}},
      {"check --external-id a --json", 0, {"\"score\": 15", "\"b\": 2"}},
      {"explain 1 2", 0, {"score 15, duplicate", "+10   email normalized", "+5    given_name exact + family_name exact"}},
      {"explain 1 1", 1, {"invalid_argument", "not its own duplicate"}},
      {"rules --set '{\"duplicate_threshold\": 5, \"suspect_from\": 9, \"rules\": []}'", 1, {"invalid_argument"}},
      {"rules --set '{\"duplicate_threshold\": 20, \"suspect_from\": 15, \"rules\": [{\"weight\": 15, \"all_of\": "
       "[{\"field\": \"email\", \"comparator\": \"exact\"}]}]}' --at 2025-01-01",
       0, {"saved 1 duplicate rules"}},
      {"rules", 0, {"\"duplicate_threshold\": 20"}},
      {"ignore 2 1 --at 2025-01-02", 0, {"will not be proposed"}},
      {"scan --json", 0, {"\"ignored\": 1", "\"candidates\": []"}},
  };
  run_session(dir, "dedupe", path, session);
}

TEST_CASE("crmkit audit list: changes made through the command name their actor and reason", "[audit][cli]") {
  TempDir dir;
  const std::string path = dir.file("shop.db");
  {
    Store s = cli_run::open_store(path);
    CustomerFields f;
    f.external_id = "ana";
    f.created_at = 0;
    Customers(s).create(f);
  }
  auto r = cli_run::crmkit(dir, "contact add 1 --type email --value ana@example.com --at 2025-01-02 --db " + path,
                           "CRMKIT_ACTOR=desk-7 CRMKIT_REASON='asked by phone'");
  REQUIRE(r.status == 0);
  r = cli_run::crmkit(dir, "audit list --actor desk-7 --db " + path);
  INFO(r.out + r.err);
  REQUIRE(r.status == 0);
  CHECK_THAT(r.out, Catch::Contains("Audit trail: 2 entries"));
  CHECK_THAT(r.out, Catch::Contains("customer 1"));
  CHECK_THAT(r.out, Catch::Contains("ana@example.com"));
  CHECK_THAT(r.out, Catch::Contains("asked by phone"));
  r = cli_run::crmkit(dir, "audit list --entity customer --id 1 --json --db " + path);
  REQUIRE(r.status == 0);
  const auto j = r.json();
  REQUIRE(j["entries"].size() == 2);
  CHECK(j["entries"][0]["field"] == "created");
  CHECK(j["entries"][1]["field"] == "email");
  CHECK(j["entries"][1]["actor"] == "desk-7");
  r = cli_run::crmkit(dir, "audit list --entity ticket --db " + path);
  CHECK(r.status == 1);
  CHECK_THAT(r.err, Catch::Contains("--entity 'ticket' is not one of customer, contact_point"));
}

TEST_CASE("crmkit merge: dry run, merge, history, undo", "[merge][cli]") {
  TempDir dir;
  const std::string path = dir.file("shop.db");
  {
    Store s = cli_run::open_store(path);
    CustomerFields f;
    f.external_id = "ana";
    f.email = "ana@example.com";
    f.city = "Lisbon";
    f.created_at = 1'700'000'000'000;
    Customers(s).create(f);
    f.external_id = "ana-copy";
    f.email = "ANA@example.com";
    f.city = "Porto";
    f.created_at = 1'600'000'000'000;
    Customers(s).create(f);
  }
  const Step session[] = {
      {"1 2 --choose city=2 --dry-run --at 2025-01-02", 0,
       {"Dry run: merging 1 record into customer 1", "city", "Porto", "2020-09-13T12:26:40.000Z", "contact_points",
        "nothing written"}},
      {"1 1 --at 2025-01-02", 1, {"invalid_argument", "cannot be merged into itself"}},
      {"1 2 --choose shoe=2 --at 2025-01-02", 1, {"'shoe', which is not a field a merge chooses"}},
      {"1 2 --choose city=two --at 2025-01-02", 1, {"--choose city: 'two' is not a customer id"}},
      {"1 --at 2025-01-02", 1, {"give the survivor's id, then the id of each record it absorbs"}},
      {"1 2 --choose city=2 --at 2025-01-02", 0, {"Merge 1: customer 1 absorbed customer 2", "crmkit merge --undo 1"}},
      {"--history 1", 0, {"2025-01-02T00:00:00.000Z"}},
      {"--history 1 --json", 0, {"\"survivor\": 1", "\"absorbed\": ["}},
      {"--undo 1 --at 2025-01-03", 0, {"merge 1 undone: customer 2 is back beside customer 1"}},
      {"--undo 1 --at 2025-01-04", 1, {"conflict", "undone already"}},
  };
  run_session(dir, "merge", path, session);
  Store s = cli_run::open_store(path);
  CHECK(Customers(s).get(1).city == std::optional<std::string>("Lisbon"));
  CHECK(Customers(s).get(2).city == std::optional<std::string>("Porto"));
}
