// A private in-memory store whose customers and segment memberships are written with plain SQL,
// so that the tests built on it (loyalty, points) depend only on the core tables.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "crmkit/store.hpp"
#include "crmkit/time.hpp"
#include "store/connection.hpp"
#include "test_store.hpp"

struct SqlSeededStore {
  crmkit::Store store = test_store();
  crmkit::detail::Database& db() { return crmkit::detail::connection_of(store).db; }

  std::int64_t customer(const std::string& external_id) {
    auto q = db().statement("INSERT INTO customers(external_id, created_at, updated_at) VALUES (?, 0, 0) RETURNING id");
    q->bind(1, external_id);
    q->executeStep();
    return q->getColumn(0).getInt64();
  }
  // Customer `cust` a manual member of segment `seg` from `in`, until `out` when given.
  void segment_member(int seg, std::int64_t cust, crmkit::Instant in, std::optional<crmkit::Instant> out) {
    auto m = db().statement("INSERT INTO segment_membership(segment_id, customer_id, entered_at, left_at, source) "
                            "VALUES (?, ?, ?, ?, 'manual')");
    m->bind(1, seg);
    m->bind(2, static_cast<std::int64_t>(cust));
    m->bind(3, static_cast<std::int64_t>(in));
    if (out) m->bind(4, static_cast<std::int64_t>(*out)); else m->bind(4);
    m->exec();
  }
};
