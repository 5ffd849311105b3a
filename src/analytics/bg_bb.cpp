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

// Lengths, weights and every (x, t_x, n) row, before anything is computed.
void check_opportunities(const OpportunityHistories& data) {
  const std::size_t n = data.x.size();
  if (data.t_x.size() != n || data.n.size() != n)
    throw Error(Errc::invalid_argument, "opportunity histories: x, t_x and n must have equal lengths");
  if (!data.weight.empty() && data.weight.size() != n)
    throw Error(Errc::invalid_argument, "opportunity histories: give one weight per row or none");
  for (std::size_t i = 0; i < n; ++i) {
    check_point(data.x[i], data.t_x[i], data.n[i]);
    if (!data.weight.empty() && (!std::isfinite(data.weight[i]) || data.weight[i] < 0))
      throw Error(Errc::invalid_argument, fmt::format("weight[{}] = {} must be finite and >= 0", i, data.weight[i]));
  }
}

}  // namespace

BgBbFit fit_bg_bb(const OpportunityHistories& data, const FitOptions& options) {
  check_opportunities(data);
  if (data.x.empty()) throw Error(Errc::invalid_argument, "BG/BB: no customers to fit");
  bool any_repeat = false;
  for (std::size_t i = 0; i < data.x.size(); ++i)
    if (data.x[i] > 0 && (data.weight.empty() || data.weight[i] > 0)) any_repeat = true;
  if (!any_repeat) throw Error(Errc::invalid_argument, "BG/BB: no customer has a transaction (x > 0); nothing to fit");
  const analytics::Patterns p = analytics::group_patterns(Histories{data.x, data.t_x, data.n, data.weight});
  if (p.total_weight <= 0) throw Error(Errc::invalid_argument, "BG/BB: every weight is 0");
  analytics::ModelDescription md;
  md.name = "BG/BB";
  md.parameters = {{"alpha", 1}, {"beta", 1}, {"gamma", 1}, {"delta", 1}};
  md.log_likelihood = [&p](const std::vector<double>& v) {
    const BgBbParams m{v[0], v[1], v[2], v[3]};
    return analytics::weighted_sum(p, [&m](double x, double t_x, double n) { return ll_one(m, x, t_x, n); });
  };
  md.total_weight = p.total_weight;
  md.customers = p.customers;
  md.patterns = p.size();
  auto o = analytics::fit_model(md, options);
  return {BgBbParams{o.params[0], o.params[1], o.params[2], o.params[3]}, o.report};
}

double log_likelihood(const BgBbParams& m, double x, double t_x, double n) {
  check(m);
  check_point(x, t_x, n);
  return ll_one(m, x, t_x, n);
}

double log_likelihood(const BgBbParams& m, const OpportunityHistories& data) {
  check(m);
  check_opportunities(data);
  return analytics::weighted_rows(data.weight, data.x.size(),
                                  [&](std::size_t i) { return ll_one(m, data.x[i], data.t_x[i], data.n[i]); });
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

double probability_of_transactions(const BgBbParams& m, double n, double x) {
  check(m);
  // The sum below has n - x terms: bounded so that a call cannot run for minutes.
  if (!is_count(n) || n > 1e6)
    throw Error(Errc::invalid_argument, fmt::format("n = {} must be a whole number in 0..1000000", n));
  if (!is_count(x) || x > n)
    throw Error(Errc::invalid_argument, fmt::format("x = {} must be a whole number in 0..n = {}", x, n));
  // FHS 2010 eq. 7: alive through all n opportunities with x transactions, or dropped out
  // just after opportunity i (x <= i < n) with x transactions by then. Every term is positive.
  const double lab = log_beta(m.alpha, m.beta), lgd = log_beta(m.gamma, m.delta);
  auto log_choose = [](double a, double b) { return std::lgamma(a + 1) - std::lgamma(b + 1) - std::lgamma(a - b + 1); };
  double l = log_choose(n, x) + log_beta(m.alpha + x, m.beta + n - x) - lab + log_beta(m.gamma, m.delta + n) - lgd;
  for (double i = x; i < n; ++i)
    l = analytics::log_add_exp(l, log_choose(i, x) + log_beta(m.alpha + x, m.beta + i - x) - lab +
                                      log_beta(m.gamma + 1, m.delta + i) - lgd);
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
  analytics::ModelDescription md;
  md.name = "sBG";
  md.parameters = {{"alpha", 1}, {"beta", 1}};
  md.log_likelihood = total;
  md.total_weight = alive[0];
  md.customers = static_cast<std::size_t>(alive[0]);
  md.patterns = alive.size();
  auto o = analytics::fit_model(md, options);
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
