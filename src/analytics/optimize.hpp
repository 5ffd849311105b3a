// Small unconstrained minimiser for the model fits: BFGS with a backtracking (Armijo) line
// search on a handful of log-parameters, plus a numerical Hessian for standard errors.
#pragma once

#include <functional>
#include <string>
#include <vector>

namespace crmkit::analytics {

// Objective: returns f(theta); when `grad` is non-null it also fills the gradient. A value
// that is not finite is treated as +infinity (the line search backs off).
using Objective = std::function<double(const std::vector<double>& theta, std::vector<double>* grad)>;

// Wraps a value-only function with central finite differences for the gradient.
Objective with_numeric_gradient(std::function<double(const std::vector<double>&)> f,
                                double step = 1e-5);

struct MinimizeOptions {
  int max_iterations = 1000;
  double gradient_tolerance = 1e-7;   // max-norm of the gradient
  double max_step = 3.0;              // cap on one step's length (log-parameters)
};

struct MinimizeResult {
  std::vector<double> theta;
  double value = 0;
  int iterations = 0;
  int evaluations = 0;
  double gradient_norm = 0;           // max-norm at theta
  bool converged = false;
  std::string reason;
};

MinimizeResult minimize_bfgs(const Objective& f, std::vector<double> start,
                             const MinimizeOptions& options);

// Symmetric Hessian of f at theta by central differences of the gradient.
std::vector<std::vector<double>> numeric_hessian(const Objective& f, const std::vector<double>& theta,
                                                 double step = 1e-4);

// Inverse of a symmetric positive-definite matrix by Cholesky; false if not positive definite.
bool invert_spd(const std::vector<std::vector<double>>& m, std::vector<std::vector<double>>* inverse);

}  // namespace crmkit::analytics
