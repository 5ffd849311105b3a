// Lifecycle stages that follow the facts (internal): the ingest hook. The public part is in
// crmkit/customer.hpp (Customers::update_lifecycle and the churn rule).
#pragma once

#include <cstdint>
#include <vector>

#include "crmkit/time.hpp"

namespace crmkit::detail {

struct Connection;

// A customer with a newly recorded purchase, and that purchase's time.
struct Purchaser {
  std::int64_t customer_id = 0;
  Instant at = 0;
};

// In the recording transaction: every customer with a newly recorded purchase (`purchasers`,
// as the ingest hook in src/ingest/followers.cpp lists them) who is a lead, prospect or
// churned, and whose stage the host did not set, becomes a customer. The move is audited at
// the purchase's time (the fact that caused it).
void stages_follow_purchases(Connection& conn, const std::vector<Purchaser>& purchasers);

}  // namespace crmkit::detail
