// The enumeration tables in src/base/enums.hpp against the schema and the public lists: every
// CHECK that lists a column's allowed names must list exactly the table's names, so the two
// cannot drift (a name added to an enum and not to a migration, or the reverse, fails here).
#include <catch2/catch.hpp>

#include <algorithm>
#include <regex>
#include <string>
#include <vector>

#include <SQLiteCpp/Database.h>

#include "base/enums.hpp"
#include "crmkit/error.hpp"
#include "crmkit/store.hpp"
#include "temp_dir.hpp"

using namespace crmkit;

namespace {

// The names a column's own CHECK allows (`col = 'a' OR col = 'b'`), in order. The column's
// definition runs from its line to the next line indented like a column; table-level CHECKs
// are not read.
std::vector<std::string> check_names(SQLite::Database& db, const std::string& table, const std::string& column) {
  SQLite::Statement q(db, "SELECT sql FROM sqlite_master WHERE type = 'table' AND name = ?");
  q.bind(1, table);
  REQUIRE(q.executeStep());
  const std::string sql = q.getColumn(0).getString();
  const auto start = sql.find("\n  " + column + " ");
  REQUIRE(start != std::string::npos);
  std::smatch next;
  const std::string rest = sql.substr(start + 1);
  const std::string def =
      std::regex_search(rest.cbegin() + 1, rest.cend(), next, std::regex("\n(  [A-Za-z]|\\))"))
          ? rest.substr(0, static_cast<std::size_t>(next.position(0)) + 1)
          : rest;
  std::vector<std::string> names;
  const std::regex literal("\\b" + column + " = '([^']*)'");
  for (auto it = std::sregex_iterator(def.begin(), def.end(), literal); it != std::sregex_iterator(); ++it)
    if (std::find(names.begin(), names.end(), (*it)[1].str()) == names.end()) names.push_back((*it)[1].str());
  return names;
}

}  // namespace

TEST_CASE("every enumeration CHECK in the schema lists exactly its table's names", "[enums]") {
  TempDir dir;
  const auto path = dir.file("schema.db");
  { Store s = Store::open(path); }
  SQLite::Database db(path, SQLite::OPEN_READONLY);
  CHECK(check_names(db, "customers", "kind") == detail::enum_name_list(detail::kCustomerKindNames));
  CHECK(check_names(db, "customers", "lifecycle_stage") == detail::enum_name_list(detail::kLifecycleStageNames));
  CHECK(check_names(db, "interactions", "channel") == detail::enum_name_list(detail::kChannelNames));
  CHECK(check_names(db, "interactions", "kind") == detail::enum_name_list(detail::kInteractionKindNames));
  CHECK(check_names(db, "interactions", "direction") == detail::enum_name_list(detail::kDirectionNames));
  CHECK(check_names(db, "value_models", "kind") == detail::enum_name_list(detail::kValueModelKindNames));
  CHECK(check_names(db, "value_models", "time_unit") == detail::enum_name_list(detail::kModelTimeUnitNames));
  CHECK(check_names(db, "score_run", "horizon_unit") == detail::enum_name_list(detail::kHorizonUnitNames));
  CHECK(check_names(db, "rfm_run", "method") == detail::enum_name_list(detail::kRfmMethodNames));
  CHECK(check_names(db, "segments", "kind") == detail::enum_name_list(detail::kSegmentKindNames));
  CHECK(check_names(db, "survey_responses", "kind") == detail::enum_name_list(detail::kSurveyKindNames));
  CHECK(check_names(db, "survey_responses", "direction") == detail::enum_name_list(detail::kScaleDirectionNames));
  CHECK(check_names(db, "survey_responses", "channel") == detail::enum_name_list(detail::kChannelNames));
  CHECK(check_names(db, "points_programmes", "consumption") == detail::enum_name_list(detail::kConsumptionNames));
  CHECK(check_names(db, "points_programmes", "refund_policy") == detail::enum_name_list(detail::kRefundPolicyNames));
  CHECK(check_names(db, "points_programmes", "tier_metric") == detail::enum_name_list(detail::kTierMetricNames));
  CHECK(check_names(db, "points_ledger", "kind") == detail::enum_name_list(detail::kPointsKindNames));
  CHECK(check_names(db, "lifecycle_rule", "churn_rule") == detail::enum_name_list(detail::kChurnRuleNames));
  CHECK(check_names(db, "contact_points", "type") == detail::enum_name_list(detail::kContactTypeNames));
  CHECK(check_names(db, "audit_entries", "entity") == detail::enum_name_list(detail::kAuditEntityNames));
  CHECK(check_names(db, "consent_events", "channel") == detail::enum_name_list(detail::kConsentChannelNames));
  CHECK(check_names(db, "consent_events", "lawful_basis") == detail::enum_name_list(detail::kLawfulBasisNames));
  CHECK(check_names(db, "consent_events", "action") == detail::enum_name_list(detail::kConsentActionNames));
  CHECK(check_names(db, "suppressions", "type") == detail::enum_name_list(detail::kSuppressionTypeNames));
  CHECK(check_names(db, "suppressions", "reason") == detail::enum_name_list(detail::kSuppressionReasonNames));
}

TEST_CASE("the public stage list and the stage table agree", "[enums]") {
  std::vector<std::string> listed;
  for (auto s : kLifecycleStages) listed.emplace_back(to_string(s));
  CHECK(listed == detail::enum_name_list(detail::kLifecycleStageNames));
}

TEST_CASE("every table name round-trips and a bad name lists the allowed ones", "[enums]") {
  for (const auto& e : detail::kInteractionKindNames) CHECK(parse_interaction_kind(e.name) == e.value);
  for (const auto& e : detail::kContactTypeNames) CHECK(parse_contact_type(e.name) == e.value);
  for (const auto& e : detail::kPointsKindNames) CHECK(parse_points_kind(e.name) == e.value);
  for (const auto& e : detail::kConsentChannelNames) CHECK(parse_consent_channel(e.name) == e.value);
  for (const auto& e : detail::kLawfulBasisNames) CHECK(parse_lawful_basis(e.name) == e.value);
  for (const auto& e : detail::kConsentActionNames) CHECK(parse_consent_action(e.name) == e.value);
  for (const auto& e : detail::kConsentStateNames) CHECK(parse_consent_state(e.name) == e.value);
  for (const auto& e : detail::kSuppressionReasonNames) CHECK(parse_suppression_reason(e.name) == e.value);
  CHECK_THROWS_WITH(parse_consent_channel("EMAIL"), "channel 'EMAIL' is not one of email, sms, phone, post, push, all");
  for (const auto& e : detail::kSegmentKindNames) CHECK(to_string(parse_segment_kind(e.name)) == std::string(e.name));
  CHECK(parse_channel("WEB") == Channel::web);  // interaction names ignore ASCII case
  CHECK_THROWS_WITH(parse_lifecycle_stage("LEAD"),
                    "lifecycle_stage 'LEAD' is not one of lead, prospect, customer, churned");
  CHECK_THROWS_WITH(parse_export_format("xml", "--format"), "--format 'xml' is not one of csv, json");
  CHECK(std::string(to_string(static_cast<Channel>(99))).empty());  // a bad value has no name
}
