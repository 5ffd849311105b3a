-- 0006: phone numbers are read with the store's default region (ISO 3166 alpha-2, "IT") by
-- libphonenumber instead of a calling code prefixed to the digits. A stored calling code becomes
-- the region libphonenumber gives for it (1 -> US, 44 -> GB, 39 -> IT; regions that share a code
-- read local numbers alike). A code with no region (non-geographic such as 800, or unassigned)
-- gives no default region and stays under its old key, unused, so that nothing is lost.
INSERT INTO store_settings(key, value)
  SELECT 'default_region', coalesce((SELECT crmkit_region_for_calling_code(value) FROM store_settings
                                     WHERE key = 'default_calling_code'), '');
DELETE FROM store_settings
  WHERE key = 'default_calling_code'
    AND (value = '' OR (SELECT value FROM store_settings WHERE key = 'default_region') <> '');
