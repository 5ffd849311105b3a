// Speed of a compiled rule against equivalent hand-written SQL, in the same run, on 100,000
// customers and about 1,000,000 interactions. Hidden ([.bench]); run in a Release build:
//   ./tests/crmkit_tests "[.bench]" -s
#include <catch2/catch.hpp>

#include <chrono>

#include "crmkit/segment.hpp"
#include "segment_world.hpp"

TEST_CASE("compiled five-leaf rule vs hand-written SQL", "[.bench][segments][sqlite]") {
  using clock = std::chrono::steady_clock;
  const auto t0 = clock::now();
  const auto world = segtest::World::make(99, 100'000, 20);  // 0..20 interactions each: ~1M
  crmkit::Store store = segtest::store_of(world);
  std::int64_t interactions = crmkit::detail::connection_of(store).db.execAndGet("SELECT count(*) FROM interactions").getInt64();
  WARN("population: 100000 customers, " << interactions << " interactions, built in "
       << std::chrono::duration<double>(clock::now() - t0).count() << " s");
  crmkit::Segments segs(store);
  const crmkit::Instant as_of = crmkit::end_of_day(crmkit::day_from_civil({2024, 8, 30}));
  const std::string rule = R"({"all":[
      {"field":"gender","op":"eq","value":"F"},
      {"field":"age","op":"between","value":[30,50]},
      {"field":"country","op":"in","value":["DE","FR"]},
      {"field":"purchase_count","op":"gte","value":2},
      {"agg":"count","where":{"kind":"purchase"},"window":{"last":6,"unit":"month"},"op":"gte","value":1}]})";
  // Hand-written equivalent: constants inline, the window start computed by hand
  // (2024-08-31 00:00 minus 6 months = 2024-02-29 00:00 UTC = 1709164800000 ms).
  const std::string hand =
      "SELECT count(*) FROM customers c LEFT JOIN customer_figures f ON f.customer_id = c.id "
      "WHERE c.gender = 'F' "
      "AND (2024 - CAST(substr(c.birth_date, 1, 4) AS INTEGER) - (substr(c.birth_date, 6, 5) > '08-30')) "
      "BETWEEN 30 AND 50 "
      "AND c.country IN ('DE', 'FR') AND coalesce(f.purchase_count, 0) >= 2 "
      "AND (SELECT count(*) FROM interactions i WHERE i.customer_id = c.id AND i.kind = 'purchase' "
      "AND i.occurred_at >= 1709164800000 AND i.occurred_at < 1725062400000) >= 1";
  double best_rule = 1e9, best_hand = 1e9;
  std::int64_t n_rule = -1, n_hand = -2;
  auto run_rule = [&] {
    auto a = clock::now();
    n_rule = segs.count(rule, as_of);  // parse + validate + compile + prepare + run
    best_rule = std::min(best_rule, std::chrono::duration<double>(clock::now() - a).count());
  };
  auto run_hand = [&] {
    auto a = clock::now();
    auto st = crmkit::detail::connection_of(store).db.statement(hand);
    st->executeStep();
    n_hand = st->getColumn(0).getInt64();
    best_hand = std::min(best_hand, std::chrono::duration<double>(clock::now() - a).count());
  };
  for (int round = 0; round < 6; ++round) {  // alternate which runs first
    if (round % 2) {
      run_hand();
      run_rule();
    } else {
      run_rule();
      run_hand();
    }
  }
  CHECK(n_rule == n_hand);
  CHECK(n_rule > 100);
  WARN("matches " << n_rule << "; compiled rule " << best_rule * 1000 << " ms, hand-written SQL "
       << best_hand * 1000 << " ms, ratio " << best_rule / best_hand << " (best of 6)");
  CHECK(best_rule / best_hand <= 1.5);
}
