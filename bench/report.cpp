// Workload 9: the whole report (build_report, every section) at the shared fixture size, against
// one sequential scan of the interactions, with the process's peak memory before and after: the
// report reads the kept per-customer figures, so it should cost less than the scan and add
// memory in proportion to customers, not interactions.
#include <fmt/format.h>

#include <SQLiteCpp/Database.h>
#include <SQLiteCpp/Statement.h>

#include "bench.hpp"
#include "crmkit/report.hpp"
#include "fixture.hpp"

namespace bench {
namespace {

void report(const Options& o, std::vector<Row>& rows) {
  Population p;
  const std::string& path = shared_database(o, &p);
  crmkit::Store store = crmkit::Store::open(path);
  const std::int64_t rss_before = peak_rss_kib();
  std::size_t sections = 0;
  double report_s = best_of(3, [&] {
    crmkit::Report r = crmkit::build_report(store, {});
    sections = r.revenue_by_month.size() + r.top_customers.size();
  });
  const std::int64_t rss_after = peak_rss_kib();
  std::int64_t purchases = 0;
  double scan_s = best_of(3, [&] {
    SQLite::Database db(path, SQLite::OPEN_READONLY);
    SQLite::Statement q(db, "SELECT customer_id, occurred_at, amount FROM interactions");
    purchases = 0;
    while (q.executeStep()) purchases += q.getColumn(2).isNull() ? 0 : 1;
  });
  rows.push_back({"9. report, every section (build_report)",
                  fmt::format("{} customers, {} interactions", o.customers, p.facts.size()), report_s, scan_s,
                  "one sequential scan of interactions", report_s / scan_s, "", "info",
                  fmt::format("max RSS {:.0f} MiB before the report, {:.0f} MiB after ({} month and top rows)",
                              static_cast<double>(rss_before) / 1024.0, static_cast<double>(rss_after) / 1024.0,
                              sections)});
}

RegisterWorkload reg("9", "the report vs one sequential scan, with max RSS", &report);

}  // namespace
}  // namespace bench
