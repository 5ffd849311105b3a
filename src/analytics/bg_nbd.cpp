// BG/NBD (Fader, Hardie & Lee 2005) and MBG/NBD (Batislam et al. 2007). The two differ only
// in whether a customer can die at time 0, so one implementation serves both: k = 0 for
// BG/NBD, k = 1 for MBG/NBD shifts the beta-geometric terms by one (see docs/CLV.md).
#include <algorithm>
#include <cmath>

#include <boost/math/special_functions/beta.hpp>
#include <fmt/format.h>

#include "analytics/clv_fit.hpp"
#include "analytics/special.hpp"
#include "crmkit/clv.hpp"

namespace crmkit::clv {

using analytics::digamma;
using analytics::hyp2f1;
using analytics::SignedLog;

namespace {

struct Bg {
  double r, alpha, a, b;
  int k;  // 0: BG/NBD, 1: MBG/NBD
};

Bg bg(const BgNbdParams& m) { return {m.r, m.alpha, m.a, m.b, 0}; }
Bg bg(const MbgNbdParams& m) { return {m.r, m.alpha, m.a, m.b, 1}; }

void check(const Bg& m) {
  analytics::check_positive(m.k ? "MBG/NBD" : "BG/NBD", {m.r, m.alpha, m.a, m.b},
                            {"r", "alpha", "a", "b"});
}

// One customer's log-likelihood, lifetimes' A1..A4 form with a max shift.
double ll_one(const Bg& m, double x, double t_x, double T) {
  const double k = m.k;
  const double A1 = std::lgamma(m.r + x) - std::lgamma(m.r) + m.r * std::log(m.alpha);
  const double A2 = std::lgamma(m.a + m.b) + std::lgamma(m.b + x + k) - std::lgamma(m.b) -
                    std::lgamma(m.a + m.b + x + k);
  const double A3 = -(m.r + x) * std::log(m.alpha + T);
  if (m.k == 0 && x == 0) return A1 + A2 + A3;
  const double A4 = std::log(m.a) - std::log(m.b + x - 1 + k) - (m.r + x) * std::log(m.alpha + t_x);
  return A1 + A2 + analytics::log_add_exp(A3, A4);
}

// Log of the logistic odds in P(alive) = 1 / (1 + exp(odds)).
double log_dead_odds(const Bg& m, double x, double t_x, double T) {
  return std::log(m.a) - std::log(m.b + x - 1 + m.k) +
         (m.r + x) * (std::log(m.alpha + T) - std::log(m.alpha + t_x));
}

double p_alive_bg(const Bg& m, double x, double t_x, double T) {
  if (m.k == 0 && x == 0) return 1.0;
  return analytics::logistic_of_minus(log_dead_odds(m, x, t_x, T));
}

// 1 - sign * exp(log_abs), accurate near 1.
double one_minus(SignedLog v) {
  if (v.sign == 0) return 1.0;
  if (v.sign > 0) return -std::expm1(v.log_abs);
  return 1.0 + std::exp(v.log_abs);
}

// (a+b+x-1+k)/(a-1) * [1 - ((alpha+T)/(alpha+T+t))^(r+x) 2F1(r+x, b+x+k; a+b+x-1+k; t/(alpha+T+t))]
double unconditional_part(const Bg& m, double t, double x, double T) {
  if (t == 0) return 0.0;
  if (std::fabs(m.a - 1) < 1e-7) {
    // At a = 1 the formula is 0/0 with a finite limit; the expression is smooth in a, so
    // average the two sides.
    Bg lo = m, hi = m;
    lo.a = 1 - 1e-5;
    hi.a = 1 + 1e-5;
    return 0.5 * (unconditional_part(lo, t, x, T) + unconditional_part(hi, t, x, T));
  }
  const double k = m.k;
  const double c = m.a + m.b + x - 1 + k;
  const double z = t / (m.alpha + T + t);
  SignedLog f = hyp2f1(m.r + x, m.b + x + k, c, z);
  f.log_abs += (m.r + x) * (std::log(m.alpha + T) - std::log(m.alpha + T + t));
  return c / (m.a - 1) * one_minus(f);
}

double cond_expected(const Bg& m, double t, double x, double t_x, double T) {
  return unconditional_part(m, t, x, T) * p_alive_bg(m, x, t_x, T);
}

double expected_new(const Bg& m, double t) {
  // A new customer is (x, t_x, T) = (0, 0, 0); for BG/NBD P(alive) = 1 there.
  return unconditional_part(m, t, 0.0, 0.0) * p_alive_bg(m, 0.0, 0.0, 0.0);
}

double pmf(const Bg& m, double t, int n) {
  if (n < 0) throw Error(Errc::invalid_argument, fmt::format("number of purchases n = {} must be >= 0", n));
  analytics::check_horizon(t);
  const double lbab = analytics::log_beta(m.a, m.b);
  const double k = m.k;
  // NBD probability of exactly n purchases while alive.
  double lnb;
  if (t == 0) {
    lnb = (n == 0) ? 0.0 : -INFINITY;
  } else {
    lnb = std::lgamma(m.r + n) - std::lgamma(m.r) - std::lgamma(n + 1.0) +
          m.r * (std::log(m.alpha) - std::log(m.alpha + t)) + n * (std::log(t) - std::log(m.alpha + t));
  }
  double p = std::exp(analytics::log_beta(m.a, m.b + n + k) - lbab + lnb);
  if (n > 0 || m.k == 1) {
    // P(N(t) >= n) for the NBD is the regularised incomplete beta I_z(n, r).
    double tail = 1.0;
    if (n > 0) tail = (t == 0) ? 0.0 : boost::math::ibeta(static_cast<double>(n), m.r, t / (m.alpha + t));
    p += std::exp(analytics::log_beta(m.a + 1, m.b + n - 1 + k) - lbab) * tail;
  }
  return p;
}

// P(Y(t) = n | x, t_x, T). Dead customers buy nothing. A customer alive at T has survived x
// purchase-time coin flips (BG/NBD) or x + 1 (MBG/NBD, one at time 0), and bought x times in
// T: the posterior is lambda ~ Gamma(r + x, alpha + T), p ~ Beta(a, b + x + k), and from T on
// the customer is a new BG/NBD customer with those parameters (the Poisson forgets the past,
// and a future dropout happens only after a future purchase). Its mean is exactly
// cond_expected (FHL 2005 eq. 10; MBG/NBD's counterpart).
double cond_pmf(const Bg& m, double t, int n, double x, double t_x, double T) {
  const double pa = p_alive_bg(m, x, t_x, T);
  const double future = pmf(Bg{m.r + x, m.alpha + T, m.a, m.b + x + m.k, 0}, t, n);
  return (n == 0 ? 1 - pa : 0.0) + pa * future;
}

// Weighted mean negative log-likelihood and gradient in theta = log(r, alpha, a, b) on
// patterns sorted by x; per-x lgamma/digamma terms are computed once per distinct x.
double objective(const analytics::Patterns& p, int kk, const std::vector<double>& th,
                 std::vector<double>* grad) {
  const double r = std::exp(th[0]), al = std::exp(th[1]), a = std::exp(th[2]), b = std::exp(th[3]);
  const double k = kk;
  const double lal = std::log(al), la = std::log(a);
  const double g_ab = std::lgamma(a + b), g_r = std::lgamma(r), g_b = std::lgamma(b);
  const double d_ab = grad ? digamma(a + b) : 0, d_r = grad ? digamma(r) : 0, d_b = grad ? digamma(b) : 0;
  // log(alpha + time) and 1 / (alpha + time) once per distinct time, when the patterns have a
  // table of them (index_times).
  const bool tabled = !p.times.empty();
  std::vector<double> log_at(p.times.size()), inv_at(grad ? p.times.size() : 0);
  for (std::size_t j = 0; j < p.times.size(); ++j) {
    log_at[j] = std::log(al + p.times[j]);
    if (grad) inv_at[j] = 1 / (al + p.times[j]);
  }
  double sum = 0, gr = 0, gal = 0, ga = 0, gb = 0;
  double cur_x = -1, base = 0, dr_x = 0, da_x = 0, db_x = 0, a4_x = 0;
  for (std::size_t i = 0; i < p.size(); ++i) {
    const double x = p.x[i], w = p.w[i];
    const double bxk = b + x - 1 + k;
    if (x != cur_x) {
      cur_x = x;
      base = std::lgamma(r + x) - g_r + r * lal + g_ab + std::lgamma(b + x + k) - g_b -
             std::lgamma(a + b + x + k);
      a4_x = (kk == 0 && x == 0) ? 0.0 : la - std::log(bxk);
      if (grad) {
        const double d_abx = digamma(a + b + x + k);
        dr_x = digamma(r + x) - d_r + lal;
        da_x = d_ab - d_abx;
        db_x = d_ab + digamma(b + x + k) - d_b - d_abx;
      }
    }
    const double lT = tabled ? log_at[p.T_at[i]] : std::log(al + p.T[i]);
    const double A3 = -(r + x) * lT;
    double ll, w4 = 0;
    double ltx = 0;
    if (kk == 0 && x == 0) {
      ll = base + A3;
    } else {
      ltx = tabled ? log_at[p.t_x_at[i]] : std::log(al + p.t_x[i]);
      const double A4 = a4_x - (r + x) * ltx;
      // log(e^A3 + e^A4) with one exp: the smaller term relative to the larger (log, not
      // log1p: the sum is added to terms of order 1, and glibc's log is the faster).
      const double e = std::exp(-std::fabs(A4 - A3));
      ll = base + std::max(A3, A4) + std::log(1 + e);
      w4 = A4 > A3 ? 1 / (1 + e) : e / (1 + e);
    }
    sum += w * ll;
    if (grad) {
      const double w3 = 1 - w4;
      gr += w * (dr_x - w3 * lT - w4 * ltx);
      const double inv_T = tabled ? inv_at[p.T_at[i]] : 1 / (al + p.T[i]);
      const double inv_tx = tabled ? inv_at[p.t_x_at[i]] : 1 / (al + p.t_x[i]);
      gal += w * (r / al - (r + x) * (w3 * inv_T + w4 * inv_tx));
      ga += w * (da_x + w4 / a);
      gb += w * (db_x - (w4 > 0 ? w4 / bxk : 0.0));
    }
  }
  const double W = p.total_weight;
  if (grad) {
    grad->resize(4);
    (*grad)[0] = -gr * r / W;
    (*grad)[1] = -gal * al / W;
    (*grad)[2] = -ga * a / W;
    (*grad)[3] = -gb * b / W;
  }
  return -sum / W;
}

analytics::FitOutcome fit_bg_family(const Histories& data, const FitOptions& options, int kk) {
  const char* name = kk ? "MBG/NBD" : "BG/NBD";
  const analytics::PurchasePatterns pp = analytics::purchase_patterns(name, data);
  analytics::ModelDescription md;
  md.name = name;
  md.parameters = {{"r", 1}, {"alpha", 3, true}, {"a", 1}, {"b", 3}};
  md.objective = [&pp, kk](const std::vector<double>& th, std::vector<double>* g) {
    return objective(pp.scaled, kk, th, g);
  };
  md.log_likelihood = [&pp, kk](const std::vector<double>& v) {
    const Bg m{v[0], v[1], v[2], v[3], kk};
    return analytics::weighted_sum(pp.data, [&m](double x, double t_x, double T) { return ll_one(m, x, t_x, T); });
  };
  md.scale = pp.scale;
  md.penalise_scaled_axis = true;
  md.total_weight = pp.data.total_weight;
  md.customers = pp.data.customers;
  md.patterns = pp.data.size();
  return analytics::fit_model(md, options);
}

}  // namespace

BgNbdFit fit_bg_nbd(const Histories& data, const FitOptions& options) {
  auto o = fit_bg_family(data, options, 0);
  return {BgNbdParams{o.params[0], o.params[1], o.params[2], o.params[3]}, o.report};
}

MbgNbdFit fit_mbg_nbd(const Histories& data, const FitOptions& options) {
  auto o = fit_bg_family(data, options, 1);
  return {MbgNbdParams{o.params[0], o.params[1], o.params[2], o.params[3]}, o.report};
}

#define CRMKIT_BG_FAMILY(P)                                                                    \
  double log_likelihood(const P& m, double x, double t_x, double T) {                          \
    check(bg(m));                                                                              \
    analytics::check_history(x, t_x, T);                                                       \
    return ll_one(bg(m), x, t_x, T);                                                           \
  }                                                                                            \
  double log_likelihood(const P& m, const Histories& data) {                                   \
    check(bg(m));                                                                              \
    analytics::check_histories(data, false);                                                   \
    return analytics::weighted_rows(data.weight, data.size(), [&](std::size_t i) {             \
      return ll_one(bg(m), data.x[i], data.t_x[i], data.T[i]);                                 \
    });                                                                                        \
  }                                                                                            \
  double p_alive(const P& m, double x, double t_x, double T) {                                 \
    check(bg(m));                                                                              \
    analytics::check_history(x, t_x, T);                                                       \
    return p_alive_bg(bg(m), x, t_x, T);                                                       \
  }                                                                                            \
  double expected_purchases(const P& m, double t) {                                            \
    check(bg(m));                                                                              \
    analytics::check_horizon(t);                                                               \
    return expected_new(bg(m), t);                                                             \
  }                                                                                            \
  double conditional_expected_purchases(const P& m, double t, double x, double t_x, double T) { \
    check(bg(m));                                                                              \
    analytics::check_horizon(t);                                                               \
    analytics::check_history(x, t_x, T);                                                       \
    return cond_expected(bg(m), t, x, t_x, T);                                                 \
  }                                                                                            \
  double probability_of_purchases(const P& m, double t, int n) {                               \
    check(bg(m));                                                                              \
    return pmf(bg(m), t, n);                                                                   \
  }                                                                                            \
  double conditional_probability_of_purchases(const P& m, double t, int n, double x, double t_x, \
                                              double T) {                                      \
    check(bg(m));                                                                              \
    analytics::check_horizon(t);                                                               \
    analytics::check_history(x, t_x, T);                                                       \
    return cond_pmf(bg(m), t, n, x, t_x, T);                                                   \
  }

CRMKIT_BG_FAMILY(BgNbdParams)
CRMKIT_BG_FAMILY(MbgNbdParams)
#undef CRMKIT_BG_FAMILY

namespace detail {
// Unchecked kernels for the vectorised entry points (inputs validated once up front).
double bg_p_alive_unchecked(const BgNbdParams& m, double x, double t_x, double T) { return p_alive_bg(bg(m), x, t_x, T); }
double bg_p_alive_unchecked(const MbgNbdParams& m, double x, double t_x, double T) { return p_alive_bg(bg(m), x, t_x, T); }
double bg_cond_unchecked(const BgNbdParams& m, double t, double x, double t_x, double T) { return cond_expected(bg(m), t, x, t_x, T); }
double bg_cond_unchecked(const MbgNbdParams& m, double t, double x, double t_x, double T) { return cond_expected(bg(m), t, x, t_x, T); }
double bg_unconditional_unchecked(const BgNbdParams& m, double t, double x, double T) { return unconditional_part(bg(m), t, x, T); }
double bg_unconditional_unchecked(const MbgNbdParams& m, double t, double x, double T) { return unconditional_part(bg(m), t, x, T); }
}  // namespace detail

}  // namespace crmkit::clv
