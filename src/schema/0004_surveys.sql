-- 0004: survey responses (NPS, CSAT, CES and custom scales). Append-only facts: metrics are
-- computed from them, nothing updates or deletes them.

CREATE TABLE survey_responses (
  id             INTEGER PRIMARY KEY,
  customer_id    INTEGER NOT NULL REFERENCES customers(id),
  external_id    TEXT UNIQUE,
  kind           TEXT NOT NULL CHECK (kind = 'nps' OR kind = 'csat' OR kind = 'ces' OR kind = 'custom'),
  -- The scale travels with every response so that a later change of questionnaire (CES 1.0
  -- on 1..5 reversed vs CES 2.0 on 1..7) never reinterprets old answers.
  scale_min      REAL NOT NULL,
  scale_max      REAL NOT NULL,
  direction      TEXT NOT NULL CHECK (direction = 'higher_is_better' OR direction = 'lower_is_better'),
  score          REAL NOT NULL CHECK (score BETWEEN scale_min AND scale_max),
  occurred_at    INTEGER NOT NULL,
  channel        TEXT NOT NULL CHECK (channel = 'email' OR channel = 'phone' OR channel = 'chat' OR
                                      channel = 'sms' OR channel = 'social' OR channel = 'web' OR
                                      channel = 'store' OR channel = 'other'),
  interaction_id INTEGER REFERENCES interactions(id),
  comment        TEXT,
  CHECK (scale_min < scale_max),
  CHECK ((kind = 'nps' AND scale_min = 0 AND scale_max = 10 AND direction = 'higher_is_better')
      OR (kind = 'csat' AND scale_min = 1 AND scale_max = 5 AND direction = 'higher_is_better')
      OR (kind = 'ces' AND scale_min = 1 AND scale_max = 7 AND direction = 'higher_is_better')
      OR kind = 'custom'),
  CHECK (kind = 'custom' OR score = CAST(score AS INTEGER))
) STRICT;
CREATE INDEX survey_responses_by_time ON survey_responses(kind, occurred_at);
CREATE INDEX survey_responses_by_customer ON survey_responses(customer_id, occurred_at);
CREATE INDEX survey_responses_by_interaction ON survey_responses(interaction_id) WHERE interaction_id IS NOT NULL;

-- The linked interaction must be the same customer's (also checked, with a clearer message,
-- by the service; the trigger guards direct SQL).
CREATE TRIGGER survey_responses_interaction_owner BEFORE INSERT ON survey_responses
WHEN NEW.interaction_id IS NOT NULL
 AND (SELECT customer_id FROM interactions WHERE id = NEW.interaction_id) IS NOT NEW.customer_id
BEGIN
  SELECT RAISE(ABORT, 'survey response interaction_id belongs to another customer');
END;

CREATE TRIGGER survey_responses_no_update BEFORE UPDATE ON survey_responses
BEGIN
  SELECT RAISE(ABORT, 'survey responses are append-only');
END;
CREATE TRIGGER survey_responses_no_delete BEFORE DELETE ON survey_responses
BEGIN
  SELECT RAISE(ABORT, 'survey responses are append-only');
END;
