"""Merging duplicate customers: ``db.merges`` (plan, merge, undo, get, of_customer).

    plan = db.merges.plan(survivor, [absorbed], at="2025-03-01")   # the dry run: nothing is written
    record = db.merges.merge(survivor, [absorbed], at="2025-03-01", field_choices={"city": absorbed})
    db.merges.undo(record.id, at="2025-03-02")                        # every touched row back as it was

Every row that refers to an absorbed record moves to the survivor (a copy of something the
survivor has is removed instead), figures are recomputed, a purpose withdrawn on any record is
withdrawn on the survivor, and the absorbed records are deleted. A plan is a dict: "fields"
(each {"field", "old", "new", "source"}), "tables" (each {"table", "moved", "changed", "removed",
"added", "recomputed"}), "consent" and "rows" (docs/IDENTITY.md "Merge").
"""
import dataclasses
import datetime
import json
import typing

from . import _native as n
from . import db as _db
from ._values import take_json, to_ms

_P = n.POINTER
_plan_json = n.bind("crmkit_merge_plan_json", n.c_int, _P(n.c_void_p), n.c_void_p, n.c_char_p, n.c_int64)
_merge_json = n.bind("crmkit_merge_json", n.c_int, _P(n.c_void_p), n.c_void_p, n.c_char_p, n.c_int64)
_undo_json = n.bind("crmkit_merge_undo_json", n.c_int, _P(n.c_void_p), n.c_void_p, n.c_int64, n.c_int64, n.c_int)
_get_json = n.bind("crmkit_merge_get_json", n.c_int, _P(n.c_void_p), n.c_void_p, n.c_int64)
_list_json = n.bind("crmkit_merge_list_json", n.c_int, _P(n.c_void_p), n.c_void_p, n.c_int64)


@dataclasses.dataclass
class MergeRecord:
    """A merge as recorded: ``held_by`` is the record that holds it now (the survivor, or a
    later survivor that absorbed it); ``undone_at`` is None until it is undone."""

    id: int
    survivor: int
    absorbed: typing.List[int]
    held_by: int
    plan: dict
    actor: typing.Optional[str] = None
    reason: typing.Optional[str] = None
    at: typing.Optional[datetime.datetime] = None
    undone_at: typing.Optional[datetime.datetime] = None


def _request(survivor, absorbed, field_choices):
    if isinstance(absorbed, (str, bytes)) or not hasattr(absorbed, "__iter__"):
        raise n.InvalidArgument("absorbed must be a list of customer ids, not %r" % (absorbed,))
    request = {"survivor": n.int64(survivor, "survivor"),
               "absorbed": [n.int64(a, "absorbed") for a in absorbed]}
    if field_choices:
        request["field_choices"] = {str(k): n.int64(v, "field_choices[%r]" % k) for k, v in field_choices.items()}
    return n.text(json.dumps(request), "request")


class Merges:
    """Merges of one Database's customers (``db.merges``)."""

    def __init__(self, database):
        self._db = database

    def plan(self, survivor, absorbed, at, field_choices=None):
        """What merge() would do, as a dict; nothing is written."""
        return take_json(_plan_json, self._db.handle, _request(survivor, absorbed, field_choices), to_ms(at, "at"))

    def merge(self, survivor, absorbed, at, field_choices=None):
        """Merges the absorbed records into the survivor, in one transaction; the MergeRecord.
        ``field_choices``: {field: customer id} the fields taken from a given record."""
        return MergeRecord(**take_json(_merge_json, self._db.handle, _request(survivor, absorbed, field_choices),
                                       to_ms(at, "at")))

    def undo(self, merge_id, at, force=False):
        """Puts back every row the merge touched. Conflict, naming the fields, when the survivor
        changed since (``force=True`` puts them back as they were before the merge)."""
        return MergeRecord(**take_json(_undo_json, self._db.handle, n.int64(merge_id, "merge_id"), to_ms(at, "at"),
                                       1 if force else 0))

    def get(self, merge_id):
        """One merge record; NotFound."""
        return MergeRecord(**take_json(_get_json, self._db.handle, n.int64(merge_id, "merge_id")))

    def of_customer(self, customer_id):
        """The merges a customer holds, newest first."""
        return [MergeRecord(**r) for r in take_json(_list_json, self._db.handle, n.int64(customer_id, "customer_id"))]


_db.Database.merges = property(lambda self: Merges(self))
