// One reading of times on the command line (issue #12): every time option goes through
// cli/instants.hpp, so a date means its first instant where the option starts something (--from)
// and the end of that day where it says "as of" (--as-of, --to, --at, --calibration-end), in every
// command; bad text is refused naming the option; a read command never creates a database.
#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "cli_run.hpp"

namespace {

using cli_run::Run;
using cli_run::write;

// A1 buys on 2024-03-01 and 2024-03-05 10:00, B2 on 2024-03-05 11:00 and 2024-03-20: what
// happened on 2024-03-05 is in a figure read to the end of that day and not in one read to its
// first instant.
const char* kPurchases =
    "customer_external_id,occurred_at,channel,kind,amount,currency,external_id\n"
    "A1,2024-03-01T09:00:00Z,web,purchase,10.00,USD,o1\n"
    "A1,2024-03-05T10:00:00Z,web,purchase,5.00,USD,o2\n"
    "B2,2024-03-05T11:00:00Z,web,purchase,7.00,USD,o3\n"
    "B2,2024-03-20T11:00:00Z,web,purchase,7.00,USD,o4\n";

const std::string kDate = "2024-03-05";
const std::string kFirstInstant = "2024-03-05T00:00:00Z";
const std::string kEndOfDay = "2024-03-06T00:00:00.000Z";
const std::string kEndOfDayMs = "1709683200000";

enum Role { first_instant, end_of_day };

struct Case {
  Role role;
  std::vector<std::string> commands;  // run in order on a copy of the store; {T} is the time
  bool tells_apart = true;            // the two readings of the date give different outputs
};

const std::string kClub =
    "points programme create --spec '{\"name\":\"club\",\"currency\":\"USD\",\"created_at\":0,"
    "\"value_per_1000_points\":1000}' >/dev/null";

const std::vector<Case> kCases{
    {end_of_day, {"report --json --as-of {T}"}},
    {end_of_day, {"segment count --rule 'count(purchase, last 30 days) >= 2' --as-of {T}"}},
    {end_of_day, {"segment preview --rule 'count(purchase, last 30 days) >= 1' --as-of {T}"}},
    {end_of_day, {"metrics cohorts --json --as-of {T}"}, false},
    {first_instant, {"metrics cohorts --json --from {T}"}},
    {end_of_day, {"metrics cohorts --json --to {T}"}},
    {first_instant, {"metrics retention --json --from {T} --to 2024-03-31"}},
    {end_of_day, {"metrics retention --json --from 2024-03-01 --to {T}"}},
    {end_of_day, {"rfm --json --as-of {T}"}},
    {end_of_day, {"customer lifecycle --json --as-of {T}"}},
    {end_of_day,
     {"segment create vip --static >/dev/null", "segment add vip --customer 1 --at {T}", "segment members vip --json"}},
    {end_of_day, {"segment create vip --rule 'count(purchase, last 30 days) >= 1' >/dev/null", "segment refresh vip --as-of {T}",
                  "segment members vip --json"}},
    {end_of_day, {kClub, "points enroll -p club -c 1 --at {T}", "points earn -p club --from 2024-01-01 --to 2024-04-01 --json"}},
    {first_instant, {kClub, "points enroll -p club -c 1 --at 2024-01-01", "points enroll -p club -c 2 --at 2024-01-01",
                     "points earn -p club --from {T} --to 2024-04-01 --json"}},
    {end_of_day, {kClub, "points enroll -p club -c 1 --at 2024-01-01", "points enroll -p club -c 2 --at 2024-01-01",
                  "points earn -p club --from 2024-01-01 --to {T} --json"}},
    {end_of_day, {"import customers new.csv --as-of {T} >/dev/null", "customer show --external-id Z9 --json"}},
};

std::string with_time(std::string command, const std::string& time) {
  const auto at = command.find("{T}");
  if (at != std::string::npos) command.replace(at, 3, time);
  return command;
}

// The output of a case's commands with `time` for {T}, on a fresh copy of the store (a file
// copied; on PostgreSQL a new tenant the same import fills).
std::string outputs(const TempDir& dir, const Case& c, const std::string& time) {
  static int fresh = 0;
  std::string db = "t.db";
  if (cli_run::on_postgres()) {
    db = "t" + std::to_string(++fresh) + ".db";
    REQUIRE(cli_run::crmkit(dir, "import interactions in.csv --create-customers --db " + db).status == 0);
  } else {
    std::filesystem::copy_file(dir.file("base.db"), dir.file(db), std::filesystem::copy_options::overwrite_existing);
  }
  std::string out;
  for (const auto& command : c.commands) {
    Run r = cli_run::crmkit(dir, with_time(command, time), "CRMKIT_DB=" + db);
    INFO(command << "\n" << r.err);
    REQUIRE(r.status == 0);
    out += r.out;
  }
  return out;
}

}  // namespace

TEST_CASE("cli: a date means the same instant in every command, by the option's role", "[cli][times]") {
  TempDir dir;
  write(dir.file("in.csv"), kPurchases);
  write(dir.file("new.csv"), "external_id,email\nZ9,z9@example.com\n");
  REQUIRE(cli_run::crmkit(dir, "import interactions in.csv --create-customers --db base.db").status == 0);
  for (const auto& c : kCases) {
    INFO(c.commands.back());
    const std::string as_date = outputs(dir, c, kDate);
    const std::string first = outputs(dir, c, kFirstInstant);
    const std::string end = outputs(dir, c, kEndOfDay);
    // The date is the role's instant, and the other instant gives another answer, so the
    // comparison would catch a command that read the date the other way.
    CHECK(as_date == (c.role == first_instant ? first : end));
    if (c.tells_apart) CHECK(as_date != (c.role == first_instant ? end : first));
    if (c.role == end_of_day) CHECK(outputs(dir, c, kEndOfDayMs) == end);  // epoch ms, as given
  }
}

TEST_CASE("cli: a time option's bad text is refused naming the option, nothing written", "[cli][times]") {
  TempDir dir;
  write(dir.file("in.csv"), kPurchases);
  REQUIRE(cli_run::crmkit(dir, "import interactions in.csv --create-customers --db t.db").status == 0);
  const std::vector<std::pair<std::string, std::string>> options{
      {"report --as-of {T}", "--as-of"},
      {"segment count --rule 'purchase_count >= 1' --as-of {T}", "--as-of"},
      {"segment history vip --from {T} --to 2024-03-31", "--from"},
      {"segment history vip --from 2024-03-01 --to {T}", "--to"},
      {"segment add vip --customer 1 --at {T}", "--at"},
      {"metrics retention --from {T} --to 2024-03-31", "--from"},
      {"metrics retention --from 2024-03-01 --to {T}", "--to"},
      {"metrics nps --from {T}", "--from"},
      {"metrics cohorts --as-of {T}", "--as-of"},
      {"rfm --as-of {T}", "--as-of"},
      {"clv fit --calibration-end {T}", "--calibration-end"},
      {"clv fit --calibration-end 2024-03-31 --fitted-at {T}", "--fitted-at"},
      {"clv predict --as-of {T}", "--as-of"},
      {"customer lifecycle --as-of {T}", "--as-of"},
      {"points balance -p club -c 1 --as-of {T}", "--as-of"},
      {"points earn -p club --from {T} --to 2024-03-31", "--from"},
      {"points redeem -p club -c 1 --points 5 --id r --as-of {T}", "--as-of"},
      {"import customers new.csv --as-of {T}", "--as-of"},
  };
  write(dir.file("new.csv"), "external_id\nZ9\n");
  const std::string before = cli_run::store_digest(dir, "t.db");
  for (const auto& [command, option] : options) {
    for (const std::string bad : {"2024-02-30", "2024-3-5", "yesterday"}) {
      INFO(command << " with " << bad);
      Run r = cli_run::crmkit(dir, with_time(command, "'" + bad + "'") + " --db t.db");
      CHECK(r.status == 1);
      CHECK(r.err.find("crmkit: invalid_argument: " + option + " '" + bad + "'") != std::string::npos);
    }
  }
  CHECK(cli_run::store_digest(dir, "t.db") == before);
}

TEST_CASE("cli: segment history reads dates as as-of days, instants as given", "[cli][times]") {
  TempDir dir;
  write(dir.file("in.csv"), kPurchases);
  REQUIRE(cli_run::crmkit(dir, "import interactions in.csv --create-customers --db t.db").status == 0);
  REQUIRE(cli_run::crmkit(dir, "segment create two --rule 'count(purchase, last 30 days) >= 2' --db t.db").status == 0);
  // Refreshed as of 2024-03-04 (nobody), 2024-03-05 (A1 enters, stamped 2024-03-06 00:00).
  REQUIRE(cli_run::crmkit(dir, "segment refresh two --as-of 2024-03-04 --db t.db").status == 0);
  REQUIRE(cli_run::crmkit(dir, "segment refresh two --as-of 2024-03-05 --db t.db").status == 0);
  auto stays = [&](const std::string& range) {
    Run r = cli_run::crmkit(dir, "segment history two --json --db t.db " + range);
    REQUIRE(r.status == 0);
    return r.json().size();
  };
  CHECK(stays("--from 2024-03-05 --to 2024-03-05") == 1);
  CHECK(stays("--from 2024-03-06 --to 2024-03-31") == 0);
  CHECK(stays("--from 2024-03-01 --to 2024-03-04") == 0);
  CHECK(stays("--from 2024-03-06T00:00:00Z --to 2024-03-06T00:00:00.001Z") == 1);
  CHECK(stays("--from 2024-03-05T00:00:00Z --to 2024-03-06T00:00:00Z") == 0);
}

TEST_CASE("cli: lengths of time are one form in every option and bad text names the option", "[cli][times]") {
  TempDir dir;
  write(dir.file("in.csv"), kPurchases);
  REQUIRE(cli_run::crmkit(dir, "import interactions in.csv --create-customers --db t.db").status == 0);
  // A count of days may carry its unit's letter.
  const std::string retention = "metrics retention --json --db t.db --from 2024-03-01 --to 2024-03-31 --active-days ";
  Run plain = cli_run::crmkit(dir, retention + "3");
  REQUIRE(plain.status == 0);
  CHECK(cli_run::crmkit(dir, retention + "3d").out == plain.out);
  CHECK(cli_run::crmkit(dir, retention + "30").out != plain.out);
  const std::string before = cli_run::store_digest(dir, "t.db");
  const std::vector<std::pair<std::string, std::string>> refused{
      {retention + "3w", "--active-days '3w' is not a whole number of days"},
      {retention + "1.5", "--active-days '1.5' is not a whole number of days"},
      {retention + "9x", "--active-days '9x' is not a number optionally followed by d, w or m"},
      {"customer lifecycle --db t.db --as-of 2024-03-31 --window-days 12m",
       "--window-days '12m' is not a whole number of days"},
      {"points balance --db t.db -p club -c 1 --expiring-days soon",
       "--expiring-days 'soon' is not a number optionally followed by d, w or m"},
      {"clv predict --db t.db --horizon 12x", "--horizon '12x' is not a number optionally followed by d, w or m"},
      {"clv predict --db t.db --horizon 12m --unit week", "--horizon '12m' is in months but --unit says week"},
  };
  for (const auto& [command, message] : refused) {
    INFO(command);
    Run r = cli_run::crmkit(dir, command);
    CHECK(r.status == 1);
    CHECK(r.err.find("crmkit: invalid_argument: " + message) != std::string::npos);
  }
  CHECK(cli_run::store_digest(dir, "t.db") == before);
}
