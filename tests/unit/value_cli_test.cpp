// The crmkit command's value subcommands (clv fit / predict / models, rfm) run as a process on
// databases built through the C++ API.
#include <catch2/catch.hpp>

#include <sys/wait.h>

#include <cstdio>
#include <string>

#include <nlohmann/json.hpp>

#include "crmkit/value.hpp"
#include "store/connection.hpp"
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

// ---- issue #11: predictions say which model made them; lifecycle from the shell ------------

namespace {

// 40 customers with 1..5 purchase days in the first half of 2024 (the last on 2024-04-23).
void small_shop(Store& s) {
  Interactions in(s);
  const Instant d = start_of_day(parse_date("2024-01-01"));
  for (int i = 0; i < 40; ++i) {
    auto id = value_test::add_customer(s, "c" + std::to_string(i));
    for (int k = 0; k <= i % 5; ++k)
      in.record(value_test::purchase(id, d + (i + 7 * k * (1 + i % 3)) * kMillisPerDay, 1000 + 100 * k));
  }
}

// Runs the CLI with stdout and stderr apart.
Run run_cli_apart(const std::string& args, std::string* err, const std::string& err_path) {
  std::string cmd = std::string(CRMKIT_CLI) + " " + args + " 2>" + err_path;
  FILE* p = ::popen(cmd.c_str(), "r");
  REQUIRE(p);
  Run r{0, ""};
  char chunk[4096];
  std::size_t got;
  while ((got = std::fread(chunk, 1, sizeof chunk, p)) > 0) r.out.append(chunk, got);
  int st = ::pclose(p);
  r.status = WIFEXITED(st) ? WEXITSTATUS(st) : -1;
  std::FILE* f = std::fopen(err_path.c_str(), "rb");
  err->clear();
  if (f) {
    char buf[4096];
    std::size_t n;
    while ((n = std::fread(buf, 1, sizeof buf, f)) > 0) err->append(buf, n);
    std::fclose(f);
  }
  return r;
}

}  // namespace

TEST_CASE("cli: clv predict uses and prints the best-fitting model, --model names one, warnings on stderr",
          "[value][cli][predict]") {
  TempDir dir;
  const std::string db = dir.file("shop.db");
  std::int64_t good = 0, worse = 0;
  {
    Store s = Store::open(db);
    small_shop(s);
    CustomerValue value(s);
    FitRequest f;
    f.unit = clv::TimeUnit::day;
    f.calibration_end = end_of_day(parse_date("2024-06-30"));
    f.fitted_at = 1000;
    good = value.fit(f).id;
    f.fitted_at = 2000;
    f.options.max_iterations = 1;  // newer, worse log-likelihood
    worse = value.fit(f).id;
  }
  const std::string err_path = dir.file("err.txt");
  std::string err;
  auto p = run_cli_apart("clv predict --db " + db + " --as-of 2024-06-30 --top 2 --json", &err, err_path);
  REQUIRE(p.status == 0);
  auto j = nlohmann::json::parse(p.out);
  CHECK(j["model"]["id"] == good);
  CHECK(j["model"]["kind"] == "bgnbd");
  CHECK(j["model"]["params"].contains("alpha"));
  CHECK(j["calibration"]["from"] == "2024-01-01");
  CHECK(j["calibration"]["to"] == "2024-06-30");
  CHECK(j["calibration"]["unit"] == "day");
  CHECK(j["warnings"].empty());
  CHECK(err.find("warning") == std::string::npos);

  p = run_cli_apart("clv predict --db " + db + " --as-of 2024-06-30 --model " + std::to_string(worse) + " --json",
                    &err, err_path);
  REQUIRE(p.status == 0);
  CHECK(nlohmann::json::parse(p.out)["model"]["id"] == worse);
  p = run_cli_apart("clv predict --db " + db + " --as-of 2024-06-30 --model bgnbd --json", &err, err_path);
  REQUIRE(p.status == 0);
  CHECK(nlohmann::json::parse(p.out)["model"]["id"] == good);

  // Before the calibration end: a warning on stderr and in the JSON.
  p = run_cli_apart("clv predict --db " + db + " --as-of 2024-06-01 --json", &err, err_path);
  REQUIRE(p.status == 0);
  j = nlohmann::json::parse(p.out);
  REQUIRE(j["warnings"].size() == 1);
  CHECK(j["warnings"][0]["code"] == "before_calibration_end");
  CHECK_THAT(err, Catch::Contains("crmkit: warning: as_of 2024-06-01 is before the calibration end 2024-06-30"));

  auto text = run_cli("clv predict --db " + db + " --as-of 2024-06-30 --top 1");
  REQUIRE(text.status == 0);
  CHECK_THAT(text.out, Catch::Contains("Model: bgnbd " + std::to_string(good) +
                                       ", calibration 2024-01-01 to 2024-06-30 (day, USD)") &&
                           Catch::Contains(" r=") && Catch::Contains(" b="));

  // Named models that do not exist or are not transaction models.
  auto bad = run_cli("clv predict --db " + db + " --model pnbd");
  CHECK(bad.status != 0);
  CHECK_THAT(bad.out, Catch::Contains("no pnbd model is saved"));
  bad = run_cli("clv predict --db " + db + " --model gg");
  CHECK(bad.status != 0);
  CHECK_THAT(bad.out, Catch::Contains("--model 'gg' is a spend model"));
  bad = run_cli("clv predict --db " + db + " --model 777");
  CHECK(bad.status != 0);
  CHECK_THAT(bad.out, Catch::Contains("value model 777 does not exist"));
}

TEST_CASE("cli: customer lifecycle applies the churn rule with exact counts and is idempotent",
          "[customers][cli][lifecycle]") {
  TempDir dir;
  const std::string db = dir.file("shop.db");
  {
    Store s = Store::open(db);
    small_shop(s);
  }
  // The last purchase days spread from 2024-01-01 to 2024-04-11; count those in the window.
  std::int64_t lapsed = 0;
  {
    Store s = Store::open(db);
    auto& st = crmkit::detail::connection_of(s).prepare("SELECT count(*) FROM customer_figures WHERE last_purchase_at < ?1");
    st.bind(1, static_cast<std::int64_t>(end_of_day(parse_date("2024-04-30")) - 30 * kMillisPerDay));
    REQUIRE(st.executeStep());
    lapsed = st.getColumn(0).getInt64();
    st.reset();
  }
  REQUIRE(lapsed > 0);
  REQUIRE(lapsed < 40);
  auto r = run_cli("customer lifecycle --db " + db + " --as-of 2024-04-30 --window-days 30 --json");
  REQUIRE(r.status == 0);
  auto j = nlohmann::json::parse(r.out);
  CHECK(j["evaluated"] == 40);
  REQUIRE(j["moves"].size() == 1);
  CHECK(j["moves"][0]["from"] == "customer");
  CHECK(j["moves"][0]["to"] == "churned");
  CHECK(j["moves"][0]["customers"] == lapsed);
  CHECK(j["rule"]["window_days"] == 30);
  // The rule was saved: a rerun without it moves nobody.
  r = run_cli("customer lifecycle --db " + db + " --as-of 2024-04-30");
  REQUIRE(r.status == 0);
  CHECK_THAT(r.out, Catch::Contains("no purchase in 30 days") && Catch::Contains("nobody moved"));
  // Bad input: named, nothing saved.
  r = run_cli("customer lifecycle --db " + db + " --as-of 2024-04-30 --rule sometimes");
  CHECK(r.status != 0);
  CHECK_THAT(r.out, Catch::Contains("--rule 'sometimes' is not one of no_purchase, p_alive"));
  r = run_cli("customer lifecycle --db " + db + " --as-of 2024-04-30 --rule p_alive --threshold 0.4");
  CHECK(r.status != 0);
  CHECK_THAT(r.out, Catch::Contains("none are stored"));
  Store s = Store::open(db);
  CHECK(Customers(s).lifecycle_rule().churn == ChurnRule::no_purchase);  // the refused run kept the old rule
}
