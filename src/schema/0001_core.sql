-- 0001: store settings, customers, interactions and the per-customer figures kept current
-- with them. Times are int64 ms since the epoch (UTC); money is int64 minor units + currency.
-- Enumerations are checked as OR chains, never IN lists, in every migration: SQLite builds an
-- ephemeral table for an IN list each time a statement writes a row, which tripled the cost of
-- an insert (bench/RESULTS.md, workload 3).

CREATE TABLE store_settings (
  key   TEXT PRIMARY KEY,
  value TEXT NOT NULL
) STRICT;
INSERT INTO store_settings(key, value) VALUES ('default_calling_code', ''), ('default_currency', 'USD');

CREATE TABLE customers (
  id                   INTEGER PRIMARY KEY,
  external_id          TEXT UNIQUE,
  kind                 TEXT NOT NULL DEFAULT 'person' CHECK (kind = 'person' OR kind = 'organization'),
  display_name         TEXT,
  given_name           TEXT,
  family_name          TEXT,
  email                TEXT,
  phone                TEXT CHECK (phone IS NULL OR phone GLOB '+[1-9]*'),
  birth_date           TEXT CHECK (birth_date IS NULL OR date(birth_date) IS birth_date),
  gender               TEXT CHECK (gender IS NULL OR (gender = 'F' OR gender = 'M' OR gender = 'X')),
  country              TEXT CHECK (country IS NULL OR (length(country) = 2 AND country GLOB '[A-Z][A-Z]')),
  region               TEXT,
  city                 TEXT,
  postal_code          TEXT,
  acquisition_channel  TEXT,
  acquisition_cost     INTEGER CHECK (acquisition_cost IS NULL OR acquisition_cost >= 0),
  acquisition_currency TEXT CHECK ((acquisition_cost IS NULL) = (acquisition_currency IS NULL)),
  lifecycle_stage      TEXT NOT NULL DEFAULT 'lead'
                       CHECK (lifecycle_stage = 'lead' OR lifecycle_stage = 'prospect' OR
                              lifecycle_stage = 'customer' OR lifecycle_stage = 'churned'),
  created_at           INTEGER NOT NULL,
  updated_at           INTEGER NOT NULL,
  attributes           TEXT NOT NULL DEFAULT '{}'
                       CHECK (json_valid(attributes) AND json_type(attributes) = 'object')
) STRICT;
CREATE INDEX customers_email ON customers(email) WHERE email IS NOT NULL;
CREATE INDEX customers_created ON customers(created_at, id);

CREATE TABLE customer_tags (
  customer_id INTEGER NOT NULL REFERENCES customers(id) ON DELETE CASCADE,
  tag         TEXT NOT NULL CHECK (length(tag) BETWEEN 1 AND 100),
  PRIMARY KEY (customer_id, tag)
) STRICT, WITHOUT ROWID;
CREATE INDEX customer_tags_by_tag ON customer_tags(tag, customer_id);

-- Every touchpoint, append-only. Amount rules: purchase >= 0, refund <= 0, absent otherwise.
CREATE TABLE interactions (
  id           INTEGER PRIMARY KEY,
  customer_id  INTEGER NOT NULL REFERENCES customers(id),
  external_id  TEXT UNIQUE,
  occurred_at  INTEGER NOT NULL,
  channel      TEXT NOT NULL CHECK (channel = 'email' OR channel = 'phone' OR channel = 'chat' OR
                                    channel = 'sms' OR channel = 'social' OR channel = 'web' OR
                                    channel = 'store' OR channel = 'other'),
  kind         TEXT NOT NULL CHECK (kind = 'purchase' OR kind = 'refund' OR kind = 'inquiry' OR
                                    kind = 'complaint' OR kind = 'support' OR kind = 'visit' OR
                                    kind = 'email_open' OR kind = 'email_click' OR kind = 'meeting' OR
                                    kind = 'note' OR kind = 'other'),
  direction    TEXT NOT NULL DEFAULT 'none' CHECK (direction = 'inbound' OR direction = 'outbound' OR
                                                   direction = 'none'),
  amount       INTEGER,
  currency     TEXT,
  margin       INTEGER,
  subject      TEXT,
  notes        TEXT,
  attributes   TEXT CHECK (attributes IS NULL OR (json_valid(attributes) AND json_type(attributes) = 'object')),
  CHECK ((kind = 'purchase' AND amount >= 0 AND currency IS NOT NULL)
      OR (kind = 'refund' AND amount <= 0 AND currency IS NOT NULL)
      OR ((kind <> 'purchase' AND kind <> 'refund') AND amount IS NULL AND currency IS NULL AND margin IS NULL))
) STRICT;
-- The timeline index also serves every per-customer window (behavioural segments, CLV inputs).
CREATE INDEX interactions_timeline ON interactions(customer_id, occurred_at, id);

-- Per-customer figures, kept current in the transaction that records each interaction and
-- rebuildable from the facts (customer_figures_rebuild). One row per customer.
CREATE TABLE customer_figures (
  customer_id         INTEGER PRIMARY KEY REFERENCES customers(id) ON DELETE CASCADE,
  interaction_count   INTEGER NOT NULL DEFAULT 0 CHECK (interaction_count >= 0),
  last_interaction_at INTEGER,
  purchase_count      INTEGER NOT NULL DEFAULT 0 CHECK (purchase_count >= 0),
  purchase_days       INTEGER NOT NULL DEFAULT 0 CHECK (purchase_days >= 0 AND purchase_days <= purchase_count),
  refund_count        INTEGER NOT NULL DEFAULT 0 CHECK (refund_count >= 0),
  first_purchase_at   INTEGER,
  last_purchase_at    INTEGER,
  CHECK ((purchase_count = 0) = (first_purchase_at IS NULL)),
  CHECK (first_purchase_at IS NULL OR first_purchase_at <= last_purchase_at)
) STRICT;

-- Money figures per customer and currency (never summed across currencies).
CREATE TABLE customer_money (
  customer_id    INTEGER NOT NULL REFERENCES customers(id) ON DELETE CASCADE,
  currency       TEXT NOT NULL,
  purchase_total INTEGER NOT NULL DEFAULT 0 CHECK (purchase_total >= 0),  -- sum of purchase amounts
  refund_total   INTEGER NOT NULL DEFAULT 0 CHECK (refund_total <= 0),    -- sum of refund amounts
  margin_total   INTEGER NOT NULL DEFAULT 0,                              -- sum of margins given
  PRIMARY KEY (customer_id, currency)
) STRICT, WITHOUT ROWID;
