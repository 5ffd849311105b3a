"""Duplicate detection: ``db.duplicates`` (check, scan, explain, ignore, the stored rule set).

    for c in db.duplicates.check(customer_id):      # real time: indexed look-ups only
        print(c.b, c.score, c.verdict, [f["text"] for f in c.fired])
    scan = db.duplicates.scan()                     # the whole store, through blocking keys
    db.duplicates.ignore(a, b, at="2025-03-01")     # not the same person: never proposed again
    preview = db.duplicates.preview_import([dict(external_id="c9", email="a@b.co", created_at=t), ...])

Rules are data (docs/IDENTITY.md): ``db.duplicates.rules()`` returns the stored set as a dict
(the defaults until one is saved) and ``set_rules(rules, at)`` saves one, checked first.
"""
import ctypes
import dataclasses
import json
import typing

from . import _native as n
from . import db as _db
from ._values import money_arg, take_json, to_ms

_P = n.POINTER
_rules_json = n.bind("crmkit_duplicates_rules_json", n.c_int, _P(n.c_void_p), n.c_void_p)
_set_rules = n.bind("crmkit_duplicates_set_rules_json", n.c_int, n.c_void_p, n.c_char_p, n.c_int64)
_check_json = n.bind("crmkit_duplicates_check_json", n.c_int, _P(n.c_void_p), n.c_void_p, n.c_int64)
_check_record_json = n.bind("crmkit_duplicates_check_record_json", n.c_int, _P(n.c_void_p), n.c_void_p, n.c_void_p)
_preview_json = n.bind("crmkit_customer_import_preview_json", n.c_int, _P(n.c_void_p), n.c_void_p, n.c_char_p)
_scan_json = n.bind("crmkit_duplicates_scan_json", n.c_int, _P(n.c_void_p), n.c_void_p)
_fs_json = n.bind("crmkit_duplicates_scan_fellegi_sunter_json", n.c_int, _P(n.c_void_p), n.c_void_p,
                   _P(n.c_double))
_explain_json = n.bind("crmkit_duplicates_explain_json", n.c_int, _P(n.c_void_p), n.c_void_p, n.c_int64, n.c_int64)
_ignore = n.bind("crmkit_duplicates_ignore", n.c_int, n.c_void_p, n.c_int64, n.c_int64, n.c_int64)


@dataclasses.dataclass
class DuplicateCandidate:
    """A scored pair: ``fired`` lists the rules that fired, each {"rule", "text", "weight"}."""

    a: int
    b: int
    score: int
    verdict: str
    fired: list = dataclasses.field(default_factory=list)


@dataclasses.dataclass
class DuplicateScan:
    """What a scan of the whole store found and what it cost (pairs compared against all pairs)."""

    customers: int
    pairs_compared: int
    all_pairs: int
    blocks_skipped: int
    ignored: int
    candidates: typing.List[DuplicateCandidate] = dataclasses.field(default_factory=list)


class Duplicates:
    """Duplicate detection over one Database's customers (``db.duplicates``)."""

    def __init__(self, database):
        self._db = database

    def rules(self):
        """The stored rule set as a dict."""
        return take_json(_rules_json, self._db.handle)

    def set_rules(self, rules, at):
        """Saves a rule set (a dict, or its JSON text); InvalidArgument names what is wrong."""
        text = rules if isinstance(rules, str) else json.dumps(rules)
        n.check(_set_rules(self._db.handle, n.text(text, "rules"), to_ms(at, "at")))

    def check(self, customer_id):
        """Customers that may be this one, highest score first."""
        return [DuplicateCandidate(**c) for c in
                take_json(_check_json, self._db.handle, n.int64(customer_id, "customer_id"))]

    def check_record(self, **fields):
        """Candidates for a customer not stored yet (the keyword fields of
        ``db.customers.create``, ``created_at`` not needed); nothing is written; ``a`` is 0."""
        from .customers import _Record
        with _Record(fields) as rec:
            return [DuplicateCandidate(**c) for c in take_json(_check_record_json, self._db.handle, rec)]

    def preview_import(self, records):
        """What importing these customers would do, with nothing written: each record (a dict of
        ``db.customers.create``'s keyword fields) judged in order as an upsert (with an
        external_id) or a create. Returns {"rows": [{"line" (1-based), "action" ("create",
        "update" or "error"), "customer_id", "earlier_line", "candidates" (DuplicateCandidate),
        "same_contact_lines", "error_code", "error"}], "totals": {...}}; a refused record is an
        error row (docs/IDENTITY.md "Import preview")."""
        if isinstance(records, (dict, str, bytes)):
            raise TypeError("records must be a list of dicts, not a %s" % type(records).__name__)
        out = take_json(_preview_json, self._db.handle,
                        n.text(json.dumps([_record_json(r) for r in records]), "records"))
        for row in out["rows"]:
            row["candidates"] = [DuplicateCandidate(**c) for c in row["candidates"]]
        return out

    def scan(self):
        """Every candidate pair of the store."""
        out = take_json(_scan_json, self._db.handle)
        out["candidates"] = [DuplicateCandidate(**c) for c in out["candidates"]]
        return DuplicateScan(**out)

    def scan_fellegi_sunter(self, threshold=None):
        """The Fellegi-Sunter mode: weights estimated from the store (EM over the blocked pairs)
        and every pair at or above the threshold, as a dict: "fields" (m, u and weight for
        agree, partial, disagree), "match_share", "threshold", "pairs" (each with its "parts")."""
        t = None if threshold is None else ctypes.pointer(ctypes.c_double(n.double(threshold, "threshold")))
        return take_json(_fs_json, self._db.handle, t)

    def explain(self, a, b):
        """One pair's score and the rules that fired, whatever the thresholds."""
        return DuplicateCandidate(**take_json(_explain_json, self._db.handle, n.int64(a, "a"), n.int64(b, "b")))

    def ignore(self, a, b, at):
        """Records that a and b are not the same person."""
        n.check(_ignore(self._db.handle, n.int64(a, "a"), n.int64(b, "b"), to_ms(at, "at")))


def _record_json(fields):
    """A record of create's keyword fields in the C API's exact JSON form (times in ms, money in
    minor units); the library checks the rest."""
    out = dict(fields)
    if out.get("created_at") is not None:
        out["created_at"] = to_ms(out["created_at"], "created_at")
    cost, currency = out.pop("acquisition_cost", None), out.pop("acquisition_currency", None)
    if cost is not None:
        minor, cur = money_arg(cost, currency, "acquisition_cost")
        out["acquisition_cost"] = {"minor": minor, "currency": cur}
    elif currency is not None:
        raise n.InvalidArgument("acquisition_currency is given without acquisition_cost", -1)
    return out


_db.Database.duplicates = property(lambda self: Duplicates(self))
