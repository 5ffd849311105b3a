-- 0015: duplicate detection in the store (docs/IDENTITY.md "Duplicates in the store"). The
-- store's rule set is one row of JSON (crmkit::to_json(DuplicateRules)), checked by the library
-- before it is written; no row means the defaults. Pairs a person confirmed are not duplicates
-- are remembered, smaller id first, and never proposed again. Exact-name candidates of the
-- real-time check are found through customers_names.
CREATE TABLE duplicate_rules (
  id         INTEGER PRIMARY KEY CHECK (id = 1),
  rules      TEXT NOT NULL CHECK (json_valid(rules) AND json_type(rules) = 'object'),
  updated_at INTEGER NOT NULL
) STRICT;
CREATE TABLE duplicate_exceptions (
  customer_a INTEGER NOT NULL REFERENCES customers(id) ON DELETE CASCADE,
  customer_b INTEGER NOT NULL REFERENCES customers(id) ON DELETE CASCADE,
  at         INTEGER NOT NULL,
  PRIMARY KEY (customer_a, customer_b),
  CHECK (customer_a < customer_b)
) STRICT, WITHOUT ROWID;
CREATE INDEX duplicate_exceptions_b ON duplicate_exceptions(customer_b);
CREATE INDEX customers_names ON customers(family_name, given_name) WHERE family_name IS NOT NULL;
