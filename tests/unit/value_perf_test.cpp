// Timing of the value pipeline on a synthetic population (hidden: run explicitly with
//   crmkit_tests "[.value-perf]"   and CRMKIT_VALUE_PERF_CUSTOMERS=1000000 for the 1M figure).
#include <catch2/catch.hpp>

#include <chrono>
#include <ctime>
#include <cstdio>
#include <cstdlib>
#include <random>

#include "crmkit/customer.hpp"
#include "crmkit/interaction.hpp"
#include "crmkit/value.hpp"
#include "temp_dir.hpp"
#include "value_test_data.hpp"

using namespace crmkit;

TEST_CASE("value pipeline timing on a synthetic population", "[.value-perf]") {
  const char* env = std::getenv("CRMKIT_VALUE_PERF_CUSTOMERS");
  const int n = env ? std::atoi(env) : 100'000;
  TempDir dir;
  // CRMKIT_VALUE_PERF_MEMORY=1: an in-memory store (separates CPU from disk waits).
  Store s = Store::open(std::getenv("CRMKIT_VALUE_PERF_MEMORY") ? std::string(":memory:") : dir.file("perf.db"));
  std::mt19937_64 rng(7);
  const Instant start = start_of_day(parse_date("2023-01-01"));
  // CPU seconds of this process since a mark (the machine is shared: wall time is noisy).
  std::clock_t mark = std::clock();
  auto secs = [&mark](auto) {
    double c = static_cast<double>(std::clock() - mark) / CLOCKS_PER_SEC;
    mark = std::clock();
    return c;
  };
  std::size_t purchases = 0;
  {
    Transaction tx(s);
    std::vector<Interaction> batch;
    std::exponential_distribution<double> gap(1.0 / 60);  // days between purchases
    std::uniform_int_distribution<int> first(0, 364), amount(500, 20000);
    std::geometric_distribution<int> extra(0.45);
    for (int i = 0; i < n; ++i) {
      auto id = value_test::add_customer(s, "p" + std::to_string(i));
      double day = first(rng);
      int k = 1 + extra(rng);
      for (int j = 0; j < k && day < 730; ++j) {
        batch.push_back(value_test::purchase(id, start + static_cast<Instant>(day * kMillisPerDay), amount(rng)));
        day += gap(rng);
      }
      if (batch.size() >= 10'000) {
        purchases += batch.size();
        Interactions(s).record_batch(batch);
        batch.clear();
      }
    }
    purchases += batch.size();
    Interactions(s).record_batch(batch);
    tx.commit();
  }
  std::printf("population: %d customers, %zu purchases, %.2f s cpu\n", n, purchases, secs(0));
  CustomerValue v(s);
  const Instant end = end_of_day(parse_date("2024-12-31"));

  mark = std::clock();
  ModelInputOptions o;
  o.calibration_end = end;
  auto in = v.model_inputs(o);
  std::printf("model inputs: %zu customers in %.3f s cpu\n", in.customers.size(), secs(0));

  mark = std::clock();
  FitRequest f;
  f.calibration_end = end;
  auto bg = v.fit(f);
  std::printf("fit bgnbd (inputs + fit + save): %.3f s, converged %d, LL %.2f\n", secs(0), bg.converged,
              bg.log_likelihood);
  mark = std::clock();
  f.kind = ValueModelKind::gg;
  auto gg = v.fit(f);
  std::printf("fit gg: %.3f s cpu\n", secs(0));

  mark = std::clock();
  ScoreRequest r;
  r.transaction_model_id = bg.id;
  r.spend_model_id = gg.id;
  r.as_of = end;
  auto sum = v.score(r);
  std::printf("score (12 months, CLV at 1%%/month): %lld customers in %.3f s cpu\n",
              static_cast<long long>(sum.customers), secs(0));

  // The maths alone, for the split between computing and writing.
  {
    mark = std::clock();
    auto h = in.histories();
    clv::PurchaseModel pm = clv::BgNbdParams{bg.param("r"), bg.param("alpha"), bg.param("a"), bg.param("b")};
    auto pa = clv::p_alive(pm, h);
    auto ey = clv::conditional_expected_purchases(pm, 12 * 4.345, h);
    std::printf("  of which p_alive + E[Y]: %.3f s cpu\n", secs(0));
    std::vector<double> margin(h.size(), 30.0);
    auto cl = clv::customer_lifetime_value(pm, clv::MonthlyHorizon(clv::TimeUnit::week, 12, 0.01), h, margin);
    std::printf("  of which CLV DCF (12 months): %.3f s cpu\n", secs(0));
    CHECK(pa.size() + ey.size() + cl.size() == 3 * h.size());
  }
  mark = std::clock();
  RfmRequest q;
  q.as_of = end;
  auto rf = v.rfm(q);
  std::printf("rfm from figures: %zu customers in %.3f s (figures path %d)\n", rf.customers.size(), secs(0),
              rf.from_figures);
  mark = std::clock();
  q.allow_figures = false;
  rf = v.rfm(q);
  std::printf("rfm scanning interactions: %zu customers in %.3f s cpu\n", rf.customers.size(), secs(0));
  std::printf("cpu total %.2f s cpu\n", static_cast<double>(std::clock()) / CLOCKS_PER_SEC);
  CHECK(sum.customers == n);
}
