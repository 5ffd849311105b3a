// Gamma-Gamma spend model (Fader & Hardie note 025). Fitted on repeat customers only, with
// q = 1 + exp(theta) so that the expected-spend formulas (which need q > 1) always apply.
#include <algorithm>
#include <cmath>
#include <string>

#include <fmt/format.h>

#include "analytics/clv_fit.hpp"
#include "analytics/special.hpp"
#include "crmkit/clv.hpp"

namespace crmkit::clv {

using analytics::digamma;

namespace {

void check(const GammaGammaParams& m) {
  analytics::check_positive("Gamma-Gamma", {m.p, m.q, m.gamma}, {"p", "q", "gamma"});
}

void check_q(const GammaGammaParams& m) {
  if (!(m.q > 1))
    throw Error(Errc::invalid_argument,
                fmt::format("Gamma-Gamma q = {} must be > 1 for the expected spend (the mean of the "
                            "spend distribution is infinite otherwise)", m.q));
}

double ll_one(const GammaGammaParams& m, double x, double mx) {
  const double px = m.p * x;
  return std::lgamma(px + m.q) - std::lgamma(px) - std::lgamma(m.q) + m.q * std::log(m.gamma) +
         (px - 1) * std::log(mx) + px * std::log(x) - (px + m.q) * std::log(m.gamma + mx * x);
}

void check_spend(const SpendHistories& d, bool require_nonempty) {
  const std::size_t n = d.x.size();
  if (d.mean_spend.size() != n)
    throw Error(Errc::invalid_argument, fmt::format("spend histories: x has {} values, mean_spend {}", n, d.mean_spend.size()));
  if (!d.weight.empty() && d.weight.size() != n)
    throw Error(Errc::invalid_argument, fmt::format("spend histories: weight has {} values for {} rows", d.weight.size(), n));
  if (require_nonempty && n == 0) throw Error(Errc::invalid_argument, "Gamma-Gamma: no repeat customers to fit");
  for (std::size_t i = 0; i < n; ++i) {
    if (!std::isfinite(d.x[i]) || !(d.x[i] > 0))
      throw Error(Errc::invalid_argument,
                  fmt::format("x[{}] = {}: the Gamma-Gamma model is fitted on repeat customers only "
                              "(x > 0); leave one-time buyers out", i, d.x[i]));
    if (!std::isfinite(d.mean_spend[i]) || !(d.mean_spend[i] > 0))
      throw Error(Errc::invalid_argument,
                  fmt::format("mean_spend[{}] = {} must be finite and > 0 (leave zero-spend customers out)",
                              i, d.mean_spend[i]));
    if (!d.weight.empty() && (!std::isfinite(d.weight[i]) || d.weight[i] < 0))
      throw Error(Errc::invalid_argument, fmt::format("weight[{}] = {} must be finite and >= 0", i, d.weight[i]));
  }
}

}  // namespace

GammaGammaFit fit_gamma_gamma(const SpendHistories& data, const FitOptions& options) {
  check_spend(data, true);
  // Group identical (x, m) rows; sorted by x so the lgamma(p x) terms are shared.
  Histories h{data.x, data.mean_spend, data.mean_spend, data.weight};
  analytics::Patterns p = analytics::group_patterns(h);
  if (p.total_weight <= 0) throw Error(Errc::invalid_argument, "Gamma-Gamma: every weight is 0");
  double scale = 0;
  for (std::size_t i = 0; i < p.size(); ++i) scale += p.w[i] * p.t_x[i];
  scale /= p.total_weight;  // mean spend: conditions the fit, undone afterwards
  std::vector<double> ms(p.size());
  for (std::size_t i = 0; i < p.size(); ++i) ms[i] = p.t_x[i] / scale;

  analytics::ModelDescription md;
  md.name = "Gamma-Gamma";
  // q = 1 + e^theta: the expected-spend formulas need q > 1.
  md.parameters = {{"p", 1}, {"q", 2, false, 1}, {"gamma", 1, true}};
  md.objective = [&p, &ms](const std::vector<double>& th, std::vector<double>* grad) {
    const double pp = std::exp(th[0]), q = 1 + std::exp(th[1]), g = std::exp(th[2]);
    const double lg = std::log(g), lgq = std::lgamma(q), dq = grad ? digamma(q) : 0;
    double s = 0, gp = 0, gq = 0, gg = 0;
    double cur = -1, lx = 0, lgpxq = 0, lgpx = 0, dpxq = 0, dpx = 0;
    for (std::size_t i = 0; i < p.size(); ++i) {
      const double x = p.x[i], w = p.w[i], m = ms[i];
      if (x != cur) {
        cur = x;
        lx = std::log(x);
        lgpxq = std::lgamma(pp * x + q);
        lgpx = std::lgamma(pp * x);
        if (grad) {
          dpxq = digamma(pp * x + q);
          dpx = digamma(pp * x);
        }
      }
      const double px = pp * x, lm = std::log(m), lgm = std::log(g + m * x);
      s += w * (lgpxq - lgpx - lgq + q * lg + (px - 1) * lm + px * lx - (px + q) * lgm);
      if (grad) {
        gp += w * x * (dpxq - dpx + lm + lx - lgm);
        gq += w * (dpxq - dq + lg - lgm);
        gg += w * (q / g - (px + q) / (g + m * x));
      }
    }
    const double W = p.total_weight;
    if (grad) *grad = {-gp * pp / W, -gq * (q - 1) / W, -gg * g / W};
    return -s / W;
  };
  md.log_likelihood = [&p](const std::vector<double>& v) {
    const GammaGammaParams m{v[0], v[1], v[2]};
    return analytics::weighted_sum(p, [&m](double x, double mx, double) { return ll_one(m, x, mx); });
  };
  md.scale = scale;
  md.total_weight = p.total_weight;
  md.customers = p.customers;
  md.patterns = p.size();
  auto o = analytics::fit_model(md, options);
  return {GammaGammaParams{o.params[0], o.params[1], o.params[2]}, o.report};
}

double log_likelihood(const GammaGammaParams& m, double x, double mean_spend) {
  check(m);
  check_spend(SpendHistories{{x}, {mean_spend}, {}}, false);
  return ll_one(m, x, mean_spend);
}

double log_likelihood(const GammaGammaParams& m, const SpendHistories& data) {
  check(m);
  check_spend(data, false);
  return analytics::weighted_rows(data.weight, data.size(),
                                  [&](std::size_t i) { return ll_one(m, data.x[i], data.mean_spend[i]); });
}

namespace {

// `where` is "" for one customer and "[i]" for row i of a vector.
void check_spend_row(double x, double mean_spend, const std::string& where) {
  if (!std::isfinite(x) || x < 0)
    throw Error(Errc::invalid_argument, fmt::format("x{} = {} must be a finite count >= 0", where, x));
  if (!std::isfinite(mean_spend) || mean_spend < 0)
    throw Error(Errc::invalid_argument, fmt::format("mean_spend{} = {} must be finite and >= 0", where, mean_spend));
}

// The posterior mean of a customer's spend per purchase, for checked parameters and rows.
inline double expected_spend(const GammaGammaParams& m, double population, double x, double mean_spend) {
  return x == 0 ? population : m.p * (m.gamma + mean_spend * x) / (m.p * x + m.q - 1);
}

}  // namespace

double conditional_expected_average_spend(const GammaGammaParams& m, double x, double mean_spend) {
  const double population = population_mean_spend(m);  // checks the parameters
  check_spend_row(x, mean_spend, "");
  return expected_spend(m, population, x, mean_spend);
}

// The parameters are checked once and the rows in one pass, so the evaluation itself is a
// branch-light loop over contiguous arrays (the per-call checks cost 10x the arithmetic).
std::vector<double> conditional_expected_average_spend(const GammaGammaParams& m, const SpendHistories& data) {
  if (data.mean_spend.size() != data.x.size())
    throw Error(Errc::invalid_argument, fmt::format("spend histories: x has {} values, mean_spend {}",
                                                    data.x.size(), data.mean_spend.size()));
  const double population = population_mean_spend(m);
  const std::size_t n = data.size();
  const double* x = data.x.data();
  const double* spend = data.mean_spend.data();
  for (std::size_t i = 0; i < n; ++i)
    if (!std::isfinite(x[i]) || x[i] < 0 || !std::isfinite(spend[i]) || spend[i] < 0)
      check_spend_row(x[i], spend[i], fmt::format("[{}]", i));
  std::vector<double> out(n);
  for (std::size_t i = 0; i < n; ++i) out[i] = expected_spend(m, population, x[i], spend[i]);
  return out;
}

double population_mean_spend(const GammaGammaParams& m) {
  check(m);
  check_q(m);
  return m.p * m.gamma / (m.q - 1);
}

}  // namespace crmkit::clv
