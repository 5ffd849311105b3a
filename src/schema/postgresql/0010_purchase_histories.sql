-- 0010: what the purchase models need of each customer in each currency (first and last
-- purchase instant, distinct UTC purchase days, spend on the first purchase day), kept beside
-- the money totals in the transaction that records each purchase (src/interactions/figures.cpp)
-- (PostgreSQL twin of src/schema/0010_purchase_histories.sql). NULL / 0 on a row of refunds
-- only.
ALTER TABLE customer_money ADD COLUMN first_purchase_at BIGINT;
ALTER TABLE customer_money ADD COLUMN last_purchase_at BIGINT
  CHECK ((last_purchase_at IS NULL) = (first_purchase_at IS NULL) AND
         (last_purchase_at IS NULL OR first_purchase_at <= last_purchase_at));
ALTER TABLE customer_money ADD COLUMN purchase_days BIGINT NOT NULL DEFAULT 0
  CHECK (purchase_days >= 0 AND (purchase_days = 0) = (first_purchase_at IS NULL));
ALTER TABLE customer_money ADD COLUMN first_day_total BIGINT NOT NULL DEFAULT 0
  CHECK (first_day_total >= 0 AND first_day_total <= purchase_total);

-- The backfill, as on SQLite (no rows on a PostgreSQL tenant, which is born at the latest
-- version; kept so that the file means what the SQLite one does). Day numbers floored, also
-- before 1970 (as day_of in C++).
WITH p AS (
  SELECT customer_id, currency, occurred_at, amount,
         (occurred_at - ((occurred_at % 86400000) + 86400000) % 86400000) / 86400000 AS day
  FROM interactions WHERE kind = 'purchase'),
s AS (
  SELECT customer_id, currency, min(occurred_at) AS first_at, max(occurred_at) AS last_at,
         count(DISTINCT day) AS days, min(day) AS first_day
  FROM p GROUP BY customer_id, currency),
f AS (
  SELECT s.customer_id, s.currency, s.first_at, s.last_at, s.days, sum(p.amount) AS first_total
  FROM s JOIN p ON p.customer_id = s.customer_id AND p.currency = s.currency AND p.day = s.first_day
  GROUP BY s.customer_id, s.currency, s.first_at, s.last_at, s.days)
UPDATE customer_money
SET first_purchase_at = f.first_at, last_purchase_at = f.last_at, purchase_days = f.days,
    first_day_total = f.first_total
FROM f
WHERE customer_money.customer_id = f.customer_id AND customer_money.currency = f.currency;
