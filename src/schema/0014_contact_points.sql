-- 0014: contact points (docs/IDENTITY.md). A customer has any number of emails, phones, postal
-- addresses, web addresses and social handles, each kept as given (value_raw), canonical
-- (value_norm) and as the key duplicate checks and suppression compare (match_key). The
-- primary email and phone stay in customers.email and customers.phone as well: the library
-- writes both in one transaction, so lists, segments and exports keep reading one column.
-- Existing emails and phones become primary contact points here, nothing dropped. Their match
-- key is their stored text, which already is the key for phones and for ASCII email domains;
-- the library rewrites the keys of internationalised domains to their ASCII form right after
-- this file runs (src/store/migration_steps.cpp), as SQL has no IDNA.
CREATE TABLE contact_points (
  id            INTEGER PRIMARY KEY,
  customer_id   INTEGER NOT NULL REFERENCES customers(id) ON DELETE CASCADE,
  type          TEXT NOT NULL CHECK (type = 'email' OR type = 'phone' OR type = 'address' OR type = 'url' OR
                                     type = 'social'),
  value_raw     TEXT NOT NULL CHECK (length(value_raw) >= 1),
  value_norm    TEXT NOT NULL CHECK (length(value_norm) >= 1),
  match_key     TEXT NOT NULL CHECK (length(match_key) >= 1),
  label         TEXT CHECK (label IS NULL OR length(label) >= 1),
  is_primary    INTEGER NOT NULL DEFAULT 0 CHECK (is_primary = 0 OR is_primary = 1),
  verified_at   INTEGER,
  invalid_since INTEGER,
  bounce_count  INTEGER NOT NULL DEFAULT 0 CHECK (bounce_count >= 0),
  created_at    INTEGER NOT NULL,
  updated_at    INTEGER NOT NULL,
  CHECK (type <> 'phone' OR value_norm GLOB '+[1-9]*'),
  UNIQUE (customer_id, type, match_key)
) STRICT;
CREATE UNIQUE INDEX contact_points_primary ON contact_points(customer_id, type) WHERE is_primary = 1;
-- Who else has this email or phone: the real-time duplicate check and find().
CREATE INDEX contact_points_by_key ON contact_points(type, match_key);

INSERT INTO contact_points(customer_id, type, value_raw, value_norm, match_key, is_primary, created_at, updated_at)
  SELECT id, 'email', email, email, email, 1, created_at, updated_at FROM customers WHERE email IS NOT NULL;
INSERT INTO contact_points(customer_id, type, value_raw, value_norm, match_key, is_primary, created_at, updated_at)
  SELECT id, 'phone', phone, phone, phone, 1, created_at, updated_at FROM customers WHERE phone IS NOT NULL;
