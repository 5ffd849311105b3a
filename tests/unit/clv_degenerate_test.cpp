// Degenerate data must give a clear invalid_argument or a finite, documented result: never
// NaN, never a hang (every fit has an iteration cap).
#include <catch2/catch.hpp>

#include <cmath>

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
