#include <SQLiteCpp/Database.h>
#include <SQLiteCpp/Statement.h>
#include <sqlite3.h>
#include <catch2/catch.hpp>

#include <optional>

#include <sys/stat.h>
#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <string>


#include "test_store.hpp"
#include "crmkit/customer.hpp"
#include "crmkit/interaction.hpp"
#include "crmkit/store.hpp"
#include "expect_error.hpp"
#include "store/connection.hpp"
#include "store/migrations.hpp"
#include "temp_dir.hpp"

using crmkit::Errc;
using crmkit::Error;
using crmkit::Store;

TEST_CASE("a new store file is created 0600 with the latest schema", "[store]") {
  TempDir dir;
  auto path = dir.file("new.db");
  Store s = Store::open(path);
  struct stat st {};
  REQUIRE(::stat(path.c_str(), &st) == 0);
  CHECK((st.st_mode & 0777) == 0600);
  CHECK(s.schema_version() == Store::latest_schema_version());
  CHECK(Store::latest_schema_version() >= 1);
  // Reopening keeps everything; the version does not move.
  Store again = Store::open(path);
  CHECK(again.schema_version() == Store::latest_schema_version());
}

TEST_CASE("the file mode option is honoured", "[store]") {
  TempDir dir;
  auto path = dir.file("mode.db");
  crmkit::OpenOptions o;
  o.file_mode = 0640;
  ::umask(022);
  Store::open(path, o);
  struct stat st {};
  REQUIRE(::stat(path.c_str(), &st) == 0);
  CHECK((st.st_mode & 0777) == 0640);
}

TEST_CASE("the page cache option sizes the connection's cache and is checked", "[store]") {
  TempDir dir;
  auto path = dir.file("cache.db");
  auto cache_of = [](Store& s) {
    return crmkit::detail::connection_of(s).db.execAndGet("PRAGMA cache_size").getInt64();
  };
  Store standard = Store::open(path);
  CHECK(cache_of(standard) == -64 * 1024);  // negative: KiB, as SQLite reads it
  crmkit::OpenOptions o;
  o.cache_mib = 8;
  Store small = Store::open(path, o);
  CHECK(cache_of(small) == -8 * 1024);
  for (int bad : {0, -1, 65537}) {
    o.cache_mib = bad;
    expect_error([&] { Store::open(dir.file("refused.db"), o); }, Errc::invalid_argument, "cache_mib");
  }
  CHECK(::access(dir.file("refused.db").c_str(), F_OK) != 0);  // refused before anything is created
  o.cache_mib = 8;
  for (int bad : {0, -1, 65537}) {
    o.write_cache_mib = bad;
    expect_error([&] { Store::open(dir.file("refused.db"), o); }, Errc::invalid_argument, "write_cache_mib");
  }
  CHECK(::access(dir.file("refused.db").c_str(), F_OK) != 0);
}

TEST_CASE("a transaction that records a batch widens the page cache until it ends", "[store]") {
  TempDir dir;
  crmkit::OpenOptions o;
  o.cache_mib = 8;
  o.write_cache_mib = 32;
  Store s = Store::open(dir.file("widen.db"), o);
  auto cache_of = [&s] { return crmkit::detail::connection_of(s).db.execAndGet("PRAGMA cache_size").getInt64(); };
  crmkit::Customers customers(s);
  crmkit::CustomerFields c;
  c.display_name = "Ada";
  c.created_at = 1'600'000'000'000;
  const std::int64_t id = customers.create(c);
  crmkit::Interactions interactions(s);
  crmkit::Interaction visit;
  visit.customer_id = id;
  visit.occurred_at = 1'700'000'000'000;
  visit.kind = crmkit::InteractionKind::visit;
  visit.channel = crmkit::Channel::web;

  interactions.record_batch({visit});  // a transaction of its own: back to 8 MiB when it ends
  CHECK(cache_of() == -8 * 1024);
  {
    crmkit::Transaction tx(s);
    interactions.record(visit);  // one by one: not widened
    CHECK(cache_of() == -8 * 1024);
    visit.occurred_at += 1;
    interactions.record_batch({visit});
    CHECK(cache_of() == -32 * 1024);  // the whole transaction keeps its changed pages
    visit.occurred_at += 1;
    interactions.record_batch({visit});
    CHECK(cache_of() == -32 * 1024);
    tx.commit();
  }
  CHECK(cache_of() == -8 * 1024);
  {
    crmkit::Transaction tx(s);
    visit.occurred_at += 1;
    interactions.record_batch({visit});
    CHECK(cache_of() == -32 * 1024);
  }  // rolled back
  CHECK(cache_of() == -8 * 1024);
  visit.customer_id = id + 100;  // a refused batch (unknown customer) settles the cache too
  expect_error([&] { interactions.record_batch({visit}); }, Errc::not_found, "customer");
  CHECK(cache_of() == -8 * 1024);
  CHECK(interactions.figures(id).interaction_count == 4);  // 1 + 3 committed, the rolled-back one gone

  o.write_cache_mib = 4;  // below cache_mib: the cache stays at cache_mib
  Store narrow = Store::open(dir.file("widen.db"), o);
  crmkit::Interactions(narrow).record_batch({[&] { auto v = visit; v.customer_id = id; v.occurred_at += 10; return v; }()});
  CHECK(crmkit::detail::connection_of(narrow).db.execAndGet("PRAGMA cache_size").getInt64() == -8 * 1024);
}

TEST_CASE("a file from a newer schema is refused", "[store]") {
  TempDir dir;
  auto path = dir.file("newer.db");
  { Store::open(path); }
  {
    SQLite::Database raw(path, SQLite::OPEN_READWRITE);
    raw.exec("PRAGMA user_version = 9999");
  }
  expect_error([&] { Store::open(path); }, Errc::unsupported_version, "9999");
}

TEST_CASE("files that are not crmkit databases give errors, never crashes", "[store]") {
  TempDir dir;
  SECTION("random bytes") {
    auto path = dir.file("junk.db");
    std::ofstream(path) << std::string(8192, 'x');
    try {
      Store::open(path);
      FAIL("opened junk");
    } catch (const Error& e) {
      CHECK(e.code() == Errc::corrupt);
    }
  }
  SECTION("another application's SQLite database") {
    auto path = dir.file("other.db");
    {
      SQLite::Database raw(path, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE);
      raw.exec("CREATE TABLE t(x)");
    }
    expect_error([&] { Store::open(path); }, Errc::corrupt, "not a crmkit database");
  }
  SECTION("a missing file without create") {
    crmkit::OpenOptions o;
    o.create = false;
    CHECK_THROWS_AS(Store::open(dir.file("missing.db"), o), Error);
  }
}

TEST_CASE("read-only stores refuse writes", "[store]") {
  TempDir dir;
  auto path = dir.file("ro.db");
  { Store::open(path); }
  crmkit::OpenOptions o;
  o.read_only = true;
  Store s = Store::open(path, o);
  try {
    s.set_default_currency("EUR");
    FAIL("wrote to a read-only store");
  } catch (const Error& e) {
    CHECK(e.code() == Errc::read_only);
  }
}

TEST_CASE("settings are validated and persisted", "[store]") {
  TempDir dir;
  auto path = dir.file("settings.db");
  {
    Store s = Store::open(path);
    CHECK(s.default_currency() == "USD");
    CHECK(s.default_region().empty());
    s.set_default_region("IT");
    s.set_default_currency("EUR");
    CHECK_THROWS_AS(s.set_default_currency("eur"), Error);
    // Refused, never corrected: lower case, unknown, a calling code, the non-geographic "001".
    for (const char* bad : {"it", "XX", "ITA", "39", "001", "I", " IT"}) {
      INFO(bad);
      try {
        s.set_default_region(bad);
        FAIL("accepted");
      } catch (const Error& e) {
        CHECK(e.code() == Errc::invalid_argument);
        CHECK(std::string(e.what()).find("default_region") != std::string::npos);
      }
    }
    CHECK(s.default_region() == "IT");
  }
  Store s = Store::open(path);
  CHECK(s.default_region() == "IT");
  CHECK(s.default_currency() == "EUR");
  s.set_default_region("");
  CHECK(s.default_region().empty());
}

TEST_CASE("a store from before regions gets the region of its calling code", "[store]") {
  struct Case {
    const char* calling_code;
    const char* region;         // default_region after the upgrade
    const char* kept_code;      // what is left under default_calling_code (nullptr: removed)
  };
  const Case cases[] = {{"39", "IT", nullptr}, {"1", "US", nullptr}, {"44", "GB", nullptr}, {"7", "RU", nullptr},
                        {"", "", nullptr},
                        // No region to give: kept under the old key rather than lost.
                        {"800", "", "800"}, {"999", "", "999"}};
  for (const Case& k : cases) {
    INFO("calling code '" << k.calling_code << "'");
    TempDir dir;
    auto path = dir.file("old.db");
    {
      crmkit::detail::Connection c(path, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, 5000);
      crmkit::detail::migrate_to(c, 5);  // the last schema with a default_calling_code
      auto st_st = c.db.statement("UPDATE store_settings SET value = ? WHERE key = 'default_calling_code'");
      auto& st = *st_st;
      st.bind(1, k.calling_code);
      REQUIRE(st.exec() == 1);
    }
    Store s = Store::open(path);
    CHECK(s.default_region() == k.region);
    auto old_st = crmkit::detail::connection_of(s).db.statement("SELECT value FROM store_settings WHERE key = 'default_calling_code'");
    auto& old = *old_st;
    if (k.kept_code) {
      REQUIRE(old.executeStep());
      CHECK(old.getColumn(0).getString() == k.kept_code);
    } else {
      CHECK_FALSE(old.executeStep());
    }
  }
}

TEST_CASE("transactions commit whole or not at all", "[store]") {
  Store s = test_store();
  {
    crmkit::Transaction tx(s);
    s.set_default_currency("EUR");
    CHECK(s.in_transaction());
  }  // rolled back
  CHECK(s.default_currency() == "USD");
  {
    crmkit::Transaction tx(s);
    s.set_default_currency("GBP");
    CHECK_THROWS_AS(crmkit::Transaction(s), Error);  // no nesting
    tx.commit();
  }
  CHECK(s.default_currency() == "GBP");
  CHECK_FALSE(s.in_transaction());
}

TEST_CASE("a savepoint undoes its own part of the transaction, nests, and ends with it", "[store]") {
  Store s = test_store();
  expect_error([&] { crmkit::Savepoint sp(s); }, Errc::misuse, "open transaction");
  {
    crmkit::Transaction tx(s);
    s.set_default_currency("EUR");
    {
      crmkit::Savepoint outer(s);
      s.set_default_currency("GBP");
      {
        crmkit::Savepoint inner(s);
        s.set_default_currency("JPY");
        expect_error([&] { outer.release(); }, Errc::misuse, "reverse order");
      }  // not released: undone
      CHECK(s.default_currency() == "GBP");
      outer.rollback();
      CHECK(s.default_currency() == "EUR");
      expect_error([&] { outer.release(); }, Errc::misuse, "finished");
    }
    crmkit::Savepoint kept(s);
    s.set_default_currency("CHF");
    kept.release();
    crmkit::Savepoint pending(s);
    s.set_default_currency("SEK");
    tx.commit();  // the open savepoint's part commits with the transaction
    expect_error([&] { pending.release(); }, Errc::misuse, "ended");
  }
  CHECK(s.default_currency() == "SEK");
  std::optional<crmkit::Savepoint> stale;
  {
    crmkit::Transaction tx(s);
    stale.emplace(s);
    tx.commit();
  }
  crmkit::Transaction next(s);
  crmkit::Savepoint fresh(s);
  s.set_default_currency("NOK");
  stale.reset();  // of the committed transaction: undoes nothing in this one
  CHECK(s.default_currency() == "NOK");
  fresh.release();
  next.commit();
  CHECK(s.default_currency() == "NOK");
}
