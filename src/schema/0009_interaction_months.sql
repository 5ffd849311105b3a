-- 0009: counts and money of the interactions per calendar month (UTC), kind, channel and
-- currency, kept current in the transaction that records each interaction
-- (src/interactions/month_figures.cpp), so the report's overview and revenue by month read a
-- few rows per month instead of every interaction. An as_of inside a month reads that month's
-- rows before as_of by the new occurred_at index.
--
-- A sum across customers can pass int64 minor units (each customer's total fits, their sum
-- need not), so a cell keeps its amount in two int64 parts: amount = amount_high * 2^32 +
-- amount_low, where each row adds amount >> 32 (arithmetic) to amount_high and
-- amount & 0xFFFFFFFF to amount_low. Either part overflows only after 2^31 rows in one cell,
-- and is then refused (an overflowing sum becomes a REAL, which the STRICT table rejects).
CREATE TABLE interaction_months (
  month             INTEGER NOT NULL,  -- year * 12 + month - 1
  kind              TEXT NOT NULL,
  channel           TEXT NOT NULL,
  currency          TEXT NOT NULL,     -- '' for interactions without an amount
  interaction_count INTEGER NOT NULL CHECK (interaction_count > 0),
  amount_high       INTEGER NOT NULL DEFAULT 0,
  amount_low        INTEGER NOT NULL DEFAULT 0 CHECK (amount_low >= 0),
  PRIMARY KEY (month, kind, channel, currency)
) STRICT, WITHOUT ROWID;

CREATE INDEX interactions_occurred ON interactions(occurred_at);

-- Seconds floored (also before 1970) so that strftime names the month the ms instant is in.
INSERT INTO interaction_months(month, kind, channel, currency, interaction_count, amount_high, amount_low)
SELECT CAST(strftime('%Y', s, 'unixepoch') AS INTEGER) * 12 + CAST(strftime('%m', s, 'unixepoch') AS INTEGER) - 1,
       kind, channel, coalesce(currency, ''), count(*), coalesce(sum(amount >> 32), 0),
       coalesce(sum(amount & 4294967295), 0)
FROM (SELECT (occurred_at - ((occurred_at % 1000) + 1000) % 1000) / 1000 AS s, kind, channel, currency, amount
      FROM interactions)
GROUP BY 1, 2, 3, 4;
