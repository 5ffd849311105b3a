-- 0019: erasure (crmkit/erasure.hpp; docs/PRIVACY.md "Erasure") (PostgreSQL twin of
-- src/schema/0019_erasure.sql). erased_at marks a customer whose personal data was erased;
-- old_digest and new_digest keep the keyed digests a redacted chained audit entry's hash covers.
ALTER TABLE customers ADD COLUMN erased_at BIGINT;
ALTER TABLE audit_entries ADD COLUMN old_digest TEXT CHECK (old_digest IS NULL OR length(old_digest) = 64);
ALTER TABLE audit_entries ADD COLUMN new_digest TEXT CHECK (new_digest IS NULL OR length(new_digest) = 64);
