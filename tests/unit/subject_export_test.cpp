// The subject-access export: every table that references the customer is in it, found through
// the catalog; only the customer's rows; the same store gives the same bytes.
#include <catch2/catch.hpp>

#include <set>
#include <string>

#include <nlohmann/json.hpp>

#include "crmkit/contact_point.hpp"
#include "crmkit/subject_export.hpp"
#include "expect_error.hpp"
#include "populated_store.hpp"
#include "store/connection.hpp"
#include "test_store.hpp"

using namespace crmkit;
using populated::kSweepStart;
using populated::populate;

TEST_CASE("the subject export holds every row that references the customer, in every area", "[privacy][export]") {
  Store s = test_store();
  populate(s);
  ContactPoints(s).add(1, {ContactType::phone, "+44 20 7946 0958", std::string("work"), false, std::nullopt},
                       kSweepStart);
  const std::string text = export_subject(s, 1);
  CHECK(export_subject(s, 1) == text);  // deterministic
  const auto j = nlohmann::json::parse(text);
  CHECK(j["format"] == "crmkit-subject-export/1");
  CHECK(j["customer_id"] == 1);
  const auto& t = j["tables"];
  REQUIRE(t["customers"].size() == 1);
  CHECK(t["customers"][0]["external_id"] == "c1");
  // Each area that holds facts about customer 1 in the populated store.
  for (const char* table : {"interactions", "customer_figures", "customer_tags", "contact_points", "points_ledger",
                            "segment_membership", "audit_entries"}) {
    INFO(table);
    REQUIRE(t.contains(table));
    CHECK(!t[table].empty());
  }
  // Only customer 1's rows.
  for (auto it = t.begin(); it != t.end(); ++it)
    for (const auto& row : it.value())
      if (row.contains("customer_id")) CHECK(row["customer_id"] == 1);
  CHECK(t["contact_points"][0]["label"] == "work");
  // Every base table with a customer_id column is there (the catalog, read independently).
  std::set<std::string> want;
  auto& conn = detail::connection_of(s);
  auto st = conn.statement(conn.backend() == detail::Backend::postgres
                               ? "SELECT table_name FROM information_schema.columns WHERE table_schema = "
                                 "current_schema() AND column_name = 'customer_id'"
                               : "SELECT m.name FROM sqlite_schema m, pragma_table_info(m.name) p WHERE m.type = "
                                 "'table' AND p.name = 'customer_id'");
  while (st->executeStep()) want.insert(st->getColumn(0).getString());
  for (const auto& name : want) {
    if (name == "customer_scores") continue;  // a view over customer_score_values (0012)
    INFO(name);
    CHECK(t.contains(name));
  }
  expect_error([&] { export_subject(s, 999); }, Errc::not_found, "customer 999");
  expect_error([&] { export_subject(s, 0); }, Errc::not_found, "customer 0");
}
