-- 0016: the audit trail (crmkit/audit.hpp; docs/IDENTITY.md "Audit trail"). One row per
-- changed field, appended in the transaction of the change. No foreign key: an entry outlives
-- the record it describes (a deletion is a change too). Values are JSON text in the exact form;
-- NULL where there was none. redacted = 1 once erasure has replaced the values. hash: once
-- the store's trail is chained (store setting audit_chain), HMAC-SHA-256 keyed by the previous
-- chained entry's hash over this entry's fields (crmkit/audit.hpp).
CREATE TABLE audit_entries (
  id         INTEGER PRIMARY KEY,
  entity     TEXT NOT NULL CHECK (entity = 'customer' OR entity = 'contact_point'),
  entity_id  INTEGER NOT NULL,
  field      TEXT NOT NULL CHECK (length(field) >= 1),
  old_value  TEXT CHECK (old_value IS NULL OR json_valid(old_value)),
  new_value  TEXT CHECK (new_value IS NULL OR json_valid(new_value)),
  actor      TEXT CHECK (actor IS NULL OR length(actor) >= 1),
  reason     TEXT CHECK (reason IS NULL OR length(reason) >= 1),
  request_id TEXT CHECK (request_id IS NULL OR length(request_id) >= 1),
  at         INTEGER NOT NULL,
  hash       TEXT CHECK (hash IS NULL OR length(hash) = 64),
  redacted   INTEGER NOT NULL DEFAULT 0 CHECK (redacted = 0 OR redacted = 1)
) STRICT;
CREATE INDEX audit_by_entity ON audit_entries(entity, entity_id, id);
CREATE INDEX audit_by_actor ON audit_entries(actor, id) WHERE actor IS NOT NULL;
CREATE INDEX audit_by_time ON audit_entries(at, id);
