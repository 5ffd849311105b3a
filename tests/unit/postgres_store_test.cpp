// The PostgreSQL backend's own promises, beyond the suites that run on both backends: a tenant
// is a validated schema, created and migrated on first open and isolated from the others; a
// store survives a server restart between transactions and learns of one inside a transaction.
// Tagged [postgres]: only the pg.unit variant runs them (the SQLite one excludes the tag). The
// restart case is hidden ([.restart]) and registered on its own, RUN_SERIAL, because it stops the
// server every other test of the run is using (tests/CMakeLists.txt).
#include <catch2/catch.hpp>

#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdlib>
#include <string>
#include <thread>
#include <vector>

#include "crmkit/customer.hpp"
#include "crmkit/interaction.hpp"
#include "crmkit/points.hpp"
#include "crmkit/report.hpp"
#include "crmkit/store.hpp"
#include "expect_error.hpp"
#include "populated_store.hpp"
#include "store/connection.hpp"
#include "store/postgres_database.hpp"
#include "store/postgres_store.hpp"
#include "test_store.hpp"

using namespace crmkit;

namespace {

std::string server() {
  const std::string uri = test_postgres_uri();
  REQUIRE_FALSE(uri.empty());  // the pg.unit variant always has a server (tests/main.cpp)
  return uri;
}

Store open_tenant(const std::string& tenant, OpenOptions o = {}) {
  o.tenant = tenant;
  return Store::open(server(), o);
}

std::int64_t add_customer(Store& s, const std::string& ext) {
  CustomerFields f;
  f.external_id = ext;
  f.created_at = 1'700'000'000'000;
  return Customers(s).create(f);
}

bool has_customer(Store& s, const std::string& ext) {
  try {
    Customers(s).get_by_external_id(ext);
    return true;
  } catch (const Error& e) {
    if (e.code() != Errc::not_found) throw;
    return false;
  }
}

// A fresh tenant with a points programme and one member, customer c, holding 100 points.
struct SpenderOf100 {
  const std::string t = fresh_tenant();
  Store setup = open_tenant(t);
  Points points{setup};
  std::int64_t pid = 0, c = 0;
  SpenderOf100() {
    ProgrammeSpec spec;
    spec.name = "club";
    spec.currency = "USD";
    pid = points.create_programme(spec);
    c = add_customer(setup, "spender");
    points.enroll(pid, c, 0);
    points.adjust(pid, c, 100, "opening balance", "grant", 1'000);
  }
};

// Whether the server holds a schema of this name: a refused tenant must not create one. (Other
// tests create tenants on the same server at the same time, so a count of all schemas would race.)
bool schema_exists(Store& any, const std::string& name) {
  auto& db = detail::connection_of(any).db;
  auto q = db.statement("SELECT count(*) FROM pg_namespace WHERE nspname = ?");
  q->bind(1, name);
  return q->executeStep() && q->getColumn(0).getInt64() > 0;
}

}  // namespace

TEST_CASE("a tenant name outside the identifier rule is refused before anything is created", "[postgres]") {
  Store probe = test_store();
  for (const std::string bad : {std::string(), std::string("Shop"), std::string("shop-1"), std::string("1shop"),
                                std::string("pg_shop"), std::string(64, 'a'), std::string("a\"; DROP SCHEMA public; --"),
                                std::string("caf\xc3\xa9"), std::string("a b")}) {
    INFO("tenant: " << bad);
    expect_error([&] { open_tenant(bad); }, Errc::invalid_argument, "tenant");
    CHECK_FALSE(schema_exists(probe, bad));
  }
  CHECK(schema_exists(probe, "public"));
  // 63 bytes is the limit, and it holds.
  const std::string longest = fresh_tenant() + std::string(63, 'x');
  Store s = open_tenant(longest.substr(0, 63));
  CHECK(s.schema_version() == Store::latest_schema_version());
}

TEST_CASE("tenants of one server are separate stores, created on first open and kept", "[postgres]") {
  const std::string a = fresh_tenant(), b = fresh_tenant();
  {
    Store sa = open_tenant(a);
    CHECK(sa.schema_version() == Store::latest_schema_version());
    add_customer(sa, "only-in-a");
    Store sb = open_tenant(b);
    CHECK(Customers(sb).count() == 0);
    add_customer(sb, "only-in-b");
    add_customer(sb, "also-in-b");
  }
  Store again = open_tenant(a);
  CHECK(Customers(again).count() == 1);
  CHECK(has_customer(again, "only-in-a"));
  CHECK_FALSE(has_customer(again, "only-in-b"));
  Store sb = open_tenant(b);
  CHECK(Customers(sb).count() == 2);
}

// Rows of every table of a tenant, counted through the catalog (no table left out).
static std::int64_t rows_in_tenant(Store& any, const std::string& tenant) {
  auto& db = detail::connection_of(any).db;
  auto tables = db.statement("SELECT tablename FROM pg_tables WHERE schemaname = ? AND tablename <> 'crmkit_schema'");
  tables->bind(1, tenant);
  std::int64_t n = 0;
  while (tables->executeStep())
    n += db.execAndGet("SELECT count(*) FROM \"" + tenant + "\".\"" + tables->getColumn(0).getString() + "\"")
             .getInt64();
  return n;
}

// Every read path at once: a tenant beside a busy one reports exactly what an untouched tenant
// does, and its tables hold nothing but the migrations' seed rows.
TEST_CASE("a busy tenant's facts reach no read of its neighbour", "[postgres]") {
  const std::string busy = fresh_tenant(), quiet = fresh_tenant(), untouched = fresh_tenant();
  Store q = open_tenant(quiet);
  Store u = open_tenant(untouched);
  const std::int64_t seed_rows = rows_in_tenant(u, untouched);
  {
    Store s = open_tenant(busy);
    const std::int64_t c = add_customer(s, "shopper");
    Interactions in(s);
    for (int k = 0; k < 12; ++k) {
      Interaction i;
      i.customer_id = c;
      i.occurred_at = 1'700'000'000'000 + k * 2'592'000'000LL;
      i.kind = InteractionKind::purchase;
      i.amount = Money{1000 + k, "USD"};
      in.record(i);
    }
    Points p(s);
    ProgrammeSpec spec;
    spec.name = "club";
    spec.currency = "USD";
    p.enroll(p.create_programme(spec), c, 0);
    CHECK(rows_in_tenant(s, busy) > seed_rows + 12);
  }
  CHECK(rows_in_tenant(q, quiet) == seed_rows);
  ReportOptions o;
  o.as_of = 1'800'000'000'000;
  std::string quiet_report = to_json(build_report(q, o)), untouched_report = to_json(build_report(u, o));
  CHECK(quiet_report == untouched_report);
  CHECK(quiet_report.find("shopper") == std::string::npos);
}

TEST_CASE("opening a tenant that does not exist: read-only or create off is refused, nothing created",
          "[postgres]") {
  Store probe = test_store();
  OpenOptions ro;
  ro.read_only = true;
  const std::string read_only = fresh_tenant();
  expect_error([&] { open_tenant(read_only, ro); }, Errc::read_only, "open it read-write once");
  OpenOptions no_create;
  no_create.create = false;
  const std::string not_created = fresh_tenant();
  expect_error([&] { open_tenant(not_created, no_create); }, Errc::io, "does not exist");
  CHECK_FALSE(schema_exists(probe, read_only));
  CHECK_FALSE(schema_exists(probe, not_created));
}

TEST_CASE("a schema that is not a crmkit tenant is refused as corrupt and left alone", "[postgres]") {
  const std::string t = fresh_tenant();
  Store probe = test_store();
  auto& db = detail::connection_of(probe).db;
  db.exec("CREATE SCHEMA " + t + "; CREATE TABLE " + t + ".orders(id bigint)");
  expect_error([&] { open_tenant(t); }, Errc::corrupt, "not a crmkit tenant");
  CHECK(db.execAndGet("SELECT count(*) FROM pg_tables WHERE schemaname = '" + t + "'").getInt64() == 1);
  // A stamp from another application, or a version from the future, is refused the same way.
  const std::string u = fresh_tenant();
  Store made = open_tenant(u);
  db.exec("UPDATE " + u + ".crmkit_schema SET version = version + 1");
  expect_error([&] { open_tenant(u); }, Errc::unsupported_version, "newer than this crmkit");
  db.exec("UPDATE " + u + ".crmkit_schema SET application_id = 42");
  expect_error([&] { open_tenant(u); }, Errc::corrupt, "not a crmkit tenant");
}

TEST_CASE("a read-only tenant refuses writes with read_only", "[postgres]") {
  const std::string t = fresh_tenant();
  {
    Store w = open_tenant(t);
    add_customer(w, "first");
  }
  OpenOptions ro;
  ro.read_only = true;
  Store s = open_tenant(t, ro);
  CHECK(Customers(s).count() == 1);
  expect_error([&] { add_customer(s, "second"); }, Errc::read_only, "");
  Store rw = open_tenant(t);
  CHECK(Customers(rw).count() == 1);
}

// A tenant's catalog as text: columns (type, nullability), indexes, constraints by kind.
static std::string catalog(Store& any, const std::string& tenant) {
  auto& db = detail::connection_of(any).db;
  std::string out;
  auto rows = [&](const std::string& sql) {
    auto st = db.statement(sql);
    st->bind(1, tenant);
    while (st->executeStep()) {
      for (int i = 0; i < st->getColumnCount(); ++i) out += st->getColumn(i).getString() + "|";
      out += "\n";
    }
  };
  rows("SELECT table_name, column_name, data_type, is_nullable FROM information_schema.columns "
       "WHERE table_schema = ? ORDER BY table_name, ordinal_position");
  rows("SELECT tablename, indexname, regexp_replace(indexdef, ' ON [a-z0-9_]+\\.', ' ON ') FROM pg_indexes "
       "WHERE schemaname = ? ORDER BY tablename, indexname");
  rows("SELECT k.relname, c.contype, count(*) FROM pg_constraint c JOIN pg_class k ON k.oid = c.conrelid "
       "JOIN pg_namespace n ON n.oid = k.relnamespace WHERE n.nspname = ? GROUP BY k.relname, c.contype "
       "ORDER BY k.relname, c.contype");
  return out;
}

// A tenant left at any earlier version (by an older crmkit) is upgraded on open, keeps its
// rows, and ends with the same catalog as a tenant created at the newest version.
TEST_CASE("a tenant at each earlier schema version is upgraded on open, its rows kept", "[postgres]") {
  const int latest = Store::latest_schema_version();
  const std::string fresh = fresh_tenant();
  Store reference = open_tenant(fresh);
  const std::string want = catalog(reference, fresh);
  REQUIRE(want.find("customers|external_id|") != std::string::npos);
  for (int version = 1; version < latest; ++version) {
    INFO("from version " << version);
    const std::string t = fresh_tenant();
    {
      detail::Connection old(std::make_unique<detail::PostgresDatabase>(server(), t, 5000, false), server());
      detail::postgres_migrate_to(old, version);
      REQUIRE(detail::postgres_schema_version(old) == version);
      old.db.exec("INSERT INTO customers(external_id, created_at, updated_at) VALUES ('written-at-v" +
                  std::to_string(version) + "', 0, 0)");
    }
    OpenOptions ro;
    ro.read_only = true;
    expect_error([&] { open_tenant(t, ro); }, Errc::read_only, "needs an upgrade");
    Store s = open_tenant(t);
    CHECK(s.schema_version() == latest);
    CHECK(has_customer(s, "written-at-v" + std::to_string(version)));
    CHECK(catalog(s, t) == want);
  }
}

// Writers of one tenant take turns (its advisory lock), each in its own session as separate
// processes would be: no points are spent twice, every batch lands whole, and a reader in
// another session only ever sees whole batches.
TEST_CASE_METHOD(SpenderOf100, "sessions of one tenant at once: no double spend, whole batches, consistent figures",
                 "[postgres]") {
  constexpr int kThreads = 4, kTries = 10;
  std::atomic<int> spent{0}, refused{0}, other{0}, torn{0}, reads{0};
  std::atomic<bool> done{false};
  std::vector<std::thread> threads;
  for (int w = 0; w < kThreads; ++w)
    threads.emplace_back([&, w] {
      try {
        Store s = open_tenant(t);
        Points p(s);
        Interactions in(s);
        for (int k = 0; k < kTries; ++k) {
          try {
            p.redeem(pid, c, 10, "r" + std::to_string(w) + "-" + std::to_string(k), 2'000 + k);
            ++spent;
          } catch (const Error& e) {
            ++(e.code() == Errc::conflict ? refused : other);
          }
          std::vector<Interaction> batch;
          for (int r = 0; r < 5; ++r) {
            Interaction i;
            i.customer_id = c;
            i.external_id = "b" + std::to_string(w) + "-" + std::to_string(k) + "-" + std::to_string(r);
            i.occurred_at = 10'000 + k * 100 + r;
            i.kind = InteractionKind::email_open;
            batch.push_back(i);
          }
          in.record_batch(batch);
        }
      } catch (const std::exception& e) {
        UNSCOPED_INFO("writer: " << e.what());
        ++other;
      }
    });
  std::thread reader([&] {
    try {
      Store s = open_tenant(t);
      auto& db = detail::connection_of(s).db;
      while (!done) {
        if (db.execAndGet("SELECT count(*) FROM interactions WHERE external_id LIKE 'b%'").getInt64() % 5 != 0) ++torn;
        ++reads;
      }
    } catch (const std::exception& e) {
      UNSCOPED_INFO("reader: " << e.what());
      ++other;
    }
  });
  for (auto& th : threads) th.join();
  done = true;
  reader.join();
  CHECK(other == 0);
  CHECK(spent == 10);  // 100 points, 10 at a time: exactly ten redemptions, whoever made them
  CHECK(refused == kThreads * kTries - 10);
  CHECK(torn == 0);
  CHECK(reads > 0);
  CHECK(points.balance(pid, c, 100'000).available == 0);
  points.check_invariants(pid);
  auto& db = detail::connection_of(setup).db;
  CHECK(db.execAndGet("SELECT count(*) FROM interactions").getInt64() == kThreads * kTries * 5);
  CHECK(db.execAndGet("SELECT interaction_count FROM customer_figures WHERE customer_id = " + std::to_string(c))
            .getInt64() == kThreads * kTries * 5);
}

// The same promise across processes, as two application servers of one shop would make it:
// each child opens its own store and tries ten redemptions of 10 from a balance of 100.
TEST_CASE_METHOD(SpenderOf100, "two processes redeeming from one balance: no double spend", "[postgres]") {
  constexpr int kProcesses = 2, kTries = 10;
  struct Outcome {
    int spent = 0, refused = 0, other = 0;
  };
  std::vector<std::pair<pid_t, int>> children;  // pid, read end of its pipe
  for (int w = 0; w < kProcesses; ++w) {
    int fds[2];
    REQUIRE(::pipe(fds) == 0);
    const pid_t child = ::fork();
    REQUIRE(child >= 0);
    if (child == 0) {  // the child: its own connection; _exit so that no parent object is destroyed here
      ::close(fds[0]);
      Outcome o;
      try {
        Store s = open_tenant(t);
        Points p(s);
        for (int k = 0; k < kTries; ++k) {
          try {
            p.redeem(pid, c, 10, "p" + std::to_string(w) + "-" + std::to_string(k), 2'000 + k);
            ++o.spent;
          } catch (const Error& e) {
            ++(e.code() == Errc::conflict ? o.refused : o.other);
          }
        }
      } catch (...) {
        ++o.other;
      }
      const bool sent = ::write(fds[1], &o, sizeof o) == static_cast<ssize_t>(sizeof o);
      ::_exit(sent ? 0 : 1);
    }
    ::close(fds[1]);
    children.emplace_back(child, fds[0]);
  }
  Outcome total;
  for (const auto& [child, fd] : children) {
    Outcome o;
    const bool read_all = ::read(fd, &o, sizeof o) == static_cast<ssize_t>(sizeof o);
    ::close(fd);
    int status = 0;
    REQUIRE(::waitpid(child, &status, 0) == child);
    CHECK(WIFEXITED(status));
    CHECK(WEXITSTATUS(status) == 0);
    REQUIRE(read_all);
    total.spent += o.spent;
    total.refused += o.refused;
    total.other += o.other;
  }
  CHECK(total.other == 0);
  CHECK(total.spent == 10);
  CHECK(total.refused == kProcesses * kTries - 10);
  CHECK(points.balance(pid, c, 100'000).available == 0);
  points.check_invariants(pid);
}

// The busy timeout means what it means on SQLite: 0 never waits for another writer (where
// PostgreSQL's lock_timeout = 0 would wait for ever), N waits about N ms; either ends in busy.
TEST_CASE("a writer of a busy tenant: busy at once with a 0 ms timeout, after it otherwise", "[postgres]") {
  const std::string t = fresh_tenant();
  Store holder = open_tenant(t);
  add_customer(holder, "first");
  Transaction writing(holder);
  add_customer(holder, "held");
  for (const int timeout : {0, 300}) {
    INFO("busy_timeout_ms " << timeout);
    OpenOptions o;
    o.busy_timeout_ms = timeout;
    Store other = open_tenant(t, o);
    const auto t0 = std::chrono::steady_clock::now();
    expect_error([&] { add_customer(other, "waiting"); }, Errc::busy, "");
    const auto waited =
        std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - t0).count();
    if (timeout == 0) CHECK(waited < 250);
    else CHECK(waited >= 250);
    CHECK(Customers(other).count() == 1);  // reads never wait, and see only what was committed
  }
}

// Stops the server as a crash would (pg_ctl stop -m immediate: no checkpoint, every backend
// killed) and starts it again, through the wrapper tests/postgres/with_server.sh exports.
void restart_server() {
  const char* ctl = std::getenv("CRMKIT_TEST_PG_CTL");
  REQUIRE(ctl != nullptr);  // only with the private server: never restart a server we were given
  REQUIRE(std::system((std::string(ctl) + " stop -m immediate >/dev/null").c_str()) == 0);
  REQUIRE(std::system((std::string(ctl) + " start -w >/dev/null").c_str()) == 0);
}

// Runs f at most twice: the first statement after a restart may find the connection lost (io);
// the store reconnects for the next. Anything else is a failure.
template <class F>
auto after_restart(F f) -> decltype(f()) {
  try {
    return f();
  } catch (const Error& e) {
    INFO(e.what());
    REQUIRE(e.code() == Errc::io);
  }
  return f();
}

// Sets of five interactions, each recorded as one batch, by a writer that retries a batch the
// restart interrupted (its external ids make the retry idempotent).
struct Ingest {
  std::atomic<int> acknowledged{0}, failures{0};
  std::atomic<bool> stop{false};
  std::string error;
  void run(Store s, std::int64_t customer) {
    Interactions in(s);
    for (int b = 0; !stop && b < 100'000; ++b) {
      std::vector<Interaction> batch;
      for (int r = 0; r < 5; ++r) {
        Interaction i;
        i.customer_id = customer;
        i.external_id = "g" + std::to_string(b) + "-" + std::to_string(r);
        i.occurred_at = 1'700'000'000'000 + b * 10 + r;
        i.kind = InteractionKind::purchase;
        i.amount = Money{100, "USD"};
        batch.push_back(i);
      }
      for (int attempt = 0;; ++attempt) {
        try {
          in.record_batch(batch);
          acknowledged = b + 1;
          break;
        } catch (const Error& e) {
          ++failures;
          if ((e.code() != Errc::io && e.code() != Errc::busy) || attempt > 50) {
            error = e.what();
            return;
          }
          std::this_thread::sleep_for(std::chrono::milliseconds(20));
        }
      }
    }
  }
};

TEST_CASE("a server restart: committed facts survive, the store reconnects, an open transaction fails",
          "[postgres][.restart]") {
  Store s = test_store();
  add_customer(s, "committed");
  restart_server();
  CHECK(after_restart([&] { return Customers(s).count(); }) == 1);
  add_customer(s, "after the restart");

  {
    Transaction tx(s);
    add_customer(s, "in flight");
    restart_server();
    expect_error([&] { tx.commit(); }, Errc::io, "lost");
  }
  CHECK_FALSE(s.in_transaction());
  CHECK(after_restart([&] { return Customers(s).count(); }) == 2);
  CHECK_FALSE(has_customer(s, "in flight"));

  // A batch inside a transaction the restart ended fails with io, and so does every write after
  // it until the caller rolls back: reconnecting in between would commit them one by one.
  const std::int64_t committed = Customers(s).get_by_external_id("committed").id;
  {
    Transaction tx(s);
    add_customer(s, "before the batch");
    restart_server();
    std::vector<Interaction> batch;
    for (int k = 0; k < 3; ++k) {
      Interaction i;
      i.customer_id = committed;
      i.external_id = "tx-" + std::to_string(k);
      i.occurred_at = 5'000 + k;
      i.kind = InteractionKind::note;
      batch.push_back(i);
    }
    expect_error([&] { Interactions(s).record_batch(batch); }, Errc::io, "lost");
    expect_error([&] { add_customer(s, "after the batch"); }, Errc::io, "roll back");
  }
  CHECK(after_restart([&] { return Customers(s).count(); }) == 2);
  CHECK_FALSE(has_customer(s, "before the batch"));
  CHECK_FALSE(has_customer(s, "after the batch"));
  CHECK(detail::connection_of(s).db.execAndGet("SELECT count(*) FROM interactions WHERE external_id LIKE 'tx-%'")
            .getInt64() == 0);

  // During ingest: every acknowledged batch is there after the restart, no batch partly.
  const std::int64_t c = Customers(s).get_by_external_id("committed").id;
  const std::string tenant = static_cast<detail::PostgresDatabase&>(detail::connection_of(s).db).tenant();
  Ingest ingest;
  std::thread writer([&] { ingest.run(open_tenant(tenant), c); });
  while (ingest.acknowledged < 20) std::this_thread::sleep_for(std::chrono::milliseconds(5));
  const int before_restart = ingest.acknowledged;
  restart_server();
  while (ingest.acknowledged < before_restart + 20 && ingest.error.empty())
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  ingest.stop = true;
  writer.join();
  INFO("writer: " << ingest.error);
  CHECK(ingest.error.empty());
  CHECK(ingest.failures > 0);  // the restart did interrupt it
  const int acknowledged = ingest.acknowledged;
  auto& db = detail::connection_of(s).db;
  const std::int64_t rows = after_restart([&] {
    return detail::guard(
        [&] { return db.execAndGet("SELECT count(*) FROM interactions WHERE external_id LIKE 'g%'").getInt64(); });
  });
  CHECK(rows == 5 * static_cast<std::int64_t>(acknowledged));
  CHECK(db.execAndGet("SELECT count(*) FROM (SELECT split_part(external_id, '-', 1) AS b FROM interactions "
                      "WHERE external_id LIKE 'g%' GROUP BY 1 HAVING count(*) <> 5) AS partial")
            .getInt64() == 0);
}

// The counterpart of the SQLite file test of the same name (tests/reliability): a value written
// behind crmkit's back, past the CHECK that would have refused it, reads as corrupt naming its
// table, column and row, not as an internal error or a wrong value. Invalid UTF-8 is left out:
// the server refuses to store it at all.
TEST_CASE("a stored value that fails its check is corruption on a tenant too, named by table, column and row",
          "[postgres]") {
  for (const auto& d : populated::damages()) {
    if (d.sqlite_only) continue;
    INFO(d.sql);
    Store s = test_store();
    populated::populate(s);
    auto& db = detail::connection_of(s).db;
    db.exec(
        "DO $$ DECLARE r record; BEGIN "
        "FOR r IN SELECT conname, conrelid::regclass AS t FROM pg_constraint "
        "WHERE contype = 'c' AND connamespace = current_schema()::regnamespace LOOP "
        "EXECUTE format('ALTER TABLE %s DROP CONSTRAINT %I', r.t, r.conname); END LOOP; END $$; "
        "DROP TRIGGER points_ledger_no_update ON points_ledger");
    REQUIRE(db.statement(d.sql)->exec() > 0);
    try {
      d.read(s);
      FAIL("the damaged value was read back");
    } catch (const Error& e) {
      INFO(e.what());
      CHECK(e.code() == Errc::corrupt);
      CHECK(std::string(e.what()).find(d.column) != std::string::npos);
    }
  }
}
