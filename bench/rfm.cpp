// Workload 3: RFM scores for every customer, against one sequential scan of the interactions
// (the lower bound for computing it from the facts). crmkit reads the per-customer figures
// kept current at ingest, so it should beat the scan; the scan path is shown too.
#include <fmt/format.h>

#include "bench.hpp"
#include "crmkit/value.hpp"
#include "fixture.hpp"

namespace bench {
namespace {

void rfm(const Options& o, std::vector<Row>& rows) {
  Population p;
  const std::string& path = shared_database(o, &p);
  crmkit::Store store = crmkit::Store::open(path);
  crmkit::CustomerValue value(store);
  crmkit::RfmRequest request;
  request.as_of = p.end;
  crmkit::RfmResult figures_result, scan_result;
  double figures_s = best_of(3, [&] { figures_result = value.rfm(request); });
  request.allow_figures = false;
  double scan_path_s = best_of(3, [&] { scan_result = value.rfm(request); });

  // The baseline: read every interaction once, in storage order, accumulating R/F/M inputs.
  std::vector<std::int64_t> last(static_cast<std::size_t>(o.customers) + 1, 0), count(last.size(), 0),
      total(last.size(), 0);
  double scan_s = best_of(3, [&] {
    SQLite::Database db(path, SQLite::OPEN_READONLY);
    SQLite::Statement q(db, "SELECT customer_id, occurred_at, amount FROM interactions WHERE kind = 'purchase'");
    while (q.executeStep()) {
      auto c = static_cast<std::size_t>(q.getColumn(0).getInt64());
      last[c] = std::max(last[c], q.getColumn(1).getInt64());
      ++count[c];
      total[c] += q.getColumn(2).getInt64();
    }
  });
  if (!figures_result.from_figures) throw std::runtime_error("rfm: expected the figures path");
  std::string size = fmt::format("{} customers, {} interactions", o.customers, p.facts.size());
  rows.push_back({"3. RFM scores + segments, stored (figures)", size, figures_s, scan_s,
                  "one sequential scan of interactions", figures_s / scan_s, "<= 1.00",
                  figures_s / scan_s <= 1.0 ? "met" : "MISSED",
                  fmt::format("{} customers scored", figures_result.customers.size())});
  rows.push_back({"3. RFM scores + segments, stored (scan path)", size, scan_path_s, scan_s,
                  "one sequential scan of interactions", scan_path_s / scan_s, "", "info", "as_of before the last fact"});
}

RegisterWorkload reg("3", "RFM scoring vs one sequential scan", &rfm);

}  // namespace
}  // namespace bench
