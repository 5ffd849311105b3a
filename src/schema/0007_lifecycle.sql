-- 0007: lifecycle stages that move with the facts (docs/CORE.md "Lifecycle stages").
-- lifecycle_manual = 1 when the host gave the stage (create, upsert, update): automatic moves
-- (a purchase recorded, Customers::update_lifecycle) skip such customers unless the host asks
-- with override_manual. Existing rows start as automatic (0): nothing recorded who set them.
ALTER TABLE customers ADD COLUMN lifecycle_manual INTEGER NOT NULL DEFAULT 0
  CHECK (lifecycle_manual = 0 OR lifecycle_manual = 1);

-- The store's churn rule: one row (id 1). 'no_purchase': churned when no purchase in the
-- window_days before as_of; 'p_alive': churned when the stored score's P(alive) is below
-- p_alive_threshold. Both fields are kept whichever rule is in force, so switching back
-- keeps the other's setting.
CREATE TABLE lifecycle_rule (
  id                INTEGER PRIMARY KEY CHECK (id = 1),
  churn_rule        TEXT NOT NULL CHECK (churn_rule = 'no_purchase' OR churn_rule = 'p_alive'),
  window_days       INTEGER NOT NULL CHECK (window_days BETWEEN 1 AND 36500),
  p_alive_threshold REAL NOT NULL CHECK (p_alive_threshold >= 0 AND p_alive_threshold <= 1)
) STRICT;
INSERT INTO lifecycle_rule(id, churn_rule, window_days, p_alive_threshold) VALUES (1, 'no_purchase', 180, 0.5);
