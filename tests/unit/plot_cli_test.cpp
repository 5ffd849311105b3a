// crmkit plot (charts of a store) and crmkit clv fit --penalizer, run as a user runs them on a
// small demo store.
#include <catch2/catch.hpp>

#include <filesystem>
#include <string>

#include <nlohmann/json.hpp>

#include "cli_run.hpp"
#include "temp_dir.hpp"

using cli_run::Run;
using cli_run::slurp;

namespace {

Run run(const TempDir& dir, const std::string& args) { return cli_run::crmkit(dir, args); }

}  // namespace

TEST_CASE("cli: crmkit plot draws every chart of a store and names what is missing", "[cli][charts]") {
  TempDir dir;
  // Before any data: the model, the RFM run and the cohorts are named as missing.
  cli_run::write(dir.file("c.csv"), "external_id,created_at\r\nA,2024-01-01\r\n");
  REQUIRE(run(dir, "import customers --db empty.db c.csv").status == 0);
  Run none = run(dir, "plot p-alive --db empty.db -o p.svg");
  CHECK(none.status != 0);
  CHECK(none.err.find("not_found: no transaction model is saved") != std::string::npos);
  CHECK(run(dir, "plot rfm-heatmap --db empty.db").err.find("no RFM run is saved") != std::string::npos);
  CHECK(run(dir, "plot cohort-retention --db empty.db").err.find("no cohort to draw") != std::string::npos);
  CHECK_FALSE(std::filesystem::exists(dir.file("p.svg")));

  REQUIRE(run(dir, "demo --db shop.db --customers 600").status == 0);
  Run list = run(dir, "plot --list --json");
  REQUIRE(list.status == 0);
  const auto charts = list.json()["charts"];
  CHECK(charts.size() == 14);
  CHECK(run(dir, "plot --list").out.find("rfm-heatmap") != std::string::npos);
  for (const auto& c : charts) {
    const std::string name = c["name"];
    INFO(name);
    std::string args = "plot " + name + " --db shop.db -o " + name + ".svg";
    if (name == "calibration-holdout") {
      // The demo's model is calibrated to the end of its data: refit earlier for a holdout.
      Run fit = run(dir, "clv fit --db shop.db --model bgnbd --calibration-end 2025-06-30 --json");
      REQUIRE(fit.status == 0);
      args += " --model " + std::to_string(fit.json()["id"].get<long long>()) + " --holdout-end 2025-12-31";
    }
    if (name == "p-alive-history") args += " --customer 1";
    Run r = run(dir, args);
    INFO(r.err);
    REQUIRE(r.status == 0);
    const std::string svg = slurp(dir.file(name + ".svg"));
    CHECK(svg.rfind("<svg", 0) == 0);
    CHECK(svg.find("</svg>") != std::string::npos);
    CHECK(svg.size() < 300 * 1024);
    CHECK_FALSE(std::filesystem::exists(dir.file(name + ".svg.partial")));
  }
  Run cumulative = run(dir, "plot repeat-purchases --db shop.db --cumulative");
  REQUIRE(cumulative.status == 0);
  CHECK(cumulative.out.rfind("<svg", 0) == 0);
  // stdout without --output; the title replaced.
  Run out = run(dir, "plot rfm-segments --db shop.db --title 'Our segments'");
  REQUIRE(out.status == 0);
  CHECK(out.out.find("Our segments") != std::string::npos);

  Run unwritable = run(dir, "plot p-alive --db shop.db --output no-such-dir/p.svg");
  CHECK(unwritable.status != 0);
  CHECK(unwritable.err.find("crmkit: io: --output no-such-dir/p.svg cannot be written") == 0);
  CHECK(run(dir, "plot pie --db shop.db").err.find("chart 'pie' is not one of") != std::string::npos);
  CHECK(run(dir, "plot calibration-holdout --db shop.db").err.find("holdout_end is required") != std::string::npos);
  CHECK(run(dir, "plot p-alive-history --db shop.db --customer 99999").err.find("customer 99999 does not exist") !=
        std::string::npos);
  CHECK(run(dir, "plot cohort-retention --db shop.db --by year").err.find("--by 'year'") != std::string::npos);
  CHECK(run(dir, "plot p-alive --db shop.db --model gg").err.find("--model") != std::string::npos);
  CHECK(run(dir, "plot").err.find("name a chart") != std::string::npos);
}

TEST_CASE("cli: clv fit --penalizer records the coefficient, refuses a bad one by name", "[cli][penalizer]") {
  TempDir dir;
  REQUIRE(run(dir, "demo --db shop.db --customers 400").status == 0);
  Run fit = run(dir, "clv fit --db shop.db --model bgnbd --calibration-end 2025-06-30 --penalizer 0.05 --json");
  INFO(fit.err);
  REQUIRE(fit.status == 0);
  CHECK(fit.json()["penalizer_coef"].get<double>() == 0.05);
  CHECK(run(dir, "clv fit --db shop.db --model bgnbd --calibration-end 2025-06-30 --penalizer 0.05")
            .out.find("penalizer_coef 0.05") != std::string::npos);
  const std::string before = run(dir, "clv models --db shop.db --json").out;
  for (const char* bad : {"-1", "nan", "inf"}) {
    INFO(bad);
    Run r = run(dir, std::string("clv fit --db shop.db --model bgnbd --calibration-end 2025-06-30 --penalizer ") + bad);
    CHECK(r.status != 0);
    CHECK(r.err.find("--penalizer") != std::string::npos);
  }
  CHECK(run(dir, "clv models --db shop.db --json").out == before);
}
