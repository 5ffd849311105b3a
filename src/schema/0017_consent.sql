-- 0017: consent and suppression (docs/PRIVACY.md). consent_events is an append-only ledger:
-- the library inserts rows and never updates or deletes them (erasure will redact); each
-- (customer, channel, purpose)'s state is derived from it at any instant. An event's purpose is
-- one of consent_purposes (three built in, more registered by the host). contact_point_id names
-- the point the event was about when it was recorded; it is no foreign key, so deleting the
-- point later leaves the history as it was. suppressions keeps HMAC-SHA-256(store salt, match
-- key) of emails and phones that may not be added again, never the value; the salt is made by
-- the library right after this file runs (src/store/migration_steps.cpp), as SQL has no
-- cryptographic random source. The double opt-in TTL is a store setting (ms, default 7 days).
INSERT INTO store_settings(key, value) VALUES ('consent_double_opt_in_ttl_ms', '604800000');

CREATE TABLE consent_purposes (
  name        TEXT PRIMARY KEY CHECK (length(name) >= 1 AND length(name) <= 64),
  description TEXT CHECK (description IS NULL OR length(description) >= 1),
  built_in    INTEGER NOT NULL DEFAULT 0 CHECK (built_in = 0 OR built_in = 1),
  created_at  INTEGER NOT NULL
) STRICT;
INSERT INTO consent_purposes(name, description, built_in, created_at) VALUES
  ('marketing', 'offers, newsletters and promotions', 1, 0),
  ('profiling', 'analysis of behaviour to personalise or score', 1, 0),
  ('transactional', 'messages about orders, accounts and service', 1, 0);

CREATE TABLE consent_events (
  id                    INTEGER PRIMARY KEY,
  customer_id           INTEGER NOT NULL REFERENCES customers(id) ON DELETE CASCADE,
  contact_point_id      INTEGER,
  channel               TEXT NOT NULL CHECK (channel = 'email' OR channel = 'sms' OR channel = 'phone' OR
                                             channel = 'post' OR channel = 'push' OR channel = 'all'),
  purpose               TEXT NOT NULL REFERENCES consent_purposes(name),
  lawful_basis          TEXT NOT NULL CHECK (lawful_basis = 'consent' OR lawful_basis = 'contract' OR
                                             lawful_basis = 'legal_obligation' OR lawful_basis = 'vital_interest' OR
                                             lawful_basis = 'public_interest' OR
                                             lawful_basis = 'legitimate_interest'),
  action                TEXT NOT NULL CHECK (action = 'grant' OR action = 'withdraw' OR
                                             action = 'request_double_opt_in' OR action = 'confirm' OR
                                             action = 'expire'),
  source                TEXT NOT NULL CHECK (length(source) >= 1),
  evidence_form         TEXT,
  evidence_text_version TEXT,
  evidence_ip           TEXT,
  evidence_user_agent   TEXT,
  at                    INTEGER NOT NULL,
  expires_at            INTEGER CHECK (expires_at IS NULL OR expires_at > at),
  CHECK (expires_at IS NULL OR action = 'grant' OR action = 'confirm' OR action = 'request_double_opt_in')
) STRICT;
-- A state is derived from one customer's events of one purpose, in time order.
CREATE INDEX consent_events_by_customer ON consent_events(customer_id, purpose, at);

CREATE TABLE suppressions (
  type   TEXT NOT NULL CHECK (type = 'email' OR type = 'phone'),
  hash   TEXT NOT NULL CHECK (length(hash) = 64),
  reason TEXT NOT NULL CHECK (reason = 'erased' OR reason = 'bounced' OR reason = 'complaint' OR reason = 'manual'),
  at     INTEGER NOT NULL,
  PRIMARY KEY (type, hash)
) STRICT, WITHOUT ROWID;
