// Special functions behind the CLV models, checked against Boost's generic pFq and closed forms.
#include <catch2/catch.hpp>

#include <cmath>

#include <boost/math/special_functions/gamma.hpp>  // pFq uses lgamma without including it (1.74)
#include <boost/math/special_functions/hypergeometric_pFq.hpp>

#include "analytics/optimize.hpp"
#include "analytics/special.hpp"

using namespace crmkit::analytics;
using Catch::Matchers::WithinAbs;
using Catch::Matchers::WithinRel;

namespace {
double pfq(double a, double b, double c, double z) {
  return boost::math::hypergeometric_pFq({a, b}, {c}, z);
}
}  // namespace

TEST_CASE("2F1 agrees with Boost pFq, including negative values", "[clv][special]") {
  struct Case { double a, b, c, z; };
  const Case cases[] = {
      {0.24, 2.43, 2.22, 0.3},     {2.24, 4.43, 4.22, 0.57},   {0.5, 1.5, 2.5, 0.05},
      {1.2, 3.4, 5.6, 0.8},        {0.3, 0.4, -0.3, 0.4},      // c < 0: value can be negative
      {1.5, 2.5, -1.7, 0.25},      {3.0, 0.7, 1.9, 0.85},      {0.8, 1.1, 1.3, 0.6}};
  for (const auto& k : cases) {
    const SignedLog v = hyp2f1(k.a, k.b, k.c, k.z);
    INFO("a=" << k.a << " b=" << k.b << " c=" << k.c << " z=" << k.z);
    CHECK_THAT(v.value(), WithinRel(pfq(k.a, k.b, k.c, k.z), 1e-10));
  }
  // Closed forms: 2F1(1,1;2;z) = -ln(1-z)/z, also close to 1 (connection formula region).
  for (double z : {0.1, 0.5, 0.95, 0.999, 0.999999}) {
    CHECK_THAT(hyp2f1(1, 1, 2, z).value(), WithinRel(-std::log1p(-z) / z, 1e-9));
  }
  // 2F1(a,b;b;z) = (1-z)^-a near 1 with non-integer c-a-b.
  for (double z : {0.95, 0.9999}) CHECK_THAT(hyp2f1(0.3, 1.7, 1.7, z).value(), WithinRel(std::pow(1 - z, -0.3), 1e-9));
  // Connection formula vs plain series just either side of z = 0.9.
  CHECK_THAT(hyp2f1(0.7, 1.3, 2.9, 0.9000001).value(), WithinRel(hyp2f1(0.7, 1.3, 2.9, 0.8999999).value(), 1e-5));
  // Huge values stay representable as logs.
  const SignedLog big = hyp2f1(3000.2, 3002.4, 3001.2, 0.5);
  CHECK(big.sign == 1);
  CHECK(std::isfinite(big.log_abs));
  CHECK(big.log_abs > 700);
  CHECK(hyp2f1(1, 2, 3, 0).value() == 1.0);
}

TEST_CASE("2F1(w, b, w+1, z) near 1 with huge w (Pareto/NBD extremes)", "[clv][special]") {
  // Reference: 2F1(w,b;w+1;z) = w sum_k (b)_k / k! z^k / (w + k), summed directly.
  for (double w : {2000.0, 2e5}) {
    for (double z : {0.9995, 0.99999}) {
      const double b = 3.5;
      long double sum = 0, poch = 1;  // (b)_k z^k / k!
      for (long k = 0; k < 20'000'000; ++k) {
        const long double term = poch / (w + k);
        sum += term;
        if (term < 1e-22L * sum) break;
        poch *= (b + k) / (k + 1) * z;
      }
      const double want = static_cast<double>(w * sum);
      INFO("w=" << w << " z=" << z);
      CHECK_THAT(hyp2f1(w, b, w + 1, z).value(), WithinRel(want, 1e-7));
    }
  }
}

TEST_CASE("Tricomi U(s, s, z) and log helpers", "[clv][special]") {
  // U(1,1,z) = e^z E1(z); U(s,s,z) for s = 2: e^z Gamma(-1, z) = 1/z - e^z E1(z).
  const double z = 0.3;
  const double e1 = 0.9056766516758467;  // E1(0.3)
  CHECK_THAT(std::exp(log_tricomi_u_ss(1, z)), WithinRel(std::exp(z) * e1, 1e-12));
  CHECK_THAT(std::exp(log_tricomi_u_ss(2, z)), WithinRel(1 / z - std::exp(z) * e1, 1e-10));
  // Large-z asymptotics join the incomplete-gamma path.
  CHECK_THAT(log_tricomi_u_ss(0.4, 600.0001), WithinAbs(log_tricomi_u_ss(0.4, 599.9999), 1e-6));
  CHECK(log_add_exp(-INFINITY, 2.0) == 2.0);
  CHECK_THAT(log_add_exp(1000, 1000), WithinRel(1000 + std::log(2.0), 1e-15));
  const SignedLog d = signed_log_add(SignedLog{1, std::log(5.0)}, SignedLog{-1, std::log(3.0)});
  CHECK_THAT(d.value(), WithinRel(2.0, 1e-14));
  CHECK(signed_log_add(SignedLog{1, 1.0}, SignedLog{-1, 1.0}).sign == 0);
}

TEST_CASE("BFGS minimises Rosenbrock and reports", "[clv][optimize]") {
  Objective f = [](const std::vector<double>& x, std::vector<double>* g) {
    const double a = 1 - x[0], b = x[1] - x[0] * x[0];
    if (g) *g = {-2 * a - 400 * x[0] * b, 200 * b};
    return a * a + 100 * b * b;
  };
  MinimizeOptions o;
  o.gradient_tolerance = 1e-8;
  const auto r = minimize_bfgs(f, {-1.2, 1.0}, o);
  CHECK(r.converged);
  CHECK_THAT(r.theta[0], WithinAbs(1.0, 1e-6));
  CHECK_THAT(r.theta[1], WithinAbs(1.0, 1e-6));
  // The iteration cap is honoured.
  o.max_iterations = 3;
  const auto capped = minimize_bfgs(f, {-1.2, 1.0}, o);
  CHECK_FALSE(capped.converged);
  CHECK(capped.iterations == 3);
  CHECK(capped.reason == "iteration cap reached");
  // Numeric gradient and Hessian of a quadratic.
  Objective q = with_numeric_gradient([](const std::vector<double>& x) { return 3 * x[0] * x[0] + x[0] * x[1] + 2 * x[1] * x[1]; });
  const auto h = numeric_hessian(q, {0.3, -0.2});
  CHECK_THAT(h[0][0], WithinAbs(6, 1e-4));
  CHECK_THAT(h[0][1], WithinAbs(1, 1e-4));
  CHECK_THAT(h[1][1], WithinAbs(4, 1e-4));
  std::vector<std::vector<double>> inv;
  CHECK(invert_spd({{4, 1}, {1, 3}}, &inv));
  CHECK_THAT(inv[0][0], WithinAbs(3.0 / 11, 1e-12));
  CHECK_FALSE(invert_spd({{1, 2}, {2, 1}}, &inv));
}
