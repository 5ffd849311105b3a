#!/usr/bin/env python3
"""The SQLite and PostgreSQL migrations produce the same logical schema.

Applies src/schema/NNNN_*.sql in order to an in-memory SQLite database and
src/schema/postgresql/NNNN_*.sql in order to a fresh, uniquely named schema on the server named
by CRMKIT_TEST_POSTGRES (a libpq URI, used through psql), reads the logical schema back from
each catalog and compares: tables, columns in order (normalised types, NOT NULL, defaults,
rowid alias ~ identity), primary keys, unique constraints, foreign keys (columns, target,
ON DELETE / ON UPDATE), named indexes (columns, uniqueness, partial predicate), views and their
columns, triggers (table, timing, event), the number of CHECK constraints per table and the rows
the migrations seed. Then runs the same writes on both (rows each CHECK or trigger must refuse,
and rows both must accept) and compares the outcomes.

Prints every difference and exits 1 if there is any; exits 0 with a one-line summary; exits 77
(skip) when CRMKIT_TEST_POSTGRES is not set. Python 3 standard library only.
"""
import math
import os
import pathlib
import re
import sqlite3
import subprocess
import sys
import uuid

ROOT = pathlib.Path(__file__).resolve().parents[2]
SQLITE_DIR = ROOT / "src" / "schema"
PG_DIR = SQLITE_DIR / "postgresql"
PSQL = os.environ.get("CRMKIT_PSQL", "psql")
NAME = re.compile(r"^(\d{4})_[a-z0-9_]+\.sql$")

TYPES = {"INTEGER": "bigint", "REAL": "double precision", "TEXT": "text", "BLOB": "bytea"}
FK_ACTIONS = {"a": "NO ACTION", "r": "RESTRICT", "c": "CASCADE", "n": "SET NULL", "d": "SET DEFAULT"}


def migration_files(folder):
    return sorted(p for p in folder.iterdir() if p.is_file() and NAME.match(p.name))


# ---- PostgreSQL through psql ------------------------------------------------------------------

class Psql:
    def __init__(self, uri, schema):
        self.uri, self.schema = uri, schema

    def run(self, args, stdin=None, search_path=True):
        cmd = [PSQL, self.uri, "-X", "-q", "-At", "-v", "ON_ERROR_STOP=1"]
        if search_path:
            cmd += ["-c", f'SET search_path TO "{self.schema}"']
        if stdin is not None:
            args = args + ["-f", "-"]   # psql reads no stdin once -c is given, unless told to
        r = subprocess.run(cmd + args, input=stdin, capture_output=True, text=True)
        if r.returncode != 0:
            raise RuntimeError(f"psql failed ({r.returncode}): {' '.join(args)}\n{r.stderr.strip()}")
        return r.stdout

    def rows(self, tables):
        """Every row of each table, as sorted 'a|b|c' lines, in one psql call."""
        script = "".join(f'\\echo @@{t}\nSELECT * FROM "{t}";\n' for t in tables)
        out, current = {t: [] for t in tables}, None
        for line in self.run(["-F", "|"], stdin=script).splitlines():
            if line.startswith("@@") and line[2:] in out:
                current = line[2:]
            elif line:
                out[current].append(line)
        return {t: sorted(v) for t, v in out.items()}


# ---- reading the logical schema --------------------------------------------------------------

def strip_sql(text):
    """SQL text without comments and string literals (for counting keywords)."""
    return re.sub(r"--[^\n]*|/\*.*?\*/|'(?:[^']|'')*'", " ", text, flags=re.S)


def norm_expr(text):
    """An index predicate or default, comparable across dialects."""
    if text is None:
        return None
    t = re.sub(r"::[a-z ]+?(?=[)\s,]|$)", "", text.strip())   # PostgreSQL's ::text casts
    t = t.replace("(", " ").replace(")", " ")
    return re.sub(r"\s+", " ", t).strip().lower()


def sqlite_logical(conn):
    tables, views, triggers = {}, {}, {}
    rows = conn.execute("SELECT type, name, tbl_name, sql FROM sqlite_schema "
                        "WHERE name NOT LIKE 'sqlite_%' ORDER BY name").fetchall()
    for kind, name, tbl, sql in rows:
        if kind == "view":
            views[name] = [(c[1], TYPES.get((c[2] or "").upper(), c[2])) for c in
                           conn.execute(f'PRAGMA table_info("{name}")')]
        elif kind == "trigger":
            m = re.match(r"\s*CREATE\s+TRIGGER\s+(\w+)\s+(BEFORE|AFTER|INSTEAD\s+OF)\s+(INSERT|UPDATE|DELETE)"
                         r"\s+ON\s+(\w+)", strip_sql(sql), re.I)
            triggers[name] = (m.group(4), m.group(2).upper(), m.group(3).upper()) if m else ("?", "?", "?")
        elif kind == "table":
            flat = strip_sql(sql)
            strict = re.search(r"\)\s*(?:WITHOUT\s+ROWID\s*,\s*)?STRICT\b", flat, re.I) is not None
            no_rowid = re.search(r"WITHOUT\s+ROWID", flat, re.I) is not None
            info = conn.execute(f'PRAGMA table_info("{name}")').fetchall()
            pk = [c[1] for c in sorted((c for c in info if c[5] > 0), key=lambda c: c[5])]
            cols = []
            for cid, col, typ, notnull, dflt, pkpos in info:
                alias = (not no_rowid and pk == [col] and typ.upper() == "INTEGER")
                # A PRIMARY KEY column of a STRICT or WITHOUT ROWID table refuses NULL (and a rowid
                # alias cannot hold one), though table_info shows notnull 0 for it.
                nn = bool(notnull) or (pkpos > 0 and (strict or no_rowid or alias))
                cols.append((col, TYPES.get(typ.upper(), typ), nn, None if alias else norm_expr(dflt), alias))
            uniques, indexes = set(), {}
            for _, iname, unique, origin, partial in conn.execute(f'PRAGMA index_list("{name}")'):
                icols = tuple(r[2] for r in conn.execute(f'PRAGMA index_info("{iname}")'))
                if origin == "u":
                    uniques.add(icols)
                elif origin == "c":
                    isql = conn.execute("SELECT sql FROM sqlite_schema WHERE name = ?", (iname,)).fetchone()[0]
                    m = re.search(r"\bWHERE\b(.*)$", strip_sql(isql), re.I | re.S)
                    pred = None
                    if m:   # keep literals: re-extract from the raw text
                        m = re.search(r"\bWHERE\b(.*)$", re.sub(r"--[^\n]*", " ", isql), re.I | re.S)
                        pred = norm_expr(m.group(1).rstrip(";"))
                    indexes[iname] = (icols, bool(unique), bool(partial), pred)
            fks = {}
            for fid, seq, target, frm, to, on_update, on_delete, _ in conn.execute(
                    f'PRAGMA foreign_key_list("{name}")'):
                f = fks.setdefault(fid, {"from": [], "to": [], "table": target,
                                         "on_delete": on_delete, "on_update": on_update})
                f["from"].append(frm)
                f["to"].append(to)
            fkset = {(tuple(f["from"]), f["table"], tuple(f["to"]), f["on_delete"], f["on_update"])
                     for f in fks.values()}
            checks = len(re.findall(r"\bCHECK\b", flat, re.I))
            tables[name] = {"columns": cols, "pk": tuple(pk), "unique": uniques, "indexes": indexes,
                            "fks": fkset, "checks": checks}
    return tables, views, triggers


PG_CATALOG_QUERY = r"""
WITH s AS (SELECT oid FROM pg_namespace WHERE nspname = :'schema'),
rel AS (SELECT c.oid, c.relname, c.relkind FROM pg_class c WHERE c.relnamespace = (SELECT oid FROM s)),
cols AS (
  SELECT a.attrelid, json_agg(json_build_array(a.attname, format_type(a.atttypid, a.atttypmod), a.attnotnull,
                                               pg_get_expr(d.adbin, d.adrelid), a.attidentity <> '')
                              ORDER BY a.attnum) AS j
  FROM pg_attribute a LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
  WHERE a.attnum > 0 AND NOT a.attisdropped AND a.attrelid IN (SELECT oid FROM rel)
  GROUP BY a.attrelid),
cons AS (
  SELECT k.conrelid, json_agg(json_build_array(
           k.contype,
           (SELECT json_agg(a.attname ORDER BY o) FROM unnest(k.conkey) WITH ORDINALITY u(n, o)
              JOIN pg_attribute a ON a.attrelid = k.conrelid AND a.attnum = u.n),
           (SELECT r.relname FROM pg_class r WHERE r.oid = k.confrelid),
           (SELECT n.nspname FROM pg_class r JOIN pg_namespace n ON n.oid = r.relnamespace WHERE r.oid = k.confrelid),
           (SELECT json_agg(a.attname ORDER BY o) FROM unnest(k.confkey) WITH ORDINALITY u(n, o)
              JOIN pg_attribute a ON a.attrelid = k.confrelid AND a.attnum = u.n),
           k.confdeltype, k.confupdtype, k.condeferrable)) AS j
  FROM pg_constraint k WHERE k.conrelid IN (SELECT oid FROM rel) GROUP BY k.conrelid),
idx AS (
  SELECT i.indrelid, json_agg(json_build_array(
           ic.relname,
           (SELECT json_agg(a.attname ORDER BY o) FROM unnest(i.indkey::int2[]) WITH ORDINALITY u(n, o)
              JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = u.n),
           i.indisunique, i.indpred IS NOT NULL, pg_get_expr(i.indpred, i.indrelid))) AS j
  FROM pg_index i JOIN pg_class ic ON ic.oid = i.indexrelid
  WHERE i.indrelid IN (SELECT oid FROM rel)
    AND NOT EXISTS (SELECT 1 FROM pg_constraint k WHERE k.conindid = i.indexrelid AND k.contype IN ('p', 'u', 'x'))
  GROUP BY i.indrelid),
trg AS (
  SELECT json_agg(json_build_array(t.tgname, r.relname, t.tgtype, p.proname,
                                   p.pronamespace = (SELECT oid FROM s))) AS j
  FROM pg_trigger t JOIN rel r ON r.oid = t.tgrelid JOIN pg_proc p ON p.oid = t.tgfoid
  WHERE NOT t.tgisinternal)
SELECT json_build_object(
  'relations', (SELECT json_agg(json_build_object('name', rel.relname, 'kind', rel.relkind, 'columns', cols.j,
                                                  'constraints', cons.j, 'indexes', idx.j))
                FROM rel LEFT JOIN cols ON cols.attrelid = rel.oid LEFT JOIN cons ON cons.conrelid = rel.oid
                LEFT JOIN idx ON idx.indrelid = rel.oid
                WHERE rel.relkind IN ('r', 'p', 'v')),
  'triggers', (SELECT j FROM trg))
"""


def pg_logical(db):
    import json
    out = db.run(["-v", f"schema={db.schema}"], stdin=PG_CATALOG_QUERY)
    data = json.loads(out)
    tables, views, triggers, problems = {}, {}, {}, []
    for r in data["relations"] or []:
        cols = [(c[0], c[1], bool(c[2]), None if c[4] else norm_expr(c[3]), bool(c[4])) for c in r["columns"] or []]
        if r["kind"] == "v":
            views[r["name"]] = [(c[0], c[1]) for c in cols]
            continue
        pk, uniques, fks, checks = (), set(), set(), 0
        for contype, keys, ftable, fschema, fkeys, deltype, updtype, deferrable in r["constraints"] or []:
            if contype == "p":
                pk = tuple(keys)
            elif contype == "u":
                uniques.add(tuple(keys))
            elif contype == "c":
                checks += 1
            elif contype == "f":
                if fschema != db.schema:
                    problems.append(f"{r['name']}: foreign key to another schema {fschema}.{ftable}")
                if deferrable:
                    problems.append(f"{r['name']}: deferrable foreign key to {ftable} (SQLite's are immediate)")
                fks.add((tuple(keys), ftable, tuple(fkeys), FK_ACTIONS[deltype], FK_ACTIONS[updtype]))
        indexes = {name: (tuple(icols), bool(unique), bool(partial), norm_expr(pred))
                   for name, icols, unique, partial, pred in r["indexes"] or []}
        tables[r["name"]] = {"columns": cols, "pk": pk, "unique": uniques, "indexes": indexes,
                             "fks": fks, "checks": checks}
    for name, table, tgtype, proname, own_schema in data["triggers"] or []:
        timing = "BEFORE" if tgtype & 2 else ("INSTEAD OF" if tgtype & 64 else "AFTER")
        events = [e for bit, e in ((4, "INSERT"), (8, "DELETE"), (16, "UPDATE"), (32, "TRUNCATE")) if tgtype & bit]
        if not tgtype & 1:
            problems.append(f"trigger {name}: a statement trigger (SQLite's are FOR EACH ROW)")
        if proname != name or not own_schema:
            problems.append(f"trigger {name}: calls {proname}(), not a function of the same name in the tenant schema")
        triggers[name] = (table, timing, "/".join(events))
    return tables, views, triggers, problems


def compare(lite, pg, diffs):
    lt, lv, ltr = lite
    pt, pv, ptr = pg
    for name in sorted(set(lt) | set(pt)):
        if name not in pt:
            diffs.append(f"table {name}: only in SQLite")
            continue
        if name not in lt:
            diffs.append(f"table {name}: only in PostgreSQL")
            continue
        a, b = lt[name], pt[name]
        an, bn = [c[0] for c in a["columns"]], [c[0] for c in b["columns"]]
        if an != bn:
            diffs.append(f"table {name}: columns SQLite {an} vs PostgreSQL {bn}")
        bcols = {c[0]: c for c in b["columns"]}
        for c in a["columns"]:
            d = bcols.get(c[0])
            if d is None:
                continue
            for i, what in ((1, "type"), (2, "NOT NULL"), (3, "default"), (4, "rowid alias / identity")):
                if c[i] != d[i]:
                    diffs.append(f"table {name}.{c[0]}: {what} SQLite {c[i]!r} vs PostgreSQL {d[i]!r}")
        for key, what in (("pk", "primary key"), ("unique", "unique constraints"), ("fks", "foreign keys"),
                          ("checks", "CHECK constraints (count)")):
            if a[key] != b[key]:
                x, y = a[key], b[key]
                if isinstance(x, set):
                    x, y = sorted(x - y), sorted(y - x)
                    diffs.append(f"table {name}: {what} only in SQLite {x}, only in PostgreSQL {y}")
                else:
                    diffs.append(f"table {name}: {what} SQLite {x!r} vs PostgreSQL {y!r}")
        for iname in sorted(set(a["indexes"]) | set(b["indexes"])):
            x, y = a["indexes"].get(iname), b["indexes"].get(iname)
            if x != y:
                diffs.append(f"index {name}.{iname}: SQLite {x} vs PostgreSQL {y} "
                             "(columns, unique, partial, predicate)")
    for name in sorted(set(lv) | set(pv)):
        if lv.get(name) != pv.get(name):
            diffs.append(f"view {name}: SQLite {lv.get(name)} vs PostgreSQL {pv.get(name)}")
    for name in sorted(set(ltr) | set(ptr)):
        if ltr.get(name) != ptr.get(name):
            diffs.append(f"trigger {name}: SQLite {ltr.get(name)} vs PostgreSQL {ptr.get(name)} (table, timing, event)")


# ---- seeded rows and behaviour ----------------------------------------------------------------

def seeded_rows(tables, lite_conn, db):
    """Tables the migrations leave rows in must hold the same rows."""
    lite = {}
    for t in sorted(tables):
        rows = lite_conn.execute(f'SELECT * FROM "{t}"').fetchall()
        if rows:
            lite[t] = sorted("|".join(fmt(v) for v in r) for r in rows)
    pg = {t: v for t, v in db.rows(sorted(tables)).items() if v}
    return lite, pg


def fmt(v):
    if v is None:
        return ""
    if isinstance(v, float) and v.is_integer():
        return str(int(v))   # psql prints 1.0 as 1
    return str(v)


# Rows every case builds on. Ids are left to the database (1, 2, 3 on both, each table being
# new): a BY DEFAULT identity does not move past ids written explicitly, so rows with explicit
# ids here would make later inserts without one collide on PostgreSQL only (see the report of
# this test's commit: the SQL layer has to advance the identity after explicit ids).
SETUP = [
    "INSERT INTO customers(created_at, updated_at) VALUES (0, 0)",
    "INSERT INTO customers(created_at, updated_at, phone, birth_date, country, attributes) "
    "VALUES (0, 0, '+393331234567', '2024-02-29', 'IT', '{\"a\": [1, 2]}')",
    "INSERT INTO interactions(customer_id, occurred_at, channel, kind, amount, currency) "
    "VALUES (1, 0, 'store', 'purchase', 100, 'USD')",
    "INSERT INTO survey_responses(customer_id, kind, scale_min, scale_max, direction, score, occurred_at, "
    "channel, interaction_id) VALUES (1, 'nps', 0, 10, 'higher_is_better', 9, 0, 'web', 1)",
    "INSERT INTO points_programmes(name, currency, points_per_unit, unit_minor, points_per_order, consumption, "
    "pending_days, refund_policy, tier_metric, tier_window_days, review_period_days, grace_days, created_at) "
    "VALUES ('p', 'EUR', 1, 100, 0, 'fifo', 0, 'reject', 'points', 365, 30, 0, 0)",
    "INSERT INTO points_requests(programme_id, external_id, kind, fingerprint, points, created_at) "
    "VALUES (1, 'r1', 'adjust', 'f', 5, 0)",
    "INSERT INTO points_ledger(programme_id, customer_id, request_id, kind, points, created_at, effective_at) "
    "VALUES (1, 1, 1, 'adjust', 5, 0, 0)",
    "INSERT INTO customers(created_at, updated_at) VALUES (0, 0)",
    "INSERT INTO customer_rfm(customer_id, last_purchase_at, frequency, monetary, r_score, f_score, m_score, "
    "rfm_score, segment) VALUES (3, 0, 1, 1, 1, 1, 1, 111, 's')",
    "INSERT INTO customer_score_values(customer_id, p_alive) VALUES (3, 0.5)",
]


def customer(col, value):
    return f"INSERT INTO customers(created_at, updated_at, {col}) VALUES (0, 0, {value})"


# (what, SQLite statement, PostgreSQL statement or None for the same, SQLite parameters, expected)
# expected: "accept", "value:<text>" for a query's first value, or "refuse:<why>", where <why>
# names the error each side must give (REASONS), so that a row refused for another reason (a
# duplicate id, a missing table) does not pass for a CHECK at work.
REASONS = {   # why: (PostgreSQL SQLSTATE, SQLite message pattern or None: the same message on both)
    "check": ("23514", r"CHECK constraint failed"),
    # SQLite evaluates json_valid() first and fails the CHECK; PostgreSQL's cast to json raises.
    "json": ("22P02", r"CHECK constraint failed"),
    "notnull": ("23502", r"NOT NULL constraint failed"),
    "unique": ("23505", r"UNIQUE constraint failed"),
    "fk": ("23503", r"FOREIGN KEY constraint failed"),
    "trigger": ("23000", None),
    # SQLite stores NaN as NULL, which NOT NULL refuses; PostgreSQL keeps NaN, which the CHECK refuses.
    "nan": ("23514", r"NOT NULL constraint failed"),
}

CASES = [
    ("customers.kind not in the enumeration", customer("kind", "'robot'"), None, (), "refuse:check"),
    ("customers.phone without +", customer("phone", "'00393331234567'"), None, (), "refuse:check"),
    ("customers.phone +0", customer("phone", "'+0393331234567'"), None, (), "refuse:check"),
    ("customers.birth_date month 13", customer("birth_date", "'2024-13-01'"), None, (), "refuse:check"),
    ("customers.birth_date day 32", customer("birth_date", "'2024-01-32'"), None, (), "refuse:check"),
    ("customers.birth_date one-digit month", customer("birth_date", "'2024-1-01'"), None, (), "refuse:check"),
    ("customers.birth_date with a time", customer("birth_date", "'2024-01-01 00:00'"), None, (), "refuse:check"),
    ("customers.birth_date not a date", customer("birth_date", "'soon'"), None, (), "refuse:check"),
    # SQLite's date() does not check the day against the month: both accept (the library checks).
    ("customers.birth_date 2023-02-31 (day <= 31)", customer("birth_date", "'2023-02-31'"), None, (), "accept"),
    ("customers.gender Q", customer("gender", "'Q'"), None, (), "refuse:check"),
    ("customers.country lower case", customer("country", "'it'"), None, (), "refuse:check"),
    ("customers.country three letters", customer("country", "'ITA'"), None, (), "refuse:check"),
    ("customers.country with a newline", customer("country", "'I' || char(10)"),
     customer("country", "'I' || chr(10)"), (), "refuse:check"),
    ("customers.attributes a JSON array", customer("attributes", "'[1]'"), None, (), "refuse:check"),
    ("customers.attributes a JSON string", customer("attributes", "'\"x\"'"), None, (), "refuse:check"),
    ("customers.attributes not JSON", customer("attributes", "'{a: 1}'"), None, (), "refuse:json"),
    ("customers.attributes NULL", customer("attributes", "NULL"), None, (), "refuse:notnull"),
    ("customers.acquisition_cost without currency", customer("acquisition_cost", "5"), None, (), "refuse:check"),
    ("customers.external_id twice", customer("external_id", "'e1'"), None, (), "accept"),
    ("customers.external_id twice (repeat)", customer("external_id", "'e1'"), None, (), "refuse:unique"),
    ("customer_tags.tag empty", "INSERT INTO customer_tags VALUES (1, '')", None, (), "refuse:check"),
    ("interactions purchase with a negative amount",
     "INSERT INTO interactions(customer_id, occurred_at, channel, kind, amount, currency) "
     "VALUES (1, 0, 'web', 'purchase', -1, 'USD')", None, (), "refuse:check"),
    ("interactions note with an amount",
     "INSERT INTO interactions(customer_id, occurred_at, channel, kind, amount, currency) "
     "VALUES (1, 0, 'web', 'note', 5, 'USD')", None, (), "refuse:check"),
    ("interactions channel fax",
     "INSERT INTO interactions(customer_id, occurred_at, channel, kind) VALUES (1, 0, 'fax', 'note')",
     None, (), "refuse:check"),
    ("interactions of a missing customer (foreign key)",
     "INSERT INTO interactions(customer_id, occurred_at, channel, kind) VALUES (999, 0, 'web', 'note')",
     None, (), "refuse:fk"),
    ("interactions.natural_key of 15 bytes",
     "INSERT INTO interactions(customer_id, occurred_at, channel, kind, natural_key) "
     "VALUES (1, 0, 'web', 'note', zeroblob(15))",
     "INSERT INTO interactions(customer_id, occurred_at, channel, kind, natural_key) "
     "VALUES (1, 0, 'web', 'note', decode(repeat('00', 15), 'hex'))", (), "refuse:check"),
    ("interactions.natural_key of 16 bytes, twice (no unique index since 0011)",
     "INSERT INTO interactions(customer_id, occurred_at, channel, kind, natural_key) "
     "VALUES (1, 0, 'web', 'note', zeroblob(16)), (1, 0, 'web', 'note', zeroblob(16))",
     "INSERT INTO interactions(customer_id, occurred_at, channel, kind, natural_key) "
     "VALUES (1, 0, 'web', 'note', decode(repeat('00', 16), 'hex')), "
     "(1, 0, 'web', 'note', decode(repeat('00', 16), 'hex'))", (), "accept"),
    ("survey nps score 7.5",
     "INSERT INTO survey_responses(customer_id, kind, scale_min, scale_max, direction, score, occurred_at, channel) "
     "VALUES (1, 'nps', 0, 10, 'higher_is_better', 7.5, 0, 'web')", None, (), "refuse:check"),
    ("survey custom score 7.5",
     "INSERT INTO survey_responses(customer_id, kind, scale_min, scale_max, direction, score, occurred_at, channel) "
     "VALUES (1, 'custom', 0, 10, 'higher_is_better', 7.5, 0, 'web')", None, (), "accept"),
    ("survey nps score 11",
     "INSERT INTO survey_responses(customer_id, kind, scale_min, scale_max, direction, score, occurred_at, channel) "
     "VALUES (1, 'nps', 0, 10, 'higher_is_better', 11, 0, 'web')", None, (), "refuse:check"),
    ("survey linked to another customer's interaction (trigger)",
     "INSERT INTO survey_responses(customer_id, kind, scale_min, scale_max, direction, score, occurred_at, channel, "
     "interaction_id) VALUES (2, 'nps', 0, 10, 'higher_is_better', 5, 0, 'web', 1)", None, (), "refuse:trigger"),
    ("survey update (trigger)", "UPDATE survey_responses SET comment = 'x' WHERE id = 1", None, (), "refuse:trigger"),
    ("survey delete (trigger)", "DELETE FROM survey_responses WHERE id = 1", None, (), "refuse:trigger"),
    ("points_ledger update (trigger)", "UPDATE points_ledger SET reason = 'x' WHERE id = 1", None, (), "refuse:trigger"),
    ("points_ledger delete (trigger)", "DELETE FROM points_ledger WHERE id = 1", None, (), "refuse:trigger"),
    ("points_ledger earn of negative points",
     "INSERT INTO points_ledger(programme_id, customer_id, request_id, kind, points, created_at, effective_at) "
     "VALUES (1, 1, 1, 'earn', -5, 0, 0)", None, (), "refuse:check"),
    ("value_models.currency lower case",
     "INSERT INTO value_models(kind, params, fitted_at, currency) VALUES ('gg', '{}', 0, 'usd')",
     None, (), "refuse:check"),
    ("value_models.params a JSON array",
     "INSERT INTO value_models(kind, params, fitted_at) VALUES ('gg', '[]', 0)", None, (), "refuse:check"),
    ("value_models.penalizer_coef NaN",
     "INSERT INTO value_models(kind, params, fitted_at, penalizer_coef) VALUES ('gg', '{}', 0, ?)",
     "INSERT INTO value_models(kind, params, fitted_at, penalizer_coef) VALUES ('gg', '{}', 0, 'NaN')",
     (math.nan,), "refuse:nan"),
    ("value_models.penalizer_coef +infinity",
     "INSERT INTO value_models(kind, params, fitted_at, penalizer_coef) VALUES ('gg', '{}', 0, 1e999)",
     "INSERT INTO value_models(kind, params, fitted_at, penalizer_coef) VALUES ('gg', '{}', 0, 'Infinity')",
     (), "refuse:check"),
    ("rfm_maps.definition not JSON",
     "INSERT INTO rfm_maps(name, version, definition) VALUES ('m', 1, '{')", None, (), "refuse:json"),
    ("rfm_maps.definition any JSON value",
     "INSERT INTO rfm_maps(name, version, definition) VALUES ('m', 1, '[1]')", None, (), "accept"),
    ("rfm_run id 2", "INSERT INTO rfm_run(id, as_of, map_name, map_version) VALUES (2, 0, 'm', 1)",
     None, (), "refuse:check"),
    ("lifecycle_rule window_days 0", "UPDATE lifecycle_rule SET window_days = 0", None, (), "refuse:check"),
    ("deleting a customer with interactions (foreign key)", "DELETE FROM customers WHERE id = 1",
     None, (), "refuse:fk"),
    ("deleting a customer", "DELETE FROM customers WHERE id = 3", None, (), "accept"),
    ("customer_rfm follows the deleted customer (trigger)",
     "SELECT count(*) FROM customer_rfm WHERE customer_id = 3", None, (), "value:0"),
    ("customer_score_values follow the deleted customer (trigger)",
     "SELECT count(*) FROM customer_score_values WHERE customer_id = 3", None, (), "value:0"),
    ("the customer_scores view reads nothing without a run", "SELECT count(*) FROM customer_scores",
     None, (), "value:0"),
]

PG_TRY = r"""
CREATE FUNCTION pg_temp.crmkit_try(q text, want_value boolean) RETURNS text LANGUAGE plpgsql AS $f$
DECLARE v text;
BEGIN
  IF want_value THEN EXECUTE q INTO v; RETURN 'value:' || coalesce(v, 'NULL'); END IF;
  EXECUTE q;
  RETURN 'accept';
EXCEPTION WHEN OTHERS THEN
  RETURN 'refuse ' || SQLSTATE || ' ' || replace(SQLERRM, E'\n', ' ');
END
$f$;
"""


def dollar(q):
    assert "$crmkit_q$" not in q
    return f"$crmkit_q${q}$crmkit_q$"


def behaviour(lite_conn, db, diffs):
    for q in SETUP:
        try:
            lite_conn.execute(q)
        except sqlite3.Error as e:
            diffs.append(f"behaviour setup refused by SQLite: {q}: {e}")
    script = [PG_TRY]
    for q in SETUP:
        script.append(f"SELECT pg_temp.crmkit_try({dollar(q)}, false);")
    for what, lq, pq, params, expected in CASES:
        want = "true" if expected.startswith("value:") else "false"
        script.append(f"SELECT pg_temp.crmkit_try({dollar(pq or lq)}, {want});")
    lines = db.run([], stdin="\n".join(script)).splitlines()
    lines = [line for line in lines if line]
    if len(lines) != len(SETUP) + len(CASES):
        diffs.append(f"behaviour: psql gave {len(lines)} results for {len(SETUP) + len(CASES)} statements")
        return 0
    for q, line in zip(SETUP, lines):
        if line != "accept":
            diffs.append(f"behaviour setup refused by PostgreSQL: {q}: {line}")
    report = []
    for (what, lq, pq, params, expected), line in zip(CASES, lines[len(SETUP):]):
        try:
            cur = lite_conn.execute(lq, params)
            lite = f"value:{cur.fetchone()[0]}" if expected.startswith("value:") else "accept"
        except sqlite3.Error as e:
            lite = f"refuse {type(e).__name__} {e}"
        kind = expected.split(":")[0] if expected.startswith("refuse") else expected
        for side, got in (("SQLite", lite), ("PostgreSQL", line)):
            if got.split(" ")[0] != kind:
                diffs.append(f"behaviour '{what}': {side} gave {got!r}, expected {expected}")
        if kind == "refuse" and lite.startswith("refuse") and line.startswith("refuse"):
            state, pattern = REASONS[expected.split(":")[1]]
            lite_msg = lite.split(" ", 2)[2]
            pg_state, pg_msg = line.split(" ", 2)[1:]
            if pg_state != state:
                diffs.append(f"behaviour '{what}': PostgreSQL refused with {pg_state} ({pg_msg}), expected {state}")
            if pattern and not re.match(pattern, lite_msg):
                diffs.append(f"behaviour '{what}': SQLite refused with '{lite_msg}', expected /{pattern}/")
            if pattern is None and lite_msg != pg_msg:
                diffs.append(f"behaviour '{what}': messages differ: SQLite '{lite_msg}' vs PostgreSQL '{pg_msg}'")
        report.append((what, lite, line))
    # PostgreSQL only: a trigger reaches its tables in the schema of the table that fired, not
    # through the session's search_path (a host may write "tenant".customers from any path).
    q = f'"{db.schema}"'
    try:
        out = db.run(["-c", f"INSERT INTO {q}.customer_rfm(customer_id, last_purchase_at, frequency, monetary, r_score, "
                            f"f_score, m_score, rfm_score, segment) VALUES (2, 0, 1, 1, 1, 1, 1, 111, 's')",
                      "-c", f"INSERT INTO {q}.customer_score_values(customer_id) VALUES (2)",
                      "-c", "SET search_path TO pg_catalog",
                      "-c", f"DELETE FROM {q}.customers WHERE id = 2",
                      "-c", f"SELECT (SELECT count(*) FROM {q}.customer_rfm WHERE customer_id = 2) + "
                            f"(SELECT count(*) FROM {q}.customer_score_values WHERE customer_id = 2)"],
                     search_path=False)
    except RuntimeError as e:
        out = f"an error: {e}"
    if out.strip() != "0":
        diffs.append(f"behaviour: deleting a customer under another search_path should leave 0 rows of it in "
                     f"customer_rfm and customer_score_values, got: {out.strip()}")
    if os.environ.get("CRMKIT_SCHEMA_VERBOSE"):
        for what, lite, pg in report:
            print(f"  {what}\n    SQLite:     {lite}\n    PostgreSQL: {pg}")
    return len(CASES)


# ---- data conversions -------------------------------------------------------------------------

# Rows written as a store at version 8 would hold them, before 0009 (month figures), 0010
# (purchase histories) and 0012 (scores split) convert them. A PostgreSQL tenant is born at the
# latest version, so its conversions never see rows in practice; they are still run here on the
# same rows as SQLite's so that the PostgreSQL files mean what the SQLite ones do.
BACKFILL_AT = 8
BACKFILL_ROWS = [
    "INSERT INTO customers(id, created_at, updated_at) VALUES (1, 0, 0), (2, 0, 0)",
    # Instants around 1970 (negative ms floor to the month / day before), month ends, large
    # amounts (amount >> 32 and amount & 0xFFFFFFFF, also of negative refunds), notes.
    "INSERT INTO interactions(id, customer_id, occurred_at, channel, kind, amount, currency, margin) VALUES "
    "(1, 1, -1, 'store', 'purchase', 5000000000, 'EUR', 7), "
    "(2, 1, 0, 'store', 'purchase', 250, 'EUR', NULL), "
    "(3, 1, 86399999, 'web', 'purchase', 100, 'EUR', NULL), "
    "(4, 1, 2678399999, 'web', 'purchase', 1, 'USD', NULL), "
    "(5, 1, 2678400000, 'web', 'refund', -7000000001, 'USD', NULL), "
    "(6, 2, 1700000000000, 'email', 'purchase', 42, 'EUR', NULL), "
    "(7, 2, 1700000000001, 'email', 'note', NULL, NULL, NULL), "
    "(8, 2, 1700086400000, 'email', 'purchase', 8, 'EUR', NULL), "
    "(9, 2, -86400001, 'chat', 'inquiry', NULL, NULL, NULL)",
    "INSERT INTO customer_money(customer_id, currency, purchase_total, refund_total, margin_total) VALUES "
    "(1, 'EUR', 5000000350, 0, 7), (1, 'USD', 1, -7000000001, 0), (2, 'EUR', 50, 0, 0), (2, 'GBP', 0, -1, 0)",
    "INSERT INTO value_models(id, kind, params, fitted_at) VALUES (1, 'bgnbd', '{}', 0), (2, 'gg', '{}', 0)",
    "INSERT INTO customer_scores(customer_id, model_id, scored_at, p_alive, expected_purchases, horizon, "
    "horizon_unit, predicted_clv, currency, spend_model_id, expected_spend, repeat_purchases, discount_rate) VALUES "
    "(2, 1, 99, 0.25, 1.5, 30, 'day', 12.5, 'EUR', 2, 3.25, 1, 0.01), "
    "(1, 1, 99, 0.75, NULL, 30, 'day', NULL, 'EUR', 2, NULL, 0, 0.01)",
]
BACKFILL_TABLES = ["interaction_months", "customer_money", "score_run", "customer_score_values"]


def backfills(lite_files, pg_files, uri, diffs):
    conn = sqlite3.connect(":memory:", isolation_level=None)
    conn.create_function("crmkit_region_for_calling_code", 1, region_for_calling_code, deterministic=True)
    conn.execute("PRAGMA foreign_keys = ON")
    for phase in (lite_files[:BACKFILL_AT], None, lite_files[BACKFILL_AT:]):
        if phase is None:
            for q in BACKFILL_ROWS:
                conn.execute(q)
            continue
        for p in phase:
            conn.executescript("BEGIN;\n" + p.read_text() + "\nCOMMIT;")
    schema = f"crmkit_cmp_{os.getpid()}_{uuid.uuid4().hex[:8]}"
    db = Psql(uri, schema)
    db.run(["-c", f'CREATE SCHEMA "{schema}"'], search_path=False)
    try:
        args = ["-1"]
        for p in pg_files[:BACKFILL_AT]:
            args += ["-f", str(p)]
        for q in BACKFILL_ROWS:
            args += ["-c", q]
        for p in pg_files[BACKFILL_AT:]:
            args += ["-f", str(p)]
        try:
            db.run(args)
        except RuntimeError as e:
            diffs.append(f"data conversions: PostgreSQL migrations over version-{BACKFILL_AT} rows: {e}")
            return
        rows = 0
        pg_rows = db.rows(BACKFILL_TABLES)
        for t in BACKFILL_TABLES:
            lite = sorted("|".join(fmt(v) for v in r) for r in conn.execute(f'SELECT * FROM "{t}"'))
            pg = pg_rows[t]
            rows += len(lite)
            if not lite:
                diffs.append(f"data conversions: {t} is empty on SQLite (the fixture no longer exercises it)")
            if lite != pg:
                diffs.append(f"data conversions: {t}: SQLite {lite} vs PostgreSQL {pg}")
        return rows
    finally:
        try:
            db.run(["-c", f'DROP SCHEMA "{schema}" CASCADE'], search_path=False)
        except RuntimeError as e:
            print(f"warning: could not drop schema {schema}: {e}", file=sys.stderr)


# ---- main -------------------------------------------------------------------------------------

def region_for_calling_code(code):
    # Stand-in for the C++ function 0006 calls: a fresh store holds '' (no region).
    return {"1": "US", "44": "GB", "39": "IT"}.get(code or "", "")


def main():
    uri = os.environ.get("CRMKIT_TEST_POSTGRES")
    if not uri:
        print("SKIP: CRMKIT_TEST_POSTGRES is not set (make test starts a private server)")
        return 77
    lite_files, pg_files = migration_files(SQLITE_DIR), migration_files(PG_DIR)
    diffs = []
    if [p.name for p in lite_files] != [p.name for p in pg_files]:
        diffs.append(f"migration files differ: SQLite {[p.name for p in lite_files]} vs "
                     f"PostgreSQL {[p.name for p in pg_files]}")

    lite_conn = sqlite3.connect(":memory:", isolation_level=None)
    lite_conn.create_function("crmkit_region_for_calling_code", 1, region_for_calling_code, deterministic=True)
    lite_conn.execute("PRAGMA foreign_keys = ON")
    for p in lite_files:
        try:
            lite_conn.executescript("BEGIN;\n" + p.read_text() + "\nCOMMIT;")
        except sqlite3.Error as e:
            print(f"FAIL: SQLite migration {p.name}: {e}")
            return 1

    schema = f"crmkit_cmp_{os.getpid()}_{uuid.uuid4().hex[:8]}"
    db = Psql(uri, schema)
    try:
        db.run(["-c", f'CREATE SCHEMA "{schema}"'], search_path=False)
    except RuntimeError as e:
        print(f"FAIL: cannot create a schema on CRMKIT_TEST_POSTGRES: {e}")
        return 1
    try:
        args = ["-1"]   # one transaction, as the library applies them
        for p in pg_files:
            args += ["-f", str(p)]
        try:
            db.run(args)
        except RuntimeError as e:
            print(f"FAIL: PostgreSQL migrations: {e}")
            return 1
        lite = sqlite_logical(lite_conn)
        pt, pv, ptr, problems = pg_logical(db)
        diffs += problems
        compare(lite, (pt, pv, ptr), diffs)
        ls, ps = seeded_rows(set(lite[0]) & set(pt), lite_conn, db)
        if ls != ps:
            diffs.append(f"seeded rows: SQLite {ls} vs PostgreSQL {ps}")
        ncases = behaviour(lite_conn, db, diffs)
    finally:
        try:
            db.run(["-c", f'DROP SCHEMA "{schema}" CASCADE'], search_path=False)
        except RuntimeError as e:
            print(f"warning: could not drop schema {schema}: {e}", file=sys.stderr)

    converted = backfills(lite_files, pg_files, uri, diffs) or 0

    if diffs:
        for d in diffs:
            print(f"DIFF: {d}")
        print(f"FAIL: {len(diffs)} difference(s) between the SQLite and PostgreSQL schemas")
        return 1
    lt = lite[0]
    print(f"OK: {len(lite_files)} migrations, {len(lt)} tables, {sum(len(t['columns']) for t in lt.values())} columns, "
          f"{sum(len(t['indexes']) for t in lt.values())} indexes, {len(lite[1])} view(s), {len(lite[2])} triggers, "
          f"{sum(t['checks'] for t in lt.values())} CHECKs, {ncases} behaviour cases and {converted} converted rows agree")
    return 0


if __name__ == "__main__":
    sys.exit(main())
