// The report's sections: each reads its part of a Report and writes its JSON member.
#pragma once

#include <nlohmann/json.hpp>

#include "crmkit/report.hpp"
#include "store/connection.hpp"

namespace crmkit::reports {

struct ReportSection {
  const char* key;  // the JSON member and the name docs/REPORT.md uses
  void (*read)(Store& store, Report& report);
  nlohmann::json (*json)(const Report& report);
};

// Every section in report order: the one table that decides the order.
const std::vector<ReportSection>& report_sections();

void read_overview(Store&, Report&);
nlohmann::json overview_json(const Report&);
void read_revenue_by_month(Store&, Report&);
nlohmann::json revenue_by_month_json(const Report&);
void read_top_customers(Store&, Report&);
nlohmann::json top_customers_json(const Report&);
void read_value(Store&, Report&);
nlohmann::json value_json(const Report&);
void read_at_risk(Store&, Report&);
nlohmann::json at_risk_json(const Report&);
void read_segments(Store&, Report&);
nlohmann::json segments_json(const Report&);
void read_rfm(Store&, Report&);
nlohmann::json rfm_json(const Report&);
void read_loyalty(Store&, Report&);
nlohmann::json loyalty_json(const Report&);
void read_points(Store&, Report&);
nlohmann::json points_json(const Report&);

// Shared JSON pieces.
nlohmann::json amount_json(const std::string& currency, const std::string& amount);
nlohmann::json instant_text(Instant t);
// A currency the options let through.
bool wanted_currency(const Report& r, const std::string& currency);

}  // namespace crmkit::reports
