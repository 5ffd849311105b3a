-- 0012: the scoring run's settings move to a one-row score_run, and the per-customer
-- predictions to customer_score_values, without foreign keys. customer_scores had three per row
-- (the customer and two models: three lookups for every row written) and its run-level columns
-- repeated a million times, and a foreign key disables SQLite's truncation, so each rescoring
-- deleted the old rows one by one. Writing 1M scores took about half as long without them
-- (bench/RESULTS.md, workload 10). A view keeps the name and the columns customer_scores had.

-- The latest scoring run's settings: one row (id 1), replaced by each run.
CREATE TABLE score_run (
  id             INTEGER PRIMARY KEY CHECK (id = 1),
  model_id       INTEGER REFERENCES value_models(id),
  scored_at      INTEGER NOT NULL,   -- the as_of of the scoring run
  horizon        REAL CHECK (horizon IS NULL OR horizon >= 0),
  horizon_unit   TEXT CHECK (horizon_unit IS NULL OR (horizon_unit = 'day' OR horizon_unit = 'week' OR
                                                      horizon_unit = 'month')),
  currency       TEXT,
  spend_model_id INTEGER REFERENCES value_models(id),
  discount_rate  REAL                -- monthly rate used for predicted_clv
) STRICT;

-- Every customer's predictions from that run. Customers with no purchase in the currency before
-- scored_at keep a row with NULL predictions. customer_id has no foreign key: the rows come from
-- the customers table in the scoring transaction, and a trigger removes a deleted customer's row.
CREATE TABLE customer_score_values (
  customer_id        INTEGER PRIMARY KEY,
  p_alive            REAL CHECK (p_alive IS NULL OR (p_alive >= 0 AND p_alive <= 1)),
  expected_purchases REAL CHECK (expected_purchases IS NULL OR expected_purchases >= 0),
  predicted_clv      REAL,             -- major units of score_run.currency
  expected_spend     REAL,             -- Gamma-Gamma E[M | x, zbar], major units
  repeat_purchases   INTEGER CHECK (repeat_purchases IS NULL OR repeat_purchases >= 0)  -- x
) STRICT;
CREATE TRIGGER customer_score_values_follow_customers AFTER DELETE ON customers BEGIN
  DELETE FROM customer_score_values WHERE customer_id = OLD.id;
END;

-- One run wrote every row with the same settings: the first row's are the run's.
INSERT INTO score_run(id, model_id, scored_at, horizon, horizon_unit, currency, spend_model_id, discount_rate)
  SELECT 1, model_id, scored_at, horizon, horizon_unit, currency, spend_model_id, discount_rate
  FROM customer_scores ORDER BY customer_id LIMIT 1;
INSERT INTO customer_score_values(customer_id, p_alive, expected_purchases, predicted_clv, expected_spend,
                                  repeat_purchases)
  SELECT customer_id, p_alive, expected_purchases, predicted_clv, expected_spend, repeat_purchases
  FROM customer_scores;
DROP TABLE customer_scores;

-- What readers query (segments, lifecycle, retention, the report, exports): one row per scored
-- customer with the run's settings, as the table had.
CREATE VIEW customer_scores AS
  SELECT v.customer_id, r.model_id, r.scored_at, v.p_alive, v.expected_purchases, r.horizon, r.horizon_unit,
         v.predicted_clv, r.currency, r.spend_model_id, v.expected_spend, v.repeat_purchases, r.discount_rate
  FROM customer_score_values v CROSS JOIN score_run r;
