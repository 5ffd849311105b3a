#include "fixture.hpp"

#include <unistd.h>

#include <cstdio>
#include <map>

#include <SQLiteCpp/VariadicBind.h>
#include <fmt/format.h>

#include "crmkit.h"
#include "crmkit/store.hpp"

namespace bench {

void remove_db(const std::string& path) {
  for (const char* suffix : {"", "-wal", "-shm", "-journal"}) std::remove((path + suffix).c_str());
}

std::string temp_path(const std::string& dir, const std::string& name) {
  std::string path = fmt::format("{}/crmkit-bench-{}-{}.db", dir, ::getpid(), name);
  remove_db(path);
  return path;
}

CustomerProfile draw_profile(Rng& rng) {
  static const char* kCountries[] = {"US", "DE", "GB", "FR", "NL", "SE"};
  static const char* kGenders[] = {"F", "M", "X"};
  static const char* kStages[] = {"customer", "customer", "prospect", "churned"};
  // Drawn in this order (one statement each: arguments are evaluated in no set order), so that
  // customer c keeps the same profile.
  CustomerProfile p;
  p.gender = kGenders[rng.below(3)];
  p.country = kCountries[rng.below(6)];
  p.stage = kStages[rng.below(4)];
  // The same expression as before the profiles were drawn here (its draws' order is the
  // compiler's), so that the SQLite databases keep byte-identical birth dates.
  p.birth_date = fmt::format("{:04}-{:02}-{:02}", 1950 + rng.below(55), 1 + rng.below(12), 1 + rng.below(28));
  return p;
}

void create_customers_raw(SQLite::Database& db, std::int64_t customers) {
  db.exec("BEGIN");
  // A profile for the segment workload: gender, country, lifecycle stage, birth date.
  SQLite::Statement st(db,
                       "INSERT INTO customers(id, external_id, created_at, updated_at, gender, country, "
                       "lifecycle_stage, birth_date) VALUES (?, ?, 0, 0, ?, ?, ?, ?)");
  Rng rng(static_cast<std::uint64_t>(customers));
  for (std::int64_t c = 1; c <= customers; ++c) {
    const CustomerProfile p = draw_profile(rng);
    SQLite::bind(st, static_cast<int64_t>(c), fmt::format("c{}", c), p.gender, p.country, p.stage, p.birth_date);
    st.exec();
    st.reset();
  }
  db.exec("COMMIT");
}

void create_customers_crmkit(const std::string& path, std::int64_t customers) {
  // Customers are set-up, not the measured work: the same raw inserts for both databases.
  crmkit::Store::open(path);
  SQLite::Database db(path, SQLite::OPEN_READWRITE);
  create_customers_raw(db, customers);
}

void raw_ingest_settings(SQLite::Database& db) {
  db.exec("PRAGMA journal_mode = WAL");
  db.exec("PRAGMA synchronous = NORMAL");
  db.exec("PRAGMA foreign_keys = ON");
  db.exec(fmt::format("PRAGMA cache_size = {}", -1024 * static_cast<std::int64_t>(crmkit::OpenOptions{}.write_cache_mib)));
}

void insert_facts_raw(SQLite::Database& db, const Population& p) {
  db.exec("BEGIN");
  SQLite::Statement st(db,
                       "INSERT INTO interactions(customer_id, occurred_at, channel, kind, direction, amount, currency) "
                       "VALUES (?, ?, ?, ?, 'none', ?, ?)");
  for (const auto& f : p.facts) {
    SQLite::bind(st, static_cast<int64_t>(f.customer), static_cast<int64_t>(f.occurred_at), f.channel, f.kind);
    if (f.has_amount) {
      st.bind(5, static_cast<int64_t>(f.amount));
      st.bind(6, "USD");
    } else {
      st.bind(5);
      st.bind(6);
    }
    st.exec();
    st.reset();
  }
  db.exec("COMMIT");
}

}  // namespace bench

namespace bench {

namespace {
void check(int rc, const char* what) {
  if (rc < 0) throw std::runtime_error(fmt::format("{}: {} {}", what, crmkit_status_name(rc), crmkit_last_error_message()));
}
}  // namespace

void insert_facts_capi(const std::string& path, const Population& p, const char* tenant) {
  crmkit_db* db = nullptr;
  crmkit_options* options = nullptr;
  if (tenant) {
    check(crmkit_options_new(&options), "options_new");
    check(crmkit_options_set_tenant(options, tenant), "options_set_tenant");
  }
  const int opened = crmkit_db_open(&db, path.c_str(), options);
  crmkit_options_free(options);
  check(opened, "open");
  crmkit_interaction* rec = nullptr;
  crmkit_batch* batch = nullptr;
  check(crmkit_interaction_new(&rec), "interaction_new");
  check(crmkit_batch_new(&batch), "batch_new");
  check(crmkit_db_begin(db), "begin");
  const std::size_t kBatch = 50'000;
  for (std::size_t i = 0; i < p.facts.size(); ++i) {
    const auto& f = p.facts[i];
    check(crmkit_interaction_set_customer_id(rec, f.customer), "set_customer_id");
    check(crmkit_interaction_set_occurred_at(rec, f.occurred_at), "set_occurred_at");
    check(crmkit_interaction_set_channel(rec, f.channel), "set_channel");
    check(crmkit_interaction_set_kind(rec, f.kind), "set_kind");
    if (f.has_amount) check(crmkit_interaction_set_amount(rec, f.amount, "USD"), "set_amount");
    else check(crmkit_interaction_clear_amount(rec), "clear_amount");
    check(crmkit_batch_add(batch, rec), "batch_add");
    if (crmkit_batch_size(batch) == static_cast<int64_t>(kBatch) || i + 1 == p.facts.size()) {
      crmkit_batch_result* result = nullptr;
      check(crmkit_batch_commit(&result, db, batch), "batch_commit");
      crmkit_batch_result_free(result);
      check(crmkit_batch_clear(batch), "batch_clear");
    }
  }
  check(crmkit_db_commit(db), "commit");
  crmkit_batch_free(batch);
  crmkit_interaction_free(rec);
  crmkit_db_close(db);
}

const std::string& shared_database(const Options& o, Population* population_out) {
  static std::string path;
  static Population population;
  if (path.empty()) {
    population = make_population(o.customers, o.interactions_per_customer, o.seed);
    path = temp_path(o.work_dir, "shared");
    progress(fmt::format("building the shared database: {} customers, {} interactions", o.customers,
                         population.facts.size()));
    create_customers_crmkit(path, o.customers);
    insert_facts_capi(path, population);
    std::atexit([] { remove_db(path); });
  }
  if (population_out) *population_out = population;
  return path;
}

}  // namespace bench
