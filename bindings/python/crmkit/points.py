"""Loyalty points programmes: ``db.points`` (see docs/POINTS.md).

    club = db.points.create_programme({"name": "club", "currency": "USD",
                                       "created_at": "2024-01-01T00:00:00Z"})
    db.points.enroll(club, customer_id, enrolled_at_ms)
    db.points.redeem(club, customer_id, 100, "order-77-points", as_of_ms)
    db.points.balance(club, customer_id, as_of_ms)   # {"available": ..., "balance": ...}

Times are read as everywhere in the binding (``crmkit._values``); every time here is "end of
day": a date D means the end of D, as the command line's --as-of and --at do. Nothing reads
the clock. Mutations return a
``PointsResult`` (points = net change, replayed = the external id was seen before). Instants in
the results (a programme's created_at, a ledger entry's created_at, effective_at and
expires_at, a tier stay's from and to) are aware UTC datetimes.
"""
import collections
import datetime
import json

from . import _native as n
from . import db as _db
from ._values import take_json, to_ms, to_ms_end_of_day

_I64 = n.c_int64
_P64 = n.POINTER(n.c_int64)
_PINT = n.POINTER(n.c_int)
_PSTR = n.POINTER(n.c_void_p)
_H = n.c_void_p

_create = n.bind("crmkit_points_programme_create", n.c_int, _P64, _H, n.c_char_p)
_find = n.bind("crmkit_points_programme_find", n.c_int, _P64, _H, n.c_char_p)
_programme_json = n.bind("crmkit_points_programme_json", n.c_int, _PSTR, _H, _I64)
_programmes_json = n.bind("crmkit_points_programmes_json", n.c_int, _PSTR, _H)
_enroll = n.bind("crmkit_points_enroll", n.c_int, _H, _I64, _I64, _I64)
_earn = n.bind("crmkit_points_earn", n.c_int, _P64, _PINT, _H, _I64, _I64)
_reverse_purchase = n.bind("crmkit_points_reverse_purchase", n.c_int, _P64, _PINT, _H, _I64, _I64, _I64,
                           n.c_char_p, _I64)
_redeem = n.bind("crmkit_points_redeem", n.c_int, _P64, _PINT, _H, _I64, _I64, _I64, n.c_char_p, _I64, _I64)
_reverse_redemption = n.bind("crmkit_points_reverse_redemption", n.c_int, _P64, _PINT, _H, _I64, n.c_char_p,
                             _I64, n.c_char_p, _I64)
_adjust = n.bind("crmkit_points_adjust", n.c_int, _P64, _PINT, _H, _I64, _I64, _I64, n.c_char_p, n.c_char_p, _I64)
_expire = n.bind("crmkit_points_expire", n.c_int, _P64, _PINT, _H, _I64, _I64, n.c_char_p)
_review = n.bind("crmkit_points_review_tiers", n.c_int, _PSTR, _H, _I64, _I64)
_balance_json = n.bind("crmkit_points_balance_json", n.c_int, _PSTR, _H, _I64, _I64, _I64, n.c_int)
_ledger_json = n.bind("crmkit_points_ledger_json", n.c_int, _PSTR, _H, _I64, _I64, _I64, n.c_int)
_liability_json = n.bind("crmkit_points_liability_json", n.c_int, _PSTR, _H, _I64, _I64)
_tier_mix_json = n.bind("crmkit_points_tier_mix_json", n.c_int, _PSTR, _H, _I64)
_tier_history_json = n.bind("crmkit_points_tier_history_json", n.c_int, _PSTR, _H, _I64, _I64)
_check = n.bind("crmkit_points_check", n.c_int, _H, _I64)

PointsResult = collections.namedtuple("PointsResult", "points replayed")


def _programme(programme_id):
    return n.int64(programme_id, "programme_id")


class Points:
    """The points programmes of one Database."""

    def __init__(self, database):
        self._db = database

    def _json(self, fn, *args):
        return take_json(fn, self._db.handle, *args)

    def _mutation(self, fn, *args):
        pts, replayed = n.c_int64(), n.c_int()
        n.check(fn(n.byref(pts), n.byref(replayed), self._db.handle, *args))
        return PointsResult(pts.value, bool(replayed.value))

    # -- programmes ---------------------------------------------------------------------------
    def create_programme(self, spec):
        """Creates a programme from a dict (or JSON text) and returns its id. ``created_at`` may
        be int ms, ISO-8601 text or a date (the library reads those), or a datetime, such as
        the one programme() returns."""
        if isinstance(spec, dict):
            spec = dict(spec)
            created = spec.get("created_at")
            if isinstance(created, datetime.datetime):
                spec["created_at"] = to_ms(created, "created_at")
            elif isinstance(created, datetime.date):  # as its text, read by the library
                spec["created_at"] = created.isoformat()
        text = spec if isinstance(spec, str) else json.dumps(spec)
        pid = n.c_int64()
        n.check(_create(n.byref(pid), self._db.handle, n.text(text, "spec")))
        return pid.value

    def find_programme(self, name):
        pid = n.c_int64()
        n.check(_find(n.byref(pid), self._db.handle, n.text(name, "name")))
        return pid.value

    def programme(self, programme_id):
        return self._json(_programme_json, _programme(programme_id))

    def programmes(self):
        return self._json(_programmes_json)

    def enroll(self, programme_id, customer_id, enrolled_at):
        n.check(_enroll(self._db.handle, _programme(programme_id), n.int64(customer_id, "customer_id"),
                        to_ms_end_of_day(enrolled_at, "enrolled_at")))

    # -- ledger operations --------------------------------------------------------------------
    def earn(self, programme_id, purchase_id):
        return self._mutation(_earn, _programme(programme_id), n.int64(purchase_id, "purchase_id"))

    def reverse_purchase(self, programme_id, purchase_id, refunded_minor, external_id, as_of):
        return self._mutation(_reverse_purchase, _programme(programme_id), n.int64(purchase_id, "purchase_id"),
                              n.int64(refunded_minor, "refunded_minor"), n.text(external_id, "external_id"),
                              to_ms_end_of_day(as_of, "as_of"))

    def redeem(self, programme_id, customer_id, points, external_id, as_of, order_id=None):
        return self._mutation(_redeem, _programme(programme_id), n.int64(customer_id, "customer_id"),
                              n.int64(points, "points"), n.text(external_id, "external_id"),
                              to_ms_end_of_day(as_of, "as_of"),
                              0 if order_id is None else n.int64(order_id, "order_id"))

    def reverse_redemption(self, programme_id, redemption_external_id, external_id, as_of, points=0):
        return self._mutation(_reverse_redemption, _programme(programme_id),
                              n.text(redemption_external_id, "redemption_external_id"), n.int64(points, "points"),
                              n.text(external_id, "external_id"), to_ms_end_of_day(as_of, "as_of"))

    def adjust(self, programme_id, customer_id, points, reason, external_id, as_of):
        return self._mutation(_adjust, _programme(programme_id), n.int64(customer_id, "customer_id"),
                              n.int64(points, "points"), n.text(reason, "reason"), n.text(external_id, "external_id"),
                              to_ms_end_of_day(as_of, "as_of"))

    def expire(self, programme_id, as_of, external_id=None):
        return self._mutation(_expire, _programme(programme_id), to_ms_end_of_day(as_of, "as_of"),
                              n.text(external_id, "external_id"))

    def review_tiers(self, programme_id, as_of):
        return self._json(_review, _programme(programme_id), to_ms_end_of_day(as_of, "as_of"))

    # -- reports ------------------------------------------------------------------------------
    def balance(self, programme_id, customer_id, as_of, expiring_within_days=30):
        return self._json(_balance_json, _programme(programme_id), n.int64(customer_id, "customer_id"),
                          to_ms_end_of_day(as_of, "as_of"), n.int32(expiring_within_days, "expiring_within_days"))

    def ledger(self, programme_id, customer_id=0, page_size=500):
        """Yields every ledger entry (a dict), oldest first, page by page."""
        after = 0
        while True:
            page = self._json(_ledger_json, _programme(programme_id), n.int64(customer_id, "customer_id"),
                              after, n.int32(page_size, "page_size"))
            for entry in page["entries"]:
                yield entry
            after = page["next_after"]
            if not after:
                return

    def liability(self, programme_id, as_of):
        return self._json(_liability_json, _programme(programme_id), to_ms_end_of_day(as_of, "as_of"))

    def tier_mix(self, programme_id):
        return self._json(_tier_mix_json, _programme(programme_id))

    def tier_history(self, programme_id, customer_id):
        return self._json(_tier_history_json, _programme(programme_id), n.int64(customer_id, "customer_id"))

    def check(self, programme_id):
        """Raises crmkit.Corrupt when a ledger invariant does not hold."""
        n.check(_check(self._db.handle, _programme(programme_id)))


_db.Database.points = property(lambda self: Points(self))
