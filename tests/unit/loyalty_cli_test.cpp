// The loyalty commands of the crmkit tool, run as a host would (CRMKIT_CLI).
#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include <sys/wait.h>

#include <cstdio>
#include <fstream>
#include <sstream>

#include <SQLiteCpp/Database.h>

#include "crmkit/interaction.hpp"
#include "crmkit/store.hpp"
#include "store/connection.hpp"
#include "cli_run.hpp"
#include "temp_dir.hpp"
#include "test_paths.hpp"  // CRMKIT_SHARED_DATA, CRMKIT_CLI, CRMKIT_CHILD (generated)

namespace {

struct Run {
  int status;
  std::string out;
};

Run run(const std::string& args, const std::string& err_file) {
  std::string cmd = "unset CRMKIT_DB CRMKIT_TENANT; " + std::string(CRMKIT_CLI) + " " + cli_run::on_backend("/", args) +
                    " 2>" + err_file;
  FILE* p = ::popen(cmd.c_str(), "r");
  REQUIRE(p);
  std::string out;
  char buf[4096];
  for (std::size_t n; (n = std::fread(buf, 1, sizeof buf, p)) > 0;) out.append(buf, n);
  int st = ::pclose(p);
  return {WIFEXITED(st) ? WEXITSTATUS(st) : -1, out};
}

std::string slurp(const std::string& path) {
  std::ifstream in(path);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

}  // namespace

TEST_CASE("crmkit import surveys skips invalid rows by line number, metrics read them back", "[cli][surveys]") {
  TempDir dir;
  std::string db = dir.file("shop.db");
  {
    crmkit::Store s = cli_run::open_store(db);
    crmkit::detail::connection_of(s).db.exec(
        "INSERT INTO customers(external_id, created_at, updated_at) VALUES ('C1', 0, 0), ('C2', 0, 0)");
  }
  std::string csv = dir.file("r.csv");
  std::ofstream(csv) << "customer_external_id,occurred_at,kind,score,channel,comment\r\n"
                        "C1,2026-01-05,nps,10,email,\"great, really\"\r\n"
                        "C2,2026-01-06,nps,11,email,too high\r\n"
                        "C9,2026-01-06,nps,5,email,unknown customer\r\n"
                        "C2,2026-03-02T10:00:00Z,nps,6,web,\"multi\nline\"\r\n"
                        "C2,2026-03-03,csat,4,chat,\r\n"
                        "C1,2026-03-04,ces,x,phone,not a number\r\n";
  std::string err = dir.file("err.txt");
  auto r = run("import surveys --db " + db + " " + csv, err);
  // The one import path: exit 0 when rows went in, errors as `crmkit: line N: code: message`.
  CHECK(r.status == 0);
  CHECK_THAT(r.out, Catch::Matchers::StartsWith("crmkit import: 6 rows read, 3 imported, 0 duplicates, 3 errors"));
  std::string e = slurp(err);
  CHECK_THAT(e, Catch::Matchers::Contains("crmkit: line 3: invalid_argument: score 11 is out of range 0..10"));
  CHECK_THAT(e, Catch::Matchers::Contains("crmkit: line 4: not_found:"));
  CHECK_THAT(e, Catch::Matchers::Contains("crmkit: line 8: invalid_argument: score 'x'"));  // after a 2-line record

  r = run("metrics nps --db " + db + " --from 2026-01-01 --to 2026-03-31 --by month --json", err);
  REQUIRE(r.status == 0);
  auto j = nlohmann::json::parse(r.out);
  REQUIRE(j["groups"].size() == 3);
  CHECK(j["groups"][0]["nps"] == 100.0);
  CHECK(j["groups"][1]["nps"].is_null());
  CHECK(j["groups"][2]["nps"] == -100.0);
  r = run("metrics nps --db " + db, err);
  CHECK(r.status == 0);
  CHECK_THAT(r.out, Catch::Matchers::Contains("promoters"));
  r = run("metrics csat --db " + db + " --by channel --json", err);
  CHECK(nlohmann::json::parse(r.out)["groups"].size() == 8);
  r = run("metrics nps --db " + db + " --by year", err);
  CHECK(r.status != 0);
  CHECK_THAT(slurp(err), Catch::Matchers::Contains("by"));
}

TEST_CASE("crmkit metrics retention and cohorts", "[cli][retention]") {
  TempDir dir;
  std::string db = dir.file("shop.db");
  {
    crmkit::Store s = cli_run::open_store(db);
    auto& c = crmkit::detail::connection_of(s).db;
    c.exec("INSERT INTO customers(id, external_id, created_at, updated_at) VALUES (1, 'A', 0, 0), (2, 'B', 0, 0)");
    // 2026-01-10, 2026-02-10 (A) and 2026-01-20 (B), noon UTC.
    c.exec("INSERT INTO interactions(customer_id, occurred_at, channel, kind, amount, currency) VALUES "
           "(1, 1768046400000, 'web', 'purchase', 1000, 'USD'), (1, 1770724800000, 'web', 'purchase', 3000, 'USD'), "
           "(2, 1768910400000, 'web', 'purchase', 2000, 'USD')");
    crmkit::Interactions(s).rebuild_figures();  // written behind the library's back
  }
  std::string err = dir.file("err.txt");
  auto r = run("metrics retention --db " + db + " --from 2026-02-01 --to 2026-02-28 --active-days 30 --json", err);
  REQUIRE(r.status == 0);
  auto j = nlohmann::json::parse(r.out);
  CHECK(j["active_at_start"] == 2);
  CHECK(j["retained"] == 1);
  CHECK(j["retention_rate"] == 0.5);
  r = run("metrics retention --db " + db + " --from 2026-02-01 --to 2026-02-28 --active-days 30", err);
  CHECK_THAT(r.out, Catch::Matchers::Contains("retention rate     0.5000"));
  // The rows above bypass the figures, which the default as_of reads: give it.
  r = run("metrics cohorts --db " + db + " --by month --periods 3 --as-of 2026-04-30", err);
  REQUIRE(r.status == 0);
  CHECK_THAT(r.out, Catch::Matchers::Contains("2026-01"));
  CHECK_THAT(r.out, Catch::Matchers::Contains("0.5000"));
  r = run("metrics cohorts --db " + db + " --by week --periods 2 --unbounded --json", err);
  CHECK(nlohmann::json::parse(r.out)["unbounded"] == true);
  r = run("metrics retention --db " + dir.file("missing.db") + " --from 2026-02-01 --to 2026-02-28", err);
  CHECK(r.status != 0);
}
