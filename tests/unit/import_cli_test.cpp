// `crmkit import` end to end (issue #10 items 2, 5, 11, 12): every row-level refusal, from any
// stage, is reported with its line and skipped while the rest goes in; created_at of a created
// customer comes from accepted rows only; one import path (header checks, strict numbers,
// error format) for every entity; bounded reads (an unclosed quote, an over-long @FILE).
#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>
#include <regex>
#include <string>

#include "cli_run.hpp"

namespace {

using cli_run::Run;
using cli_run::write;

std::vector<int> error_lines(const nlohmann::json& j) {
  std::vector<int> lines;
  for (const auto& e : j["errors"]) lines.push_back(e["line"].get<int>());
  return lines;
}

std::string message_at(const nlohmann::json& j, int line) {
  for (const auto& e : j["errors"])
    if (e["line"] == line) return e["message"].get<std::string>();
  return "";
}

const char* kHeader = "customer_external_id,occurred_at,channel,kind,amount,currency\n";

// Imports `csv` (as in.csv) into t.db as interactions, creating customers; the command must
// succeed, its row errors are in the JSON it prints.
Run import_interactions(const TempDir& dir, const std::string& csv) {
  write(dir.file("in.csv"), csv);
  Run r = cli_run::crmkit(dir, "import interactions --db t.db in.csv --create-customers --json");
  INFO(r.out << r.err);
  REQUIRE(r.status == 0);
  return r;
}

}  // namespace

TEST_CASE("import: a refused customer id or an overflowing row is one row error and the import goes on", "[cli][import]") {
  TempDir dir;
  std::string csv = kHeader;
  csv += "A1,2024-03-01,web,purchase,10.00,USD\n";                         // 2 ok
  csv += "\"bad\xff\",2024-03-01,web,visit,,\n";                          // 3 not UTF-8
  csv += std::string("N\0L", 3) + ",2024-03-01,web,visit,,\n";             // 4 a NUL
  csv += std::string(1001, 'L') + ",2024-03-01,web,visit,,\n";             // 5 too long
  csv += "Y1,-62135596800001,web,visit,,\n";                               // 6 before year 1
  csv += "Y1,2024-03-02,web,visit,,\n";                                    // 7 ok: Y1 starts here
  csv += "O1,2024-03-03,web,purchase,50000000000000000.00,USD\n";          // 8 ok
  csv += "O1,2024-03-04,web,purchase,50000000000000000.00,USD\n";          // 9 total would overflow
  csv += "B2,2024-03-05,web,visit,,\n";                                    // 10 ok

  Run r = import_interactions(dir, csv);
  INFO(r.out << r.err);
  auto j = r.json();
  CHECK(j["rows"] == 9);
  CHECK(j["imported"] == 4);
  CHECK(j["customers_created"] == 4);  // A1, Y1, O1, B2
  CHECK(j["error_count"] == 5);
  CHECK(error_lines(j) == std::vector<int>{3, 4, 5, 6, 9});
  CHECK_THAT(message_at(j, 3), Catch::Matchers::Contains("customer_external_id"));
  CHECK_THAT(message_at(j, 5), Catch::Matchers::Contains("customer_external_id"));
  CHECK_THAT(message_at(j, 6), Catch::Matchers::Contains("occurred_at"));
  CHECK_THAT(message_at(j, 9), Catch::Matchers::Contains("total"));  // the per-customer total
  // stderr: the same, in line order, with the line numbers.
  CHECK(r.err.find("crmkit: line 3: invalid_argument:") < r.err.find("crmkit: line 9: invalid_argument:"));

  auto y1 = cli_run::crmkit(dir, "customer show --db t.db --external-id Y1 --json").json();
  CHECK(y1["created_at"] == "2024-03-02T00:00:00.000Z");
  auto o1 = cli_run::crmkit(dir, "customer show --db t.db --external-id O1 --json").json();
  CHECK(o1["figures"]["purchase_count"] == 1);
  CHECK(cli_run::crmkit(dir, "customer show --db t.db --external-id B2 --json").status == 0);

  // Without --create-customers the lookup refuses the same ids row by row as well.
  std::string again = kHeader;
  again += "\"bad\xff\",2024-04-01,web,visit,,\n";  // 2
  again += "A1,2024-04-02,web,visit,,\n";           // 3 ok
  again += "Q9,2024-04-03,web,visit,,\n";           // 4 unknown
  write(dir.file("again.csv"), again);
  r = cli_run::crmkit(dir, "import interactions --db t.db again.csv --json");
  INFO(r.out << r.err);
  REQUIRE(r.status == 0);
  j = r.json();
  CHECK(j["imported"] == 1);
  CHECK(error_lines(j) == std::vector<int>{2, 4});
  CHECK(j["errors"][1]["code"] == "not_found");
}

TEST_CASE("import: a created customer's created_at comes from accepted rows only", "[cli][import]") {
  TempDir dir;
  std::string csv = kHeader;
  csv += "Z1,2024-01-01,web,refund,5.00,USD\n";  // 2 refused by the library (a refund is negative)
  csv += "Z1,2024-02-01,web,visit,,\n";          // 3 ok
  csv += "Z1,2024-02-03,web,visit,,\n";          // 4 ok
  csv += "W1,2023-12-31,web,refund,5.00,USD\n";  // 5 refused: W1 has no accepted row
  Run r = import_interactions(dir, csv);
  INFO(r.out << r.err);
  auto j = r.json();
  CHECK(j["imported"] == 2);
  CHECK(j["customers_created"] == 1);
  CHECK(error_lines(j) == std::vector<int>{2, 5});
  CHECK(j["errors"][0]["code"] == "invalid_argument");
  auto z1 = cli_run::crmkit(dir, "customer show --db t.db --external-id Z1 --json").json();
  CHECK(z1["created_at"] == "2024-02-01T00:00:00.000Z");
  CHECK(cli_run::crmkit(dir, "customer show --db t.db --external-id W1").status != 0);
}

TEST_CASE("import surveys: the same header checks and error format with strict scores", "[cli][import][surveys]") {
  TempDir dir;
  write(dir.file("c.csv"), "customer_external_id,occurred_at,channel,kind\nS1,2026-01-01,web,visit\n");
  REQUIRE(cli_run::crmkit(dir, "import interactions --db t.db c.csv --create-customers").status == 0);

  write(dir.file("twice.csv"), "customer_external_id,occurred_at,kind,score,channel,score\nS1,2026-01-02,nps,9,web,1\n");
  Run r = cli_run::crmkit(dir, "import surveys --db t.db twice.csv");
  CHECK(r.status == 1);
  CHECK_THAT(r.err, Catch::Matchers::StartsWith("crmkit: invalid_argument: header: column 'score' appears twice"));

  write(dir.file("unknown.csv"), "customer_external_id,occurred_at,kind,score,channel,mood\nS1,2026-01-02,nps,9,web,ok\n");
  r = cli_run::crmkit(dir, "import surveys --db t.db unknown.csv");
  CHECK(r.status == 1);
  CHECK_THAT(r.err, Catch::Matchers::Contains("header: unknown column 'mood'"));

  write(dir.file("missing.csv"), "customer_external_id,occurred_at,kind,channel\nS1,2026-01-02,nps,web\n");
  r = cli_run::crmkit(dir, "import surveys --db t.db missing.csv");
  CHECK(r.status == 1);
  CHECK_THAT(r.err, Catch::Matchers::Contains("header: required column 'score' is missing"));

  write(dir.file("s.csv"),
        "customer_external_id,occurred_at,kind,score,channel\n"
        "S1,2026-01-02,nps,0x9,web\n"    // 2 hexadecimal
        "S1,2026-01-03,nps,9,web\n"      // 3 ok
        "S1,2026-01-04,nps,1e1,web\n"    // 4 exponent
        "S1,2026-01-05,nps, 7,web\n"     // 5 space
        "S9,2026-01-06,nps,7,web\n"      // 6 unknown customer
        "S1,2026-01-07,csat,4,web\n");   // 7 ok
  r = cli_run::crmkit(dir, "import surveys --db t.db s.csv --json");
  INFO(r.out << r.err);
  REQUIRE(r.status == 0);
  auto j = r.json();
  CHECK(j["kind"] == "surveys");
  CHECK(j["rows"] == 6);
  CHECK(j["imported"] == 2);
  CHECK(error_lines(j) == std::vector<int>{2, 4, 5, 6});
  CHECK_THAT(message_at(j, 2), Catch::Matchers::Contains("score '0x9' is not a decimal number"));
  CHECK(r.err.find("crmkit: line 2: invalid_argument: score '0x9'") == 0);
  CHECK_THAT(r.err, Catch::Matchers::Contains("crmkit: line 6: not_found: customer_external_id 'S9'"));
}

TEST_CASE("import: an unclosed quote costs one error and at most the field limit and later rows import",
          "[cli][import]") {
  TempDir dir;
  std::string csv = "customer_external_id,occurred_at,channel,kind,external_id\n";
  csv += "U1,\"2024-01-01,web,visit,open\n";  // line 2: the quote is never closed
  const int rows = 45'000;                     // about 1.4 MB: more than the 1 MiB field limit
  for (int i = 0; i < rows; ++i) csv += "U1,2024-01-02,web,visit,e" + std::to_string(i) + "\n";
  write(dir.file("in.csv"), csv);
  Run r = cli_run::crmkit(dir, "import interactions --db t.db in.csv --create-customers --json");
  INFO(r.err);
  REQUIRE(r.status == 0);
  auto j = r.json();
  REQUIRE(j["errors"].size() == 1);
  CHECK(j["errors"][0]["line"] == 2);
  std::string message = j["errors"][0]["message"];
  std::smatch m;
  REQUIRE(std::regex_search(message, m, std::regex("longer than the limit of 1048576 bytes.*resumes on line ([0-9]+)")));
  const int resume = std::stoi(m[1]);
  CHECK(resume > 3);
  CHECK(resume < rows + 2);
  // Lines resume .. rows + 2 hold the rows after the lost stretch; all of them are imported.
  CHECK(j["imported"] == rows + 3 - resume);
  CHECK(j["rows"] == 1 + (rows + 3 - resume));
}

TEST_CASE("cli: a file named on the command line is refused past its limit without reading it whole", "[cli][import]") {
  TempDir dir;
  write(dir.file("c.csv"), "customer_external_id,occurred_at,channel,kind\nS1,2026-01-01,web,visit\n");
  REQUIRE(cli_run::crmkit(dir, "import interactions --db t.db c.csv --create-customers").status == 0);
  // 16 GiB, sparse: reading it whole would exhaust memory (std::bad_alloc before the fix).
  {
    std::ofstream(dir.file("big.rule")) << "{";
  }
  std::filesystem::resize_file(dir.file("big.rule"), 16ULL << 30);
  Run r = cli_run::crmkit(dir, "segment create big --db t.db --rule @big.rule");
  CHECK(r.status == 1);
  CHECK(r.err == "crmkit: invalid_argument: rule file 'big.rule' is longer than the limit of 262144 bytes\n");
  // One byte over the limit is enough to refuse; at the limit the rule's own parser decides.
  write(dir.file("over.rule"), std::string(256 * 1024 + 1, ' '));
  r = cli_run::crmkit(dir, "segment create over --db t.db --rule @over.rule");
  CHECK_THAT(r.err, Catch::Matchers::Contains("is longer than the limit of 262144 bytes"));
  write(dir.file("ok.rule"), "{\"all\": []}");
  r = cli_run::crmkit(dir, "segment create fine --db t.db --rule @ok.rule");
  CHECK_THAT(r.err, !Catch::Matchers::Contains("longer than the limit"));

  {
    std::ofstream(dir.file("big.json")) << "{";
  }
  std::filesystem::resize_file(dir.file("big.json"), 16ULL << 30);
  r = cli_run::crmkit(dir, "points programme create --db t.db --spec @big.json");
  CHECK(r.status == 1);
  CHECK_THAT(r.err, Catch::Matchers::Contains("--spec file 'big.json' is longer than the limit of 1000000 bytes"));
  r = cli_run::crmkit(dir, "rfm --db t.db --as-of 2026-02-01 --map-file big.json");
  CHECK(r.status == 1);
  CHECK_THAT(r.err, Catch::Matchers::Contains("--map-file 'big.json' is longer than the limit of 1000000 bytes"));
}
