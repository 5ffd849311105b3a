// A small store for the loyalty tests: customers written with plain SQL, interactions recorded
// through the service (the metrics read the figures it keeps), plus the other areas' tables the
// loyalty metrics read, created only when absent.
#pragma once

#include <SQLiteCpp/Database.h>
#include <SQLiteCpp/Statement.h>

#include <cstdint>
#include <string>

#include "crmkit/interaction.hpp"
#include "crmkit/store.hpp"
#include "crmkit/time.hpp"
#include "sql_store.hpp"
#include "store/connection.hpp"

struct LoyaltyStore : SqlSeededStore {
  // amount in minor units; kind purchase/refund carry a currency. Recorded through the service,
  // so that the kept per-customer figures the metrics read stay current.
  std::int64_t interaction(std::int64_t customer, crmkit::Instant at, const std::string& kind,
                           std::int64_t amount = 0, const std::string& currency = "USD",
                           const std::string& channel = "web") {
    crmkit::Interaction i;
    i.customer_id = customer;
    i.occurred_at = at;
    i.kind = crmkit::parse_interaction_kind(kind);
    i.channel = crmkit::parse_channel(channel);
    if (kind == "purchase" || kind == "refund") i.amount = crmkit::Money{amount, currency};
    return crmkit::Interactions(store).record(i);
  }
  std::int64_t count(const char* table) {
    return db().execAndGet(std::string("SELECT count(*) FROM ") + table).getInt64();
  }
};

inline crmkit::Instant day(int y, int m, int d, int hour = 12) {
  return crmkit::start_of_day(crmkit::day_from_civil({y, m, d})) + hour * 3'600'000LL;
}
