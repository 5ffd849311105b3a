// A deterministic synthetic population shared by the workloads: customers with
// buy-till-you-die purchase histories plus other touchpoints, as plain rows that both the
// crmkit path and the raw-SQLite baseline insert.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace bench {

struct FactRow {
  std::int64_t customer;     // 1-based index; customers get ids 1..N in both paths
  std::int64_t occurred_at;  // ms UTC
  const char* kind;          // "purchase", "refund", "support", "email_open", "visit"
  const char* channel;
  std::int64_t amount;       // minor units; meaningful for purchase/refund only
  bool has_amount;
};

struct Population {
  std::int64_t customers = 0;
  std::int64_t start = 0;  // window start (ms)
  std::int64_t end = 0;    // window end (ms)
  std::vector<FactRow> facts;  // in generation order (per customer, roughly chronological)
};

// About `per_customer` facts each, 60% purchases, over 2024-01-01 .. 2025-12-31.
Population make_population(std::int64_t customers, int per_customer, std::uint64_t seed);

// SplitMix64: tiny, fast and identical everywhere (std distributions are not portable).
struct Rng {
  std::uint64_t state;
  explicit Rng(std::uint64_t seed) : state(seed) {}
  std::uint64_t next() {
    std::uint64_t z = (state += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
  }
  double uniform() { return (next() >> 11) * (1.0 / 9007199254740992.0); }
  std::int64_t below(std::int64_t n) { return static_cast<std::int64_t>(uniform() * n); }
};

}  // namespace bench
