-- 0011: the natural key is no longer indexed on its own. The key hashes every field, the
-- customer and the instant included, so two rows with one key also share (customer_id,
-- occurred_at): the batch insert looks it up through interactions_timeline, whose pages the
-- same insert touches anyway, and refuses a repeat under the write lock. The unique index on
-- 16 random bytes cost a B-tree insert at a random place for every row, about a fifth of the
-- ingest's CPU and a sixth of its file (bench/RESULTS.md, workload 10).
DROP INDEX interactions_natural_key;
