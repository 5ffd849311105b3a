// BG/BB on the donations data (Fader, Hardie & Shang 2010) and the sBG retention model
// (Fader & Hardie 2007); numbers from CLV_MODELS.md 2.4, 2.7, 3.1, 3.3.
#include <catch2/catch.hpp>

#include <cmath>

#include "clv_data.hpp"
#include "crmkit/clv.hpp"
#include "test_paths.hpp"  // CRMKIT_SHARED_DATA, CRMKIT_CLI, CRMKIT_CHILD (generated)

using namespace crmkit::clv;
using Catch::Matchers::WithinAbs;
using Catch::Matchers::WithinRel;

namespace {
bool load_donations(OpportunityHistories* d) {
  std::vector<std::vector<double>> rows;
  if (!clv_test::read_rows("cdnow/donations.csv", &rows)) return false;
  for (const auto& v : rows) {
    d->x.push_back(v[0]);
    d->t_x.push_back(v[1]);
    d->n.push_back(v[2]);
    d->weight.push_back(v[3]);
  }
  return true;
}
}  // namespace

TEST_CASE("BG/BB fit on the donations data", "[clv][bg_bb]") {
  OpportunityHistories d;
  if (!load_donations(&d)) {
    WARN("skipped: donations.csv not found under " CRMKIT_SHARED_DATA);
    return;
  }
  const auto fit = fit_bg_bb(d);
  clv_test::check_published_fit(fit.report, {fit.params.alpha, fit.params.beta, fit.params.gamma, fit.params.delta},
                                {1.20352, 0.74972, 0.65672, 2.78344}, -33225.58);
  CHECK(fit.report.customers == 22);
  CHECK_THAT(fit.report.total_weight, WithinAbs(11104, 1e-9));
  // Hardie table 6: P(alive next period).
  CHECK_THAT(p_alive(fit.params, 0, 0, 6), WithinAbs(0.11, 0.01));
  CHECK_THAT(p_alive(fit.params, 2, 4, 6), WithinAbs(0.59, 0.01));
  CHECK_THAT(p_alive(fit.params, 6, 6, 6), WithinAbs(0.93, 0.01));
  // Hardie's spreadsheet: total expected transactions in the next 5 periods.
  double total = 0;
  for (std::size_t i = 0; i < d.x.size(); ++i)
    total += d.weight[i] * conditional_expected_transactions(fit.params, 5, d.x[i], d.t_x[i], d.n[i]);
  CHECK_THAT(total, WithinAbs(12884.2, 0.5));
}

TEST_CASE("BG/BB closed forms at the walkthrough parameters", "[clv][bg_bb]") {
  const BgBbParams m{1.203528, 0.7497, 0.6568, 2.7838};
  CHECK_THAT(expected_transactions(m, 10), WithinRel(3.179805, 1e-3));
  CHECK_THAT(conditional_expected_transactions(m, 10, 0, 0, 6), WithinRel(0.1302169, 1e-3));
  CHECK_THAT(conditional_expected_transactions(m, 10, 4, 5, 6), WithinRel(3.627858, 1e-3));
  // gamma = 1 is a removable 0/0.
  const BgBbParams g1{1.2, 0.75, 1.0, 2.78};
  CHECK_THAT(expected_transactions(g1, 10), WithinRel(expected_transactions(BgBbParams{1.2, 0.75, 1.001, 2.78}, 10), 1e-3));
  CHECK(std::isfinite(conditional_expected_transactions(g1, 5, 2, 4, 6)));
  CHECK_THROWS_AS(p_alive(m, 3, 2, 6), crmkit::Error);   // t_x below x
  CHECK_THROWS_AS(p_alive(m, 7, 7, 6), crmkit::Error);   // more than n
  CHECK_THROWS_AS(p_alive(m, 0.5, 1, 6), crmkit::Error); // not a count
}

TEST_CASE("sBG retention fit reproduces Fader-Hardie 2007", "[clv][sbg]") {
  const auto regular = fit_shifted_beta_geometric({1000, 631, 468, 382, 326, 289, 262, 241});
  CHECK(regular.report.converged);
  CHECK(clv_test::rel(regular.params.alpha, 0.7041) < 1e-3);
  CHECK(clv_test::rel(regular.params.beta, 1.1820) < 1e-3);
  CHECK_THAT(regular.report.log_likelihood, WithinAbs(-1680.27, 0.01));
  const auto high = fit_shifted_beta_geometric({1000, 869, 743, 653, 593, 551, 517, 491});
  CHECK(clv_test::rel(high.params.alpha, 0.6681) < 1e-3);
  CHECK(clv_test::rel(high.params.beta, 3.8061) < 1e-3);
  CHECK_THAT(high.report.log_likelihood, WithinAbs(-1611.16, 0.01));
  // Survival starts at 1, retention rises with tenure (the sBG's selection effect).
  CHECK(survival(regular.params, 0) == 1.0);
  CHECK(retention_rate(regular.params, 2) > retention_rate(regular.params, 1));
  CHECK_THAT(survival(regular.params, 2),
             WithinRel(retention_rate(regular.params, 1) * retention_rate(regular.params, 2), 1e-12));
  CHECK_THROWS_AS(fit_shifted_beta_geometric({1000, 1000, 1000}), crmkit::Error);
  CHECK_THROWS_AS(fit_shifted_beta_geometric({1000, 800, 900}), crmkit::Error);
  CHECK_THROWS_AS(fit_shifted_beta_geometric({1000}), crmkit::Error);
}
