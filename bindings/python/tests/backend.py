"""The store a test opens: ":memory:" by default, or a fresh tenant of the PostgreSQL server
when the suite runs as its PostgreSQL variant (ctest's pg.python.binding sets
CRMKIT_TEST_BACKEND=postgresql beside CRMKIT_TEST_POSTGRES; run_on_postgres.py). Tests about
files (paths, modes, the file's bytes) keep opening files."""
import itertools
import os
import random

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
