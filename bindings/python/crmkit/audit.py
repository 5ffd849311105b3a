"""The audit trail: ``db.audit`` (list) and ``db.audit.context(...)`` (who changes, and why).

    with db.audit.context(actor="ana", reason="asked by phone", request_id="r-17"):
        db.customers.update(cid, "2025-03-01", city="Oslo")
    for e in db.audit.list(entity="customer", entity_id=cid):
        print(e.at, e.field, e.old, "->", e.new, e.actor)

Every change to a customer's fields and contact points appends entries in the change's
transaction. ``old`` and ``new`` are the values (None when there was none); a whole record
("created", "deleted") is a dict.
"""
import contextlib
import dataclasses
import datetime
import os
import typing

from . import _native as n
from . import db as _db
from ._values import optional_ms, take_json, to_ms

_P = n.POINTER
_set_context = n.bind("crmkit_db_set_audit_context", n.c_int, n.c_void_p, n.c_char_p, n.c_char_p, n.c_char_p)
_start_chain = n.bind("crmkit_audit_start_chain", n.c_int, n.c_void_p)
_verify_json = n.bind("crmkit_audit_verify_json", n.c_int, _P(n.c_void_p), n.c_void_p)
_subject_json = n.bind("crmkit_subject_export_json", n.c_int, _P(n.c_void_p), n.c_void_p, n.c_int64)
_erase_json = n.bind("crmkit_customer_erase_json", n.c_int, _P(n.c_void_p), n.c_void_p, n.c_int64, n.c_int64,
                     n.c_int)
_subject_csv = n.bind("crmkit_subject_export_csv", n.c_int, _P(n.c_void_p), n.c_void_p, n.c_int64, n.c_char_p)
_list_json = n.bind("crmkit_audit_list_json", n.c_int, _P(n.c_void_p), n.c_void_p, n.c_char_p, n.c_int64,
                    n.c_char_p, _P(n.c_int64), _P(n.c_int64), n.c_int64, n.c_int)


@dataclasses.dataclass
class AuditEntry:
    """One changed field (or a whole record, field "created" / "deleted")."""

    id: int
    entity: str
    entity_id: int
    field: str
    old: typing.Any = None
    new: typing.Any = None
    actor: typing.Optional[str] = None
    reason: typing.Optional[str] = None
    request_id: typing.Optional[str] = None
    at: typing.Optional[datetime.datetime] = None
    redacted: bool = False  # erasure replaced the values with "[redacted]"


class Audit:
    """The audit trail of one Database (``db.audit``)."""

    def __init__(self, database):
        self._db = database

    def set_context(self, actor=None, reason=None, request_id=None):
        """Who changes the store and why, from now on (None: none)."""
        def opt(v, name):
            return None if v is None else n.text(v, name)
        n.check(_set_context(self._db.handle, opt(actor, "actor"), opt(reason, "reason"),
                             opt(request_id, "request_id")))

    @contextlib.contextmanager
    def context(self, actor=None, reason=None, request_id=None):
        """The context for the changes inside the ``with`` block; none again afterwards."""
        self.set_context(actor, reason, request_id)
        try:
            yield self
        finally:
            self.set_context()

    def start_chain(self):
        """Chains every later entry to the one before it (HMAC-SHA-256), so that verify() finds a
        past entry edited, removed or reordered."""
        n.check(_start_chain(self._db.handle))

    def verify(self):
        """{"chained", "checked", "first_broken" (0 when intact), "reason"}."""
        return n.take_json(_verify_json, self._db.handle)

    def list(self, entity=None, entity_id=None, actor=None, from_=None, to=None):
        """Yields the entries in change order, each filter given narrowing the list."""
        after = 0
        while True:
            page = take_json(_list_json, self._db.handle, None if entity is None else n.text(entity, "entity"),
                             0 if entity_id is None else n.int64(entity_id, "entity_id"),
                             None if actor is None else n.text(actor, "actor"),
                             optional_ms(from_, "from_"), optional_ms(to, "to"), after, 1000)
            for e in page["entries"]:
                yield AuditEntry(**e)
            after = page["next_after"]
            if not after:
                return


def subject_export(database, customer_id):
    """Every stored row that references the customer, in every area (a subject-access request):
    {"format", "customer_id", "tables": {table: [row dicts]}}, values as stored (times in epoch
    ms, money in minor units), deterministic. NotFound for a missing customer."""
    return n.take_json(_subject_json, database.handle, n.int64(customer_id, "customer_id"))


def erase(database, customer_id, at, verify=False):
    """Erases the customer's personal data in one transaction dated ``at`` (docs/PRIVACY.md
    "Erasure"): display_name and external_id become "ERASED:<id>", other personal fields are
    cleared, contact points deleted and emails and phones suppressed, free text redacted, audit
    entries redacted; purchases are kept. With ``verify`` every file of a SQLite store is then
    scanned for the erased values. Returns the report as a dict (erased_at a datetime): {"customer_id", "erased_at",
    "pseudonym", "contact_points_removed", "suppressed", "rows_redacted", "rows_removed",
    "audit_entries_redacted", "checkpointed", "scan": None or {"verified", "reason", "clean",
    "files", "values": [{"source", "bytes", "forms", "hits"}], "skipped", "bytes_scanned",
    "hits"}}; it never holds an erased value. NotFound for a missing customer, Conflict when
    already erased, InvalidArgument for an id below 1."""
    return take_json(_erase_json, database.handle, n.int64(customer_id, "customer_id"), to_ms(at, "at"),
                     1 if verify else 0)


def subject_export_csv(database, customer_id, directory):
    """The same rows as subject_export(), written as a CSV bundle into ``directory`` (a str or
    path-like; missing or empty, its parent existing): one <table>.csv per table and
    manifest.json. Returns the manifest, {"format", "customer_id", "files": [{"table", "file",
    "rows"}]}. Conflict for a directory that is not empty (left untouched), NotFound for a missing
    customer; on any error no bundle is left."""
    return n.take_json(_subject_csv, database.handle, n.int64(customer_id, "customer_id"),
                       n.text(os.fspath(directory), "directory"))


_db.Database.audit = property(lambda self: Audit(self))
_db.Database.subject_export = subject_export
_db.Database.erase = erase
_db.Database.subject_export_csv = subject_export_csv
