-- 0019: erasure (crmkit/erasure.hpp; docs/PRIVACY.md "Erasure"). erased_at marks a customer
-- whose personal data was erased: the row stays (purchases and points keep referring to it)
-- with its personal fields pseudonymised, and the mark refuses updates and a second erasure.
-- old_digest and new_digest keep, for a chained audit entry whose values erasure replaced with
-- the redaction marker, the keyed digests of the values its hash covers, so the chain still
-- verifies (crmkit/audit.hpp). Migration 0019's C++ step re-hashes an intact chain over those
-- digests (src/store/migration_steps.cpp).
ALTER TABLE customers ADD COLUMN erased_at INTEGER;
ALTER TABLE audit_entries ADD COLUMN old_digest TEXT CHECK (old_digest IS NULL OR length(old_digest) = 64);
ALTER TABLE audit_entries ADD COLUMN new_digest TEXT CHECK (new_digest IS NULL OR length(new_digest) = 64);
