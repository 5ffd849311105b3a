"""crmkit: Python binding (ctypes, standard library only) for the crmkit C API.

    import crmkit
    with crmkit.Database("shop.db") as db:
        ...
"""
from ._native import (Error, InvalidArgument, NotFound, Conflict, ConstraintError, Busy,
                      IOFailure, Corrupt, UnsupportedVersion, ReadOnly, OutOfMemory, Misuse,
                      InternalError, version_number, version_string)
from .db import Database

__version__ = version_string

# Area modules (each adds its classes and Database attributes):
from . import customers, interactions  # noqa: E402,F401  (db.customers, db.interactions)
from . import value  # noqa: E402,F401  (db.value)
from . import segments  # noqa: E402,F401  (db.segments)
from . import loyalty  # noqa: E402,F401  (db.surveys, db.retention)
from . import points  # noqa: E402,F401  (db.points)
from . import report  # noqa: E402,F401  (db.report)
