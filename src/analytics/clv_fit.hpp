// Shared plumbing of the customer-value fits: input checks, grouping identical rows into
// weighted patterns, and the driver that runs BFGS in transformed space and reports.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "analytics/optimize.hpp"
#include "crmkit/clv.hpp"

namespace crmkit::analytics {

// Identical (x, t_x, T) rows merged; sorted by x so per-x terms (lgamma) can be shared.
struct Patterns {
  std::vector<double> x, t_x, T, w;
  std::size_t customers = 0;
  double total_weight = 0;
  std::size_t size() const noexcept { return x.size(); }
};

// Throw invalid_argument naming the array and row on the first bad value.
void check_histories(const clv::Histories& data, bool require_nonempty);
Patterns group_patterns(const clv::Histories& data);

// A fit expressed in unconstrained coordinates theta.
struct FitProblem {
  std::vector<double> start;                                   // theta at the start
  Objective objective;                                         // mean negative LL, scaled data
  // theta -> natural parameters on the caller's (unscaled) axis
  std::function<std::vector<double>(const std::vector<double>&)> natural;
  // d natural_i / d theta_i at theta (diagonal transforms only), unscaled
  std::function<std::vector<double>(const std::vector<double>&)> jacobian;
  // summed, weighted LL at natural parameters on the unscaled data
  std::function<double(const std::vector<double>&)> log_likelihood;
  double total_weight = 0;
  std::size_t customers = 0;
  std::size_t patterns = 0;
};

struct FitOutcome {
  std::vector<double> params;
  clv::FitReport report;
};

FitOutcome run_fit(const FitProblem& problem, const clv::FitOptions& options);

// Throws invalid_argument unless every value is finite and > 0.
void check_positive(const char* what, const std::vector<double>& values,
                    const std::vector<const char*>& names);

}  // namespace crmkit::analytics
