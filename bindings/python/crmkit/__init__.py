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
from . import points  # noqa: E402,F401  (db.points)
