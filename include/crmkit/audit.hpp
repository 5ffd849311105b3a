// crmkit/audit.hpp: the audit trail. Every change to a customer's fields and to its contact
// points appends an entry (entity, id, field, old and new value, actor, reason, request id,
// time) in the same transaction as the change, so an entry exists exactly when the change does.
// Actor, reason and request id come from the Store's AuditContext (crmkit/store.hpp). Entries
// are never changed by the API except by erasure (crmkit/erasure.hpp), which replaces the erased
// person's values with kAuditRedactionMarker.
// docs/IDENTITY.md "Audit trail".
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "crmkit/json_form.hpp"
#include "crmkit/store.hpp"
#include "crmkit/time.hpp"

namespace crmkit {

// What an erased value reads as in an entry (JSON text: the string "[redacted]").
inline constexpr const char* kAuditRedactionMarker = "\"[redacted]\"";

enum class AuditEntity { customer, contact_point };
const char* to_string(AuditEntity e) noexcept;  // "customer", "contact_point"
AuditEntity parse_audit_entity(const std::string& text, const char* field = "entity");

// One change. `field` is a customer field's name (crmkit::customer_fields()) or a contact
// point's ("value", "label", "primary", "verified_at", "invalid_since", "bounce_count"), or
// "created" / "deleted" for the whole record (then the value is the record's JSON). Values are
// JSON text in the exact form (epoch ms, minor units): "\"ana@example.com\"", "42", "true";
// std::nullopt where there was no value.
struct AuditEntry {
  std::int64_t id = 0;
  AuditEntity entity = AuditEntity::customer;
  std::int64_t entity_id = 0;
  std::string field;
  std::optional<std::string> old_value;
  std::optional<std::string> new_value;
  std::optional<std::string> actor, reason, request_id;
  Instant at = 0;
  bool redacted = false;  // erasure replaced the values with kAuditRedactionMarker
};

// {"id", "entity", "entity_id", "field", "old", "new" (the values as JSON, null when none),
//  "actor", "reason", "request_id", "at", "redacted"}
std::string to_json(const AuditEntry& entry, JsonForm form = JsonForm::readable);

// Which entries to list; each filter given narrows the list. Ordered by id (the order of the
// changes), keyset-paginated like customer lists.
struct AuditQuery {
  std::optional<AuditEntity> entity;
  std::optional<std::int64_t> entity_id;  // needs entity
  std::optional<std::string> actor;
  std::optional<Instant> from;  // at >= from
  std::optional<Instant> to;    // at < to
};

struct AuditPage {
  std::vector<AuditEntry> entries;
  std::int64_t next_after = 0;  // pass as `after` to continue; 0 when the listing is complete
};
// {"entries": [...], "next_after"}
std::string to_json(const AuditPage& page, JsonForm form = JsonForm::readable);

// What verify() found: the chained entries it checked, and the first whose hash does not follow
// from its fields and the entry before it (0 when none): a changed, removed or reordered entry.
struct AuditVerification {
  bool chained = false;            // the trail is chained (start_chain was called)
  std::int64_t checked = 0;        // chained entries whose hash was recomputed
  std::int64_t first_broken = 0;   // the first entry that breaks the chain; 0: intact
  std::string reason;              // why it breaks, for people ("the hash does not match ...")
};
// {"chained", "checked", "first_broken", "reason"}
std::string to_json(const AuditVerification& v);

class AuditTrail {
 public:
  explicit AuditTrail(Store& store) : store_(store) {}
  // invalid_argument: entity_id without entity, limit outside 1..10000, negative after, bad times.
  AuditPage list(const AuditQuery& query = {}, std::int64_t after = 0, int limit = 100);

  // Hash chaining, optional: from start_chain() on, every entry carries HMAC-SHA-256 keyed by
  // the previous chained entry's hash over its own fields, so editing, deleting or reordering a
  // past entry breaks every hash after it. The old and new values enter as their digests
  // (HMAC-SHA-256 under the store's salt), which an entry redacted by erasure keeps: the chain
  // verifies across an erasure, and a changed value or digest breaks it all the same. verify() recomputes the chain. Removing the newest
  // entries is not detected by the chain alone: keep the last hash elsewhere to detect that.
  void start_chain();
  AuditVerification verify();

 private:
  Store store_;
};

}  // namespace crmkit
