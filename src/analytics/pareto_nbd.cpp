// Pareto/NBD (Schmittlein, Morrison & Colombo 1987; Fader & Hardie note 009). The likelihood
// needs 2F1 twice per customer; its gradient through 2F1 is not tractable, so the fit uses
// central finite differences of the log-likelihood inside BFGS.
#include <algorithm>
#include <cmath>

#include <fmt/format.h>

#include "analytics/clv_fit.hpp"
#include "analytics/clv_kernels.hpp"
#include "analytics/special.hpp"
#include "crmkit/clv.hpp"

namespace crmkit::clv {

using analytics::hyp2f1;

namespace {

constexpr double kNegInf = -INFINITY;

void check(const ParetoNbdParams& m) {
  analytics::check_positive("Pareto/NBD", {m.r, m.alpha, m.s, m.beta}, {"r", "alpha", "s", "beta"});
}

void check_point(double x, double t_x, double T) {
  if (!std::isfinite(x) || x < 0) throw Error(Errc::invalid_argument, fmt::format("x = {} must be a finite count >= 0", x));
  if (!std::isfinite(t_x) || t_x < 0) throw Error(Errc::invalid_argument, fmt::format("t_x = {} must be finite and >= 0", t_x));
  if (!std::isfinite(T) || T < t_x) throw Error(Errc::invalid_argument, fmt::format("T = {} must be finite and >= t_x = {}", T, t_x));
}

// log A0 (note 009 eqs. 19-20), -inf when A0 = 0 (t_x = T, or rounding).
double log_a0(const ParetoNbdParams& m, double x, double t_x, double T) {
  if (t_x == T) return kNegInf;
  const double w = m.r + m.s + x;
  double big, b1, dz;
  if (m.alpha >= m.beta) {
    big = m.alpha;
    b1 = m.s + 1;
    dz = m.alpha - m.beta;
  } else {
    big = m.beta;
    b1 = m.r + x;
    dz = m.beta - m.alpha;
  }
  const double q1 = big + t_x, q2 = big + T;
  // Both 2F1 values are positive: all parameters > 0 and 0 <= z < 1.
  const double f1 = hyp2f1(w, b1, w + 1, dz / q1).log_abs;
  const double f2 = hyp2f1(w, b1, w + 1, dz / q2).log_abs;
  const double u1 = f1 + w * std::log(q2), u2 = f2 + w * std::log(q1);
  if (!(u1 > u2)) return kNegInf;
  return u1 + std::log1p(-std::exp(u2 - u1)) - w * (std::log(q1) + std::log(q2));
}

// lgamma_rx_minus_r = lgamma(r + x) - lgamma(r), passed in so fits can share it per x.
double ll_core(const ParetoNbdParams& m, double x, double t_x, double T, double lgamma_rx_minus_r) {
  const double A1 = lgamma_rx_minus_r + m.r * std::log(m.alpha) + m.s * std::log(m.beta);
  const double first = -(m.r + x) * std::log(m.alpha + T) - m.s * std::log(m.beta + T);
  const double la0 = log_a0(m, x, t_x, T);
  if (la0 == kNegInf) return A1 + first;
  return A1 + analytics::log_add_exp(first, std::log(m.s) + la0 - std::log(m.r + m.s + x));
}

double ll_one(const ParetoNbdParams& m, double x, double t_x, double T) {
  return ll_core(m, x, t_x, T, std::lgamma(m.r + x) - std::lgamma(m.r));
}

double p_alive_one(const ParetoNbdParams& m, double x, double t_x, double T) {
  const double la0 = log_a0(m, x, t_x, T);
  if (la0 == kNegInf) return 1.0;
  const double e = std::log(m.s) - std::log(m.r + m.s + x) + (m.r + x) * std::log(m.alpha + T) +
                   m.s * std::log(m.beta + T) + la0;
  if (e > 745) return 0.0;
  if (e < -40) return 1.0;
  return 1.0 / (1.0 + std::exp(e));
}

// [1 - (u / (u + t))^(s-1)] / (s-1), with its limit ln((u+t)/u) at s = 1.
double decay_factor(double s, double u, double t) {
  const double l = std::log(u) - std::log(u + t);  // <= 0
  const double e = s - 1;
  if (std::fabs(e * l) < 1e-10) return -l * (1 + 0.5 * e * l);
  return -std::expm1(e * l) / e;
}

double cond_one(const ParetoNbdParams& m, double t, double x, double t_x, double T) {
  if (t == 0) return 0.0;
  return (m.r + x) * (m.beta + T) / (m.alpha + T) * decay_factor(m.s, m.beta + T, t) *
         p_alive_one(m, x, t_x, T);
}

}  // namespace

ParetoNbdFit fit_pareto_nbd(const Histories& data, const FitOptions& options) {
  analytics::check_histories(data, true);
  analytics::Patterns p = analytics::group_patterns(data);
  if (p.total_weight <= 0) throw Error(Errc::invalid_argument, "Pareto/NBD: every weight is 0");
  const double scale = *std::max_element(p.T.begin(), p.T.end());
  if (!(scale > 0))
    throw Error(Errc::invalid_argument, "Pareto/NBD: every customer has T = 0 (no observation time); nothing to fit");
  if (std::all_of(p.x.begin(), p.x.end(), [](double x) { return x == 0; }))
    throw Error(Errc::invalid_argument,
                "Pareto/NBD: no customer has a repeat purchase (x > 0); the dropout process cannot be estimated");
  analytics::Patterns ps = p;
  for (auto& v : ps.t_x) v /= scale;
  for (auto& v : ps.T) v /= scale;
  std::vector<double> start = {1, 1, 1, 1};
  if (!options.start.empty()) {
    if (options.start.size() != 4)
      throw Error(Errc::invalid_argument, "Pareto/NBD: start needs 4 values (r, alpha, s, beta)");
    analytics::check_positive("Pareto/NBD", options.start, {"r", "alpha", "s", "beta"});
    start = options.start;
  }
  analytics::FitProblem pb;
  pb.start = {std::log(start[0]), std::log(start[1]), std::log(start[2]), std::log(start[3])};
  auto value = [&ps](const std::vector<double>& th) {
    const ParetoNbdParams m{std::exp(th[0]), std::exp(th[1]), std::exp(th[2]), std::exp(th[3])};
    const double lgr = std::lgamma(m.r);
    double s = 0, cur = -1, lg = 0;
    for (std::size_t i = 0; i < ps.size(); ++i) {  // patterns are sorted by x
      if (ps.x[i] != cur) {
        cur = ps.x[i];
        lg = std::lgamma(m.r + cur) - lgr;
      }
      s += ps.w[i] * ll_core(m, ps.x[i], ps.t_x[i], ps.T[i], lg);
    }
    return -s / ps.total_weight;
  };
  pb.objective = analytics::with_numeric_gradient(value, 1e-5);
  pb.natural = [scale](const std::vector<double>& th) {
    return std::vector<double>{std::exp(th[0]), std::exp(th[1]) * scale, std::exp(th[2]), std::exp(th[3]) * scale};
  };
  pb.jacobian = pb.natural;
  pb.log_likelihood = [&p](const std::vector<double>& v) {
    const ParetoNbdParams m{v[0], v[1], v[2], v[3]};
    double s = 0;
    for (std::size_t i = 0; i < p.size(); ++i) s += p.w[i] * ll_one(m, p.x[i], p.t_x[i], p.T[i]);
    return s;
  };
  pb.total_weight = p.total_weight;
  pb.customers = p.customers;
  pb.patterns = p.size();
  auto o = analytics::run_fit(pb, options);
  return {ParetoNbdParams{o.params[0], o.params[1], o.params[2], o.params[3]}, o.report};
}

double log_likelihood(const ParetoNbdParams& m, double x, double t_x, double T) {
  check(m);
  check_point(x, t_x, T);
  return ll_one(m, x, t_x, T);
}

double log_likelihood(const ParetoNbdParams& m, const Histories& data) {
  check(m);
  analytics::check_histories(data, false);
  double s = 0;
  for (std::size_t i = 0; i < data.size(); ++i)
    s += (data.weight.empty() ? 1.0 : data.weight[i]) * ll_one(m, data.x[i], data.t_x[i], data.T[i]);
  return s;
}

double p_alive(const ParetoNbdParams& m, double x, double t_x, double T) {
  check(m);
  check_point(x, t_x, T);
  return p_alive_one(m, x, t_x, T);
}

double expected_purchases(const ParetoNbdParams& m, double t) {
  check(m);
  if (!std::isfinite(t) || t < 0) throw Error(Errc::invalid_argument, fmt::format("horizon t = {} must be finite and >= 0", t));
  if (t == 0) return 0.0;
  return m.r * m.beta / m.alpha * decay_factor(m.s, m.beta, t);
}

double conditional_expected_purchases(const ParetoNbdParams& m, double t, double x, double t_x, double T) {
  check(m);
  if (!std::isfinite(t) || t < 0) throw Error(Errc::invalid_argument, fmt::format("horizon t = {} must be finite and >= 0", t));
  check_point(x, t_x, T);
  return cond_one(m, t, x, t_x, T);
}

double discounted_expected_residual_transactions(const ParetoNbdParams& m, double delta, double x,
                                                 double t_x, double T) {
  check(m);
  check_point(x, t_x, T);
  if (!std::isfinite(delta) || !(delta > 0))
    throw Error(Errc::invalid_argument, fmt::format("discount rate delta = {} must be finite and > 0", delta));
  const double z = delta * (m.beta + T);
  const double l = m.r * std::log(m.alpha) + m.s * std::log(m.beta) + (m.s - 1) * std::log(delta) +
                   std::lgamma(m.r + x + 1) + analytics::log_tricomi_u_ss(m.s, z) - std::lgamma(m.r) -
                   (m.r + x + 1) * std::log(m.alpha + T) - ll_one(m, x, t_x, T);
  return std::exp(l);
}

std::vector<double> discounted_expected_residual_transactions(const ParetoNbdParams& m, double delta,
                                                              const Histories& data) {
  check(m);
  analytics::check_histories(data, false);
  std::vector<double> out(data.size());
  for (std::size_t i = 0; i < data.size(); ++i)
    out[i] = discounted_expected_residual_transactions(m, delta, data.x[i], data.t_x[i], data.T[i]);
  return out;
}

namespace detail {
double pareto_p_alive_unchecked(const ParetoNbdParams& m, double x, double t_x, double T) { return p_alive_one(m, x, t_x, T); }
double pareto_cond_unchecked(const ParetoNbdParams& m, double t, double x, double t_x, double T) { return cond_one(m, t, x, t_x, T); }
}  // namespace detail

}  // namespace crmkit::clv
