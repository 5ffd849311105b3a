// BG/BB for discrete transaction opportunities (Fader, Hardie & Shang 2010) and the
// shifted-beta-geometric contractual retention model (Fader & Hardie 2007).
#include <algorithm>
#include <cmath>

#include <fmt/format.h>

#include "analytics/clv_fit.hpp"
#include "analytics/special.hpp"
#include "crmkit/clv.hpp"

namespace crmkit::clv {

using analytics::log_beta;

namespace {

void check(const BgBbParams& m) {
  analytics::check_positive("BG/BB", {m.alpha, m.beta, m.gamma, m.delta}, {"alpha", "beta", "gamma", "delta"});
}

bool is_count(double v) { return std::isfinite(v) && v >= 0 && v == std::floor(v) && v < 1e9; }

void check_point(double x, double t_x, double n) {
  if (!is_count(n)) throw Error(Errc::invalid_argument, fmt::format("n = {} must be a whole number >= 0", n));
  if (!is_count(x) || x > n) throw Error(Errc::invalid_argument, fmt::format("x = {} must be a whole number in 0..n = {}", x, n));
  if (!is_count(t_x) || t_x > n) throw Error(Errc::invalid_argument, fmt::format("t_x = {} must be a whole number in 0..n = {}", t_x, n));
  if (x > 0 && t_x < x) throw Error(Errc::invalid_argument, fmt::format("t_x = {} is below x = {}: the last transaction cannot precede the x-th", t_x, x));
  if (x == 0 && t_x != 0) throw Error(Errc::invalid_argument, fmt::format("t_x = {} must be 0 when x = 0", t_x));
}

double ll_one(const BgBbParams& m, double x, double t_x, double n) {
  const double lab = log_beta(m.alpha, m.beta), lgd = log_beta(m.gamma, m.delta);
  double l = log_beta(m.alpha + x, m.beta + n - x) - lab + log_beta(m.gamma, m.delta + n) - lgd;
  for (double i = 0; i <= n - t_x - 1; ++i)
    l = analytics::log_add_exp(l, log_beta(m.alpha + x, m.beta + t_x - x + i) - lab +
                                      log_beta(m.gamma + 1, m.delta + t_x + i) - lgd);
  return l;
}

}  // namespace

BgBbFit fit_bg_bb(const OpportunityHistories& data, const FitOptions& options) {
  const std::size_t n = data.x.size();
  if (data.t_x.size() != n || data.n.size() != n)
    throw Error(Errc::invalid_argument, "opportunity histories: x, t_x and n must have equal lengths");
  if (!data.weight.empty() && data.weight.size() != n)
    throw Error(Errc::invalid_argument, "opportunity histories: give one weight per row or none");
  if (n == 0) throw Error(Errc::invalid_argument, "BG/BB: no customers to fit");
  bool any_repeat = false;
  for (std::size_t i = 0; i < n; ++i) {
    check_point(data.x[i], data.t_x[i], data.n[i]);
    if (!data.weight.empty() && (!std::isfinite(data.weight[i]) || data.weight[i] < 0))
      throw Error(Errc::invalid_argument, fmt::format("weight[{}] = {} must be finite and >= 0", i, data.weight[i]));
    if (data.x[i] > 0 && (data.weight.empty() || data.weight[i] > 0)) any_repeat = true;
  }
  if (!any_repeat) throw Error(Errc::invalid_argument, "BG/BB: no customer has a transaction (x > 0); nothing to fit");
  analytics::Patterns p = analytics::group_patterns(Histories{data.x, data.t_x, data.n, data.weight});
  if (p.total_weight <= 0) throw Error(Errc::invalid_argument, "BG/BB: every weight is 0");
  std::vector<double> start = {1, 1, 1, 1};
  if (!options.start.empty()) {
    if (options.start.size() != 4) throw Error(Errc::invalid_argument, "BG/BB: start needs 4 values");
    analytics::check_positive("BG/BB", options.start, {"alpha", "beta", "gamma", "delta"});
    start = options.start;
  }
  analytics::FitProblem pb;
  pb.start = {std::log(start[0]), std::log(start[1]), std::log(start[2]), std::log(start[3])};
  auto total = [&p](const std::vector<double>& v) {
    const BgBbParams m{v[0], v[1], v[2], v[3]};
    double s = 0;
    for (std::size_t i = 0; i < p.size(); ++i) s += p.w[i] * ll_one(m, p.x[i], p.t_x[i], p.T[i]);
    return s;
  };
  pb.objective = analytics::with_numeric_gradient(
      [&p, total](const std::vector<double>& th) {
        return -total({std::exp(th[0]), std::exp(th[1]), std::exp(th[2]), std::exp(th[3])}) / p.total_weight;
      },
      1e-6);
  pb.natural = [](const std::vector<double>& th) {
    return std::vector<double>{std::exp(th[0]), std::exp(th[1]), std::exp(th[2]), std::exp(th[3])};
  };
  pb.jacobian = pb.natural;
  pb.log_likelihood = total;
  pb.total_weight = p.total_weight;
  pb.customers = p.customers;
  pb.patterns = p.size();
  auto o = analytics::run_fit(pb, options);
  return {BgBbParams{o.params[0], o.params[1], o.params[2], o.params[3]}, o.report};
}

double log_likelihood(const BgBbParams& m, double x, double t_x, double n) {
  check(m);
  check_point(x, t_x, n);
  return ll_one(m, x, t_x, n);
}

double log_likelihood(const BgBbParams& m, const OpportunityHistories& data) {
  check(m);
  if (data.t_x.size() != data.x.size() || data.n.size() != data.x.size())
    throw Error(Errc::invalid_argument, "opportunity histories: x, t_x and n must have equal lengths");
  double s = 0;
  for (std::size_t i = 0; i < data.x.size(); ++i) {
    check_point(data.x[i], data.t_x[i], data.n[i]);
    s += (data.weight.empty() ? 1.0 : data.weight[i]) * ll_one(m, data.x[i], data.t_x[i], data.n[i]);
  }
  return s;
}

double p_alive(const BgBbParams& m, double x, double t_x, double n, int m_ahead) {
  check(m);
  check_point(x, t_x, n);
  if (m_ahead < 0) throw Error(Errc::invalid_argument, fmt::format("m_ahead = {} must be >= 0", m_ahead));
  const double l = log_beta(m.alpha + x, m.beta + n - x) - log_beta(m.alpha, m.beta) +
                   log_beta(m.gamma, m.delta + n + m_ahead) - log_beta(m.gamma, m.delta) - ll_one(m, x, t_x, n);
  return std::min(1.0, std::exp(l));
}

double expected_transactions(const BgBbParams& m, double n) {
  check(m);
  if (!std::isfinite(n) || n < 0) throw Error(Errc::invalid_argument, fmt::format("n = {} must be finite and >= 0", n));
  if (n == 0) return 0.0;
  if (std::fabs(m.gamma - 1) < 1e-7) {  // removable 0/0 at gamma = 1: average both sides
    BgBbParams lo = m, hi = m;
    lo.gamma = 1 - 1e-5;
    hi.gamma = 1 + 1e-5;
    return 0.5 * (expected_transactions(lo, n) + expected_transactions(hi, n));
  }
  const double ratio = std::exp(std::lgamma(m.gamma + m.delta) - std::lgamma(1 + m.delta) +
                                std::lgamma(1 + m.delta + n) - std::lgamma(m.gamma + m.delta + n));
  return m.alpha / (m.alpha + m.beta) * m.delta / (m.gamma - 1) * (1 - ratio);
}

double conditional_expected_transactions(const BgBbParams& m, double n_star, double x, double t_x, double n) {
  check(m);
  check_point(x, t_x, n);
  if (!std::isfinite(n_star) || n_star < 0)
    throw Error(Errc::invalid_argument, fmt::format("n_star = {} must be finite and >= 0", n_star));
  if (n_star == 0) return 0.0;
  if (std::fabs(m.gamma - 1) < 1e-7) {  // removable 0/0 at gamma = 1
    BgBbParams lo = m, hi = m;
    lo.gamma = 1 - 1e-5;
    hi.gamma = 1 + 1e-5;
    return 0.5 * (conditional_expected_transactions(lo, n_star, x, t_x, n) +
                  conditional_expected_transactions(hi, n_star, x, t_x, n));
  }
  // delta/(gamma-1) and the bracket share their sign, so the product is positive.
  const double g1 = std::exp(std::lgamma(1 + m.delta + n) - std::lgamma(m.gamma + m.delta + n));
  const double g2 = std::exp(std::lgamma(1 + m.delta + n + n_star) - std::lgamma(m.gamma + m.delta + n + n_star));
  const double ratio = (g1 - g2) / (m.gamma - 1);
  if (!(ratio > 0)) return 0.0;
  const double l = log_beta(m.alpha + x + 1, m.beta + n - x) - log_beta(m.alpha, m.beta) + std::log(m.delta) +
                   std::lgamma(m.gamma + m.delta) - std::lgamma(1 + m.delta) + std::log(ratio) - ll_one(m, x, t_x, n);
  return std::exp(l);
}

// ---- sBG ------------------------------------------------------------------------------------

ShiftedBetaGeometricFit fit_shifted_beta_geometric(const std::vector<double>& alive, const FitOptions& options) {
  if (alive.size() < 2) throw Error(Errc::invalid_argument, "sBG: alive needs the cohort size and at least one later count");
  for (std::size_t t = 0; t < alive.size(); ++t) {
    if (!std::isfinite(alive[t]) || alive[t] < 0)
      throw Error(Errc::invalid_argument, fmt::format("alive[{}] = {} must be finite and >= 0", t, alive[t]));
    if (t > 0 && alive[t] > alive[t - 1])
      throw Error(Errc::invalid_argument, fmt::format("alive[{}] = {} exceeds alive[{}] = {}: survivor counts cannot grow", t, alive[t], t - 1, alive[t - 1]));
  }
  if (!(alive[0] > 0)) throw Error(Errc::invalid_argument, "sBG: alive[0] (the cohort size) must be > 0");
  if (alive.back() == alive[0]) throw Error(Errc::invalid_argument, "sBG: nobody churned; the churn distribution cannot be estimated");
  const std::size_t last = alive.size() - 1;
  auto total = [&alive, last](const std::vector<double>& v) {
    const double a = v[0], b = v[1], lab = log_beta(a, b);
    double s = 0;
    for (std::size_t t = 1; t <= last; ++t) {
      const double lost = alive[t - 1] - alive[t];
      if (lost > 0) s += lost * (log_beta(a + 1, b + t - 1) - lab);
    }
    if (alive[last] > 0) s += alive[last] * (log_beta(a, b + last) - lab);
    return s;
  };
  std::vector<double> start = {1, 1};
  if (!options.start.empty()) {
    if (options.start.size() != 2) throw Error(Errc::invalid_argument, "sBG: start needs 2 values (alpha, beta)");
    analytics::check_positive("sBG", options.start, {"alpha", "beta"});
    start = options.start;
  }
  analytics::FitProblem pb;
  pb.start = {std::log(start[0]), std::log(start[1])};
  const double W = alive[0];
  pb.objective = analytics::with_numeric_gradient(
      [total, W](const std::vector<double>& th) { return -total({std::exp(th[0]), std::exp(th[1])}) / W; }, 1e-6);
  pb.natural = [](const std::vector<double>& th) { return std::vector<double>{std::exp(th[0]), std::exp(th[1])}; };
  pb.jacobian = pb.natural;
  pb.log_likelihood = total;
  pb.total_weight = W;
  pb.customers = static_cast<std::size_t>(alive[0]);
  pb.patterns = alive.size();
  auto o = analytics::run_fit(pb, options);
  return {ShiftedBetaGeometricParams{o.params[0], o.params[1]}, o.report};
}

double survival(const ShiftedBetaGeometricParams& m, int t) {
  analytics::check_positive("sBG", {m.alpha, m.beta}, {"alpha", "beta"});
  if (t < 0) throw Error(Errc::invalid_argument, fmt::format("t = {} must be >= 0", t));
  return std::exp(log_beta(m.alpha, m.beta + t) - log_beta(m.alpha, m.beta));
}

double retention_rate(const ShiftedBetaGeometricParams& m, int t) {
  analytics::check_positive("sBG", {m.alpha, m.beta}, {"alpha", "beta"});
  if (t < 1) throw Error(Errc::invalid_argument, fmt::format("t = {} must be >= 1", t));
  return (m.beta + t - 1) / (m.alpha + m.beta + t - 1);
}

}  // namespace crmkit::clv
