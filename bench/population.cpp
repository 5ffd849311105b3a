#include "population.hpp"

#include <cmath>

namespace bench {

namespace {
constexpr std::int64_t kDay = 86'400'000;
constexpr std::int64_t kStart = 19723 * kDay;  // 2024-01-01
constexpr std::int64_t kEnd = 20454 * kDay;    // 2026-01-01 (exclusive)
constexpr const char* kChannels[] = {"web", "store", "email", "phone", "chat"};
}  // namespace

Population make_population(std::int64_t customers, int per_customer, std::uint64_t seed) {
  Population p;
  p.customers = customers;
  p.start = kStart;
  p.end = kEnd;
  p.facts.reserve(static_cast<std::size_t>(customers) * per_customer);
  Rng rng(seed);
  const std::int64_t span = kEnd - kStart;
  for (std::int64_t c = 1; c <= customers; ++c) {
    // Each customer: a first purchase time, then facts spread after it.
    std::int64_t first = kStart + rng.below(span / 2);
    double spend_scale = 1000 + 9000 * rng.uniform();  // mean order 10..100 USD
    int n = per_customer / 2 + static_cast<int>(rng.below(per_customer + 1));
    std::int64_t t = first;
    for (int i = 0; i < n; ++i) {
      double u = rng.uniform();
      FactRow f{c, t, "purchase", kChannels[rng.below(2)], 0, true};
      if (i > 0) {
        if (u < 0.40) { f.kind = "email_open"; f.channel = "email"; f.has_amount = false; }
        else if (u < 0.48) { f.kind = "support"; f.channel = kChannels[3 + rng.below(2)]; f.has_amount = false; }
        else if (u < 0.50) { f.kind = "refund"; }
      }
      if (f.has_amount) {
        std::int64_t amount = static_cast<std::int64_t>(-std::log(1 - rng.uniform()) * spend_scale) + 99;
        f.amount = std::string(f.kind) == "refund" ? -amount / 2 : amount;
      }
      p.facts.push_back(f);
      t += static_cast<std::int64_t>(-std::log(1 - rng.uniform()) * (span / 2.0 / per_customer));
      if (t >= kEnd) t = kEnd - 1 - rng.below(kDay);
    }
  }
  return p;
}

}  // namespace bench
