// Workload pg: the PostgreSQL rows of workloads 1, 2, 3, 5 and 6. Each times crmkit on a
// PostgreSQL tenant against raw libpq doing the same work in the same run: hand-written
// prepared statements and SQL, text parameters, whole results fetched (what crmkit's libpq
// backend does too), on the same tables. Both tenants are made by crmkit's own migrations
// (Store::open), so the raw side writes and reads the same tables, indexes, constraints and
// triggers.
//
// It needs a server: CRMKIT_TEST_POSTGRES (a libpq URI; `make bench` runs the bench under
// tests/postgres/with_server.sh, which starts a private one and sets it). Without it the
// workload prints one "skipped" row. Every crmkit call that fails on PostgreSQL gives its row
// with verdict ERROR and "error: <message>", and the workload goes on to the next row.
//
// Size: --pg-customers (default 10,000 customers, about 100,000 interactions), a tenth of the
// SQLite rows' default, so that these rows take about a minute on the project's 2-core machine
// (every crmkit statement is a round trip to the server). The tenants are named after this
// process and dropped at the end.
#include <libpq-fe.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "bench.hpp"
#include "crmkit.h"
#include "crmkit/retention.hpp"
#include "crmkit/segment.hpp"
#include "crmkit/store.hpp"
#include "crmkit/survey.hpp"
#include "crmkit/time.hpp"
#include "crmkit/value.hpp"
#include "fixture.hpp"

namespace bench {
namespace {

const char* const kSuffix = " (PostgreSQL)";

// One libpq connection to a tenant's schema, for the raw side and the set-up.
class Pg {
 public:
  Pg(const std::string& uri, const std::string& schema) : c_(PQconnectdb(uri.c_str())) {
    if (!c_ || PQstatus(c_) != CONNECTION_OK) {
      std::string why = c_ ? PQerrorMessage(c_) : "out of memory";
      if (c_) PQfinish(c_);
      throw std::runtime_error("cannot connect to PostgreSQL: " + trim(why));
    }
    PQsetNoticeProcessor(c_, [](void*, const char*) {}, nullptr);
    // As crmkit's connection: UTC and the tenant's schema first on the search path.
    exec("SET TimeZone = 'UTC'; SET extra_float_digits = 1");
    if (!schema.empty()) exec(fmt::format("SET search_path TO \"{}\"", schema));
  }
  ~Pg() { PQfinish(c_); }
  Pg(const Pg&) = delete;
  Pg& operator=(const Pg&) = delete;

  PGconn* get() const { return c_; }

  static std::string trim(std::string s) {
    while (!s.empty() && (s.back() == '\n' || s.back() == ' ')) s.pop_back();
    return s;
  }
  // Throws with the server's message unless the result is what a command or query gives.
  PGresult* checked(PGresult* r, const char* what) const {
    const auto st = r ? PQresultStatus(r) : PGRES_FATAL_ERROR;
    if (st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK || st == PGRES_COPY_IN) return r;
    std::string why = trim(r ? PQresultErrorMessage(r) : PQerrorMessage(c_));
    if (r) PQclear(r);
    throw std::runtime_error(fmt::format("{}: {}", what, why));
  }
  void exec(const std::string& sql) { PQclear(checked(PQexec(c_, sql.c_str()), sql.c_str())); }
  std::int64_t scalar(const std::string& sql) {
    PGresult* r = checked(PQexec(c_, sql.c_str()), sql.c_str());
    const std::int64_t v = PQntuples(r) > 0 && !PQgetisnull(r, 0, 0) ? std::atoll(PQgetvalue(r, 0, 0)) : 0;
    PQclear(r);
    return v;
  }
  void prepare(const char* name, const std::string& sql, std::vector<Oid> types) {
    PQclear(checked(PQprepare(c_, name, sql.c_str(), static_cast<int>(types.size()), types.data()), name));
  }
  // Runs a prepared statement with text parameters (nullptr = NULL); the caller PQclears.
  PGresult* run(const char* name, const std::vector<const char*>& values) {
    return checked(PQexecPrepared(c_, name, static_cast<int>(values.size()), values.data(), nullptr, nullptr, 0),
                   name);
  }

 private:
  PGconn* c_;
};

constexpr Oid kInt8 = 20, kText = 25;

struct Result {  // PQclear at scope end
  PGresult* r;
  ~Result() { PQclear(r); }
};

// An error message fit for one table cell.
std::string cell(std::string s) {
  for (char& ch : s)
    if (ch == '\n' || ch == '\r' || ch == '\t') ch = ' ';
    else if (ch == '|') ch = '/';
  if (s.size() > 300) s = s.substr(0, 300) + "...";
  return s;
}

// A measurement that may fail: the seconds, or the error's text.
struct Timed {
  std::optional<double> seconds;
  std::string error;
};
Timed attempt(const std::function<double()>& f) {
  Timed t;
  try {
    t.seconds = f();
  } catch (const std::exception& e) {
    t.error = e.what();
  }
  return t;
}

// A row comparing crmkit with the raw side: a time ratio (crmkit / raw, lower is better) or,
// for a rate, raw / crmkit (higher is better). A failed side makes it an ERROR row that names
// the failure (crmkit's first).
void add_row(std::vector<Row>& rows, const std::string& workload, const std::string& size, const Timed& ours,
             const Timed& raw, const std::string& baseline, bool rate, double limit, const std::string& note) {
  Row r;
  r.workload = workload + kSuffix;
  r.size = size;
  r.baseline = baseline;
  r.target = fmt::format("{} {:.2f}{}", rate ? ">=" : "<=", limit, rate ? " (rate)" : "");
  r.crmkit_s = ours.seconds.value_or(0);
  r.baseline_s = raw.seconds;
  if (!ours.seconds || !raw.seconds) {
    r.verdict = "ERROR";
    r.note = "error: " + cell(!ours.seconds ? ours.error : "raw libpq side: " + raw.error);
  } else {
    const double ratio = rate ? *raw.seconds / *ours.seconds : *ours.seconds / *raw.seconds;
    r.ratio = ratio;
    r.verdict = (rate ? ratio >= limit : ratio <= limit) ? "met" : "MISSED";
    r.note = note;
  }
  rows.push_back(std::move(r));
}

std::string tenant_name(const char* role) { return fmt::format("bench_{}_{}", ::getpid(), role); }

crmkit::Store open_tenant(const std::string& uri, const std::string& tenant) {
  crmkit::OpenOptions options;
  options.tenant = tenant;
  return crmkit::Store::open(uri, options);
}

// Customers 1..N with create_customers_raw's profiles, by COPY (set-up, not timed), and the
// identity moved past them as crmkit would need to add customers of its own.
void create_customers_pg(Pg& db, std::int64_t customers) {
  db.exec("BEGIN");
  PQclear(db.checked(PQexec(db.get(), "COPY customers(id, external_id, created_at, updated_at, gender, country, "
                                      "lifecycle_stage, birth_date) FROM STDIN"),
                     "COPY customers"));
  Rng rng(static_cast<std::uint64_t>(customers));
  std::string buf;
  for (std::int64_t c = 1; c <= customers; ++c) {
    const CustomerProfile p = draw_profile(rng);
    buf += fmt::format("{}\tc{}\t0\t0\t{}\t{}\t{}\t{}\n", c, c, p.gender, p.country, p.stage, p.birth_date);
    if (buf.size() > (1 << 16) || c == customers) {
      if (PQputCopyData(db.get(), buf.data(), static_cast<int>(buf.size())) != 1)
        throw std::runtime_error(Pg::trim(PQerrorMessage(db.get())));
      buf.clear();
    }
  }
  if (PQputCopyEnd(db.get(), nullptr) != 1) throw std::runtime_error(Pg::trim(PQerrorMessage(db.get())));
  PQclear(db.checked(PQgetResult(db.get()), "COPY customers"));
  while (PGresult* r = PQgetResult(db.get())) PQclear(r);
  db.exec(fmt::format("SELECT setval(pg_get_serial_sequence('customers', 'id'), {})", customers));
  db.exec("COMMIT");
}

// Raw libpq ingest: one prepared INSERT per fact (the columns workload 1's raw SQLite side
// writes), text parameters, one transaction.
void insert_facts_pg(Pg& db, const Population& p) {
  db.exec("BEGIN");
  db.prepare("raw_insert",
             "INSERT INTO interactions(customer_id, occurred_at, channel, kind, direction, amount, currency) "
             "VALUES ($1, $2, $3, $4, 'none', $5, $6)",
             {kInt8, kInt8, kText, kText, kInt8, kText});
  for (const auto& f : p.facts) {
    const std::string customer = std::to_string(f.customer), at = std::to_string(f.occurred_at),
                      amount = std::to_string(f.amount);
    PQclear(db.run("raw_insert", {customer.c_str(), at.c_str(), f.channel, f.kind,
                                  f.has_amount ? amount.c_str() : nullptr, f.has_amount ? "USD" : nullptr}));
  }
  db.exec("COMMIT");
}

double percentile(std::vector<double> v, double q) {
  std::sort(v.begin(), v.end());
  return v[static_cast<std::size_t>(q * (v.size() - 1))];
}

// Statistics for the planner and the visibility map, as autovacuum would make them after a
// large load (set-up; both sides read the same tables). Table by table: on a server given from
// outside, a database-wide VACUUM would visit every other schema too.
void analyze(const std::string& uri, const std::string& tenant) {
  try {
    Pg db(uri, tenant);
    Result r{db.checked(PQexec(db.get(), fmt::format("SELECT tablename FROM pg_tables WHERE schemaname = '{}'",
                                                     tenant).c_str()), "tables")};
    for (int i = 0; i < PQntuples(r.r); ++i) db.exec(fmt::format("VACUUM ANALYZE \"{}\"", PQgetvalue(r.r, i, 0)));
  } catch (const std::exception&) {
  }
}

// ---- 1. ingest ---------------------------------------------------------------------------

// Times crmkit's C API ingest into `ours` and the raw prepared INSERTs into `raw`, both made by
// crmkit's migrations with the same customers. Returns whether crmkit's tenant holds the facts.
bool ingest(const std::string& uri, const std::string& ours, const std::string& raw, const Population& p,
            std::vector<Row>& rows) {
  const std::string size = fmt::format("{} interactions / {} customers", p.facts.size(), p.customers);
  const std::string name = "1. ingest, customer order (C API batch, one transaction)";
  const std::string baseline = "raw libpq prepared INSERTs, same tables+indexes, same order";
  Timed ours_t, raw_t;
  bool ours_ready = false, raw_ready = false;
  try {
    open_tenant(uri, ours);
    Pg db(uri, ours);
    create_customers_pg(db, p.customers);
    ours_ready = true;
  } catch (const std::exception& e) {
    ours_t.error = std::string("set-up: ") + e.what();
  }
  try {
    open_tenant(uri, raw);
    Pg db(uri, raw);
    create_customers_pg(db, p.customers);
    raw_ready = true;
  } catch (const std::exception& e) {
    raw_t.error = std::string("set-up: ") + e.what();
  }
  progress(fmt::format("[pg] ingest: crmkit, {} interactions", p.facts.size()));
  if (ours_ready) ours_t = attempt([&] {
    auto t0 = Clock::now();
    insert_facts_capi(uri, p, ours.c_str());  // opens, ingests in one transaction, closes
    return seconds_since(t0);
  });
  progress(fmt::format("[pg] ingest: raw libpq, {} interactions", p.facts.size()));
  if (raw_ready) raw_t = attempt([&] {
    auto t0 = Clock::now();
    Pg db(uri, raw);
    insert_facts_pg(db, p);
    return seconds_since(t0);
  });
  const double n = static_cast<double>(p.facts.size());
  add_row(rows, name, size, ours_t, raw_t, baseline, true, 0.7,
          ours_t.seconds && raw_t.seconds
              ? fmt::format("{:.0f} rows/s vs {:.0f} rows/s", n / *ours_t.seconds, n / *raw_t.seconds)
              : "");
  return ours_t.seconds.has_value();
}

// ---- 2. timeline -------------------------------------------------------------------------

void timeline(const Options& o, const std::string& uri, const std::string& tenant, std::vector<Row>& rows) {
  const int kReads = 5'000;
  const std::string size = fmt::format("{} reads, {} customers", kReads, o.pg_customers);
  const std::string baseline = "raw libpq prepared SELECT, same columns";
  Rng rng(o.seed + 2);
  std::vector<std::int64_t> who(kReads);
  for (auto& c : who) c = 1 + rng.below(o.pg_customers);
  std::vector<double> ours(kReads), raw(kReads);
  Timed failed;
  try {
    crmkit_db* db = nullptr;
    crmkit_options* options = nullptr;
    crmkit_options_new(&options);
    crmkit_options_set_tenant(options, tenant.c_str());
    const int opened = crmkit_db_open(&db, uri.c_str(), options);
    crmkit_options_free(options);
    if (opened != CRMKIT_OK) throw std::runtime_error(crmkit_last_error_message());
    std::unique_ptr<crmkit_db, void (*)(crmkit_db*)> close(db, crmkit_db_close);
    Pg rawdb(uri, tenant);
    rawdb.prepare("raw_timeline",
                  "SELECT id, customer_id, external_id, occurred_at, channel, kind, direction, amount, currency, "
                  "margin, subject, notes, attributes FROM interactions WHERE customer_id = $1 "
                  "ORDER BY occurred_at DESC, id DESC LIMIT 50",
                  {kInt8});
    std::int64_t checksum_ours = 0, checksum_raw = 0;
    // Interleaved, as workload 2, so that cache warmth and machine noise hit both alike.
    for (int i = 0; i < kReads; ++i) {
      auto t0 = Clock::now();
      crmkit_interaction_iter* it = nullptr;
      if (crmkit_interaction_iter_new(&it, db, who[i], nullptr, nullptr, INT64_MIN, INT64_MAX) != CRMKIT_OK)
        throw std::runtime_error(crmkit_last_error_message());
      int rc = CRMKIT_OK;
      for (int n = 0; n < 50 && (rc = crmkit_interaction_iter_next(it)) == CRMKIT_OK; ++n)
        checksum_ours += crmkit_interaction_iter_id(it);
      crmkit_interaction_iter_free(it);
      if (rc < 0) throw std::runtime_error(crmkit_last_error_message());
      ours[i] = seconds_since(t0);

      t0 = Clock::now();
      const std::string id = std::to_string(who[i]);
      Result r{rawdb.run("raw_timeline", {id.c_str()})};
      for (int row = 0; row < PQntuples(r.r); ++row) {
        checksum_raw += std::atoll(PQgetvalue(r.r, row, 0));
        for (int c = 1; c < 13; ++c) (void)PQgetvalue(r.r, row, c);
      }
      raw[i] = seconds_since(t0);
    }
    if (checksum_ours != checksum_raw) throw std::runtime_error("crmkit and raw libpq read different rows");
  } catch (const std::exception& e) {
    failed.error = e.what();
  }
  for (double q : {0.5, 0.99}) {
    const std::string name = fmt::format("2. timeline, 50 newest (p{})", q == 0.5 ? 50 : 99);
    if (!failed.error.empty()) {
      add_row(rows, name, size, failed, Timed{}, baseline, false, 1.5, "");
      continue;
    }
    add_row(rows, name, size, Timed{percentile(ours, q), ""}, Timed{percentile(raw, q), ""}, baseline, false, 1.5,
            "");
  }
}

// ---- 3. RFM ------------------------------------------------------------------------------

void rfm(const Options& o, const std::string& uri, const std::string& tenant, const Population& p,
         std::vector<Row>& rows) {
  const std::string size = fmt::format("{} customers, {} interactions", o.pg_customers, p.facts.size());
  // crmkit reads the kept per-customer figures; the hand-written SQL computes the same R/F/M
  // inputs from the facts on the server (the natural SQL for it) and fetches them.
  const std::string baseline = "hand-written SQL: R/F/M inputs per customer (GROUP BY), fetched";
  Pg side(uri, tenant);
  const Timed raw = attempt([&] {
    return best_of(3, [&] {
      Result r{side.checked(PQexec(side.get(), "SELECT customer_id, max(occurred_at), count(*), sum(amount) "
                                               "FROM interactions WHERE kind = 'purchase' GROUP BY customer_id"),
                            "RFM inputs")};
      std::int64_t sum = 0;
      for (int row = 0; row < PQntuples(r.r); ++row)
        for (int c = 0; c < 4; ++c) sum += std::atoll(PQgetvalue(r.r, row, c));
      (void)sum;
    });
  });
  std::optional<crmkit::Store> store;
  std::string open_error;
  try {
    store.emplace(open_tenant(uri, tenant));
  } catch (const std::exception& e) {
    open_error = e.what();
  }
  crmkit::RfmRequest request;
  request.as_of = p.end;
  std::size_t scored = 0;
  crmkit::RfmResult first_result;
  auto run = [&](const std::function<double()>& f) {
    if (!store) return Timed{std::nullopt, open_error};
    return attempt(f);
  };
  const Timed first = run([&] {
    crmkit::CustomerValue value(*store);
    return best_of_measured(3, [&] {
      side.exec("DELETE FROM customer_rfm");
      auto t0 = Clock::now();
      first_result = value.rfm(request);
      const double s = seconds_since(t0);
      if (!first_result.from_figures) throw std::runtime_error("rfm: expected the figures path");
      scored = first_result.customers.size();
      return s;
    });
  });
  int day = 0;
  const Timed rerun = run([&] {
    crmkit::CustomerValue value(*store);
    return best_of(3, [&] {
      crmkit::RfmRequest r = request;
      r.as_of = p.end + (++day) * 86'400'000LL;
      auto result = value.rfm(r);
      if (!result.from_figures) throw std::runtime_error("rfm: expected the figures path");
    });
  });
  const Timed scan = run([&] {
    crmkit::CustomerValue value(*store);
    crmkit::RfmRequest r = request;
    r.allow_figures = false;
    return best_of(3, [&] { (void)value.rfm(r); });
  });
  // The first scoring's baseline is the same work by hand: the inputs fetched (above), then
  // the same rows inserted into the empty table by raw prepared INSERTs, one transaction.
  Timed write{std::nullopt, "crmkit's first scoring failed, so there were no rows to write"};
  if (first.seconds) {
    write = attempt([&] {
      side.prepare("raw_rfm_insert",
                   "INSERT INTO customer_rfm(customer_id, last_purchase_at, frequency, monetary, r_score, f_score, "
                   "m_score, rfm_score, segment) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
                   {kInt8, kInt8, kInt8, kInt8, kInt8, kInt8, kInt8, kInt8, kText});
      return best_of_measured(2, [&] {
        side.exec("DELETE FROM customer_rfm");
        auto t0 = Clock::now();
        side.exec("BEGIN");
        for (const auto& c : first_result.customers) {
          const std::string v[] = {std::to_string(c.customer_id),
                                   std::to_string(p.end - c.recency_days * 86'400'000LL),
                                   std::to_string(c.frequency),
                                   std::to_string(static_cast<std::int64_t>(c.monetary)),
                                   std::to_string(c.score.r),
                                   std::to_string(c.score.f),
                                   std::to_string(c.score.m),
                                   std::to_string(c.score.combined()),
                                   c.segment};
          PQclear(side.run("raw_rfm_insert", {v[0].c_str(), v[1].c_str(), v[2].c_str(), v[3].c_str(), v[4].c_str(),
                                              v[5].c_str(), v[6].c_str(), v[7].c_str(), v[8].c_str()}));
        }
        side.exec("COMMIT");
        return seconds_since(t0);
      });
    });
  }
  Timed fetch_and_write{std::nullopt, !raw.seconds ? raw.error : write.error};
  if (raw.seconds && write.seconds) fetch_and_write.seconds = *raw.seconds + *write.seconds;
  add_row(rows, "3. RFM rescoring a day later, stored (figures)", size, rerun, raw, baseline, false, 1.5,
          fmt::format("{} customers scored, changed rows written", scored));
  add_row(rows, "3. RFM first scoring, every row written (figures)", size, first, fetch_and_write,
          "hand-written SQL: the inputs fetched, then every row written by raw prepared INSERTs", false, 1.5,
          write.seconds ? fmt::format("the raw INSERTs alone take {:.1f} ms; crmkit pipelines its writes",
                                      *write.seconds * 1000)
                        : "");
  add_row(rows, "3. RFM scores + segments, stored (scan path)", size, scan, raw, baseline, false, 1.5,
          "as_of before the last fact");
  auto& last = rows.back();  // the scan path is informational, as on SQLite
  if (last.verdict != "ERROR") last.verdict = "info", last.target.clear();
}

// ---- 5. segment count ----------------------------------------------------------------------

void segment_count(const Options& o, const std::string& uri, const std::string& tenant, const Population& p,
                   std::vector<Row>& rows) {
  const std::string size = fmt::format("{} customers, {} interactions", o.pg_customers, p.facts.size());
  const crmkit::Instant as_of = p.end;
  auto d = crmkit::civil_from_day(crmkit::day_of(as_of));
  const crmkit::Instant from = crmkit::start_of_day(crmkit::day_from_civil(crmkit::add_months(d, -6)));
  Pg db(uri, tenant);
  const std::string sql = fmt::format(
      "SELECT count(*) FROM customers c LEFT JOIN customer_figures f ON f.customer_id = c.id "
      "WHERE c.gender = 'F' AND c.country IN ('US', 'DE', 'GB') AND c.lifecycle_stage <> 'churned' "
      "AND f.purchase_count >= 2 AND (SELECT count(*) FROM interactions i WHERE i.customer_id = c.id "
      "AND i.kind = 'purchase' AND i.occurred_at >= {} AND i.occurred_at < {}) >= 1",
      from, as_of);
  std::int64_t theirs = -1, ours = -1;
  const Timed raw = attempt([&] { return best_of(6, [&] { theirs = db.scalar(sql); }); });
  const Timed mine = attempt([&] {
    crmkit::Store store = open_tenant(uri, tenant);
    crmkit::Segments segs(store);
    const double s = best_of(6, [&] { ours = segs.count(kFiveLeafRule, as_of); });
    if (raw.seconds && ours != theirs)
      throw std::runtime_error(fmt::format("crmkit counted {}, hand-written SQL {}", ours, theirs));
    return s;
  });
  add_row(rows, "5. segment count, 5 leaves (1 behavioural)", size, mine, raw, "hand-written SQL, literal values",
          false, 1.5, fmt::format("{} members; parse+compile included", ours));
}

// ---- 6. cohorts and NPS ------------------------------------------------------------------

void cohorts_and_nps(const Options& o, const std::string& uri, const std::string& tenant, const Population& p,
                     std::vector<Row>& rows) {
  const std::string size = fmt::format("{} interactions", p.facts.size());
  Pg db(uri, tenant);
  // The month index as workload 6's SQLite text computes it, in PostgreSQL's spelling.
  const Timed cohort_sql = attempt([&] {
    return best_of(3, [&] {
      Result r{db.checked(
          PQexec(db.get(),
                 "WITH p AS (SELECT customer_id, CAST(EXTRACT(YEAR FROM to_timestamp(occurred_at / 1000) AT TIME "
                 "ZONE 'UTC') AS INT) * 12 + CAST(EXTRACT(MONTH FROM to_timestamp(occurred_at / 1000) AT TIME "
                 "ZONE 'UTC') AS INT) AS m FROM interactions WHERE kind = 'purchase'), "
                 "f AS (SELECT customer_id, min(m) AS m0 FROM p GROUP BY customer_id) "
                 "SELECT f.m0, p.m - f.m0 AS k, count(DISTINCT p.customer_id) FROM p JOIN f USING (customer_id) "
                 "WHERE p.m - f.m0 < 12 GROUP BY 1, 2"),
          "cohort SQL")};
    });
  });
  std::size_t cohorts = 0;
  const Timed cohort_ours = attempt([&] {
    crmkit::Store store = open_tenant(uri, tenant);
    crmkit::RetentionMetrics retention(store);
    crmkit::CohortQuery cq;
    cq.periods = 12;
    return best_of(3, [&] { cohorts = retention.cohorts(cq).rows.size(); });
  });
  add_row(rows, "6. cohort matrix, monthly, 12 periods", size, cohort_ours, cohort_sql,
          "hand-written SQL (GROUP BY)", false, 1.5, fmt::format("{} cohorts", cohorts));

  std::string responses_error;
  try {
    crmkit::Store store = open_tenant(uri, tenant);
    progress("[pg] survey responses (set-up)");
    add_responses(store, p, o.seed + 6);
    db.exec("VACUUM ANALYZE survey_responses");
  } catch (const std::exception& e) {
    responses_error = std::string("set-up (recording the responses): ") + e.what();
  }
  std::int64_t responses = 0, groups = 0;
  try {
    responses = db.scalar("SELECT count(*) FROM survey_responses");
  } catch (const std::exception&) {
  }
  const Timed nps_sql = attempt([&] {
    return best_of(3, [&] {
      Result r{db.checked(PQexec(db.get(),
                                 "SELECT to_char(to_timestamp(occurred_at / 1000) AT TIME ZONE 'UTC', 'YYYY-MM') "
                                 "AS month, count(*), count(*) FILTER (WHERE score >= 9), "
                                 "count(*) FILTER (WHERE score <= 6) FROM survey_responses WHERE kind = 'nps' "
                                 "GROUP BY month"),
                          "NPS SQL")};
      groups = PQntuples(r.r);
    });
  });
  const Timed nps_ours = responses_error.empty() ? attempt([&] {
    crmkit::Store store = open_tenant(uri, tenant);
    crmkit::SurveyMetrics surveys(store);
    crmkit::SurveyMetricQuery nq;
    nq.by = crmkit::MetricGrouping::month;
    return best_of(3, [&] { (void)surveys.nps(nq); });
  })
                                                 : Timed{std::nullopt, responses_error};
  add_row(rows, "6. NPS by month (with SE and CI)", fmt::format("{} responses", responses), nps_ours, nps_sql,
          "hand-written SQL (GROUP BY)", false, 1.5, fmt::format("{} months", groups));
}

// ---- the workload ------------------------------------------------------------------------

void postgres(const Options& o, std::vector<Row>& rows) {
  const char* env = std::getenv("CRMKIT_TEST_POSTGRES");
  if (!env || !*env) {
    progress("[pg] skipped: CRMKIT_TEST_POSTGRES is unset");
    rows.push_back({"PostgreSQL rows of workloads 1, 2, 3, 5, 6", "-", 0, std::nullopt, "", std::nullopt, "",
                    "skipped",
                    "CRMKIT_TEST_POSTGRES is unset: no server to run them on; `make bench` runs the bench under "
                    "tests/postgres/with_server.sh, which starts one and sets it"});
    return;
  }
  const std::string uri = env;
  const std::string ours = tenant_name("crmkit"), raw = tenant_name("raw");
  Pg admin(uri, "");
  auto drop = [&](const std::string& t) {
    try {
      admin.exec(fmt::format("DROP SCHEMA IF EXISTS \"{}\" CASCADE", t));
    } catch (const std::exception&) {
    }
  };
  drop(ours);
  drop(raw);
  struct Dropper {
    std::function<void()> f;
    ~Dropper() { f(); }
  } at_end{[&] { drop(ours); drop(raw); }};

  const Population p = make_population(o.pg_customers, o.interactions_per_customer, o.seed);
  const bool loaded = ingest(uri, ours, raw, p, rows);
  drop(raw);
  if (!loaded) {
    const std::string why = "error: no data to read: crmkit's ingest into the tenant failed (row 1 above)";
    for (const char* w : {"2. timeline, 50 newest", "3. RFM", "5. segment count, 5 leaves (1 behavioural)",
                          "6. cohort matrix, monthly, 12 periods", "6. NPS by month (with SE and CI)"})
      rows.push_back({std::string(w) + kSuffix, "-", 0, std::nullopt, "", std::nullopt, "", "ERROR", why});
    return;
  }
  analyze(uri, ours);
  // Each part on its own: a failure outside the measured calls (a lost connection, say) gives
  // an ERROR row named after the part, and the next part runs.
  auto part = [&](const char* name, const std::function<void()>& f) {
    progress(fmt::format("[pg] {}", name));
    try {
      f();
    } catch (const std::exception& e) {
      rows.push_back({std::string(name) + kSuffix, "-", 0, std::nullopt, "", std::nullopt, "", "ERROR",
                      "error: " + cell(e.what())});
    }
  };
  part("2. timeline, 50 newest", [&] { timeline(o, uri, ours, rows); });
  part("3. RFM", [&] { rfm(o, uri, ours, p, rows); });
  part("5. segment count, 5 leaves (1 behavioural)", [&] { segment_count(o, uri, ours, p, rows); });
  part("6. cohorts and NPS", [&] { cohorts_and_nps(o, uri, ours, p, rows); });
}

RegisterWorkload reg("pg",
                     "PostgreSQL: ingest, timeline, RFM, segment count, cohorts, NPS vs raw libpq (needs "
                     "CRMKIT_TEST_POSTGRES)",
                     &postgres);

}  // namespace
}  // namespace bench
