"""crmkit: Python binding (ctypes, standard library only) for the crmkit C API.

    import crmkit
    with crmkit.Database("shop.db") as db:
        ...

Times come back, from every module, as aware UTC ``datetime.datetime`` values
(``tzinfo=datetime.timezone.utc``); durations (days, periods) stay numbers. Every function that
takes a time accepts int milliseconds since the epoch (UTC), a ``datetime`` (a naive one is
UTC; finer than a millisecond is refused, not rounded), ISO-8601 text, or a date
(``datetime.date`` or "YYYY-MM-DD"), so a time read back can be passed back in. A date is its
first instant, 00:00 UTC, unless the parameter is documented as "end of day" (as_of, to/end
bounds, calibration and holdout ends), where it means the next day 00:00 UTC so that the day
is included, as on the command line.
"""
from ._native import (Error, InvalidArgument, NotFound, Conflict, ConstraintError, Busy,
                      IOFailure, Corrupt, UnsupportedVersion, ReadOnly, OutOfMemory, Misuse,
                      InternalError, version_number, version_string)
from .db import Database

__version__ = version_string

# Area modules (each adds its classes and Database attributes):
from . import customers, interactions  # noqa: E402,F401  (db.customers, db.interactions)
from . import contacts  # noqa: E402,F401  (db.contacts)
from . import duplicates  # noqa: E402,F401  (db.duplicates)
from . import merge  # noqa: E402,F401  (db.merges)
from . import audit  # noqa: E402,F401  (db.audit)
from . import consent  # noqa: E402,F401  (db.consent, db.suppressions)
from . import value  # noqa: E402,F401  (db.value)
from . import segments  # noqa: E402,F401  (db.segments)
from . import loyalty  # noqa: E402,F401  (db.surveys, db.retention)
from . import points  # noqa: E402,F401  (db.points)
from . import report  # noqa: E402,F401  (db.report)
from . import plot  # noqa: E402,F401  (crmkit.plot: SVG charts from plain data)
from . import analysis  # noqa: E402,F401  (crmkit.analysis: CLV on your own data, no database)

# R rfm's entry points on plain data (no database): crmkit.rfm.table_orders and friends.
from . import rfm  # noqa: E402,F401
