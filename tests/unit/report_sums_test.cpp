// Sums past int64: the exact 128-bit money formatter, and `crmkit report` over customers whose
// legal totals add up past INT64_MAX (run as a user runs it, like cli_test.cpp).
#include <catch2/catch.hpp>

#include <limits>
#include <string>

#include "cli_run.hpp"
#include "crmkit/customer.hpp"
#include "crmkit/interaction.hpp"
#include "crmkit/money.hpp"
#include "temp_dir.hpp"

using cli_run::Run;

TEST_CASE("format_amount_sum prints 128-bit sums exactly", "[cli][money]") {
  using crmkit::MoneySum;
  CHECK(crmkit::format_amount_sum(0, "USD") == "0.00");
  CHECK(crmkit::format_amount_sum(5, "USD") == "0.05");
  CHECK(crmkit::format_amount_sum(-5, "KWD") == "-0.005");
  CHECK(crmkit::format_amount_sum(1234, "JPY") == "1234");
  CHECK(crmkit::format_amount_sum(MoneySum(1) << 64, "USD") == "184467440737095516.16");
  CHECK(crmkit::format_amount_sum(-(MoneySum(1) << 64), "EUR") == "-184467440737095516.16");
  MoneySum most_negative = -(MoneySum(1) << 126) * 2;  // -2^127
  CHECK(crmkit::format_amount_sum(most_negative, "JPY") == "-170141183460469231731687303715884105728");
  // The int64 form is the same digits.
  CHECK(crmkit::format_amount(std::numeric_limits<std::int64_t>::min(), "USD") == "-92233720368547758.08");
}

TEST_CASE("cli: report revenue across customers past int64 is printed exactly", "[cli]") {
  TempDir dir;
  {
    crmkit::Store store = cli_run::open_store(dir.file("big.db"));
    crmkit::Customers customers(store);
    crmkit::Interactions interactions(store);
    // Three customers, each with a legal total of 2^62 cents; together 3 * 2^62, past INT64_MAX.
    for (int k = 0; k < 3; ++k) {
      crmkit::CustomerFields f;
      f.external_id = "c" + std::to_string(k);
      f.created_at = 1'700'000'000'000;
      crmkit::Interaction p;
      p.customer_id = customers.create(f);
      p.occurred_at = 1'700'000'000'000 + k;
      p.kind = crmkit::InteractionKind::purchase;
      p.amount = crmkit::Money{std::int64_t(1) << 62, "USD"};
      interactions.record(p);
    }
  }
  // 3 * 2^62 = 13835058055282163712 cents.
  Run j = cli_run::crmkit(dir, "report --db big.db --json");
  INFO(j.err);
  REQUIRE(j.status == 0);
  auto rep = j.json();
  // Report amounts are exact decimal text (docs/REPORT.md), so that no digit is lost.
  CHECK(rep["overview"]["revenue"][0]["amount"] == "138350580552821637.12");
  CHECK(rep["overview"]["net_revenue"][0]["amount"] == "138350580552821637.12");
  CHECK(rep["revenue_by_month"][0]["month"] == "2023-11");
  CHECK(rep["revenue_by_month"][0]["revenue"]["amount"] == "138350580552821637.12");
  CHECK(rep["top_customers"][0]["revenue"]["amount"] == "46116860184273879.04");
  Run t = cli_run::crmkit(dir, "report --db big.db");
  INFO(t.err);
  REQUIRE(t.status == 0);
  CHECK(t.out.find("138,350,580,552,821,637.12") != std::string::npos);
}
