// crmkit_report_json: the options handle, the owned JSON, exact money past int64, refusals.
#include <climits>
#include <cmath>

#include "capi/test_db.hpp"
#include "core_fixture.hpp"

namespace {

struct ReportDb {
  crmkit_db* db = nullptr;
  ReportDb() { REQUIRE(open_test_db(&db) == CRMKIT_OK); }
  ~ReportDb() { crmkit_db_close(db); }
  int64_t customer(const char* ext) {
    int64_t id = 0;
    int created = 0;
    std::string j = std::string("{\"external_id\": \"") + ext + "\", \"created_at\": \"2024-01-01T00:00:00Z\"}";
    REQUIRE(crmkit_customer_upsert_json(&id, &created, db, j.c_str()) == CRMKIT_OK);
    return id;
  }
  void purchase(int64_t c, const char* when, const char* minor, const char* currency) {
    int64_t id = 0;
    std::string j = "{\"customer_id\": " + std::to_string(c) + ", \"occurred_at\": \"" + when +
                    "\", \"kind\": \"purchase\", \"channel\": \"web\", \"amount\": {\"minor\": " + minor +
                    ", \"currency\": \"" + currency + "\"}}";
    REQUIRE(crmkit_interaction_record_json(&id, db, j.c_str()) == CRMKIT_OK);
  }
};

std::string report(crmkit_db* db, const crmkit_report_options* o) {
  char* out = nullptr;
  REQUIRE(crmkit_report_json(&out, db, o) == CRMKIT_OK);
  return take(out);
}

}  // namespace

TEST_CASE("report json: sections, exact totals and the options handle", "[capi][report]") {
  ReportDb d;
  int64_t a = d.customer("A"), b = d.customer("B");
  d.purchase(a, "2024-01-10T10:00:00Z", "6000000000000000000", "EUR");
  d.purchase(b, "2024-02-10T10:00:00Z", "6000000000000000000", "EUR");
  d.purchase(b, "2024-02-11T10:00:00Z", "250", "JPY");

  std::string j = report(d.db, nullptr);
  CHECK(j.find("\"as_of\": \"2024-02-12T00:00:00.000Z\"") != std::string::npos);
  // Two per-customer totals that fit int64 add up past it: printed exactly.
  CHECK(j.find("\"amount\": \"120000000000000000.00\"") != std::string::npos);
  CHECK(j.find("\"amount\": \"250\"") != std::string::npos);  // JPY has no decimals
  for (const char* key : {"\"overview\"", "\"revenue_by_month\"", "\"top_customers\"", "\"value\"", "\"at_risk\"",
                          "\"segments\"", "\"rfm\"", "\"loyalty\"", "\"points\""})
    CHECK(j.find(key) != std::string::npos);
  CHECK(j.find("\"overview\"") < j.find("\"revenue_by_month\""));
  CHECK(j.find("\"loyalty\"") < j.find("\"points\""));

  crmkit_report_options* o = nullptr;
  REQUIRE(crmkit_report_options_new(&o) == CRMKIT_OK);
  REQUIRE(crmkit_report_options_set_currency(o, "JPY") == CRMKIT_OK);
  REQUIRE(crmkit_report_options_set_as_of(o, 1707609600000) == CRMKIT_OK);  // 2024-02-11T00:00Z
  std::string jpy = report(d.db, o);
  CHECK(jpy.find("\"EUR\"") == std::string::npos);  // the filter
  CHECK(jpy.find("\"amount\": \"250\"") == std::string::npos);  // the JPY purchase is on the 11th: after as_of
  CHECK(jpy.find("\"revenue\": []") != std::string::npos);
  REQUIRE(crmkit_report_options_set_currency(o, nullptr) == CRMKIT_OK);
  std::string cut = report(d.db, o);
  CHECK(cut.find("\"amount\": \"120000000000000000.00\"") != std::string::npos);
  CHECK(cut.find("\"JPY\"") == std::string::npos);

  // Refusals name the option; nothing is returned.
  char* out = reinterpret_cast<char*>(1);
  REQUIRE(crmkit_report_options_set_top(o, -1) == CRMKIT_OK);
  CHECK(crmkit_report_json(&out, d.db, o) == CRMKIT_EINVALID);
  CHECK(out == nullptr);
  CHECK(message_has("top"));
  REQUIRE(crmkit_report_options_set_top(o, 0) == CRMKIT_OK);
  REQUIRE(crmkit_report_options_set_at_risk(o, 0.5, 0.7) == CRMKIT_OK);
  CHECK(crmkit_report_json(&out, d.db, o) == CRMKIT_EINVALID);
  CHECK(message_has("lost_floor"));
  REQUIRE(crmkit_report_options_set_at_risk(o, NAN, 0.05) == CRMKIT_OK);
  CHECK(crmkit_report_json(&out, d.db, o) == CRMKIT_EINVALID);
  CHECK(message_has("at_risk_below"));
  REQUIRE(crmkit_report_options_set_at_risk(o, 0.5, 0.05) == CRMKIT_OK);
  REQUIRE(crmkit_report_options_set_cohorts(o, 0, 12) == CRMKIT_OK);
  CHECK(crmkit_report_json(&out, d.db, o) == CRMKIT_EINVALID);
  CHECK(message_has("cohort_periods"));
  REQUIRE(crmkit_report_options_set_cohorts(o, 7, 12) == CRMKIT_OK);
  REQUIRE(crmkit_report_options_set_as_of(o, LLONG_MAX) == CRMKIT_OK);
  CHECK(crmkit_report_json(&out, d.db, o) == CRMKIT_EINVALID);
  CHECK(message_has("as_of"));
  CHECK(crmkit_report_options_set_currency(o, "euro") == CRMKIT_OK);
  REQUIRE(crmkit_report_options_set_as_of(o, 1707609600000) == CRMKIT_OK);
  CHECK(crmkit_report_json(&out, d.db, o) == CRMKIT_EINVALID);
  CHECK(message_has("currency"));
  crmkit_report_options_free(o);

  CHECK(crmkit_report_json(nullptr, d.db, nullptr) == CRMKIT_EINVALID);
  CHECK(crmkit_report_json(&out, nullptr, nullptr) != CRMKIT_OK);
  CHECK(crmkit_report_options_new(nullptr) == CRMKIT_EINVALID);
  CHECK(crmkit_report_options_set_top(nullptr, 1) == CRMKIT_EINVALID);
}

TEST_CASE("report html: the page, its exact totals, the same options and refusals", "[capi][report]") {
  ReportDb d;
  int64_t a = d.customer("A"), b = d.customer("B");
  d.purchase(a, "2024-01-10T10:00:00Z", "6000000000000000000", "EUR");
  d.purchase(b, "2024-02-10T10:00:00Z", "6000000000000000000", "EUR");
  char* out = nullptr;
  REQUIRE(crmkit_report_html(&out, d.db, nullptr) == CRMKIT_OK);
  const std::string page = take(out);
  CHECK(page.rfind("<!DOCTYPE html>", 0) == 0);
  CHECK(page.find("<section id=\"points\">") != std::string::npos);
  CHECK(page.find("120000000000000000.00") != std::string::npos);  // exact past int64, as in the JSON
  CHECK(page.find("<svg") != std::string::npos);

  crmkit_report_options* o = nullptr;
  REQUIRE(crmkit_report_options_new(&o) == CRMKIT_OK);
  REQUIRE(crmkit_report_options_set_cohorts(o, 0, 12) == CRMKIT_OK);  // checked where used
  out = reinterpret_cast<char*>(1);
  CHECK(crmkit_report_html(&out, d.db, o) == CRMKIT_EINVALID);
  CHECK(out == nullptr);
  CHECK(std::string(crmkit_last_error_message()).find("cohort_periods") != std::string::npos);
  crmkit_report_options_free(o);
  CHECK(crmkit_report_html(nullptr, d.db, nullptr) == CRMKIT_EINVALID);
  CHECK(crmkit_report_html(&out, nullptr, nullptr) == CRMKIT_EINVALID);
}
