// build_report: the options' checks, the report's as_of, and the table of sections in order.
#include <cmath>

#include "crmkit/error.hpp"
#include "crmkit/money.hpp"
#include "base/checks.hpp"
#include "sections.hpp"

namespace crmkit {
namespace reports {

const std::vector<ReportSection>& report_sections() {
  // The report's order, here and nowhere else (the CLI formats the sections in this order).
  static const std::vector<ReportSection> sections{
      {"overview", &read_overview, &overview_json, &overview_html},
      {"revenue_by_month", &read_revenue_by_month, &revenue_by_month_json, &revenue_by_month_html},
      {"top_customers", &read_top_customers, &top_customers_json, &top_customers_html},
      {"value", &read_value, &value_json, &value_html},
      {"at_risk", &read_at_risk, &at_risk_json, &at_risk_html},
      {"segments", &read_segments, &segments_json, &segments_html},
      {"rfm", &read_rfm, &rfm_json, &rfm_html},
      {"loyalty", &read_loyalty, &loyalty_json, &loyalty_html},
      {"points", &read_points, &points_json, &points_html},
      {"identity", &read_identity, &identity_json, &identity_html},
  };
  return sections;
}

nlohmann::ordered_json amount_json(const std::string& currency, const std::string& amount) {
  return {{"currency", currency}, {"amount", amount}};
}

nlohmann::ordered_json instant_text(Instant t) { return format_instant(t); }

bool wanted_currency(const Report& r, const std::string& currency) {
  return !r.options.currency || *r.options.currency == currency;
}

namespace {

void check_options(const ReportOptions& o) {
  if (o.as_of) detail::check_instant("report as_of", *o.as_of);
  if (o.top < 0) throw Error(Errc::invalid_argument, "report top must be >= 0 (0 = every customer), got " + std::to_string(o.top));
  if (!std::isfinite(o.at_risk_below) || o.at_risk_below <= 0 || o.at_risk_below > 1)
    throw Error(Errc::invalid_argument, "report at_risk_below must be in (0, 1]");
  if (!std::isfinite(o.lost_floor) || o.lost_floor < 0 || o.lost_floor >= o.at_risk_below)
    throw Error(Errc::invalid_argument, "report lost_floor must be in [0, at_risk_below)");
  if (o.currency && !is_currency_code(*o.currency))
    throw Error(Errc::invalid_argument, "report currency '" + *o.currency + "' is not an ISO 4217 code");
  if (o.cohort_periods < 1 || o.cohort_periods > 120)
    throw Error(Errc::invalid_argument, "report cohort_periods must be in 1..120");
  if (o.cohort_months < 1 || o.cohort_months > 1200)
    throw Error(Errc::invalid_argument, "report cohort_months must be in 1..1200");
}

}  // namespace
}  // namespace reports

Instant default_as_of(Store& store) {
  return detail::guard([&] {
    auto& st = detail::connection_of(store).prepare(
        "SELECT coalesce((SELECT max(last_interaction_at) FROM customer_figures), 0), "
        "coalesce((SELECT max(created_at) FROM customers), 0), (SELECT count(*) FROM customers)");
    detail::StatementReset reset(st);
    st.executeStep();
    if (st.getColumn(2).getInt64() == 0) return Instant{0};
    return end_of_day(day_of(std::max(st.getColumn(0).getInt64(), st.getColumn(1).getInt64())));
  });
}

Report build_report(Store& store, const ReportOptions& options) {
  reports::check_options(options);
  return detail::guard([&] {
    Report r;
    r.database = store.path();
    r.options = options;
    r.as_of = options.as_of ? *options.as_of : default_as_of(store);
    for (const auto& s : reports::report_sections()) s.read(store, r);
    return r;
  });
}

std::vector<std::string> report_section_keys() {
  std::vector<std::string> keys;
  for (const auto& s : reports::report_sections()) keys.emplace_back(s.key);
  return keys;
}

std::string to_json(const Report& r) {
  nlohmann::ordered_json j = nlohmann::ordered_json::object();
  j["database"] = r.database;
  j["as_of"] = format_instant(r.as_of);
  for (const auto& s : reports::report_sections()) j[s.key] = s.json(r);
  return j.dump(2);
}

}  // namespace crmkit
