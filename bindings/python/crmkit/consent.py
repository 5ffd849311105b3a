"""Consent and suppression: ``db.consent`` (the append-only consent ledger and the state derived
from it) and ``db.suppressions`` (emails and phones no customer may be given again).

    cid = db.customers.create(external_id="c1", email="ana@example.com", created_at="2025-01-15")
    db.consent.record(cid, "email", "marketing", "request_double_opt_in", "2025-01-15", source="signup-form",
                      form="footer", text_version="v3", ip="203.0.113.9")
    db.consent.record(cid, "email", "marketing", "confirm", "2025-01-16", source="confirm-link")
    db.consent.state(cid, "email", "marketing", "2025-02-01").state     # "granted"
    db.suppressions.suppress("email", "gone@example.com", "erased", "2025-03-01")

Channels: "email", "sms", "phone", "post", "push", "all". Actions: "grant", "withdraw",
"request_double_opt_in", "confirm", "expire". States: "none", "granted", "pending",
"withdrawn", "expired" (docs/PRIVACY.md has the rules).
"""
import ctypes
import dataclasses
import datetime
import typing

from . import _native as n
from . import db as _db
from ._values import take_json, to_ms, with_datetimes

_P = n.POINTER
_record = n.bind("crmkit_consent_record", n.c_int, _P(n.c_int64), n.c_void_p, n.c_int64, _P(n.c_int64),
                 n.c_char_p, n.c_char_p, n.c_char_p, n.c_char_p, n.c_char_p, n.c_char_p, n.c_char_p, n.c_char_p,
                 n.c_char_p, n.c_int64, _P(n.c_int64))
_get_json = n.bind("crmkit_consent_get_json", n.c_int, _P(n.c_void_p), n.c_void_p, n.c_int64)
_events_json = n.bind("crmkit_consent_events_json", n.c_int, _P(n.c_void_p), n.c_void_p, n.c_int64)
_state_json = n.bind("crmkit_consent_state_json", n.c_int, _P(n.c_void_p), n.c_void_p, n.c_int64, n.c_char_p,
                     n.c_char_p, n.c_int64)
_states_json = n.bind("crmkit_consent_states_json", n.c_int, _P(n.c_void_p), n.c_void_p, n.c_int64, n.c_int64)
_add_purpose = n.bind("crmkit_consent_add_purpose", n.c_int, n.c_void_p, n.c_char_p, n.c_char_p, n.c_int64)
_purposes_json = n.bind("crmkit_consent_purposes_json", n.c_int, _P(n.c_void_p), n.c_void_p)
_ttl = n.bind("crmkit_consent_double_opt_in_ttl", n.c_int, _P(n.c_int64), n.c_void_p)
_set_ttl = n.bind("crmkit_consent_set_double_opt_in_ttl", n.c_int, n.c_void_p, n.c_int64)
_suppress_json = n.bind("crmkit_suppression_add_json", n.c_int, _P(n.c_void_p), n.c_void_p, n.c_char_p, n.c_char_p,
                        n.c_char_p, n.c_int64)
_find_json = n.bind("crmkit_suppression_find_json", n.c_int, _P(n.c_void_p), n.c_void_p, n.c_char_p, n.c_char_p)
_check = n.bind("crmkit_suppression_check", n.c_int, _P(n.c_int), n.c_void_p, n.c_char_p, n.c_char_p)
_remove = n.bind("crmkit_suppression_remove", n.c_int, n.c_void_p, n.c_char_p, n.c_char_p)


def _opt_text(value, name):
    return None if value is None else n.text(value, name)


@dataclasses.dataclass
class ConsentEvent:
    """An event of the ledger as recorded; times are aware UTC datetimes. ``evidence`` is a dict
    of "form", "text_version", "ip", "user_agent" (each None when not given)."""

    id: int
    customer_id: int
    contact_point_id: typing.Optional[int]
    channel: str
    purpose: str
    lawful_basis: str
    action: str
    source: str
    evidence: dict
    at: typing.Optional[datetime.datetime] = None
    expires_at: typing.Optional[datetime.datetime] = None

    @classmethod
    def from_json(cls, obj):
        return cls(**with_datetimes(dict(obj)))


@dataclasses.dataclass
class ConsentStatus:
    """The state of (customer, channel, purpose) at ``as_of`` and the event that decided it
    (None when the state is "none"); ``until`` is when a grant or request lapses or lapsed."""

    customer_id: int
    channel: str
    purpose: str
    state: str
    deciding: typing.Optional[ConsentEvent] = None
    until: typing.Optional[datetime.datetime] = None
    as_of: typing.Optional[datetime.datetime] = None

    @classmethod
    def from_json(cls, obj):
        obj = with_datetimes(dict(obj))
        if obj.get("deciding") is not None:
            obj["deciding"] = ConsentEvent.from_json(obj["deciding"])
        return cls(**obj)


@dataclasses.dataclass
class Suppression:
    """A suppressed email or phone: only its salted hash is kept, never the value."""

    type: str
    hash: str
    reason: str
    at: typing.Optional[datetime.datetime] = None

    @classmethod
    def from_json(cls, obj):
        return cls(**with_datetimes(dict(obj)))


class Consent:
    """The consent ledger of one Database (``db.consent``). Events are only appended."""

    def __init__(self, database):
        self._db = database

    def record(self, customer_id, channel, purpose, action, at, source, lawful_basis="consent",
               contact_point_id=None, expires_at=None, form=None, text_version=None, ip=None, user_agent=None):
        """Appends an event; returns its id. InvalidArgument names a bad field (an unregistered
        purpose included); NotFound for a missing customer or contact point; Conflict for a
        confirm with nothing pending."""
        out = n.c_int64()
        n.check(_record(ctypes.byref(out), self._db.handle, n.int64(customer_id, "customer_id"),
                        n.int64_pointer(contact_point_id, "contact_point_id"), n.text(channel, "channel"),
                        n.text(purpose, "purpose"), n.text(lawful_basis, "lawful_basis"), n.text(action, "action"),
                        n.text(source, "source"), _opt_text(form, "form"), _opt_text(text_version, "text_version"),
                        _opt_text(ip, "ip"), _opt_text(user_agent, "user_agent"), to_ms(at, "at"),
                        None if expires_at is None else n.int64_pointer(to_ms(expires_at, "expires_at"),
                                                                        "expires_at")))
        return out.value

    def get(self, event_id):
        return ConsentEvent.from_json(take_json(_get_json, self._db.handle, n.int64(event_id, "event_id")))

    def events(self, customer_id):
        """The customer's events, by time then id."""
        return [ConsentEvent.from_json(o) for o in
                take_json(_events_json, self._db.handle, n.int64(customer_id, "customer_id"))]

    def state(self, customer_id, channel, purpose, as_of):
        """The state at ``as_of`` on one channel (not "all")."""
        return ConsentStatus.from_json(take_json(_state_json, self._db.handle, n.int64(customer_id, "customer_id"),
                                                 n.text(channel, "channel"), n.text(purpose, "purpose"),
                                                 to_ms(as_of, "as_of")))

    def states(self, customer_id, as_of):
        """Every state the customer's events decide at ``as_of``, by purpose then channel."""
        return [ConsentStatus.from_json(o) for o in
                take_json(_states_json, self._db.handle, n.int64(customer_id, "customer_id"), to_ms(as_of, "as_of"))]

    def add_purpose(self, name, at, description=None):
        """Registers a purpose events may name (a-z, 0-9, '_'); the same again is a no-op."""
        n.check(_add_purpose(self._db.handle, n.text(name, "name"), _opt_text(description, "description"),
                             to_ms(at, "at")))

    def purposes(self):
        """[{"name", "description", "built_in", "created_at"}], the built-in ones first."""
        return take_json(_purposes_json, self._db.handle)

    def double_opt_in_ttl(self):
        """How long a double opt-in request stays pending, in ms."""
        out = n.c_int64()
        n.check(_ttl(ctypes.byref(out), self._db.handle))
        return out.value

    def set_double_opt_in_ttl(self, ms):
        n.check(_set_ttl(self._db.handle, n.int64(ms, "ms")))


class Suppressions:
    """The suppression list of one Database (``db.suppressions``); type is "email" or "phone"."""

    def __init__(self, database):
        self._db = database

    def suppress(self, type, value, reason, at):
        """Suppresses the value (reason "erased", "bounced", "complaint" or "manual"); returns the
        stored row, the first one unchanged when it was already suppressed."""
        return Suppression.from_json(take_json(_suppress_json, self._db.handle, n.text(type, "type"),
                                               n.text(value, "value"), n.text(reason, "reason"), to_ms(at, "at")))

    def find(self, type, value):
        """The row for the value, or None."""
        obj = take_json(_find_json, self._db.handle, n.text(type, "type"), n.text(value, "value"))
        return None if obj is None else Suppression.from_json(obj)

    def is_suppressed(self, type, value):
        out = n.c_int()
        n.check(_check(ctypes.byref(out), self._db.handle, n.text(type, "type"), n.text(value, "value")))
        return out.value == 1

    def unsuppress(self, type, value):
        """Lifts a manual suppression; Conflict for any other reason, NotFound if not suppressed."""
        n.check(_remove(self._db.handle, n.text(type, "type"), n.text(value, "value")))


_db.Database.consent = property(lambda self: Consent(self))
_db.Database.suppressions = property(lambda self: Suppressions(self))
