-- 0018: customer merges (crmkit/merge.hpp; docs/IDENTITY.md "Merge"). One row per merge.
-- customer_id is the record that holds the merge now: its survivor, or whoever absorbed that
-- survivor later; the column's name puts merge records in the catalog walks of subject export
-- and erasure, as the undo keeps the absorbed records' rows, which are the same person's data.
-- survivor_id and absorbed are the merge's own records. undo: every row the merge changed,
-- moved or removed, as it was, and the rows it added; survivor_after: the survivor's customer
-- row as the merge left it, so an undo can name the fields changed since.
CREATE TABLE merge_records (
  id             INTEGER PRIMARY KEY,
  customer_id    INTEGER NOT NULL REFERENCES customers(id),
  survivor_id    INTEGER NOT NULL,
  absorbed       TEXT NOT NULL CHECK (json_valid(absorbed) AND json_type(absorbed) = 'array'),
  plan           TEXT NOT NULL CHECK (json_valid(plan) AND json_type(plan) = 'object'),
  undo           TEXT NOT NULL CHECK (json_valid(undo) AND json_type(undo) = 'object'),
  survivor_after TEXT NOT NULL CHECK (json_valid(survivor_after) AND json_type(survivor_after) = 'object'),
  actor          TEXT CHECK (actor IS NULL OR length(actor) >= 1),
  reason         TEXT CHECK (reason IS NULL OR length(reason) >= 1),
  at             INTEGER NOT NULL,
  undone_at      INTEGER CHECK (undone_at IS NULL OR undone_at >= at)
) STRICT;
CREATE INDEX merge_records_by_customer ON merge_records(customer_id, id);
CREATE INDEX merge_records_by_survivor ON merge_records(survivor_id, id);

-- The append-only tables let two changes through: customer_id (a merge moves the rows to the
-- survivor, and its undo moves them back) and free text set to NULL (erasure redacts it).
DROP TRIGGER survey_responses_no_update;
CREATE TRIGGER survey_responses_no_update BEFORE UPDATE ON survey_responses
WHEN NEW.id IS NOT OLD.id OR NEW.external_id IS NOT OLD.external_id OR NEW.kind IS NOT OLD.kind
  OR NEW.scale_min IS NOT OLD.scale_min OR NEW.scale_max IS NOT OLD.scale_max OR NEW.direction IS NOT OLD.direction
  OR NEW.score IS NOT OLD.score OR NEW.occurred_at IS NOT OLD.occurred_at OR NEW.channel IS NOT OLD.channel
  OR NEW.interaction_id IS NOT OLD.interaction_id OR (NEW.comment IS NOT OLD.comment AND NEW.comment IS NOT NULL)
BEGIN
  SELECT RAISE(ABORT, 'survey responses are append-only');
END;
DROP TRIGGER points_ledger_no_update;
CREATE TRIGGER points_ledger_no_update BEFORE UPDATE ON points_ledger
WHEN NEW.id IS NOT OLD.id OR NEW.programme_id IS NOT OLD.programme_id OR NEW.request_id IS NOT OLD.request_id
  OR NEW.kind IS NOT OLD.kind OR NEW.points IS NOT OLD.points OR NEW.created_at IS NOT OLD.created_at
  OR NEW.effective_at IS NOT OLD.effective_at OR NEW.expires_at IS NOT OLD.expires_at
  OR NEW.source_type IS NOT OLD.source_type OR NEW.source_id IS NOT OLD.source_id
  OR NEW.money_minor IS NOT OLD.money_minor OR (NEW.reason IS NOT OLD.reason AND NEW.reason IS NOT NULL)
BEGIN
  SELECT RAISE(ABORT, 'points_ledger is append-only');
END;
