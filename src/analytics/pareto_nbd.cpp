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
  return analytics::logistic_of_minus(e);
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

// ---- P(X(t) = n) (Fader & Hardie note 012, "Deriving an Expression for P(X(t) = x) Under the
// Pareto/NBD Model", 2006, rev. 2020; re-derived in docs/CLV.md). Given (lambda, mu), either the customer is alive at t and bought n times
// (Poisson), or died at some tau in (0, t] after n purchases:
//   P(X(t)=n | lambda, mu) = Poi(n; lambda t) e^{-mu t}
//                            + lambda^n mu / (lambda+mu)^(n+1) [1 - e^{-(lambda+mu)t} sum_{i<=n} ((lambda+mu)t)^i / i!]
// Mixing over the gammas (lambda = rho p, mu = rho (1 - p) and Euler's integral for 2F1):
//   P = NBD(n; r, alpha, t) (beta/(beta+t))^s
//     + alpha^r beta^s B(r+n, s+1)/B(r, s) [B1 - sum_{i=0}^{n} Gamma(r+s+i)/(Gamma(r+s) i!) t^i B2_i]
// with, for alpha >= beta (b = s+1, m = alpha) or alpha < beta (b = r+n, m = beta),
//   B1   = 2F1(r+s,   b; r+s+n+1; |alpha-beta| / m)     / m^(r+s)
//   B2_i = 2F1(r+s+i, b; r+s+n+1; |alpha-beta| / (m+t)) / (m+t)^(r+s+i).

// log NBD(n; r, alpha, t): probability of n Poisson events in t under a Gamma(r, alpha) rate.
double log_nbd(double r, double alpha, double t, double n) {
  return std::lgamma(r + n) - std::lgamma(r) - std::lgamma(n + 1) + r * (std::log(alpha) - std::log(alpha + t)) +
         (n > 0 ? n * (std::log(t) - std::log(alpha + t)) : 0.0);
}

// P(X(t) = n) for parameters already checked. The bracket B1 - sum_{i<=n} is the dropout
// term's full series minus its first n + 1 terms: the terms are the mixture of
// lambda^n mu (lambda+mu)^(i-n-1) e^{-(lambda+mu)t} t^i / i!, which summed over every i >= 0
// give B1. Where the difference would cancel (the partial sum within 1e-3 of B1: short
// horizons, large n) the tail sum_{i>n} of positive terms is taken instead.
double pmf_one(const ParetoNbdParams& m, double t, int n_int) {
  if (t == 0) return n_int == 0 ? 1.0 : 0.0;
  const double n = n_int;
  const double alive = std::exp(log_nbd(m.r, m.alpha, t, n) + m.s * (std::log(m.beta) - std::log(m.beta + t)));
  const bool a_big = m.alpha >= m.beta;
  const double big = a_big ? m.alpha : m.beta, dz = a_big ? m.alpha - m.beta : m.beta - m.alpha;
  const double b = a_big ? m.s + 1 : m.r + n, c = m.r + m.s + n + 1, rs = m.r + m.s;
  const double lead = m.r * std::log(m.alpha) + m.s * std::log(m.beta) + analytics::log_beta(m.r + n, m.s + 1) -
                      analytics::log_beta(m.r, m.s);
  const double lg_rs = std::lgamma(rs), lt = std::log(t), lbt = std::log(big + t), z2 = dz / (big + t);
  auto log_term = [&](double i) {
    return std::lgamma(rs + i) - lg_rs - std::lgamma(i + 1) + (i > 0 ? i * lt : 0.0) +
           hyp2f1(rs + i, b, c, z2).log_abs - (rs + i) * lbt;
  };
  const double lB1 = hyp2f1(rs, b, c, dz / big).log_abs - rs * std::log(big);
  double lS = kNegInf;
  for (double i = 0; i <= n; ++i) lS = analytics::log_add_exp(lS, log_term(i));
  const double gap = lS - lB1;  // log(S / B1) < 0
  if (gap < std::log1p(-1e-3)) return alive + std::exp(lead + lB1 + std::log1p(-std::exp(gap)));
  // The tail: its terms fall geometrically once past their peak, at a ratio tending to
  // t/(min(alpha,beta)+t) (B2_i ~ (min(alpha,beta)+t)^-(r+s+i)); stop when a falling term no
  // longer moves the sum. Where that would take more than 10^6 terms (n in the hundreds of
  // thousands at a horizon far beyond the rates' scale) the call is refused, not approximated.
  const double rate = t / (std::min(m.alpha, m.beta) + t);
  if (-39.0 / std::log(rate) > 1e6)
    throw Error(Errc::invalid_argument,
                fmt::format("Pareto/NBD P(X(t) = n) for n = {} at t = {}: its series would need more than 10^6 "
                            "terms (t / (min(alpha, beta) + t) = {}); not computed",
                            n, t, rate));
  double lTail = kNegInf, previous = kNegInf;
  for (double i = n + 1;; ++i) {
    const double l = log_term(i);
    if (std::isnan(l)) throw Error(Errc::internal, fmt::format("Pareto/NBD P(X(t) = {}) at t = {}: a NaN term", n, t));
    lTail = analytics::log_add_exp(lTail, l);
    if (l < previous && l < lTail + std::log(1e-17)) break;
    previous = l;
    if (i > n + 1e6)
      throw Error(Errc::internal, fmt::format("Pareto/NBD P(X(t) = {}) at t = {}: the series did not converge", n, t));
  }
  return alive + std::exp(lead + lTail);
}

void check_count(int n) {
  if (n < 0) throw Error(Errc::invalid_argument, fmt::format("number of purchases n = {} must be >= 0", n));
}

// P(Y(t) = n | x, t_x, T): dead customers buy nothing; one alive at T is a new customer with
// the posterior gammas (r + x, alpha + T) and (s, beta + T) (the likelihood of "x purchases,
// alive at T" is lambda^x e^{-lambda T} e^{-mu T}; Poisson and exponential forget the past).
double cond_pmf_one(const ParetoNbdParams& m, double t, int n, double x, double t_x, double T) {
  const double pa = p_alive_one(m, x, t_x, T);
  const double future = pmf_one(ParetoNbdParams{m.r + x, m.alpha + T, m.s, m.beta + T}, t, n);
  return (n == 0 ? 1 - pa : 0.0) + pa * future;
}

// ln 2F1(a, b; c; z) for a, b, c > 0 and 0 <= z <= 0.9 by the plain series, with its
// derivatives in a, b, c and z accumulated term by term (d ln term_k / da = sum_{j<k} 1/(a+j),
// and so on). False when the series is unsuitable (caller falls back to finite differences).
bool log_hyp2f1_grad(double a, double b, double c, double z, double* value, double g[4]) {
  if (!(z >= 0 && z <= 0.9 && a > 0 && b > 0 && c > 0)) return false;
  double term = 1, sum = 1, sa = 0, sb = 0, sc = 0, da = 0, db = 0, dc = 0, dz = 0;
  for (int k = 0; k < 5000; ++k) {
    const double kk = k;
    sa += 1 / (a + kk);
    sb += 1 / (b + kk);
    sc += 1 / (c + kk);
    const double ratio = (a + kk) * (b + kk) / ((c + kk) * (kk + 1)) * z;
    term *= ratio;
    sum += term;
    da += term * sa;
    db += term * sb;
    dc -= term * sc;
    dz += term * (kk + 1);
    if (sum > 1e250) return false;
    if (ratio < 1 && term <= 1e-16 * sum) {
      *value = std::log(sum);
      g[0] = da / sum;
      g[1] = db / sum;
      g[2] = dc / sum;
      g[3] = z > 0 ? dz / (z * sum) : 0.0;
      // d/dz at z = 0 is a b / c (first term); the loop above gives dz = term_1 * 1 = ab z / c.
      if (z == 0) g[3] = a * b / c;
      return true;
    }
  }
  return false;
}

// Log-likelihood of one pattern and its gradient in (r, alpha, s, beta); false when a 2F1
// falls outside the series with derivatives.
bool ll_grad(const ParetoNbdParams& m, double x, double t_x, double T, double lg_rx_r, double dg_rx_r,
             double* ll, double g[4]) {
  const double r = m.r, al = m.alpha, s = m.s, be = m.beta;
  const double lal = std::log(al), lbe = std::log(be), laT = std::log(al + T), lbT = std::log(be + T);
  const double A1 = lg_rx_r + r * lal + s * lbe;
  double dA1[4] = {dg_rx_r + lal, r / al, lbe, s / be};
  const double F1 = -(r + x) * laT - s * lbT;
  double dF1[4] = {-laT, -(r + x) / (al + T), -lbT, -s / (be + T)};
  const double w = r + s + x;
  double la0 = kNegInf, dla0[4] = {0, 0, 0, 0};
  if (t_x != T) {
    const bool a_big = al >= be;
    const double big = a_big ? al : be, dz = a_big ? al - be : be - al;
    const double b1 = a_big ? s + 1 : r + x;
    const double q1 = big + t_x, q2 = big + T, z1 = dz / q1, z2 = dz / q2;
    double h1, h2, g1[4], g2[4];
    if (!log_hyp2f1_grad(w, b1, w + 1, z1, &h1, g1) || !log_hyp2f1_grad(w, b1, w + 1, z2, &h2, g2)) return false;
    const double lq1 = std::log(q1), lq2 = std::log(q2);
    const double u1 = h1 + w * lq2, u2 = h2 + w * lq1;
    if (u1 > u2) {
      la0 = u1 + std::log1p(-std::exp(u2 - u1)) - w * (lq1 + lq2);
      // Partial derivatives of u1, u2 and the trailing term for each parameter.
      // dw: r -> 1, s -> 1. db1: s -> 1 (alpha >= beta) or r -> 1. dq: big -> 1.
      // dz_i/d(big) = (q_i - dz)/q_i^2 (dz grows with big), dz_i/d(small) = -1/q_i.
      double du1[4], du2[4], dtail[4];
      for (int p = 0; p < 4; ++p) {
        const double dw = (p == 0 || p == 2) ? 1.0 : 0.0;
        const double db = a_big ? (p == 2 ? 1.0 : 0.0) : (p == 0 ? 1.0 : 0.0);
        const bool is_big = a_big ? p == 1 : p == 3;
        const bool is_small = a_big ? p == 3 : p == 1;
        const double dq = is_big ? 1.0 : 0.0;
        const double dz1 = is_big ? (q1 - dz) / (q1 * q1) : is_small ? -1.0 / q1 : 0.0;
        const double dz2 = is_big ? (q2 - dz) / (q2 * q2) : is_small ? -1.0 / q2 : 0.0;
        const double dh1 = g1[0] * dw + g1[1] * db + g1[2] * dw + g1[3] * dz1;
        const double dh2 = g2[0] * dw + g2[1] * db + g2[2] * dw + g2[3] * dz2;
        du1[p] = dh1 + dw * lq2 + w * dq / q2;
        du2[p] = dh2 + dw * lq1 + w * dq / q1;
        dtail[p] = dw * (lq1 + lq2) + w * (dq / q1 + dq / q2);
      }
      const double e = std::exp(u2 - u1);  // < 1
      for (int p = 0; p < 4; ++p) dla0[p] = (du1[p] - e * du2[p]) / (1 - e) - dtail[p];
    }
  }
  if (la0 == kNegInf) {
    *ll = A1 + F1;
    for (int p = 0; p < 4; ++p) g[p] = dA1[p] + dF1[p];
    return true;
  }
  const double F2 = std::log(s) + la0 - std::log(w);
  double dF2[4];
  for (int p = 0; p < 4; ++p) dF2[p] = dla0[p] - ((p == 0 || p == 2) ? 1.0 / w : 0.0);
  dF2[2] += 1.0 / s;
  const double M = std::max(F1, F2), e1 = std::exp(F1 - M), e2 = std::exp(F2 - M);
  const double w1 = e1 / (e1 + e2), w2 = 1 - w1;
  *ll = A1 + M + std::log(e1 + e2);
  for (int p = 0; p < 4; ++p) g[p] = dA1[p] + w1 * dF1[p] + w2 * dF2[p];
  return true;
}

}  // namespace

namespace detail {
// Exposed for the gradient check in the tests.
bool pareto_ll_grad(const ParetoNbdParams& m, double x, double t_x, double T, double* ll, double g[4]) {
  return ll_grad(m, x, t_x, T, std::lgamma(m.r + x) - std::lgamma(m.r),
                 analytics::digamma(m.r + x) - analytics::digamma(m.r), ll, g);
}
}  // namespace detail

ParetoNbdFit fit_pareto_nbd(const Histories& data, const FitOptions& options) {
  const analytics::PurchasePatterns pp = analytics::purchase_patterns("Pareto/NBD", data);
  const analytics::Patterns& ps = pp.scaled;
  analytics::ModelDescription md;
  md.name = "Pareto/NBD";
  md.parameters = {{"r", 1}, {"alpha", 1, true}, {"s", 1}, {"beta", 1, true}};
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
  const analytics::Objective numeric = analytics::with_numeric_gradient(value, 1e-5);
  // Analytic gradient through the 2F1 series; any pattern outside its range (z > 0.9, huge
  // values) sends the whole evaluation to central finite differences instead.
  md.objective = [&ps, numeric, value](const std::vector<double>& th, std::vector<double>* grad) {
    if (!grad) return value(th);
    const ParetoNbdParams m{std::exp(th[0]), std::exp(th[1]), std::exp(th[2]), std::exp(th[3])};
    const double lgr = std::lgamma(m.r), dgr = analytics::digamma(m.r);
    double sum = 0, G[4] = {0, 0, 0, 0}, cur = -1, lg = 0, dg = 0;
    for (std::size_t i = 0; i < ps.size(); ++i) {
      if (ps.x[i] != cur) {
        cur = ps.x[i];
        lg = std::lgamma(m.r + cur) - lgr;
        dg = analytics::digamma(m.r + cur) - dgr;
      }
      double ll, g[4];
      if (!ll_grad(m, ps.x[i], ps.t_x[i], ps.T[i], lg, dg, &ll, g)) return numeric(th, grad);
      sum += ps.w[i] * ll;
      for (int p = 0; p < 4; ++p) G[p] += ps.w[i] * g[p];
    }
    const double W = ps.total_weight;
    grad->assign({-G[0] * m.r / W, -G[1] * m.alpha / W, -G[2] * m.s / W, -G[3] * m.beta / W});
    return -sum / W;
  };
  md.log_likelihood = [&pp](const std::vector<double>& v) {
    const ParetoNbdParams m{v[0], v[1], v[2], v[3]};
    return analytics::weighted_sum(pp.data, [&m](double x, double t_x, double T) { return ll_one(m, x, t_x, T); });
  };
  md.scale = pp.scale;
  md.penalise_scaled_axis = true;
  md.penalty_divisor = static_cast<double>(data.size());
  md.total_weight = pp.data.total_weight;
  md.customers = pp.data.customers;
  md.patterns = pp.data.size();
  auto o = analytics::fit_model(md, options);
  return {ParetoNbdParams{o.params[0], o.params[1], o.params[2], o.params[3]}, o.report};
}

double log_likelihood(const ParetoNbdParams& m, double x, double t_x, double T) {
  check(m);
  analytics::check_history(x, t_x, T);
  return ll_one(m, x, t_x, T);
}

double log_likelihood(const ParetoNbdParams& m, const Histories& data) {
  check(m);
  analytics::check_histories(data, false);
  return analytics::weighted_rows(data.weight, data.size(),
                                  [&](std::size_t i) { return ll_one(m, data.x[i], data.t_x[i], data.T[i]); });
}

double p_alive(const ParetoNbdParams& m, double x, double t_x, double T) {
  check(m);
  analytics::check_history(x, t_x, T);
  return p_alive_one(m, x, t_x, T);
}

double expected_purchases(const ParetoNbdParams& m, double t) {
  check(m);
  analytics::check_horizon(t);
  if (t == 0) return 0.0;
  return m.r * m.beta / m.alpha * decay_factor(m.s, m.beta, t);
}

double conditional_expected_purchases(const ParetoNbdParams& m, double t, double x, double t_x, double T) {
  check(m);
  analytics::check_horizon(t);
  analytics::check_history(x, t_x, T);
  return cond_one(m, t, x, t_x, T);
}

double probability_of_purchases(const ParetoNbdParams& m, double t, int n) {
  check(m);
  analytics::check_horizon(t);
  check_count(n);
  return pmf_one(m, t, n);
}

double conditional_probability_of_purchases(const ParetoNbdParams& m, double t, int n, double x, double t_x,
                                            double T) {
  check(m);
  analytics::check_horizon(t);
  check_count(n);
  analytics::check_history(x, t_x, T);
  return cond_pmf_one(m, t, n, x, t_x, T);
}

double discounted_expected_residual_transactions(const ParetoNbdParams& m, double delta, double x,
                                                 double t_x, double T) {
  check(m);
  analytics::check_history(x, t_x, T);
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
