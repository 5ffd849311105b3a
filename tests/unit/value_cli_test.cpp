// The crmkit command's value subcommands (clv fit / predict / models, rfm) run as a process on
// databases built through the C++ API.
#include <catch2/catch.hpp>

#include <fstream>
#include <string>

#include <nlohmann/json.hpp>

#include "cli_run.hpp"
#include "crmkit/value.hpp"
#include "store/connection.hpp"
#include "temp_dir.hpp"
#include "value_test_data.hpp"

using namespace crmkit;
using cli_run::Run;

namespace {

// What a command that must be refused (non-zero exit) says on stderr.
std::string refusal(const TempDir& dir, const std::string& args) {
  Run r = cli_run::crmkit(dir, args);
  CHECK(r.status != 0);
  return r.err;
}

// A database in a temporary directory holding one shared sample (loaded through the C++ API),
// and the crmkit command run on it; not loaded, and the test skipped, when the sample is missing.
struct SampleDb {
  TempDir dir;
  std::string path;

  template <class Load>
  SampleDb(const std::string& rel, const std::string& name, Load load) {
    if (!value_test::have_or_skip(rel)) return;
    path = dir.file(name);
    Store s = cli_run::open_store(path);
    load(s);
  }
  bool loaded() const { return !path.empty(); }
  Run run(const std::string& args) const { return cli_run::crmkit(dir, args); }
  std::string refusal(const std::string& args) const { return ::refusal(dir, args); }
  // The JSON a command that must succeed prints.
  nlohmann::json json(const std::string& args) const {
    Run r = run(args);
    INFO(r.err);
    REQUIRE(r.status == 0);
    return r.json();
  }
};

}  // namespace

TEST_CASE("cli: clv fit, models and predict on CDNOW", "[value][cli]") {
  const SampleDb shop("cdnow/CDNOW_sample.txt", "cdnow.db", value_test::load_cdnow_sample);
  if (!shop.loaded()) return;
  auto j = shop.json("clv fit --db " + shop.path + " --model bgnbd --unit week --calibration-end 1997-09-30 --json");
  CHECK(j["params"]["r"].get<double>() == Approx(0.24259).epsilon(1e-3));
  CHECK(j["params"]["alpha"].get<double>() == Approx(4.41353).epsilon(1e-3));
  CHECK(j["params"]["a"].get<double>() == Approx(0.79289).epsilon(1e-3));
  CHECK(j["params"]["b"].get<double>() == Approx(2.42576).epsilon(1e-3));
  CHECK(j["log_likelihood"].get<double>() == Approx(-9582.43).margin(0.01));
  CHECK(j["customers"].get<int>() == 2357);
  CHECK(j["converged"].get<bool>());

  auto text = shop.run("clv fit --db " + shop.path + " --model gg --unit week --calibration-end 1997-09-30");
  REQUIRE(text.status == 0);
  CHECK_THAT(text.out, Catch::Contains("gamma") && Catch::Contains("log-likelihood -4055.9") &&
                           Catch::Contains("converged"));

  CHECK(shop.json("clv models --db " + shop.path + " --json").size() == 2);

  auto p = shop.json("clv predict --db " + shop.path + " --horizon 39 --unit week --as-of 1997-09-30 --discount 0 --top 3 --json");
  CHECK(p["scored"].get<int>() == 2357);
  CHECK(p["top"].size() == 3);
  CHECK(p["spend_model"]["kind"] == "gg");
  CHECK(p["notes"].empty());  // both models were already saved
  auto human = shop.run("clv predict --db " + shop.path + " --horizon 12 --unit month --top 5");
  REQUIRE(human.status == 0);
  CHECK_THAT(human.out, Catch::Contains("P(alive)") && Catch::Contains("CLV USD"));

  // Bad input: specific messages, non-zero exit, nothing written.
  CHECK_THAT(shop.refusal("clv fit --db " + shop.path + " --model bgbb --unit week --calibration-end 1997-09-30"),
             Catch::Contains("--model 'bgbb' is not one of"));
  CHECK_THAT(shop.refusal("clv fit --db " + shop.path + " --model bgnbd --unit month --calibration-end 1997-09-30"),
             Catch::Contains("--unit 'month'"));
  shop.refusal("clv fit --db " + shop.path + " --model bgnbd --unit week --calibration-end 1997-02-30");
  CHECK_THAT(shop.refusal("clv predict --db " + shop.path + " --horizon -3"), Catch::Contains("horizon"));
  CHECK(shop.run("clv models --db " + shop.path + " --json").json().size() == 2);
  CHECK_THAT(shop.refusal("clv models --db " + shop.dir.file("missing.db")), Catch::Contains("does not exist"));
}

TEST_CASE("cli: clv predict fits the models it needs when none is saved", "[value][cli]") {
  const SampleDb shop("cdnow/CDNOW_sample.txt", "fresh.db", value_test::load_cdnow_sample);
  if (!shop.loaded()) return;
  auto p = shop.json("clv predict --db " + shop.path + " --horizon 52 --unit week --json");
  CHECK(p["notes"].size() == 2);
  CHECK(p["transaction_model"]["kind"] == "bgnbd");
  CHECK(p["as_of"] == "1998-07-01T00:00:00.000Z");  // the end of the last purchase day
}

TEST_CASE("cli: rfm on the R package sample", "[value][cli]") {
  const SampleDb shop("rfm/rfm_data_orders.csv", "rfm.db", value_test::load_rfm_sample);
  if (!shop.loaded()) return;
  auto j = shop.json("rfm --db " + shop.path + " --as-of 2006-12-31 --method quantile --map rfm_tests --json");
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
  auto text = shop.run("rfm --db " + shop.path + " --as-of 2006-12-31 --method quantile --map rfm_readme");
  REQUIRE(text.status == 0);
  CHECK_THAT(text.out, Catch::Contains("Potential Loyalist") && Catch::Contains("342"));
  // A custom map from a file.
  const std::string map = shop.dir.file("map.json");
  {
    std::ofstream f(map);
    f << R"({"name":"two","rules":[{"name":"Recent","r":[4,5]}],"unmatched":"Older"})";
  }
  auto cj = shop.json("rfm --db " + shop.path + " --as-of 2006-12-31 --map-file " + map + " --json");
  CHECK(cj["map_name"] == "two");
  CHECK(cj["segments"].size() == 2);
  // Refusals.
  CHECK_THAT(shop.refusal("rfm --db " + shop.path + " --as-of 2006-12-31 --map nope"),
             Catch::Contains("not a built-in map"));
  CHECK_THAT(shop.refusal("rfm --db " + shop.path + " --as-of 2006-12-31 --method deciles"),
             Catch::Contains("--method 'deciles'"));
  {
    std::ofstream f(map);
    f << "[{";
  }
  CHECK_THAT(shop.refusal("rfm --db " + shop.path + " --as-of 2006-12-31 --map-file " + map),
             Catch::Contains("malformed JSON"));
  CHECK(shop.json("rfm --list-maps --json").size() == 5);
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

}  // namespace

TEST_CASE("cli: clv predict uses and prints the best-fitting model, --model names one, warnings on stderr",
          "[value][cli][predict]") {
  TempDir dir;
  const std::string db = dir.file("shop.db");
  auto run_cli = [&](const std::string& args) { return cli_run::crmkit(dir, args); };
  std::int64_t good = 0, worse = 0;
  {
    Store s = cli_run::open_store(db);
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
  auto p = run_cli("clv predict --db " + db + " --as-of 2024-06-30 --top 2 --json");
  REQUIRE(p.status == 0);
  auto j = p.json();
  CHECK(j["model"]["id"] == good);
  CHECK(j["model"]["kind"] == "bgnbd");
  CHECK(j["model"]["params"].contains("alpha"));
  CHECK(j["calibration"]["from"] == "2024-01-01");
  CHECK(j["calibration"]["to"] == "2024-06-30");
  CHECK(j["calibration"]["unit"] == "day");
  CHECK(j["warnings"].empty());
  CHECK(p.err.find("warning") == std::string::npos);

  p = run_cli("clv predict --db " + db + " --as-of 2024-06-30 --model " + std::to_string(worse) + " --json");
  REQUIRE(p.status == 0);
  CHECK(p.json()["model"]["id"] == worse);
  p = run_cli("clv predict --db " + db + " --as-of 2024-06-30 --model bgnbd --json");
  REQUIRE(p.status == 0);
  CHECK(p.json()["model"]["id"] == good);

  // Before the calibration end: a warning on stderr and in the JSON.
  p = run_cli("clv predict --db " + db + " --as-of 2024-06-01 --json");
  REQUIRE(p.status == 0);
  j = p.json();
  REQUIRE(j["warnings"].size() == 1);
  CHECK(j["warnings"][0]["code"] == "before_calibration_end");
  CHECK_THAT(p.err, Catch::Contains("crmkit: warning: as_of 2024-06-01 is before the calibration end 2024-06-30"));

  auto text = run_cli("clv predict --db " + db + " --as-of 2024-06-30 --top 1");
  REQUIRE(text.status == 0);
  CHECK_THAT(text.out, Catch::Contains("Model: bgnbd " + std::to_string(good) +
                                       ", calibration 2024-01-01 to 2024-06-30 (day, USD)") &&
                           Catch::Contains(" r=") && Catch::Contains(" b="));

  // Named models that do not exist or are not transaction models.
  CHECK_THAT(refusal(dir, "clv predict --db " + db + " --model pnbd"), Catch::Contains("no pnbd model is saved"));
  CHECK_THAT(refusal(dir, "clv predict --db " + db + " --model gg"), Catch::Contains("--model 'gg' is a spend model"));
  CHECK_THAT(refusal(dir, "clv predict --db " + db + " --model 777"),
             Catch::Contains("value model 777 does not exist"));
}

TEST_CASE("cli: customer lifecycle applies the churn rule with exact counts and is idempotent",
          "[customers][cli][lifecycle]") {
  TempDir dir;
  const std::string db = dir.file("shop.db");
  auto run_cli = [&](const std::string& args) { return cli_run::crmkit(dir, args); };
  {
    Store s = cli_run::open_store(db);
    small_shop(s);
  }
  // The last purchase days spread from 2024-01-01 to 2024-04-11; count those in the window.
  std::int64_t lapsed = 0;
  {
    Store s = cli_run::open_store(db);
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
  auto j = r.json();
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
  CHECK_THAT(refusal(dir, "customer lifecycle --db " + db + " --as-of 2024-04-30 --rule sometimes"),
             Catch::Contains("--rule 'sometimes' is not one of no_purchase, p_alive"));
  CHECK_THAT(refusal(dir, "customer lifecycle --db " + db + " --as-of 2024-04-30 --rule p_alive --threshold 0.4"),
             Catch::Contains("none are stored"));
  Store s = cli_run::open_store(db);
  CHECK(Customers(s).lifecycle_rule().churn == ChurnRule::no_purchase);  // the refused run kept the old rule
}
