// Every C iterator driven through the same steps (docs/C_API.md, "Iterators"): one constructor
// verb, _next giving OK then DONE ever after, and getters that give 0 / NULL without a current
// row (NULL iterator, before the first _next, after DONE). crmkit.h only.
#include <catch2/catch.hpp>

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "capi/test_db.hpp"
#include "core_fixture.hpp"
#include "crmkit.h"

namespace {

constexpr int64_t kT = 1'700'000'000'000;

// One iterator type behind void*, so that the steps below are written once.
struct IterCase {
  std::string name;
  std::function<int(void**, crmkit_db*)> make;  // the constructor; db may be NULL
  std::function<int(void*)> next;
  std::function<int64_t(const void*)> number;    // an integer getter
  std::function<const char*(const void*)> text;  // a text getter the rows all have
  std::function<void(void*)> release;
};

template <class It>
IterCase iter_case(std::string name, std::function<int(It**, crmkit_db*)> make, int (*next)(It*),
                   int64_t (*number)(const It*), const char* (*text)(const It*), void (*release)(It*)) {
  return {std::move(name),
          [make](void** out, crmkit_db* db) { return make(reinterpret_cast<It**>(out), db); },
          [next](void* it) { return next(static_cast<It*>(it)); },
          [number](const void* it) { return number(static_cast<const It*>(it)); },
          [text](const void* it) { return text(static_cast<const It*>(it)); },
          [release](void* it) { release(static_cast<It*>(it)); }};
}

// A store in which every iterator has exactly one row: one customer with one purchase, in a
// static segment, with an RFM assignment and an enrolment that earned points.
struct Store {
  crmkit_db* db = nullptr;
  int64_t customer = 0;
  int64_t programme = 0;

  Store() {
    REQUIRE(open_test_db(&db) == CRMKIT_OK);
    crmkit_customer* c = nullptr;
    REQUIRE(crmkit_customer_new(&c) == CRMKIT_OK);
    REQUIRE(crmkit_customer_set_text(c, "external_id", "ada") == CRMKIT_OK);
    REQUIRE(crmkit_customer_set_created_at(c, kT) == CRMKIT_OK);
    REQUIRE(crmkit_customer_create(&customer, db, c) == CRMKIT_OK);
    crmkit_customer_free(c);
    REQUIRE(crmkit_points_programme_create(
                &programme, db, "{\"name\": \"club\", \"currency\": \"USD\", \"created_at\": 1700000000000}") ==
            CRMKIT_OK);
    REQUIRE(crmkit_points_enroll(db, programme, customer, kT) == CRMKIT_OK);
    crmkit_interaction* rec = nullptr;
    REQUIRE(crmkit_interaction_new(&rec) == CRMKIT_OK);
    crmkit_interaction_set_customer_id(rec, customer);
    crmkit_interaction_set_occurred_at(rec, kT + 1000);
    crmkit_interaction_set_kind(rec, "purchase");
    crmkit_interaction_set_amount(rec, 2500, "USD");
    int64_t id = 0;
    REQUIRE(crmkit_interaction_record(&id, db, rec) == CRMKIT_OK);
    crmkit_interaction_free(rec);
    REQUIRE(crmkit_segment_create(nullptr, db, "vip", "static", nullptr, 0) == CRMKIT_OK);
    REQUIRE(crmkit_segment_add_customer(nullptr, db, "vip", customer, kT + 2000) == CRMKIT_OK);
  }
  ~Store() { crmkit_db_close(db); }
};

std::vector<IterCase> every_iterator(const Store& s) {
  const int64_t customer = s.customer, programme = s.programme;
  return {
      iter_case<crmkit_customer_iter>(
          "customers", [](crmkit_customer_iter** out, crmkit_db* db) { return crmkit_customer_iter_new(out, db, nullptr, 0); },
          crmkit_customer_iter_next, crmkit_customer_iter_id, crmkit_customer_iter_external_id,
          crmkit_customer_iter_free),
      iter_case<crmkit_interaction_iter>(
          "timeline",
          [customer](crmkit_interaction_iter** out, crmkit_db* db) {
            return crmkit_interaction_iter_new(out, db, customer, nullptr, nullptr, INT64_MIN, INT64_MAX);
          },
          crmkit_interaction_iter_next, crmkit_interaction_iter_id, crmkit_interaction_iter_kind,
          crmkit_interaction_iter_free),
      iter_case<crmkit_segment_iter>(
          "segment members",
          [](crmkit_segment_iter** out, crmkit_db* db) { return crmkit_segment_members_iter_new(out, db, "vip"); },
          crmkit_segment_iter_next, crmkit_segment_iter_customer_id, crmkit_segment_iter_segment_name,
          crmkit_segment_iter_free),
      iter_case<crmkit_segment_iter>(
          "segments of a customer",
          [customer](crmkit_segment_iter** out, crmkit_db* db) {
            return crmkit_segment_for_customer_iter_new(out, db, customer);
          },
          crmkit_segment_iter_next, crmkit_segment_iter_segment_id, crmkit_segment_iter_segment_name,
          crmkit_segment_iter_free),
      iter_case<crmkit_segment_iter>(
          "segment history",
          [](crmkit_segment_iter** out, crmkit_db* db) {
            return crmkit_segment_history_iter_new(out, db, "vip", INT64_MIN, INT64_MAX);
          },
          crmkit_segment_iter_next, crmkit_segment_iter_entered_at, crmkit_segment_iter_segment_name,
          crmkit_segment_iter_free),
      iter_case<crmkit_rfm_iter>(
          "RFM rows",
          [](crmkit_rfm_iter** out, crmkit_db* db) { return crmkit_rfm_iter_new(out, db, kT + 86'400'000, nullptr); },
          crmkit_rfm_iter_next, crmkit_rfm_iter_customer_id, crmkit_rfm_iter_segment, crmkit_rfm_iter_free),
      iter_case<crmkit_points_ledger_iter>(
          "points ledger",
          [programme, customer](crmkit_points_ledger_iter** out, crmkit_db* db) {
            return crmkit_points_ledger_iter_new(out, db, programme, customer);
          },
          crmkit_points_ledger_iter_next, crmkit_points_ledger_iter_points, crmkit_points_ledger_iter_kind,
          crmkit_points_ledger_iter_free),
  };
}

}  // namespace

TEST_CASE("every C iterator: one constructor verb, the same answers without a row", "[capi][iterators]") {
  Store s;
  for (const IterCase& c : every_iterator(s)) {
    SECTION(c.name) {
      // Constructors: a NULL database or out-parameter is EINVALID, and *out is NULL.
      void* it = reinterpret_cast<void*>(0x1);
      CHECK(c.make(&it, nullptr) == CRMKIT_EINVALID);
      CHECK(it == nullptr);
      CHECK(c.make(nullptr, s.db) == CRMKIT_EINVALID);

      // A NULL iterator.
      CHECK(c.next(nullptr) == CRMKIT_EINVALID);
      CHECK(c.number(nullptr) == 0);
      CHECK(c.text(nullptr) == nullptr);

      REQUIRE(c.make(&it, s.db) == CRMKIT_OK);
      REQUIRE(it != nullptr);
      // Before the first _next.
      CHECK(c.number(it) == 0);
      CHECK(c.text(it) == nullptr);
      // The one row.
      REQUIRE(c.next(it) == CRMKIT_OK);
      CHECK(c.number(it) != 0);
      REQUIRE(c.text(it) != nullptr);
      CHECK(std::string(c.text(it)).size() > 0);
      // After the last row, and ever after.
      CHECK(c.next(it) == CRMKIT_DONE);
      CHECK(c.number(it) == 0);
      CHECK(c.text(it) == nullptr);
      CHECK(c.next(it) == CRMKIT_DONE);
      CHECK(c.number(it) == 0);
      c.release(it);
      c.release(nullptr);  // destructors accept NULL
    }
  }
}

TEST_CASE("every C iterator outlives its database handle", "[capi][iterators]") {
  auto* s = new Store;
  std::vector<std::pair<IterCase, void*>> open;
  for (const IterCase& c : every_iterator(*s)) {
    void* it = nullptr;
    REQUIRE(c.make(&it, s->db) == CRMKIT_OK);
    open.emplace_back(c, it);
  }
  delete s;  // closes the database
  for (auto& [c, it] : open) {
    INFO(c.name);
    CHECK(c.next(it) == CRMKIT_OK);
    CHECK(c.number(it) != 0);
    CHECK(c.next(it) == CRMKIT_DONE);
    c.release(it);
  }
}
