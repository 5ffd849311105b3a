-- 0005: loyalty points programmes: programmes, earn multipliers, tiers, members, the
-- append-only ledger, lots (credits with remaining amounts), allocations (which lots each
-- debit consumed), debts and idempotent requests. docs/POINTS.md explains every rule.

CREATE TABLE points_programmes (
  id                  INTEGER PRIMARY KEY,
  name                TEXT NOT NULL UNIQUE CHECK (length(name) BETWEEN 1 AND 200),
  currency            TEXT NOT NULL CHECK (length(currency) = 3),
  points_per_unit     INTEGER NOT NULL CHECK (points_per_unit >= 0),     -- points per unit_minor spent
  unit_minor          INTEGER NOT NULL CHECK (unit_minor > 0),           -- money unit, minor units
  points_per_order    INTEGER NOT NULL CHECK (points_per_order >= 0),
  expiry_days         INTEGER CHECK (expiry_days IS NULL OR expiry_days > 0),  -- NULL: never
  consumption         TEXT NOT NULL CHECK (consumption = 'fifo' OR consumption = 'fefo'),
  pending_days        INTEGER NOT NULL CHECK (pending_days >= 0),
  refund_policy       TEXT NOT NULL CHECK (refund_policy = 'allow_negative' OR refund_policy = 'clamp_debt' OR
                                           refund_policy = 'reject'),
  value_per_1000      INTEGER CHECK (value_per_1000 IS NULL OR value_per_1000 >= 0),  -- minor units per 1000 points
  tier_metric         TEXT NOT NULL CHECK (tier_metric = 'points' OR tier_metric = 'spend' OR
                                           tier_metric = 'orders'),
  tier_window_days    INTEGER NOT NULL CHECK (tier_window_days > 0),
  review_period_days  INTEGER NOT NULL CHECK (review_period_days > 0),
  grace_days          INTEGER NOT NULL CHECK (grace_days >= 0),
  created_at          INTEGER NOT NULL
) STRICT;

-- Earn multipliers in permille (1500 = x1.5) by channel name or segment name.
CREATE TABLE points_multipliers (
  programme_id INTEGER NOT NULL REFERENCES points_programmes(id),
  kind         TEXT NOT NULL CHECK (kind = 'channel' OR kind = 'segment'),
  key          TEXT NOT NULL,
  permille     INTEGER NOT NULL CHECK (permille >= 0),
  PRIMARY KEY (programme_id, kind, key)
) STRICT, WITHOUT ROWID;

CREATE TABLE points_tiers (
  id           INTEGER PRIMARY KEY,
  programme_id INTEGER NOT NULL REFERENCES points_programmes(id),
  name         TEXT NOT NULL,
  rank         INTEGER NOT NULL CHECK (rank >= 1),
  threshold    INTEGER NOT NULL CHECK (threshold >= 0),
  permille     INTEGER NOT NULL CHECK (permille >= 0),   -- earn multiplier of the tier
  UNIQUE (programme_id, name),
  UNIQUE (programme_id, rank)
) STRICT;

CREATE TABLE points_members (
  programme_id   INTEGER NOT NULL REFERENCES points_programmes(id),
  customer_id    INTEGER NOT NULL REFERENCES customers(id),
  enrolled_at    INTEGER NOT NULL,
  tier_id        INTEGER REFERENCES points_tiers(id),
  tier_since     INTEGER NOT NULL,
  next_review_at INTEGER,            -- earliest instant a review may move the member down
  PRIMARY KEY (programme_id, customer_id)
) STRICT, WITHOUT ROWID;
CREATE INDEX points_members_by_customer ON points_members(customer_id);

CREATE TABLE points_tier_history (
  id           INTEGER PRIMARY KEY,
  programme_id INTEGER NOT NULL,
  customer_id  INTEGER NOT NULL,
  from_at      INTEGER NOT NULL,
  tier_id      INTEGER REFERENCES points_tiers(id),
  previous_id  INTEGER REFERENCES points_tiers(id),
  reason       TEXT NOT NULL CHECK (reason = 'enrol' OR reason = 'upgrade' OR reason = 'review'),
  FOREIGN KEY (programme_id, customer_id) REFERENCES points_members(programme_id, customer_id)
) STRICT;
CREATE INDEX points_tier_history_member ON points_tier_history(programme_id, customer_id, from_at, id);

-- One row per idempotent request: the caller's external id, what was asked (fingerprint) and
-- what happened (points, first entry), so a repeat returns the first result.
CREATE TABLE points_requests (
  id           INTEGER PRIMARY KEY,
  programme_id INTEGER NOT NULL REFERENCES points_programmes(id),
  external_id  TEXT NOT NULL CHECK (length(external_id) BETWEEN 1 AND 1000),
  kind         TEXT NOT NULL,
  fingerprint  TEXT NOT NULL,
  points       INTEGER NOT NULL,       -- net change of the ledger
  entry_id     INTEGER,                -- first ledger entry written, if any
  source_id    INTEGER,                -- the purchase of an earn / reverse_earn
  money_minor  INTEGER,                -- the refunded amount of a reverse_earn
  created_at   INTEGER NOT NULL,
  UNIQUE (programme_id, external_id)
) STRICT;
CREATE INDEX points_requests_source ON points_requests(programme_id, kind, source_id) WHERE source_id IS NOT NULL;

-- Append-only: triggers below refuse UPDATE and DELETE.
CREATE TABLE points_ledger (
  id           INTEGER PRIMARY KEY,
  programme_id INTEGER NOT NULL REFERENCES points_programmes(id),
  customer_id  INTEGER NOT NULL REFERENCES customers(id),
  request_id   INTEGER NOT NULL REFERENCES points_requests(id),
  kind         TEXT NOT NULL CHECK (kind = 'earn' OR kind = 'redeem' OR kind = 'expire' OR
                                    kind = 'reverse_earn' OR kind = 'reverse_redeem' OR kind = 'adjust'),
  points       INTEGER NOT NULL CHECK (points <> 0),
  created_at   INTEGER NOT NULL,
  effective_at INTEGER NOT NULL,
  expires_at   INTEGER,
  source_type  TEXT CHECK (source_type = 'purchase' OR source_type = 'refund' OR source_type = 'redemption' OR
                           source_type = 'lot' OR source_type = 'manual'),
  source_id    INTEGER,
  money_minor  INTEGER,                -- purchase amount (earn) or refunded amount (reverse_earn)
  reason       TEXT,
  CHECK (((kind = 'earn' OR kind = 'reverse_redeem') AND points > 0)
      OR ((kind = 'redeem' OR kind = 'expire' OR kind = 'reverse_earn') AND points < 0)
      OR kind = 'adjust')
) STRICT;
CREATE INDEX points_ledger_member ON points_ledger(programme_id, customer_id, id);
CREATE INDEX points_ledger_source ON points_ledger(programme_id, source_type, source_id, kind);
CREATE UNIQUE INDEX points_ledger_one_earn ON points_ledger(programme_id, source_id) WHERE kind = 'earn';
CREATE TRIGGER points_ledger_no_update BEFORE UPDATE ON points_ledger
BEGIN SELECT RAISE(ABORT, 'points_ledger is append-only'); END;
CREATE TRIGGER points_ledger_no_delete BEFORE DELETE ON points_ledger
BEGIN SELECT RAISE(ABORT, 'points_ledger is append-only'); END;

-- A lot per credit entry (earn, positive adjust): what is left of it.
CREATE TABLE points_lots (
  entry_id     INTEGER PRIMARY KEY REFERENCES points_ledger(id),
  programme_id INTEGER NOT NULL,
  customer_id  INTEGER NOT NULL,
  points       INTEGER NOT NULL CHECK (points > 0),
  remaining    INTEGER NOT NULL CHECK (remaining >= 0 AND remaining <= points),
  earned_at    INTEGER NOT NULL,
  effective_at INTEGER NOT NULL,
  expires_at   INTEGER
) STRICT;
CREATE INDEX points_lots_member ON points_lots(programme_id, customer_id, remaining);
CREATE INDEX points_lots_expiry ON points_lots(programme_id, expires_at) WHERE remaining > 0;

-- Which lots each debit consumed (points > 0), and what a reverse_redeem gave back (< 0).
CREATE TABLE points_allocations (
  id       INTEGER PRIMARY KEY,
  entry_id INTEGER NOT NULL REFERENCES points_ledger(id),
  lot_id   INTEGER NOT NULL REFERENCES points_lots(entry_id),
  points   INTEGER NOT NULL CHECK (points <> 0)
) STRICT;
CREATE INDEX points_allocations_entry ON points_allocations(entry_id, lot_id);
CREATE INDEX points_allocations_lot ON points_allocations(lot_id);

-- The part of a debit no lot could cover (refund policies allow_negative and clamp_debt);
-- later credits pay it back, oldest debt first.
CREATE TABLE points_debts (
  entry_id     INTEGER PRIMARY KEY REFERENCES points_ledger(id),
  programme_id INTEGER NOT NULL,
  customer_id  INTEGER NOT NULL,
  points       INTEGER NOT NULL CHECK (points > 0),
  outstanding  INTEGER NOT NULL CHECK (outstanding >= 0 AND outstanding <= points)
) STRICT;
CREATE INDEX points_debts_member ON points_debts(programme_id, customer_id, outstanding);
