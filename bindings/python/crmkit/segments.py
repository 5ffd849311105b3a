"""Segments: rule-based and static customer segments (``db.segments``).

Rules are dicts in the JSON rule language (docs/SEGMENTS.md) or strings in its text form::

    db.segments.count('gender = "F" and count(purchase, last 6 months) >= 3', as_of=ms)
    db.segments.create("vip", {"field": "tags", "op": "contains", "value": "vip"})

Times are read as everywhere in the binding (``crmkit._values``): here every time is "end of
day", a date D meaning the end of D, as the command line's --as-of and --at do, except
history's start, which is its first instant. Instants in the results (a segment's
refreshed_at, a stay's entered_at and left_at) are aware UTC datetimes.
"""
import collections
import json

from . import _native as n
from . import db
from ._values import take_json, to_datetime, to_ms, to_ms_end_of_day

_P = n.POINTER
_i64 = n.c_int64

_count = n.bind("crmkit_segment_count", n.c_int, _P(_i64), n.c_void_p, n.c_char_p, _i64, n.c_int)
_explain = n.bind("crmkit_segment_explain_json", n.c_int, _P(n.c_void_p), n.c_void_p, n.c_char_p, _i64, n.c_int)
_from_text = n.bind("crmkit_segment_rule_from_text", n.c_int, _P(n.c_void_p), n.c_char_p)
_to_text = n.bind("crmkit_segment_rule_to_text", n.c_int, _P(n.c_void_p), n.c_char_p)
_create = n.bind("crmkit_segment_create", n.c_int, _P(_i64), n.c_void_p, n.c_char_p, n.c_char_p, n.c_char_p,
                 n.c_int)
_update = n.bind("crmkit_segment_update", n.c_int, _P(n.c_int), n.c_void_p, n.c_char_p, n.c_char_p, n.c_int)
_delete = n.bind("crmkit_segment_delete", n.c_int, n.c_void_p, n.c_char_p)
_get = n.bind("crmkit_segment_get_json", n.c_int, _P(n.c_void_p), n.c_void_p, n.c_char_p)
_list = n.bind("crmkit_segment_list_json", n.c_int, _P(n.c_void_p), n.c_void_p)
_versions = n.bind("crmkit_segment_versions_json", n.c_int, _P(n.c_void_p), n.c_void_p, n.c_char_p)
_refresh = n.bind("crmkit_segment_refresh", n.c_int, _P(_i64), _P(_i64), n.c_void_p, n.c_char_p, _i64)
_add = n.bind("crmkit_segment_add_customer", n.c_int, _P(n.c_int), n.c_void_p, n.c_char_p, _i64, _i64)
_remove = n.bind("crmkit_segment_remove_customer", n.c_int, _P(n.c_int), n.c_void_p, n.c_char_p, _i64, _i64)
_members = n.bind("crmkit_segment_members_iter_new", n.c_int, _P(n.c_void_p), n.c_void_p, n.c_char_p)
_for_customer = n.bind("crmkit_segment_for_customer_iter_new", n.c_int, _P(n.c_void_p), n.c_void_p, _i64)
_history = n.bind("crmkit_segment_history_iter_new", n.c_int, _P(n.c_void_p), n.c_void_p, n.c_char_p, _i64, _i64)
_next = n.bind("crmkit_segment_iter_next", n.c_int, n.c_void_p)
_seg_id = n.bind("crmkit_segment_iter_segment_id", _i64, n.c_void_p)
_seg_name = n.bind("crmkit_segment_iter_segment_name", n.c_char_p, n.c_void_p)
_cust = n.bind("crmkit_segment_iter_customer_id", _i64, n.c_void_p)
_entered = n.bind("crmkit_segment_iter_entered_at", _i64, n.c_void_p)
_left = n.bind("crmkit_segment_iter_left_at", _i64, n.c_void_p)
_current = n.bind("crmkit_segment_iter_is_current", n.c_int, n.c_void_p)
_version = n.bind("crmkit_segment_iter_rule_version", n.c_int, n.c_void_p)
_iter_free = n.bind("crmkit_segment_iter_free", None, n.c_void_p)

# One stay of a customer in a segment: [entered_at, left_at), aware UTC datetimes; left_at None
# = current member; rule_version None = changed by hand.
Membership = collections.namedtuple("Membership", "segment_id segment customer_id entered_at left_at rule_version")

def rule_json(rule):
    """A rule as JSON text: dicts are dumped, strings starting with '{' are JSON, other strings
    are the text form."""
    if isinstance(rule, dict):
        return json.dumps(rule, ensure_ascii=False)
    if isinstance(rule, str):
        if rule.lstrip().startswith("{"):
            return rule
        return from_text(rule, as_dict=False)
    raise TypeError("rule must be a dict or a str, not %s" % type(rule).__name__)


def from_text(text, as_dict=True):
    """The text form -> the canonical rule (a dict, or JSON text with as_dict=False)."""
    s = n.take_text(_from_text, n.text(text, "text"))
    return json.loads(s) if as_dict else s


def to_text(rule):
    """A rule (dict or JSON text) -> its canonical text form."""
    return n.take_text(_to_text, n.text(rule_json(rule), "rule"))


def _strict(strict_nulls):
    return 1 if strict_nulls else 0


class Segments:
    """The segments of one Database (``db.segments``)."""

    def __init__(self, database):
        self._db = database

    def count(self, rule, as_of, strict_nulls=False):
        """How many customers the rule matches as of ``as_of`` (nothing is saved)."""
        out = _i64()
        n.check(_count(n.byref(out), self._db.handle, n.text(rule_json(rule), "rule"), to_ms_end_of_day(as_of),
                       _strict(strict_nulls)))
        return out.value

    def explain(self, rule, as_of, strict_nulls=False):
        """{"sql": ..., "params": [...], "rule": canonical} for the compiled rule."""
        return take_json(_explain, self._db.handle, n.text(rule_json(rule), "rule"), to_ms_end_of_day(as_of),
                         _strict(strict_nulls))

    def create(self, name, rule=None, kind=None, strict_nulls=False):
        """Saves a segment: dynamic with a rule, static (kind="static") without one. Returns its id."""
        kind = kind or ("dynamic" if rule is not None else "static")
        out = _i64()
        text = None if rule is None else n.text(rule_json(rule), "rule")
        n.check(_create(n.byref(out), self._db.handle, n.text(name, "name"), n.text(kind, "kind"), text,
                        _strict(strict_nulls)))
        return out.value

    def update(self, name, rule, strict_nulls=False):
        """A new rule version; returns the version number."""
        out = n.c_int()
        n.check(_update(n.byref(out), self._db.handle, n.text(name, "name"), n.text(rule_json(rule), "rule"),
                        _strict(strict_nulls)))
        return out.value

    def delete(self, name):
        n.check(_delete(self._db.handle, n.text(name, "name")))

    def get(self, name):
        return take_json(_get, self._db.handle, n.text(name, "name"))

    def list(self):
        return take_json(_list, self._db.handle)

    def versions(self, name):
        return take_json(_versions, self._db.handle, n.text(name, "name"))

    def refresh(self, name, as_of):
        """Evaluates the current rule as of ``as_of`` and records changes; returns (entered, left)."""
        entered, left = _i64(), _i64()
        n.check(_refresh(n.byref(entered), n.byref(left), self._db.handle, n.text(name, "name"),
                         to_ms_end_of_day(as_of)))
        return entered.value, left.value

    def add(self, name, customer_id, at):
        """Static segments: the customer enters at ``at``. True if membership changed."""
        out = n.c_int()
        n.check(_add(n.byref(out), self._db.handle, n.text(name, "name"), n.int64(customer_id, "customer_id"),
                     to_ms_end_of_day(at, "at")))
        return bool(out.value)

    def remove(self, name, customer_id, at):
        out = n.c_int()
        n.check(_remove(n.byref(out), self._db.handle, n.text(name, "name"), n.int64(customer_id, "customer_id"),
                        to_ms_end_of_day(at, "at")))
        return bool(out.value)

    def _rows(self, opener, *args):
        it = n.c_void_p()
        n.check(opener(n.byref(it), self._db.handle, *args))
        rows = []
        try:
            while n.check(_next(it)) == n.OK:
                rows.append(Membership(_seg_id(it), _seg_name(it).decode("utf-8"), _cust(it), to_datetime(_entered(it)),
                                       None if _current(it) else to_datetime(_left(it)), _version(it) or None))
        finally:
            _iter_free(it)
        return rows

    def members(self, name):
        """Current members (list of Membership), by customer id."""
        return self._rows(_members, n.text(name, "name"))

    def of_customer(self, customer_id):
        """The segments a customer is in now, by segment name."""
        return self._rows(_for_customer, n.int64(customer_id, "customer_id"))

    def history(self, name, start, end):
        """Stays that began or ended within [start, end); a date as start is its first instant, as
        end the end of that day."""
        return self._rows(_history, n.text(name, "name"), to_ms(start, "start"), to_ms_end_of_day(end, "end"))


db.Database.segments = property(lambda self: Segments(self))
