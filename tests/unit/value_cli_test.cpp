// The crmkit command's value subcommands (clv fit / predict / models, rfm) run as a process on
// databases built through the C++ API.
#include <catch2/catch.hpp>

#include <sys/wait.h>

#include <cstdio>
#include <string>

#include <nlohmann/json.hpp>

#include "crmkit/value.hpp"
#include "temp_dir.hpp"
#include "value_test_data.hpp"

using namespace crmkit;

namespace {

struct Run {
  int status;
  std::string out;
};

// Runs the CLI with arguments (stderr folded into stdout) and returns its exit status and output.
Run run_cli(const std::string& args) {
  std::string cmd = std::string(CRMKIT_CLI) + " " + args + " 2>&1";
  FILE* p = ::popen(cmd.c_str(), "r");
  REQUIRE(p);
  std::string out;
  char buf[4096];
  std::size_t n;
  while ((n = std::fread(buf, 1, sizeof buf, p)) > 0) out.append(buf, n);
  int st = ::pclose(p);
  return {WIFEXITED(st) ? WEXITSTATUS(st) : -1, out};
}

}  // namespace

TEST_CASE("cli: clv fit, models and predict on CDNOW", "[value][cli]") {
  if (!value_test::have("cdnow/CDNOW_sample.txt")) {
    WARN("skipped: shared data cdnow/ not found at " << CRMKIT_SHARED_DATA);
    return;
  }
  TempDir dir;
  const std::string db = dir.file("cdnow.db");
  {
    Store s = Store::open(db);
    value_test::load_cdnow_sample(s);
  }
  auto fit = run_cli("clv fit --db " + db + " --model bgnbd --unit week --calibration-end 1997-09-30 --json");
  REQUIRE(fit.status == 0);
  auto j = nlohmann::json::parse(fit.out);
  CHECK(j["params"]["r"].get<double>() == Approx(0.24259).epsilon(1e-3));
  CHECK(j["params"]["alpha"].get<double>() == Approx(4.41353).epsilon(1e-3));
  CHECK(j["params"]["a"].get<double>() == Approx(0.79289).epsilon(1e-3));
  CHECK(j["params"]["b"].get<double>() == Approx(2.42576).epsilon(1e-3));
  CHECK(j["log_likelihood"].get<double>() == Approx(-9582.43).margin(0.01));
  CHECK(j["customers"].get<int>() == 2357);
  CHECK(j["converged"].get<bool>());

  auto text = run_cli("clv fit --db " + db + " --model gg --unit week --calibration-end 1997-09-30");
  REQUIRE(text.status == 0);
  CHECK_THAT(text.out, Catch::Contains("gamma") && Catch::Contains("log-likelihood -4055.9") &&
                           Catch::Contains("converged"));

  auto models = run_cli("clv models --db " + db + " --json");
  REQUIRE(models.status == 0);
  CHECK(nlohmann::json::parse(models.out).size() == 2);

  auto pred = run_cli("clv predict --db " + db + " --horizon 39 --unit week --as-of 1997-09-30 --discount 0 --top 3 --json");
  REQUIRE(pred.status == 0);
  auto p = nlohmann::json::parse(pred.out);
  CHECK(p["scored"].get<int>() == 2357);
  CHECK(p["top"].size() == 3);
  CHECK(p["spend_model"]["kind"] == "gg");
  CHECK(p["notes"].empty());  // both models were already saved
  auto human = run_cli("clv predict --db " + db + " --horizon 12 --unit month --top 5");
  REQUIRE(human.status == 0);
  CHECK_THAT(human.out, Catch::Contains("P(alive)") && Catch::Contains("CLV USD"));

  // Bad input: specific messages, non-zero exit, nothing written.
  auto bad = run_cli("clv fit --db " + db + " --model bgbb --unit week --calibration-end 1997-09-30");
  CHECK(bad.status != 0);
  CHECK_THAT(bad.out, Catch::Contains("--model 'bgbb' is not one of"));
  bad = run_cli("clv fit --db " + db + " --model bgnbd --unit month --calibration-end 1997-09-30");
  CHECK(bad.status != 0);
  CHECK_THAT(bad.out, Catch::Contains("--unit 'month'"));
  bad = run_cli("clv fit --db " + db + " --model bgnbd --unit week --calibration-end 1997-02-30");
  CHECK(bad.status != 0);
  bad = run_cli("clv predict --db " + db + " --horizon -3");
  CHECK(bad.status != 0);
  CHECK_THAT(bad.out, Catch::Contains("horizon"));
  CHECK(nlohmann::json::parse(run_cli("clv models --db " + db + " --json").out).size() == 2);
  bad = run_cli("clv models --db " + dir.file("missing.db"));
  CHECK(bad.status != 0);
  CHECK_THAT(bad.out, Catch::Contains("does not exist"));
}

TEST_CASE("cli: clv predict fits the models it needs when none is saved", "[value][cli]") {
  if (!value_test::have("cdnow/CDNOW_sample.txt")) {
    WARN("skipped: shared data cdnow/ not found at " << CRMKIT_SHARED_DATA);
    return;
  }
  TempDir dir;
  const std::string db = dir.file("fresh.db");
  {
    Store s = Store::open(db);
    value_test::load_cdnow_sample(s);
  }
  auto pred = run_cli("clv predict --db " + db + " --horizon 52 --unit week --json");
  REQUIRE(pred.status == 0);
  auto p = nlohmann::json::parse(pred.out);
  CHECK(p["notes"].size() == 2);
  CHECK(p["transaction_model"]["kind"] == "bgnbd");
  CHECK(p["as_of"] == "1998-07-01T00:00:00.000Z");  // the end of the last purchase day
}

TEST_CASE("cli: rfm on the R package sample", "[value][cli]") {
  if (!value_test::have("rfm/rfm_data_orders.csv")) {
    WARN("skipped: shared data rfm/ not found at " << CRMKIT_SHARED_DATA);
    return;
  }
  TempDir dir;
  const std::string db = dir.file("rfm.db");
  {
    Store s = Store::open(db);
    value_test::load_rfm_sample(s);
  }
  auto r = run_cli("rfm --db " + db + " --as-of 2006-12-31 --method quantile --map rfm_tests --json");
  REQUIRE(r.status == 0);
  auto j = nlohmann::json::parse(r.out);
  CHECK(j["customers"].size() == 995);
  bool found = false;
  for (const auto& s : j["segments"]) {
    if (s["segment"] != "Champions") continue;
    found = true;
    CHECK(s["customers"] == 158);
    CHECK(s["orders"] == 1234);
    CHECK(s["revenue"].get<double>() == 120178);
  }
  CHECK(found);
  auto text = run_cli("rfm --db " + db + " --as-of 2006-12-31 --method quantile --map rfm_readme");
  REQUIRE(text.status == 0);
  CHECK_THAT(text.out, Catch::Contains("Potential Loyalist") && Catch::Contains("342"));
  // A custom map from a file.
  const std::string map = dir.file("map.json");
  {
    std::ofstream f(map);
    f << R"({"name":"two","rules":[{"name":"Recent","r":[4,5]}],"unmatched":"Older"})";
  }
  auto custom = run_cli("rfm --db " + db + " --as-of 2006-12-31 --map-file " + map + " --json");
  REQUIRE(custom.status == 0);
  auto cj = nlohmann::json::parse(custom.out);
  CHECK(cj["map_name"] == "two");
  CHECK(cj["segments"].size() == 2);
  // Refusals.
  auto bad = run_cli("rfm --db " + db + " --as-of 2006-12-31 --map nope");
  CHECK(bad.status != 0);
  CHECK_THAT(bad.out, Catch::Contains("not a built-in map"));
  bad = run_cli("rfm --db " + db + " --as-of 2006-12-31 --method deciles");
  CHECK(bad.status != 0);
  CHECK_THAT(bad.out, Catch::Contains("--method 'deciles'"));
  {
    std::ofstream f(map);
    f << "[{";
  }
  bad = run_cli("rfm --db " + db + " --as-of 2006-12-31 --map-file " + map);
  CHECK(bad.status != 0);
  CHECK_THAT(bad.out, Catch::Contains("malformed JSON"));
  auto maps = run_cli("rfm --list-maps --json");
  REQUIRE(maps.status == 0);
  CHECK(nlohmann::json::parse(maps.out).size() == 5);
}
