// Workload 5: a five-leaf segment rule with one behavioural leaf, compiled by crmkit, against
// the equivalent hand-written SQL with literal values. Both must count the same customers.
#include <fmt/format.h>

#include "bench.hpp"
#include "crmkit/segment.hpp"
#include "crmkit/time.hpp"
#include "fixture.hpp"

namespace bench {
namespace {

void segments(const Options& o, std::vector<Row>& rows) {
  Population p;
  const std::string& path = shared_database(o, &p);
  crmkit::Store store = crmkit::Store::open(path);
  crmkit::Segments segs(store);
  const crmkit::Instant as_of = p.end;
  auto d = crmkit::civil_from_day(crmkit::day_of(as_of));
  const crmkit::Instant from = crmkit::start_of_day(crmkit::day_from_civil(crmkit::add_months(d, -6)));

  std::int64_t ours = 0, theirs = 0;
  SQLite::Database db(path, SQLite::OPEN_READONLY);
  SQLite::Statement q(db, fmt::format(
      "SELECT count(*) FROM customers c LEFT JOIN customer_figures f ON f.customer_id = c.id "
      "WHERE c.gender = 'F' AND c.country IN ('US', 'DE', 'GB') AND c.lifecycle_stage <> 'churned' "
      "AND f.purchase_count >= 2 AND (SELECT count(*) FROM interactions i WHERE i.customer_id = c.id "
      "AND i.kind = 'purchase' AND i.occurred_at >= {} AND i.occurred_at < {}) >= 1", from, as_of));
  // Alternate the order so that neither side always runs on a warmer cache.
  double ours_s = 1e300, theirs_s = 1e300;
  for (int round = 0; round < 6; ++round) {
    auto run_ours = [&] {
      auto t0 = Clock::now();
      ours = segs.count(kFiveLeafRule, as_of);
      ours_s = std::min(ours_s, seconds_since(t0));
    };
    auto run_theirs = [&] {
      auto t0 = Clock::now();
      q.executeStep();
      theirs = q.getColumn(0).getInt64();
      q.reset();
      theirs_s = std::min(theirs_s, seconds_since(t0));
    };
    if (round % 2) { run_ours(); run_theirs(); } else { run_theirs(); run_ours(); }
  }
  if (ours != theirs)
    throw std::runtime_error(fmt::format("segments: crmkit counted {}, hand-written SQL {}", ours, theirs));
  rows.push_back({"5. segment count, 5 leaves (1 behavioural)",
                  fmt::format("{} customers, {} interactions", o.customers, p.facts.size()), ours_s, theirs_s,
                  "hand-written SQL, literal values", ours_s / theirs_s, "<= 1.50",
                  ours_s / theirs_s <= 1.5 ? "met" : "MISSED", fmt::format("{} members; parse+compile included", ours)});
}

RegisterWorkload reg("5", "segment evaluation vs hand-written SQL", &segments);

}  // namespace
}  // namespace bench
