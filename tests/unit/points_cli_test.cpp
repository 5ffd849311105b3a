// `crmkit points ...` end to end: the command on a file made with the C++ API.
#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "cli_run.hpp"
#include "crmkit/customer.hpp"
#include "crmkit/interaction.hpp"
#include "crmkit/points.hpp"
#include "temp_dir.hpp"

using namespace crmkit;

namespace {
// One command of a points session: `crmkit points VERB --db FILE ARGS`, the exit status it must
// end with and what its output (stdout and stderr together) must say.
struct PointsStep {
  std::string verb, args;
  int status;
  std::vector<std::string> says;
};
}  // namespace

TEST_CASE("crmkit points: create, enrol, earn, redeem, balance, liability", "[points][cli]") {
  TempDir dir;
  std::string path = dir.file("shop.db");
  {
    Store s = cli_run::open_store(path);
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
  const PointsStep session[] = {
      {"programme create",
       "--spec '{\"name\":\"club\",\"currency\":\"USD\",\"created_at\":0,\"value_per_1000_points\":1000}'", 0,
       {"created club"}},
      {"enroll", "-p club -c ext:alice --at 2023-12-31", 0, {}},
      // Enrolled after the purchase was recorded: a backfill earns for it (250.99 USD -> 250).
      {"earn", "-p club --from 2024-01-01 --to 2024-02-01", 0, {"earned for 1 purchases"}},
      {"redeem", "-p club -c 1 --points 50 --id r1 --as-of 2024-01-05", 0, {"-50 points"}},
      {"redeem", "-p club -c 1 --points 50 --id r1 --as-of 2024-01-06", 0, {"repeat"}},
      {"redeem", "-p club -c 1 --points 51 --id r1 --as-of 2024-01-06", 1, {"conflict"}},
      {"adjust", "-p club -c 1 --points -10 --reason fix --id a1 --as-of 2024-01-05", 0, {}},
      {"balance", "-p club -c 1 --as-of 2024-01-05 --json", 0, {"\"available\":190"}},
      {"liability", "-p club --as-of 2024-01-05", 0, {"outstanding 190 points", "worth 1.90 USD"}},
      {"ledger", "-p club --json", 0, {"\"kind\":\"adjust\""}},
      {"balance", "-p nope -c 1 --as-of 2024-01-05", 1, {"not_found"}},
      {"balance", "-p club -c bob --as-of 2024-01-05", 1, {"ext:"}},
      {"expire", "-p club --as-of 2024-02-01", 0, {}},
      {"review-tiers", "-p club --as-of 2024-02-01 --json", 0, {"\"reviewed\""}},
  };
  for (const auto& step : session) {
    auto r = cli_run::crmkit(dir, "points " + step.verb + " --db " + path + " " + step.args);
    const std::string out = r.out + r.err;
    INFO("points " << step.verb << " " << step.args << "\n" << out);
    // A refusal is checked and the session goes on; a step that must succeed stops it when it fails.
    if (step.status == 0)
      REQUIRE(r.status == 0);
    else
      CHECK(r.status == step.status);
    for (const auto& text : step.says) CHECK_THAT(out, Catch::Contains(text));
  }
}
