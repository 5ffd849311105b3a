-- 0002: customer value. Fitted CLV models, per-customer scores materialised from them, and the
-- current RFM assignment with the segment map (name + version) that produced it.

-- A fitted model: transaction models (BG/NBD, Pareto/NBD, MBG/NBD) and the Gamma-Gamma spend
-- model. params / std_errors are JSON objects name -> value (std_errors NULL when the Hessian
-- was not positive definite). Times are ms instants; calibration_end is exclusive (a date D is
-- stored as D+1 00:00 UTC).
CREATE TABLE value_models (
  id              INTEGER PRIMARY KEY,
  kind            TEXT NOT NULL CHECK (kind = 'bgnbd' OR kind = 'pnbd' OR kind = 'mbgnbd' OR kind = 'gg'),
  params          TEXT NOT NULL CHECK (json_valid(params) AND json_type(params) = 'object'),
  std_errors      TEXT CHECK (std_errors IS NULL OR (json_valid(std_errors) AND json_type(std_errors) = 'object')),
  log_likelihood  REAL,
  customers       INTEGER CHECK (customers >= 0),
  time_unit       TEXT CHECK (time_unit = 'day' OR time_unit = 'week'),
  calibration_end INTEGER,
  data_from       INTEGER,              -- earliest first purchase among the fitted customers
  fitted_at       INTEGER NOT NULL,     -- the caller's instant (no clock)
  converged       INTEGER CHECK (converged = 0 OR converged = 1),
  currency        TEXT CHECK (currency IS NULL OR (length(currency) = 3 AND currency GLOB '[A-Z][A-Z][A-Z]')),
  iterations      INTEGER CHECK (iterations >= 0),
  reason          TEXT                  -- the optimiser's stop reason
) STRICT;
CREATE INDEX value_models_by_kind ON value_models(kind, fitted_at, id);

-- Scores of every customer from one scoring run (replaced by the next run). Customers with no
-- purchase in the currency before scored_at keep a row with NULL predictions.
CREATE TABLE customer_scores (
  customer_id        INTEGER PRIMARY KEY REFERENCES customers(id) ON DELETE CASCADE,
  model_id           INTEGER REFERENCES value_models(id),
  scored_at          INTEGER NOT NULL,   -- the as_of of the scoring run
  p_alive            REAL CHECK (p_alive IS NULL OR (p_alive >= 0 AND p_alive <= 1)),
  expected_purchases REAL CHECK (expected_purchases IS NULL OR expected_purchases >= 0),
  horizon            REAL CHECK (horizon IS NULL OR horizon >= 0),
  horizon_unit       TEXT CHECK (horizon_unit IS NULL OR (horizon_unit = 'day' OR horizon_unit = 'week' OR
                                                          horizon_unit = 'month')),
  predicted_clv      REAL,               -- major units of `currency`
  currency           TEXT,
  spend_model_id     INTEGER REFERENCES value_models(id),
  expected_spend     REAL,               -- Gamma-Gamma E[M | x, zbar], major units
  repeat_purchases   INTEGER CHECK (repeat_purchases IS NULL OR repeat_purchases >= 0),  -- x
  discount_rate      REAL                -- monthly rate used for predicted_clv
) STRICT;
-- No secondary index: a scoring run rewrites every row, and random-order index inserts cost
-- more than the occasional full scan (a million rows scan in well under a second).

-- Every segment map used for an assignment, by name and version. A (name, version) always
-- means the same definition: reusing one with a different definition is refused.
CREATE TABLE rfm_maps (
  name       TEXT NOT NULL CHECK (length(name) BETWEEN 1 AND 1000),
  version    INTEGER NOT NULL CHECK (version >= 1),
  definition TEXT NOT NULL CHECK (json_valid(definition)),
  builtin    INTEGER NOT NULL DEFAULT 0 CHECK (builtin = 0 OR builtin = 1),
  PRIMARY KEY (name, version)
) STRICT;

-- The latest RFM run's settings: one row (id 1), replaced by each run.
CREATE TABLE rfm_run (
  id           INTEGER PRIMARY KEY CHECK (id = 1),
  as_of        INTEGER NOT NULL,
  map_name     TEXT NOT NULL,
  map_version  INTEGER NOT NULL,
  currency     TEXT,
  method       TEXT CHECK (method = 'ntile' OR method = 'quantile' OR method = 'qcut' OR method = 'custom'),
  FOREIGN KEY (map_name, map_version) REFERENCES rfm_maps(name, version)
) STRICT;

-- The current RFM assignment per customer of the run (customers without a purchase before its
-- as_of have none). Recency is kept as the last purchase (recency_days = days from it to the
-- run's as_of), so a run with a later as_of rewrites only the rows whose facts or scores moved.
-- customer_id has no foreign key, which would cost a lookup per row written; the rows come from
-- customer_figures in the same transaction, and a trigger removes a deleted customer's row.
CREATE TABLE customer_rfm (
  customer_id      INTEGER PRIMARY KEY,
  last_purchase_at INTEGER NOT NULL,
  frequency        INTEGER NOT NULL CHECK (frequency >= 0),
  monetary         INTEGER NOT NULL,   -- minor units of rfm_run.currency (purchases, refunds not netted)
  r_score          INTEGER NOT NULL CHECK (r_score BETWEEN 1 AND 9),
  f_score          INTEGER NOT NULL CHECK (f_score BETWEEN 1 AND 9),
  m_score          INTEGER NOT NULL CHECK (m_score BETWEEN 1 AND 9),
  rfm_score        INTEGER NOT NULL,
  segment          TEXT NOT NULL
) STRICT;
CREATE TRIGGER customer_rfm_follows_customers AFTER DELETE ON customers BEGIN
  DELETE FROM customer_rfm WHERE customer_id = OLD.id;
END;
-- No secondary index, for the same reason as customer_scores.
