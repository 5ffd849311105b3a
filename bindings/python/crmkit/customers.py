"""Customers: ``db.customers`` (create, upsert, update, delete, get, find, list, count).

    ada_id = db.customers.upsert(external_id="crm-1", email="ada@example.com",
                                 created_at=datetime.date(2025, 1, 15), tags=["vip"])
    ada = db.customers.get(ada_id)          # a Customer dataclass
    for c in db.customers.list(country="GB"):
        print(c.id, c.email)

Field values: text fields are str; ``tags`` a list of str; ``attributes`` a dict (or JSON
text); ``acquisition_cost`` a ``Money``, a ``(minor, currency)`` tuple, or int minor units /
Decimal with ``acquisition_currency``; ``created_at`` and ``updated_at`` int milliseconds, a
datetime, a date (its first instant) or ISO-8601 text (see ``crmkit._values``). Customers
come back with times as aware UTC datetimes.
"""
import ctypes
import dataclasses
import datetime
import json
import typing

from . import _native as n
from . import db as _db
from ._values import Money, money_arg, money_from_json, take_json, to_ms, to_ms_end_of_day, with_datetimes

_P = n.POINTER
_new = n.bind("crmkit_customer_new", n.c_int, _P(n.c_void_p))
_free = n.bind("crmkit_customer_free", None, n.c_void_p)
_set_text = n.bind("crmkit_customer_set_text", n.c_int, n.c_void_p, n.c_char_p, n.c_char_p)
_set_cost = n.bind("crmkit_customer_set_acquisition_cost", n.c_int, n.c_void_p, n.c_int64, n.c_char_p)
_set_created = n.bind("crmkit_customer_set_created_at", n.c_int, n.c_void_p, n.c_int64)
_add_tag = n.bind("crmkit_customer_add_tag", n.c_int, n.c_void_p, n.c_char_p)
_clear = n.bind("crmkit_customer_clear_field", n.c_int, n.c_void_p, n.c_char_p)
_create = n.bind("crmkit_customer_create", n.c_int, _P(n.c_int64), n.c_void_p, n.c_void_p)
_upsert = n.bind("crmkit_customer_upsert", n.c_int, _P(n.c_int64), _P(n.c_int), n.c_void_p, n.c_void_p)
_update = n.bind("crmkit_customer_update", n.c_int, n.c_void_p, n.c_int64, n.c_void_p, n.c_int64)
_delete = n.bind("crmkit_customer_delete", n.c_int, n.c_void_p, n.c_int64)
_get_json = n.bind("crmkit_customer_get_json", n.c_int, _P(n.c_void_p), n.c_void_p, n.c_int64)
_get_ext_json = n.bind("crmkit_customer_get_by_external_id_json", n.c_int, _P(n.c_void_p), n.c_void_p,
                       n.c_char_p)
_by_email_json = n.bind("crmkit_customer_find_by_email_json", n.c_int, _P(n.c_void_p), n.c_void_p,
                        n.c_char_p)
_find_id = n.bind("crmkit_customer_find_id", n.c_int, _P(n.c_int64), n.c_void_p, n.c_char_p)
_filter_new = n.bind("crmkit_customer_filter_new", n.c_int, _P(n.c_void_p))
_filter_free = n.bind("crmkit_customer_filter_free", None, n.c_void_p)
_filter_from = n.bind("crmkit_customer_filter_set_created_from", n.c_int, n.c_void_p, n.c_int64)
_filter_to = n.bind("crmkit_customer_filter_set_created_to", n.c_int, n.c_void_p, n.c_int64)
_filter_tag = n.bind("crmkit_customer_filter_set_tag", n.c_int, n.c_void_p, n.c_char_p)
_filter_stage = n.bind("crmkit_customer_filter_set_lifecycle_stage", n.c_int, n.c_void_p, n.c_char_p)
_filter_country = n.bind("crmkit_customer_filter_set_country", n.c_int, n.c_void_p, n.c_char_p)
_count = n.bind("crmkit_customer_count", n.c_int, _P(n.c_int64), n.c_void_p, n.c_void_p)
_iter_new = n.bind("crmkit_customer_iter_new", n.c_int, _P(n.c_void_p), n.c_void_p, n.c_void_p,
                   n.c_int64)
_rule_json = n.bind("crmkit_customer_lifecycle_rule_json", n.c_int, _P(n.c_void_p), n.c_void_p)
_set_rule = n.bind("crmkit_customer_set_lifecycle_rule", n.c_int, n.c_void_p, n.c_char_p, n.c_int64, n.c_double)
_update_lifecycle_json = n.bind("crmkit_customer_update_lifecycle_json", n.c_int, _P(n.c_void_p), n.c_void_p,
                                n.c_int64, n.c_int)

_fields_json = n.bind("crmkit_customer_fields_json", n.c_int, _P(n.c_void_p))


def _library_fields():
    return n.take_json(_fields_json)


# The library's list of customer fields (name, type, given, clearable, choices, description),
# read once: the names below are derived from it rather than kept by hand.
FIELDS = tuple(_library_fields())
# The fields crmkit_customer_set_text takes; the rest (money, instants, tags, attributes) are
# converted one by one in _Record._fill.
TEXT_FIELDS = tuple(f["name"] for f in FIELDS if f["given"] and f["type"] in ("text", "date", "choice"))
CLEARABLE_FIELDS = tuple(f["name"] for f in FIELDS if f["clearable"])


@dataclasses.dataclass
class Customer:
    """A customer as stored. Unknown fields are None; times are aware UTC datetimes."""

    id: int
    external_id: typing.Optional[str] = None
    kind: str = "person"
    display_name: typing.Optional[str] = None
    given_name: typing.Optional[str] = None
    family_name: typing.Optional[str] = None
    email: typing.Optional[str] = None
    phone: typing.Optional[str] = None
    birth_date: typing.Optional[str] = None
    gender: typing.Optional[str] = None
    country: typing.Optional[str] = None
    region: typing.Optional[str] = None
    city: typing.Optional[str] = None
    postal_code: typing.Optional[str] = None
    acquisition_channel: typing.Optional[str] = None
    acquisition_cost: typing.Optional[Money] = None
    lifecycle_stage: str = "lead"
    lifecycle_manual: bool = False   # the host gave the stage: automatic moves skip it
    created_at: typing.Optional[datetime.datetime] = None
    updated_at: typing.Optional[datetime.datetime] = None
    erased_at: typing.Optional[datetime.datetime] = None  # set by db.erase; the record then holds a pseudonym
    attributes: dict = dataclasses.field(default_factory=dict)
    tags: list = dataclasses.field(default_factory=list)

    @classmethod
    def from_json(cls, obj):
        """A Customer from the C API's JSON (times int ms, converted here)."""
        obj = with_datetimes(dict(obj))
        obj["acquisition_cost"] = money_from_json(obj.get("acquisition_cost"))
        known = {f.name for f in dataclasses.fields(cls)}
        return cls(**{k: v for k, v in obj.items() if k in known})


class _Record:
    """A crmkit_customer record built from keyword fields (freed on exit)."""

    def __init__(self, fields, clear=(), existing=False):
        self.ptr = n.c_void_p()
        self.existing = existing  # update/upsert: an empty tag list clears the tag set
        n.check(_new(ctypes.byref(self.ptr)))
        try:
            self._fill(dict(fields), clear)
        except BaseException:
            _free(self.ptr)
            raise

    def _fill(self, fields, clear):
        cost = fields.pop("acquisition_cost", None)
        currency = fields.pop("acquisition_currency", None)
        if cost is not None:
            minor, cur = money_arg(cost, currency, "acquisition_cost")
            n.check(_set_cost(self.ptr, minor, n.text(cur, "acquisition_currency")))
        elif currency is not None:
            raise n.InvalidArgument("acquisition_currency is given without acquisition_cost", -1)
        created = fields.pop("created_at", None)
        if created is not None:
            n.check(_set_created(self.ptr, to_ms(created, "created_at")))
        tags = fields.pop("tags", None)
        if tags is not None:
            if isinstance(tags, str):
                raise TypeError("tags must be a list of str, not a str")
            for tag in tags:
                n.check(_add_tag(self.ptr, n.text(tag, "tag")))
            if not tags and self.existing:  # an empty list means "no tags"
                n.check(_clear(self.ptr, b"tags"))
        attributes = fields.pop("attributes", None)
        if attributes is not None:
            if not isinstance(attributes, str):
                attributes = json.dumps(attributes)
            n.check(_set_text(self.ptr, b"attributes", n.text(attributes, "attributes")))
        for name, value in fields.items():
            if name not in TEXT_FIELDS:
                raise TypeError("unknown customer field %r" % name)
            if value is not None:
                n.check(_set_text(self.ptr, n.text(name), n.text(value, name)))
        for name in clear:
            n.check(_clear(self.ptr, n.text(name, "clear")))

    def __enter__(self):
        return self.ptr

    def __exit__(self, *exc):
        _free(self.ptr)


class Customers:
    """The customers of one Database (``db.customers``)."""

    def __init__(self, database):
        self._db = database

    def create(self, **fields):
        """Creates a customer (``created_at`` required); returns its id. Conflict when the
        external_id exists."""
        cid = n.c_int64()
        with _Record(fields) as rec:
            n.check(_create(ctypes.byref(cid), self._db.handle, rec))
        return cid.value

    def upsert(self, external_id, with_created=False, **fields):
        """Creates or updates the customer with ``external_id``; returns its id (or
        ``(id, created)`` with ``with_created=True``). ``created_at`` is required: for an
        existing customer it is the time of the change."""
        cid, created = n.c_int64(), n.c_int()
        fields["external_id"] = external_id
        with _Record(fields, existing=True) as rec:
            n.check(_upsert(ctypes.byref(cid), ctypes.byref(created), self._db.handle, rec))
        return (cid.value, bool(created.value)) if with_created else cid.value

    def update(self, customer_id, updated_at, clear=(), **fields):
        """Sets the fields given and clears those named in ``clear``."""
        with _Record(fields, clear, existing=True) as rec:
            n.check(_update(self._db.handle, n.int64(customer_id, "customer_id"), rec,
                            to_ms(updated_at, "updated_at")))

    def delete(self, customer_id):
        """Deletes a customer without interactions (Conflict otherwise)."""
        n.check(_delete(self._db.handle, n.int64(customer_id, "customer_id")))

    def get(self, customer_id):
        """The Customer with this id (NotFound otherwise)."""
        return Customer.from_json(take_json(_get_json, self._db.handle, n.int64(customer_id, "customer_id")))

    def get_by_external_id(self, external_id):
        return Customer.from_json(take_json(_get_ext_json, self._db.handle,
                                            n.text(external_id, "external_id")))

    def find_id(self, external_id):
        """The id of the customer with this external_id, or None."""
        cid = n.c_int64()
        rc = _find_id(ctypes.byref(cid), self._db.handle, n.text(external_id, "external_id"))
        if rc == n.NotFound.status:
            return None
        n.check(rc)
        return cid.value

    def find_by_email(self, email):
        """Customers with this email (normalised before the lookup), possibly []."""
        return [Customer.from_json(o) for o in
                take_json(_by_email_json, self._db.handle, n.text(email, "email"))]

    def _filter(self, created_from, created_to, tag, lifecycle_stage, country):
        f = n.c_void_p()
        n.check(_filter_new(ctypes.byref(f)))
        try:
            if created_from is not None:
                n.check(_filter_from(f, to_ms(created_from, "created_from")))
            if created_to is not None:
                n.check(_filter_to(f, to_ms_end_of_day(created_to, "created_to")))
            if tag is not None:
                n.check(_filter_tag(f, n.text(tag, "tag")))
            if lifecycle_stage is not None:
                n.check(_filter_stage(f, n.text(lifecycle_stage, "lifecycle_stage")))
            if country is not None:
                n.check(_filter_country(f, n.text(country, "country")))
        except BaseException:
            _filter_free(f)
            raise
        return f

    def count(self, created_from=None, created_to=None, tag=None, lifecycle_stage=None,
              country=None):
        """Number of customers matching every filter given: created_at in [created_from,
        created_to), a date as created_to meaning the end of that day."""
        f = self._filter(created_from, created_to, tag, lifecycle_stage, country)
        try:
            out = n.c_int64()
            n.check(_count(ctypes.byref(out), self._db.handle, f))
            return out.value
        finally:
            _filter_free(f)

    def list(self, created_from=None, created_to=None, tag=None, lifecycle_stage=None,
             country=None, after=0):
        """Yields the matching customers in id order (after id ``after``), read lazily."""
        f = self._filter(created_from, created_to, tag, lifecycle_stage, country)
        it = n.c_void_p()
        try:
            n.check(_iter_new(ctypes.byref(it), self._db.handle, f, n.int64(after, "after")))
        finally:
            _filter_free(f)  # the iterator keeps its own copy
        yield from n.json_rows("customer", it, Customer.from_json)

    def lifecycle_rule(self):
        """The store's churn rule: {"churn_rule": "no_purchase"|"p_alive", "window_days",
        "p_alive_threshold"} (defaults no_purchase, 180, 0.5)."""
        return take_json(_rule_json, self._db.handle)

    def set_lifecycle_rule(self, churn_rule="no_purchase", window_days=180, p_alive_threshold=0.5):
        """Saves the churn rule: "no_purchase" (no purchase in the window_days before as_of)
        or "p_alive" (the stored score's P(alive) below p_alive_threshold)."""
        n.check(_set_rule(self._db.handle, n.text(churn_rule, "churn_rule"), n.int32(window_days, "window_days"),
                          n.double(p_alive_threshold, "p_alive_threshold")))

    def update_lifecycle(self, as_of, override_manual=False):
        """Applies the churn rule at as_of (int ms, datetime, or a date D meaning the end of D)
        to every customer with a purchase before it: churned when the rule says so, otherwise
        customer. Stages set by hand are skipped unless override_manual. Returns {"as_of" (a
        datetime), "rule", "evaluated", "moves": [{"from", "to" (stage names), "customers"}]};
        a rerun moves nobody."""
        return take_json(_update_lifecycle_json, self._db.handle, to_ms_end_of_day(as_of, "as_of"),
                         1 if override_manual else 0)


_db.Database.customers = property(lambda self: Customers(self))
