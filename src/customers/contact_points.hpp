// Contact points inside the customer area's own writes: Customers' create, upsert and update
// keep the primary email and phone as contact points (crmkit/contact_point.hpp).
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "crmkit/contact_point.hpp"
#include "store/connection.hpp"

namespace crmkit::detail {

// The reading of a value that is already canonical (a customer's normalised email or phone),
// without parsing it again.
ContactValue reading_of_normalized(ContactType type, const std::string& normalized);

// The customer's primary contact point of `type` becomes `value` (the host's text and its
// reading), or is deleted when `value` is std::nullopt. The customer row's own column is the
// caller's to write. Replacing keeps the row (id, label) unless another of the customer's
// points of that type already has the new key: that one becomes primary and the old primary
// goes, so a key is never held twice.
struct GivenContact {
  std::string raw;
  ContactValue read;
};
void replace_primary_contact(Connection& conn, std::int64_t customer_id, ContactType type,
                             const std::optional<GivenContact>& value, Instant at);

// Audits the deletion of every contact point of the customer ("deleted", old = the point's
// record), for a customer about to be deleted: the rows go by the foreign key's cascade, which
// no audit entry would otherwise follow. Nothing when the store's audit trail is off.
void audit_contacts_deleted(Connection& conn, std::int64_t customer_id, Instant at);

}  // namespace crmkit::detail
