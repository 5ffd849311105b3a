// The one fit routine behind every CLV model (src/analytics/clv_fit.cpp): a start given in
// the caller's units, its checks, and the same description serving each model.
#include <catch2/catch.hpp>

#include <functional>
#include <string>

#include "clv_data.hpp"
#include "crmkit/clv.hpp"
#include "crmkit/error.hpp"

using namespace crmkit::clv;

namespace {

std::string message_of(const std::function<void()>& f) {
  try {
    f();
  } catch (const crmkit::Error& e) {
    CHECK(e.code() == crmkit::Errc::invalid_argument);
    return e.what();
  }
  return "(no error)";
}

}  // namespace

TEST_CASE("a fit started at its own optimum, in the caller's units, stays there", "[clv][fit]") {
  const clv_test::Cdnow* found = clv_test::summary();
  if (!found) return;
  const clv_test::Cdnow& d = *found;
  // alpha (and Pareto's beta) are rates on the caller's time axis (weeks here, max T ~ 39):
  // read on the fit's scaled axis instead they would start the walk far from the optimum.
  const auto bg = fit_bg_nbd(d.histories);
  FitOptions again;
  again.start = {bg.params.r, bg.params.alpha, bg.params.a, bg.params.b};
  const auto bg2 = fit_bg_nbd(d.histories, again);
  CHECK(bg2.report.iterations <= 2);
  CHECK(clv_test::rel(bg2.params.alpha, bg.params.alpha) < 1e-6);

  const auto pn = fit_pareto_nbd(d.histories);
  again.start = {pn.params.r, pn.params.alpha, pn.params.s, pn.params.beta};
  const auto pn2 = fit_pareto_nbd(d.histories, again);
  CHECK(pn2.report.iterations <= 2);
  CHECK(clv_test::rel(pn2.params.beta, pn.params.beta) < 1e-6);

  SpendHistories spend{{1, 2, 3, 4, 2}, {10, 30, 25, 12, 18}, {}};
  const auto gg = fit_gamma_gamma(spend);
  again.start = {gg.params.p, gg.params.q, gg.params.gamma};
  const auto gg2 = fit_gamma_gamma(spend, again);
  CHECK(gg2.report.iterations <= 2);
  CHECK(clv_test::rel(gg2.params.gamma, gg.params.gamma) < 1e-6);
}

TEST_CASE("a bad start is refused naming the model and the parameter", "[clv][fit]") {
  const Histories h{{1, 2, 0}, {1, 3, 0}, {4, 5, 6}, {}};
  FitOptions o;
  o.start = {1, 2, 3};
  CHECK(message_of([&] { fit_bg_nbd(h, o); }) == "BG/NBD: start needs 4 values (r, alpha, a, b)");
  CHECK(message_of([&] { fit_pareto_nbd(h, o); }) == "Pareto/NBD: start needs 4 values (r, alpha, s, beta)");
  CHECK(message_of([&] { fit_shifted_beta_geometric({10, 5}, o); }) == "sBG: start needs 2 values (alpha, beta)");
  o.start = {1, -1, 1, 1};
  CHECK(message_of([&] { fit_mbg_nbd(h, o); }) == "MBG/NBD parameter alpha = -1 must be finite and > 0");
  o.start = {1, 0.5, 1};
  CHECK(message_of([&] { fit_gamma_gamma(SpendHistories{{1, 2}, {3, 4}, {}}, o); }) ==
        "Gamma-Gamma: start q must be > 1");
  o.start = {1, 1, 1};
  CHECK(message_of([&] { fit_bg_bb(OpportunityHistories{{1}, {1}, {2}, {}}, o); }) ==
        "BG/BB: start needs 4 values (alpha, beta, gamma, delta)");
}

TEST_CASE("a fit refuses options it cannot honour before it starts", "[clv][fit]") {
  const Histories h{{1, 2, 0}, {1, 3, 0}, {4, 5, 6}, {}};
  FitOptions o;
  o.max_iterations = 0;
  CHECK(message_of([&] { fit_pareto_nbd(h, o); }) == "max_iterations must be >= 1");
  o.max_iterations = 10;
  o.gradient_tolerance = 0;
  CHECK(message_of([&] { fit_shifted_beta_geometric({10, 5}, o); }) == "gradient_tolerance must be > 0");
}

TEST_CASE("opportunity histories are checked the same way for the fit and the likelihood", "[clv][fit]") {
  const BgBbParams m{1, 1, 1, 1};
  const OpportunityHistories short_weights{{1, 0}, {1, 0}, {2, 2}, {1}};
  const std::string want = "opportunity histories: give one weight per row or none";
  CHECK(message_of([&] { fit_bg_bb(short_weights); }) == want);
  CHECK(message_of([&] { log_likelihood(m, short_weights); }) == want);
  const OpportunityHistories negative{{1, 0}, {1, 0}, {2, 2}, {1, -1}};
  CHECK(message_of([&] { log_likelihood(m, negative); }) == "weight[1] = -1 must be finite and >= 0");
}
