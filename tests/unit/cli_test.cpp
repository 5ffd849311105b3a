// The crmkit command end to end: it is run as a user runs it (popen on the built binary) and
// its JSON output is checked. Includes the CDNOW acceptance test: the published cohort's
// figures (23,570 customers, 69,659 purchases, 2,500,315.63 USD; see /work/shared/data/README)
// must come out of `crmkit import` + `crmkit report` exactly.
#include <catch2/catch.hpp>

#include <fstream>
#include <sstream>
#include <string>

#include "cli_run.hpp"
#include "crmkit/customer.hpp"
#include "test_paths.hpp"  // CRMKIT_SHARED_DATA, CRMKIT_CLI, CRMKIT_CHILD (generated)

namespace {

using cli_run::Run;
using cli_run::slurp;
using cli_run::write;

// The command, run as a user runs it (named apart from namespace crmkit, which this file also uses).
Run run(const TempDir& dir, const std::string& args, const std::string& env = "") {
  return cli_run::crmkit(dir, args, env);
}

// Lines 1..11; the comments give the expected fate of each row.
const char* kInteractionsCsv =
    "customer_external_id,occurred_at,channel,kind,amount,currency,external_id,subject\r\n"  // 1
    "A1,2024-03-01,web,purchase,10.50,USD,o1,first\r\n"                                      // 2 ok
    "A1,2024-03-05T10:00:00Z,store,purchase,5.25,USD,o2,\r\n"                                // 3 ok
    "B2,2024-03-02,email,email_open,,,,\"Newsletter, March\"\r\n"                           // 4 ok
    "B2,not-a-date,web,purchase,1.00,USD,,\r\n"                                              // 5 bad time
    "C3,2024-03-03,pigeon,inquiry,,,,\r\n"                                                   // 6 bad channel
    "A1,2024-03-06,web,purchase,1.234,USD,,\r\n"                                             // 7 bad amount
    "\"B2\",\"2024-03-04\",\"phone\",\"complaint\",,,,\"multi\r\nline \"\"subject\"\"\"\r\n" // 8-9 ok
    "C3,2024-03-09,web,refund,5.00,USD,,\r\n"                                                // 10 refund > 0
    "A1,2024-03-01,web,purchase,10.50,USD,o1,first\r\n";                                     // 11 duplicate


// The text of one report section: from its heading line to the blank line before the next.
std::string section(const std::string& report, const std::string& heading) {
  std::size_t at = report.find("\n" + heading);
  if (at == std::string::npos) return "";
  std::size_t end = report.find("\n\n", at + 1);
  return report.substr(at + 1, end == std::string::npos ? std::string::npos : end - at - 1);
}

std::size_t count(const std::string& text, const std::string& what) {
  std::size_t n = 0;
  for (std::size_t at = text.find(what); at != std::string::npos; at = text.find(what, at + 1)) ++n;
  return n;
}
}  // namespace

TEST_CASE("cli: import interactions reports bad rows by line and imports the rest", "[cli]") {
  TempDir dir;
  write(dir.file("in.csv"), kInteractionsCsv);

  SECTION("unknown customers are row errors without --create-customers") {
    Run r = run(dir, "import interactions --db t.db in.csv --json");
    CHECK(r.status == 1);  // nothing could be imported
    auto j = r.json();
    CHECK(j["rows"] == 9);  // records, not lines: 8-9 is one
    CHECK(j["imported"] == 0);
    CHECK(r.err.find("is not a known customer") != std::string::npos);
  }

  SECTION("with --create-customers") {
    Run r = run(dir, "import interactions --db t.db in.csv --create-customers --json");
    INFO(r.out << r.err);
    REQUIRE(r.status == 0);
    auto j = r.json();
    CHECK(j["rows"] == 9);  // records, not lines: 8-9 is one
    CHECK(j["imported"] == 4);
    CHECK(j["duplicates"] == 1);
    CHECK(j["customers_created"] == 2);  // not C3: none of its rows could be imported
    std::vector<int> lines;
    for (const auto& e : j["errors"]) lines.push_back(e["line"].get<int>());
    CHECK(lines == std::vector<int>{5, 6, 7, 10});
    CHECK(j["errors"][0]["message"].get<std::string>().find("occurred_at") != std::string::npos);
    CHECK(j["errors"][1]["message"].get<std::string>().find("channel") != std::string::npos);
    CHECK(j["errors"][2]["message"].get<std::string>().find("amount") != std::string::npos);
    CHECK(r.err.find("line 6:") != std::string::npos);

    Run rep = run(dir, "report --db t.db --json");
    REQUIRE(rep.status == 0);
    auto rj = rep.json();
    const auto& ov = rj["overview"];
    CHECK(ov["customers"] == 2);
    CHECK(ov["interactions"] == 4);
    CHECK(ov["purchases"] == 2);
    CHECK(ov["revenue"] == nlohmann::json::parse(R"([{"currency": "USD", "amount": "15.75"}])"));
    CHECK(rj["as_of"] == "2024-03-06T00:00:00.000Z");  // the end of the last day with data
    CHECK(ov.contains("customers_by_stage"));
    CHECK(ov["interactions_by_channel_kind"]["web"]["purchase"] == 1);
    CHECK(ov["interactions_by_channel_kind"]["store"]["purchase"] == 1);
    CHECK(ov["interactions_by_channel_kind"]["phone"]["complaint"] == 1);
    CHECK(rj["revenue_by_month"][0]["month"] == "2024-03");
    CHECK(rj["revenue_by_month"][0]["purchases"] == 2);
    CHECK(rj["top_customers"][0]["revenue"]["amount"] == "15.75");
    // --as-of cuts the facts at the end of that day.
    auto early = run(dir, "report --db t.db --json --as-of 2024-03-02").json();
    CHECK(early["overview"]["interactions"] == 2);
    CHECK(early["overview"]["revenue"][0]["amount"] == "10.50");

    Run show = run(dir, "customer show --db t.db --external-id A1 --json");
    REQUIRE(show.status == 0);
    auto c = show.json();
    CHECK(c["external_id"] == "A1");
    CHECK(c["created_at"] == "2024-03-01T00:00:00.000Z");  // its first interaction
    CHECK(c["figures"]["purchase_count"] == 2);
    CHECK(c["figures"]["money"][0]["purchase_total"] == "15.75");
    Run text = run(dir, "customer show --db t.db --external-id A1");
    CHECK(text.out.find("15.75") != std::string::npos);
    for (const auto& field : crmkit::customer_fields())  // a row per field, from the library's list
      if (field.type != crmkit::CustomerFieldType::integer) CHECK(text.out.find(std::string("  ") + field.name + " ") != std::string::npos);

    Run tl = run(dir, "timeline --db t.db --external-id B2 --json");
    REQUIRE(tl.status == 0);
    auto t = tl.json()["interactions"];
    REQUIRE(t.size() == 2);
    CHECK(t[0]["kind"] == "complaint");  // newest first
    CHECK(t[0]["subject"] == "multi\r\nline \"subject\"");
    CHECK(t[1]["subject"] == "Newsletter, March");
    auto a1 = run(dir, "timeline --db t.db --external-id A1 --kind purchase --limit 1 --json").json();
    REQUIRE(a1["interactions"].size() == 1);
    CHECK(a1["interactions"][0]["amount"]["amount"] == "5.25");
    CHECK(a1["has_more"] == true);

    Run missing = run(dir, "customer show --db t.db 999999");
    CHECK(missing.status != 0);
    CHECK(missing.err.rfind("crmkit: not_found: ", 0) == 0);
    Run bad_kind = run(dir, "timeline --db t.db --external-id A1 --kind gift");
    CHECK(bad_kind.status != 0);
    CHECK(bad_kind.err.rfind("crmkit: invalid_argument: ", 0) == 0);
  }
}

TEST_CASE("cli: bad files are refused up front", "[cli]") {
  TempDir dir;
  write(dir.file("bad.csv"), "customer_external_id,occurred_at,channel,kind,colour\r\nA,2024-01-01,web,visit,red\r\n");
  Run r = run(dir, "import interactions --db t.db bad.csv");
  CHECK(r.status != 0);
  CHECK(r.err.find("crmkit: invalid_argument: ") == 0);
  CHECK(r.err.find("unknown column 'colour'") != std::string::npos);
  Run none = run(dir, "import interactions --db t.db no-such-file.csv");
  CHECK(none.status != 0);
  CHECK(none.err.find("crmkit: io: ") == 0);
  Run nodb = run(dir, "report --db missing.db");
  CHECK(nodb.status != 0);
  CHECK(nodb.err.find(cli_run::missing_store_error(dir, "missing.db")) == 0);
}

TEST_CASE("cli: import customers from CSV, stdin included", "[cli]") {
  TempDir dir;
  write(dir.file("c.csv"),
        "external_id,given_name,family_name,email,country,tags,lifecycle_stage,created_at,acquisition_cost,acquisition_currency,attributes\n"
        "K1,Zoë,Ödegaard,ZOE@Example.COM,NO,vip;newsletter,customer,2024-01-02,12.50,EUR,\"{\"\"tier\"\":\"\"gold\"\"}\"\n"
        "K2,Bo,Li,not-an-email,CN,,lead,2024-01-03,,,\n"
        "K3,Al,Ng,al@example.org,SG,a|b,prospect,2024-01-04,,,\n");
  Run r = run(dir, "import customers --db t.db - --json < c.csv");
  INFO(r.out << r.err);
  REQUIRE(r.status == 0);
  auto j = r.json();
  CHECK(j["imported"] == 2);
  REQUIRE(j["errors"].size() == 1);
  CHECK(j["errors"][0]["line"] == 3);
  CHECK(j["errors"][0]["message"].get<std::string>().find("email") != std::string::npos);
  auto c = run(dir, "customer show --db t.db --external-id K1 --json").json();
  CHECK(c["email"] == "zoe@example.com");
  CHECK(c["tags"] == nlohmann::json({"newsletter", "vip"}));
  CHECK(c["attributes"]["tier"] == "gold");
  CHECK(c["acquisition_cost"]["amount"] == "12.50");
  CHECK(c["lifecycle_stage"] == "customer");
  // The same file again updates (upsert on external_id) instead of duplicating.
  auto again = run(dir, "import customers --db t.db c.csv --json").json();
  CHECK(again["imported"] == 0);
  CHECK(again["updated"] == 2);
  CHECK(run(dir, "report --db t.db --json").json()["overview"]["customers"] == 2);
}

TEST_CASE("cli: demo is deterministic for a seed and the report reads it back", "[cli]") {
  TempDir dir;
  Run a = run(dir, "demo --db a.db --customers 300 --seed 7 --json");
  INFO(a.err);
  REQUIRE(a.status == 0);
  Run b = run(dir, "demo --db b.db --customers 300 --seed 7 --json");
  REQUIRE(b.status == 0);
  auto ja = a.json(), jb = b.json();
  ja.erase("database");
  jb.erase("database");
  CHECK(ja == jb);
  CHECK(ja["overview"]["customers"] == 300);
  CHECK(ja["overview"]["purchases"].get<int>() > 300);
  CHECK(ja["overview"]["interactions"].get<int>() > 3000);
  bool usd = false;
  for (const auto& m : ja["overview"]["revenue"]) usd = usd || m["currency"] == "USD";
  CHECK(usd);
  CHECK(ja["as_of"] <= "2026-01-01T00:00:00.000Z");
  // Another seed, another population; the report command reads the same figures back.
  auto other = run(dir, "demo --db c.db --customers 300 --seed 8 --json").json();
  CHECK(other["overview"]["revenue"] != ja["overview"]["revenue"]);
  auto rep = run(dir, "report --db a.db --json").json();
  rep.erase("database");
  CHECK(rep == ja);
  // Running the demo again on the same file replaces it; a tenant is never replaced.
  Run again = run(dir, "demo --db a.db --customers 300 --seed 7 --json");
  if (cli_run::on_postgres()) {
    CHECK(again.status == 1);
    CHECK(again.err.find("crmkit: conflict: the demo fills only an empty tenant") == 0);
  } else {
    REQUIRE(again.status == 0);
  }
  CHECK(run(dir, "report --db a.db --json").json()["overview"]["customers"] == 300);
  Run text = run(dir, "report --db a.db");
  CHECK(text.out.find("Revenue by month (USD;") != std::string::npos);
  CHECK(text.out.find("Customers by lifecycle stage") != std::string::npos);
}

TEST_CASE("cli: CDNOW through import and report gives the published cohort figures", "[cli][cdnow]") {
  const std::string src = std::string(CRMKIT_SHARED_DATA) + "/cdnow/CDNOW_master.txt";
  std::ifstream in(src);
  if (!in) {
    WARN("skipped: " << src << " is absent");
    return;
  }
  TempDir dir;
  {
    // `customer_id date(YYYYMMDD) number_of_cds dollar_value`, whitespace separated, header line.
    std::ofstream out(dir.file("cdnow.csv"), std::ios::binary);
    out << "customer_external_id,occurred_at,channel,kind,amount,currency\r\n";
    std::string line;
    std::getline(in, line);  // header
    std::size_t rows = 0;
    while (std::getline(in, line)) {
      std::istringstream f(line);
      std::string id, date, cds, dollars;
      if (!(f >> id >> date >> cds >> dollars)) continue;
      out << id << ',' << date.substr(0, 4) << '-' << date.substr(4, 2) << '-' << date.substr(6, 2)
          << ",other,purchase," << dollars << ",USD\r\n";
      ++rows;
    }
    REQUIRE(rows == 69659);
  }
  // The file has no transaction ids and 255 rows that repeat another row exactly (customer,
  // day, CDs, dollars); the published figures count each, so they are true repeats.
  Run imp = run(dir, "import interactions --db cdnow.db cdnow.csv --create-customers --allow-repeats --json");
  INFO(imp.err);
  REQUIRE(imp.status == 0);
  auto ij = imp.json();
  CHECK(ij["imported"] == 69659);
  CHECK(ij["errors"].empty());
  CHECK(ij["customers_created"] == 23570);
  Run rep = run(dir, "report --db cdnow.db --json");
  REQUIRE(rep.status == 0);
  auto j = rep.json();
  CHECK(j["overview"]["customers"] == 23570);
  CHECK(j["overview"]["purchases"] == 69659);
  CHECK(j["overview"]["revenue"][0]["amount"] == "2500315.63");
  CHECK(j["as_of"] == "1998-07-01T00:00:00.000Z");  // the cohort ends on 1998-06-30
  // Every CDNOW customer first bought in 1997-01..03: the cohort section shows those months
  // (it once showed the last 12 calendar months, which hold no first purchase: "no purchases").
  Run text = run(dir, "report --db cdnow.db");
  REQUIRE(text.status == 0);
  std::string cohorts = section(text.out, "Monthly cohorts");
  INFO(cohorts);
  CHECK(cohorts.find("cohorts 1996-04 .. 1997-03") != std::string::npos);
  CHECK(cohorts.find("  1997-01      7,846  100.0%") != std::string::npos);
  CHECK(cohorts.find("  1997-02      8,476  100.0%") != std::string::npos);
  CHECK(cohorts.find("  1997-03      7,248  100.0%") != std::string::npos);
  CHECK(cohorts.find("no purchases") == std::string::npos);
}

TEST_CASE("cli: the report text says what each figure is, on the demo data", "[cli]") {
  TempDir dir;
  Run demo = run(dir, "demo --db d.db --customers 2000 --seed 3");
  INFO(demo.err);
  REQUIRE(demo.status == 0);
  const std::string& out = demo.out;
  // Cohorts: the 12 newest monthly cohorts, each starting at 100% in m0, and the window said.
  std::string cohorts = section(out, "Monthly cohorts");
  INFO(cohorts);
  CHECK(cohorts.find("cohorts 2025-01 .. 2025-12: the newest 12 months") != std::string::npos);
  CHECK(count(cohorts, "100.0%") == 12);
  // RFM: frequency over every currency, revenue in one, and that one named.
  std::string rfm = section(out, "RFM segments");
  CHECK(rfm.find("every currency") != std::string::npos);
  CHECK(rfm.find("revenue = purchases in USD only") != std::string::npos);
  CHECK(rfm.find("revenue (USD)") != std::string::npos);
  // CLV: model, horizon, discount rate and the currency covered.
  std::string clv = section(out, "Customer value");
  CHECK(clv.find("model: bgnbd (#") != std::string::npos);
  CHECK(clv.find(", gg (#") != std::string::npos);
  CHECK(clv.find("horizon: 12 months ahead; discount rate 1.00% a month") != std::string::npos);
  CHECK(clv.find("customers with a purchase in USD (CLV in USD)") != std::string::npos);
  // Retention: both rates, each with its definition; the lifetime in days, not periods.
  std::string retention = section(out, "Retention over the 90 days");
  CHECK(retention.find("retention rate") != std::string::npos);
  CHECK(retention.find("share of S still active at the end") != std::string::npos);
  CHECK(retention.find("(E - N) / S") != std::string::npos);
  CHECK(retention.find(" days  1 / churn rate") != std::string::npos);
  CHECK(out.find("periods") == std::string::npos);
  // Most at risk: the band and the ranking stated; no lost customer (P(alive) 0.000) listed.
  std::string risk = section(out, "Most at risk");
  CHECK(risk.find("ranked by value at risk") != std::string::npos);
  CHECK(risk.find(" 0.000 ") == std::string::npos);
  // No raw epoch milliseconds anywhere.
  CHECK(out.find("000000") == std::string::npos);
}

TEST_CASE("cli: export streams every customer's stored results", "[cli]") {
  TempDir dir;
  REQUIRE(run(dir, "demo --db d.db --customers 300 --seed 7 --json").status == 0);
  Run csv = run(dir, "export customers --db d.db --format csv");
  INFO(csv.err);
  REQUIRE(csv.status == 0);
  CHECK(count(csv.out, "\r\n") == 301);  // header + every customer
  CHECK(csv.out.rfind("customer_id,external_id,", 0) == 0);
  Run js = run(dir, "export customers --db d.db --format json");
  REQUIRE(js.status == 0);
  CHECK(js.json().size() == 300);
  Run scores = run(dir, "export scores --db d.db --format csv --out scores.csv");
  REQUIRE(scores.status == 0);
  std::string file = slurp(dir.file("scores.csv"));
  CHECK(count(file, "\r\n") == 301);  // every customer has a row of the scoring run
  CHECK(file.find(",model_id,") != std::string::npos);
  Run rfm = run(dir, "export rfm --db d.db --format json");
  REQUIRE(rfm.status == 0);
  CHECK(rfm.json().size() > 0);
  CHECK(rfm.json()[0].contains("segment"));
  Run bad = run(dir, "export orders --db d.db");
  CHECK(bad.status == 1);
  CHECK(bad.err.find("orders") != std::string::npos);
}

// ---- one way to open a store: --db, CRMKIT_DB and the --as-of default -------------------------

TEST_CASE("cli: every read command refuses a missing database with io naming it and creates nothing", "[cli]") {
  TempDir dir;
  for (const std::string args :
       {"report", "customer show 1", "timeline 1", "segment count --rule 'purchase_count >= 1'",
        "segment preview --rule 'purchase_count >= 1'", "segment explain --rule 'purchase_count >= 1'",
        "segment members vip", "segment of 1", "segment history vip --from 2024-01-01 --to 2024-01-31",
        "segment list", "metrics retention --from 2024-01-01 --to 2024-01-31", "metrics nps", "metrics csat",
        "metrics ces", "metrics cohorts", "clv models", "export customers", "points programme list",
        "points programme show club", "points balance -p club -c 1", "points ledger -p club",
        "points liability -p club"}) {
    INFO(args);
    for (const std::string env : {"", "CRMKIT_DB=missing.db"}) {
      Run r = run(dir, args + (env.empty() ? " --db missing.db" : ""), env);
      CHECK(r.status == 1);
      CHECK(r.err.find(cli_run::missing_store_error(dir, "missing.db")) != std::string::npos);
      CHECK_FALSE(cli_run::store_exists(dir, "missing.db"));
    }
  }
}

TEST_CASE("cli: CRMKIT_DB names the database of every command and --db wins over it", "[cli]") {
  TempDir dir;
  write(dir.file("in.csv"), kInteractionsCsv);
  Run imp = run(dir, "import interactions in.csv --create-customers --json", "CRMKIT_DB=env.db");
  REQUIRE(imp.status == 0);
  CHECK(cli_run::store_exists(dir, "env.db"));
  CHECK_FALSE(cli_run::store_exists(dir, "crmkit-demo.db"));
  Run rep = run(dir, "report --json", "CRMKIT_DB=env.db");
  REQUIRE(rep.status == 0);
  CHECK(rep.json()["overview"]["customers"] == 2);  // C3 has no accepted row
  CHECK(run(dir, "segment count --rule 'purchase_count >= 1' --json", "CRMKIT_DB=env.db").status == 0);
  CHECK(run(dir, "customer show --external-id A1 --json", "CRMKIT_DB=env.db").status == 0);
  // --db is taken over the environment.
  Run other = run(dir, "report --db other.db", "CRMKIT_DB=env.db");
  CHECK(other.status == 1);
  CHECK(other.err.find(cli_run::missing_store_error(dir, "other.db")) != std::string::npos);
  // The demo never replaces a database named only by the environment.
  Run demo = run(dir, "demo --customers 5", "CRMKIT_DB=env.db");
  CHECK(demo.status == 1);
  CHECK(demo.err.find("crmkit: conflict:") != std::string::npos);
  CHECK(run(dir, "report --json", "CRMKIT_DB=env.db").json()["overview"]["customers"] == 2);
}

TEST_CASE("cli: --as-of defaults to the end of the last day with data in every command", "[cli]") {
  TempDir dir;
  write(dir.file("in.csv"), kInteractionsCsv);
  REQUIRE(run(dir, "import interactions --db t.db in.csv --create-customers").status == 0);
  // The newest accepted fact is line 3's, on 2024-03-05.
  auto rep = run(dir, "report --db t.db --json").json();
  const std::string as_of = rep["as_of"];
  CHECK(as_of == "2024-03-06T00:00:00.000Z");
  // Commands that used to require --as-of accept its absence and agree with the report.
  Run count = run(dir, "segment count --db t.db --rule 'purchase_count >= 1'");
  Run count_at = run(dir, "segment count --db t.db --rule 'purchase_count >= 1' --as-of " + as_of);
  REQUIRE(count.status == 0);
  CHECK(count.out == count_at.out);
  Run cohorts = run(dir, "metrics cohorts --db t.db --json");
  Run cohorts_at = run(dir, "metrics cohorts --db t.db --json --as-of " + as_of);
  REQUIRE(cohorts.status == 0);
  CHECK(cohorts.out == cohorts_at.out);
  // A date means the end of that day, in the report as everywhere.
  CHECK(run(dir, "report --db t.db --json --as-of 2024-03-04").json()["as_of"] == "2024-03-05T00:00:00.000Z");
}

// ---- imports are safe to run twice ------------------------------------------------------------

TEST_CASE("cli: importing the same interactions twice records each fact once and --allow-repeats records again", "[cli]") {
  TempDir dir;
  write(dir.file("in.csv"), kInteractionsCsv);
  auto first = run(dir, "import interactions --db t.db in.csv --create-customers --json").json();
  CHECK(first["imported"] == 4);  // lines 2, 3, 4 and 8-9
  CHECK(first["duplicates"] == 1);
  CHECK(first["duplicates_by_reason"]["same_external_id"] == 1);  // line 11 is line 2 again
  CHECK(first["duplicates_by_reason"]["same_natural_key"] == 0);
  auto report = run(dir, "report --db t.db --json").json();

  auto again = run(dir, "import interactions --db t.db in.csv --create-customers --json").json();
  CHECK(again["imported"] == 0);
  CHECK(again["duplicates"] == 5);
  CHECK(again["duplicates_by_reason"]["same_external_id"] == 3);
  CHECK(again["duplicates_by_reason"]["same_natural_key"] == 2);  // lines 4 and 8-9: no external_id
  CHECK(again["error_count"] == first["error_count"]);
  // Every fact is the same; only the audit trail grew: C3, whose rows all fail, is created and
  // deleted again by each run ("created" and "deleted" entries).
  auto report_again = run(dir, "report --db t.db --json").json();
  CHECK(report_again["identity"]["audit"]["entries"].get<int>() ==
        report["identity"]["audit"]["entries"].get<int>() + 2);
  report_again["identity"].erase("audit");
  report["identity"].erase("audit");
  CHECK(report_again == report);

  Run text = run(dir, "import interactions --db t.db in.csv --create-customers");
  CHECK(text.out.find("5 duplicates (3 same external_id, 2 same natural key)") != std::string::npos);

  auto repeats = run(dir, "import interactions --db t.db in.csv --create-customers --allow-repeats --json").json();
  CHECK(repeats["imported"] == 2);
  CHECK(repeats["duplicates_by_reason"]["same_external_id"] == 3);
  CHECK(run(dir, "report --db t.db --json").json()["overview"]["interactions"] == 6);
}

TEST_CASE("cli: import takes channel kind and currency in any case and stores them canonical", "[cli]") {
  TempDir dir;
  write(dir.file("in.csv"),
        "customer_external_id,occurred_at,channel,kind,amount,currency,direction\n"
        "A1,2024-03-01,Web,PURCHASE,10.50,usd,InBound\n"
        "A1,2024-03-02,web,purchase,700,jpy,\n");
  Run r = run(dir, "import interactions --db t.db in.csv --create-customers --json");
  INFO(r.err);
  REQUIRE(r.status == 0);
  CHECK(r.json()["imported"] == 2);
  auto rep = run(dir, "report --db t.db --json").json();
  std::map<std::string, std::string> revenue;
  for (const auto& m : rep["overview"]["revenue"]) revenue[m["currency"]] = m["amount"];
  CHECK(revenue["USD"] == "10.50");
  CHECK(revenue["JPY"] == "700");  // 700 yen, not 7.00
  auto tl = run(dir, "timeline --db t.db --external-id A1 --json").json();
  INFO(tl.dump());
  CHECK(tl.dump().find("\"channel\":\"web\"") != std::string::npos);
  CHECK(tl.dump().find("\"Web\"") == std::string::npos);
}

TEST_CASE("cli: an ERP export imports as it is with the delimiter detected or given and --map --mapping --date-format", "[cli]") {
  TempDir dir;
  // Semicolons, the ERP's own column names, day-first dates with a time.
  write(dir.file("erp.csv"),
        "Kunde;Datum;Kanal;Art;Betrag;Waehrung\n"
        "A1;01.03.2024 10:30;Web;Purchase;10.50;eur\n"
        "A1;31.02.2024 10:30;web;purchase;1.00;EUR\n"   // 3: no such day
        "B2;2024-03-02;web;purchase;1.00;EUR\n"          // 4: not the format
        "B2;02.03.2024 09:00;store;visit;;\n");
  write(dir.file("erp.map"), "# ERP export -> crmkit\nKunde=customer_external_id\nDatum=occurred_at\r\n\nKanal=channel\nArt=kind\n");
  Run r = run(dir, "import interactions --db t.db erp.csv --create-customers --json --mapping erp.map "
                      "--map Betrag=amount --map Waehrung=currency --date-format '%d.%m.%Y %H:%M'");
  INFO(r.err);
  REQUIRE(r.status == 0);
  auto j = r.json();
  CHECK(j["delimiter"] == ";");
  CHECK(j["imported"] == 2);
  REQUIRE(j["errors"].size() == 2);
  CHECK(j["errors"][0]["line"] == 3);  // in line order
  CHECK(j["errors"][0]["message"].get<std::string>().find("is not a valid date") != std::string::npos);
  CHECK(j["errors"][1]["line"] == 4);
  CHECK(j["errors"][1]["message"].get<std::string>().find("does not match --date-format '%d.%m.%Y %H:%M'") !=
        std::string::npos);
  auto tl = run(dir, "timeline --db t.db --external-id A1 --json").json();
  CHECK(tl.dump().find("2024-03-01T10:30:00.000Z") != std::string::npos);

  // A tab-separated file is detected too; --delimiter overrides the detection.
  write(dir.file("tab.csv"), "customer_external_id\toccurred_at\tchannel\tkind\nC3\t2024-03-05\tweb\tvisit\n");
  auto t = run(dir, "import interactions --db t.db tab.csv --create-customers --json").json();
  CHECK(t["delimiter"] == "\t");
  CHECK(t["imported"] == 1);
  Run forced = run(dir, "import interactions --db t.db tab.csv --delimiter ';' --json");
  CHECK(forced.status == 1);
  CHECK(forced.err.find("unknown column 'customer_external_id\toccurred_at") != std::string::npos);

  // Bad options are refused before anything is read, naming the problem.
  struct Bad {
    const char* args;
    const char* message;
  } bad[] = {
      {"--map Kunde", "--map: 'Kunde' is not column=field"},
      {"--map Kunde=customer", "'customer' is not a field"},
      {"--map Kunde=customer_external_id --map Kunde=occurred_at", "column 'Kunde' is mapped twice"},
      {"--map Nope=amount", "mapped column 'Nope' (to amount) is not in the header"},
      {"--date-format '%d.%m.%y'", "has '%y': only %Y %m %d %H %M %S"},
      {"--date-format '%d.%m'", "lacks '%Y'"},
      {"--date-format '%Y-%m-%d %M'", "minutes or seconds without the larger units"},
      {"--delimiter ab", "--delimiter 'ab' is not one character"},
  };
  for (const auto& b : bad) {
    INFO(b.args);
    Run x = run(dir, std::string("import interactions --db t.db erp.csv --mapping erp.map --map Betrag=amount "
                                    "--map Waehrung=currency ") + b.args);
    CHECK(x.status == 1);
    CHECK(x.err.find(b.message) != std::string::npos);
  }
}

TEST_CASE("cli: customers without created_at get --as-of or now and the summary says so", "[cli]") {
  TempDir dir;
  write(dir.file("c.csv"), "external_id,email,created_at\nA1,a@example.com,\nB2,b@example.com,2024-01-02\nC3,,\n");
  auto j = run(dir, "import customers --db t.db c.csv --as-of 2024-05-31 --json").json();
  CHECK(j["imported"] == 3);
  CHECK(j["error_count"] == 0);
  CHECK(j["created_at_default"]["rows"] == 2);
  CHECK(j["created_at_default"]["source"] == "as_of");
  CHECK(j["created_at_default"]["instant"] == "2024-06-01T00:00:00.000Z");
  auto a = run(dir, "customer show --db t.db --external-id A1 --json").json();
  CHECK(a["created_at"] == "2024-06-01T00:00:00.000Z");
  auto b = run(dir, "customer show --db t.db --external-id B2 --json").json();
  CHECK(b["created_at"] == "2024-01-02T00:00:00.000Z");

  // Without --as-of: the clock, read by the command. A second run changes nothing, so the
  // existing customers keep their created_at.
  auto now = run(dir, "import customers --db t.db c.csv --json").json();
  CHECK(now["created_at_default"]["source"] == "now");
  CHECK(now["updated"] == 3);
  CHECK(run(dir, "customer show --db t.db --external-id A1 --json").json()["created_at"] == a["created_at"]);
  Run text = run(dir, "import customers --db t.db c.csv --as-of 2024-05-31");
  CHECK(text.out.find("2 without created_at given 2024-06-01T00:00:00.000Z (--as-of)") != std::string::npos);
}

TEST_CASE("cli: report --html writes the page whole, or nothing when it cannot", "[cli]") {
  TempDir dir;
  write(dir.file("c.csv"), "external_id,created_at\r\nA,2024-01-01\r\n");
  REQUIRE(run(dir, "import customers --db t.db c.csv").status == 0);
  Run ok = run(dir, "report --db t.db --html page.html");
  REQUIRE(ok.status == 0);
  CHECK(ok.out.empty());  // the page goes to the file, not stdout
  const std::string page = slurp(dir.file("page.html"));
  CHECK(page.rfind("<!DOCTYPE html>", 0) == 0);
  CHECK(page.find("</html>") != std::string::npos);
  CHECK_FALSE(std::filesystem::exists(dir.file("page.html.partial")));
  // A target it cannot write: io naming the option, and no file left behind.
  Run bad = run(dir, "report --db t.db --html no-such-dir/page.html");
  CHECK(bad.status != 0);
  CHECK(bad.err.find("crmkit: io: --html no-such-dir/page.html cannot be written") == 0);
  CHECK_FALSE(std::filesystem::exists(dir.file("no-such-dir")));
  Run both = run(dir, "report --db t.db --json --html other.html");
  CHECK(both.status != 0);
  CHECK_FALSE(std::filesystem::exists(dir.file("other.html")));
}
