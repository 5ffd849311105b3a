#!/usr/bin/env python3
"""Checks that the areas under src/ include each other in one direction only.

The order is docs/ARCHITECTURE.md's: an area may include itself, the public headers
(crmkit/...) and any area of a lower rank, never one of the same rank or above. A new folder
under src/ must be given a rank here, so the order stays written down in one place.

Usage: check_layers.py SRC_DIR       exit 1 listing every include that goes the wrong way
       check_layers.py --self-test   the checker itself refuses an upward and a sideways include
"""
import os
import re
import sys
import tempfile

RANKS = {
    "base": 0,
    "io": 1,
    "analytics": 1,
    "plots": 1,  # SVG charts from plain data: base and the public headers only
    "store": 2,
    "customers": 3,
    "interactions": 4,
    "points": 5,
    "loyalty": 5,
    "segments": 5,
    "value": 5,
    "reports": 6,
    "ingest": 7,  # the one explicit table of what follows a recorded interaction
    "identity": 8,  # duplicates now; merge, erasure and subject export reach every area below
}
INCLUDE = re.compile(r'^\s*#\s*include\s+"([^"]+)"', re.M)


def violations(src):
    found = []
    for area in sorted(os.listdir(src)):
        folder = os.path.join(src, area)
        if not os.path.isdir(folder) or area == "schema":
            continue
        if area not in RANKS:
            found.append(f"src/{area}/: a folder without a rank in tests/check_layers.py")
            continue
        for root, _, files in os.walk(folder):
            for name in sorted(files):
                if not name.endswith((".hpp", ".cpp", ".h")):
                    continue
                path = os.path.join(root, name)
                with open(path, encoding="utf-8") as f:
                    text = f.read()
                for inc in INCLUDE.findall(text):
                    other = inc.split("/")[0] if "/" in inc else area
                    if other in (area, "crmkit"):
                        continue
                    rel = os.path.relpath(path, os.path.dirname(src))
                    if other not in RANKS:
                        found.append(f'{rel}: includes "{inc}", outside src/ and the public headers')
                    elif RANKS[other] >= RANKS[area]:
                        found.append(f'{rel}: includes "{inc}" ({other}, rank {RANKS[other]}) '
                                     f'from {area} (rank {RANKS[area]})')
    return found


def self_test():
    with tempfile.TemporaryDirectory() as d:
        src = os.path.join(d, "src")
        for area, body in {"store": '#include "customers/x.hpp"\n',      # upward
                           "points": '#include "loyalty/y.hpp"\n',       # sideways
                           "value": '#include "store/z.hpp"\n'}.items():  # allowed
            os.makedirs(os.path.join(src, area))
            with open(os.path.join(src, area, "a.cpp"), "w") as f:
                f.write(body)
        found = violations(src)
        assert len(found) == 2, found
        assert any("src/store/a.cpp" in v for v in found) and any("src/points/a.cpp" in v for v in found), found
    print("check_layers self-test: an upward and a sideways include are refused")


def main(argv):
    if argv[1:] == ["--self-test"]:
        self_test()
        return 0
    if len(argv) != 2:
        print(__doc__, file=sys.stderr)
        return 2
    found = violations(argv[1])
    for v in found:
        print(v)
    if found:
        print(f"{len(found)} include(s) against the layer order (docs/ARCHITECTURE.md)")
        return 1
    print("every area includes only itself, the public headers and lower areas")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
