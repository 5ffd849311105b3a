// crmkit demo: a realistic shop population in a fresh database, then the report.
#include <cstdio>
#include <cstdlib>
#include <filesystem>

#include "commands.hpp"
#include "common.hpp"
#include "crmkit/customer.hpp"
#include "crmkit/error.hpp"
#include "crmkit/interaction.hpp"
#include "demo_population.hpp"
#include "report.hpp"

namespace crmkit::cli {
namespace {

// A fixed calendar window, so that a seed always gives the same file and the same report.
const Instant kStart = start_of_day(day_from_civil({2024, 1, 1}));
const Instant kEnd = start_of_day(day_from_civil({2026, 1, 1}));  // exclusive: 2025-12-31 is the last day

struct Opts {
  std::string db;  // --db; empty: $CRMKIT_DB, else kDefaultDb
  std::uint64_t seed = 42;
  int customers = 20'000;
  bool json = false;
};

void remove_database(const std::string& path) {
  std::error_code ec;
  for (const char* suffix : {"", "-wal", "-shm", "-journal"}) std::filesystem::remove(path + suffix, ec);
}

void run_demo(const Opts& o) {
  if (o.customers < 1 || o.customers > 10'000'000)
    throw Error(Errc::invalid_argument, "--customers " + std::to_string(o.customers) + " is out of range 1..10000000");
  auto started = std::chrono::steady_clock::now();
  DemoPopulation pop = make_demo_population(o.seed, o.customers, kStart, kEnd);

  // The demo replaces its file. A file named only by $CRMKIT_DB is the user's working
  // database far more often than a demo, so it is never replaced without an explicit --db.
  std::string db = o.db;
  if (db.empty()) {
    const char* env = std::getenv(kDbEnvironment);
    db = env && *env ? env : kDefaultDb;
    std::error_code ec;
    if (env && *env && std::filesystem::exists(db, ec))
      throw Error(Errc::conflict, "the demo would replace '" + db + "' (named by $" + kDbEnvironment +
                                      "); give --db to replace it");
  }
  // A file is replaced; a PostgreSQL tenant never is (dropping a schema is the server
  // administrator's decision), so the demo fills only an empty one.
  if (!is_postgres_uri(db)) remove_database(db);
  Store store = open_store(db, StoreUse::write);
  Customers customers(store);
  if (is_postgres_uri(db) && customers.count() > 0)
    throw Error(Errc::conflict, "the demo fills only an empty tenant, and this one has customers; name a new one "
                                "with --tenant");
  Interactions interactions(store);
  const auto total = static_cast<std::int64_t>(pop.customers.size() + pop.interactions.size());
  Progress bar("demo: customers", total);
  {
    Transaction tx(store);
    std::vector<std::int64_t> ids;
    ids.reserve(pop.customers.size());
    for (std::size_t i = 0; i < pop.customers.size(); ++i) {
      ids.push_back(customers.create(pop.customers[i]));
      if ((i & 255) == 0) bar.update(static_cast<std::int64_t>(i));
    }
    bar.set_label("demo: interactions");
    const std::size_t chunk = 10'000;
    std::vector<Interaction> batch;
    batch.reserve(chunk);
    for (std::size_t i = 0; i < pop.interactions.size(); i += chunk) {
      batch.clear();
      for (std::size_t k = i; k < std::min(pop.interactions.size(), i + chunk); ++k) {
        Interaction x = std::move(pop.interactions[k]);
        x.customer_id = ids[static_cast<std::size_t>(x.customer_id)];
        batch.push_back(std::move(x));
      }
      // Generated rows are facts by construction: two alike are two purchases.
      BatchOptions repeats;
      repeats.allow_repeats = true;
      interactions.record_batch(batch, repeats);
      bar.update(static_cast<std::int64_t>(pop.customers.size() + i + batch.size()));
    }
    for (const DemoStep& step : demo_steps()) {
      bar.set_label(std::string("demo: ") + step.name);
      step.run(store, o.seed, kStart, kEnd);
    }
    tx.commit();
  }
  bar.finish();
  if (!o.json) {
    char secs[32];
    std::snprintf(secs, sizeof secs, "%.1f s", seconds_since(started));
    std::printf("crmkit demo: %s customers and %s interactions (seed %llu) written to %s in %s\n\n",
                grouped(static_cast<std::int64_t>(pop.customers.size())).c_str(),
                grouped(total - static_cast<std::int64_t>(pop.customers.size())).c_str(),
                static_cast<unsigned long long>(o.seed), db.c_str(), secs);
    std::fflush(stdout);
  }
  print_report(store, ReportOptions{}, o.json);
}

}  // namespace

void add_demo(CLI::App& root) {
  auto o = std::make_shared<Opts>();
  auto* cmd = root.add_subcommand("demo", "Create a demo database (a shop's customers over 2024-2025) and print its report");
  cmd->add_option("--db", o->db,
                  std::string("database file, replaced if it exists (default: $") + kDbEnvironment +
                      ", which is never replaced, else " + kDefaultDb + "), or a postgresql:// URI (an empty tenant)");
  add_tenant_option(cmd);
  cmd->add_option("--seed", o->seed, "random seed (the same seed gives the same data)")->capture_default_str();
  cmd->add_option("--customers", o->customers, "number of customers")->capture_default_str();
  cmd->add_flag("--json", o->json, "print the report as JSON");
  cmd->callback([o] { run_demo(*o); });
}

}  // namespace crmkit::cli
