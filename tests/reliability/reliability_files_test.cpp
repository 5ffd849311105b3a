// Schema upgrades and damaged files: a file written at every earlier schema version opens,
// upgrades and keeps its data; a newer one is refused; truncated, random, empty and
// bit-flipped files give an Error (or, where SQLite can still read them, errors on access) and
// never crash.
#include <catch2/catch.hpp>

#include <random>

#include "crmkit/customer.hpp"
#include "interactions/figures.hpp"
#include "scenario.hpp"
#include "store/migrations.hpp"
#include "temp_dir.hpp"
#include "verify.hpp"

using namespace reliability;
using crmkit::Errc;

namespace {

const char* const kCoreDump[] = {
    // The columns every version has; later migrations add columns (0006: lifecycle_manual).
    "SELECT id, external_id, kind, display_name, given_name, family_name, email, phone, birth_date, gender, "
    "country, region, city, postal_code, acquisition_channel, acquisition_cost, acquisition_currency, "
    "lifecycle_stage, created_at, updated_at, attributes FROM customers ORDER BY id",
    "SELECT * FROM customer_tags ORDER BY customer_id, tag",
    "SELECT * FROM interactions ORDER BY id", "SELECT * FROM customer_figures ORDER BY customer_id",
    "SELECT * FROM customer_money ORDER BY customer_id, currency"};

std::string core_rows(SQLite::Database& db) {
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
      crmkit::detail::Connection c(path, SQLite::OPEN_READWRITE | SQLite::OPEN_CREATE, 5000);
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
      crmkit::detail::rebuild_figures(c);
      before = core_rows(c.db);
    }
    crmkit::Store s = crmkit::Store::open(path);
    CHECK(s.schema_version() == crmkit::Store::latest_schema_version());
    CHECK(core_rows(s.connection().db) == before);
    // Stages written before 0006 count as automatic: nothing recorded that the host set them.
    CHECK(s.connection().db.execAndGet("SELECT count(*) FROM customers WHERE lifecycle_manual = 0").getInt() == 3);
    CHECK(integrity(s) == "ok");
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
  try {
    crmkit::Store::open(path);
    FAIL("a newer schema was accepted");
  } catch (const crmkit::Error& e) {
    CHECK(e.code() == Errc::unsupported_version);
  }
  const std::string old = dir.file("old.db");
  {
    crmkit::detail::Connection c(old, SQLite::OPEN_READWRITE | SQLite::OPEN_CREATE, 5000);
    crmkit::detail::migrate_to(c, 0);  // an application_id only: version 0
  }
  if (crmkit::Store::latest_schema_version() > 0) {
    crmkit::OpenOptions ro;
    ro.read_only = true;
    try {
      crmkit::Store::open(old, ro);
      FAIL("a read-only open upgraded or accepted an old schema");
    } catch (const crmkit::Error& e) {
      CHECK(e.code() == Errc::read_only);
    }
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
    try {
      crmkit::Store::open(path);
      FAIL("random bytes opened");
    } catch (const crmkit::Error& e) {
      CHECK(e.code() == Errc::corrupt);
    }
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
    try {
      crmkit::Store::open(path);
      FAIL("a damaged schema page opened");
    } catch (const crmkit::Error& e) {
      CHECK(e.code() == Errc::corrupt);
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
  SECTION("a SQLite database that is not crmkit's") {
    write_file(path, "");
    {
      SQLite::Database db(path, SQLite::OPEN_READWRITE | SQLite::OPEN_CREATE);
      db.exec("CREATE TABLE customers(x); INSERT INTO customers VALUES (1)");
    }
    try {
      crmkit::Store::open(path);
      FAIL("a foreign database opened");
    } catch (const crmkit::Error& e) {
      CHECK(e.code() == Errc::corrupt);
    }
  }
}
