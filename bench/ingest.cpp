// Workload 1: batch ingest through the C API against raw prepared inserts into the same
// tables and indexes. crmkit does more per row (validation, idempotency, per-customer figures
// kept current in the same transaction); the target is to keep that within 30% of raw.
#include <fmt/format.h>

#include "bench.hpp"
#include "fixture.hpp"

namespace bench {
namespace {

struct IngestTimes {
  double crmkit_s;
  double raw_s;
};

IngestTimes measure_ingest(const Options& o, std::int64_t customers, int per_customer) {
  Population p = make_population(customers, per_customer, o.seed);
  std::string ours = temp_path(o.work_dir, "ingest-crmkit");
  std::string raw = temp_path(o.work_dir, "ingest-raw");
  create_customers_crmkit(ours, customers);
  create_customers_crmkit(raw, customers);
  auto t0 = Clock::now();
  insert_facts_capi(ours, p);
  double ours_s = seconds_since(t0);
  double raw_s;
  {
    SQLite::Database db(raw, SQLite::OPEN_READWRITE);
    db.exec("PRAGMA journal_mode = WAL");
    db.exec("PRAGMA synchronous = NORMAL");
    db.exec("PRAGMA foreign_keys = ON");
    t0 = Clock::now();
    insert_facts_raw(db, p);
    raw_s = seconds_since(t0);
  }
  remove_db(ours);
  remove_db(raw);
  return {ours_s, raw_s};
}

void ingest(const Options& o, std::vector<Row>& rows) {
  Population probe = make_population(o.customers, o.interactions_per_customer, o.seed);
  auto t = measure_ingest(o, o.customers, o.interactions_per_customer);
  double n = static_cast<double>(probe.facts.size());
  rows.push_back({"1. ingest (C API batch, one transaction)",
                  fmt::format("{} interactions / {} customers", probe.facts.size(), o.customers), t.crmkit_s, t.raw_s,
                  "raw sqlite3 prepared INSERTs, same tables+indexes", t.raw_s / t.crmkit_s, ">= 0.70 (rate)",
                  t.raw_s / t.crmkit_s >= 0.7 ? "met" : "MISSED",
                  fmt::format("{:.0f} rows/s vs {:.0f} rows/s", n / t.crmkit_s, n / t.raw_s)});
}

RegisterWorkload reg("1", "ingest through the C API batch vs raw inserts", &ingest);

}  // namespace
}  // namespace bench
