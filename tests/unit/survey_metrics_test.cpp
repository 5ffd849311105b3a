// Pure survey metrics: formulas from METRICS.md §3.1, expected values worked by hand.
#include <catch2/catch.hpp>

#include <cmath>
#include <limits>

#include "analytics/survey_metrics.hpp"
#include "crmkit/error.hpp"

using namespace crmkit::analytics;
using Approx = Catch::Detail::Approx;

namespace {
NpsCounts nps_of(std::initializer_list<std::pair<int, std::int64_t>> cells) {
  NpsCounts c{};
  for (auto [s, n] : cells) c[s] = n;
  return c;
}
}  // namespace

TEST_CASE("NPS: 5 promoters, 3 passives, 2 detractors", "[analytics][nps]") {
  auto f = nps_from_counts(nps_of({{10, 2}, {9, 3}, {8, 1}, {7, 2}, {6, 1}, {0, 1}}));
  CHECK(f.n == 10);
  CHECK(f.promoters == 5);
  CHECK(f.passives == 3);
  CHECK(f.detractors == 2);
  REQUIRE(f.nps);
  CHECK(*f.nps == Approx(30.0));
  // var = pP + pD − (pP − pD)² = .5 + .2 − .09 = .61; SE = 100·sqrt(.61/10)
  REQUIRE(f.standard_error);
  CHECK(*f.standard_error == Approx(24.698178));
  // The −1..1 definition pP(1−NPS)² + p0(0−NPS)² + pD(−1−NPS)² gives the same variance.
  double v = .5 * .7 * .7 + .3 * .3 * .3 + .2 * 1.3 * 1.3;
  CHECK(*f.standard_error == Approx(100 * std::sqrt(v / 10)));
  REQUIRE(f.ci_low);
  CHECK(*f.ci_low == Approx(30 - 1.959964 * 24.698178).epsilon(1e-6));
  CHECK(*f.ci_high == Approx(30 + 1.959964 * 24.698178).epsilon(1e-6));
}

TEST_CASE("NPS boundaries: 6 detracts, 7 and 8 are passive, 9 promotes", "[analytics][nps]") {
  auto f = nps_from_counts(nps_of({{6, 1}, {7, 1}, {8, 1}, {9, 1}}));
  CHECK(f.detractors == 1);
  CHECK(f.passives == 2);
  CHECK(f.promoters == 1);
  CHECK(*f.nps == Approx(0.0));
  auto g = nps_from_counts(nps_counts({6, 9}));
  CHECK(*g.nps == Approx(0.0));
}

TEST_CASE("NPS edge cases: empty, single response, all promoters, all detractors", "[analytics][nps]") {
  auto empty = nps_from_counts(NpsCounts{});
  CHECK(empty.n == 0);
  CHECK_FALSE(empty.nps);  // undefined, never 0
  CHECK_FALSE(empty.standard_error);
  CHECK_FALSE(empty.ci_low);

  auto one = nps_from_counts(nps_of({{10, 1}}));
  CHECK(*one.nps == Approx(100.0));
  CHECK_FALSE(one.standard_error);  // N >= 2 for a meaningful SE

  auto all = nps_from_counts(nps_of({{9, 4}, {10, 6}}));
  CHECK(*all.nps == Approx(100.0));
  CHECK(*all.standard_error == Approx(0.0).margin(1e-12));
  CHECK(*all.ci_low == Approx(100.0));
  CHECK(*all.ci_high == Approx(100.0));

  auto none = nps_from_counts(nps_of({{0, 3}}));
  CHECK(*none.nps == Approx(-100.0));
  CHECK(*none.ci_low >= -100.0);

  // Confidence interval is clamped to the scale.
  auto wide = nps_from_counts(nps_of({{10, 2}, {0, 1}}));
  CHECK(*wide.ci_high <= 100.0);
  CHECK(*wide.ci_low >= -100.0);
}

TEST_CASE("NPS confidence level option", "[analytics][nps]") {
  CHECK(normal_z(0.95) == Approx(1.959964).epsilon(1e-6));
  CHECK(normal_z(0.90) == Approx(1.644854).epsilon(1e-6));
  CHECK(normal_z(0.99) == Approx(2.575829).epsilon(1e-6));
  auto f = nps_from_counts(nps_of({{10, 5}, {8, 3}, {3, 2}}), 0.90);
  CHECK(*f.ci_high - *f.nps == Approx(1.644854 * *f.standard_error).epsilon(1e-6));
  CHECK_THROWS_AS(normal_z(1.0), crmkit::Error);
  CHECK_THROWS_AS(normal_z(0.0), crmkit::Error);
  CHECK_THROWS_AS(normal_z(std::nan("")), crmkit::Error);
  CHECK_THROWS_AS(nps_from_counts(NpsCounts{}, 1.5), crmkit::Error);
}

TEST_CASE("raw scores: NaN, fractions and out-of-range values are excluded, not zeros", "[analytics][nps]") {
  double nan = std::numeric_limits<double>::quiet_NaN();
  auto c = nps_counts({10, 9, 0, nan, 11, -1, 7.5, std::numeric_limits<double>::infinity()});
  auto f = nps_from_counts(c);
  CHECK(f.n == 3);
  CHECK(*f.nps == Approx(100.0 / 3));
  CHECK(csat_from_counts(csat_counts({0, 6, nan})).n == 0);
  CHECK(ces_from_counts(ces_counts({0, 8, 7})).n == 1);
}

TEST_CASE("CSAT: share of 4-5 among valid 1..5, and the mean-score variant", "[analytics][csat]") {
  auto f = csat_from_counts(csat_counts({5, 4, 3, 2, 1, 5}));
  CHECK(f.n == 6);
  CHECK(f.satisfied == 3);
  CHECK(*f.csat_percent == Approx(50.0));
  CHECK(*f.mean_score == Approx(20.0 / 6));
  // Boundary: 3 is not satisfied, 4 is.
  CHECK(*csat_from_counts(csat_counts({3})).csat_percent == Approx(0.0));
  CHECK(*csat_from_counts(csat_counts({4})).csat_percent == Approx(100.0));
  auto e = csat_from_counts(CsatCounts{});
  CHECK_FALSE(e.csat_percent);
  CHECK_FALSE(e.mean_score);
}

TEST_CASE("CES: mean score, index %(6-7) - %(1-3), % agree (5-7)", "[analytics][ces]") {
  auto f = ces_from_counts(ces_counts({1, 2, 3, 4, 5, 6, 7}));
  CHECK(f.n == 7);
  CHECK(*f.mean_score == Approx(4.0));
  CHECK(*f.index == Approx(100.0 * (2 - 3) / 7));
  CHECK(*f.percent_agree == Approx(300.0 / 7));
  // Boundaries: 3 is low, 4 neutral, 5 agrees but is not high, 6 is high.
  auto b = ces_from_counts(ces_counts({3, 4, 5, 6}));
  CHECK(b.low == 1);
  CHECK(b.agree == 2);
  CHECK(b.high == 1);
  CHECK(*b.index == Approx(0.0));
  auto all = ces_from_counts(ces_counts({7, 7, 6}));
  CHECK(*all.index == Approx(100.0));
  CHECK(*all.percent_agree == Approx(100.0));
  auto e = ces_from_counts(CesCounts{});
  CHECK_FALSE(e.mean_score);
  CHECK_FALSE(e.index);
  CHECK_FALSE(e.percent_agree);
}
