// Lifecycle stages that follow the facts (internal): the ingest hook. The public part is in
// crmkit/customer.hpp (Customers::update_lifecycle and the churn rule).
#pragma once

#include <cstdint>
#include <vector>

namespace crmkit::detail {

struct Connection;

// In the recording transaction: every customer with a newly recorded purchase (`purchasers`,
// as the ingest hook in src/ingest/followers.cpp lists them) who is a lead, prospect or
// churned, and whose stage the host did not set, becomes a customer.
void stages_follow_purchases(Connection& conn, const std::vector<std::int64_t>& purchasers);

}  // namespace crmkit::detail
