#!/usr/bin/env python3
"""The binding's suite on PostgreSQL: every test that opens backend.test_database() gets a
fresh tenant of the server named by CRMKIT_TEST_POSTGRES. Exits 77 (skip) without a server,
unless CRMKIT_REQUIRE_POSTGRES=1."""
import os
import pathlib
import sys
import unittest

if __name__ == "__main__":
    if not os.environ.get("CRMKIT_TEST_POSTGRES"):
        if os.environ.get("CRMKIT_REQUIRE_POSTGRES") == "1":
            print("FAIL: CRMKIT_REQUIRE_POSTGRES=1 but CRMKIT_TEST_POSTGRES is unset")
            sys.exit(1)
        print("SKIP: CRMKIT_TEST_POSTGRES is not set (make test starts a private server)")
        sys.exit(77)
    os.environ["CRMKIT_TEST_BACKEND"] = "postgresql"
    here = pathlib.Path(__file__).resolve().parent
    suite = unittest.defaultTestLoader.discover(str(here), top_level_dir=str(here))
    result = unittest.TextTestRunner(verbosity=1).run(suite)
    sys.exit(0 if result.wasSuccessful() else 1)
