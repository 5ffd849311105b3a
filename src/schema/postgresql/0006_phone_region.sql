-- 0006: phone numbers are read with the store's default region (ISO 3166 alpha-2, "IT") by
-- libphonenumber instead of a calling code prefixed to the digits (PostgreSQL twin of
-- src/schema/0006_phone_region.sql).
--
-- On SQLite this converts a stored calling code with the C++ SQL function
-- crmkit_region_for_calling_code(), which the PostgreSQL backend does not register. It is not
-- needed here: a PostgreSQL tenant is born at the latest version (PostgreSQL support starts with
-- schema 13) and migrated in one transaction, so the only calling code this migration can see
-- is 0001's seed, '', for which the SQLite statements give default_region '' (the function maps
-- '' to '') and delete the empty code. That end state is written directly. Any other value
-- would need libphonenumber: refuse it rather than convert it wrongly.
DO $do$
BEGIN
  IF EXISTS (SELECT 1 FROM store_settings WHERE key = 'default_calling_code' AND value <> '') THEN
    RAISE EXCEPTION 'migration 0006: a non-empty default_calling_code needs libphonenumber to convert';
  END IF;
END
$do$;
INSERT INTO store_settings(key, value) VALUES ('default_region', '');
DELETE FROM store_settings WHERE key = 'default_calling_code' AND value = '';
