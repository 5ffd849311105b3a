// Degenerate data must give a clear invalid_argument or a finite, documented result: never
// NaN, never a hang (every fit has an iteration cap).
#include <catch2/catch.hpp>

#include <cmath>
#include <random>

#include "crmkit/clv.hpp"

using namespace crmkit::clv;

namespace {
// Runs a fit; accepts invalid_argument, otherwise every reported number must be finite.
template <class F>
void finite_or_refused(F fit) {
  try {
    const auto f = fit();
    CHECK(std::isfinite(f.report.log_likelihood));
    CHECK(std::isfinite(f.report.gradient_norm));
    CHECK(f.report.iterations <= 1000);
    for (double se : f.report.standard_errors) CHECK(std::isfinite(se));
  } catch (const crmkit::Error& e) {
    CHECK(e.code() == crmkit::Errc::invalid_argument);
    CHECK(std::string(e.what()).size() > 10);
  }
}
}  // namespace

TEST_CASE("degenerate purchase histories", "[clv][degenerate]") {
  const Histories one{{3}, {10}, {20}, {}};                  // a single customer
  const Histories same_day{{0, 0, 0, 1}, {0, 0, 0, 0}, {5, 5, 5, 5}, {}};  // repeat at t = 0
  const Histories all_equal{{2, 2, 2}, {10, 10, 10}, {20, 20, 20}, {}};
  const Histories all_alive{{5, 3, 4}, {20, 20, 20}, {20, 20, 20}, {}};    // t_x = T for all
  for (const Histories* h : {&one, &same_day, &all_equal, &all_alive}) {
    finite_or_refused([&] { return fit_bg_nbd(*h); });
    finite_or_refused([&] { return fit_mbg_nbd(*h); });
    finite_or_refused([&] { return fit_pareto_nbd(*h); });
  }
  // Nobody repeats: a clear refusal, naming the reason.
  try {
    fit_pareto_nbd(Histories{{0, 0}, {0, 0}, {3, 4}, {}});
    FAIL("expected a refusal");
  } catch (const crmkit::Error& e) {
    CHECK(std::string(e.what()).find("repeat") != std::string::npos);
  }
}

TEST_CASE("degenerate spend and retention data", "[clv][degenerate]") {
  finite_or_refused([] { return fit_gamma_gamma(SpendHistories{{1}, {20}, {}}); });
  finite_or_refused([] { return fit_gamma_gamma(SpendHistories{{1, 1, 1}, {5, 5, 5}, {}}); });
  CHECK_THROWS_AS(fit_gamma_gamma(SpendHistories{{2}, {0}, {}}), crmkit::Error);  // zero spend
  finite_or_refused([] { return fit_shifted_beta_geometric({10, 0}); });          // all churn at once
  finite_or_refused([] { return fit_bg_bb(OpportunityHistories{{6}, {6}, {6}, {}}); });
}

TEST_CASE("a BG/NBD fit on buyers who never drop out stops on the ridge, not after hundreds of steps",
          "[clv][degenerate]") {
  // Like crmkit-bench's population: a first purchase in the first of two years, then 0..3
  // repeats half the time, months apart, with nobody ever dropping out. The likelihood rises
  // toward a, b -> infinity (a / (a + b) fixed) by ever smaller amounts; the fit has to stop
  // on that ridge with the predictions settled. (At 1M customers the sum's rounding made
  // steps of 1e-15 look like gains, and one fit walked 794 steps for 90 s: optimize.cpp's
  // stall rule now ends a walk whose steps gain under 1e-12 relative, 5 in a row.)
  std::mt19937_64 rng(7);
  std::uniform_real_distribution<double> first(0, 365), u(0, 1);
  std::exponential_distribution<double> gap(1.0 / 122);
  std::uniform_int_distribution<int> facts(1, 4);
  Histories h;
  for (int c = 0; c < 20000; ++c) {
    const double start = std::floor(first(rng)), T = 730 - start;
    double t = 0, last = 0, x = 0;
    for (int n = facts(rng), i = 1; i < n; ++i) {
      t = std::min(t + gap(rng), T - 1);
      if (u(rng) < 0.5) {
        last = std::floor(t);
        ++x;
      }
    }
    h.x.push_back(x);
    h.t_x.push_back(last);
    h.T.push_back(T);
  }
  const auto f = fit_bg_nbd(h);
  INFO(f.report.reason << ", a = " << f.params.a << ", b = " << f.params.b << ", " << f.report.iterations
                       << " iterations");
  CHECK(f.params.a > 1e3);  // the ridge: the data give no reason to drop out
  CHECK(f.report.iterations < 150);
  // A longer walk along the ridge does not change the fit or what it predicts.
  FitOptions longer;
  longer.start = {f.params.r, f.params.alpha, f.params.a * 100, f.params.b * 100};
  const auto g = fit_bg_nbd(h, longer);
  CHECK(std::fabs(g.report.log_likelihood - f.report.log_likelihood) < 1e-6 * std::fabs(f.report.log_likelihood));
  CHECK(conditional_expected_purchases(f.params, 52, 3, 200, 300) ==
        Approx(conditional_expected_purchases(g.params, 52, 3, 200, 300)).epsilon(1e-5));
}
