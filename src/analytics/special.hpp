// Special functions for the customer-value models: log-gamma/beta, log-sum-exp with signs,
// the Gauss hypergeometric function 2F1 as a signed logarithm, Tricomi's U(s, s, z).
#pragma once

#include <cmath>
#include <limits>

namespace crmkit::analytics {

// A real number as (sign, log|value|); sign 0 means the value is exactly zero. Lets callers
// combine huge or tiny magnitudes without overflow and never take the log of a negative.
struct SignedLog {
  int sign = 0;
  double log_abs = -std::numeric_limits<double>::infinity();
  double value() const noexcept { return sign == 0 ? 0.0 : sign * std::exp(log_abs); }
};

double log_beta(double a, double b) noexcept;
double digamma(double x) noexcept;
// log(exp(a) + exp(b)) without overflow; -inf inputs allowed.
double log_add_exp(double a, double b) noexcept;
// 1 / (1 + exp(e)) with no overflow: the probability alive from the log odds of being dead.
inline double logistic_of_minus(double e) noexcept {
  if (e > 745) return 0.0;
  if (e < -40) return 1.0;
  return 1.0 / (1.0 + std::exp(e));
}
// Signed sum s1*exp(a) + s2*exp(b) as a SignedLog (signs are -1, 0 or +1).
SignedLog signed_log_add(SignedLog x, SignedLog y) noexcept;

// 2F1(a, b; c; z) for 0 <= z < 1 and c not a non-positive integer. Gauss series with a
// relative-tolerance stop, Euler's transformation when it shortens the series, and the
// z -> 1-z connection formula close to 1. The result may be negative (e.g. c < 0).
SignedLog hyp2f1(double a, double b, double c, double z);

// Tricomi's confluent hypergeometric U(s, s, z) for s > 0, z > 0, as log U (U > 0 there).
double log_tricomi_u_ss(double s, double z);

}  // namespace crmkit::analytics
