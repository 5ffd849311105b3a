// The value area's results as JSON (the C API's _json getters and the command's --json): models,
// scoring summaries and scores, RFM results and assignments, holdout validations.
#include <nlohmann/json.hpp>

#include "base/json_form.hpp"
#include "crmkit/value.hpp"

namespace crmkit {

namespace {

using detail::optional_json;

nlohmann::json model_json(const ValueModel& m) {
  nlohmann::json j;
  j["id"] = m.id;
  j["kind"] = to_string(m.kind);
  j["params"] = nlohmann::json::object();
  for (const auto& p : m.params) j["params"][p.first] = p.second;
  if (m.std_errors.empty()) {
    j["std_errors"] = nullptr;
  } else {
    j["std_errors"] = nlohmann::json::object();
    for (const auto& p : m.std_errors) j["std_errors"][p.first] = p.second;
  }
  j["log_likelihood"] = m.log_likelihood;
  j["customers"] = m.customers;
  j["time_unit"] = clv::to_string(m.unit);
  j["calibration_end"] = m.calibration_end;
  j["calibration_end_iso"] = format_instant(m.calibration_end);
  j["data_from"] = optional_json(m.data_from);
  j["fitted_at"] = m.fitted_at;
  j["converged"] = m.converged;
  j["currency"] = m.currency;
  j["iterations"] = m.iterations;
  j["reason"] = m.reason;
  j["penalizer_coef"] = m.penalizer_coef;
  return j;
}

nlohmann::json rfm_json(const CustomerRfm& r) {
  nlohmann::json j;
  j["customer_id"] = r.customer_id;
  j["as_of"] = r.as_of;
  j["recency_days"] = r.recency_days;
  j["frequency"] = r.frequency;
  j["monetary"] = format_amount(r.monetary, r.currency);
  j["monetary_minor"] = r.monetary;
  j["currency"] = r.currency;
  j["r"] = r.score.r;
  j["f"] = r.score.f;
  j["m"] = r.score.m;
  j["rfm_score"] = r.score.combined();
  j["segment"] = r.segment;
  j["map_name"] = r.map_name;
  j["map_version"] = r.map_version;
  return j;
}

}  // namespace

std::string to_json(const ValueModel& m) { return model_json(m).dump(); }

std::string to_json(const ScoreSummary& s) {
  nlohmann::json j;
  j["as_of"] = s.as_of;
  j["model"] = model_json(s.model);
  j["spend_model"] = s.spend_model ? model_json(*s.spend_model) : nlohmann::json(nullptr);
  j["customers"] = s.customers;
  j["scored"] = s.scored;
  j["total_expected_purchases"] = s.total_expected_purchases;
  j["total_predicted_clv"] = s.total_predicted_clv;
  j["currency"] = s.currency;
  j["warnings"] = nlohmann::json::array();
  for (const auto& w : s.warnings) j["warnings"].push_back({{"code", w.code}, {"message", w.message}});
  return j.dump();
}

std::string to_json(const CustomerScore& s) {
  nlohmann::json j;
  j["customer_id"] = s.customer_id;
  j["model_id"] = optional_json(s.model_id);
  j["spend_model_id"] = optional_json(s.spend_model_id);
  j["scored_at"] = s.scored_at;
  j["p_alive"] = optional_json(s.p_alive);
  j["expected_purchases"] = optional_json(s.expected_purchases);
  j["horizon"] = optional_json(s.horizon);
  j["horizon_unit"] = s.horizon_unit ? nlohmann::json(to_string(*s.horizon_unit)) : nlohmann::json(nullptr);
  j["expected_spend"] = optional_json(s.expected_spend);
  j["predicted_clv"] = optional_json(s.predicted_clv);
  j["repeat_purchases"] = optional_json(s.repeat_purchases);
  j["currency"] = s.currency;
  return j.dump();
}

std::string to_json(const HoldoutValidation& v) {
  nlohmann::json j;
  j["holdout_length"] = v.holdout_length;
  j["actual_total"] = v.actual_total;
  j["predicted_total"] = v.predicted_total;
  j["bins"] = nlohmann::json::array();
  for (const auto& b : v.bins)
    j["bins"].push_back({{"frequency", b.label}, {"customers", b.customers}, {"actual_mean", b.actual_mean},
                         {"predicted_mean", b.predicted_mean}});
  return j.dump();
}

std::string to_json(const CustomerRfm& r) { return rfm_json(r).dump(); }

std::string to_json(const RfmResult& r, bool with_customers) {
  nlohmann::json j;
  j["as_of"] = r.as_of;
  j["as_of_iso"] = format_instant(r.as_of);
  j["method"] = to_string(r.method);
  j["map_name"] = r.map_name;
  j["map_version"] = r.map_version;
  j["currency"] = r.currency;
  j["from_figures"] = r.from_figures;
  j["segments"] = nlohmann::json::array();
  for (const auto& s : r.segments)
    j["segments"].push_back({{"segment", s.segment}, {"customers", s.customers}, {"orders", s.orders},
                             {"revenue", s.revenue}});
  if (with_customers) {
    j["customers"] = nlohmann::json::array();
    for (const auto& c : r.customers) j["customers"].push_back(rfm_json(c));
  }
  return j.dump();
}

}  // namespace crmkit
