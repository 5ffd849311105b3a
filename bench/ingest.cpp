// Workload 1: batch ingest through the C API against raw prepared inserts into the same
// tables and indexes, with the same rows in the same order. crmkit does more per row
// (validation, idempotency, per-customer figures kept current in the same transaction); the
// target is to keep that within 30% of raw. Two orders of the same rows: by customer (a
// favourable export) and by time (as ERP and shop logs come), where every batch touches
// customers all over the file. Bytes written are this process's (/proc/self/io write_bytes,
// the WAL and its checkpoint included) over the final file's size.
#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <string>

#include <fmt/format.h>

#include "bench.hpp"
#include "fixture.hpp"

namespace bench {
namespace {

struct Side {
  double seconds = 0;
  double written = 0;  // bytes
  double file = 0;     // bytes of the database after close
};

struct IngestTimes {
  Side ours, raw;
};

IngestTimes measure_ingest(const Options& o, const Population& p) {
  std::string ours = temp_path(o.work_dir, "ingest-crmkit");
  std::string raw = temp_path(o.work_dir, "ingest-raw");
  create_customers_crmkit(ours, p.customers);
  create_customers_crmkit(raw, p.customers);
  IngestTimes t;
  double w0 = bytes_written();
  auto t0 = Clock::now();
  insert_facts_capi(ours, p);  // opens, ingests, closes (the last close checkpoints)
  t.ours.seconds = seconds_since(t0);
  t.ours.written = bytes_written() - w0;
  t.ours.file = static_cast<double>(std::filesystem::file_size(ours));
  w0 = bytes_written();
  t0 = Clock::now();
  {
    SQLite::Database db(raw, SQLite::OPEN_READWRITE);
    raw_ingest_settings(db);
    insert_facts_raw(db, p);
  }
  t.raw.seconds = seconds_since(t0);
  t.raw.written = bytes_written() - w0;
  t.raw.file = static_cast<double>(std::filesystem::file_size(raw));
  remove_db(ours);
  remove_db(raw);
  return t;
}

void add_rows(std::vector<Row>& rows, const std::string& order, const Population& p, const IngestTimes& t) {
  const double n = static_cast<double>(p.facts.size());
  const std::string size = fmt::format("{} interactions / {} customers", p.facts.size(), p.customers);
  const double rate = t.raw.seconds / t.ours.seconds;
  rows.push_back({fmt::format("1. ingest, {} (C API batch, one transaction)", order), size, t.ours.seconds,
                  t.raw.seconds, "raw sqlite3 prepared INSERTs, same tables+indexes, same order", rate,
                  ">= 0.70 (rate)", rate >= 0.7 ? "met" : "MISSED",
                  fmt::format("{:.0f} rows/s vs {:.0f} rows/s", n / t.ours.seconds, n / t.raw.seconds)});
  if (t.ours.written <= 0) return;  // no /proc/self/io here
  const double amplification = t.ours.written / t.ours.file;
  rows.push_back({fmt::format("1. ingest, {}: bytes written / file size", order), size, 0, std::nullopt, "",
                  amplification, "<= 3.00",
                  amplification <= 3 ? "met" : "MISSED",
                  fmt::format("{:.0f} MiB written for a {:.0f} MiB file; raw: {:.0f} MiB for {:.0f} MiB ({:.2f})",
                              t.ours.written / 1048576, t.ours.file / 1048576, t.raw.written / 1048576,
                              t.raw.file / 1048576, t.raw.written / t.raw.file)});
}

void ingest(const Options& o, std::vector<Row>& rows) {
  Population p = make_population(o.customers, o.interactions_per_customer, o.seed);
  // A tenth of the customers, the same shape: the scaling exponent vs rows in each order.
  Population small = make_population(std::max<std::int64_t>(1, o.customers / 10), o.interactions_per_customer, o.seed);
  auto by_time = [](Population& q) {
    std::stable_sort(q.facts.begin(), q.facts.end(),
                     [](const FactRow& a, const FactRow& b) { return a.occurred_at < b.occurred_at; });
  };
  auto exponent_row = [&](const std::string& order, const IngestTimes& big, const IngestTimes& little) {
    const double k = scaling_exponent({static_cast<double>(small.facts.size()), static_cast<double>(p.facts.size())},
                                      {little.ours.seconds, big.ours.seconds});
    rows.push_back({fmt::format("1. ingest, {}: scaling exponent vs rows", order),
                    fmt::format("{}..{} interactions", small.facts.size(), p.facts.size()), 0, std::nullopt, "", k,
                    "<= 1.10", k <= 1.10 ? "met" : "MISSED",
                    fmt::format("time ~ rows^k; {:.2f} s and {:.2f} s", little.ours.seconds, big.ours.seconds)});
  };
  for (const std::string order : {"customer order", "time order"}) {
    if (order == "time order") {
      by_time(p);
      by_time(small);
    }
    progress("ingest in " + order);
    const IngestTimes big = measure_ingest(o, p);
    add_rows(rows, order, p, big);
    exponent_row(order, big, measure_ingest(o, small));
  }
}

RegisterWorkload reg("1", "ingest through the C API batch vs raw inserts, by customer and by time", &ingest);

}  // namespace
}  // namespace bench
