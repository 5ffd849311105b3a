// The JSON of a fit's report: the one form the C API returns and the CLI prints.
#include <nlohmann/json.hpp>

#include "crmkit/clv.hpp"

namespace crmkit::clv {

std::string to_json(const FitReport& r) {
  nlohmann::ordered_json params = nlohmann::ordered_json::object(), se = nullptr;
  for (std::size_t i = 0; i < r.parameter_values.size() && i < r.parameter_names.size(); ++i)
    params[r.parameter_names[i]] = r.parameter_values[i];
  if (!r.standard_errors.empty()) {
    se = nlohmann::ordered_json::object();
    for (std::size_t i = 0; i < r.standard_errors.size() && i < r.parameter_names.size(); ++i)
      se[r.parameter_names[i]] = r.standard_errors[i];
  }
  nlohmann::ordered_json j;
  j["model"] = r.model;
  j["params"] = params;
  j["standard_errors"] = se;
  j["log_likelihood"] = r.log_likelihood;
  j["aic"] = r.aic;
  j["bic"] = r.bic;
  j["parameters"] = r.parameters;
  j["observations"] = r.observations;
  j["customers"] = r.customers;
  j["patterns"] = r.patterns;
  j["penalizer_coef"] = r.penalizer_coef;
  j["converged"] = r.converged;
  j["reason"] = r.reason;
  j["iterations"] = r.iterations;
  j["function_evaluations"] = r.function_evaluations;
  j["gradient_norm"] = r.gradient_norm;
  j["summary"] = fit_summary(r);
  return j.dump();
}

}  // namespace crmkit::clv
