#include "analytics/special.hpp"

#include <algorithm>
#include <cmath>

#include <boost/math/special_functions/digamma.hpp>
#include <boost/math/special_functions/expint.hpp>
#include <boost/math/special_functions/gamma.hpp>
#include <boost/math/quadrature/tanh_sinh.hpp>

namespace crmkit::analytics {

namespace {

constexpr double kNegInf = -std::numeric_limits<double>::infinity();

bool is_nonpositive_integer(double v) { return v <= 0 && v == std::floor(v); }

// log|Gamma(v)| and its sign; v must not be a pole.
double lgamma_signed(double v, int* sign) {
  int s = 1;
  double l = boost::math::lgamma(v, &s);
  *sign = s;
  return l;
}

// Plain Gauss series, accumulated with a running log-scale so that sums like e^800 (large
// counts x in BG/NBD) neither overflow nor lose the sign.
SignedLog gauss_series(double a, double b, double c, double z) {
  double sum = 1.0, term = 1.0, scale_log = 0.0;
  const double start = std::max({0.0, -a, -b, -c}) + 1.0;
  const long cap = 4'000'000;
  for (long k = 0; k < cap; ++k) {
    const double kk = static_cast<double>(k);
    const double ratio = (a + kk) * (b + kk) / ((c + kk) * (kk + 1.0)) * z;
    term *= ratio;
    if (term == 0.0) break;  // the series terminated (a or b a non-positive integer)
    sum += term;
    if (std::fabs(sum) > 1e250) {  // rescale both, remember the factor
      sum *= 1e-250;
      term *= 1e-250;
      scale_log += 250.0 * std::log(10.0);
    }
    if (kk > start && std::fabs(ratio) < 1.0 && std::fabs(term) <= 1e-16 * std::fabs(sum)) break;
  }
  SignedLog out;
  if (sum == 0.0) return out;
  out.sign = sum > 0 ? 1 : -1;
  out.log_abs = std::log(std::fabs(sum)) + scale_log;
  return out;
}

SignedLog scaled(SignedLog v, double log_factor, int sign = 1) {
  if (v.sign == 0 || sign == 0) return SignedLog{};
  return SignedLog{v.sign * sign, v.log_abs + log_factor};
}

// Series with Euler's transformation 2F1(a,b;c;z) = (1-z)^(c-a-b) 2F1(c-a,c-b;c;z) when that
// makes the terms smaller: for BG/NBD with many purchases c-a and c-b are small while a, b
// are large, so the transformed series needs a handful of terms.
SignedLog series_best(double a, double b, double c, double z) {
  if (is_nonpositive_integer(a) || is_nonpositive_integer(b)) return gauss_series(a, b, c, z);
  const double ea = c - a, eb = c - b;
  // A large negative parameter gives a long run of alternating terms that cancel, so the
  // transformation is only taken when its parameters stay above -50, even where it would end
  // the series early (c-a or c-b a non-positive integer: Pareto/NBD's P(X(t) = n) tail has
  // c - a = n + 1 - i for every i > n, and its polynomial cancels to noise near z = 1).
  if (std::min(ea, eb) > -50 &&
      (std::fabs(ea * eb) < std::fabs(a * b) || is_nonpositive_integer(ea) || is_nonpositive_integer(eb))) {
    return scaled(gauss_series(ea, eb, c, z), (c - a - b) * std::log1p(-z));
  }
  return gauss_series(a, b, c, z);
}

// Euler's integral 2F1(a,b;c;z) = G(c)/(G(p)G(c-p)) int_0^1 t^(p-1) (1-t)^(c-p-1) (1-zt)^(-q) dt,
// with {p, q} = {a, b} and c > p > 0: a positive integrand, so no cancellation. Used close to
// z = 1 with huge parameters, where the series is too long and the connection formula cancels.
bool euler_integral(double a, double b, double c, double z, SignedLog* out) {
  // Of the admissible choices take the one with the smaller c - p: its (1-t) factor is then
  // mild, and only one endpoint carries the mass.
  const bool a_ok = c > a && a > 0, b_ok = c > b && b > 0;
  if (!a_ok && !b_ok) return false;
  const bool use_a = a_ok && (!b_ok || c - a <= c - b);
  const double p = use_a ? a : b, q = use_a ? b : a;
  const double shift = q > 0 ? -q * std::log1p(-z) : 0.0;  // the integrand's largest log value
  // Substituting t = u^(1/p) turns t^(p-1) dt into du/p: for huge p (Pareto/NBD with many
  // purchases or extreme rates) the mass no longer piles up within 1/p of t = 1.
  auto f = [&](double u) {
    if (u <= 0) return 0.0;
    const double lu = std::log(u) / p;
    const double one_minus_t = -std::expm1(lu);       // 1 - u^(1/p), accurate near u = 1
    const double one_minus_zt = -std::expm1(std::log(z) + lu);
    if (one_minus_t <= 0 || one_minus_zt <= 0) return 0.0;
    const double l = (c - p - 1) * std::log(one_minus_t) - q * std::log(one_minus_zt) - shift;
    return std::exp(l);
  };
  thread_local boost::math::quadrature::tanh_sinh<double> integrator(10);
  double err = 0;
  const double I = integrator.integrate(f, 0.0, 1.0, 1e-10, &err);
  if (!(I > 0) || !std::isfinite(I)) return false;
  out->sign = 1;
  out->log_abs = std::lgamma(c) - std::lgamma(p) - std::lgamma(c - p) - std::log(p) + shift + std::log(I);
  return true;
}

}  // namespace

double log_beta(double a, double b) noexcept {
  return std::lgamma(a) + std::lgamma(b) - std::lgamma(a + b);
}

double digamma(double x) noexcept { return boost::math::digamma(x); }

double log_add_exp(double a, double b) noexcept {
  if (a == kNegInf) return b;
  if (b == kNegInf) return a;
  const double m = std::max(a, b);
  return m + std::log1p(std::exp(-std::fabs(a - b)));
}

SignedLog signed_log_add(SignedLog x, SignedLog y) noexcept {
  if (x.sign == 0) return y;
  if (y.sign == 0) return x;
  if (x.log_abs < y.log_abs) std::swap(x, y);
  const double d = std::exp(y.log_abs - x.log_abs);  // <= 1
  if (x.sign == y.sign) return SignedLog{x.sign, x.log_abs + std::log1p(d)};
  if (d == 1.0) return SignedLog{};
  return SignedLog{x.sign, x.log_abs + std::log1p(-d)};
}

SignedLog hyp2f1(double a, double b, double c, double z) {
  if (z == 0.0) return SignedLog{1, 0.0};
  const double g = c - a - b;
  // Near z = 1 the series needs ~40/(1-z) terms; the connection formula to 1-z needs few.
  // It has poles when c-a-b is an integer, so stay with the (slow but exact) series there.
  if (z <= 0.9) return series_best(a, b, c, z);
  // Past 0.9 the series needs ~40/(1-z) terms. It stays exact when its terms all have one
  // sign, so keep it while that is affordable, and always for huge parameters (where the
  // connection formula's sub-series cancel badly).
  const bool one_sign = (a > 0 && b > 0 && c > 0) || (c - a > 0 && c - b > 0 && c > 0);
  const bool moderate = std::max({std::fabs(a), std::fabs(b), std::fabs(c)}) < 1e3;
  if (one_sign && 40.0 / (1.0 - z) < 2e4) return series_best(a, b, c, z);
  if (!moderate) {
    SignedLog v;
    if (euler_integral(a, b, c, z, &v)) return v;
    return series_best(a, b, c, z);
  }
  const bool near_integer = std::fabs(g - std::round(g)) < 1e-6;
  if (near_integer && z <= 0.99) return series_best(a, b, c, z);
  if (near_integer) {
    // Very close to 1 with an integer c-a-b (the logarithmic case): 2F1 is analytic in c,
    // so take symmetric averages at c +- e and c +- 2e (both off the integer) and combine
    // them by Richardson extrapolation, which cancels the e^2 error term.
    const double e = 1e-3;
    const double a1 = 0.5 * (hyp2f1(a, b, c + e, z).value() + hyp2f1(a, b, c - e, z).value());
    const double a2 = 0.5 * (hyp2f1(a, b, c + 2 * e, z).value() + hyp2f1(a, b, c - 2 * e, z).value());
    const double v = (4 * a1 - a2) / 3;
    if (v == 0 || !std::isfinite(v)) return series_best(a, b, c, z);
    return SignedLog{v > 0 ? 1 : -1, std::log(std::fabs(v))};
  }

  const double w = 1.0 - z;
  int sc = 1, s1 = 1, s2 = 1, s3 = 1, s4 = 1, s5 = 1;
  SignedLog total;
  // First term: Gamma(c) Gamma(c-a-b) / (Gamma(c-a) Gamma(c-b)) 2F1(a, b; a+b-c+1; 1-z).
  const double lc = lgamma_signed(c, &sc);
  if (!is_nonpositive_integer(c - a) && !is_nonpositive_integer(c - b)) {
    const double l = lc + lgamma_signed(g, &s1) - lgamma_signed(c - a, &s2) -
                     lgamma_signed(c - b, &s3);
    total = signed_log_add(total, scaled(series_best(a, b, 1.0 - g, w), l, sc * s1 * s2 * s3));
  }
  // Second term: (1-z)^(c-a-b) Gamma(c) Gamma(a+b-c) / (Gamma(a) Gamma(b)) 2F1(c-a, c-b; g+1; 1-z).
  if (!is_nonpositive_integer(a) && !is_nonpositive_integer(b)) {
    const double l = lc + lgamma_signed(-g, &s1) - lgamma_signed(a, &s4) - lgamma_signed(b, &s5) +
                     g * std::log(w);
    total = signed_log_add(total,
                           scaled(series_best(c - a, c - b, g + 1.0, w), l, sc * s1 * s4 * s5));
  }
  return total;
}

double log_tricomi_u_ss(double s, double z) {
  // U(s, s, z) = e^z Gamma(1-s, z). For large z use the asymptotic expansion
  // U ~ z^-s sum_k (s)_k (-1/z)^k, truncated at its smallest term.
  if (z > 600.0) {
    double sum = 1.0, term = 1.0;
    for (int k = 0; k < 200; ++k) {
      const double next = term * -(s + k) / z;
      if (std::fabs(next) >= std::fabs(term) || std::fabs(next) < 1e-17) break;
      term = next;
      sum += term;
    }
    return -s * std::log(z) + std::log(sum);
  }
  const double a = 1.0 - s;
  if (a > 0) return z + std::log(boost::math::tgamma(a, z));
  // a <= 0: start from a0 in (0, 1] (or a0 = 0: Gamma(0, z) = E1(z)) and recur downwards,
  // G(a) = e^z Gamma(a, z) = (G(a+1) - z^a) / a.
  const int steps = static_cast<int>(std::ceil(-a));
  double a0 = a + steps;
  double gval;
  if (a0 == 0.0) {
    gval = std::exp(z) * boost::math::expint(1, z);
  } else {
    gval = std::exp(z) * boost::math::tgamma(a0, z);
  }
  for (int i = 0; i < steps; ++i) {
    a0 -= 1.0;
    gval = (gval - std::pow(z, a0)) / a0;
  }
  return std::log(gval);
}

}  // namespace crmkit::analytics
