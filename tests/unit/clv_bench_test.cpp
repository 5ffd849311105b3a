// Timing of the CLV fits and vectorised predictions; hidden ([.bench]), run on demand:
//   crmkit_tests "[.bench]" (use a Release build for meaningful numbers).
#include <catch2/catch.hpp>

#include <chrono>
#include <cmath>
#include <cstdio>
#include <random>

#include "clv_data.hpp"
#include "crmkit/clv.hpp"

using namespace crmkit::clv;

namespace {
template <class F>
double median_ms(F f, int reps = 5) {
  std::vector<double> t;
  for (int i = 0; i < reps; ++i) {
    const auto a = std::chrono::steady_clock::now();
    f();
    t.push_back(std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - a).count());
  }
  std::sort(t.begin(), t.end());
  return t[t.size() / 2];
}
}  // namespace

TEST_CASE("CLV fit and prediction timings", "[.bench]") {
  const clv_test::Cdnow *found_d = clv_test::summary(), *found_s = clv_test::with_spend();
  if (!found_d || !found_s) return;
  const clv_test::Cdnow &d = *found_d, &s = *found_s;
  BgNbdFit bg{};
  MbgNbdFit mbg{};
  ParetoNbdFit pn{};
  GammaGammaFit gg{};
  const double t_bg = median_ms([&] { bg = fit_bg_nbd(d.histories); });
  const double t_mbg = median_ms([&] { mbg = fit_mbg_nbd(d.histories); });
  const double t_pn = median_ms([&] { pn = fit_pareto_nbd(d.histories); }, 3);
  SpendHistories sp;
  for (std::size_t i = 0; i < s.zbar.size(); ++i)
    if (s.histories.x[i] > 0) {
      sp.x.push_back(s.histories.x[i]);
      sp.mean_spend.push_back(s.zbar[i]);
    }
  const double t_gg = median_ms([&] { gg = fit_gamma_gamma(sp); });
  auto show = [](const char* name, const std::vector<double>& p, const FitReport& r, double ms) {
    std::printf("%-10s params", name);
    for (double v : p) std::printf(" %.6f", v);
    std::printf("  LL %.4f  iter %d evals %d |g| %.1e %s  patterns %zu  %.2f ms\n", r.log_likelihood,
                r.iterations, r.function_evaluations, r.gradient_norm, r.reason.c_str(), r.patterns, ms);
    std::printf("%-10s se    ", "");
    for (double v : r.standard_errors) std::printf(" %.6f", v);
    std::printf("\n");
  };
  show("BG/NBD", {bg.params.r, bg.params.alpha, bg.params.a, bg.params.b}, bg.report, t_bg);
  show("MBG/NBD", {mbg.params.r, mbg.params.alpha, mbg.params.a, mbg.params.b}, mbg.report, t_mbg);
  show("Pareto/NBD", {pn.params.r, pn.params.alpha, pn.params.s, pn.params.beta}, pn.report, t_pn);
  show("GG", {gg.params.p, gg.params.q, gg.params.gamma}, gg.report, t_gg);

  // 1M synthetic customers (CDNOW rows repeated with jitter so patterns are distinct).
  const std::size_t n = 1'000'000;
  Histories big;
  big.x.resize(n);
  big.t_x.resize(n);
  big.T.resize(n);
  std::mt19937_64 rng(7);
  std::uniform_real_distribution<double> jitter(0.0, 1.0);
  for (std::size_t i = 0; i < n; ++i) {
    const std::size_t j = i % d.histories.size();
    big.x[i] = d.histories.x[j];
    big.T[i] = d.histories.T[j] + jitter(rng);
    big.t_x[i] = big.x[i] > 0 ? std::min(big.T[i], d.histories.t_x[j] + jitter(rng)) : 0.0;
  }
  const PurchaseModel m = bg.params;
  std::vector<double> out;
  std::printf("1M customers: P(alive) BG/NBD %.1f ms\n", median_ms([&] { out = p_alive(m, big); }, 3));
  std::printf("1M customers: E[Y(52)] BG/NBD %.1f ms\n",
              median_ms([&] { out = conditional_expected_purchases(m, 52, big); }, 3));
  const PurchaseModel pm = pn.params;
  std::printf("1M customers: P(alive) Pareto/NBD %.1f ms\n", median_ms([&] { out = p_alive(pm, big); }, 1));
  std::printf("1M customers: E[Y(52)] Pareto/NBD %.1f ms\n",
              median_ms([&] { out = conditional_expected_purchases(pm, 52, big); }, 1));
  std::vector<double> margin(n, 35.0);
  std::printf("1M customers: CLV 12 months BG/NBD %.1f ms\n",
              median_ms([&] { out = customer_lifetime_value(m, MonthlyHorizon(TimeUnit::week, 12, 0.01), big, margin); }, 1));
  std::printf("1M customers: BG/NBD fit (~1M patterns) %.1f ms\n", median_ms([&] { bg = fit_bg_nbd(big); }, 1));
  std::printf("   -> r %.5f alpha %.5f a %.5f b %.5f patterns %zu iter %d\n", bg.params.r, bg.params.alpha,
              bg.params.a, bg.params.b, bg.report.patterns, bg.report.iterations);
  Histories grouped;  // CDNOW x 424 as weights: cost follows patterns, not customers
  grouped = d.histories;
  grouped.weight.assign(grouped.size(), 424.0);
  std::printf("CDNOW weighted x424 (999k customers) BG/NBD fit %.1f ms\n", median_ms([&] { bg = fit_bg_nbd(grouped); }));
  CHECK(true);
}
