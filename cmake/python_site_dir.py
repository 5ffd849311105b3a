"""Prints where a pure-Python package goes under an install prefix, relative to the prefix.

The first entry of this interpreter's sys.path that lies under the prefix and ends in
site-packages or dist-packages wins (Debian: /usr/local/lib/python3.N/dist-packages); otherwise
the standard posix_prefix layout (lib/python3.N/site-packages), which then needs PYTHONPATH.
"""
import os
import sys
import sysconfig

prefix = os.path.abspath(sys.argv[1])
for entry in sys.path:
    if entry.startswith(prefix + os.sep) and entry.rstrip(os.sep).endswith(("site-packages", "dist-packages")):
        print(os.path.relpath(entry, prefix))
        break
else:
    purelib = sysconfig.get_path("purelib", "posix_prefix", {"base": prefix, "platbase": prefix})
    print(os.path.relpath(purelib, prefix))
