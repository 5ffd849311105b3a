// Appending audit entries (crmkit/audit.hpp), for the areas whose changes are audited. Each
// call writes in the caller's transaction, with the connection's AuditContext.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "crmkit/audit.hpp"
#include "store/connection.hpp"

namespace crmkit::detail {

// One changed field; values are JSON text (std::nullopt: none). Nothing when the connection's
// audit trail is off (OpenOptions::audit_trail).
void record_change(Connection& conn, AuditEntity entity, std::int64_t id, const std::string& field,
                   const std::optional<std::string>& old_value, const std::optional<std::string>& new_value,
                   Instant at);

}  // namespace crmkit::detail
