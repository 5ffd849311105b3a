"""The store a test opens: ":memory:" by default, or a fresh tenant of the PostgreSQL server
when the suite runs as its PostgreSQL variant (ctest's pg.python.binding sets
CRMKIT_TEST_BACKEND=postgresql beside CRMKIT_TEST_POSTGRES; run_on_postgres.py). Tests about
files (paths, modes, the file's bytes) keep opening files.

A test that opens one store several times (a writer, a read-only handle) asks for
store_target(), and compares what it holds with store_digest()."""
import itertools
import os
import random
import sqlite3
import subprocess

import crmkit

_counter = itertools.count(1)
_salt = random.randrange(10 ** 6)


def testing_postgres():
    return os.environ.get("CRMKIT_TEST_BACKEND") == "postgresql" and bool(os.environ.get("CRMKIT_TEST_POSTGRES"))


def test_database(**options):
    """A private, empty store of the backend under test."""
    if not testing_postgres():
        return crmkit.Database(":memory:", **options)
    tenant = f"py{os.getpid()}_{_salt}_{next(_counter)}"
    return crmkit.Database(os.environ["CRMKIT_TEST_POSTGRES"], tenant=tenant, **options)


def _fresh_tenant():
    return f"py{os.getpid()}_{_salt}_{next(_counter)}"


def store_target(directory, name):
    """(target, options) naming one store to open with crmkit.Database(target, **options), as
    often as needed: a file `name` in `directory`, or a fresh tenant."""
    if not testing_postgres():
        return os.path.join(directory, name), {}
    return os.environ["CRMKIT_TEST_POSTGRES"], {"tenant": _fresh_tenant()}


# Every table of a tenant as the md5 of its rows' text in order. A session-local function (one
# psql session serves a whole test run), so each digest is one statement on a warm connection.
_DIGEST_FUNCTION = r"""
CREATE FUNCTION pg_temp.crmkit_digest(tenant text) RETURNS text LANGUAGE plpgsql AS $$
DECLARE t record; h text; out text := '';
BEGIN
  FOR t IN SELECT c.relname FROM pg_class AS c JOIN pg_namespace AS n ON n.oid = c.relnamespace
           WHERE n.nspname = tenant AND c.relkind = 'r' ORDER BY c.relname LOOP
    EXECUTE format('SELECT md5(coalesce(string_agg(r::text, chr(10) ORDER BY r::text), %L)) FROM %I.%I AS r',
                   '', tenant, t.relname) INTO h;
    out := out || t.relname || ' ' || h || chr(10);
  END LOOP;
  RETURN out;
END $$;
"""
_END = "-- crmkit digest end --"
_sessions = {}


def _psql_session(uri):
    session = _sessions.get(uri)
    if session is None or session.poll() is not None:
        psql = "psql"
        bindir = os.environ.get("CRMKIT_TEST_PG_BINDIR")
        if bindir and os.access(os.path.join(bindir, "psql"), os.X_OK):
            psql = os.path.join(bindir, "psql")
        session = subprocess.Popen([psql, "-X", "-q", "-A", "-t", "-v", "ON_ERROR_STOP=1", "-d", uri],
                                   stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
        session.stdin.write(_DIGEST_FUNCTION)
        _sessions[uri] = session
    return session


def store_digest(target, options):
    """Every row of the store as text: equal before and after means nothing was written. A file
    is read through Python's sqlite3, a tenant through psql (the server's own client)."""
    if "tenant" not in options:
        con = sqlite3.connect("file:%s?mode=ro" % target, uri=True)
        try:
            out = []
            names = [r[0] for r in con.execute("SELECT name FROM sqlite_schema WHERE type='table' ORDER BY name")]
            for t in names:
                out.append(t)
                out.extend(repr(r) for r in con.execute('SELECT * FROM "%s" ORDER BY 1, 2' % t))
            return "\n".join(out)
        finally:
            con.close()
    session = _psql_session(target)
    tenant = options["tenant"].replace("'", "''")
    session.stdin.write("SELECT pg_temp.crmkit_digest('%s');\n\\echo '%s'\n" % (tenant, _END))
    session.stdin.flush()
    lines = []
    for line in session.stdout:
        if line.rstrip("\n") == _END:
            break
        lines.append(line)
    else:
        raise RuntimeError("psql ended while reading the digest of tenant %s" % options["tenant"])
    text = "".join(lines)
    if not text.strip():
        raise RuntimeError("the digest of tenant %s is empty: no such tenant?" % options["tenant"])
    return text
