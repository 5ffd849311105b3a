#!/usr/bin/env python3
"""The same shop gives the same report on both backends.

Runs `crmkit demo` (the synthetic shop: customers, interactions, surveys, a points programme,
fitted models, RFM, segments) once into a SQLite file and once into a fresh tenant of the
server named by CRMKIT_TEST_POSTGRES, and compares the two reports' JSON: every figure must be
equal (floats to 1e-9 relative, as the two engines may sum in another order), only the
"database" entry may differ. Exits 77 (skip) without a server unless CRMKIT_REQUIRE_POSTGRES=1.

usage: same_report.py CRMKIT_COMMAND
"""
import json
import os
import subprocess
import sys
import tempfile
import uuid

CUSTOMERS = "1500"


def differences(a, b, path=""):
    def number(x):
        return isinstance(x, (int, float)) and not isinstance(x, bool)
    if number(a) and number(b):
        if not close(a, b):
            yield f"{path}: {a!r} vs {b!r}"
    elif isinstance(a, dict) and isinstance(b, dict):
        for k in sorted(set(a) | set(b)):
            if k not in a or k not in b:
                yield f"{path}/{k}: only on {'PostgreSQL' if k in b else 'SQLite'}"
            else:
                yield from differences(a[k], b[k], f"{path}/{k}")
    elif isinstance(a, list) and isinstance(b, list):
        if len(a) != len(b):
            yield f"{path}: {len(a)} items vs {len(b)}"
        for i, (x, y) in enumerate(zip(a, b)):
            yield from differences(x, y, f"{path}[{i}]")
    elif type(a) is not type(b) or a != b:
        yield f"{path}: {a!r:.80} vs {b!r:.80}"


def close(a, b):
    return a == b or abs(a - b) <= 1e-9 * max(1.0, abs(a), abs(b))


def demo(cli, db, *extra):
    r = subprocess.run([cli, "demo", "--db", db, "--customers", CUSTOMERS, "--json", *extra],
                       capture_output=True, text=True, timeout=600)
    if r.returncode != 0:
        sys.exit(f"FAIL: crmkit demo --db {db} exited {r.returncode}: {r.stderr.strip()[-2000:]}")
    return json.loads(r.stdout)


def main(argv):
    if len(argv) != 1:
        print(__doc__)
        return 2
    uri = os.environ.get("CRMKIT_TEST_POSTGRES")
    if not uri:
        if os.environ.get("CRMKIT_REQUIRE_POSTGRES") == "1":
            print("FAIL: CRMKIT_REQUIRE_POSTGRES=1 but CRMKIT_TEST_POSTGRES is unset")
            return 1
        print("SKIP: CRMKIT_TEST_POSTGRES is not set (make test starts a private server)")
        return 77
    cli = argv[0]
    with tempfile.TemporaryDirectory() as d:
        lite = demo(cli, os.path.join(d, "shop.db"))
    pg = demo(cli, uri, "--tenant", f"report_{os.getpid()}_{uuid.uuid4().hex[:8]}")
    lite.pop("database", None)
    pg.pop("database", None)
    found = list(differences(lite, pg))
    for line in found[:50]:
        print(line)
    if found:
        print(f"FAIL: {len(found)} difference(s) between the SQLite and the PostgreSQL report")
        return 1
    print(f"OK: the reports of {CUSTOMERS} customers agree ({len(json.dumps(lite))} bytes of JSON, "
          f"{len(lite)} sections)")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
