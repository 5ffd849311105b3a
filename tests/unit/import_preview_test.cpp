// The customer import preview: each row judged as the import would judge it (create, update on
// the external id, refused with the import's message), with its duplicate candidates and the
// earlier rows sharing an email or phone, and nothing written.
#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "crmkit/consent.hpp"
#include "crmkit/customer.hpp"
#include "crmkit/import_preview.hpp"
#include "store_checksum.hpp"
#include "test_store.hpp"

using namespace crmkit;

namespace {

constexpr Instant kT0 = 1'700'000'000'000;

CustomerFields row(std::optional<std::string> external_id, std::optional<std::string> email,
                   std::optional<Instant> created_at = kT0) {
  CustomerFields f;
  f.external_id = std::move(external_id);
  f.email = std::move(email);
  f.created_at = created_at;
  return f;
}

}  // namespace

TEST_CASE("the import preview says per row what an import would do and writes nothing", "[import_preview]") {
  Store s = test_store();
  const auto ana = Customers(s).create(row("c1", "ana@example.com"));
  Suppressions(s).suppress(ContactType::email, "gone@example.com", SuppressionReason::manual, kT0);
  CustomerFields city = row("c1", std::nullopt);
  city.city = "Oslo";
  const std::vector<CustomerFields> records{
      city,                                      // 1: update of c1, not its own duplicate
      row("c9", "ANA@example.com"),              // 2: create, a duplicate of ana by email
      row(std::nullopt, "not-an-email"),         // 3: refused
      row("c9", std::nullopt),                   // 4: update of the customer row 2 creates
      row(std::nullopt, "Gone@example.com"),     // 5: suppressed
      row("c10", "ana@example.com"),             // 6: create, shares row 2's email
      row(std::nullopt, "x@example.com", std::nullopt),  // 7: create without created_at
  };
  const std::string before = store_checksum(s);
  const ImportPreview p = preview_customer_import(s, records);
  CHECK(store_checksum(s) == before);
  REQUIRE(p.rows.size() == records.size());
  const auto& r = p.rows;
  for (std::size_t i = 0; i < r.size(); ++i) CHECK(r[i].line == static_cast<std::int64_t>(i) + 1);

  CHECK(r[0].action == ImportAction::update);
  CHECK(r[0].customer_id == std::optional<std::int64_t>(ana));
  CHECK(r[0].candidates.empty());

  CHECK(r[1].action == ImportAction::create);
  REQUIRE(r[1].candidates.size() == 1);
  CHECK(r[1].candidates[0].a == 0);
  CHECK(r[1].candidates[0].b == ana);
  CHECK(r[1].candidates[0].verdict == DuplicateVerdict::duplicate);
  REQUIRE(r[1].candidates[0].fired.size() == 1);
  CHECK(r[1].candidates[0].fired[0].text == "email normalized");
  CHECK(r[1].candidates[0].score == 10);

  CHECK(r[2].action == ImportAction::error);
  CHECK(r[2].error_code == "invalid_argument");
  CHECK(r[2].error.find("not-an-email") != std::string::npos);

  CHECK(r[3].action == ImportAction::update);
  CHECK(!r[3].customer_id);
  CHECK(r[3].earlier_line == std::optional<std::int64_t>(2));

  CHECK(r[4].action == ImportAction::error);
  CHECK(r[4].error_code == "conflict");
  CHECK(r[4].error.find("email is suppressed (manual") != std::string::npos);
  CHECK(r[4].error.find("gone@") == std::string::npos);  // the reason, never the value

  CHECK(r[5].action == ImportAction::create);
  CHECK(r[5].same_contact_lines == std::vector<std::int64_t>{2});
  CHECK(r[5].candidates.size() == 1);

  CHECK(r[6].action == ImportAction::error);
  CHECK(r[6].error.find("created_at is required") != std::string::npos);

  CHECK(p.totals.rows == 7);
  CHECK(p.totals.create == 2);
  CHECK(p.totals.update == 2);
  CHECK(p.totals.error == 3);
  CHECK(p.totals.with_duplicates == 2);
  CHECK(p.totals.with_suspects == 0);
  CHECK(p.totals.with_same_contact == 1);

  const auto j = nlohmann::json::parse(to_json(p));
  CHECK(j["totals"]["update"] == 2);
  CHECK(j["rows"][3]["earlier_line"] == 2);
  CHECK(j["rows"][1]["candidates"][0]["fired"][0]["text"] == "email normalized");
  CHECK(j["rows"][0]["error"].is_null());

  // What the import does agrees: the same records through upsert and create.
  std::int64_t created = 0, updated = 0, refused = 0;
  for (const auto& f : records) {
    try {
      bool made = false;
      if (f.external_id) Customers(s).upsert(f, &made);
      else Customers(s).create(f), made = true;
      made ? ++created : ++updated;
    } catch (const Error&) {
      ++refused;
    }
  }
  CHECK(created == p.totals.create);
  CHECK(updated == p.totals.update);
  CHECK(refused == p.totals.error);
}

TEST_CASE("the import preview does not refuse an update for a suppressed address the customer keeps",
          "[import_preview]") {
  Store s = test_store();
  Customers(s).create(row("c1", "kept@example.com"));
  Suppressions(s).suppress(ContactType::email, "kept@example.com", SuppressionReason::manual, kT0);
  CustomerImportPreview preview(s);
  CHECK(preview.add(1, row("c1", "kept@example.com")).action == ImportAction::update);
  CHECK(preview.add(2, row("c2", "kept@example.com")).action == ImportAction::error);
  const auto refused = preview.refuse(3, Errc::invalid_argument, "the row has 2 fields, the header 3");
  CHECK(refused.error == "the row has 2 fields, the header 3");
  CHECK(preview.totals().error == 2);
  CHECK(preview.totals().update == 1);
}
