-- 0009: counts and money of the interactions per calendar month (UTC), kind, channel and
-- currency, kept current in the transaction that records each interaction
-- (src/interactions/month_figures.cpp) (PostgreSQL twin of src/schema/0009_interaction_months.sql).
--
-- A sum across customers can pass int64 minor units, so a cell keeps its amount in two int64
-- parts: amount = amount_high * 2^32 + amount_low, where each row adds amount >> 32
-- (arithmetic) to amount_high and amount & 0xFFFFFFFF to amount_low. A part that would pass
-- int64 is refused: BIGINT raises "out of range" where SQLite's STRICT table refused a REAL.
CREATE TABLE interaction_months (
  month             BIGINT NOT NULL,   -- year * 12 + month - 1
  kind              TEXT NOT NULL,
  channel           TEXT NOT NULL,
  currency          TEXT NOT NULL,     -- '' for interactions without an amount
  interaction_count BIGINT NOT NULL CHECK (interaction_count > 0),
  amount_high       BIGINT NOT NULL DEFAULT 0,
  amount_low        BIGINT NOT NULL DEFAULT 0 CHECK (amount_low >= 0),
  PRIMARY KEY (month, kind, channel, currency)
);

CREATE INDEX interactions_occurred ON interactions(occurred_at);

-- The backfill, as on SQLite. A PostgreSQL tenant is born at the latest version, so there are
-- no interactions yet; it is kept so that the file means what the SQLite one does. Seconds are
-- floored (also before 1970); the month is read in UTC whatever the session's TimeZone.
INSERT INTO interaction_months(month, kind, channel, currency, interaction_count, amount_high, amount_low)
SELECT CAST(extract(year FROM to_timestamp(s) AT TIME ZONE 'UTC') AS BIGINT) * 12
         + CAST(extract(month FROM to_timestamp(s) AT TIME ZONE 'UTC') AS BIGINT) - 1,
       kind, channel, coalesce(currency, ''), count(*), coalesce(sum(amount >> 32), 0),
       coalesce(sum(amount & 4294967295), 0)
FROM (SELECT (occurred_at - ((occurred_at % 1000) + 1000) % 1000) / 1000 AS s, kind, channel, currency, amount
      FROM interactions) AS i
GROUP BY 1, 2, 3, 4;
