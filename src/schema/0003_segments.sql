-- 0003: saved segments, their rule versions, references between them and the membership
-- history. Membership rows are stays [entered_at, left_at): a row is appended when a customer
-- enters and its left_at is set once, when the customer leaves (NULL = current member).

CREATE TABLE segments (
  id            INTEGER PRIMARY KEY,
  name          TEXT UNIQUE NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
  kind          TEXT NOT NULL CHECK (kind = 'dynamic' OR kind = 'static'),
  description   TEXT NOT NULL DEFAULT '',
  rule_version  INTEGER NOT NULL DEFAULT 0 CHECK (rule_version >= 0),  -- 0: static, no rule
  strict_nulls  INTEGER NOT NULL DEFAULT 0 CHECK (strict_nulls = 0 OR strict_nulls = 1),
  refreshed_at  INTEGER,                                               -- as_of of the last refresh
  CHECK ((kind = 'static') = (rule_version = 0))
) STRICT;

-- Every rule a dynamic segment has had; the current one is segments.rule_version.
CREATE TABLE segment_versions (
  segment_id   INTEGER NOT NULL REFERENCES segments(id) ON DELETE CASCADE,
  version      INTEGER NOT NULL CHECK (version >= 1),
  rule         TEXT NOT NULL CHECK (json_valid(rule)),
  strict_nulls INTEGER NOT NULL DEFAULT 0 CHECK (strict_nulls = 0 OR strict_nulls = 1),
  PRIMARY KEY (segment_id, version)
) STRICT;

-- Segments the current rule of segment_id refers to (cycle detection, refusing deletes).
CREATE TABLE segment_refs (
  segment_id     INTEGER NOT NULL REFERENCES segments(id) ON DELETE CASCADE,
  ref_segment_id INTEGER NOT NULL REFERENCES segments(id),
  PRIMARY KEY (segment_id, ref_segment_id)
) STRICT, WITHOUT ROWID;
CREATE INDEX segment_refs_by_target ON segment_refs(ref_segment_id, segment_id);

CREATE TABLE segment_membership (
  id           INTEGER PRIMARY KEY,
  segment_id   INTEGER NOT NULL REFERENCES segments(id) ON DELETE CASCADE,
  customer_id  INTEGER NOT NULL REFERENCES customers(id) ON DELETE CASCADE,
  entered_at   INTEGER NOT NULL,
  left_at      INTEGER CHECK (left_at IS NULL OR left_at >= entered_at),
  rule_version INTEGER CHECK (rule_version IS NULL OR rule_version >= 1),  -- NULL: changed by hand
  source       TEXT NOT NULL DEFAULT 'rule' CHECK (source = 'rule' OR source = 'manual')
) STRICT;
-- At most one open stay per (segment, customer); serves "current members" and rule references.
CREATE UNIQUE INDEX segment_membership_current ON segment_membership(segment_id, customer_id)
  WHERE left_at IS NULL;
CREATE INDEX segment_membership_by_customer ON segment_membership(customer_id, segment_id);
CREATE INDEX segment_membership_entered ON segment_membership(segment_id, entered_at);
CREATE INDEX segment_membership_left ON segment_membership(segment_id, left_at) WHERE left_at IS NOT NULL;
