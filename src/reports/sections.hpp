// The report's sections: each reads its part of a Report and writes its JSON member.
#pragma once

#include <nlohmann/json.hpp>

#include "crmkit/report.hpp"
#include "crmkit/retention.hpp"
#include "store/connection.hpp"

namespace crmkit::reports {

struct ReportSection {
  const char* key;  // the JSON member and the name docs/REPORT.md uses
  void (*read)(Store& store, Report& report);
  nlohmann::ordered_json (*json)(const Report& report);
  void (*html)(const Report& report, std::string& out);  // appends the section (html.cpp)
};

// Every section in report order: the one table that decides the order.
const std::vector<ReportSection>& report_sections();

void read_overview(Store&, Report&);
nlohmann::ordered_json overview_json(const Report&);
void overview_html(const Report&, std::string&);
void read_revenue_by_month(Store&, Report&);
nlohmann::ordered_json revenue_by_month_json(const Report&);
void revenue_by_month_html(const Report&, std::string&);
void read_top_customers(Store&, Report&);
nlohmann::ordered_json top_customers_json(const Report&);
void top_customers_html(const Report&, std::string&);
void read_value(Store&, Report&);
nlohmann::ordered_json value_json(const Report&);
void value_html(const Report&, std::string&);
void read_at_risk(Store&, Report&);
nlohmann::ordered_json at_risk_json(const Report&);
void at_risk_html(const Report&, std::string&);
void read_segments(Store&, Report&);
nlohmann::ordered_json segments_json(const Report&);
void segments_html(const Report&, std::string&);
void read_rfm(Store&, Report&);
nlohmann::ordered_json rfm_json(const Report&);
void rfm_html(const Report&, std::string&);
void read_loyalty(Store&, Report&);
nlohmann::ordered_json loyalty_json(const Report&);
void loyalty_html(const Report&, std::string&);
void read_points(Store&, Report&);
nlohmann::ordered_json points_json(const Report&);
void points_html(const Report&, std::string&);
void read_identity(Store&, Report&);
nlohmann::ordered_json identity_json(const Report&);
void identity_html(const Report&, std::string&);

// The query of the `cohorts` newest cohorts (by month or week) with a first purchase before
// as_of (any when empty), `periods` columns; nullopt when no customer has a purchase before it.
// The report's loyalty section and the store's cohort chart read the same window.
std::optional<CohortQuery> newest_cohorts(Store& store, CohortPeriod by, int cohorts, int periods,
                                          std::optional<Instant> as_of);

// Shared JSON pieces.
nlohmann::ordered_json amount_json(const std::string& currency, const std::string& amount);
nlohmann::ordered_json instant_text(Instant t);
// A currency the options let through.
bool wanted_currency(const Report& r, const std::string& currency);

}  // namespace crmkit::reports
