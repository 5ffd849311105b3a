-- 0008: the natural key of an interaction recorded without an external_id, so that batch
-- ingest is idempotent: importing the same file twice records each fact once (PostgreSQL twin
-- of src/schema/0008_natural_key.sql). The key is the 16-byte FNV-1a 128 hash of the row's
-- canonical encoding (src/interactions/natural_key.cpp); NULL for rows with an external_id,
-- rows recorded one by one, rows recorded with allow_repeats. length() of a bytea counts bytes,
-- as SQLite's length() of a BLOB does.
ALTER TABLE interactions ADD COLUMN natural_key BYTEA CHECK (natural_key IS NULL OR length(natural_key) = 16);
CREATE UNIQUE INDEX interactions_natural_key ON interactions(natural_key) WHERE natural_key IS NOT NULL;
