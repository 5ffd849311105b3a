// `crmkit points ...` end to end: the command on a file made with the C++ API.
#include <catch2/catch.hpp>

#include <array>
#include <cstdio>
#include <memory>
#include <string>

#include "crmkit/customer.hpp"
#include "crmkit/interaction.hpp"
#include "crmkit/points.hpp"
#include "temp_dir.hpp"

using namespace crmkit;

namespace {
// Runs the command; returns its exit status and fills `out` with stdout + stderr.
int run(const std::string& args, std::string& out) {
  std::string cmd = std::string(CRMKIT_CLI) + " " + args + " 2>&1";
  out.clear();
  FILE* p = ::popen(cmd.c_str(), "r");
  REQUIRE(p);
  std::array<char, 4096> buf{};
  std::size_t n;
  while ((n = std::fread(buf.data(), 1, buf.size(), p)) > 0) out.append(buf.data(), n);
  int status = ::pclose(p);
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}
}  // namespace

TEST_CASE("crmkit points: create, enrol, earn, redeem, balance, liability", "[points][cli]") {
  TempDir dir;
  std::string path = dir.file("shop.db");
  {
    Store s = Store::open(path);
    CustomerFields f;
    f.external_id = "alice";
    f.created_at = 0;
    auto id = Customers(s).create(f);
    Interaction i;
    i.customer_id = id;
    i.occurred_at = parse_instant("2024-01-02T10:00:00Z");
    i.channel = Channel::store;
    i.kind = InteractionKind::purchase;
    i.amount = Money{25099, "USD"};
    Interactions(s).record(i);
  }
  std::string db = "--db " + path;
  std::string out;
  REQUIRE(run("points programme create " + db +
                  " --spec '{\"name\":\"club\",\"currency\":\"USD\",\"created_at\":0,\"value_per_1000_points\":1000}'",
              out) == 0);
  CHECK_THAT(out, Catch::Contains("created club"));
  REQUIRE(run("points enroll " + db + " -p club -c ext:alice --at 2023-12-31", out) == 0);
  // Enrolled after the purchase was recorded: a backfill earns for it (250.99 USD -> 250).
  REQUIRE(run("points earn " + db + " -p club --from 2024-01-01 --to 2024-02-01", out) == 0);
  CHECK_THAT(out, Catch::Contains("earned for 1 purchases"));
  REQUIRE(run("points redeem " + db + " -p club -c 1 --points 50 --id r1 --as-of 2024-01-05", out) == 0);
  CHECK_THAT(out, Catch::Contains("-50 points"));
  REQUIRE(run("points redeem " + db + " -p club -c 1 --points 50 --id r1 --as-of 2024-01-06", out) == 0);
  CHECK_THAT(out, Catch::Contains("repeat"));
  CHECK(run("points redeem " + db + " -p club -c 1 --points 51 --id r1 --as-of 2024-01-06", out) == 1);
  CHECK_THAT(out, Catch::Contains("conflict"));
  REQUIRE(run("points adjust " + db + " -p club -c 1 --points -10 --reason fix --id a1 --as-of 2024-01-05", out) == 0);
  REQUIRE(run("points balance " + db + " -p club -c 1 --as-of 2024-01-05 --json", out) == 0);
  CHECK_THAT(out, Catch::Contains("\"available\":190"));
  REQUIRE(run("points liability " + db + " -p club --as-of 2024-01-05", out) == 0);
  CHECK_THAT(out, Catch::Contains("outstanding 190 points"));
  CHECK_THAT(out, Catch::Contains("worth 1.90 USD"));
  REQUIRE(run("points ledger " + db + " -p club --json", out) == 0);
  CHECK_THAT(out, Catch::Contains("\"kind\":\"adjust\""));
  CHECK(run("points balance " + db + " -p nope -c 1 --as-of 2024-01-05", out) == 1);
  CHECK_THAT(out, Catch::Contains("not_found"));
  CHECK(run("points balance " + db + " -p club -c bob --as-of 2024-01-05", out) == 1);
  CHECK_THAT(out, Catch::Contains("ext:"));
  REQUIRE(run("points expire " + db + " -p club --as-of 2024-02-01", out) == 0);
  REQUIRE(run("points review-tiers " + db + " -p club --as-of 2024-02-01 --json", out) == 0);
  CHECK_THAT(out, Catch::Contains("\"reviewed\""));
}
