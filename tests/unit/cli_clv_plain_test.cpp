// crmkit clv summary | clv fit-table end to end: a purchase log CSV in, lifetimes' table out,
// the fit's printable summary; refusals by line and option.
#include <catch2/catch.hpp>

#include <string>

#include "cli_run.hpp"
#include "crmkit/clv.hpp"
#include "temp_dir.hpp"


TEST_CASE("cli: clv summary and fit-table on a purchase log, no store", "[cli][clv]") {
  TempDir dir;
  cli_run::write(dir.file("log.csv"),
                 "id,when,sales\n"
                 "ann,2024-01-01T09:00:00Z,10\n"
                 "ann,2024-01-01T18:00:00Z,20\n"
                 "ann,2024-01-03,6\n"
                 "\"b,ob\",2024-01-10,5\n"
                 "ann,2024-02-02,8\n");
  auto r = cli_run::crmkit(dir, "clv summary --input log.csv --customer-column id --at-column when --amount-column sales "
                       "--observation-end 2024-01-10");
  INFO(r.err);
  REQUIRE(r.status == 0);
  CHECK(r.out ==
        "customer,frequency,recency,T,monetary_value\n"
        "ann,1,2,9,6\n"
        "\"b,ob\",0,0,0,0\n");
  r = cli_run::crmkit(dir, "clv summary --input log.csv --customer-column id --at-column when --amount-column sales "
                  "--calibration-end 2024-01-31 --observation-end 2024-02-29 --json");
  REQUIRE(r.status == 0);
  const auto j = r.json();
  CHECK(j["customers"] == 2);
  CHECK(j["rows"][0]["customer"] == "ann");
  CHECK(j["rows"][0]["frequency_holdout"] == 1.0);
  CHECK(j["rows"][0]["monetary_value_holdout"] == 8.0);
  CHECK(j["rows"][0]["duration_holdout"] == 29.0);

  cli_run::write(dir.file("table.csv"),
                 "customer,frequency,recency,T\n1,2,30.43,38.86\n2,1,1.71,38.86\n3,0,0,38.86\n4,0,0,38.86\n"
                 "5,0,0,38.86\n6,7,29.43,38.86\n7,1,5,38.86\n8,0,0,38.86\n9,2,35.71,38.86\n10,0,0,38.86\n");
  r = cli_run::crmkit(dir, "clv fit-table --input table.csv --model bg_nbd --penalizer 0.01");
  INFO(r.err);
  REQUIRE(r.status == 0);
  CHECK(r.out.rfind("BG/NBD fit (penalizer_coef = 0.01)", 0) == 0);
  CHECK(r.out.find("AIC") != std::string::npos);
  CHECK(r.out.find("BIC") != std::string::npos);
  r = cli_run::crmkit(dir, "clv fit-table --input table.csv --json");
  REQUIRE(r.status == 0);
  CHECK(r.json()["parameters"] == 4);
  CHECK(r.json()["observations"] == 10.0);

  // Refusals name the line, the column or the option.
  cli_run::write(dir.file("bad.csv"), "customer,at,amount\n1,2024-01-01,-5\n");
  r = cli_run::crmkit(dir, "clv summary --input bad.csv --amount-column amount");
  CHECK(r.status != 0);
  CHECK(r.err.find("amount[0] = -5 is negative") != std::string::npos);
  cli_run::write(dir.file("bad.csv"), "customer,at\n1,yesterday\n");
  r = cli_run::crmkit(dir, "clv summary --input bad.csv");
  CHECK(r.status != 0);
  CHECK(r.err.find("line 2") != std::string::npos);
  r = cli_run::crmkit(dir, "clv summary --input log.csv --customer-column who");
  CHECK(r.status != 0);
  CHECK(r.err.find("column 'who' is not in the header") != std::string::npos);
  r = cli_run::crmkit(dir, "clv summary --input log.csv --customer-column id --at-column when --period fortnight");
  CHECK(r.status != 0);
  CHECK(r.err.find("fortnight") != std::string::npos);
  r = cli_run::crmkit(dir, "clv fit-table --input table.csv --penalizer -1");
  CHECK(r.status != 0);
  CHECK(r.err.find("penalizer_coef = -1") != std::string::npos);
}

TEST_CASE("cli: clv summary keeps each customer's purchases together whatever its ids look like", "[cli][clv]") {
  TempDir dir;
  // Plain numbers are read as numbers until "x9" arrives; then the ids read so far are interned
  // and must still meet their later rows ("10" before and after it).
  cli_run::write(dir.file("mixed.csv"),
                 "id,at\n10,2024-01-01\n2,2024-01-02\nx9,2024-01-03\n10,2024-01-05\n2,2024-01-09\n");
  auto r = cli_run::crmkit(dir, "clv summary --input mixed.csv --customer-column id --observation-end 2024-01-10");
  INFO(r.err);
  REQUIRE(r.status == 0);
  CHECK(r.out == "customer,frequency,recency,T\n10,1,4,9\n2,1,7,8\nx9,0,0,7\n");  // text order
  // All numbers: numeric order, and "007" is the customer 7 (ids that are all whole numbers
  // become those numbers).
  cli_run::write(dir.file("numbers.csv"), "id,at\n10,2024-01-01\n007,2024-01-02\n7,2024-01-04\n-3,2024-01-04\n");
  r = cli_run::crmkit(dir, "clv summary --input numbers.csv --customer-column id --observation-end 2024-01-10");
  INFO(r.err);
  REQUIRE(r.status == 0);
  CHECK(r.out == "customer,frequency,recency,T\n-3,0,0,6\n7,1,2,8\n10,0,0,9\n");
}

TEST_CASE("cli: clv predict-table writes the library's predictions per customer", "[cli][clv]") {
  TempDir dir;
  const std::string table =
      "customer,frequency,recency,T,monetary_value\n1,2,30.43,38.86,22.35\n2,1,1.71,38.86,11.77\n3,0,0,38.86,0\n"
      "4,0,0,38.86,0\n5,0,0,38.86,0\n6,7,29.43,38.86,73.74\n7,1,5,38.86,11.77\n8,0,0,38.86,0\n9,2,35.71,38.86,25.55\n"
      "10,0,0,38.86,0\n";
  cli_run::write(dir.file("table.csv"), table);
  auto r = cli_run::crmkit(dir, "clv predict-table --input table.csv --horizon 39 --clv-months 12 --unit week --json");
  INFO(r.err);
  REQUIRE(r.status == 0);
  const auto j = r.json();
  // The same steps through the library.
  namespace clv = crmkit::clv;
  const clv::Histories h{{2, 1, 0, 0, 0, 7, 1, 0, 2, 0},
                         {30.43, 1.71, 0, 0, 0, 29.43, 5, 0, 35.71, 0},
                         std::vector<double>(10, 38.86),
                         {}};
  const std::vector<double> m{22.35, 11.77, 0, 0, 0, 73.74, 11.77, 0, 25.55, 0};
  const clv::PurchaseModelFit fit = clv::fit_purchase_model(clv::PurchaseModelKind::bg_nbd, h);
  const clv::GammaGammaFit gg = clv::fit_gamma_gamma(clv::SpendHistories{{2, 1, 7, 1, 2}, {22.35, 11.77, 73.74, 11.77, 25.55}, {}});
  const auto spend = clv::conditional_expected_average_spend(gg.params, clv::SpendHistories{h.x, m, {}});
  const auto value = clv::customer_lifetime_value(fit.model, clv::MonthlyHorizon(clv::TimeUnit::week, 12, 0.01), h, spend);
  REQUIRE(j["rows"].size() == 10);
  for (std::size_t i = 0; i < 10; ++i) {
    const auto& row = j["rows"][i];
    CHECK(row["customer"] == std::to_string(i + 1));
    CHECK(row["p_alive"].get<double>() == clv::p_alive(fit.model, h.x[i], h.t_x[i], h.T[i]));
    CHECK(row["expected_purchases"].get<double>() ==
          clv::conditional_expected_purchases(fit.model, 39, h.x[i], h.t_x[i], h.T[i]));
    CHECK(row["expected_average_profit"].get<double>() == spend[i]);
    CHECK(row["clv"].get<double>() == value[i]);
  }
  CHECK(j["spend_model"]["customers"] == 5);
  // CSV: only the columns asked for.
  r = cli_run::crmkit(dir, "clv predict-table --input table.csv --model pareto_nbd");
  REQUIRE(r.status == 0);
  CHECK(r.out.rfind("customer,p_alive\n1,", 0) == 0);
  // Refusals name the option.
  r = cli_run::crmkit(dir, "clv predict-table --input table.csv --clv-months 12");
  CHECK(r.status != 0);
  CHECK(r.err.find("--clv-months needs --unit") != std::string::npos);
  r = cli_run::crmkit(dir, "clv predict-table --input table.csv --horizon -1");
  CHECK(r.err.find("--horizon -1 must be finite and >= 0") != std::string::npos);
  r = cli_run::crmkit(dir, "clv predict-table --input table.csv --model gamma_gamma");
  CHECK(r.status != 0);
  CHECK(r.err.find("--model") != std::string::npos);
}
