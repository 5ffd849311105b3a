"""Contact points: ``db.contacts`` (a customer's emails, phones, addresses, URLs, social handles).

    cid = db.customers.create(external_id="c1", email="ana@example.com", created_at="2025-01-15")
    db.contacts.add(cid, "email", "ana@home.example", label="home", at="2025-02-01")
    for p in db.contacts.list(cid):
        print(p.type, p.normalized, p.primary)
    db.contacts.find("email", "ANA@Example.com")   # who else can be reached there

Types: "email", "phone", "address", "url", "social". Each point keeps the value as given,
its canonical spelling (``normalized``) and the ``match_key`` duplicate checks compare. The
primary email and phone are the customer's ``email`` and ``phone`` (docs/IDENTITY.md).
"""
import ctypes
import dataclasses
import datetime
import typing

from . import _native as n
from . import db as _db
from ._values import take_json, to_ms, with_datetimes

_P = n.POINTER
_add = n.bind("crmkit_contact_add", n.c_int, _P(n.c_int64), n.c_void_p, n.c_int64, n.c_char_p, n.c_char_p,
              n.c_char_p, n.c_int, n.c_int64)
_get_json = n.bind("crmkit_contact_get_json", n.c_int, _P(n.c_void_p), n.c_void_p, n.c_int64)
_list_json = n.bind("crmkit_contact_list_json", n.c_int, _P(n.c_void_p), n.c_void_p, n.c_int64)
_find_json = n.bind("crmkit_contact_find_json", n.c_int, _P(n.c_void_p), n.c_void_p, n.c_char_p, n.c_char_p)
_set_primary = n.bind("crmkit_contact_set_primary", n.c_int, n.c_void_p, n.c_int64, n.c_int64)
_set_label = n.bind("crmkit_contact_set_label", n.c_int, n.c_void_p, n.c_int64, n.c_char_p, n.c_int64)
_verified = n.bind("crmkit_contact_mark_verified", n.c_int, n.c_void_p, n.c_int64, n.c_int64)
_bounce = n.bind("crmkit_contact_record_bounce", n.c_int, n.c_void_p, n.c_int64, n.c_int, n.c_int64)
_delete = n.bind("crmkit_contact_delete", n.c_int, n.c_void_p, n.c_int64, n.c_int64)


@dataclasses.dataclass
class ContactPoint:
    """A contact point as stored; times are aware UTC datetimes, unknown ones None."""

    id: int
    customer_id: int
    type: str
    value: str
    normalized: str
    match_key: str
    label: typing.Optional[str] = None
    primary: bool = False
    verified_at: typing.Optional[datetime.datetime] = None
    invalid_since: typing.Optional[datetime.datetime] = None
    bounce_count: int = 0
    created_at: typing.Optional[datetime.datetime] = None
    updated_at: typing.Optional[datetime.datetime] = None

    @classmethod
    def from_json(cls, obj):
        return cls(**with_datetimes(dict(obj)))


class Contacts:
    """The contact points of one Database (``db.contacts``). ``at`` is the time of the change."""

    def __init__(self, database):
        self._db = database

    def add(self, customer_id, type, value, at, label=None, primary=False):
        """Adds a contact point; returns its id. The first of a type becomes primary. Conflict
        when the customer already has it (same match key)."""
        out = n.c_int64()
        n.check(_add(ctypes.byref(out), self._db.handle, n.int64(customer_id, "customer_id"), n.text(type, "type"),
                     n.text(value, "value"), None if label is None else n.text(label, "label"),
                     1 if primary else 0, to_ms(at, "at")))
        return out.value

    def get(self, contact_id):
        return ContactPoint.from_json(take_json(_get_json, self._db.handle, n.int64(contact_id, "contact_id")))

    def list(self, customer_id):
        """The customer's contact points: by type, the primary first, then id."""
        return [ContactPoint.from_json(o) for o in
                take_json(_list_json, self._db.handle, n.int64(customer_id, "customer_id"))]

    def find(self, type, value):
        """Every customer's contact points with the value's match key, by customer id."""
        return [ContactPoint.from_json(o) for o in
                take_json(_find_json, self._db.handle, n.text(type, "type"), n.text(value, "value"))]

    def set_primary(self, contact_id, at):
        n.check(_set_primary(self._db.handle, n.int64(contact_id, "contact_id"), to_ms(at, "at")))

    def set_label(self, contact_id, label, at):
        """Sets the label; None clears it."""
        n.check(_set_label(self._db.handle, n.int64(contact_id, "contact_id"),
                           None if label is None else n.text(label, "label"), to_ms(at, "at")))

    def mark_verified(self, contact_id, at):
        n.check(_verified(self._db.handle, n.int64(contact_id, "contact_id"), to_ms(at, "at")))

    def record_bounce(self, contact_id, at, hard=False):
        n.check(_bounce(self._db.handle, n.int64(contact_id, "contact_id"), 1 if hard else 0, to_ms(at, "at")))

    def delete(self, contact_id, at):
        n.check(_delete(self._db.handle, n.int64(contact_id, "contact_id"), to_ms(at, "at")))


_db.Database.contacts = property(lambda self: Contacts(self))
