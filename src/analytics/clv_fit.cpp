#include "analytics/clv_fit.hpp"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <numeric>
#include <tuple>

#include <fmt/format.h>

namespace crmkit::analytics {

namespace {
[[noreturn]] void bad(const std::string& message) { throw Error(Errc::invalid_argument, message); }
}  // namespace

void check_histories(const clv::Histories& d, bool require_nonempty) {
  const std::size_t n = d.x.size();
  if (d.t_x.size() != n || d.T.size() != n)
    bad(fmt::format("histories: x, t_x and T must have equal lengths (got {}, {}, {})", n,
                    d.t_x.size(), d.T.size()));
  if (!d.weight.empty() && d.weight.size() != n)
    bad(fmt::format("histories: weight has {} values for {} rows (give one per row or none)",
                    d.weight.size(), n));
  if (require_nonempty && n == 0) bad("histories: no customers to fit");
  for (std::size_t i = 0; i < n; ++i) {
    const double x = d.x[i], tx = d.t_x[i], T = d.T[i];
    if (!std::isfinite(x) || x < 0) bad(fmt::format("x[{}] = {} must be a finite count >= 0", i, x));
    if (!std::isfinite(tx) || tx < 0) bad(fmt::format("t_x[{}] = {} must be finite and >= 0", i, tx));
    if (!std::isfinite(T) || T < 0) bad(fmt::format("T[{}] = {} must be finite and >= 0", i, T));
    if (tx > T) bad(fmt::format("t_x[{}] = {} is greater than T[{}] = {}", i, tx, i, T));
    if (!d.weight.empty() && (!std::isfinite(d.weight[i]) || d.weight[i] < 0))
      bad(fmt::format("weight[{}] = {} must be finite and >= 0", i, d.weight[i]));
  }
}

// The rows are copied into one contiguous array before sorting: sorting indices into three
// vectors made the grouping of a million customers cost more than the fit (cache misses).
Patterns group_patterns(const clv::Histories& d) {
  struct Row {
    double x, t_x, T, w;
  };
  const std::size_t n = d.x.size();
  std::vector<Row> rows;
  rows.reserve(n);
  for (std::size_t i = 0; i < n; ++i) {
    const double w = d.weight.empty() ? 1.0 : d.weight[i];
    if (w > 0) rows.push_back(Row{d.x[i], d.t_x[i], d.T[i], w});
  }
  std::sort(rows.begin(), rows.end(), [](const Row& a, const Row& b) {
    if (a.x != b.x) return a.x < b.x;
    if (a.t_x != b.t_x) return a.t_x < b.t_x;
    return a.T < b.T;
  });
  Patterns p;
  p.customers = rows.size();
  for (const Row& r : rows) {
    if (!p.x.empty() && p.x.back() == r.x && p.t_x.back() == r.t_x && p.T.back() == r.T) {
      p.w.back() += r.w;
    } else {
      p.x.push_back(r.x);
      p.t_x.push_back(r.t_x);
      p.T.push_back(r.T);
      p.w.push_back(r.w);
    }
    p.total_weight += r.w;
  }
  return p;
}

// Sorted as one contiguous array of (history, row), as group_patterns is, for the same reason.
DistinctHistories distinct_histories(const clv::Histories& d) {
  if (d.size() > std::numeric_limits<std::uint32_t>::max())
    bad(fmt::format("{} histories is more than 2^32", d.size()));
  struct Row {
    double x, t_x, T;
    std::uint32_t index;
    bool operator<(const Row& o) const { return std::tie(x, t_x, T) < std::tie(o.x, o.t_x, o.T); }
  };
  std::vector<Row> rows(d.size());
  for (std::size_t i = 0; i < rows.size(); ++i) rows[i] = {d.x[i], d.t_x[i], d.T[i], static_cast<std::uint32_t>(i)};
  std::sort(rows.begin(), rows.end());
  DistinctHistories out;
  out.of.resize(rows.size());
  for (std::size_t k = 0; k < rows.size(); ++k) {
    const Row& r = rows[k];
    if (k == 0 || r.x != out.unique.x.back() || r.t_x != out.unique.t_x.back() || r.T != out.unique.T.back()) {
      out.unique.x.push_back(r.x);
      out.unique.t_x.push_back(r.t_x);
      out.unique.T.push_back(r.T);
      out.unique.weight.push_back(0);
    }
    out.unique.weight.back() += d.weight.empty() ? 1.0 : d.weight[r.index];
    out.of[r.index] = static_cast<std::uint32_t>(out.unique.size() - 1);
  }
  return out;
}

void check_history(double x, double t_x, double T) {
  if (!std::isfinite(x) || x < 0) bad(fmt::format("x = {} must be a finite count >= 0", x));
  if (!std::isfinite(t_x) || t_x < 0) bad(fmt::format("t_x = {} must be finite and >= 0", t_x));
  if (!std::isfinite(T) || T < t_x) bad(fmt::format("T = {} must be finite and >= t_x = {}", T, t_x));
}

void check_horizon(double t) {
  if (!std::isfinite(t) || t < 0) bad(fmt::format("horizon t = {} must be finite and >= 0", t));
}

PurchasePatterns purchase_patterns(const char* model, const clv::Histories& data) {
  check_histories(data, true);
  PurchasePatterns out;
  Patterns& p = out.data;
  p = group_patterns(data);
  if (p.total_weight <= 0) bad(fmt::format("{}: every weight is 0", model));
  out.scale = *std::max_element(p.T.begin(), p.T.end());
  if (!(out.scale > 0))
    bad(fmt::format("{}: every customer has T = 0 (no observation time); nothing to fit", model));
  if (std::all_of(p.x.begin(), p.x.end(), [](double x) { return x == 0; }))
    bad(fmt::format("{}: no customer has a repeat purchase (x > 0); the dropout process cannot be "
                    "estimated", model));
  out.scaled = p;
  for (auto& v : out.scaled.t_x) v /= out.scale;
  for (auto& v : out.scaled.T) v /= out.scale;
  index_times(out.scaled);
  return out;
}

void index_times(Patterns& p) {
  p.times.clear();
  p.t_x_at.clear();
  p.T_at.clear();
  std::vector<double> all(p.t_x);
  all.insert(all.end(), p.T.begin(), p.T.end());
  std::sort(all.begin(), all.end());
  all.erase(std::unique(all.begin(), all.end()), all.end());
  if (all.size() > p.size() / 4) return;  // a table would not save work
  auto at = [&all](double v) { return static_cast<std::uint32_t>(std::lower_bound(all.begin(), all.end(), v) - all.begin()); };
  p.t_x_at.resize(p.size());
  p.T_at.resize(p.size());
  for (std::size_t i = 0; i < p.size(); ++i) {
    p.t_x_at[i] = at(p.t_x[i]);
    p.T_at[i] = at(p.T[i]);
  }
  p.times = std::move(all);
}

void check_positive(const char* what, const std::vector<double>& v,
                    const std::vector<const char*>& names) {
  for (std::size_t i = 0; i < v.size(); ++i)
    if (!std::isfinite(v[i]) || !(v[i] > 0))
      bad(fmt::format("{} parameter {} = {} must be finite and > 0", what, names[i], v[i]));
}

namespace {

// theta -> natural parameters on the caller's axis, and d natural_i / d theta_i.
std::vector<double> natural_of(const ModelDescription& md, const std::vector<double>& th) {
  std::vector<double> v(th.size());
  for (std::size_t i = 0; i < th.size(); ++i) {
    const ModelParameter& p = md.parameters[i];
    v[i] = std::exp(th[i]);
    if (p.scaled) v[i] *= md.scale;
    if (p.floor != 0) v[i] += p.floor;
  }
  return v;
}

std::vector<double> jacobian_of(const ModelDescription& md, const std::vector<double>& th) {
  std::vector<double> d(th.size());
  for (std::size_t i = 0; i < th.size(); ++i) {
    d[i] = std::exp(th[i]);
    if (md.parameters[i].scaled) d[i] *= md.scale;
  }
  return d;
}

// The starting theta: the description's default, or options.start checked and moved onto the
// scaled axis.
std::vector<double> start_of(const ModelDescription& md, const clv::FitOptions& options) {
  const std::size_t n = md.parameters.size();
  std::vector<const char*> names;
  std::string listed;
  for (const ModelParameter& p : md.parameters) {
    names.push_back(p.name);
    listed += listed.empty() ? p.name : std::string(", ") + p.name;
  }
  std::vector<double> start(n);
  for (std::size_t i = 0; i < n; ++i) start[i] = md.parameters[i].start;
  if (!options.start.empty()) {
    if (options.start.size() != n) bad(fmt::format("{}: start needs {} values ({})", md.name, n, listed));
    check_positive(md.name, options.start, names);
    for (std::size_t i = 0; i < n; ++i) {
      const ModelParameter& p = md.parameters[i];
      if (!(options.start[i] > p.floor)) bad(fmt::format("{}: start {} must be > {}", md.name, p.name, p.floor));
      start[i] = p.scaled ? options.start[i] / md.scale : options.start[i];
    }
  }
  std::vector<double> theta(n);
  for (std::size_t i = 0; i < n; ++i) theta[i] = std::log(start[i] - md.parameters[i].floor);
  return theta;
}

}  // namespace

FitOutcome fit_model(const ModelDescription& md, const clv::FitOptions& options) {
  const std::vector<double> start = start_of(md, options);
  if (options.max_iterations < 1) bad("max_iterations must be >= 1");
  if (!(options.gradient_tolerance > 0)) bad("gradient_tolerance must be > 0");
  if (!std::isfinite(options.penalizer_coef) || options.penalizer_coef < 0)
    bad(fmt::format("{}: penalizer_coef = {} must be finite and >= 0", md.name, options.penalizer_coef));
  const Objective likelihood =
      md.objective ? md.objective
                   : with_numeric_gradient(
                         [&md](const std::vector<double>& th) {
                           return -md.log_likelihood(natural_of(md, th)) / md.total_weight;
                         },
                         md.numeric_step);
  // lifetimes' penalty: coef * sum q_i^2 with q_i = floor + e^theta_i (times the data's scale
  // unless the model is penalised on the scaled axis); dq_i/dtheta_i = e^theta_i (times scale).
  const double coef = options.penalizer_coef / md.penalty_divisor;
  const Objective objective =
      coef == 0 ? likelihood
                : Objective([&md, &likelihood, coef](const std::vector<double>& th, std::vector<double>* g) {
                    double f = likelihood(th, g);
                    for (std::size_t i = 0; i < th.size(); ++i) {
                      const ModelParameter& p = md.parameters[i];
                      const double factor = (p.scaled && !md.penalise_scaled_axis) ? md.scale : 1.0;
                      const double e = std::exp(th[i]) * factor;
                      const double q = p.floor + e;
                      f += coef * q * q;
                      if (g) (*g)[i] += 2 * coef * q * e;
                    }
                    return f;
                  });
  MinimizeOptions mo;
  mo.max_iterations = options.max_iterations;
  mo.gradient_tolerance = options.gradient_tolerance;
  // A wall at |theta| = 25 (parameters e^-25..e^25 on the scaled axis): real optima lie far
  // inside; degenerate data (one customer, nobody churns) push a parameter to infinity, and
  // the wall ends that walk with converged = false instead of slow evaluations of extreme 2F1s.
  const Objective walled = [&objective](const std::vector<double>& th, std::vector<double>* g) {
    for (double v : th)
      if (std::fabs(v) > 25) return std::numeric_limits<double>::infinity();
    return objective(th, g);
  };
  MinimizeResult r = minimize_bfgs(walled, start, mo);
  FitOutcome out;
  out.params = natural_of(md, r.theta);
  auto& rep = out.report;
  rep.iterations = r.iterations;
  rep.function_evaluations = r.evaluations;
  rep.gradient_norm = r.gradient_norm;
  rep.converged = r.converged;
  rep.reason = r.reason;
  rep.customers = md.customers;
  rep.patterns = md.patterns;
  rep.total_weight = md.total_weight;
  rep.model = md.name;
  for (const ModelParameter& p : md.parameters) rep.parameter_names.emplace_back(p.name);
  rep.penalizer_coef = options.penalizer_coef;
  for (double v : out.params)
    if (!std::isfinite(v) || !(v > 0))
      bad("the fit diverged (a parameter left the representable range): the data do not identify "
          "this model (for example too few repeat buyers)");
  rep.log_likelihood = md.log_likelihood(out.params);
  if (!std::isfinite(rep.log_likelihood)) bad("the log-likelihood is not finite at the fitted parameters");
  rep.parameter_values = out.params;
  rep.parameters = out.params.size();
  rep.observations = md.total_weight;
  const double k = static_cast<double>(rep.parameters);
  rep.aic = 2 * k - 2 * rep.log_likelihood;
  rep.bic = k * std::log(rep.observations) - 2 * rep.log_likelihood;
  // Standard errors: inverse Hessian of the total negative LL (with the penalty, as lifetimes
  // takes the Hessian of what it minimised) in theta, then the delta method.
  auto H = numeric_hessian(objective, r.theta);
  for (auto& row : H)
    for (double& v : row) v *= md.total_weight;
  std::vector<std::vector<double>> inv;
  if (invert_spd(H, &inv)) {
    const auto J = jacobian_of(md, r.theta);
    for (std::size_t i = 0; i < J.size(); ++i) {
      const double se = std::fabs(J[i]) * std::sqrt(std::max(0.0, inv[i][i]));
      if (!std::isfinite(se)) {
        rep.standard_errors.clear();
        break;
      }
      rep.standard_errors.push_back(se);
    }
  }
  return out;
}

}  // namespace crmkit::analytics

namespace crmkit::clv {

std::string fit_summary(const FitReport& r) {
  std::string s = fmt::format("{} fit{}\n", r.model.empty() ? "model" : r.model,
                              r.penalizer_coef > 0 ? fmt::format(" (penalizer_coef = {})", r.penalizer_coef)
                                                   : std::string(" (maximum likelihood)"));
  s += fmt::format("  {:<12} {:>14} {:>14}\n", "parameter", "value", "std. error");
  for (std::size_t i = 0; i < r.parameter_values.size(); ++i) {
    const std::string name = i < r.parameter_names.size() ? r.parameter_names[i] : fmt::format("p{}", i);
    const std::string se = i < r.standard_errors.size() ? fmt::format("{:.6g}", r.standard_errors[i]) : "n/a";
    s += fmt::format("  {:<12} {:>14.6g} {:>14}\n", name, r.parameter_values[i], se);
  }
  s += fmt::format("  {:<16} {:.4f}\n", "log-likelihood", r.log_likelihood);
  s += fmt::format("  {:<16} {:.4f}\n", "AIC", r.aic);
  s += fmt::format("  {:<16} {:.4f}\n", "BIC", r.bic);
  s += fmt::format("  {:<16} {} parameters, {:g} observations ({} customers, {} patterns)\n", "data",
                   r.parameters, r.observations, r.customers, r.patterns);
  s += fmt::format("  {:<16} {} ({}), {} iterations, {} evaluations, gradient {:.3g}\n", "converged",
                   r.converged ? "yes" : "NO", r.reason, r.iterations, r.function_evaluations, r.gradient_norm);
  if (r.standard_errors.empty())
    s += "  standard errors unavailable: the Hessian is not positive definite at the optimum\n";
  return s;
}

}  // namespace crmkit::clv
