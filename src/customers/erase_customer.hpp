// The customer area's part of erasure (crmkit/erasure.hpp): the customer row pseudonymised by
// the field table's `personal` marks, its contact points deleted, its emails and phones
// suppressed. The identity area (src/identity/erasure.cpp) walks the other tables.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "crmkit/contact_point.hpp"
#include "crmkit/customer.hpp"
#include "store/connection.hpp"

namespace crmkit::detail {

struct ErasedContact {
  std::int64_t id = 0;
  ContactType type = ContactType::email;
  std::string value, normalized, match_key;
  std::optional<std::string> label;
};

struct ErasedCustomer {
  Customer before;                    // as it was: the values erasure searches for afterwards
  std::vector<ErasedContact> points;  // deleted
  std::string pseudonym;              // "ERASED:<id>"
  std::int64_t suppressed = 0;        // emails and phones put on the list
};

// In the caller's transaction. not_found for a missing customer, conflict when already erased.
// Writes no audit entry (the caller records the erasure once the trail is redacted).
ErasedCustomer erase_customer_record(Connection& conn, std::int64_t id, Instant at);

// Whether erasure clears or pseudonymises the customer field `name` (the field table's mark).
bool is_personal_customer_field(std::string_view name);

}  // namespace crmkit::detail
