// Workload 6: the monthly cohort retention matrix and NPS by month, against equivalent
// hand-written SQL over the same tables (one million interactions by default).
#include <map>

#include <fmt/format.h>

#include "bench.hpp"
#include "crmkit/retention.hpp"
#include "crmkit/survey.hpp"
#include "fixture.hpp"

namespace bench {

// One NPS answer per five customers' purchases, recorded through crmkit (set-up, untimed).
void add_responses(crmkit::Store& store, const Population& p, std::uint64_t seed) {
  crmkit::Surveys surveys(store);
  crmkit::Transaction tx(store);
  std::vector<crmkit::SurveyResponse> batch;
  Rng rng(seed);
  for (const auto& f : p.facts) {
    if (std::string(f.kind) != "purchase" || rng.below(5) != 0) continue;
    crmkit::SurveyResponse r;
    r.customer_id = f.customer;
    r.kind = crmkit::SurveyKind::nps;
    r.score = static_cast<double>(rng.below(11));
    r.occurred_at = f.occurred_at + 3'600'000;
    r.channel = crmkit::Channel::email;
    batch.push_back(r);
    if (batch.size() == 50'000) { surveys.record_batch(batch); batch.clear(); }
  }
  if (!batch.empty()) surveys.record_batch(batch);
  tx.commit();
}

namespace {

// Survey responses for the shared database, once.
void add_responses(const std::string& path, const Population& p, std::uint64_t seed) {
  crmkit::Store store = crmkit::Store::open(path);
  {
    SQLite::Database db(path, SQLite::OPEN_READONLY);
    if (db.execAndGet("SELECT count(*) FROM survey_responses").getInt64() > 0) return;
  }
  add_responses(store, p, seed);
}

void metrics(const Options& o, std::vector<Row>& rows) {
  Population p;
  const std::string& path = shared_database(o, &p);
  add_responses(path, p, o.seed + 6);
  crmkit::Store store = crmkit::Store::open(path);
  SQLite::Database db(path, SQLite::OPEN_READONLY);
  std::string size = fmt::format("{} interactions", p.facts.size());

  crmkit::RetentionMetrics retention(store);
  crmkit::CohortQuery cq;
  cq.periods = 12;
  crmkit::CohortMatrix matrix;
  double ours_s = best_of(3, [&] { matrix = retention.cohorts(cq); });
  std::int64_t cells = 0;
  SQLite::Statement cohort_sql(db,
      "WITH p AS (SELECT customer_id, CAST(strftime('%Y', occurred_at / 1000, 'unixepoch') AS INT) * 12 + "
      "CAST(strftime('%m', occurred_at / 1000, 'unixepoch') AS INT) AS m FROM interactions WHERE kind = 'purchase'), "
      "f AS (SELECT customer_id, min(m) AS m0 FROM p GROUP BY customer_id) "
      "SELECT f.m0, p.m - f.m0 AS k, count(DISTINCT p.customer_id) FROM p JOIN f USING (customer_id) "
      "WHERE p.m - f.m0 < 12 GROUP BY 1, 2");
  double sql_s = best_of(3, [&] {
    cells = 0;
    while (cohort_sql.executeStep()) ++cells;
    cohort_sql.reset();
  });
  rows.push_back({"6. cohort matrix, monthly, 12 periods", size, ours_s, sql_s, "hand-written SQL (GROUP BY)",
                  ours_s / sql_s, "<= 1.50", ours_s / sql_s <= 1.5 ? "met" : "MISSED",
                  fmt::format("{} cohorts", matrix.rows.size())});

  crmkit::SurveyMetrics surveys(store);
  crmkit::SurveyMetricQuery nq;
  nq.by = crmkit::MetricGrouping::month;
  crmkit::NpsTable nps;
  double nps_s = best_of(3, [&] { nps = surveys.nps(nq); });
  SQLite::Statement nps_sql(db,
      "SELECT strftime('%Y-%m', occurred_at / 1000, 'unixepoch') AS month, count(*), sum(score >= 9), "
      "sum(score <= 6) FROM survey_responses WHERE kind = 'nps' GROUP BY month");
  std::int64_t groups = 0;
  double nps_sql_s = best_of(3, [&] {
    groups = 0;
    while (nps_sql.executeStep()) ++groups;
    nps_sql.reset();
  });
  std::int64_t responses = db.execAndGet("SELECT count(*) FROM survey_responses").getInt64();
  rows.push_back({"6. NPS by month (with SE and CI)", fmt::format("{} responses", responses), nps_s, nps_sql_s,
                  "hand-written SQL (GROUP BY)", nps_s / nps_sql_s, "<= 1.50", nps_s / nps_sql_s <= 1.5 ? "met" : "MISSED",
                  fmt::format("{} months", groups)});
}

RegisterWorkload reg("6", "cohort retention and NPS vs hand-written SQL", &metrics);

}  // namespace
}  // namespace bench
