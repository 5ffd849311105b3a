// Workload 2: a customer's 50 newest interactions through the C API iterator, against the raw
// indexed query reading the same columns. p50 and p99 over random customers.
#include <algorithm>

#include <fmt/format.h>

#include "bench.hpp"
#include "crmkit.h"
#include "fixture.hpp"

namespace bench {
namespace {

double percentile(std::vector<double> v, double q) {
  std::sort(v.begin(), v.end());
  return v[static_cast<std::size_t>(q * (v.size() - 1))];
}

void timeline(const Options& o, std::vector<Row>& rows) {
  const std::string& path = shared_database(o);
  const int kReads = 20'000;
  Rng rng(o.seed + 2);
  std::vector<std::int64_t> who(kReads);
  for (auto& c : who) c = 1 + rng.below(o.customers);

  std::vector<double> ours(kReads), raw(kReads);
  std::int64_t checksum_ours = 0, checksum_raw = 0;
  crmkit_db* db = nullptr;
  if (crmkit_db_open(&db, path.c_str(), nullptr) != CRMKIT_OK) throw std::runtime_error(crmkit_last_error_message());
  SQLite::Database rawdb(path, SQLite::OPEN_READONLY);
  SQLite::Statement q(rawdb,
                      "SELECT id, customer_id, external_id, occurred_at, channel, kind, direction, amount, currency, "
                      "margin, subject, notes, attributes FROM interactions WHERE customer_id = ? "
                      "ORDER BY occurred_at DESC, id DESC LIMIT 50");
  // Interleave the two so that cache warmth and machine noise hit both alike.
  for (int i = 0; i < kReads; ++i) {
    auto t0 = Clock::now();
    crmkit_interaction_iter* it = nullptr;
    crmkit_interaction_iter_new(&it, db, who[i], nullptr, nullptr, INT64_MIN, INT64_MAX);
    for (int n = 0; n < 50 && crmkit_interaction_iter_next(it) == CRMKIT_OK; ++n)
      checksum_ours += crmkit_interaction_iter_id(it);
    crmkit_interaction_iter_free(it);
    ours[i] = seconds_since(t0);

    t0 = Clock::now();
    q.bind(1, static_cast<int64_t>(who[i]));
    while (q.executeStep()) {
      checksum_raw += q.getColumn(0).getInt64();
      for (int c = 1; c < 13; ++c) (void)q.getColumn(c).getText();
    }
    q.reset();
    raw[i] = seconds_since(t0);
  }
  crmkit_db_close(db);
  if (checksum_ours != checksum_raw) throw std::runtime_error("timeline: crmkit and raw read different rows");
  for (double q50 : {0.5, 0.99}) {
    double a = percentile(ours, q50), b = percentile(raw, q50);
    rows.push_back({fmt::format("2. timeline, 50 newest (p{})", q50 == 0.5 ? 50 : 99),
                    fmt::format("{} reads, {} customers", kReads, o.customers), a, b, "raw indexed SELECT", a / b,
                    "<= 1.30", a / b <= 1.3 ? "met" : "MISSED", ""});
  }
}

RegisterWorkload reg("2", "timeline reads vs the raw indexed query", &timeline);

}  // namespace
}  // namespace bench
