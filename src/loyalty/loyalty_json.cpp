// The loyalty metrics' results as JSON (the C API's _json getters, the command's --json and the
// report): retention, cohort matrices and the survey metrics' tables. Undefined values are null.
#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "base/json_form.hpp"
#include "crmkit/retention.hpp"
#include "crmkit/survey.hpp"

namespace crmkit {

namespace {

using detail::optional_json;

nlohmann::json table_json(const char* metric, const SurveyMetricQuery& q) {
  return {{"metric", metric},
          {"by", to_string(q.by)},
          {"from", optional_json(q.from)},
          {"to", optional_json(q.to)},
          {"groups", nlohmann::json::array()}};
}

}  // namespace

std::string to_json(const RetentionResult& r) {
  nlohmann::json j{
      {"from", r.from},
      {"to", r.to},
      {"activity", to_string(r.activity)},
      {"active_days", r.active_days},
      {"order_unit", to_string(r.order_unit)},
      {"revenue_basis", to_string(r.revenue_basis)},
      {"active_at_start", r.active_at_start},
      {"active_at_end", r.active_at_end},
      {"new_customers", r.new_customers},
      {"retained", r.retained},
      {"churned", r.churned},
      {"retention_rate", optional_json(r.retention_rate)},
      {"classic_retention_rate", optional_json(r.classic_retention_rate)},
      {"churn_rate", optional_json(r.churn_rate)},
      {"expected_lifetime_periods", optional_json(r.expected_lifetime_periods)},
      {"purchasers", r.purchasers},
      {"repeat_purchasers", r.repeat_purchasers},
      {"orders", r.orders},
      {"repeat_purchase_rate", optional_json(r.repeat_purchase_rate)},
      {"purchase_frequency", optional_json(r.purchase_frequency)},
      {"currency", r.currency},
      {"revenue", format_amount_sum(r.revenue_minor, r.currency)},
      {"revenue_minor", nullptr},  // below: an integer of as many digits as it needs
      {"currency_orders", r.currency_orders},
      {"average_order_value", optional_json(r.average_order_value)},
  };
  if (r.activity == ActivityRule::p_alive) j["p_alive_threshold"] = r.p_alive_threshold;
  // nlohmann's numbers stop at 64 bits; JSON's do not, and the exact form is an integer.
  std::string text = j.dump();
  const std::string slot = "\"revenue_minor\":null";
  text.replace(text.find(slot), slot.size(), fmt::format("\"revenue_minor\":{}", r.revenue_minor));
  return text;
}

std::string to_json(const CohortMatrix& m) {
  nlohmann::json j{{"by", to_string(m.by)}, {"unbounded", m.unbounded}, {"periods", m.periods}};
  j["cohorts"] = nlohmann::json::array();
  for (const auto& r : m.rows) {
    nlohmann::json cells = nlohmann::json::array();
    for (const auto& v : r.retention) cells.push_back(optional_json(v));
    j["cohorts"].push_back(
        {{"cohort", r.cohort}, {"start", r.start}, {"size", r.size}, {"counts", r.counts}, {"retention", cells}});
  }
  return j.dump();
}

std::string to_json(const NpsTable& t) {
  auto j = table_json("nps", t.query);
  j["confidence"] = t.query.confidence;
  for (const auto& r : t.groups)
    j["groups"].push_back({{"group", r.group}, {"responses", r.responses}, {"promoters", r.promoters},
                           {"passives", r.passives}, {"detractors", r.detractors}, {"nps", optional_json(r.nps)},
                           {"standard_error", optional_json(r.standard_error)}, {"ci_low", optional_json(r.ci_low)},
                           {"ci_high", optional_json(r.ci_high)}});
  return j.dump();
}

std::string to_json(const CsatTable& t) {
  auto j = table_json("csat", t.query);
  for (const auto& r : t.groups)
    j["groups"].push_back({{"group", r.group}, {"responses", r.responses}, {"satisfied", r.satisfied},
                           {"csat_percent", optional_json(r.csat_percent)}, {"mean_score", optional_json(r.mean_score)}});
  return j.dump();
}

std::string to_json(const CesTable& t) {
  auto j = table_json("ces", t.query);
  for (const auto& r : t.groups)
    j["groups"].push_back({{"group", r.group}, {"responses", r.responses}, {"low", r.low}, {"agree", r.agree},
                           {"high", r.high}, {"mean_score", optional_json(r.mean_score)}, {"index", optional_json(r.index)},
                           {"percent_agree", optional_json(r.percent_agree)}});
  return j.dump();
}

}  // namespace crmkit
