// Workload 9: the whole report (build_report, every section) against the full scans the report
// made before it kept month cells (overview counts, channel x kind, revenue by month: every
// interaction read), each in a process of its own so that its peak memory is its own and not
// the bench's (which holds the generated population). The report reads kept figures, so its
// time and memory should grow with customers and months, not interactions.
//
// The size is the bench's: --customers N --per-customer K. The case (1M customers, 10M
// interactions; generating it takes a while) is
//   crmkit-bench --only 9 --customers 1000000 --per-customer 10 --no-scaling --no-big
#include <cstdio>
#include <cstring>
#include <string>

#include <fmt/format.h>

#include <SQLiteCpp/Database.h>
#include <SQLiteCpp/Statement.h>

#include "bench.hpp"
#include "crmkit/report.hpp"
#include "fixture.hpp"

namespace bench {

namespace {

// The scans the report made before migration 0009, as one read of every interaction each.
void old_scans(const std::string& path) {
  SQLite::Database db(path, SQLite::OPEN_READONLY);
  for (const char* sql : {"SELECT count(*), sum(kind = 'purchase'), sum(kind = 'refund') FROM interactions",
                          "SELECT channel, kind, count(*) FROM interactions GROUP BY channel, kind",
                          "SELECT occurred_at, currency, amount FROM interactions WHERE kind = 'purchase'"}) {
    SQLite::Statement q(db, sql);
    while (q.executeStep()) {
    }
  }
}

struct Measured {
  double seconds = 0;
  std::int64_t peak_kib = 0;
};

// Runs `crmkit-bench --child report MODE PATH` and reads "seconds peak_kib" from it.
Measured in_child(const std::string& mode, const std::string& path) {
  const std::string text = run_child({"report", mode, path});
  Measured m;
  if (std::sscanf(text.c_str(), "%lf %lld", &m.seconds, reinterpret_cast<long long*>(&m.peak_kib)) != 2)
    throw std::runtime_error("the report child printed: " + text);
  return m;
}

Measured best_child(const std::string& mode, const std::string& path) {
  Measured best{1e300, 0};
  for (int i = 0; i < 3; ++i) {
    Measured m = in_child(mode, path);
    best.seconds = std::min(best.seconds, m.seconds);
    best.peak_kib = std::max(best.peak_kib, m.peak_kib);
  }
  return best;
}

void report(const Options& o, std::vector<Row>& rows) {
  std::size_t facts = 0;
  std::string path;
  {
    Population p;
    path = shared_database(o, &p);
    facts = p.facts.size();
  }
  const Measured r = best_child("report", path);
  const Measured scan = best_child("scan", path);
  const std::string size = fmt::format("{} customers, {} interactions", o.customers, facts);
  const auto mib = [](std::int64_t kib) { return static_cast<double>(kib) / 1024.0; };
  const bool within = mib(r.peak_kib) <= 200;
  rows.push_back({"9. report, every section (build_report)", size, r.seconds, scan.seconds,
                  "the report's old full scans of interactions", r.seconds / scan.seconds, "max RSS <= 200 MiB",
                  within ? "met" : "MISSED",
                  fmt::format("max RSS {:.0f} MiB (own process; the old scans' process: {:.0f} MiB)", mib(r.peak_kib),
                              mib(scan.peak_kib))});
}

RegisterWorkload reg("9", "the report vs its old full scans, each with its own max RSS", &report);

// The child side of in_child: one timed run, "seconds peak_kib" on stdout.
int report_child(const std::vector<std::string>& args) {
  if (args.size() != 2) return 2;
  const std::string &mode = args[0], &path = args[1];
  const auto t0 = Clock::now();
  if (mode == "report") {
    crmkit::Store store = crmkit::Store::open(path, {});
    crmkit::Report r = crmkit::build_report(store, {});
    if (r.overview.customers < 0) return 1;
  } else if (mode == "scan") {
    old_scans(path);
  } else {
    return 2;
  }
  std::printf("%.6f %lld\n", seconds_since(t0), static_cast<long long>(image_peak_rss_kib()));
  return 0;
}

RegisterChild child("report", &report_child);

}  // namespace

}  // namespace bench
