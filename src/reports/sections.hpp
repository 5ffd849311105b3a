// The report's sections: each reads its part of a Report and writes its JSON member.
#pragma once

#include <nlohmann/json.hpp>

#include "crmkit/report.hpp"
#include "store/connection.hpp"

namespace crmkit::reports {

struct ReportSection {
  const char* key;  // the JSON member and the name docs/REPORT.md uses
  void (*read)(Store& store, Report& report);
  nlohmann::ordered_json (*json)(const Report& report);
};

// Every section in report order: the one table that decides the order.
const std::vector<ReportSection>& report_sections();

void read_overview(Store&, Report&);
nlohmann::ordered_json overview_json(const Report&);
void read_revenue_by_month(Store&, Report&);
nlohmann::ordered_json revenue_by_month_json(const Report&);
void read_top_customers(Store&, Report&);
nlohmann::ordered_json top_customers_json(const Report&);
void read_value(Store&, Report&);
nlohmann::ordered_json value_json(const Report&);
void read_at_risk(Store&, Report&);
nlohmann::ordered_json at_risk_json(const Report&);
void read_segments(Store&, Report&);
nlohmann::ordered_json segments_json(const Report&);
void read_rfm(Store&, Report&);
nlohmann::ordered_json rfm_json(const Report&);
void read_loyalty(Store&, Report&);
nlohmann::ordered_json loyalty_json(const Report&);
void read_points(Store&, Report&);
nlohmann::ordered_json points_json(const Report&);

// Shared JSON pieces.
nlohmann::ordered_json amount_json(const std::string& currency, const std::string& amount);
nlohmann::ordered_json instant_text(Instant t);
// A currency the options let through.
bool wanted_currency(const Report& r, const std::string& currency);

}  // namespace crmkit::reports
