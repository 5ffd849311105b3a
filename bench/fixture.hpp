// Databases for the workloads: one populated through crmkit, one through raw SQLite with the
// same schema, so every baseline reads and writes the same tables and indexes.
#pragma once

#include <cstdint>
#include <string>

#include <SQLiteCpp/Database.h>

#include "bench.hpp"
#include "population.hpp"
#include "crmkit/store.hpp"

namespace bench {

std::string temp_path(const std::string& dir, const std::string& name);  // removes old files
void remove_db(const std::string& path);

// Creates `customers` customers with ids 1..N (not timed by callers).
void create_customers_crmkit(const std::string& path, std::int64_t customers);
void create_customers_raw(SQLite::Database& db, std::int64_t customers);
// The profile of the next customer (create_customers_raw draws them for ids 1..N from
// Rng(N)); the PostgreSQL rows write the same profiles.
struct CustomerProfile {
  const char* gender;
  const char* country;
  const char* stage;
  std::string birth_date;
};
CustomerProfile draw_profile(Rng& rng);

// The raw-SQLite ingest: prepared inserts of the facts into `interactions`, one transaction.
// Run on a connection set up by raw_ingest_settings: the journal, sync mode, foreign keys and
// page cache crmkit itself uses while it records a batch, so that the baseline differs from
// crmkit only in what crmkit does per row.
void raw_ingest_settings(SQLite::Database& db);
void insert_facts_raw(SQLite::Database& db, const Population& p);

// The crmkit ingest through the C API batch in one explicit transaction (batches of 50,000).
// path may be a PostgreSQL URI, with the tenant to open there.
void insert_facts_capi(const std::string& path, const Population& p, const char* tenant = nullptr);
// One NPS answer per five customers' purchases, through crmkit (workload 6 and its PostgreSQL rows).
void add_responses(crmkit::Store& store, const Population& p, std::uint64_t seed);

// The segment rule of workload 5, five leaves with one behavioural (the last), over the profile
// create_customers_raw writes. segments.cpp holds its hand-written SQL twin; the scaling series
// times the same rule at every size.
inline const char* const kFiveLeafRule = R"({"all": [
  {"field": "gender", "op": "eq", "value": "F"},
  {"field": "country", "op": "in", "value": ["US", "DE", "GB"]},
  {"field": "lifecycle_stage", "op": "ne", "value": "churned"},
  {"field": "purchase_count", "op": "gte", "value": 2},
  {"agg": "count", "where": {"kind": "purchase"}, "window": {"last": 6, "unit": "month"}, "op": "gte", "value": 1}
]})";

// A crmkit database populated through the C API, reused by several workloads.
const std::string& shared_database(const Options& o, Population* population_out = nullptr);

}  // namespace bench
