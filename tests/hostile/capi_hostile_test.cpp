// Hostile input through the C API, table-driven. Each case names the exact status it must
// get; a refused case must leave the database as it was (a digest of every table's rows, read
// through a connection of its own: SQLite's, or libpq's for the PostgreSQL variant, where the
// store is a fresh tenant) and no transaction open. Cases that are valid input (SQL fragments
// as plain text) must store the text verbatim.
#include <catch2/catch.hpp>

#include <libpq-fe.h>
#include <sqlite3.h>
#include <unistd.h>

#include <climits>
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <limits>
#include <string>
#include <vector>

#include "crmkit.h"
#include "../capi/options_fixture.hpp"
#include "../nested_json.hpp"

namespace {

constexpr std::int64_t kMax = std::numeric_limits<std::int64_t>::max();
constexpr std::int64_t kMin = std::numeric_limits<std::int64_t>::min();
constexpr std::int64_t kT = 1'700'000'000'000;
const char* const kSql = "x'); DROP TABLE customers; --";

// The server when this is the PostgreSQL variant (CRMKIT_TEST_BACKEND=postgresql, as
// tests/capi/test_db.hpp reads it), else nullptr.
const char* postgres_uri() {
  const char* backend = std::getenv("CRMKIT_TEST_BACKEND");
  const char* uri = std::getenv("CRMKIT_TEST_POSTGRES");
  return backend && std::strcmp(backend, "postgresql") == 0 && uri ? uri : nullptr;
}

// A digest of every table of a tenant, through a libpq connection of its own.
std::string postgres_digest(const std::string& tenant) {
  PGconn* c = PQconnectdb(postgres_uri());
  REQUIRE(PQstatus(c) == CONNECTION_OK);
  auto query = [&](const std::string& sql, const char* param) {
    PGresult* r = PQexecParams(c, sql.c_str(), param ? 1 : 0, nullptr, &param, nullptr, nullptr, 0);
    REQUIRE(PQresultStatus(r) == PGRES_TUPLES_OK);
    return r;
  };
  std::string out;
  PGresult* tables = query("SELECT tablename FROM pg_tables WHERE schemaname = $1 ORDER BY tablename", tenant.c_str());
  for (int t = 0; t < PQntuples(tables); ++t) {
    const std::string name = PQgetvalue(tables, t, 0);
    PGresult* rows = query("SELECT * FROM \"" + tenant + "\".\"" + name + "\" ORDER BY 1, 2", nullptr);
    out += name + "\n";
    for (int i = 0; i < PQntuples(rows); ++i) {
      for (int k = 0; k < PQnfields(rows); ++k) {
        out += PQgetisnull(rows, i, k) ? "<null>" : PQgetvalue(rows, i, k);
        out += '\x1f';
      }
      out += '\n';
    }
    PQclear(rows);
  }
  PQclear(tables);
  PQfinish(c);
  return out;
}

// A digest of every table, through a connection of its own (committed state only).
std::string digest(const std::string& path) {
  sqlite3* db = nullptr;
  sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READONLY, nullptr);
  std::vector<std::string> tables;
  sqlite3_stmt* st = nullptr;
  sqlite3_prepare_v2(db, "SELECT name FROM sqlite_schema WHERE type='table' ORDER BY name", -1, &st, nullptr);
  while (sqlite3_step(st) == SQLITE_ROW) tables.emplace_back(reinterpret_cast<const char*>(sqlite3_column_text(st, 0)));
  sqlite3_finalize(st);
  std::string out;
  for (const auto& t : tables) {
    sqlite3_prepare_v2(db, ("SELECT * FROM \"" + t + "\" ORDER BY 1, 2").c_str(), -1, &st, nullptr);
    out += t + "\n";
    while (sqlite3_step(st) == SQLITE_ROW) {
      for (int i = 0; i < sqlite3_column_count(st); ++i) {
        const unsigned char* v = sqlite3_column_text(st, i);
        out += v ? reinterpret_cast<const char*>(v) : "<null>";
        out += '\x1f';
      }
      out += '\n';
    }
    sqlite3_finalize(st);
  }
  sqlite3_close(db);
  return out;
}

crmkit_interaction* note(std::int64_t customer) {
  crmkit_interaction* r = nullptr;
  crmkit_interaction_new(&r);
  crmkit_interaction_set_customer_id(r, customer);
  crmkit_interaction_set_occurred_at(r, kT);
  crmkit_interaction_set_kind(r, "note");
  crmkit_interaction_set_channel(r, "web");
  return r;
}
crmkit_interaction* purchase(std::int64_t customer, std::int64_t amount, const char* currency) {
  crmkit_interaction* r = note(customer);
  crmkit_interaction_set_kind(r, "purchase");
  crmkit_interaction_set_amount(r, amount, currency);
  return r;
}

struct Env {
  std::string dir, path;  // path: the file, or the server's URI on PostgreSQL
  std::string tenant;     // PostgreSQL only: a fresh tenant per Env
  crmkit_db* db = nullptr;
  std::int64_t customer = 0, other = 0, interaction = 0, programme = 0;
  Env() {
    char tmpl[] = "/tmp/crmkit-hostile-XXXXXX";
    dir = ::mkdtemp(tmpl);
    path = dir + "/hostile.db";
    if (const char* uri = postgres_uri()) {
      static unsigned counter = 0;
      path = uri;
      tenant = "h" + std::to_string(::getpid()) + "_" + std::to_string(++counter);
    }
    REQUIRE(open(&db, false) == CRMKIT_OK);
    customer = make_customer("anchor");
    other = make_customer("other");
    crmkit_interaction* r = purchase(customer, kMax / 2 + 1, "USD");
    crmkit_interaction_set_external_id(r, "big");
    REQUIRE(crmkit_interaction_record(&interaction, db, r) == CRMKIT_OK);
    crmkit_interaction_free(r);
    REQUIRE(crmkit_points_programme_create(&programme, db,
                                           R"({"name":"club","currency":"USD","created_at":"2023-01-01T00:00:00Z"})") ==
            CRMKIT_OK);
    REQUIRE(crmkit_points_enroll(db, programme, customer, kT) == CRMKIT_OK);
  }
  ~Env() {
    crmkit_db_close(db);
    std::system(("rm -rf '" + dir + "'").c_str());
  }
  // Another handle on the same store.
  int open(crmkit_db** out, bool read_only) const {
    crmkit_options* o = nullptr;
    int rc = crmkit_options_new(&o);
    if (rc == CRMKIT_OK) rc = crmkit_options_set_read_only(o, read_only ? 1 : 0);
    if (rc == CRMKIT_OK && !tenant.empty()) rc = crmkit_options_set_tenant(o, tenant.c_str());
    if (rc == CRMKIT_OK) rc = crmkit_db_open(out, path.c_str(), o);
    crmkit_options_free(o);
    return rc;
  }
  std::string digest() const { return tenant.empty() ? ::digest(path) : postgres_digest(tenant); }
  std::int64_t make_customer(const char* ext) {
    crmkit_customer* c = nullptr;
    crmkit_customer_new(&c);
    crmkit_customer_set_text(c, "external_id", ext);
    crmkit_customer_set_created_at(c, kT);
    std::int64_t id = 0;
    REQUIRE(crmkit_customer_create(&id, db, c) == CRMKIT_OK);
    crmkit_customer_free(c);
    return id;
  }
};

// The first failing status of a sequence of calls, or CRMKIT_OK.
#define STEP(x)                 \
  do {                          \
    int rc_ = (x);              \
    if (rc_ < 0) return rc_;    \
  } while (0)

int create_with(Env& e, const char* field, const std::string& value) {
  crmkit_customer* c = nullptr;
  STEP(crmkit_customer_new(&c));
  int rc = crmkit_customer_set_created_at(c, kT);
  if (rc == CRMKIT_OK) rc = crmkit_customer_set_text(c, field, value.c_str());
  std::int64_t id = 0;
  if (rc == CRMKIT_OK) rc = crmkit_customer_create(&id, e.db, c);
  crmkit_customer_free(c);
  return rc;
}

int record_with(Env& e, const std::function<int(crmkit_interaction*)>& set) {
  crmkit_interaction* r = note(e.customer);
  int rc = set(r);
  std::int64_t id = 0;
  if (rc == CRMKIT_OK) rc = crmkit_interaction_record(&id, e.db, r);
  crmkit_interaction_free(r);
  return rc;
}

int batch_of(Env& e, std::vector<crmkit_interaction*> rows) {
  crmkit_batch* b = nullptr;
  STEP(crmkit_batch_new(&b));
  int rc = CRMKIT_OK;
  for (auto* r : rows) {
    if (rc == CRMKIT_OK) rc = crmkit_batch_add(b, r);
    crmkit_interaction_free(r);
  }
  crmkit_batch_result* res = nullptr;
  if (rc == CRMKIT_OK) rc = crmkit_batch_commit(&res, e.db, b);
  crmkit_batch_result_free(res);
  crmkit_batch_free(b);
  return rc;
}

int json_out(int rc, char* s) {
  crmkit_free(s);
  return rc;
}

struct Case {
  const char* name;
  int expected;
  std::function<int(Env&)> run;
};

const std::string kOver1000(1001, 'a');
const std::string kOverNotes(1'000'001, 'n');
const std::string kOverJson = "{\"a\":\"" + std::string(1'000'001 - 8, 'x') + "\"}";

std::vector<Case> cases() {
  return {
      // ---- NULL pointers -------------------------------------------------------------------
      {"open: NULL out", CRMKIT_EINVALID, [](Env&) { return crmkit_db_open(nullptr, ":memory:", nullptr); }},
      {"open: NULL path", CRMKIT_EINVALID, [](Env&) { crmkit_db* d; return crmkit_db_open(&d, nullptr, nullptr); }},
      {"begin: NULL db", CRMKIT_EINVALID, [](Env&) { return crmkit_db_begin(nullptr); }},
      {"schema_version: NULL out", CRMKIT_EINVALID, [](Env& e) { return crmkit_db_schema_version(nullptr, e.db); }},
      {"customer_create: NULL db", CRMKIT_EINVALID, [](Env&) {
         crmkit_customer* c; crmkit_customer_new(&c); crmkit_customer_set_created_at(c, kT);
         std::int64_t id; int rc = crmkit_customer_create(&id, nullptr, c); crmkit_customer_free(c); return rc; }},
      {"customer_create: NULL record", CRMKIT_EINVALID, [](Env& e) { std::int64_t id; return crmkit_customer_create(&id, e.db, nullptr); }},
      {"customer_set_text: NULL record", CRMKIT_EINVALID, [](Env&) { return crmkit_customer_set_text(nullptr, "email", "a@b.co"); }},
      {"customer_set_text: NULL field name", CRMKIT_EINVALID, [](Env&) {
         crmkit_customer* c; crmkit_customer_new(&c); int rc = crmkit_customer_set_text(c, nullptr, "x"); crmkit_customer_free(c); return rc; }},
      {"customer_upsert_json: NULL json", CRMKIT_EINVALID, [](Env& e) { std::int64_t id; int cr; return crmkit_customer_upsert_json(&id, &cr, e.db, nullptr); }},
      {"customer_get_json: NULL out", CRMKIT_EINVALID, [](Env& e) { return crmkit_customer_get_json(nullptr, e.db, e.customer); }},
      {"interaction_record: NULL record", CRMKIT_EINVALID, [](Env& e) { std::int64_t id; return crmkit_interaction_record(&id, e.db, nullptr); }},
      {"interaction_record_json: NULL json", CRMKIT_EINVALID, [](Env& e) { std::int64_t id; return crmkit_interaction_record_json(&id, e.db, nullptr); }},
      {"batch_commit: NULL out", CRMKIT_EINVALID, [](Env& e) {
         crmkit_batch* b; crmkit_batch_new(&b); int rc = crmkit_batch_commit(nullptr, e.db, b); crmkit_batch_free(b); return rc; }},
      {"batch_commit: NULL batch", CRMKIT_EINVALID, [](Env& e) { crmkit_batch_result* r; return crmkit_batch_commit(&r, e.db, nullptr); }},
      {"batch_add: NULL record", CRMKIT_EINVALID, [](Env&) {
         crmkit_batch* b; crmkit_batch_new(&b); int rc = crmkit_batch_add(b, nullptr); crmkit_batch_free(b); return rc; }},
      {"interaction_iter_new: NULL out", CRMKIT_EINVALID, [](Env& e) { return crmkit_interaction_iter_new(nullptr, e.db, e.customer, nullptr, nullptr, kMin, kMax); }},
      {"figures_json: NULL out", CRMKIT_EINVALID, [](Env& e) { return crmkit_customer_figures_json(nullptr, e.db, e.customer); }},
      {"set_default_currency: NULL", CRMKIT_EINVALID, [](Env& e) { return crmkit_db_set_default_currency(e.db, nullptr); }},
      {"rebuild_figures: NULL db", CRMKIT_EINVALID, [](Env&) { return crmkit_interaction_rebuild_figures(nullptr); }},
      // ---- invalid UTF-8 ---------------------------------------------------------------------
      {"display_name: truncated sequence", CRMKIT_EINVALID, [](Env& e) { return create_with(e, "display_name", "ab\xc3"); }},
      {"display_name: overlong '/'", CRMKIT_EINVALID, [](Env& e) { return create_with(e, "display_name", "\xc0\xaf"); }},
      {"display_name: UTF-16 surrogate", CRMKIT_EINVALID, [](Env& e) { return create_with(e, "display_name", "\xed\xa0\x80"); }},
      {"display_name: above U+10FFFF", CRMKIT_EINVALID, [](Env& e) { return create_with(e, "display_name", "\xf4\x90\x80\x80"); }},
      {"city: lone continuation byte", CRMKIT_EINVALID, [](Env& e) { return create_with(e, "city", "\x80x"); }},
      {"external_id: 0xFF byte", CRMKIT_EINVALID, [](Env& e) { return create_with(e, "external_id", "id\xff"); }},
      {"interaction subject: invalid UTF-8", CRMKIT_EINVALID, [](Env& e) { return record_with(e, [](auto r) { return crmkit_interaction_set_subject(r, "\xe2\x82"); }); }},
      {"interaction notes: invalid UTF-8", CRMKIT_EINVALID, [](Env& e) { return record_with(e, [](auto r) { return crmkit_interaction_set_notes(r, "ok \xc3\x28"); }); }},
      {"interaction external_id: invalid UTF-8", CRMKIT_EINVALID, [](Env& e) { return record_with(e, [](auto r) { return crmkit_interaction_set_external_id(r, "\xfe"); }); }},
      {"customer JSON: invalid UTF-8 in a string", CRMKIT_EINVALID, [](Env& e) { std::int64_t id; int cr; return crmkit_customer_upsert_json(&id, &cr, e.db, "{\"external_id\":\"\xc3\x28\",\"created_at\":1}"); }},
      {"path: invalid UTF-8", CRMKIT_EINVALID, [](Env&) { crmkit_db* d; return crmkit_db_open(&d, "/tmp/\xff.db", nullptr); }},
      // ---- over the size limits -------------------------------------------------------------
      {"display_name: 1001 bytes", CRMKIT_EINVALID, [](Env& e) { return create_with(e, "display_name", kOver1000); }},
      {"external_id: 1001 bytes", CRMKIT_EINVALID, [](Env& e) { return create_with(e, "external_id", kOver1000); }},
      {"attributes: 1,000,001 bytes", CRMKIT_EINVALID, [](Env& e) { return create_with(e, "attributes", kOverJson); }},
      {"attributes: 33 levels deep", CRMKIT_EINVALID, [](Env& e) { return create_with(e, "attributes", json_of_depth(33)); }},
      {"attributes: 200,000 levels deep", CRMKIT_EINVALID, [](Env& e) { return create_with(e, "attributes", json_of_depth(200'000)); }},
      {"tag: 101 characters", CRMKIT_EINVALID, [](Env& e) {
         crmkit_customer* c; crmkit_customer_new(&c); crmkit_customer_set_created_at(c, kT);
         int rc = crmkit_customer_add_tag(c, std::string(101, 't').c_str());
         std::int64_t id; if (rc == CRMKIT_OK) rc = crmkit_customer_create(&id, e.db, c);
         crmkit_customer_free(c); return rc; }},
      {"interaction subject: 1001 bytes", CRMKIT_EINVALID, [](Env& e) { return record_with(e, [](auto r) { return crmkit_interaction_set_subject(r, kOver1000.c_str()); }); }},
      {"interaction notes: 1,000,001 bytes", CRMKIT_EINVALID, [](Env& e) { return record_with(e, [](auto r) { return crmkit_interaction_set_notes(r, kOverNotes.c_str()); }); }},
      {"customer JSON: 200,000 levels deep", CRMKIT_EINVALID, [](Env& e) { std::int64_t id; int cr; return crmkit_customer_upsert_json(&id, &cr, e.db, json_of_depth(200'000).c_str()); }},
      // ---- numbers out of range -------------------------------------------------------------
      {"occurred_at INT64_MIN", CRMKIT_EINVALID, [](Env& e) { return record_with(e, [](auto r) { return crmkit_interaction_set_occurred_at(r, kMin); }); }},
      {"occurred_at INT64_MAX", CRMKIT_EINVALID, [](Env& e) { return record_with(e, [](auto r) { return crmkit_interaction_set_occurred_at(r, kMax); }); }},
      {"occurred_at year 10000", CRMKIT_EINVALID, [](Env& e) { return record_with(e, [](auto r) { return crmkit_interaction_set_occurred_at(r, 253'402'300'800'000); }); }},
      {"created_at INT64_MIN", CRMKIT_EINVALID, [](Env& e) {
         crmkit_customer* c; crmkit_customer_new(&c); int rc = crmkit_customer_set_created_at(c, kMin);
         std::int64_t id; if (rc == CRMKIT_OK) rc = crmkit_customer_create(&id, e.db, c); crmkit_customer_free(c); return rc; }},
      {"purchase: negative amount", CRMKIT_EINVALID, [](Env& e) { return batch_of(e, {purchase(e.customer, -1, "USD")}); }},
      {"refund: positive amount", CRMKIT_EINVALID, [](Env& e) {
         crmkit_interaction* r = purchase(e.customer, 5, "USD"); crmkit_interaction_set_kind(r, "refund"); return batch_of(e, {r}); }},
      {"visit with an amount", CRMKIT_EINVALID, [](Env& e) {
         crmkit_interaction* r = purchase(e.customer, 5, "USD"); crmkit_interaction_set_kind(r, "visit"); return batch_of(e, {r}); }},
      {"purchase INT64_MAX/2+1 twice: stored total would wrap", CRMKIT_EINVALID, [](Env& e) {
         crmkit_interaction* r = purchase(e.customer, kMax / 2 + 1, "USD"); std::int64_t id;
         int rc = crmkit_interaction_record(&id, e.db, r); crmkit_interaction_free(r); return rc; }},
      {"two purchases of INT64_MAX/2+1 and +2 in one batch", CRMKIT_EINVALID, [](Env& e) {
         // Not alike: two identical rows would be one fact (the natural key), never a sum.
         return batch_of(e, {purchase(e.other, kMax / 2 + 1, "EUR"), purchase(e.other, kMax / 2 + 2, "EUR")}); }},
      {"margins summing past INT64_MAX", CRMKIT_EINVALID, [](Env& e) {
         crmkit_interaction* a = purchase(e.other, 1, "GBP"); crmkit_interaction_set_margin(a, kMax);
         crmkit_interaction* b = purchase(e.other, 1, "GBP"); crmkit_interaction_set_margin(b, 1);
         return batch_of(e, {a, b}); }},
      {"acquisition cost negative", CRMKIT_EINVALID, [](Env& e) {
         crmkit_customer* c; crmkit_customer_new(&c); crmkit_customer_set_created_at(c, kT);
         int rc = crmkit_customer_set_acquisition_cost(c, -5, "USD");
         std::int64_t id; if (rc == CRMKIT_OK) rc = crmkit_customer_create(&id, e.db, c); crmkit_customer_free(c); return rc; }},
      {"options: busy timeout -1", CRMKIT_EINVALID, [](Env&) {
         crmkit_options* o; crmkit_options_new(&o); int rc = crmkit_options_set_busy_timeout(o, -1); crmkit_options_free(o); return rc; }},
      {"options: file mode 010000", CRMKIT_EINVALID, [](Env&) {
         crmkit_options* o; crmkit_options_new(&o); int rc = crmkit_options_set_file_mode(o, 010000); crmkit_options_free(o); return rc; }},
      {"options: cache 0 MiB", CRMKIT_EINVALID, [](Env&) {
         crmkit_options* o; crmkit_options_new(&o); int rc = crmkit_options_set_cache_mib(o, 0); crmkit_options_free(o); return rc; }},
      {"options: cache INT_MAX MiB", CRMKIT_EINVALID, [](Env&) {
         crmkit_options* o; crmkit_options_new(&o); int rc = crmkit_options_set_cache_mib(o, INT_MAX); crmkit_options_free(o); return rc; }},
      {"options: write cache 0 MiB", CRMKIT_EINVALID, [](Env&) {
         crmkit_options* o; crmkit_options_new(&o); int rc = crmkit_options_set_write_cache_mib(o, 0); crmkit_options_free(o); return rc; }},
      {"options: write cache INT_MIN MiB", CRMKIT_EINVALID, [](Env&) {
         crmkit_options* o; crmkit_options_new(&o); int rc = crmkit_options_set_write_cache_mib(o, INT_MIN); crmkit_options_free(o); return rc; }},
      {"interaction JSON: amount 1e400", CRMKIT_EINVALID, [](Env& e) { std::int64_t id;
         return crmkit_interaction_record_json(&id, e.db, ("{\"customer_id\":" + std::to_string(e.customer) + ",\"occurred_at\":1,\"kind\":\"purchase\",\"amount\":{\"minor\":1e400,\"currency\":\"USD\"}}").c_str()); }},
      {"interaction JSON: NaN", CRMKIT_EINVALID, [](Env& e) { std::int64_t id;
         return crmkit_interaction_record_json(&id, e.db, ("{\"customer_id\":" + std::to_string(e.customer) + ",\"occurred_at\":NaN,\"kind\":\"note\"}").c_str()); }},
      {"interaction JSON: fractional minor units", CRMKIT_EINVALID, [](Env& e) { std::int64_t id;
         return crmkit_interaction_record_json(&id, e.db, ("{\"customer_id\":" + std::to_string(e.customer) + ",\"occurred_at\":1,\"kind\":\"purchase\",\"amount\":{\"minor\":1.5,\"currency\":\"USD\"}}").c_str()); }},
      {"interaction JSON: customer_id 2^64", CRMKIT_EINVALID, [](Env& e) { std::int64_t id;
         return crmkit_interaction_record_json(&id, e.db, "{\"customer_id\":18446744073709551616,\"occurred_at\":1,\"kind\":\"note\"}"); }},
      // ---- invalid enums and currencies -----------------------------------------------------
      {"channel 'telepathy'", CRMKIT_EINVALID, [](Env& e) { return record_with(e, [](auto r) { return crmkit_interaction_set_channel(r, "telepathy"); }); }},
      {"kind ' PURCHASE' (only case is forgiven)", CRMKIT_EINVALID, [](Env& e) { return record_with(e, [](auto r) { return crmkit_interaction_set_kind(r, " PURCHASE"); }); }},
      {"direction ''", CRMKIT_EINVALID, [](Env& e) { return record_with(e, [](auto r) { return crmkit_interaction_set_direction(r, ""); }); }},
      {"currency 'usd ' (only case is forgiven)", CRMKIT_EINVALID, [](Env& e) { return batch_of(e, {purchase(e.customer, 1, "usd ")}); }},
      {"currency 'US'", CRMKIT_EINVALID, [](Env& e) { return batch_of(e, {purchase(e.customer, 1, "US")}); }},
      {"currency with SQL", CRMKIT_EINVALID, [](Env& e) { return batch_of(e, {purchase(e.customer, 1, "USD'--")}); }},
      {"lifecycle_stage 'zombie'", CRMKIT_EINVALID, [](Env& e) { return create_with(e, "lifecycle_stage", "zombie"); }},
      {"customer kind 'robot'", CRMKIT_EINVALID, [](Env& e) { return create_with(e, "kind", "robot"); }},
      {"unknown customer field", CRMKIT_EINVALID, [](Env& e) { return create_with(e, "password", "x"); }},
      {"default currency '\xe2\x82\xac'", CRMKIT_EINVALID, [](Env& e) { return crmkit_db_set_default_currency(e.db, "\xe2\x82\xac"); }},
      {"timeline channel filter 'x'", CRMKIT_EINVALID, [](Env& e) {
         crmkit_interaction_iter* it = nullptr; int rc = crmkit_interaction_iter_new(&it, e.db, e.customer, "x", nullptr, kMin, kMax);
         crmkit_interaction_iter_free(it); return rc; }},
      {"customer filter stage 'x'", CRMKIT_EINVALID, [](Env&) {
         crmkit_customer_filter* f; crmkit_customer_filter_new(&f); int rc = crmkit_customer_filter_set_lifecycle_stage(f, "x");
         crmkit_customer_filter_free(f); return rc; }},
      // ---- malformed JSON -------------------------------------------------------------------
      {"customer JSON: '{'", CRMKIT_EINVALID, [](Env& e) { std::int64_t id; int cr; return crmkit_customer_upsert_json(&id, &cr, e.db, "{"); }},
      {"customer JSON: an array", CRMKIT_EINVALID, [](Env& e) { std::int64_t id; int cr; return crmkit_customer_upsert_json(&id, &cr, e.db, "[]"); }},
      {"customer JSON: null", CRMKIT_EINVALID, [](Env& e) { std::int64_t id; int cr; return crmkit_customer_upsert_json(&id, &cr, e.db, "null"); }},
      {"customer JSON: wrong type", CRMKIT_EINVALID, [](Env& e) { std::int64_t id; int cr; return crmkit_customer_upsert_json(&id, &cr, e.db, "{\"external_id\":5,\"created_at\":1}"); }},
      {"customer JSON: unknown key", CRMKIT_EINVALID, [](Env& e) { std::int64_t id; int cr; return crmkit_customer_upsert_json(&id, &cr, e.db, "{\"external_id\":\"j\",\"created_at\":1,\"admin\":true}"); }},
      {"customer JSON: trailing garbage", CRMKIT_EINVALID, [](Env& e) { std::int64_t id; int cr; return crmkit_customer_upsert_json(&id, &cr, e.db, "{\"external_id\":\"j\",\"created_at\":1} x"); }},
      {"attributes: not an object", CRMKIT_EINVALID, [](Env& e) { return create_with(e, "attributes", "[1,2]"); }},
      {"attributes: unterminated", CRMKIT_EINVALID, [](Env& e) { return create_with(e, "attributes", "{\"a\":\"b"); }},
      {"batch_add_json: '{'", CRMKIT_EINVALID, [](Env&) {
         crmkit_batch* b; crmkit_batch_new(&b); int rc = crmkit_batch_add_json(b, "{"); crmkit_batch_free(b); return rc; }},
      // ---- SQL in text fields: refused where the format says so, else stored as text ---------
      {"SQL as email", CRMKIT_EINVALID, [](Env& e) { return create_with(e, "email", kSql); }},
      {"SQL as country", CRMKIT_EINVALID, [](Env& e) { return create_with(e, "country", kSql); }},
      {"SQL as phone", CRMKIT_EINVALID, [](Env& e) { return create_with(e, "phone", kSql); }},
      {"SQL as birth_date", CRMKIT_EINVALID, [](Env& e) { return create_with(e, "birth_date", kSql); }},
      {"SQL as channel", CRMKIT_EINVALID, [](Env& e) { return record_with(e, [](auto r) { return crmkit_interaction_set_channel(r, kSql); }); }},
      {"SQL as external id lookup", CRMKIT_ENOTFOUND, [](Env& e) { std::int64_t id; return crmkit_customer_find_id(&id, e.db, "x' OR '1'='1"); }},
      {"SQL as external id JSON lookup", CRMKIT_ENOTFOUND, [](Env& e) { char* s = nullptr; return json_out(crmkit_customer_get_by_external_id_json(&s, e.db, "' OR 1=1 --"), s); }},
      // ---- unknown and foreign ids ----------------------------------------------------------
      {"get unknown customer", CRMKIT_ENOTFOUND, [](Env& e) { char* s = nullptr; return json_out(crmkit_customer_get_json(&s, e.db, 999'999), s); }},
      {"get customer id -1", CRMKIT_ENOTFOUND, [](Env& e) { char* s = nullptr; return json_out(crmkit_customer_get_json(&s, e.db, -1), s); }},
      {"record for unknown customer", CRMKIT_ENOTFOUND, [](Env& e) { return batch_of(e, {note(999'999)}); }},
      {"update unknown customer", CRMKIT_ENOTFOUND, [](Env& e) {
         crmkit_customer* c; crmkit_customer_new(&c); crmkit_customer_set_text(c, "display_name", "x");
         int rc = crmkit_customer_update(e.db, 999'999, c, kT); crmkit_customer_free(c); return rc; }},
      {"delete unknown customer", CRMKIT_ENOTFOUND, [](Env& e) { return crmkit_customer_delete(e.db, 999'999); }},
      {"delete a customer with interactions", CRMKIT_ECONFLICT, [](Env& e) { return crmkit_customer_delete(e.db, e.customer); }},
      {"get unknown interaction", CRMKIT_ENOTFOUND, [](Env& e) { char* s = nullptr; return json_out(crmkit_interaction_get_json(&s, e.db, 999'999), s); }},
      {"figures of unknown customer", CRMKIT_ENOTFOUND, [](Env& e) { char* s = nullptr; return json_out(crmkit_customer_figures_json(&s, e.db, 999'999), s); }},
      {"timeline of unknown customer", CRMKIT_ENOTFOUND, [](Env& e) {
         crmkit_interaction_iter* it = nullptr; int rc = crmkit_interaction_iter_new(&it, e.db, 999'999, nullptr, nullptr, kMin, kMax);
         if (rc == CRMKIT_OK) rc = crmkit_interaction_iter_next(it);
         crmkit_interaction_iter_free(it); return rc; }},
      {"create with a taken external_id", CRMKIT_ECONFLICT, [](Env& e) { return create_with(e, "external_id", "anchor"); }},
      {"same interaction external_id, other content", CRMKIT_ECONFLICT, [](Env& e) {
         crmkit_interaction* r = purchase(e.customer, 7, "USD"); crmkit_interaction_set_external_id(r, "big"); return batch_of(e, {r}); }},
      {"clear an unknown field", CRMKIT_EINVALID, [](Env& e) {
         crmkit_customer* c; crmkit_customer_new(&c); int rc = crmkit_customer_clear_field(c, "nonsense");
         if (rc == CRMKIT_OK) rc = crmkit_customer_update(e.db, e.customer, c, kT); crmkit_customer_free(c); return rc; }},
      // ---- misuse -----------------------------------------------------------------------------
      {"commit without begin", CRMKIT_EMISUSE, [](Env& e) { return crmkit_db_commit(e.db); }},
      {"savepoint without begin", CRMKIT_EMISUSE, [](Env& e) { return crmkit_db_savepoint(e.db); }},
      {"rollback_to without begin", CRMKIT_EMISUSE, [](Env& e) { return crmkit_db_rollback_to(e.db); }},
      {"release on a NULL handle", CRMKIT_EINVALID, [](Env&) { return crmkit_db_release(nullptr); }},
      {"rollback without begin", CRMKIT_EMISUSE, [](Env& e) { return crmkit_db_rollback(e.db); }},
      {"begin twice", CRMKIT_EMISUSE, [](Env& e) {
         STEP(crmkit_db_begin(e.db)); int rc = crmkit_db_begin(e.db); crmkit_db_rollback(e.db); return rc; }},
      {"write through a read-only handle", CRMKIT_EREADONLY, [](Env& e) {
         crmkit_db* ro = nullptr; int rc = e.open(&ro, true);
         if (rc == CRMKIT_OK) rc = crmkit_db_set_default_currency(ro, "EUR");
         crmkit_db_close(ro); return rc; }},
      {"open a directory", CRMKIT_EIO, [](Env& e) { crmkit_db* d = nullptr; int rc = crmkit_db_open(&d, e.dir.c_str(), nullptr); crmkit_db_close(d); return rc; }},
      {"open a text file", CRMKIT_ECORRUPT, [](Env& e) {
         std::string p = e.dir + "/text.db"; FILE* f = std::fopen(p.c_str(), "w");
         std::fputs(std::string(5000, 'z').c_str(), f); std::fclose(f);
         crmkit_db* d = nullptr; int rc = crmkit_db_open(&d, p.c_str(), nullptr); crmkit_db_close(d); return rc; }},
  };
}

// The areas built on the core: customer value, segments, surveys and metrics, points.
std::string deep_rule(int depth) {
  return nest_json("{\"not\":", "{\"field\":\"country\",\"op\":\"eq\",\"value\":\"DE\"}", depth);
}

std::vector<Case> area_cases() {
  const double nan = std::numeric_limits<double>::quiet_NaN();
  const double inf = std::numeric_limits<double>::infinity();
  return {
      // ---- customer value ------------------------------------------------------------------
      {"value_fit: NULL db", CRMKIT_EINVALID, [](Env&) {
         std::int64_t id; return crmkit_value_fit(&id, nullptr, "bgnbd", "week", kT, kT, nullptr); }},
      {"value_fit: unknown model kind", CRMKIT_EINVALID, [](Env& e) {
         std::int64_t id; return crmkit_value_fit(&id, e.db, "bgnbd'; DROP TABLE value_models; --", "week", kT, kT, nullptr); }},
      {"value_fit: unknown time unit", CRMKIT_EINVALID, [](Env& e) {
         std::int64_t id; return crmkit_value_fit(&id, e.db, "bgnbd", "fortnight", kT, kT, nullptr); }},
      {"value_fit: no repeat buyers to fit", CRMKIT_EINVALID, [](Env& e) {
         std::int64_t id; return crmkit_value_fit(&id, e.db, "gg", "week", kT + 86'400'000, kT, nullptr); }},
      {"value_fit: currency not ISO-4217", CRMKIT_EINVALID, [](Env& e) {
         std::int64_t id; return crmkit_value_fit(&id, e.db, "bgnbd", "week", kT, kT, "dollars"); }},
      {"value_score: unknown model id", CRMKIT_ENOTFOUND, [](Env& e) {
         std::int64_t n; return capi_test::score(&n, e.db, kT, {"424242", 0, 52, "week", 0.01, 1}); }},
      {"value_score: NaN horizon", CRMKIT_EINVALID, [nan](Env& e) {
         std::int64_t n; return capi_test::score(&n, e.db, kT, {"1", 0, nan, "week", 0.01, 1}); }},
      {"value_score: negative horizon", CRMKIT_EINVALID, [](Env& e) {
         std::int64_t n; return capi_test::score(&n, e.db, kT, {"1", 0, -52, "week", 0.01, 1}); }},
      {"value_score: infinite discount rate", CRMKIT_EINVALID, [inf](Env& e) {
         std::int64_t n; return capi_test::score(&n, e.db, kT, {"1", 0, 52, "week", inf, 1}); }},
      {"value_rfm: unknown method", CRMKIT_EINVALID, [](Env& e) {
         char* j = nullptr; return json_out(crmkit_value_rfm_assign_json(&j, e.db, kT, "{\"method\": \"magic\"}"), j); }},
      {"value_rfm: unknown built-in map", CRMKIT_ENOTFOUND, [](Env& e) {
         char* j = nullptr; return json_out(crmkit_value_rfm_assign_json(&j, e.db, kT, "{\"map\": \"no_such_map\"}"), j); }},
      {"value_rfm: malformed custom map JSON", CRMKIT_EINVALID, [](Env& e) {
         char* j = nullptr; return json_out(crmkit_value_rfm_assign_json(&j, e.db, kT, "{\"custom_map\": {\"rules\": ["), j); }},
      {"value_model_json: NULL out", CRMKIT_EINVALID, [](Env& e) { return crmkit_value_model_json(nullptr, e.db, 1); }},
      {"value_fit_with: negative penalizer", CRMKIT_EINVALID, [](Env& e) {
         crmkit_clv_fit_options* o = nullptr; crmkit_clv_fit_options_new(&o); crmkit_clv_fit_options_set_penalizer(o, -0.1);
         std::int64_t id; int rc = crmkit_value_fit_with(&id, e.db, "bgnbd", "week", kT, kT, nullptr, o);
         crmkit_clv_fit_options_free(o); return rc; }},
      {"value_fit_with: NaN penalizer", CRMKIT_EINVALID, [nan](Env& e) {
         crmkit_clv_fit_options* o = nullptr; crmkit_clv_fit_options_new(&o); crmkit_clv_fit_options_set_penalizer(o, nan);
         std::int64_t id; int rc = crmkit_value_fit_with(&id, e.db, "bgnbd", "week", kT, kT, nullptr, o);
         crmkit_clv_fit_options_free(o); return rc; }},
      // ---- charts of a store -----------------------------------------------------------------
      {"db_chart: NULL chart", CRMKIT_EINVALID, [](Env& e) {
         char* s = nullptr; return json_out(crmkit_db_chart(&s, e.db, nullptr, nullptr, nullptr), s); }},
      {"db_chart: injected chart name", CRMKIT_EINVALID, [](Env& e) {
         char* s = nullptr; return json_out(crmkit_db_chart(&s, e.db, "p-alive'; DROP TABLE value_models; --", nullptr, nullptr), s); }},
      {"db_chart: chart name not UTF-8", CRMKIT_EINVALID, [](Env& e) {
         char* s = nullptr; return json_out(crmkit_db_chart(&s, e.db, "p-alive\xff", nullptr, nullptr), s); }},
      {"db_chart: no saved model", CRMKIT_ENOTFOUND, [](Env& e) {
         char* s = nullptr; return json_out(crmkit_db_chart(&s, e.db, "p-alive", nullptr, nullptr), s); }},
      {"db_chart: no RFM run", CRMKIT_ENOTFOUND, [](Env& e) {
         char* s = nullptr; return json_out(crmkit_db_chart(&s, e.db, "rfm-heatmap", nullptr, nullptr), s); }},
      {"db_chart: model id at INT64_MAX", CRMKIT_ENOTFOUND, [](Env& e) {
         crmkit_chart_options* o = nullptr; crmkit_chart_options_new(&o); crmkit_chart_options_set_model(o, kMax);
         char* s = nullptr; int rc = json_out(crmkit_db_chart(&s, e.db, "p-alive", o, nullptr), s);
         crmkit_chart_options_free(o); return rc; }},
      {"db_chart: model id at INT64_MIN", CRMKIT_EINVALID, [](Env& e) {
         crmkit_chart_options* o = nullptr; crmkit_chart_options_new(&o); crmkit_chart_options_set_model(o, kMin);
         char* s = nullptr; int rc = json_out(crmkit_db_chart(&s, e.db, "p-alive", o, nullptr), s);
         crmkit_chart_options_free(o); return rc; }},
      {"db_chart: cohorts as of INT64_MAX", CRMKIT_EINVALID, [](Env& e) {
         crmkit_chart_options* o = nullptr; crmkit_chart_options_new(&o); crmkit_chart_options_set_as_of(o, &kMax);
         char* s = nullptr; int rc = json_out(crmkit_db_chart(&s, e.db, "cohort-retention", o, nullptr), s);
         crmkit_chart_options_free(o); return rc; }},
      {"db_chart: 401 cohorts", CRMKIT_EINVALID, [](Env& e) {
         crmkit_chart_options* o = nullptr; crmkit_chart_options_new(&o); crmkit_chart_options_set_cohorts(o, "week", 12, 401);
         char* s = nullptr; int rc = json_out(crmkit_db_chart(&s, e.db, "cohort-retention", o, nullptr), s);
         crmkit_chart_options_free(o); return rc; }},
      {"db_chart: negative customer id", CRMKIT_EINVALID, [](Env& e) {
         crmkit_chart_options* o = nullptr; crmkit_chart_options_new(&o); crmkit_chart_options_set_customer(o, -1);
         char* s = nullptr; int rc = json_out(crmkit_db_chart(&s, e.db, "p-alive-history", o, nullptr), s);
         crmkit_chart_options_free(o); return rc; }},
      // ---- segments ------------------------------------------------------------------------
      {"segment_create: NULL name", CRMKIT_EINVALID, [](Env& e) {
         std::int64_t id; return crmkit_segment_create(&id, e.db, nullptr, "dynamic", "{\"all\":[]}", 0); }},
      {"segment_create: invalid UTF-8 name", CRMKIT_EINVALID, [](Env& e) {
         std::int64_t id; return crmkit_segment_create(&id, e.db, "vip\xc3\x28", "dynamic", "{\"all\":[]}", 0); }},
      {"segment_create: SQL as a field name", CRMKIT_EINVALID, [](Env& e) {
         std::int64_t id;
         return crmkit_segment_create(&id, e.db, "s", "dynamic",
                                      "{\"field\":\"1=1) OR (1\",\"op\":\"eq\",\"value\":1}", 0); }},
      {"segment_create: unknown kind", CRMKIT_EINVALID, [](Env& e) {
         std::int64_t id; return crmkit_segment_create(&id, e.db, "s", "smart", "{\"all\":[]}", 0); }},
      {"segment_count: malformed JSON", CRMKIT_EINVALID, [](Env& e) {
         std::int64_t n; return crmkit_segment_count(&n, e.db, "{\"all\": [", kT, 0); }},
      {"segment_count: 200-deep rule (over the depth limit)", CRMKIT_EINVALID, [](Env& e) {
         std::int64_t n; return crmkit_segment_count(&n, e.db, deep_rule(200).c_str(), kT, 0); }},
      {"segment_count: string value for a number field", CRMKIT_EINVALID, [](Env& e) {
         std::int64_t n;
         return crmkit_segment_count(&n, e.db, "{\"field\":\"purchase_count\",\"op\":\"gt\",\"value\":\"3; --\"}", kT, 0); }},
      {"segment_update: unknown segment", CRMKIT_ENOTFOUND, [](Env& e) {
         int v; return crmkit_segment_update(&v, e.db, "nobody", "{\"all\":[]}", 0); }},
      {"segment_refresh: unknown segment", CRMKIT_ENOTFOUND, [](Env& e) {
         std::int64_t a, b; return crmkit_segment_refresh(&a, &b, e.db, "nobody", kT); }},
      {"segment_delete: unknown segment", CRMKIT_ENOTFOUND, [](Env& e) { return crmkit_segment_delete(e.db, "nobody"); }},
      // ---- surveys and metrics -------------------------------------------------------------
      {"survey_record: NPS score 11", CRMKIT_EINVALID, [](Env& e) {
         std::int64_t id; return crmkit_survey_record(&id, e.db, e.customer, "nps", 11, kT, "email", 0, nullptr, nullptr); }},
      {"survey_record: NaN score", CRMKIT_EINVALID, [nan](Env& e) {
         std::int64_t id; return crmkit_survey_record(&id, e.db, e.customer, "csat", nan, kT, "email", 0, nullptr, nullptr); }},
      {"survey_record: fractional CES score", CRMKIT_EINVALID, [](Env& e) {
         std::int64_t id; return crmkit_survey_record(&id, e.db, e.customer, "ces", 3.5, kT, "email", 0, nullptr, nullptr); }},
      {"survey_record: unknown kind", CRMKIT_EINVALID, [](Env& e) {
         std::int64_t id; return crmkit_survey_record(&id, e.db, e.customer, "happiness", 5, kT, "email", 0, nullptr, nullptr); }},
      {"survey_record: unknown customer", CRMKIT_ENOTFOUND, [](Env& e) {
         std::int64_t id; return crmkit_survey_record(&id, e.db, 987654, "nps", 9, kT, "email", 0, nullptr, nullptr); }},
      {"survey_record: another customer's interaction", CRMKIT_ECONFLICT, [](Env& e) {
         std::int64_t id; return crmkit_survey_record(&id, e.db, e.other, "nps", 9, kT, "email", e.interaction, nullptr, nullptr); }},
      {"survey_record_custom: empty scale", CRMKIT_EINVALID, [](Env& e) {
         std::int64_t id;
         return crmkit_survey_record_custom(&id, e.db, e.customer, 5, 5, "higher_is_better", 5, kT, "web", 0, nullptr, nullptr); }},
      {"survey_nps_json: grouping by week", CRMKIT_EINVALID, [](Env& e) {
         char* j = nullptr; return json_out(crmkit_survey_nps_json(&j, e.db, nullptr, nullptr, "week", 0.95), j); }},
      {"survey_nps_json: confidence 1.5", CRMKIT_EINVALID, [](Env& e) {
         char* j = nullptr; return json_out(crmkit_survey_nps_json(&j, e.db, nullptr, nullptr, nullptr, 1.5), j); }},
      {"retention_json: period ends before it starts", CRMKIT_EINVALID, [](Env& e) {
         char* j = nullptr;
         return json_out(capi_test::retention_json(&j, e.db, kT, kT - 1, {nullptr, 90, 0.5, nullptr, nullptr, nullptr}), j); }},
      // ---- points --------------------------------------------------------------------------
      {"points_programme_create: malformed spec", CRMKIT_EINVALID, [](Env& e) {
         std::int64_t id; return crmkit_points_programme_create(&id, e.db, "{\"name\": \"x\","); }},
      {"points_programme_create: name taken", CRMKIT_ECONFLICT, [](Env& e) {
         std::int64_t id;
         return crmkit_points_programme_create(&id, e.db, R"({"name":"club","currency":"USD","created_at":"2023-01-01T00:00:00Z"})"); }},
      {"points_enroll: unknown programme", CRMKIT_ENOTFOUND, [](Env& e) {
         return crmkit_points_enroll(e.db, 777, e.customer, kT); }},
      {"points_redeem: negative points", CRMKIT_EINVALID, [](Env& e) {
         std::int64_t pts; int rep;
         return crmkit_points_redeem(&pts, &rep, e.db, e.programme, e.customer, -5, "r1", kT, 0); }},
      {"points_redeem: beyond the 2^50 points limit", CRMKIT_EINVALID, [](Env& e) {
         std::int64_t pts; int rep;
         return crmkit_points_redeem(&pts, &rep, e.db, e.programme, e.customer, kMax, "r2", kT, 0); }},
      {"points_redeem: more than available", CRMKIT_ECONFLICT, [](Env& e) {
         std::int64_t pts; int rep;
         return crmkit_points_redeem(&pts, &rep, e.db, e.programme, e.customer, 1000, "r3", kT, 0); }},
      {"points_adjust: INT64_MIN points", CRMKIT_EINVALID, [](Env& e) {
         std::int64_t pts; int rep;
         return crmkit_points_adjust(&pts, &rep, e.db, e.programme, e.customer, kMin, "oops", "a1", kT); }},
      {"points_earn: unknown purchase", CRMKIT_ENOTFOUND, [](Env& e) {
         std::int64_t pts; int rep; return crmkit_points_earn(&pts, &rep, e.db, e.programme, 999999); }},
      // ---- rfm on plain data (no database: the digest must not move either) ----------------
      {"rfm_table_orders: NaN revenue", CRMKIT_EINVALID, [nan](Env&) {
         const std::int64_t id[] = {1}, at[] = {0}; const double rev[] = {nan}; std::size_t n;
         return crmkit_rfm_table_orders(&n, nullptr, nullptr, nullptr, nullptr, nullptr, nullptr, nullptr, nullptr, 1,
                                        id, at, rev, 1, kT, nullptr); }},
      {"rfm_table_orders: infinite revenue", CRMKIT_EINVALID, [inf](Env&) {
         const std::int64_t id[] = {1}, at[] = {0}; const double rev[] = {inf}; std::size_t n;
         return crmkit_rfm_table_orders(&n, nullptr, nullptr, nullptr, nullptr, nullptr, nullptr, nullptr, nullptr, 1,
                                        id, at, rev, 1, kT, nullptr); }},
      {"rfm_table_orders: NULL column with rows", CRMKIT_EINVALID, [](Env&) {
         const std::int64_t id[] = {1}; const double rev[] = {1}; std::size_t n;
         return crmkit_rfm_table_orders(&n, nullptr, nullptr, nullptr, nullptr, nullptr, nullptr, nullptr, nullptr, 1,
                                        id, nullptr, rev, 1, kT, nullptr); }},
      {"rfm_table_orders: SIZE_MAX rows", CRMKIT_EINVALID, [](Env&) {
         const std::int64_t id[] = {1}, at[] = {0}; const double rev[] = {1}; std::size_t n;
         return crmkit_rfm_table_orders(&n, nullptr, nullptr, nullptr, nullptr, nullptr, nullptr, nullptr, nullptr,
                                        SIZE_MAX, id, at, rev, SIZE_MAX, kT, nullptr); }},
      {"rfm_table_customers: negative orders", CRMKIT_EINVALID, [](Env&) {
         const std::int64_t id[] = {1}, orders[] = {-1}, rec[] = {0}; const double rev[] = {1}; int r;
         return crmkit_rfm_table_customers(&r, nullptr, nullptr, nullptr, id, orders, rec, rev, 1, nullptr); }},
      {"rfm_table_customers: INT64_MIN recency", CRMKIT_EINVALID, [](Env&) {
         const std::int64_t id[] = {1}, orders[] = {1}, rec[] = {kMin}; const double rev[] = {1}; int r;
         return crmkit_rfm_table_customers(&r, nullptr, nullptr, nullptr, id, orders, rec, rev, 1, nullptr); }},
      {"rfm_options_set_cuts: unsorted, refused when scoring", CRMKIT_EINVALID, [](Env&) {
         crmkit_rfm_options* o = nullptr; crmkit_rfm_options_new(&o);
         const double cuts[] = {3, 2}; int rc = crmkit_rfm_options_set_cuts(o, "monetary", cuts, 2);
         const std::int64_t id[] = {1}, orders[] = {1}, rec[] = {0}; const double rev[] = {1}; int r;
         if (rc == CRMKIT_OK) rc = crmkit_rfm_table_customers(&r, nullptr, nullptr, nullptr, id, orders, rec, rev, 1, o);
         crmkit_rfm_options_free(o); return rc; }},
      {"rfm_options_set_cuts: NaN cut point, refused when scoring", CRMKIT_EINVALID, [nan](Env&) {
         crmkit_rfm_options* o = nullptr; crmkit_rfm_options_new(&o);
         const double cuts[] = {nan}; int rc = crmkit_rfm_options_set_cuts(o, "recency", cuts, 1);
         const std::int64_t id[] = {1}, orders[] = {1}, rec[] = {0}; const double rev[] = {1}; int r;
         if (rc == CRMKIT_OK) rc = crmkit_rfm_table_customers(&r, nullptr, nullptr, nullptr, id, orders, rec, rev, 1, o);
         crmkit_rfm_options_free(o); return rc; }},
      {"rfm_options_set_cuts: unknown measure", CRMKIT_EINVALID, [](Env&) {
         crmkit_rfm_options* o = nullptr; crmkit_rfm_options_new(&o);
         const double cuts[] = {1}; int rc = crmkit_rfm_options_set_cuts(o, "loyalty", cuts, 1);
         crmkit_rfm_options_free(o); return rc; }},
      {"rfm_segment: names and bounds in a different order (lower > upper)", CRMKIT_EINVALID, [](Env&) {
         const int s[] = {3}; const char* names[] = {"A"}; const double lo[] = {5}, hi[] = {1}; int out;
         return crmkit_rfm_segment(&out, s, s, s, 1, names, lo, hi, nullptr, nullptr, nullptr, nullptr, 1); }},
      {"rfm_segment: NaN bound", CRMKIT_EINVALID, [nan](Env&) {
         const int s[] = {3}; const char* names[] = {"A"}; const double lo[] = {nan}; int out;
         return crmkit_rfm_segment(&out, s, s, s, 1, names, lo, nullptr, nullptr, nullptr, nullptr, nullptr, 1); }},
      {"rfm_segment: NULL segment name", CRMKIT_EINVALID, [](Env&) {
         const int s[] = {3}; const char* names[] = {nullptr}; int out;
         return crmkit_rfm_segment(&out, s, s, s, 1, names, nullptr, nullptr, nullptr, nullptr, nullptr, nullptr, 1); }},
      {"rfm_segment: invalid UTF-8 name", CRMKIT_EINVALID, [](Env&) {
         const int s[] = {3}; const char* names[] = {"\xc3\x28"}; int out;
         return crmkit_rfm_segment(&out, s, s, s, 1, names, nullptr, nullptr, nullptr, nullptr, nullptr, nullptr, 1); }},
      {"rfm_segment_summary: NaN revenue", CRMKIT_EINVALID, [nan](Env&) {
         const char* seg[] = {"A"}; const std::int64_t orders[] = {1}; const double rev[] = {nan}; std::size_t n;
         return crmkit_rfm_segment_summary(&n, nullptr, nullptr, nullptr, nullptr, nullptr, nullptr, nullptr, nullptr, 1,
                                           seg, orders, rev, nullptr, 1); }},
  };
}

}  // namespace

// Runs a table: each case gets its exact status, leaves the digest unchanged and no
// transaction open. Returns how many were tried.
static int run_table(Env& e, const std::vector<Case>& table) {
  int tried = 0;
  for (const auto& c : table) {
    INFO("case: " << c.name);
    const std::string before = e.digest();
    const int rc = c.run(e);
    INFO("message: " << crmkit_last_error_message());
    CHECK(crmkit_status_name(rc) == std::string(crmkit_status_name(c.expected)));
    CHECK(e.digest() == before);
    // No transaction left open on the handle: begin/rollback works.
    CHECK(crmkit_db_begin(e.db) == CRMKIT_OK);
    CHECK(crmkit_db_rollback(e.db) == CRMKIT_OK);
    ++tried;
  }
  return tried;
}

TEST_CASE("hostile input through the C API: exact status, nothing changed", "[hostile]") {
  Env e;
  const auto all = cases();
  REQUIRE(all.size() >= 60);
  const int tried = run_table(e, all);
  std::printf("hostile C API: %d cases, each with its exact status and an unchanged database\n", tried);
}

TEST_CASE("SQL fragments in every free text field are stored verbatim", "[hostile]") {
  Env e;
  crmkit_customer* c = nullptr;
  crmkit_customer_new(&c);
  crmkit_customer_set_created_at(c, kT);
  for (const char* f : {"external_id", "display_name", "given_name", "family_name", "region", "city", "postal_code",
                        "acquisition_channel"})
    REQUIRE(crmkit_customer_set_text(c, f, kSql) == CRMKIT_OK);
  REQUIRE(crmkit_customer_add_tag(c, "t'; DELETE FROM customer_tags; --") == CRMKIT_OK);
  REQUIRE(crmkit_customer_set_text(c, "attributes", "{\"q\":\"'); DROP TABLE interactions; --\"}") == CRMKIT_OK);
  std::int64_t id = 0;
  REQUIRE(crmkit_customer_create(&id, e.db, c) == CRMKIT_OK);
  crmkit_customer_free(c);
  std::int64_t found = 0;
  REQUIRE(crmkit_customer_find_id(&found, e.db, kSql) == CRMKIT_OK);
  CHECK(found == id);
  crmkit_interaction* r = note(id);
  crmkit_interaction_set_subject(r, kSql);
  crmkit_interaction_set_notes(r, kSql);
  crmkit_interaction_set_external_id(r, kSql);
  std::int64_t iid = 0;
  REQUIRE(crmkit_interaction_record(&iid, e.db, r) == CRMKIT_OK);
  crmkit_interaction_free(r);
  char* json = nullptr;
  REQUIRE(crmkit_customer_get_json(&json, e.db, id) == CRMKIT_OK);
  CHECK(std::string(json).find("DROP TABLE customers") != std::string::npos);
  crmkit_free(json);
  const std::string d = e.digest();
  for (const char* t : {"customers\n", "interactions\n", "customer_tags\n", "customer_figures\n"})
    CHECK(d.find(t) != std::string::npos);  // every table still there
}

TEST_CASE("hostile input to every area's C API: exact status, nothing changed", "[hostile]") {
  Env e;
  const int tried = run_table(e, area_cases());
  std::printf("hostile C API (value, segments, surveys, points): %d cases\n", tried);
}

// ---- JSON integers above INT64_MAX (issue #10 item 1) ----------------------------------------
// nlohmann keeps such a literal as uint64 and get<int64_t>() wrapped it to a negative number.
// Each is refused, the message shows the digits as given (never the wrapped value), nothing
// is written.
TEST_CASE("JSON integers above INT64_MAX are refused with the digits as given", "[hostile]") {
  Env e;
  const std::string big = "9223372036854775808";  // 2^63
  const std::vector<Case> table = {
      {"customer upsert JSON: created_at 2^63", CRMKIT_EINVALID, [&](Env& env) {
         std::int64_t id; int created;
         return crmkit_customer_upsert_json(&id, &created, env.db,
                                            ("{\"external_id\": \"n\", \"created_at\": " + big + "}").c_str()); }},
      {"survey batch: interaction_id 2^63", CRMKIT_EINVALID, [&](Env& env) {
         char* j = nullptr;
         const std::string rows = "[{\"customer_id\": " + std::to_string(env.customer) +
                                  ", \"kind\": \"nps\", \"score\": 9, \"occurred_at\": " + std::to_string(kT) +
                                  ", \"channel\": \"email\", \"interaction_id\": " + big + "}]";
         return json_out(crmkit_survey_record_batch_json(&j, env.db, rows.c_str(), 0), j); }},
      {"survey batch: customer_id 2^63", CRMKIT_EINVALID, [&](Env& env) {
         char* j = nullptr;
         const std::string rows = "[{\"customer_id\": " + big + ", \"kind\": \"nps\", \"score\": 9, \"occurred_at\": " +
                                  std::to_string(kT) + ", \"channel\": \"email\"}]";
         return json_out(crmkit_survey_record_batch_json(&j, env.db, rows.c_str(), 0), j); }},
      {"points programme spec: created_at 2^63", CRMKIT_EINVALID, [&](Env& env) {
         std::int64_t id;
         return crmkit_points_programme_create(
             &id, env.db, ("{\"name\": \"wide\", \"currency\": \"USD\", \"created_at\": " + big + "}").c_str()); }},
      {"RFM options: bins 2^63", CRMKIT_EINVALID, [&](Env& env) {
         char* j = nullptr;
         return json_out(crmkit_value_rfm_assign_json(&j, env.db, kT, ("{\"bins\": " + big + "}").c_str()), j); }},
      {"RFM custom map: a cell 2^63", CRMKIT_EINVALID, [&](Env& env) {
         char* j = nullptr;
         const std::string options = "{\"custom_map\": {\"name\": \"m\", \"cells\": {\"a\": [" + big + "]}}}";
         return json_out(crmkit_value_rfm_assign_json(&j, env.db, kT, options.c_str()), j); }},
  };
  for (const auto& c : table) {
    INFO("case: " << c.name);
    const std::string before = e.digest();
    const int rc = c.run(e);
    const std::string message = crmkit_last_error_message();
    INFO("message: " << message);
    CHECK(rc == c.expected);
    CHECK(message.find(big) != std::string::npos);
    CHECK(message.find("-" + big) == std::string::npos);
    CHECK(e.digest() == before);
  }
}

// ---- aggregate overflow ---------------------------------------------------------------------
// Totals that would pass int64 are refused at the write (a member's points, the refunds of one
// purchase) so that every later read still works; points instants outside 0001..9999 are
// refused like every other area's.
TEST_CASE("hostile aggregate overflow and points instants through the C API", "[hostile]") {
  Env e;
  constexpr std::int64_t kRequest = std::int64_t(1) << 50, kMember = std::int64_t(1) << 61;
  constexpr std::int64_t kAfter9999 = 253'402'300'800'000, kBefore0001 = -62'135'596'800'001;
  // "other" earns 100 points on a 100.00 purchase, refunded with an amount near INT64_MAX,
  // then adjustments bring its total to the 2^61 limit exactly.
  REQUIRE(crmkit_points_enroll(e.db, e.programme, e.other, kT) == CRMKIT_OK);
  crmkit_interaction* r = purchase(e.other, 10'000, "USD");
  std::int64_t bought = 0, pts = 0;
  int rep = 0;
  REQUIRE(crmkit_interaction_record(&bought, e.db, r) == CRMKIT_OK);
  crmkit_interaction_free(r);
  REQUIRE(crmkit_points_reverse_purchase(&pts, &rep, e.db, e.programme, bought, kMax - 5, "rv1", kT) == CRMKIT_OK);
  REQUIRE(pts == -100);
  REQUIRE(crmkit_db_begin(e.db) == CRMKIT_OK);
  for (int k = 0; k < 2048; ++k)
    REQUIRE(crmkit_points_adjust(&pts, &rep, e.db, e.programme, e.other, k < 2047 ? kRequest : kRequest - 100, "load",
                                 ("fill-" + std::to_string(k)).c_str(), kT) == CRMKIT_OK);
  REQUIRE(crmkit_db_commit(e.db) == CRMKIT_OK);
  const std::vector<Case> table{
      {"points_adjust: +1 past a member's 2^61 total", CRMKIT_EINVALID, [](Env& e) {
         std::int64_t p; int rp; return crmkit_points_adjust(&p, &rp, e.db, e.programme, e.other, 1, "x", "o1", kT); }},
      {"points_adjust: -1 past a member's 2^61 total", CRMKIT_EINVALID, [](Env& e) {
         std::int64_t p; int rp; return crmkit_points_adjust(&p, &rp, e.db, e.programme, e.other, -1, "x", "o2", kT); }},
      {"points_reverse_purchase: refunds of one purchase past int64", CRMKIT_EINVALID, [bought](Env& e) {
         std::int64_t p; int rp;
         return crmkit_points_reverse_purchase(&p, &rp, e.db, e.programme, bought, 6, "rv2", kT); }},
      {"points_balance at the member limit", CRMKIT_OK, [](Env& e) {
         std::int64_t b = 0; int rc = crmkit_points_balance(&b, e.db, e.programme, e.other, kT + 1);
         return rc == CRMKIT_OK && b != kMember - 100 ? CRMKIT_EINTERNAL : rc; }},  // the 100 earned were reversed
      {"points_liability_json at the member limit", CRMKIT_OK, [](Env& e) {
         // Sequenced: in json_out(call(&j), j) the second argument may be read before the call.
         char* j = nullptr; const int rc = crmkit_points_liability_json(&j, e.db, e.programme, kT + 1);
         return json_out(rc, j); }},
      {"points_check at the member limit", CRMKIT_OK, [](Env& e) { return crmkit_points_check(e.db, e.programme); }},
      {"points_redeem: as_of after 9999", CRMKIT_EINVALID, [](Env& e) {
         std::int64_t p; int rp; return crmkit_points_redeem(&p, &rp, e.db, e.programme, e.other, 1, "i1", kAfter9999, 0); }},
      {"points_adjust: as_of INT64_MIN", CRMKIT_EINVALID, [](Env& e) {
         std::int64_t p; int rp; return crmkit_points_adjust(&p, &rp, e.db, e.programme, e.customer, 1, "x", "i2", kMin); }},
      {"points_enroll: enrolled_at after 9999", CRMKIT_EINVALID, [](Env& e) {
         return crmkit_points_enroll(e.db, e.programme, e.customer, kAfter9999); }},
      {"points_expire: as_of before 0001", CRMKIT_EINVALID, [](Env& e) {
         std::int64_t p; int rp; return crmkit_points_expire(&p, &rp, e.db, e.programme, kBefore0001, nullptr); }},
      {"points_review_tiers: as_of INT64_MAX", CRMKIT_EINVALID, [](Env& e) {
         char* j = nullptr; return json_out(crmkit_points_review_tiers(&j, e.db, e.programme, kMax), j); }},
      {"points_reverse_purchase: as_of after 9999", CRMKIT_EINVALID, [bought](Env& e) {
         std::int64_t p; int rp;
         return crmkit_points_reverse_purchase(&p, &rp, e.db, e.programme, bought, 1, "i3", kAfter9999); }},
      {"points_reverse_redemption: as_of before 0001", CRMKIT_EINVALID, [](Env& e) {
         std::int64_t p; int rp;
         return crmkit_points_reverse_redemption(&p, &rp, e.db, e.programme, "none", 0, "i4", kBefore0001); }},
      {"points_balance: as_of after 9999", CRMKIT_EINVALID, [](Env& e) {
         std::int64_t b; return crmkit_points_balance(&b, e.db, e.programme, e.other, kAfter9999); }},
      {"points_liability_json: as_of INT64_MIN", CRMKIT_EINVALID, [](Env& e) {
         char* j = nullptr; return json_out(crmkit_points_liability_json(&j, e.db, e.programme, kMin), j); }},
      {"points_programme_create: created_at after 9999", CRMKIT_EINVALID, [](Env& e) {
         std::int64_t id;
         return crmkit_points_programme_create(&id, e.db, R"({"name":"late","currency":"USD","created_at":253402300800000})"); }},
  };
  const int tried = run_table(e, table);
  // The message gives the instant as given, not an impossible date.
  REQUIRE(crmkit_points_redeem(&pts, &rep, e.db, e.programme, e.other, 1, "i5", kAfter9999, 0) == CRMKIT_EINVALID);
  CHECK(std::string(crmkit_last_error_message()).find("as_of 253402300800000 is outside") != std::string::npos);
  std::printf("hostile C API (aggregate overflow, points instants): %d cases\n", tried);
}

// ---- values kept as given (issue #10 items 6, 7, 10) -------------------------------------
// Fake currencies, numbers a double cannot keep, and rules one level over the nesting limit:
// each refused with EINVALID and nothing written.
namespace {

std::string nested_not_rule(int depth) {
  std::string s;
  for (int k = 0; k < depth; ++k) s += "{\"not\":";
  s += R"({"agg":"sum","of":"amount","where":{"kind":["purchase","refund"]},"window":{"last":6,"unit":"month"},)"
       R"("op":"not_between","value":[1,2]})";
  for (int k = 0; k < depth; ++k) s += "}";
  return s;
}

std::vector<Case> value_cases() {
  return {
      {"currency 'ABC' (not ISO 4217)", CRMKIT_EINVALID, [](Env& e) { return batch_of(e, {purchase(e.customer, 1, "ABC")}); }},
      {"currency 'ZZZ' recorded alone", CRMKIT_EINVALID, [](Env& e) {
         crmkit_interaction* r = purchase(e.customer, 1, "ZZZ"); std::int64_t id;
         int rc = crmkit_interaction_record(&id, e.db, r); crmkit_interaction_free(r); return rc; }},
      {"default currency 'ABC'", CRMKIT_EINVALID, [](Env& e) { return crmkit_db_set_default_currency(e.db, "ABC"); }},
      {"acquisition cost in 'ZZZ'", CRMKIT_EINVALID, [](Env& e) {
         crmkit_customer* c; crmkit_customer_new(&c); crmkit_customer_set_created_at(c, kT);
         int rc = crmkit_customer_set_acquisition_cost(c, 5, "ZZZ");
         std::int64_t id; if (rc == CRMKIT_OK) rc = crmkit_customer_create(&id, e.db, c); crmkit_customer_free(c); return rc; }},
      {"interaction JSON: currency 'ABC'", CRMKIT_EINVALID, [](Env& e) { std::int64_t id;
         return crmkit_interaction_record_json(&id, e.db, ("{\"customer_id\":" + std::to_string(e.customer) + ",\"occurred_at\":1,\"kind\":\"purchase\",\"amount\":{\"minor\":1,\"currency\":\"ABC\"}}").c_str()); }},
      {"points programme in 'ZZZ'", CRMKIT_EINVALID, [](Env& e) { std::int64_t id;
         return crmkit_points_programme_create(&id, e.db, R"({"name":"zzz","currency":"ZZZ","created_at":"2023-01-01T00:00:00Z"})"); }},
      {"value_fit: currency 'ABC'", CRMKIT_EINVALID, [](Env& e) {
         std::int64_t id; return crmkit_value_fit(&id, e.db, "bgnbd", "week", kT, kT, "ABC"); }},
      {"currency_minor_units: 'ABC'", CRMKIT_EINVALID, [](Env&) { int u; return crmkit_currency_minor_units(&u, "ABC"); }},
      {"currency_minor_units: NULL code", CRMKIT_EINVALID, [](Env&) { int u; return crmkit_currency_minor_units(&u, nullptr); }},
      {"currency_minor_units: NULL out", CRMKIT_EINVALID, [](Env&) { return crmkit_currency_minor_units(nullptr, "USD"); }},
      {"attributes: integer beyond uint64", CRMKIT_EINVALID, [](Env& e) {
         return create_with(e, "attributes", "{\"order\":123456789012345678901}"); }},
      {"attributes: 21 significant digits", CRMKIT_EINVALID, [](Env& e) {
         return record_with(e, [](auto r) { return crmkit_interaction_set_attributes(r, "{\"p\":[0.100000000000000000001]}"); }); }},
      {"attributes: underflow to 0", CRMKIT_EINVALID, [](Env& e) { return create_with(e, "attributes", "{\"x\":1e-400}"); }},
      {"segment_create: not nested 25 deep (limit 24)", CRMKIT_EINVALID, [](Env& e) {
         std::int64_t id; return crmkit_segment_create(&id, e.db, "deep", "dynamic", nested_not_rule(25).c_str(), 0); }},
      {"segment_create: rule number beyond uint64", CRMKIT_EINVALID, [](Env& e) {
         std::int64_t id;
         return crmkit_segment_create(&id, e.db, "big", "dynamic",
                                      "{\"field\":\"attributes.order\",\"op\":\"eq\",\"value\":123456789012345678901}", 0); }},
  };
}

}  // namespace

TEST_CASE("hostile values through the C API: fake currencies and inexact numbers and too deep rules", "[hostile]") {
  Env e;
  const int tried = run_table(e, value_cases());
  std::printf("hostile C API (values): %d cases\n", tried);
  // The same limits accept what is within them: 24 nested `not` saves and refreshes.
  std::int64_t id = 0;
  REQUIRE(crmkit_segment_create(&id, e.db, "deep", "dynamic", nested_not_rule(24).c_str(), 0) == CRMKIT_OK);
  std::int64_t entered = 0, left = 0;
  CHECK(crmkit_segment_refresh(&entered, &left, e.db, "deep", kT) == CRMKIT_OK);
  int units = -1;
  CHECK(crmkit_currency_minor_units(&units, "UYW") == CRMKIT_OK);
  CHECK(units == 4);
}

// ---- phone numbers and the default region (issue #11) --------------------------------------
TEST_CASE("hostile phone numbers and default regions: exact status, nothing changed", "[hostile]") {
  Env e;
  REQUIRE(crmkit_db_set_default_region(e.db, "US") == CRMKIT_OK);
  const std::vector<Case> phone_cases = {
      {"set_default_region: NULL", CRMKIT_EINVALID, [](Env& e) { return crmkit_db_set_default_region(e.db, nullptr); }},
      {"set_default_region: NULL db", CRMKIT_EINVALID, [](Env&) { return crmkit_db_set_default_region(nullptr, "IT"); }},
      {"set_default_region: lower case", CRMKIT_EINVALID, [](Env& e) { return crmkit_db_set_default_region(e.db, "it"); }},
      {"set_default_region: unknown 'XX'", CRMKIT_EINVALID, [](Env& e) { return crmkit_db_set_default_region(e.db, "XX"); }},
      {"set_default_region: calling code", CRMKIT_EINVALID, [](Env& e) { return crmkit_db_set_default_region(e.db, "39"); }},
      {"set_default_region: non-geographic '001'", CRMKIT_EINVALID, [](Env& e) { return crmkit_db_set_default_region(e.db, "001"); }},
      {"set_default_region: SQL", CRMKIT_EINVALID, [](Env& e) { return crmkit_db_set_default_region(e.db, kSql); }},
      {"set_default_region: 0xFF byte", CRMKIT_EINVALID, [](Env& e) { return crmkit_db_set_default_region(e.db, "I\xff"); }},
      {"default_region: NULL out", CRMKIT_EINVALID, [](Env& e) { return crmkit_db_default_region(nullptr, e.db); }},
      {"default_region: NULL db", CRMKIT_EINVALID, [](Env&) { char* s; return crmkit_db_default_region(&s, nullptr); }},
      {"phone: US local 7 digits", CRMKIT_EINVALID, [](Env& e) { return create_with(e, "phone", "5550100"); }},
      {"phone: no area code 555", CRMKIT_EINVALID, [](Env& e) { return create_with(e, "phone", "+1 555 010 0000"); }},
      {"phone: letters", CRMKIT_EINVALID, [](Env& e) { return create_with(e, "phone", "1-800-FLOWERS"); }},
      {"phone: extension", CRMKIT_EINVALID, [](Env& e) { return create_with(e, "phone", "+1 650 253 0000 ext. 1"); }},
      {"phone: tel URI", CRMKIT_EINVALID, [](Env& e) { return create_with(e, "phone", "tel:+1-650-253-0000"); }},
      {"phone: unknown country code", CRMKIT_EINVALID, [](Env& e) { return create_with(e, "phone", "+999 1234 5678"); }},
      {"phone: 300 digits", CRMKIT_EINVALID, [](Env& e) { return create_with(e, "phone", "+" + std::string(300, '9')); }},
      {"phone: only punctuation", CRMKIT_EINVALID, [](Env& e) { return create_with(e, "phone", "(-.-)"); }},
      {"phone: Arabic-Indic digits", CRMKIT_EINVALID, [](Env& e) { return create_with(e, "phone", "\xd9\xa6\xd9\xa5\xd9\xa0"); }},
      {"phone: SQL", CRMKIT_EINVALID, [](Env& e) { return create_with(e, "phone", kSql); }},
  };
  const int tried = run_table(e, phone_cases);
  char* region = nullptr;
  REQUIRE(crmkit_db_default_region(&region, e.db) == CRMKIT_OK);
  CHECK(std::string(region) == "US");  // no refused setting changed it
  crmkit_free(region);
  std::printf("hostile C API (phone numbers, default region): %d cases\n", tried);
}

// ---- issue #11: predictions name their model; lifecycle stages (added at the end to keep merges easy) ----

TEST_CASE("hostile input to predictions and lifecycle stages: exact status, nothing changed", "[hostile][lifecycle]") {
  const double nan = std::numeric_limits<double>::quiet_NaN();
  const std::vector<Case> table = {
      {"value_predict: no model saved", CRMKIT_ENOTFOUND, [](Env& e) {
         char* j = nullptr; return json_out(capi_test::score_json(&j, e.db, kT, {nullptr, 0, 52, "week", 0.01, 1}), j); }},
      {"value_predict: SQL as the model", CRMKIT_EINVALID, [](Env& e) {
         char* j = nullptr; return json_out(capi_test::score_json(&j, e.db, kT, {kSql, 0, 52, "week", 0.01, 1}), j); }},
      {"value_predict: gg is not a transaction model", CRMKIT_EINVALID, [](Env& e) {
         char* j = nullptr; return json_out(capi_test::score_json(&j, e.db, kT, {"gg", 0, 52, "week", 0.01, 1}), j); }},
      {"value_predict: id beyond int64", CRMKIT_EINVALID, [](Env& e) {
         char* j = nullptr;
         return json_out(capi_test::score_json(&j, e.db, kT, {"99999999999999999999", 0, 52, "week", 0.01, 1}), j); }},
      {"value_predict: model id 0", CRMKIT_EINVALID, [](Env& e) {
         char* j = nullptr; return json_out(capi_test::score_json(&j, e.db, kT, {"0", 0, 52, "week", 0.01, 1}), j); }},
      {"value_predict: unknown model id", CRMKIT_ENOTFOUND, [](Env& e) {
         char* j = nullptr; return json_out(capi_test::score_json(&j, e.db, kT, {"424242", 0, 52, "week", 0.01, 1}), j); }},
      {"value_predict: NULL out", CRMKIT_EINVALID, [](Env& e) {
         return capi_test::score_json(nullptr, e.db, kT, {nullptr, 0, 52, "week", 0.01, 1}); }},
      {"value_predict: NaN horizon", CRMKIT_EINVALID, [nan](Env& e) {
         char* j = nullptr; return json_out(capi_test::score_json(&j, e.db, kT, {"bgnbd", 0, nan, "week", 0.01, 1}), j); }},
      {"lifecycle rule: unknown rule", CRMKIT_EINVALID, [](Env& e) {
         return crmkit_customer_set_lifecycle_rule(e.db, kSql, 30, 0.5); }},
      {"lifecycle rule: window beyond int", CRMKIT_EINVALID, [](Env& e) {
         return crmkit_customer_set_lifecycle_rule(e.db, "no_purchase", kMax, 0.5); }},
      {"lifecycle rule: negative window", CRMKIT_EINVALID, [](Env& e) {
         return crmkit_customer_set_lifecycle_rule(e.db, "no_purchase", -30, 0.5); }},
      {"lifecycle rule: NaN threshold", CRMKIT_EINVALID, [nan](Env& e) {
         return crmkit_customer_set_lifecycle_rule(e.db, "p_alive", 30, nan); }},
      {"lifecycle rule: NULL db", CRMKIT_EINVALID, [](Env&) {
         return crmkit_customer_set_lifecycle_rule(nullptr, "p_alive", 30, 0.5); }},
      {"lifecycle: as_of out of range", CRMKIT_EINVALID, [](Env& e) {
         char* j = nullptr; return json_out(crmkit_customer_update_lifecycle_json(&j, e.db, kMin, 0), j); }},
      {"lifecycle: override_manual not 0/1", CRMKIT_EINVALID, [](Env& e) {
         char* j = nullptr; return json_out(crmkit_customer_update_lifecycle_json(&j, e.db, kT, -1), j); }},
      {"customer upsert JSON: lifecycle_manual given", CRMKIT_EINVALID, [](Env& e) {
         std::int64_t id; int created;
         return crmkit_customer_upsert_json(&id, &created, e.db,
                                            R"({"external_id":"anchor","created_at":1,"lifecycle_manual":false})"); }},
  };
  Env e;
  const int tried = run_table(e, table);
  std::printf("hostile C API (predictions, lifecycle): %d cases\n", tried);
}

// ---- the plain-data CLV layer (no database: the digest shows nothing else moved) -------------
TEST_CASE("hostile input to the plain-data CLV C API: exact status, nothing changed", "[hostile][clv]") {
  Env e;
  static const std::int64_t ids[2] = {1, 2};
  static const std::int64_t at[2] = {kT, kT + 1};
  static const double nan2[2] = {1, std::nan("")};
  static const double inf2[2] = {1, HUGE_VAL};
  static const double neg2[2] = {1, -0.01};
  static const std::int64_t far[2] = {kT, INT64_MAX};
  static const double x[2] = {1, 0}, tx[2] = {1, 0}, T[2] = {2, 2}, bad_T[2] = {0.5, 2};
  const std::vector<Case> table = {
      {"clv_summarise: NaN amount", CRMKIT_EINVALID, [](Env&) {
         crmkit_clv_summary* s = nullptr; return crmkit_clv_summarise(&s, ids, at, nan2, 2, nullptr); }},
      {"clv_summarise: infinite amount", CRMKIT_EINVALID, [](Env&) {
         crmkit_clv_summary* s = nullptr; return crmkit_clv_summarise(&s, ids, at, inf2, 2, nullptr); }},
      {"clv_summarise: negative amount", CRMKIT_EINVALID, [](Env&) {
         crmkit_clv_summary* s = nullptr; return crmkit_clv_summarise(&s, ids, at, neg2, 2, nullptr); }},
      {"clv_summarise: INT64_MAX instant", CRMKIT_EINVALID, [](Env&) {
         crmkit_clv_summary* s = nullptr; return crmkit_clv_summarise(&s, ids, far, nullptr, 2, nullptr); }},
      {"clv_summarise: INT64_MIN rows", CRMKIT_EINVALID, [](Env&) {
         crmkit_clv_summary* s = nullptr; return crmkit_clv_summarise(&s, ids, at, nullptr, INT64_MIN, nullptr); }},
      {"clv_summarise: NULL instants", CRMKIT_EINVALID, [](Env&) {
         crmkit_clv_summary* s = nullptr; return crmkit_clv_summarise(&s, ids, nullptr, nullptr, 2, nullptr); }},
      {"clv_summary_options: SQL as a period", CRMKIT_EINVALID, [](Env&) {
         crmkit_clv_summary_options* o = nullptr; crmkit_clv_summary_options_new(&o);
         int rc = crmkit_clv_summary_options_set_period(o, "day'; DROP TABLE customers; --", 1);
         crmkit_clv_summary_options_free(o); return rc; }},
      {"clv_summary_options: invalid UTF-8 period", CRMKIT_EINVALID, [](Env&) {
         crmkit_clv_summary_options* o = nullptr; crmkit_clv_summary_options_new(&o);
         int rc = crmkit_clv_summary_options_set_period(o, "d\xc3\x28y", 1);
         crmkit_clv_summary_options_free(o); return rc; }},
      {"clv_summarise: NaN periods_per_unit", CRMKIT_EINVALID, [](Env&) {
         crmkit_clv_summary_options* o = nullptr; crmkit_clv_summary_options_new(&o);
         crmkit_clv_summary_options_set_period(o, "week", std::nan(""));
         crmkit_clv_summary* s = nullptr; int rc = crmkit_clv_summarise(&s, ids, at, nullptr, 2, o);
         crmkit_clv_summary_options_free(o); return rc; }},
      {"clv_calibration_holdout: calibration end at INT64_MIN", CRMKIT_EINVALID, [](Env&) {
         crmkit_clv_summary* s = nullptr;
         return crmkit_clv_calibration_holdout(&s, ids, at, nullptr, 2, INT64_MIN, nullptr); }},
      {"clv_fit_json: t_x above T", CRMKIT_EINVALID, [](Env&) {
         char* j = nullptr; return json_out(crmkit_clv_fit_json(&j, "bg_nbd", x, tx, bad_T, nullptr, 2, nullptr), j); }},
      {"clv_fit_json: infinite penalizer", CRMKIT_EINVALID, [](Env&) {
         crmkit_clv_fit_options* o = nullptr; crmkit_clv_fit_options_new(&o);
         crmkit_clv_fit_options_set_penalizer(o, HUGE_VAL);
         char* j = nullptr; int rc = json_out(crmkit_clv_fit_json(&j, "bg_nbd", x, tx, T, nullptr, 2, o), j);
         crmkit_clv_fit_options_free(o); return rc; }},
      {"clv_fit_options: start count 2^40", CRMKIT_EINVALID, [](Env&) {
         crmkit_clv_fit_options* o = nullptr; crmkit_clv_fit_options_new(&o);
         int rc = crmkit_clv_fit_options_set_start(o, x, std::int64_t{1} << 40);
         crmkit_clv_fit_options_free(o); return rc; }},
      {"clv_p_alive: NaN parameter", CRMKIT_EINVALID, [](Env&) {
         const double p[4] = {1, std::nan(""), 1, 1}; double out[2];
         return crmkit_clv_p_alive(out, "bg_nbd", p, 4, x, tx, T, 2); }},
      {"clv_customer_lifetime_value: 100000 months", CRMKIT_EINVALID, [](Env&) {
         const double p[4] = {0.24, 4.4, 0.79, 2.4}, m[2] = {1, 1}; double out[2];
         return crmkit_clv_customer_lifetime_value(out, "bg_nbd", p, 4, "week", 100000, 0.01, x, tx, T, m, 2); }},
      // probabilities of n purchases, BG/BB and sBG predictions
      {"clv_probability_of_purchases: pareto_nbd, n = INT64_MAX", CRMKIT_EINVALID, [](Env&) {
         const double p[4] = {0.55, 10.58, 0.61, 11.67}; const std::int64_t k[1] = {INT64_MAX}; double out[1];
         return crmkit_clv_probability_of_purchases(out, "pareto_nbd", p, 4, 39, k, 1); }},
      {"clv_probability_of_purchases: infinite horizon", CRMKIT_EINVALID, [](Env&) {
         const double p[4] = {0.55, 10.58, 0.61, 11.67}; const std::int64_t k[1] = {1}; double out[1];
         return crmkit_clv_probability_of_purchases(out, "pareto_nbd", p, 4, HUGE_VAL, k, 1); }},
      {"clv_conditional_probability_of_purchases: NULL out", CRMKIT_EINVALID, [](Env&) {
         const double p[4] = {0.55, 10.58, 0.61, 11.67}; const std::int64_t k[2] = {0, 1};
         return crmkit_clv_conditional_probability_of_purchases(nullptr, "pareto_nbd", p, 4, 39, k, x, tx, T, 2); }},
      {"clv_conditional_probability_of_purchases: NULL n", CRMKIT_EINVALID, [](Env&) {
         const double p[4] = {0.55, 10.58, 0.61, 11.67}; double out[2];
         return crmkit_clv_conditional_probability_of_purchases(out, "pareto_nbd", p, 4, 39, nullptr, x, tx, T, 2); }},
      {"clv_conditional_probability_of_purchases: NaN horizon", CRMKIT_EINVALID, [](Env&) {
         const double p[4] = {0.55, 10.58, 0.61, 11.67}; const std::int64_t k[2] = {0, 1}; double out[2];
         return crmkit_clv_conditional_probability_of_purchases(out, "pareto_nbd", p, 4, std::nan(""), k, x, tx, T, 2); }},
      {"clv_conditional_probability_of_purchases: negative n", CRMKIT_EINVALID, [](Env&) {
         const double p[4] = {0.55, 10.58, 0.61, 11.67}; const std::int64_t k[2] = {0, -1}; double out[2];
         return crmkit_clv_conditional_probability_of_purchases(out, "pareto_nbd", p, 4, 39, k, x, tx, T, 2); }},
      {"clv_conditional_probability_of_purchases: unknown model", CRMKIT_EINVALID, [](Env&) {
         const double p[4] = {0.55, 10.58, 0.61, 11.67}; const std::int64_t k[2] = {0, 1}; double out[2];
         return crmkit_clv_conditional_probability_of_purchases(out, "bg_bb", p, 4, 39, k, x, tx, T, 2); }},
      {"clv_conditional_probability_of_purchases: t_x above T", CRMKIT_EINVALID, [](Env&) {
         const double p[4] = {0.55, 10.58, 0.61, 11.67}; const std::int64_t k[2] = {0, 1}; double out[2];
         return crmkit_clv_conditional_probability_of_purchases(out, "pareto_nbd", p, 4, 39, k, x, tx, bad_T, 2); }},
      {"clv_bg_bb_p_alive: NaN parameter", CRMKIT_EINVALID, [](Env&) {
         const double p[4] = {1.2, std::nan(""), 0.66, 2.8}; double out[2];
         return crmkit_clv_bg_bb_p_alive(out, p, 4, 1, x, tx, T, 2); }},
      {"clv_bg_bb_p_alive: NULL params", CRMKIT_EINVALID, [](Env&) {
         double out[2]; return crmkit_clv_bg_bb_p_alive(out, nullptr, 4, 1, x, tx, T, 2); }},
      {"clv_bg_bb_p_alive: m_ahead INT64_MAX", CRMKIT_EINVALID, [](Env&) {
         const double p[4] = {1.2, 0.75, 0.66, 2.8}; double out[2];
         return crmkit_clv_bg_bb_p_alive(out, p, 4, INT64_MAX, x, tx, T, 2); }},
      {"clv_bg_bb_p_alive: fractional x", CRMKIT_EINVALID, [](Env&) {
         const double p[4] = {1.2, 0.75, 0.66, 2.8}, fx[1] = {0.5}, ftx[1] = {1}, fn[1] = {2}; double out[1];
         return crmkit_clv_bg_bb_p_alive(out, p, 4, 1, fx, ftx, fn, 1); }},
      {"clv_bg_bb_expected_transactions: negative n", CRMKIT_EINVALID, [](Env&) {
         const double p[4] = {1.2, 0.75, 0.66, 2.8}, bad_n[1] = {-1}; double out[1];
         return crmkit_clv_bg_bb_expected_transactions(out, p, 4, bad_n, 1); }},
      {"clv_bg_bb_expected_transactions: negative rows", CRMKIT_EINVALID, [](Env&) {
         const double p[4] = {1.2, 0.75, 0.66, 2.8}; double out[1];
         return crmkit_clv_bg_bb_expected_transactions(out, p, 4, T, -1); }},
      {"clv_bg_bb_conditional_expected_transactions: NaN n_star", CRMKIT_EINVALID, [](Env&) {
         const double p[4] = {1.2, 0.75, 0.66, 2.8}; double out[2];
         return crmkit_clv_bg_bb_conditional_expected_transactions(out, p, 4, std::nan(""), x, tx, T, 2); }},
      {"clv_bg_bb_conditional_expected_transactions: NULL t_x", CRMKIT_EINVALID, [](Env&) {
         const double p[4] = {1.2, 0.75, 0.66, 2.8}; double out[2];
         return crmkit_clv_bg_bb_conditional_expected_transactions(out, p, 4, 5, x, nullptr, T, 2); }},
      {"clv_bg_bb_probability_of_transactions: n = INT64_MAX", CRMKIT_EINVALID, [](Env&) {
         const double p[4] = {1.2, 0.75, 0.66, 2.8}; const std::int64_t k[1] = {1}; double out[1];
         return crmkit_clv_bg_bb_probability_of_transactions(out, p, 4, INT64_MAX, k, 1); }},
      {"clv_bg_bb_probability_of_transactions: x above n", CRMKIT_EINVALID, [](Env&) {
         const double p[4] = {1.2, 0.75, 0.66, 2.8}; const std::int64_t k[1] = {7}; double out[1];
         return crmkit_clv_bg_bb_probability_of_transactions(out, p, 4, 6, k, 1); }},
      {"clv_bg_bb_probability_of_transactions: 5 parameters", CRMKIT_EINVALID, [](Env&) {
         const double p[5] = {1.2, 0.75, 0.66, 2.8, 1}; const std::int64_t k[1] = {1}; double out[1];
         return crmkit_clv_bg_bb_probability_of_transactions(out, p, 5, 6, k, 1); }},
      {"clv_sbg_survival: negative t", CRMKIT_EINVALID, [](Env&) {
         const double p[2] = {0.7, 1.18}; const std::int64_t t[1] = {-1}; double out[1];
         return crmkit_clv_sbg_survival(out, p, 2, t, 1); }},
      {"clv_sbg_survival: t beyond int", CRMKIT_EINVALID, [](Env&) {
         const double p[2] = {0.7, 1.18}; const std::int64_t t[1] = {std::int64_t{1} << 40}; double out[1];
         return crmkit_clv_sbg_survival(out, p, 2, t, 1); }},
      {"clv_sbg_survival: infinite parameter", CRMKIT_EINVALID, [](Env&) {
         const double p[2] = {HUGE_VAL, 1.18}; const std::int64_t t[1] = {1}; double out[1];
         return crmkit_clv_sbg_survival(out, p, 2, t, 1); }},
      {"clv_sbg_retention_rate: t = 0", CRMKIT_EINVALID, [](Env&) {
         const double p[2] = {0.7, 1.18}; const std::int64_t t[1] = {0}; double out[1];
         return crmkit_clv_sbg_retention_rate(out, p, 2, t, 1); }},
      {"clv_sbg_retention_rate: negative parameter", CRMKIT_EINVALID, [](Env&) {
         const double p[2] = {0.7, -1.18}; const std::int64_t t[1] = {1}; double out[1];
         return crmkit_clv_sbg_retention_rate(out, p, 2, t, 1); }},
      {"clv_sbg_retention_rate: NULL out", CRMKIT_EINVALID, [](Env&) {
         const double p[2] = {0.7, 1.18}; const std::int64_t t[1] = {1};
         return crmkit_clv_sbg_retention_rate(nullptr, p, 2, t, 1); }},
  };
  const int tried = run_table(e, table);
  std::printf("hostile C API (plain-data CLV): %d cases\n", tried);
}

// ---- issue #16: contact points ---------------------------------------------------------------
TEST_CASE("hostile input to contact points: exact status, nothing changed", "[hostile][contacts]") {
  Env e;
  std::int64_t existing = 0;
  REQUIRE(crmkit_contact_add(&existing, e.db, e.customer, "email", "taken@example.com", nullptr, 0, kT) == CRMKIT_OK);
  static std::int64_t taken;
  taken = existing;
  auto add = [](const char* type, const std::string& value, const char* label = nullptr, int primary = 0,
                std::int64_t at = kT) {
    return [=](Env& e) {
      std::int64_t id = 0;
      return crmkit_contact_add(&id, e.db, e.customer, type, value.c_str(), label, primary, at);
    };
  };
  const std::vector<Case> contact_cases = {
      {"contact_add: NULL out", CRMKIT_EINVALID, [](Env& e) { return crmkit_contact_add(nullptr, e.db, e.customer, "email", "a@b.co", nullptr, 0, kT); }},
      {"contact_add: NULL db", CRMKIT_EINVALID, [](Env& e) { std::int64_t id; return crmkit_contact_add(&id, nullptr, e.customer, "email", "a@b.co", nullptr, 0, kT); }},
      {"contact_add: NULL type", CRMKIT_EINVALID, [](Env& e) { std::int64_t id; return crmkit_contact_add(&id, e.db, e.customer, nullptr, "a@b.co", nullptr, 0, kT); }},
      {"contact_add: NULL value", CRMKIT_EINVALID, [](Env& e) { std::int64_t id; return crmkit_contact_add(&id, e.db, e.customer, "email", nullptr, nullptr, 0, kT); }},
      {"contact_add: unknown type", CRMKIT_EINVALID, add("fax", "123")},
      {"contact_add: type in upper case", CRMKIT_EINVALID, add("EMAIL", "a@b.co")},
      {"contact_add: missing customer", CRMKIT_ENOTFOUND, [](Env& e) { std::int64_t id; return crmkit_contact_add(&id, e.db, e.customer + 999, "email", "a@b.co", nullptr, 0, kT); }},
      {"contact_add: customer id INT64_MIN", CRMKIT_ENOTFOUND, [](Env& e) { std::int64_t id; return crmkit_contact_add(&id, e.db, kMin, "email", "a@b.co", nullptr, 0, kT); }},
      {"contact_add: the same email again", CRMKIT_ECONFLICT, add("email", " TAKEN@example.com ")},
      {"contact_add: email SQL", CRMKIT_EINVALID, add("email", kSql)},
      {"contact_add: email emoji domain", CRMKIT_EINVALID, add("email", "a@\xe2\x98\x95.com")},
      {"contact_add: email invalid UTF-8", CRMKIT_EINVALID, add("email", "a@b\xff.com")},
      {"contact_add: phone letters", CRMKIT_EINVALID, add("phone", "1-800-FLOWERS")},
      {"contact_add: address blank lines", CRMKIT_EINVALID, add("address", "\n \n\t")},
      {"contact_add: address control byte", CRMKIT_EINVALID, add("address", "1 Main St\x1b[2J")},
      {"contact_add: address over 1000 bytes", CRMKIT_EINVALID, add("address", kOver1000)},
      {"contact_add: url javascript", CRMKIT_EINVALID, add("url", "javascript:alert(1)")},
      {"contact_add: url with user", CRMKIT_EINVALID, add("url", "https://admin@example.com")},
      {"contact_add: social without network", CRMKIT_EINVALID, add("social", "@alice")},
      {"contact_add: social SQL network", CRMKIT_EINVALID, add("social", std::string(kSql) + ":x")},
      {"contact_add: empty label", CRMKIT_EINVALID, add("email", "n@b.co", "  ")},
      {"contact_add: label over 100 bytes", CRMKIT_EINVALID, add("email", "n@b.co", kOver1000.c_str())},
      {"contact_add: primary 2", CRMKIT_EINVALID, add("email", "n@b.co", nullptr, 2)},
      {"contact_add: at INT64_MAX", CRMKIT_EINVALID, add("email", "n@b.co", nullptr, 0, kMax)},
      {"contact_add: at INT64_MIN", CRMKIT_EINVALID, add("email", "n@b.co", nullptr, 0, kMin)},
      {"contact_get_json: NULL out", CRMKIT_EINVALID, [](Env& e) { return crmkit_contact_get_json(nullptr, e.db, taken); }},
      {"contact_get_json: missing", CRMKIT_ENOTFOUND, [](Env& e) { char* s = nullptr; return json_out(crmkit_contact_get_json(&s, e.db, taken + 999), s); }},
      {"contact_list_json: missing customer", CRMKIT_ENOTFOUND, [](Env& e) { char* s = nullptr; return json_out(crmkit_contact_list_json(&s, e.db, kMax), s); }},
      {"contact_find_json: bad value", CRMKIT_EINVALID, [](Env& e) { char* s = nullptr; return json_out(crmkit_contact_find_json(&s, e.db, "email", "nope"), s); }},
      {"contact_find_json: NULL type", CRMKIT_EINVALID, [](Env& e) { char* s = nullptr; return json_out(crmkit_contact_find_json(&s, e.db, nullptr, "a@b.co"), s); }},
      {"contact_set_primary: missing", CRMKIT_ENOTFOUND, [](Env& e) { return crmkit_contact_set_primary(e.db, taken + 999, kT); }},
      {"contact_set_primary: at out of range", CRMKIT_EINVALID, [](Env& e) { return crmkit_contact_set_primary(e.db, taken, kMax); }},
      {"contact_set_label: invalid UTF-8", CRMKIT_EINVALID, [](Env& e) { return crmkit_contact_set_label(e.db, taken, "\xc3\x28", kT); }},
      {"contact_set_label: missing", CRMKIT_ENOTFOUND, [](Env& e) { return crmkit_contact_set_label(e.db, 0, "work", kT); }},
      {"contact_mark_verified: missing", CRMKIT_ENOTFOUND, [](Env& e) { return crmkit_contact_mark_verified(e.db, -1, kT); }},
      {"contact_record_bounce: hard -1", CRMKIT_EINVALID, [](Env& e) { return crmkit_contact_record_bounce(e.db, taken, -1, kT); }},
      {"contact_record_bounce: NULL db", CRMKIT_EINVALID, [](Env&) { return crmkit_contact_record_bounce(nullptr, taken, 1, kT); }},
      {"contact_delete: missing", CRMKIT_ENOTFOUND, [](Env& e) { return crmkit_contact_delete(e.db, taken + 999, kT); }},
      {"contact_delete: at INT64_MIN", CRMKIT_EINVALID, [](Env& e) { return crmkit_contact_delete(e.db, taken, kMin); }},
  };
  const int tried = run_table(e, contact_cases);
  std::printf("hostile C API (contact points): %d cases\n", tried);
}

TEST_CASE("hostile input to duplicate detection: exact status, nothing changed", "[hostile][duplicates]") {
  Env e;
  static std::int64_t other;
  other = e.make_customer("dup-other");
  auto rules = [](const std::string& json) {
    return [=](Env& e) { return crmkit_duplicates_set_rules_json(e.db, json.c_str(), kT); };
  };
  const std::string head = "{\"duplicate_threshold\": 10, \"suspect_from\": 5, \"rules\": ";
  const std::vector<Case> duplicate_cases = {
      {"rules_json: NULL out", CRMKIT_EINVALID, [](Env& e) { return crmkit_duplicates_rules_json(nullptr, e.db); }},
      {"set_rules_json: NULL", CRMKIT_EINVALID, [](Env& e) { return crmkit_duplicates_set_rules_json(e.db, nullptr, kT); }},
      {"set_rules_json: NULL db", CRMKIT_EINVALID, [](Env&) { return crmkit_duplicates_set_rules_json(nullptr, "{}", kT); }},
      {"set_rules_json: not JSON", CRMKIT_EINVALID, rules("rules!")},
      {"set_rules_json: an array", CRMKIT_EINVALID, rules("[]")},
      {"set_rules_json: empty object", CRMKIT_EINVALID, rules("{}")},
      {"set_rules_json: no rules", CRMKIT_EINVALID, rules(head + "[]}")},
      {"set_rules_json: unknown field", CRMKIT_EINVALID, rules(head + "[{\"weight\": 1, \"all_of\": [{\"field\": \"shoe\", \"comparator\": \"exact\"}]}]}")},
      {"set_rules_json: SQL as a field", CRMKIT_EINVALID, rules(head + "[{\"weight\": 1, \"all_of\": [{\"field\": \"" + std::string("x'); DROP TABLE customers; --") + "\", \"comparator\": \"exact\"}]}]}")},
      {"set_rules_json: weight 0", CRMKIT_EINVALID, rules(head + "[{\"weight\": 0, \"all_of\": [{\"field\": \"email\", \"comparator\": \"exact\"}]}]}")},
      {"set_rules_json: weight above INT64_MAX", CRMKIT_EINVALID, rules(head + "[{\"weight\": 9223372036854775808, \"all_of\": [{\"field\": \"email\", \"comparator\": \"exact\"}]}]}")},
      {"set_rules_json: threshold 1.5", CRMKIT_EINVALID, rules(head + "[{\"weight\": 1, \"all_of\": [{\"field\": \"given_name\", \"comparator\": \"jaro_winkler\", \"threshold\": 1.5}]}]}")},
      {"set_rules_json: threshold 1e999", CRMKIT_EINVALID, rules(head + "[{\"weight\": 1, \"all_of\": [{\"field\": \"given_name\", \"comparator\": \"jaro_winkler\", \"threshold\": 1e999}]}]}")},
      {"set_rules_json: prefix without length", CRMKIT_EINVALID, rules(head + "[{\"weight\": 1, \"all_of\": [{\"field\": \"city\", \"comparator\": \"prefix\"}]}]}")},
      {"set_rules_json: equal_date on a name", CRMKIT_EINVALID, rules(head + "[{\"weight\": 1, \"all_of\": [{\"field\": \"city\", \"comparator\": \"equal_date\"}]}]}")},
      {"set_rules_json: too deep", CRMKIT_EINVALID, rules(json_of_depth(100000))},
      {"set_rules_json: at out of range", CRMKIT_EINVALID, [](Env& e) {
         char* r = nullptr; crmkit_duplicates_rules_json(&r, e.db); int rc = crmkit_duplicates_set_rules_json(e.db, r, kMax); crmkit_free(r); return rc; }},
      {"check_json: missing customer", CRMKIT_ENOTFOUND, [](Env& e) { char* s = nullptr; return json_out(crmkit_duplicates_check_json(&s, e.db, kMax), s); }},
      {"check_json: NULL out", CRMKIT_EINVALID, [](Env& e) { return crmkit_duplicates_check_json(nullptr, e.db, e.customer); }},
      {"check_record_json: NULL record", CRMKIT_EINVALID, [](Env& e) { char* s = nullptr; return json_out(crmkit_duplicates_check_record_json(&s, e.db, nullptr), s); }},
      {"check_record_json: bad email", CRMKIT_EINVALID, [](Env& e) {
         crmkit_customer* c = nullptr; crmkit_customer_new(&c); crmkit_customer_set_text(c, "email", "nope");
         char* s = nullptr; int rc = crmkit_duplicates_check_record_json(&s, e.db, c); crmkit_customer_free(c); return json_out(rc, s); }},
      {"check_record_json: a good record writes nothing", CRMKIT_OK, [](Env& e) {
         crmkit_customer* c = nullptr; crmkit_customer_new(&c); crmkit_customer_set_text(c, "email", "x@example.com");
         char* s = nullptr; int rc = crmkit_duplicates_check_record_json(&s, e.db, c); crmkit_customer_free(c); return json_out(rc, s); }},
      {"scan_fellegi_sunter_json: NULL out", CRMKIT_EINVALID, [](Env& e) { return crmkit_duplicates_scan_fellegi_sunter_json(nullptr, e.db, nullptr); }},
      {"scan_fellegi_sunter_json: NaN threshold", CRMKIT_EINVALID, [](Env& e) { static const double nan = std::nan(""); char* s = nullptr; const int rc = crmkit_duplicates_scan_fellegi_sunter_json(&s, e.db, &nan); return json_out(rc, s); }},
      {"scan_fellegi_sunter_json: infinite threshold", CRMKIT_EINVALID, [](Env& e) { static const double inf = HUGE_VAL; char* s = nullptr; const int rc = crmkit_duplicates_scan_fellegi_sunter_json(&s, e.db, &inf); return json_out(rc, s); }},
      {"scan_fellegi_sunter_json: reads only", CRMKIT_OK, [](Env& e) { char* s = nullptr; const int rc = crmkit_duplicates_scan_fellegi_sunter_json(&s, e.db, nullptr); return json_out(rc, s); }},
      {"scan_json: NULL db", CRMKIT_EINVALID, [](Env&) { char* s = nullptr; return json_out(crmkit_duplicates_scan_json(&s, nullptr), s); }},
      {"explain_json: itself", CRMKIT_EINVALID, [](Env& e) { char* s = nullptr; return json_out(crmkit_duplicates_explain_json(&s, e.db, e.customer, e.customer), s); }},
      {"explain_json: missing", CRMKIT_ENOTFOUND, [](Env& e) { char* s = nullptr; return json_out(crmkit_duplicates_explain_json(&s, e.db, e.customer, kMin), s); }},
      {"ignore: itself", CRMKIT_EINVALID, [](Env& e) { return crmkit_duplicates_ignore(e.db, e.customer, e.customer, kT); }},
      {"ignore: missing", CRMKIT_ENOTFOUND, [](Env& e) { return crmkit_duplicates_ignore(e.db, e.customer, other + 999, kT); }},
      {"ignore: at INT64_MIN", CRMKIT_EINVALID, [](Env& e) { return crmkit_duplicates_ignore(e.db, e.customer, other, kMin); }},
  };
  const int tried = run_table(e, duplicate_cases);
  std::printf("hostile C API (duplicates): %d cases\n", tried);
}

TEST_CASE("hostile input to the audit trail: exact status, nothing changed", "[hostile][audit]") {
  Env e;
  static const std::int64_t kBad = kMax;
  const std::vector<Case> audit_cases = {
      {"set_audit_context: NULL db", CRMKIT_EINVALID, [](Env&) { return crmkit_db_set_audit_context(nullptr, "a", nullptr, nullptr); }},
      {"set_audit_context: invalid UTF-8 actor", CRMKIT_EINVALID, [](Env& e) { return crmkit_db_set_audit_context(e.db, "\xc3\x28", nullptr, nullptr); }},
      {"set_audit_context: reason over 200 bytes", CRMKIT_EINVALID, [](Env& e) { return crmkit_db_set_audit_context(e.db, nullptr, kOver1000.c_str(), nullptr); }},
      {"audit_list_json: NULL out", CRMKIT_EINVALID, [](Env& e) { return crmkit_audit_list_json(nullptr, e.db, nullptr, 0, nullptr, nullptr, nullptr, 0, 10); }},
      {"audit_list_json: unknown entity", CRMKIT_EINVALID, [](Env& e) { char* s = nullptr; return json_out(crmkit_audit_list_json(&s, e.db, "ticket", 0, nullptr, nullptr, nullptr, 0, 10), s); }},
      {"audit_list_json: entity_id without entity", CRMKIT_EINVALID, [](Env& e) { char* s = nullptr; return json_out(crmkit_audit_list_json(&s, e.db, nullptr, 5, nullptr, nullptr, nullptr, 0, 10), s); }},
      {"audit_list_json: from INT64_MAX", CRMKIT_EINVALID, [](Env& e) { char* s = nullptr; return json_out(crmkit_audit_list_json(&s, e.db, nullptr, 0, nullptr, &kBad, nullptr, 0, 10), s); }},
      {"audit_list_json: limit 0", CRMKIT_EINVALID, [](Env& e) { char* s = nullptr; return json_out(crmkit_audit_list_json(&s, e.db, nullptr, 0, nullptr, nullptr, nullptr, 0, 0), s); }},
      {"audit_list_json: limit 10001", CRMKIT_EINVALID, [](Env& e) { char* s = nullptr; return json_out(crmkit_audit_list_json(&s, e.db, nullptr, 0, nullptr, nullptr, nullptr, 0, 10001), s); }},
      {"audit_list_json: after -1", CRMKIT_EINVALID, [](Env& e) { char* s = nullptr; return json_out(crmkit_audit_list_json(&s, e.db, nullptr, 0, nullptr, nullptr, nullptr, -1, 10), s); }},
      {"audit_start_chain: NULL db", CRMKIT_EINVALID, [](Env&) { return crmkit_audit_start_chain(nullptr); }},
      {"audit_verify_json: NULL out", CRMKIT_EINVALID, [](Env& e) { return crmkit_audit_verify_json(nullptr, e.db); }},
      {"audit_verify_json: reads only", CRMKIT_OK, [](Env& e) { char* s = nullptr; const int rc = crmkit_audit_verify_json(&s, e.db); return json_out(rc, s); }},
      {"customer_import_preview_json: NULL records", CRMKIT_EINVALID, [](Env& e) { char* s = nullptr; return json_out(crmkit_customer_import_preview_json(&s, e.db, nullptr), s); }},
      {"customer_import_preview_json: not an array", CRMKIT_EINVALID, [](Env& e) { char* s = nullptr; return json_out(crmkit_customer_import_preview_json(&s, e.db, "{\"external_id\":\"x\"}"), s); }},
      {"customer_import_preview_json: invalid UTF-8", CRMKIT_EINVALID, [](Env& e) { char* s = nullptr; return json_out(crmkit_customer_import_preview_json(&s, e.db, "[{\"email\":\"\xc3\x28\"}]"), s); }},
      {"customer_import_preview_json: NULL out", CRMKIT_EINVALID, [](Env& e) { return crmkit_customer_import_preview_json(nullptr, e.db, "[]"); }},
      {"customer_import_preview_json: SQL and bad records are rows, nothing written", CRMKIT_OK, [](Env& e) { char* s = nullptr; const int rc = crmkit_customer_import_preview_json(&s, e.db, (std::string("[{\"external_id\":\"") + kSql + "\",\"created_at\":1},{\"email\":\"" + kSql + "\"},[1],null,{\"created_at\":99999999999999999999}]").c_str()); return json_out(rc, s); }},
      {"subject_export_json: missing customer", CRMKIT_ENOTFOUND, [](Env& e) { char* s = nullptr; return json_out(crmkit_subject_export_json(&s, e.db, kMax), s); }},
      {"subject_export_json: NULL out", CRMKIT_EINVALID, [](Env& e) { return crmkit_subject_export_json(nullptr, e.db, e.customer); }},
      {"subject_export_csv: NULL directory", CRMKIT_EINVALID, [](Env& e) { char* s = nullptr; return json_out(crmkit_subject_export_csv(&s, e.db, e.customer, nullptr), s); }},
      {"subject_export_csv: empty directory name", CRMKIT_EINVALID, [](Env& e) { char* s = nullptr; return json_out(crmkit_subject_export_csv(&s, e.db, e.customer, ""), s); }},
      {"subject_export_csv: invalid UTF-8 directory", CRMKIT_EINVALID, [](Env& e) { char* s = nullptr; return json_out(crmkit_subject_export_csv(&s, e.db, e.customer, "/tmp/\xff-sar"), s); }},
      {"subject_export_csv: NULL out", CRMKIT_EINVALID, [](Env& e) { return crmkit_subject_export_csv(nullptr, e.db, e.customer, "/nonexistent-crmkit/sar"); }},
      {"subject_export_csv: missing customer", CRMKIT_ENOTFOUND, [](Env& e) { char* s = nullptr; return json_out(crmkit_subject_export_csv(&s, e.db, kMax, "/nonexistent-crmkit/sar"), s); }},
      {"subject_export_csv: a directory not empty", CRMKIT_ECONFLICT, [](Env& e) { char* s = nullptr; return json_out(crmkit_subject_export_csv(&s, e.db, e.customer, "/"), s); }},
      {"subject_export_csv: parent missing", CRMKIT_EIO, [](Env& e) { char* s = nullptr; return json_out(crmkit_subject_export_csv(&s, e.db, e.customer, "/nonexistent-crmkit/sar"), s); }},
      {"subject_export_json: reads only", CRMKIT_OK, [](Env& e) { char* s = nullptr; const int rc = crmkit_subject_export_json(&s, e.db, e.customer); return json_out(rc, s); }},
      {"audit_list_json: actor SQL", CRMKIT_OK, [](Env& e) { char* s = nullptr; const int rc = crmkit_audit_list_json(&s, e.db, nullptr, 0, kSql, nullptr, nullptr, 0, 10); return json_out(rc, s); }},
  };
  const int tried = run_table(e, audit_cases);
  std::printf("hostile C API (audit trail): %d cases\n", tried);
}

// ---- issue #16: erasure ------------------------------------------------------------------
TEST_CASE("hostile input to erasure: exact status, nothing changed", "[hostile][erasure]") {
  Env e;
  static std::int64_t gone;
  gone = e.make_customer("gone");
  std::int64_t point = 0;
  REQUIRE(crmkit_contact_add(&point, e.db, gone, "email", "gone.person@example.com", nullptr, 1, kT) == CRMKIT_OK);
  char* report = nullptr;
  REQUIRE(crmkit_customer_erase_json(&report, e.db, gone, kT + 1, 0) == CRMKIT_OK);
  crmkit_free(report);
  const std::vector<Case> erasure_cases = {
      {"customer_erase_json: NULL out", CRMKIT_EINVALID, [](Env& e) { return crmkit_customer_erase_json(nullptr, e.db, e.customer, kT, 0); }},
      {"customer_erase_json: NULL db", CRMKIT_EINVALID, [](Env&) { char* s = nullptr; return json_out(crmkit_customer_erase_json(&s, nullptr, 1, kT, 0), s); }},
      {"customer_erase_json: id 0", CRMKIT_EINVALID, [](Env& e) { char* s = nullptr; return json_out(crmkit_customer_erase_json(&s, e.db, 0, kT, 0), s); }},
      {"customer_erase_json: id -1", CRMKIT_EINVALID, [](Env& e) { char* s = nullptr; return json_out(crmkit_customer_erase_json(&s, e.db, -1, kT, 0), s); }},
      {"customer_erase_json: id INT64_MIN", CRMKIT_EINVALID, [](Env& e) { char* s = nullptr; return json_out(crmkit_customer_erase_json(&s, e.db, kMin, kT, 1), s); }},
      {"customer_erase_json: missing id", CRMKIT_ENOTFOUND, [](Env& e) { char* s = nullptr; return json_out(crmkit_customer_erase_json(&s, e.db, kMax, kT, 1), s); }},
      {"customer_erase_json: at INT64_MAX", CRMKIT_EINVALID, [](Env& e) { char* s = nullptr; return json_out(crmkit_customer_erase_json(&s, e.db, e.customer, kMax, 0), s); }},
      {"customer_erase_json: twice", CRMKIT_ECONFLICT, [](Env& e) { char* s = nullptr; return json_out(crmkit_customer_erase_json(&s, e.db, gone, kT + 2, 1), s); }},
      {"customer_update: erased customer", CRMKIT_ECONFLICT, [](Env& e) {
         crmkit_customer* c; crmkit_customer_new(&c); crmkit_customer_set_text(c, "city", "Anywhere");
         const int rc = crmkit_customer_update(e.db, gone, c, kT + 2); crmkit_customer_free(c); return rc; }},
      {"contact_add: to an erased customer", CRMKIT_ECONFLICT, [](Env& e) { std::int64_t id; return crmkit_contact_add(&id, e.db, gone, "url", "https://example.com/x", nullptr, 0, kT + 2); }},
      {"contact_add: an erased email, in another case", CRMKIT_ECONFLICT, [](Env& e) { std::int64_t id; return crmkit_contact_add(&id, e.db, e.other, "email", "Gone.Person@EXAMPLE.com", nullptr, 0, kT + 2); }},
      {"customer_create: an erased email", CRMKIT_ECONFLICT, [](Env& e) {
         crmkit_customer* c; crmkit_customer_new(&c); crmkit_customer_set_text(c, "email", "gone.person@example.com");
         crmkit_customer_set_created_at(c, kT + 2); std::int64_t id;
         const int rc = crmkit_customer_create(&id, e.db, c); crmkit_customer_free(c); return rc; }},
  };
  const int tried = run_table(e, erasure_cases);
  std::printf("hostile C API (erasure): %d cases\n", tried);
}

// ---- issue #16: consent ledger and suppression list ----------------------------------------
TEST_CASE("hostile input to consent and suppression: exact status, nothing changed", "[hostile][consent]") {
  Env e;
  static std::int64_t point, others_point;
  std::int64_t id = 0;
  REQUIRE(crmkit_contact_add(&id, e.db, e.customer, "email", "consenting@example.com", nullptr, 0, kT) == CRMKIT_OK);
  point = id;
  REQUIRE(crmkit_contact_add(&id, e.db, e.other, "email", "other@example.com", nullptr, 0, kT) == CRMKIT_OK);
  others_point = id;
  char* row = nullptr;
  REQUIRE(crmkit_suppression_add_json(&row, e.db, "email", "erased@example.com", "erased", kT) == CRMKIT_OK);
  crmkit_free(row);
  // A valid event but for the one argument each case spoils.
  struct Event {
    std::int64_t customer = 0;
    const std::int64_t* point = nullptr;
    const char* channel = "email";
    const char* purpose = "marketing";
    const char* basis = "consent";
    const char* action = "grant";
    const char* source = "hostile";
    const char* form = nullptr;
    const char* user_agent = nullptr;
    std::int64_t at = kT;
    const std::int64_t* expires = nullptr;
  };
  auto record = [](Event ev) {
    return [=](Env& e) {
      std::int64_t out = 0;
      return crmkit_consent_record(&out, e.db, ev.customer ? ev.customer : e.customer, ev.point, ev.channel,
                                   ev.purpose, ev.basis, ev.action, ev.source, ev.form, nullptr, nullptr,
                                   ev.user_agent, ev.at, ev.expires);
    };
  };
  auto with = [](auto change) {
    Event ev;
    change(ev);
    return ev;
  };
  static const std::int64_t at_itself = kT, missing_point = kMax, out_of_range = kMax;
  const std::string long_text(1001, 'x');
  static std::string long_agent;
  long_agent = long_text;
  const std::vector<Case> consent_cases = {
      {"consent_record: NULL out", CRMKIT_EINVALID, [](Env& e) { return crmkit_consent_record(nullptr, e.db, e.customer, nullptr, "email", "marketing", "consent", "grant", "x", nullptr, nullptr, nullptr, nullptr, kT, nullptr); }},
      {"consent_record: NULL db", CRMKIT_EINVALID, [](Env& e) { std::int64_t o; return crmkit_consent_record(&o, nullptr, e.customer, nullptr, "email", "marketing", "consent", "grant", "x", nullptr, nullptr, nullptr, nullptr, kT, nullptr); }},
      {"consent_record: missing customer", CRMKIT_ENOTFOUND, record(with([](Event& v) { v.customer = kMin; }))},
      {"consent_record: NULL channel", CRMKIT_EINVALID, record(with([](Event& v) { v.channel = nullptr; }))},
      {"consent_record: channel in upper case", CRMKIT_EINVALID, record(with([](Event& v) { v.channel = "EMAIL"; }))},
      {"consent_record: channel SQL", CRMKIT_EINVALID, record(with([](Event& v) { v.channel = kSql; }))},
      {"consent_record: unregistered purpose", CRMKIT_EINVALID, record(with([](Event& v) { v.purpose = "newsletter"; }))},
      {"consent_record: purpose SQL", CRMKIT_EINVALID, record(with([](Event& v) { v.purpose = kSql; }))},
      {"consent_record: purpose invalid UTF-8", CRMKIT_EINVALID, record(with([](Event& v) { v.purpose = "mark\xff"; }))},
      {"consent_record: NULL lawful basis", CRMKIT_EINVALID, record(with([](Event& v) { v.basis = nullptr; }))},
      {"consent_record: unknown lawful basis", CRMKIT_EINVALID, record(with([](Event& v) { v.basis = "whim"; }))},
      {"consent_record: unknown action", CRMKIT_EINVALID, record(with([](Event& v) { v.action = "maybe"; }))},
      {"consent_record: NULL source", CRMKIT_EINVALID, record(with([](Event& v) { v.source = nullptr; }))},
      {"consent_record: blank source", CRMKIT_EINVALID, record(with([](Event& v) { v.source = " \t"; }))},
      {"consent_record: empty evidence form", CRMKIT_EINVALID, record(with([](Event& v) { v.form = ""; }))},
      {"consent_record: user agent over 1000 bytes", CRMKIT_EINVALID, record(with([](Event& v) { v.user_agent = long_agent.c_str(); }))},
      {"consent_record: user agent control bytes", CRMKIT_EINVALID, record(with([](Event& v) { v.user_agent = "a\x1b[2Jb"; }))},
      {"consent_record: at INT64_MAX", CRMKIT_EINVALID, record(with([](Event& v) { v.at = kMax; }))},
      {"consent_record: at INT64_MIN", CRMKIT_EINVALID, record(with([](Event& v) { v.at = kMin; }))},
      {"consent_record: expires_at = at", CRMKIT_EINVALID, record(with([](Event& v) { v.expires = &at_itself; }))},
      {"consent_record: expires_at out of range", CRMKIT_EINVALID, record(with([](Event& v) { v.expires = &out_of_range; }))},
      {"consent_record: expires_at on withdraw", CRMKIT_EINVALID, record(with([](Event& v) { v.action = "withdraw"; v.expires = &out_of_range; }))},
      {"consent_record: missing contact point", CRMKIT_ENOTFOUND, record(with([](Event& v) { v.point = &missing_point; }))},
      {"consent_record: another customer's point", CRMKIT_EINVALID, record(with([](Event& v) { v.point = &others_point; }))},
      {"consent_record: an email point on sms", CRMKIT_EINVALID, record(with([](Event& v) { v.point = &point; v.channel = "sms"; }))},
      {"consent_record: a point on all", CRMKIT_EINVALID, record(with([](Event& v) { v.point = &point; v.channel = "all"; }))},
      {"consent_record: confirm with nothing pending", CRMKIT_ECONFLICT, record(with([](Event& v) { v.action = "confirm"; }))},
      {"consent_get_json: missing", CRMKIT_ENOTFOUND, [](Env& e) { char* s = nullptr; return json_out(crmkit_consent_get_json(&s, e.db, kMax), s); }},
      {"consent_get_json: NULL out", CRMKIT_EINVALID, [](Env& e) { return crmkit_consent_get_json(nullptr, e.db, 1); }},
      {"consent_events_json: missing customer", CRMKIT_ENOTFOUND, [](Env& e) { char* s = nullptr; return json_out(crmkit_consent_events_json(&s, e.db, -1), s); }},
      {"consent_state_json: channel all", CRMKIT_EINVALID, [](Env& e) { char* s = nullptr; return json_out(crmkit_consent_state_json(&s, e.db, e.customer, "all", "marketing", kT), s); }},
      {"consent_state_json: unregistered purpose", CRMKIT_EINVALID, [](Env& e) { char* s = nullptr; return json_out(crmkit_consent_state_json(&s, e.db, e.customer, "email", "x", kT), s); }},
      {"consent_state_json: NULL purpose", CRMKIT_EINVALID, [](Env& e) { char* s = nullptr; return json_out(crmkit_consent_state_json(&s, e.db, e.customer, "email", nullptr, kT), s); }},
      {"consent_state_json: as_of INT64_MAX", CRMKIT_EINVALID, [](Env& e) { char* s = nullptr; return json_out(crmkit_consent_state_json(&s, e.db, e.customer, "email", "marketing", kMax), s); }},
      {"consent_states_json: missing customer", CRMKIT_ENOTFOUND, [](Env& e) { char* s = nullptr; return json_out(crmkit_consent_states_json(&s, e.db, kMax, kT), s); }},
      {"consent_add_purpose: capitals", CRMKIT_EINVALID, [](Env& e) { return crmkit_consent_add_purpose(e.db, "News", nullptr, kT); }},
      {"consent_add_purpose: SQL", CRMKIT_EINVALID, [](Env& e) { return crmkit_consent_add_purpose(e.db, kSql, nullptr, kT); }},
      {"consent_add_purpose: 65 characters", CRMKIT_EINVALID, [](Env& e) { return crmkit_consent_add_purpose(e.db, std::string(65, 'a').c_str(), nullptr, kT); }},
      {"consent_add_purpose: NULL name", CRMKIT_EINVALID, [](Env& e) { return crmkit_consent_add_purpose(e.db, nullptr, nullptr, kT); }},
      {"consent_add_purpose: blank description", CRMKIT_EINVALID, [](Env& e) { return crmkit_consent_add_purpose(e.db, "news", " ", kT); }},
      {"consent_add_purpose: built-in with another description", CRMKIT_ECONFLICT, [](Env& e) { return crmkit_consent_add_purpose(e.db, "marketing", "mine", kT); }},
      {"consent_add_purpose: at INT64_MIN", CRMKIT_EINVALID, [](Env& e) { return crmkit_consent_add_purpose(e.db, "news", nullptr, kMin); }},
      {"consent_double_opt_in_ttl: NULL out", CRMKIT_EINVALID, [](Env& e) { return crmkit_consent_double_opt_in_ttl(nullptr, e.db); }},
      {"consent_set_double_opt_in_ttl: 0", CRMKIT_EINVALID, [](Env& e) { return crmkit_consent_set_double_opt_in_ttl(e.db, 0); }},
      {"consent_set_double_opt_in_ttl: negative", CRMKIT_EINVALID, [](Env& e) { return crmkit_consent_set_double_opt_in_ttl(e.db, kMin); }},
      {"consent_set_double_opt_in_ttl: INT64_MAX", CRMKIT_EINVALID, [](Env& e) { return crmkit_consent_set_double_opt_in_ttl(e.db, kMax); }},
      {"suppression_add_json: address", CRMKIT_EINVALID, [](Env& e) { char* s = nullptr; return json_out(crmkit_suppression_add_json(&s, e.db, "address", "1 Main St", "manual", kT), s); }},
      {"suppression_add_json: not an email", CRMKIT_EINVALID, [](Env& e) { char* s = nullptr; return json_out(crmkit_suppression_add_json(&s, e.db, "email", kSql, "manual", kT), s); }},
      {"suppression_add_json: phone letters", CRMKIT_EINVALID, [](Env& e) { char* s = nullptr; return json_out(crmkit_suppression_add_json(&s, e.db, "phone", "1-800-FLOWERS", "manual", kT), s); }},
      {"suppression_add_json: unknown reason", CRMKIT_EINVALID, [](Env& e) { char* s = nullptr; return json_out(crmkit_suppression_add_json(&s, e.db, "email", "a@b.co", "spite", kT), s); }},
      {"suppression_add_json: NULL value", CRMKIT_EINVALID, [](Env& e) { char* s = nullptr; return json_out(crmkit_suppression_add_json(&s, e.db, "email", nullptr, "manual", kT), s); }},
      {"suppression_add_json: at INT64_MAX", CRMKIT_EINVALID, [](Env& e) { char* s = nullptr; return json_out(crmkit_suppression_add_json(&s, e.db, "email", "a@b.co", "manual", kMax), s); }},
      {"suppression_check: NULL out", CRMKIT_EINVALID, [](Env& e) { return crmkit_suppression_check(nullptr, e.db, "email", "a@b.co"); }},
      {"suppression_check: NULL type", CRMKIT_EINVALID, [](Env& e) { int o; return crmkit_suppression_check(&o, e.db, nullptr, "a@b.co"); }},
      {"suppression_find_json: invalid UTF-8", CRMKIT_EINVALID, [](Env& e) { char* s = nullptr; return json_out(crmkit_suppression_find_json(&s, e.db, "email", "a@b\xff.co"), s); }},
      {"suppression_remove: not suppressed", CRMKIT_ENOTFOUND, [](Env& e) { return crmkit_suppression_remove(e.db, "email", "never@example.com"); }},
      {"suppression_remove: erased stays", CRMKIT_ECONFLICT, [](Env& e) { return crmkit_suppression_remove(e.db, "email", "ERASED@example.com"); }},
      {"contact_add: a suppressed email", CRMKIT_ECONFLICT, [](Env& e) { std::int64_t o; return crmkit_contact_add(&o, e.db, e.customer, "email", "erased@EXAMPLE.com", nullptr, 0, kT); }},
  };
  const int tried = run_table(e, consent_cases);
  std::printf("hostile C API (consent and suppression): %d cases\n", tried);
}

// ---- issue #16: merging customers ----------------------------------------------------------
TEST_CASE("hostile input to merge: exact status, nothing changed", "[hostile][merge]") {
  Env e;
  static std::string pair;
  pair = "{\"survivor\": " + std::to_string(e.customer) + ", \"absorbed\": [" + std::to_string(e.other) + "]";
  auto merge = [](const std::string& request) {
    return [=](Env& e) { char* s = nullptr; const int rc = crmkit_merge_json(&s, e.db, request.c_str(), kT); return json_out(rc, s); };
  };
  const std::string self = "{\"survivor\": 1, \"absorbed\": [1]}";
  const std::vector<Case> merge_cases = {
      {"merge_json: NULL out", CRMKIT_EINVALID, [](Env& e) { return crmkit_merge_json(nullptr, e.db, pair.c_str(), kT); }},
      {"merge_json: NULL db", CRMKIT_EINVALID, [](Env&) { char* s = nullptr; const int rc = crmkit_merge_json(&s, nullptr, pair.c_str(), kT); return json_out(rc, s); }},
      {"merge_json: NULL request", CRMKIT_EINVALID, [](Env& e) { char* s = nullptr; const int rc = crmkit_merge_json(&s, e.db, nullptr, kT); return json_out(rc, s); }},
      {"merge_json: not JSON", CRMKIT_EINVALID, merge("merge!")},
      {"merge_json: an array", CRMKIT_EINVALID, merge("[1, 2]")},
      {"merge_json: no survivor", CRMKIT_EINVALID, merge("{\"absorbed\": [2]}")},
      {"merge_json: absorbed not an array", CRMKIT_EINVALID, merge("{\"survivor\": 1, \"absorbed\": 2}")},
      {"merge_json: unknown key", CRMKIT_EINVALID, merge(pair + ", \"dry\": true}")},
      {"merge_json: into itself", CRMKIT_EINVALID, merge(self)},
      {"merge_json: absorbed twice", CRMKIT_EINVALID, merge(pair.substr(0, pair.size() - 1) + ", " + pair.substr(pair.rfind('[') + 1) + "}")},
      {"merge_json: no absorbed", CRMKIT_EINVALID, merge("{\"survivor\": 1, \"absorbed\": []}")},
      {"merge_json: eleven records", CRMKIT_EINVALID, merge("{\"survivor\": 1, \"absorbed\": [2,3,4,5,6,7,8,9,10,11]}")},
      {"merge_json: id above INT64_MAX", CRMKIT_EINVALID, merge("{\"survivor\": 1, \"absorbed\": [9223372036854775808]}")},
      {"merge_json: id 1.5", CRMKIT_EINVALID, merge("{\"survivor\": 1, \"absorbed\": [1.5]}")},
      {"merge_json: missing record", CRMKIT_ENOTFOUND, merge("{\"survivor\": 1, \"absorbed\": [9223372036854775807]}")},
      {"merge_json: unknown field choice", CRMKIT_EINVALID, merge(pair + ", \"field_choices\": {\"x'); DROP TABLE customers; --\": 1}}")},
      {"merge_json: choice from outside", CRMKIT_EINVALID, merge(pair + ", \"field_choices\": {\"city\": 42}}")},
      {"merge_json: too deep", CRMKIT_EINVALID, merge(json_of_depth(100000))},
      {"merge_json: at INT64_MAX", CRMKIT_EINVALID, [](Env& e) { char* s = nullptr; const int rc = crmkit_merge_json(&s, e.db, (pair + "}").c_str(), kMax); return json_out(rc, s); }},
      {"merge_plan_json: reads only", CRMKIT_OK, [](Env& e) { char* s = nullptr; const int rc = crmkit_merge_plan_json(&s, e.db, (pair + "}").c_str(), kT); return json_out(rc, s); }},
      {"merge_undo_json: missing", CRMKIT_ENOTFOUND, [](Env& e) { char* s = nullptr; const int rc = crmkit_merge_undo_json(&s, e.db, 42, kT, 0); return json_out(rc, s); }},
      {"merge_undo_json: force 2", CRMKIT_EINVALID, [](Env& e) { char* s = nullptr; const int rc = crmkit_merge_undo_json(&s, e.db, 1, kT, 2); return json_out(rc, s); }},
      {"merge_get_json: missing", CRMKIT_ENOTFOUND, [](Env& e) { char* s = nullptr; const int rc = crmkit_merge_get_json(&s, e.db, kMin); return json_out(rc, s); }},
      {"merge_list_json: none", CRMKIT_OK, [](Env& e) { char* s = nullptr; const int rc = crmkit_merge_list_json(&s, e.db, e.customer); return json_out(rc, s); }},
  };
  const int tried = run_table(e, merge_cases);
  std::printf("hostile C API (merge): %d cases\n", tried);
}
