// One JSON convention: every result type that crosses to C has a free to_json, and the C API's
// JSON for it is that text, byte for byte. One row per type: the C call, then the C++ call and
// to_json, on the same store (calls that write, like RFM or the lifecycle update, each on their
// own copy of it, so that both start from the same data).
#include <catch2/catch.hpp>

#include <cstdint>
#include <filesystem>
#include <functional>
#include <string>
#include <vector>

#include "crmkit.h"
#include "crmkit/consent.hpp"
#include "crmkit/customer.hpp"
#include "crmkit/import_preview.hpp"
#include "crmkit/interaction.hpp"
#include "crmkit/report.hpp"
#include "crmkit/retention.hpp"
#include "crmkit/subject_export.hpp"
#include "crmkit/survey.hpp"
#include "crmkit/value.hpp"
#include "temp_dir.hpp"

using namespace crmkit;

namespace {

Instant at(const char* text) { return parse_instant(text); }

// Two customers with purchases in two currencies, a refund, a support call and survey
// responses of each standard kind.
struct Ids {
  std::int64_t a = 0, b = 0, purchase = 0;
};

Ids fill(const std::string& path) {
  Store s = Store::open(path);
  Ids ids;
  for (const char* ext : {"A", "B"}) {
    CustomerFields f;
    f.external_id = ext;
    f.email = std::string(ext) + "@example.com";
    f.created_at = at("2025-01-01T00:00:00Z");
    (ext[0] == 'A' ? ids.a : ids.b) = Customers(s).create(f);
  }
  auto record = [&](std::int64_t c, const char* when, InteractionKind kind, std::optional<Money> amount) {
    Interaction i;
    i.customer_id = c;
    i.occurred_at = at(when);
    i.kind = kind;
    i.channel = Channel::web;
    i.amount = amount;
    return Interactions(s).record(i);
  };
  ids.purchase = record(ids.a, "2025-02-03T10:00:00Z", InteractionKind::purchase, Money{1250, "USD"});
  record(ids.a, "2025-03-04T10:00:00Z", InteractionKind::purchase, Money{800, "USD"});
  record(ids.a, "2025-03-05T10:00:00Z", InteractionKind::refund, Money{-300, "USD"});
  record(ids.b, "2025-02-20T10:00:00Z", InteractionKind::purchase, Money{5000, "JPY"});
  record(ids.b, "2025-04-01T09:00:00Z", InteractionKind::purchase, Money{700, "USD"});
  record(ids.b, "2025-04-02T09:00:00Z", InteractionKind::support, std::nullopt);
  int n = 0;
  for (auto [kind, score] : std::vector<std::pair<SurveyKind, double>>{
           {SurveyKind::nps, 9}, {SurveyKind::nps, 3}, {SurveyKind::csat, 4}, {SurveyKind::ces, 6}}) {
    SurveyResponse r;
    r.customer_id = n % 2 ? ids.b : ids.a;
    r.kind = kind;
    r.score = score;
    r.occurred_at = at("2025-03-10T12:00:00Z") + n++ * kMillisPerDay;
    Surveys(s).record(r);
  }
  NewConsentEvent e;
  e.customer_id = ids.a;
  e.purpose = "marketing";
  e.action = ConsentAction::request_double_opt_in;
  e.source = "signup";
  e.evidence.text_version = "v3";
  e.at = at("2025-01-02T00:00:00Z");
  Consent(s).record(e);
  e.channel = ConsentChannel::all;
  e.action = ConsentAction::withdraw;
  e.at = at("2025-01-05T00:00:00Z");
  Consent(s).record(e);
  return ids;
}

std::string take(char* s) {
  std::string out = s ? s : "<NULL>";
  crmkit_free(s);
  return out;
}

struct Row {
  const char* type;
  bool writes;  // the call writes: C and C++ each get their own copy of the store
  std::function<int(char**, crmkit_db*)> c;
  std::function<std::string(Store&)> cpp;
};

}  // namespace

TEST_CASE("json convention: the C API's JSON of each type is its to_json text", "[json][capi]") {
  TempDir dir;
  const std::string original = dir.file("original.db");
  const Ids ids = fill(original);
  const Instant from = at("2025-02-01T00:00:00Z"), to = at("2025-05-01T00:00:00Z");
  const Instant as_of = at("2025-06-01T00:00:00Z");
  RetentionQuery rq;
  rq.from = from;
  rq.to = to;
  rq.active_days = 30;
  CohortQuery cq;
  cq.periods = 4;
  SurveyMetricQuery sq;
  sq.from = from;
  sq.to = to;
  sq.by = MetricGrouping::month;
  RfmRequest rfm;
  rfm.as_of = as_of;

  std::vector<CustomerFields> preview_records(2);
  preview_records[0].external_id = "A";
  preview_records[0].city = "Oslo";
  preview_records[0].created_at = 1;
  preview_records[1].email = "a@example.com";
  preview_records[1].created_at = 1;

  const std::vector<Row> rows = {
      {"ImportPreview", false,
       [&](char** o, crmkit_db* db) {
         return crmkit_customer_import_preview_json(
             o, db, R"([{"external_id":"A","city":"Oslo","created_at":1},{"email":"a@example.com","created_at":1}])");
       },
       [&](Store& s) { return to_json(preview_customer_import(s, preview_records)); }},
      {"SubjectExportManifest", false,
       [&](char** o, crmkit_db* db) { return crmkit_subject_export_csv(o, db, ids.a, dir.file("sar-c").c_str()); },
       [&](Store& s) { return to_json(export_subject_csv(s, ids.a, dir.file("sar-cpp"))); }},
      {"ConsentEvent", false, [&](char** o, crmkit_db* db) { return crmkit_consent_events_json(o, db, ids.a); },
       [&](Store& s) { return to_json(Consent(s).events(ids.a), JsonForm::exact); }},
      {"EffectiveConsent", false,
       [&](char** o, crmkit_db* db) { return crmkit_consent_state_json(o, db, ids.a, "email", "marketing", from); },
       [&](Store& s) { return to_json(Consent(s).state(ids.a, ConsentChannel::email, "marketing", from), JsonForm::exact); }},
      {"EffectiveConsent list", false, [&](char** o, crmkit_db* db) { return crmkit_consent_states_json(o, db, ids.a, as_of); },
       [&](Store& s) { return to_json(Consent(s).states(ids.a, as_of), JsonForm::exact); }},
      {"ConsentPurpose", false, [&](char** o, crmkit_db* db) { return crmkit_consent_purposes_json(o, db); },
       [&](Store& s) { return to_json(Consent(s).purposes(), JsonForm::exact); }},
      {"Suppression", true,
       [&](char** o, crmkit_db* db) { return crmkit_suppression_add_json(o, db, "email", "gone@example.com", "bounced", from); },
       [&](Store& s) {
         return to_json(Suppressions(s).suppress(ContactType::email, "gone@example.com", SuppressionReason::bounced, from),
                        JsonForm::exact);
       }},
      {"Customer", false, [&](char** o, crmkit_db* db) { return crmkit_customer_get_json(o, db, ids.a); },
       [&](Store& s) { return to_json(Customers(s).get(ids.a), JsonForm::exact); }},
      {"Interaction", false, [&](char** o, crmkit_db* db) { return crmkit_interaction_get_json(o, db, ids.purchase); },
       [&](Store& s) { return to_json(Interactions(s).get(ids.purchase), JsonForm::exact); }},
      {"CustomerFigures", false, [&](char** o, crmkit_db* db) { return crmkit_customer_figures_json(o, db, ids.a); },
       [&](Store& s) { return to_json(Interactions(s).figures(ids.a), JsonForm::exact); }},
      {"LifecycleRule", false, [&](char** o, crmkit_db* db) { return crmkit_customer_lifecycle_rule_json(o, db); },
       [&](Store& s) { return to_json(Customers(s).lifecycle_rule()); }},
      {"LifecycleUpdate", true, [&](char** o, crmkit_db* db) { return crmkit_customer_update_lifecycle_json(o, db, as_of, 0); },
       [&](Store& s) { return to_json(Customers(s).update_lifecycle(as_of, {})); }},
      {"RetentionResult", false,
       [&](char** o, crmkit_db* db) {
         crmkit_retention_options* ro = nullptr;
         int rc = crmkit_retention_options_new(&ro);
         if (rc == CRMKIT_OK) rc = crmkit_retention_options_set_active_days(ro, 30);
         if (rc == CRMKIT_OK) rc = crmkit_retention_json(o, db, from, to, ro);
         crmkit_retention_options_free(ro);
         return rc;
       },
       [&](Store& s) { return to_json(RetentionMetrics(s).retention(rq)); }},
      {"CohortMatrix", false,
       [&](char** o, crmkit_db* db) {
         crmkit_cohort_options* co = nullptr;
         int rc = crmkit_cohort_options_new(&co);
         if (rc == CRMKIT_OK) rc = crmkit_cohort_options_set_periods(co, 4);
         if (rc == CRMKIT_OK) rc = crmkit_retention_cohorts_json(o, db, co);
         crmkit_cohort_options_free(co);
         return rc;
       },
       [&](Store& s) { return to_json(RetentionMetrics(s).cohorts(cq)); }},
      {"NpsTable", false, [&](char** o, crmkit_db* db) { return crmkit_survey_nps_json(o, db, &from, &to, "month", 0); },
       [&](Store& s) { return to_json(SurveyMetrics(s).nps(sq)); }},
      {"CsatTable", false, [&](char** o, crmkit_db* db) { return crmkit_survey_csat_json(o, db, &from, &to, "month"); },
       [&](Store& s) { return to_json(SurveyMetrics(s).csat(sq)); }},
      {"CesTable", false, [&](char** o, crmkit_db* db) { return crmkit_survey_ces_json(o, db, &from, &to, "month"); },
       [&](Store& s) { return to_json(SurveyMetrics(s).ces(sq)); }},
      {"RfmResult", true,
       [&](char** o, crmkit_db* db) { return crmkit_value_rfm_assign_json(o, db, as_of, nullptr); },
       [&](Store& s) { return to_json(CustomerValue(s).rfm(rfm)); }},
      {"SegmentMap", false, [&](char** o, crmkit_db*) { return crmkit_value_rfm_maps_json(o); },
       [&](Store&) {
         std::string all = "[";
         for (const auto& m : builtin_segment_maps()) all += (all.size() > 1 ? "," : "") + to_json(m);
         return all + "]";
       }},
      {"Report", false, [&](char** o, crmkit_db* db) { return crmkit_report_json(o, db, nullptr); },
       [&](Store& s) { return to_json(build_report(s, {})); }},
  };

  int n = 0;
  for (const auto& row : rows) {
    INFO(row.type);
    std::string c_path = original, cpp_path = original;
    if (row.writes) {
      c_path = dir.file("c" + std::to_string(n) + ".db");
      cpp_path = dir.file("cpp" + std::to_string(n++) + ".db");
      std::filesystem::copy_file(original, c_path);
      std::filesystem::copy_file(original, cpp_path);
    }
    crmkit_db* db = nullptr;
    REQUIRE(crmkit_db_open(&db, c_path.c_str(), nullptr) == CRMKIT_OK);
    char* out = nullptr;
    const int status = row.c(&out, db);
    crmkit_db_close(db);
    REQUIRE(status == CRMKIT_OK);
    const std::string from_c = take(out);
    Store s = Store::open(cpp_path);
    const std::string from_cpp = row.cpp(s);
    CHECK(from_c == from_cpp);
    CHECK(from_c.size() > 2);  // something was written
  }
}
