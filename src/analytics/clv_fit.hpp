// Shared plumbing of the customer-value fits: input checks, grouping identical rows into
// weighted patterns, and one model description with the one fit routine over it (BFGS in
// unconstrained coordinates, then the log-likelihood and standard errors on the caller's axis).
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "analytics/optimize.hpp"
#include "crmkit/clv.hpp"

namespace crmkit::analytics {

// Identical (x, t_x, T) rows merged; sorted by x so per-x terms (lgamma) can be shared.
struct Patterns {
  std::vector<double> x, t_x, T, w;
  // When the times take few distinct values (histories in whole days take at most a few
  // thousand), the sorted distinct values of t_x and T and each pattern's index into them:
  // an objective then takes log(alpha + time) once per value, not twice per pattern.
  // Empty otherwise (see index_times).
  std::vector<double> times;
  std::vector<std::uint32_t> t_x_at, T_at;
  std::size_t customers = 0;
  double total_weight = 0;
  std::size_t size() const noexcept { return x.size(); }
};

// Throw invalid_argument naming the array and row on the first bad value.
void check_histories(const clv::Histories& data, bool require_nonempty);
Patterns group_patterns(const clv::Histories& data);
// Fills times, t_x_at and T_at when the distinct times number at most a quarter of the patterns.
void index_times(Patterns& p);

// The distinct histories (x, t_x, T) of the rows, sorted, and each row's index into them:
// predictions depend on the history only, and a store's customers share far fewer histories
// than they number (whole days, common calibration end). Each distinct history's weight is the
// sum of its rows' (1 each without weights), so a fit on `unique` is the fit on the rows.
// Throws invalid_argument beyond 2^32 rows.
struct DistinctHistories {
  clv::Histories unique;
  std::vector<std::uint32_t> of;  // per row
};
DistinctHistories distinct_histories(const clv::Histories& data);

// One history (x, t_x, T) and one forecast horizon t, checked for the single-customer calls.
void check_history(double x, double t_x, double T);
void check_horizon(double t);

// The patterns a purchase model (BG/NBD, MBG/NBD, Pareto/NBD) is fitted on, and their copy on
// a time axis divided by `scale` = max T: rates near 1 keep BFGS well conditioned. Throws
// invalid_argument, prefixed by `model`, when the data cannot identify a purchase model.
struct PurchasePatterns {
  Patterns data, scaled;
  double scale = 1;
};
PurchasePatterns purchase_patterns(const char* model, const clv::Histories& data);

// sum_i w_i * ll(x_i, t_x_i, T_i) over patterns, in pattern order.
template <class F>
double weighted_sum(const Patterns& p, F&& ll) {
  double s = 0;
  for (std::size_t i = 0; i < p.size(); ++i) s += p.w[i] * ll(p.x[i], p.t_x[i], p.T[i]);
  return s;
}

// sum_i weight_i * ll(i) over n rows; an empty weight vector weighs every row 1.
template <class F>
double weighted_rows(const std::vector<double>& weight, std::size_t n, F&& ll) {
  double s = 0;
  for (std::size_t i = 0; i < n; ++i) s += (weight.empty() ? 1.0 : weight[i]) * ll(i);
  return s;
}

// One fitted parameter. The fit moves theta freely and reads the parameter as
// floor + e^theta, times the data's scale when the parameter is `scaled` (a rate on the time
// axis, a spend): the parameter stays above its floor without a constrained optimiser.
struct ModelParameter {
  const char* name;
  double start;          // the default start, on the scaled axis
  bool scaled = false;
  double floor = 0;
};

// A model as its fit sees it: parameters, the log-likelihood over the data, and the data's
// size for the report.
struct ModelDescription {
  const char* name;  // "BG/NBD": prefixes every error
  std::vector<ModelParameter> parameters;
  // Weighted log-likelihood summed over the caller's (unscaled) data at natural parameters.
  std::function<double(const std::vector<double>& natural)> log_likelihood;
  // Mean negative log-likelihood in theta on the scaled data, with its gradient. When empty,
  // the fit uses -log_likelihood / total_weight with central differences of `numeric_step`.
  Objective objective;
  double numeric_step = 1e-6;
  double scale = 1;
  // FitOptions::penalizer_coef: the penalty is on the scaled axis when lifetimes fits there
  // (the purchase models: time scaled so that max T = 1), and divided by penalty_divisor
  // (Pareto/NBD: the caller's rows, as lifetimes divides its sum by the mean weight).
  bool penalise_scaled_axis = false;
  double penalty_divisor = 1;
  double total_weight = 0;
  std::size_t customers = 0;
  std::size_t patterns = 0;
};

struct FitOutcome {
  std::vector<double> params;  // natural, in the description's order, on the caller's axis
  clv::FitReport report;
};

// options.start, when given, is in natural parameters on the caller's axis; it is checked
// against the description (count, finite, above each floor) before anything runs.
FitOutcome fit_model(const ModelDescription& model, const clv::FitOptions& options);

// Throws invalid_argument unless every value is finite and > 0.
void check_positive(const char* what, const std::vector<double>& values,
                    const std::vector<const char*>& names);

}  // namespace crmkit::analytics
