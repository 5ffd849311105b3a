-- 0011: the natural key is no longer indexed on its own (PostgreSQL twin of
-- src/schema/0011_natural_key_probe.sql). Two rows with one key also share (customer_id,
-- occurred_at), so the batch insert looks the key up through interactions_timeline; the unique
-- index on 16 random bytes cost a B-tree insert at a random place for every row.
DROP INDEX interactions_natural_key;
