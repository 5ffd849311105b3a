// A small store for the loyalty tests: customers and interactions written with plain SQL (the
// core services are another area's and are tested there), plus the other areas' tables the
// loyalty metrics read, created only when absent.
#pragma once

#include <SQLiteCpp/Database.h>
#include <SQLiteCpp/Statement.h>

#include <cstdint>
#include <string>

#include "crmkit/store.hpp"
#include "crmkit/time.hpp"
#include "store/connection.hpp"

struct LoyaltyStore {
  crmkit::Store store = crmkit::Store::open(":memory:");
  SQLite::Database& db() { return crmkit::detail::connection_of(store).db; }

  std::int64_t customer(const std::string& external_id) {
    SQLite::Statement q(db(), "INSERT INTO customers(external_id, created_at, updated_at) VALUES (?, 0, 0)");
    q.bind(1, external_id);
    q.exec();
    return db().getLastInsertRowid();
  }
  // amount in minor units; kind purchase/refund carry a currency.
  std::int64_t interaction(std::int64_t customer, crmkit::Instant at, const std::string& kind,
                           std::int64_t amount = 0, const std::string& currency = "USD",
                           const std::string& channel = "web") {
    bool money = kind == "purchase" || kind == "refund";
    SQLite::Statement q(db(), "INSERT INTO interactions(customer_id, occurred_at, channel, kind, amount, currency) "
                              "VALUES (?, ?, ?, ?, ?, ?)");
    q.bind(1, static_cast<std::int64_t>(customer));
    q.bind(2, static_cast<std::int64_t>(at));
    q.bind(3, channel);
    q.bind(4, kind);
    if (money) {
      q.bind(5, static_cast<std::int64_t>(amount));
      q.bind(6, currency);
    }
    q.exec();
    return db().getLastInsertRowid();
  }
  std::int64_t count(const char* table) {
    return db().execAndGet(std::string("SELECT count(*) FROM ") + table).getInt64();
  }
};

inline crmkit::Instant day(int y, int m, int d, int hour = 12) {
  return crmkit::start_of_day(crmkit::day_from_civil({y, m, d})) + hour * 3'600'000LL;
}
