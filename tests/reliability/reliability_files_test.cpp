// Schema upgrades and damaged files: a file written at every earlier schema version opens,
// upgrades and keeps its data; a newer one is refused; truncated, random, empty and
// bit-flipped files give an Error (or, where SQLite can still read them, errors on access) and
// never crash.
#include <SQLiteCpp/Database.h>
#include <SQLiteCpp/Statement.h>
#include <sqlite3.h>
#include <catch2/catch.hpp>

#include <sys/wait.h>

#include <cstdio>
#include <filesystem>
#include <functional>
#include <map>
#include <random>

#include "crmkit.h"
#include "crmkit/customer.hpp"
#include "crmkit/points.hpp"
#include "crmkit/segment.hpp"
#include "crmkit/value.hpp"
#include "populated_store.hpp"
#include "scenario.hpp"
#include "store/migrations.hpp"
#include "temp_dir.hpp"
#include "verify.hpp"
#include "test_paths.hpp"  // CRMKIT_SHARED_DATA, CRMKIT_CLI, CRMKIT_CHILD (generated)

using namespace reliability;
using crmkit::Errc;

namespace {

const char* const kCoreDump[] = {
    // The columns every version has; later migrations add columns (0007: lifecycle_manual,
    // 0008: interactions.natural_key, NULL for rows written before it; 0010: the purchase
    // histories in customer_money, computed by the migration and checked separately).
    "SELECT id, external_id, kind, display_name, given_name, family_name, email, phone, birth_date, gender, "
    "country, region, city, postal_code, acquisition_channel, acquisition_cost, acquisition_currency, "
    "lifecycle_stage, created_at, updated_at, attributes FROM customers ORDER BY id",
    "SELECT * FROM customer_tags ORDER BY customer_id, tag",
    "SELECT id, customer_id, external_id, occurred_at, channel, kind, direction, amount, currency, margin, "
    "subject, notes, attributes FROM interactions ORDER BY id",
    "SELECT * FROM customer_figures ORDER BY customer_id",
    "SELECT customer_id, currency, purchase_total, refund_total, margin_total FROM customer_money "
    "ORDER BY customer_id, currency"};

std::string core_rows(crmkit::detail::Database& db) {
  std::string all;
  for (const char* q : kCoreDump) all += dump(db, q);
  return all;
}

// Exercises a store that may be damaged: every outcome must be a value or crmkit::Error.
int poke(crmkit::Store& s) {
  int errors = 0;
  auto attempt = [&](auto&& f) {
    try {
      f();
    } catch (const crmkit::Error&) {
      ++errors;
    }
  };
  crmkit::Customers customers(s);
  crmkit::Interactions interactions(s);
  attempt([&] { customers.list({}, 0, 1000); });
  attempt([&] { customers.count(); });
  attempt([&] { customers.get(3); });
  attempt([&] { interactions.timeline(3); });
  attempt([&] { interactions.figures(3); });
  attempt([&] {
    auto rows = batch_rows(99);
    for (auto& r : rows) r.customer_id = 1 + r.customer_id % 3;
    interactions.record_batch(rows);
  });
  attempt([&] { interactions.rebuild_figures(); });
  attempt([&] {
    if (integrity(s) != "ok") throw crmkit::Error(Errc::corrupt, "integrity_check");
  });
  return errors;
}

// Opens a file that may be damaged: refused with corrupt/io, or opened and then refusing.
void expect_refused(const std::string& path, const char* what) {
  INFO(what);
  try {
    crmkit::Store s = crmkit::Store::open(path);
    CHECK(poke(s) > 0);
  } catch (const crmkit::Error& e) {
    INFO(e.what());
    CHECK((e.code() == Errc::corrupt || e.code() == Errc::io));
  }
}

// The error opening `path` gives; a test failure naming `what` when it opens instead.
crmkit::Error refusal(const std::string& path, const char* what, bool read_only = false) {
  crmkit::OpenOptions o;
  o.read_only = read_only;
  try {
    crmkit::Store::open(path, o);
  } catch (const crmkit::Error& e) {
    return e;
  }
  FAIL(what << " opened" << (read_only ? " read-only" : ""));
  return crmkit::Error(Errc::internal, "opened");
}

}  // namespace

TEST_CASE("a file of every earlier schema version upgrades and keeps its data", "[files]") {
  const auto& all = crmkit::detail::migrations();
  REQUIRE(!all.empty());
  for (const auto& m : all) {
    INFO("written at schema version " << m.version << " (" << m.name << ")");
    TempDir dir;
    const std::string path = dir.file("old.db");
    std::string before;
    {
      crmkit::detail::Connection c(path, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, 5000);
      c.db.exec("PRAGMA foreign_keys = ON");
      c.db.execAndGet("PRAGMA journal_mode = WAL");
      crmkit::detail::migrate_to(c, m.version);
      REQUIRE(c.db.execAndGet("PRAGMA user_version").getInt() == m.version);
      // Data valid since version 1 (the core tables), written as that version would have.
      c.db.exec(
          "INSERT INTO customers(id, external_id, email, created_at, updated_at, attributes) VALUES "
          "(1, 'c1', 'a@example.com', 1000, 1000, '{\"tier\":\"gold\"}'), (2, 'c2', NULL, 2000, 2000, '{}'), "
          "(3, 'c3', NULL, 3000, 3000, '{}');"
          "INSERT INTO customer_tags VALUES (1, 'vip'), (2, 'new');"
          "INSERT INTO interactions(customer_id, external_id, occurred_at, channel, kind, amount, currency, margin) "
          "VALUES (1, 'i1', 86400000, 'web', 'purchase', 1250, 'USD', 300), "
          "(1, 'i2', 172800000, 'store', 'refund', -250, 'USD', NULL), "
          "(2, 'i3', 86400001, 'email', 'purchase', 999, 'EUR', NULL);"
          "INSERT INTO interactions(customer_id, occurred_at, channel, kind) VALUES (3, 5000, 'phone', 'inquiry')");
      // The figures as version 1 kept them (rebuild_figures writes today's columns).
      c.db.exec(
          "INSERT INTO customer_figures(customer_id, interaction_count, last_interaction_at, purchase_count, "
          "purchase_days, refund_count, first_purchase_at, last_purchase_at) VALUES "
          "(1, 2, 172800000, 1, 1, 1, 86400000, 86400000), (2, 1, 86400001, 1, 1, 0, 86400001, 86400001), "
          "(3, 1, 5000, 0, 0, 0, NULL, NULL);"
          "INSERT INTO customer_money(customer_id, currency, purchase_total, refund_total, margin_total) VALUES "
          "(1, 'USD', 1250, -250, 300), (2, 'EUR', 999, 0, 0)");
      if (m.version >= 10)  // and each currency's purchase history since 0010
        c.db.exec(
            "UPDATE customer_money SET first_purchase_at = 86400000, last_purchase_at = 86400000, "
            "purchase_days = 1, first_day_total = 1250 WHERE customer_id = 1;"
            "UPDATE customer_money SET first_purchase_at = 86400001, last_purchase_at = 86400001, "
            "purchase_days = 1, first_day_total = 999 WHERE customer_id = 2");
      before = core_rows(c.db);
    }
    crmkit::Store s = crmkit::Store::open(path);
    CHECK(s.schema_version() == crmkit::Store::latest_schema_version());
    CHECK(core_rows(crmkit::detail::connection_of(s).db) == before);
    // Rows from before 0008 have no natural key (it is not computable in SQL; see the migration).
    CHECK(crmkit::detail::connection_of(s).db.execAndGet("SELECT count(*) FROM interactions WHERE natural_key IS NOT NULL").getInt() == 0);
    // Stages written before 0007 count as automatic: nothing recorded that the host set them.
    CHECK(crmkit::detail::connection_of(s).db.execAndGet("SELECT count(*) FROM customers WHERE lifecycle_manual = 0").getInt() == 3);
    CHECK(integrity(s) == "ok");
    // 0010 derived each currency's purchase history from the interactions, as the upkeep does.
    CHECK(dump(crmkit::detail::connection_of(s).db,
               "SELECT customer_id, first_purchase_at, last_purchase_at, purchase_days, first_day_total "
               "FROM customer_money ORDER BY customer_id, currency") ==
          dump(crmkit::detail::connection_of(s).db,
               "SELECT 1, 86400000, 86400000, 1, 1250 UNION ALL SELECT 2, 86400001, 86400001, 1, 999"));
    CHECK(crmkit::Customers(s).get_by_external_id("c1").attributes == R"({"tier":"gold"})");
    auto f = crmkit::Interactions(s).figures(1);
    REQUIRE(f.money.size() == 1);
    CHECK(f.money[0].purchase_total == 1250);
    CHECK(f.money[0].refund_total == -250);
    CHECK(poke(s) == 0);  // fully usable after the upgrade
  }
}

TEST_CASE("a file from a newer crmkit is refused, and a read-only open never upgrades", "[files]") {
  TempDir dir;
  const std::string path = dir.file("future.db");
  make_baseline(path);
  {
    SQLite::Database db(path, SQLite::OPEN_READWRITE);
    db.exec("PRAGMA user_version = " + std::to_string(crmkit::Store::latest_schema_version() + 1));
  }
  CHECK(refusal(path, "a newer schema").code() == Errc::unsupported_version);
  const std::string old = dir.file("old.db");
  {
    crmkit::detail::Connection c(old, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, 5000);
    crmkit::detail::migrate_to(c, 0);  // an application_id only: version 0
  }
  if (crmkit::Store::latest_schema_version() > 0) {
    CHECK(refusal(old, "an old schema (to be upgraded)", true).code() == Errc::read_only);
  }
}

TEST_CASE("damaged files give an error, never a crash", "[files]") {
  TempDir dir;
  const std::string good = dir.file("good.db");
  make_baseline(good);
  {
    crmkit::Store s = crmkit::Store::open(good);
    crmkit::Interactions in(s);
    for (std::int64_t b = 2; b < 40; ++b) in.record_batch(batch_rows(b));
  }  // closing checkpoints: the whole database is in the main file
  const std::string bytes = read_file(good);
  REQUIRE(bytes.size() > 8 * 4096);
  const std::size_t page = (static_cast<unsigned char>(bytes[16]) << 8) | static_cast<unsigned char>(bytes[17]);
  REQUIRE(page >= 512);
  const std::string path = dir.file("bad.db");

  SECTION("random bytes") {
    std::mt19937 rng(42);
    std::string junk(16 * 4096, '\0');
    for (auto& c : junk) c = static_cast<char>(rng());
    write_file(path, junk);
    CHECK(refusal(path, "random bytes").code() == Errc::corrupt);
  }
  SECTION("truncated at every eighth of its length") {
    for (int k = 1; k < 8; ++k) {
      write_file(path, bytes.substr(0, bytes.size() * k / 8));
      expect_refused(path, "truncated");
    }
    write_file(path, bytes.substr(0, 50));  // not even a header
    expect_refused(path, "50 bytes");
  }
  SECTION("a flipped byte in each page header") {
    const std::size_t pages = bytes.size() / page;
    int refused = 0;
    for (std::size_t p = 1; p < pages; ++p) {
      std::string b = bytes;
      b[p * page] = static_cast<char>(b[p * page] ^ 0x5a);  // the b-tree page type
      write_file(path, b);
      try {
        crmkit::Store s = crmkit::Store::open(path);
        if (poke(s) > 0) ++refused;  // freelist or overflow pages may be harmless to flip
      } catch (const crmkit::Error& e) {
        CHECK((e.code() == Errc::corrupt || e.code() == Errc::io));
        ++refused;
      }
    }
    CHECK(refused > 0);
    std::string b = bytes;
    b[100] = static_cast<char>(b[100] ^ 0x5a);  // page 1's header: sqlite_schema itself
    write_file(path, b);
    CHECK(refusal(path, "a damaged schema page").code() == Errc::corrupt);
  }
  SECTION("a damaged schema format number in the header is corruption (SQLite says only 'unsupported file format')") {
    // The fuzzer's find: SQLite's generic error was reported as internal.
    std::string b = bytes;
    b[47] = 9;  // the schema format number (offset 44, 4 bytes big-endian) is 1 to 4
    write_file(path, b);
    for (bool read_only : {false, true}) {
      const crmkit::Error e = refusal(path, "a file of schema format 9", read_only);
      INFO(e.what());
      CHECK(e.code() == Errc::corrupt);
      CHECK(read_file(path) == b);
    }
  }
  SECTION("a zero-length file is a new empty database, as in SQLite") {
    write_file(path, "");
    {
      crmkit::Store s = crmkit::Store::open(path);
      CHECK(s.schema_version() == crmkit::Store::latest_schema_version());
    }
    crmkit::OpenOptions no_create;
    no_create.create = false;
    write_file(path, "");
    crmkit::Store t = crmkit::Store::open(path, no_create);
    CHECK(t.schema_version() == crmkit::Store::latest_schema_version());
  }
  SECTION("a zero-length file opened read-only is refused: it has no schema to read") {
    write_file(path, "");
    CHECK(refusal(path, "an empty file", true).code() == Errc::read_only);
    CHECK(read_file(path).empty());
  }
  SECTION("a file shorter than a page is not a database, and SQLite does not write over it") {
    // SQLite counts whole pages and would take these for empty databases (the fuzzer's find).
    for (const std::string bytes : {std::string(1, '\0'), std::string("hello\n"), std::string(511, 'x')}) {
      for (bool read_only : {false, true}) {
        write_file(path, bytes);
        INFO(bytes.size() << " bytes");
        const crmkit::Error e = refusal(path, "a file shorter than a page", read_only);
        CHECK(e.code() == Errc::corrupt);
        CHECK_THAT(e.what(), Catch::Contains("shorter than a page"));
        CHECK(read_file(path) == bytes);
      }
    }
  }
  SECTION("a SQLite database that is not crmkit's") {
    write_file(path, "");
    {
      SQLite::Database db(path, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE);
      db.exec("CREATE TABLE customers(x); INSERT INTO customers VALUES (1)");
    }
    CHECK(refusal(path, "a foreign database").code() == Errc::corrupt);
  }
}

// ---- Refused opens change nothing; reads of damaged values say "corrupt" -------------------

namespace {

// Every file under `dir` (the directory itself included) with its bytes: a refused open must
// leave this exactly as it was, -wal and -shm files included.
std::map<std::string, std::string> snapshot(const std::filesystem::path& dir) {
  std::map<std::string, std::string> all;
  for (const auto& e : std::filesystem::recursive_directory_iterator(dir))
    all[e.path().string()] = e.is_directory() ? std::string("<directory>") : read_file(e.path().string());
  return all;
}

int capi_status(Errc code) {
  switch (code) {
    case Errc::corrupt: return CRMKIT_ECORRUPT;
    case Errc::unsupported_version: return CRMKIT_EVERSION;
    case Errc::io: return CRMKIT_EIO;
    case Errc::read_only: return CRMKIT_EREADONLY;
    default: return CRMKIT_EINTERNAL;
  }
}

// Exit status of the crmkit command run with `args` (stdout and stderr discarded).
int run_cli(const std::string& args) {
  std::string cmd = "'" CRMKIT_CLI "' " + args + " >/dev/null 2>&1";
  int st = std::system(cmd.c_str());
  return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

void foreign_database(const std::string& path, bool wal) {
  SQLite::Database db(path, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE);
  if (wal) db.execAndGet("PRAGMA journal_mode = WAL");
  db.exec("CREATE TABLE customers(x); INSERT INTO customers VALUES (1)");
}

// A crmkit file stamped one schema version newer than this crmkit.
void newer_crmkit(const std::string& path, bool wal) {
  make_baseline(path);
  SQLite::Database db(path, SQLite::OPEN_READWRITE);
  if (!wal) db.execAndGet("PRAGMA journal_mode = DELETE");
  db.exec("PRAGMA user_version = " + std::to_string(crmkit::Store::latest_schema_version() + 1));
}

struct RefusedFile {
  const char* what;
  std::function<void(const std::string& path)> make;  // empty: the path does not exist
  Errc read_write, read_only;                         // the expected refusals
  bool writable_test = true;                          // false: a read-write open would create it
};

}  // namespace

TEST_CASE("a refused open changes nothing: not the file, not its directory", "[files]") {
  const RefusedFile files[] = {
      {"a foreign SQLite database (rollback journal)", [](const std::string& p) { foreign_database(p, false); },
       Errc::corrupt, Errc::corrupt},
      {"a foreign SQLite database (WAL)", [](const std::string& p) { foreign_database(p, true); }, Errc::corrupt,
       Errc::corrupt},
      {"a newer crmkit file (rollback journal)", [](const std::string& p) { newer_crmkit(p, false); },
       Errc::unsupported_version, Errc::unsupported_version},
      {"a newer crmkit file (WAL)", [](const std::string& p) { newer_crmkit(p, true); }, Errc::unsupported_version,
       Errc::unsupported_version},
      {"an empty SQLite database of another application",
       [](const std::string& p) {
         SQLite::Database db(p, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE);
         db.exec("PRAGMA application_id = 305419896");  // 0x12345678, no tables
       },
       Errc::corrupt, Errc::corrupt},
      {"a text file", [](const std::string& p) { write_file(p, std::string(2000, 'x') + "\nnot a database\n"); },
       Errc::corrupt, Errc::corrupt},
      {"a directory", [](const std::string& p) { std::filesystem::create_directory(p); }, Errc::io, Errc::io},
      {"a path that does not exist", nullptr, Errc::io, Errc::io, false},
  };
  for (const auto& f : files) {
    INFO(f.what);
    TempDir dir;
    const std::string path = dir.file("x.db");
    if (f.make) f.make(path);
    const auto before = snapshot(dir.path);
    REQUIRE(std::filesystem::exists(path) == static_cast<bool>(f.make));
    for (bool read_only : {false, true}) {
      if (!read_only && !f.writable_test) continue;
      INFO((read_only ? "read-only" : "read-write"));
      const Errc want = read_only ? f.read_only : f.read_write;
      {
        const crmkit::Error e = refusal(path, f.what, read_only);
        INFO(e.what());
        CHECK(crmkit::errc_name(e.code()) == std::string(crmkit::errc_name(want)));
      }
      CHECK(snapshot(dir.path) == before);

      crmkit_options* opts = nullptr;
      REQUIRE(crmkit_options_new(&opts) == CRMKIT_OK);
      crmkit_options_set_read_only(opts, read_only ? 1 : 0);
      crmkit_db* db = nullptr;
      const int rc = crmkit_db_open(&db, path.c_str(), opts);
      crmkit_db_close(db);
      crmkit_options_free(opts);
      INFO(crmkit_last_error_message());
      CHECK(rc == capi_status(want));
      CHECK(snapshot(dir.path) == before);
    }
    // The command's read commands, on the file as a user would name it.
    for (const char* cmd : {"report --json --db", "customer show 1 --db", "timeline --external-id c1 --db"}) {
      INFO(cmd);
      CHECK(run_cli(std::string(cmd) + " '" + path + "'") != 0);
      CHECK(snapshot(dir.path) == before);
    }
  }
}

TEST_CASE("a new file is still created and initialised when opened for writing", "[files]") {
  TempDir dir;
  for (const char* name : {"new.db", "empty.db"}) {
    const std::string path = dir.file(name);
    if (std::string(name) == "empty.db") write_file(path, "");
    {
      crmkit::Store s = crmkit::Store::open(path);
      CHECK(s.schema_version() == crmkit::Store::latest_schema_version());
      CHECK(crmkit::detail::connection_of(s).db.execAndGet("PRAGMA journal_mode").getString() == "wal");
      CHECK(integrity(s) == "ok");
    }
    crmkit::OpenOptions ro;
    ro.read_only = true;
    CHECK(crmkit::Store::open(path, ro).schema_version() == crmkit::Store::latest_schema_version());
  }
}

TEST_CASE("crmkit tables under a damaged header are corruption, not an internal error", "[files]") {
  TempDir dir;
  const std::string path = dir.file("h.db");
  make_baseline(path);
  const std::string good = read_file(path);
  // Version 0 with tables, a negative version (the fuzzer's find: it was migrated as if new and
  // failed on "already exists"); an earlier version over the current tables (the fuzzer's second
  // find: migration 0002 failed on "already exists"); the current version without the customers
  // table.
  const int latest = crmkit::Store::latest_schema_version();
  for (int version : {0, -1, -100663232, 1, latest - 1, latest}) {
    INFO("user_version set to " << version);
    write_file(path, good);
    {
      SQLite::Database db(path, SQLite::OPEN_READWRITE);
      db.exec("PRAGMA user_version = " + std::to_string(version));
      if (version == latest) db.exec("PRAGMA writable_schema = ON; DELETE FROM sqlite_schema WHERE name = 'customers'");
    }
    const auto before = read_file(path);
    for (bool read_only : {false, true}) {
      const crmkit::Error e = refusal(path, "a schema that does not match its version", read_only);
      INFO(e.what());
      // Read-only, an earlier version is refused from the header for its upgrade, before any
      // table is seen.
      const bool older = version >= 1 && version < latest;
      CHECK(e.code() == (read_only && older ? Errc::read_only : Errc::corrupt));
      CHECK(read_file(path) == before);
    }
  }
}

namespace {

using populated::kDay;
using populated::kSweepCustomers;
using populated::kSweepStart;

void make_populated(const std::string& path) {
  crmkit::Store s = crmkit::Store::open(path);
  populated::populate(s);
}

// Writes on a possibly damaged file: each outcome's name ("ok" or the Errc) counted. Damage
// may surface as a UNIQUE or CHECK failure (constraint); integrity_check must then flag it.
void write_some(const std::string& path, std::map<std::string, int>& outcomes, std::vector<std::string>& wrong) {
  auto attempt = [&](const char* what, auto&& f) {
    try {
      f();
      ++outcomes["ok"];
    } catch (const crmkit::Error& e) {
      ++outcomes[crmkit::errc_name(e.code())];
      if (e.code() == Errc::constraint) {
        SQLite::Database db(path, SQLite::OPEN_READONLY);
        if (db.execAndGet("PRAGMA integrity_check").getString() == "ok")
          wrong.push_back(std::string(what) + ": constraint on an intact file: " + e.what());
      } else if (e.code() != Errc::corrupt) {
        wrong.push_back(std::string(what) + ": " + crmkit::errc_name(e.code()) + ": " + e.what());
      }
    } catch (const std::exception& e) {
      wrong.push_back(std::string(what) + ": not a crmkit::Error: " + e.what());
    }
  };
  std::optional<crmkit::Store> store;
  try {
    store.emplace(crmkit::Store::open(path));
  } catch (const crmkit::Error&) {
    return;  // counted by the reads
  }
  attempt("rebuild_figures", [&] { crmkit::Interactions(*store).rebuild_figures(); });
  attempt("record", [&] {
    crmkit::Interaction i;
    i.customer_id = 2;
    i.external_id = "late";
    i.occurred_at = kSweepStart + 190 * kDay;
    i.kind = crmkit::InteractionKind::purchase;
    i.amount = crmkit::Money{4200, "USD"};
    crmkit::Interactions(*store).record(i);
  });
  attempt("update", [&] {
    crmkit::CustomerFields f;
    f.display_name = "Renamed";
    f.tags = std::vector<std::string>{"a", "b"};
    crmkit::Customers(*store).update(3, f, kSweepStart + 191 * kDay);
  });
}

// The outcomes of a fixed set of reads on a possibly damaged file.
struct ReadOutcomes {
  int ok = 0, corrupt = 0;
  std::vector<std::string> wrong;  // any other outcome: what, and the error
};

ReadOutcomes read_everything(const std::string& path) {
  ReadOutcomes out;
  auto attempt = [&](const char* what, auto&& f) {
    try {
      f();
      ++out.ok;
    } catch (const crmkit::Error& e) {
      if (e.code() == Errc::corrupt)
        ++out.corrupt;
      else
        out.wrong.push_back(std::string(what) + ": " + crmkit::errc_name(e.code()) + ": " + e.what());
    } catch (const std::exception& e) {
      out.wrong.push_back(std::string(what) + ": not a crmkit::Error: " + e.what());
    }
  };
  auto capi = [&](const char* what, int rc) {
    if (rc == CRMKIT_OK)
      ++out.ok;
    else if (rc == CRMKIT_ECORRUPT)
      ++out.corrupt;
    else
      out.wrong.push_back(std::string(what) + ": " + crmkit_status_name(rc) + ": " + crmkit_last_error_message());
  };
  std::optional<crmkit::Store> store;
  attempt("open", [&] { store.emplace(crmkit::Store::open(path)); });
  if (store) {
    crmkit::Store& s = *store;
    crmkit::Customers customers(s);
    crmkit::Interactions interactions(s);
    crmkit::Points points(s);
    crmkit::Segments segments(s);
    crmkit::CustomerValue value(s);
    const crmkit::Instant as_of = kSweepStart + 200 * kDay;
    attempt("customers.list", [&] { customers.list({}, 0, 1000); });
    attempt("customers.count", [&] { customers.count(); });
    for (int c = 1; c <= kSweepCustomers; c += 5) {
      attempt("customers.get", [&] { customers.get(c); });
      attempt("interactions.timeline", [&] { interactions.timeline(c); });
      attempt("interactions.figures", [&] { interactions.figures(c); });
      attempt("points.balance", [&] { points.balance(1, c, as_of); });
      attempt("points.ledger", [&] { points.ledger(1, c); });
      attempt("points.tier", [&] { points.tier(1, c); });
      attempt("segments.segments_of", [&] { segments.segments_of(c); });
      attempt("value.customer_score", [&] { value.customer_score(c); });
      attempt("value.customer_rfm", [&] { value.customer_rfm(c); });
    }
    attempt("customers.get_by_external_id", [&] { customers.get_by_external_id("c7"); });
    attempt("points.programmes", [&] { points.programmes(); });
    attempt("points.liability", [&] { points.liability(1, as_of); });
    attempt("segments.list", [&] { segments.list(); });
    attempt("segments.members", [&] { segments.members("vip"); });
    attempt("segments.versions", [&] { segments.versions("berliners"); });
    attempt("value.models", [&] { value.models(); });
    attempt("value.top_scores", [&] { value.top_scores(100); });
  }
  // The same reads as a host's C code makes them: JSON out of the stored values.
  crmkit_db* db = nullptr;
  int rc = crmkit_db_open(&db, path.c_str(), nullptr);
  capi("crmkit_db_open", rc);
  if (rc == CRMKIT_OK) {
    auto json = [&](const char* what, auto&& call) {
      char* j = nullptr;
      capi(what, call(&j));
      crmkit_free(j);
    };
    for (int c = 1; c <= kSweepCustomers; c += 5) {
      json("crmkit_customer_get_json", [&](char** j) { return crmkit_customer_get_json(j, db, c); });
      json("crmkit_customer_figures_json", [&](char** j) { return crmkit_customer_figures_json(j, db, c); });
      json("crmkit_interaction_get_json", [&](char** j) { return crmkit_interaction_get_json(j, db, c); });
      json("crmkit_points_balance_json",
           [&](char** j) { return crmkit_points_balance_json(j, db, 1, c, kSweepStart + 200 * kDay, 30); });
      json("crmkit_value_customer_scores_json",
           [&](char** j) { return crmkit_value_customer_scores_json(j, db, c); });
    }
    json("crmkit_segment_list_json", [&](char** j) { return crmkit_segment_list_json(j, db); });
    json("crmkit_points_programmes_json", [&](char** j) { return crmkit_points_programmes_json(j, db); });
    json("crmkit_value_models_json", [&](char** j) { return crmkit_value_models_json(j, db); });
  }
  crmkit_db_close(db);
  return out;
}

}  // namespace

TEST_CASE("a stored value that fails its check is corruption, named by table, column and row", "[files]") {
  const auto cases = populated::damages();
  TempDir dir;
  const std::string model = dir.file("model.db");
  make_populated(model);
  const std::string bytes = read_file(model);
  const std::string path = dir.file("damaged.db");
  for (const auto& d : cases) {
    INFO(d.sql);
    write_file(path, bytes);
    {
      SQLite::Database db(path, SQLite::OPEN_READWRITE);
      const std::string trigger =
          db.execAndGet("SELECT sql FROM sqlite_schema WHERE name = 'points_ledger_no_update'").getString();
      db.exec("PRAGMA ignore_check_constraints = ON; DROP TRIGGER points_ledger_no_update");
      REQUIRE(db.exec(d.sql) > 0);
      db.exec(trigger);
    }
    crmkit::Store s = crmkit::Store::open(path);
    try {
      d.read(s);
      FAIL("the damaged value was read back");
    } catch (const crmkit::Error& e) {
      INFO(e.what());
      CHECK(e.code() == Errc::corrupt);
      CHECK(std::string(e.what()).find(d.column) != std::string::npos);
    }
  }
  // Through the C API, where stored text becomes JSON: invalid UTF-8 or unparsable attributes
  // once gave CRMKIT_EINTERNAL (a JSON library error) or the attributes as a string.
  for (const char* sql : {"UPDATE customers SET display_name = CAST(x'c328' AS TEXT) WHERE id = 4",
                          "UPDATE customers SET attributes = '{\"tier\":' WHERE id = 4"}) {
    INFO(sql);
    write_file(path, bytes);
    {
      SQLite::Database db(path, SQLite::OPEN_READWRITE);
      db.exec("PRAGMA ignore_check_constraints = ON");
      db.exec(sql);
    }
    crmkit_db* db = nullptr;
    REQUIRE(crmkit_db_open(&db, path.c_str(), nullptr) == CRMKIT_OK);
    char* json = nullptr;
    CHECK(crmkit_customer_get_json(&json, db, 4) == CRMKIT_ECORRUPT);
    crmkit_free(json);
    crmkit_db_close(db);
  }
}

// A read that throws on a damaged row once left its cached statement on that row: the
// connection kept the read snapshot, so it missed other connections' writes and its own next
// write failed with busy (SQLITE_BUSY_SNAPSHOT).
TEST_CASE("a read that throws on a damaged row leaves no statement open on it", "[files]") {
  TempDir dir;
  const std::string path = dir.file("damaged.db");
  make_populated(path);
  {
    SQLite::Database db(path, SQLite::OPEN_READWRITE);
    db.exec("PRAGMA ignore_check_constraints = ON; UPDATE points_programmes SET tier_metric = 'height'");
  }
  crmkit::Store s = crmkit::Store::open(path);
  crmkit::Customers customers(s);
  const std::int64_t before = customers.count();
  CHECK_THROWS_AS(crmkit::Points(s).programme(1), crmkit::Error);
  crmkit::CustomerFields f;
  f.created_at = kSweepStart;
  {
    crmkit::Store other = crmkit::Store::open(path);
    crmkit::Customers(other).create(f);
  }
  CHECK(customers.count() == before + 1);  // sees the other connection's write
  CHECK(customers.create(f) > 0);          // and writes after it
  CHECK_THROWS_AS(crmkit::Points(s).programme(1), crmkit::Error);  // the cached statement is reused
  CHECK(customers.count() == before + 2);
}

TEST_CASE("a flipped byte in any data page: every read gives its value or Errc::corrupt", "[files]") {
  ShmDir dir;
  const std::string good = dir.file("good.db");
  make_populated(good);  // closing checkpoints: the whole database is in the main file
  const std::string bytes = read_file(good);
  const std::size_t page = (static_cast<unsigned char>(bytes[16]) << 8) | static_cast<unsigned char>(bytes[17]);
  REQUIRE(page >= 512);
  const std::size_t pages = bytes.size() / page;
  {
    const auto clean = read_everything(good);
    INFO((clean.wrong.empty() ? std::string() : clean.wrong.front()));
    REQUIRE(clean.wrong.empty());
    REQUIRE(clean.corrupt == 0);
  }
  // Flips at offsets spread over each page's whole content (cell pointers, record headers,
  // keys, values, overflow chains), page 1 after its 100-byte file header (tested above).
  constexpr int kFlipsPerPage = 12;
  std::mt19937 rng(20261204);
  const std::string path = dir.file("bad.db");
  int flips = 0, refused_at_open = 0, some_corrupt = 0, all_ok = 0;
  std::map<std::string, int> writes;
  for (std::size_t p = 0; p < pages; ++p) {
    const std::size_t first = p == 0 ? 100 : 0;
    for (int k = 0; k < kFlipsPerPage; ++k) {
      const std::size_t offset = p * page + first + rng() % (page - first);
      std::string b = bytes;
      b[offset] = static_cast<char>(b[offset] ^ (1 + rng() % 255));
      write_file(path, b);
      ++flips;
      const auto r = read_everything(path);
      INFO("page " << p + 1 << " of " << pages << ", byte " << offset % page);
      std::vector<std::string> bad = r.wrong;
      write_some(path, writes, bad);
      std::string wrong;
      for (const auto& w : bad) wrong += w + "\n";
      INFO(wrong);
      CHECK(bad.empty());
      if (r.ok == 0)
        ++refused_at_open;
      else if (r.corrupt > 0)
        ++some_corrupt;
      else
        ++all_ok;
    }
  }
  std::printf("damaged-file sweep: %zu pages of %zu bytes, %d flips: %d refused at open, %d with reads "
              "refused as corrupt, %d with every read OK\n",
              pages, page, flips, refused_at_open, some_corrupt, all_ok);
  for (const auto& [outcome, n] : writes) std::printf("  writes after a flip: %s %d\n", outcome.c_str(), n);
  CHECK(some_corrupt + refused_at_open > 0);
}
