// Appending audit entries (crmkit/audit.hpp), for the areas whose changes are audited. Each
// call writes in the caller's transaction, with the connection's AuditContext.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "crmkit/audit.hpp"
#include "store/connection.hpp"

namespace crmkit::detail {

// One changed field; values are JSON text (std::nullopt: none). Nothing when the connection's
// audit trail is off (OpenOptions::audit_trail).
void record_change(Connection& conn, AuditEntity entity, std::int64_t id, const std::string& field,
                   const std::optional<std::string>& old_value, const std::optional<std::string>& new_value,
                   Instant at);

// Erasure (crmkit/erasure.hpp): every entry of (entity, id) not yet redacted gets the marker
// kAuditRedactionMarker for each value it had and redacted = 1; a chained entry keeps its
// values' keyed digests, which its hash covers, so verify() still passes. Returns the entries
// redacted.
std::int64_t redact_audit_entries(Connection& conn, AuditEntity entity, std::int64_t id);

// The contact points whose "created" or "deleted" entry names the customer: also those deleted
// before, whose rows are gone.
std::vector<std::int64_t> audited_contact_points_of(Connection& conn, std::int64_t customer_id);

// Migration 0019's step: a chain hashed over values (schema 16 to 18) is re-hashed over the
// values' digests, entry by entry while it verifies; from the first entry that does not, the
// hashes are left as they are, so the same entry is reported broken.
void rehash_audit_chain(Connection& conn);

}  // namespace crmkit::detail
