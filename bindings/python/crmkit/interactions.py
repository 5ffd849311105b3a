"""Interactions: ``db.interactions`` (record, record_batch, get, timeline, figures).

    db.interactions.record(customer_id=7, kind="purchase", channel="web",
                           occurred_at=datetime.datetime(2025, 1, 20, tzinfo=datetime.timezone.utc),
                           amount=decimal.Decimal("49.90"), currency="USD", external_id="order-1")
    for i in db.interactions.timeline(7, kind="purchase"):
        print(i.occurred_at, i.amount, i.currency)      # an aware UTC datetime

Times: int milliseconds, datetime, date or ISO-8601 text (``crmkit._values``). Money: ``amount`` is
int minor units or a Decimal in major units, with ``currency``; or a ``Money`` / (minor,
currency) tuple. ``margin`` is in the amount's currency, given the same way. Interactions
come back as ``Interaction`` dataclasses: ``amount`` a Decimal in major units (exact),
``amount_minor`` the int minor units, times aware UTC datetimes.
"""
import ctypes
import dataclasses
import datetime
import json
import typing
import decimal

from . import _native as n
from . import db as _db
from ._values import currency_exponent, money_arg, take_json, to_minor, to_ms, to_ms_end_of_day, with_datetimes

_P = n.POINTER
_new = n.bind("crmkit_interaction_new", n.c_int, _P(n.c_void_p))
_free = n.bind("crmkit_interaction_free", None, n.c_void_p)
_set_customer = n.bind("crmkit_interaction_set_customer_id", n.c_int, n.c_void_p, n.c_int64)
_set_external = n.bind("crmkit_interaction_set_external_id", n.c_int, n.c_void_p, n.c_char_p)
_set_time = n.bind("crmkit_interaction_set_occurred_at", n.c_int, n.c_void_p, n.c_int64)
_set_channel = n.bind("crmkit_interaction_set_channel", n.c_int, n.c_void_p, n.c_char_p)
_set_kind = n.bind("crmkit_interaction_set_kind", n.c_int, n.c_void_p, n.c_char_p)
_set_direction = n.bind("crmkit_interaction_set_direction", n.c_int, n.c_void_p, n.c_char_p)
_set_amount = n.bind("crmkit_interaction_set_amount", n.c_int, n.c_void_p, n.c_int64, n.c_char_p)
_set_margin = n.bind("crmkit_interaction_set_margin", n.c_int, n.c_void_p, n.c_int64)
_set_subject = n.bind("crmkit_interaction_set_subject", n.c_int, n.c_void_p, n.c_char_p)
_set_notes = n.bind("crmkit_interaction_set_notes", n.c_int, n.c_void_p, n.c_char_p)
_set_attributes = n.bind("crmkit_interaction_set_attributes", n.c_int, n.c_void_p, n.c_char_p)
_record = n.bind("crmkit_interaction_record", n.c_int, _P(n.c_int64), n.c_void_p, n.c_void_p)
_get_json = n.bind("crmkit_interaction_get_json", n.c_int, _P(n.c_void_p), n.c_void_p, n.c_int64)
_batch_new = n.bind("crmkit_batch_new", n.c_int, _P(n.c_void_p))
_batch_free = n.bind("crmkit_batch_free", None, n.c_void_p)
_batch_add = n.bind("crmkit_batch_add", n.c_int, n.c_void_p, n.c_void_p)
_batch_skip = n.bind("crmkit_batch_set_skip_invalid", n.c_int, n.c_void_p, n.c_int)
_batch_repeats = n.bind("crmkit_batch_set_allow_repeats", n.c_int, n.c_void_p, n.c_int)
_batch_commit = n.bind("crmkit_batch_commit", n.c_int, _P(n.c_void_p), n.c_void_p, n.c_void_p)
_result_free = n.bind("crmkit_batch_result_free", None, n.c_void_p)
_result_json = n.bind("crmkit_batch_result_json", n.c_int, _P(n.c_void_p), n.c_void_p)
_iter_new = n.bind("crmkit_interaction_iter_new", n.c_int, _P(n.c_void_p), n.c_void_p, n.c_int64,
                   n.c_char_p, n.c_char_p, n.c_int64, n.c_int64)
_figures_json = n.bind("crmkit_customer_figures_json", n.c_int, _P(n.c_void_p), n.c_void_p, n.c_int64)
_rebuild = n.bind("crmkit_interaction_rebuild_figures", n.c_int, n.c_void_p)

INT64_MIN = -(1 << 63)
INT64_MAX = (1 << 63) - 1


def _major(minor, currency):
    return None if minor is None else decimal.Decimal(minor).scaleb(-currency_exponent(currency))


@dataclasses.dataclass
class Interaction:
    """An interaction as stored; occurred_at is an aware UTC datetime."""

    id: int
    customer_id: int
    occurred_at: datetime.datetime
    channel: str
    kind: str
    direction: str = "none"
    external_id: typing.Optional[str] = None
    amount: typing.Optional[decimal.Decimal] = None   # major units, exact
    currency: typing.Optional[str] = None
    amount_minor: typing.Optional[int] = None
    margin: typing.Optional[decimal.Decimal] = None   # major units of currency
    subject: typing.Optional[str] = None
    notes: typing.Optional[str] = None
    attributes: typing.Optional[dict] = None

    @classmethod
    def from_json(cls, o):
        """An Interaction from the C API's JSON (occurred_at int ms, converted here)."""
        o = with_datetimes(dict(o))
        money = o.get("amount")
        currency = money["currency"] if money else None
        minor = money["minor"] if money else None
        return cls(id=o["id"], customer_id=o["customer_id"], occurred_at=o["occurred_at"],
                   channel=o["channel"], kind=o["kind"], direction=o.get("direction", "none"),
                   external_id=o.get("external_id"), amount=_major(minor, currency),
                   currency=currency, amount_minor=minor,
                   margin=_major(o.get("margin"), currency) if currency else None,
                   subject=o.get("subject"), notes=o.get("notes"), attributes=o.get("attributes"))


@dataclasses.dataclass
class BatchResult:
    """What record_batch did: ids per input row (0 for a skipped row), counts, and the
    skipped rows as (index, exception) pairs (skip_invalid only). duplicates is the sum of
    duplicate_external_ids (same external_id) and duplicate_natural_keys (no external_id,
    the same natural key)."""

    inserted: int
    duplicates: int
    ids: list
    errors: list
    duplicate_external_ids: int = 0
    duplicate_natural_keys: int = 0


_FIELDS = {"customer_id", "occurred_at", "kind", "channel", "direction", "amount", "currency",
           "margin", "external_id", "subject", "notes", "attributes"}


def _fill(rec, row):
    unknown = set(row) - _FIELDS
    if unknown:
        raise TypeError("unknown interaction field(s): %s" % ", ".join(sorted(unknown)))
    for required in ("customer_id", "occurred_at", "kind"):
        if row.get(required) is None:
            raise n.InvalidArgument("%s is required" % required, -1)
    n.check(_set_customer(rec, n.int64(row["customer_id"], "customer_id")))
    n.check(_set_time(rec, to_ms(row["occurred_at"], "occurred_at")))
    n.check(_set_kind(rec, n.text(row["kind"], "kind")))
    if row.get("channel") is not None:
        n.check(_set_channel(rec, n.text(row["channel"], "channel")))
    if row.get("direction") is not None:
        n.check(_set_direction(rec, n.text(row["direction"], "direction")))
    amount, currency = row.get("amount"), row.get("currency")
    if amount is not None:
        minor, currency = money_arg(amount, currency, "amount")
        n.check(_set_amount(rec, minor, n.text(currency, "currency")))
    elif currency is not None:
        raise n.InvalidArgument("currency is given without an amount", -1)
    if row.get("margin") is not None:
        margin = row["margin"]
        if isinstance(margin, tuple):
            margin = money_arg(margin, currency, "margin")[0]
        n.check(_set_margin(rec, to_minor(margin, currency, "margin")))
    if row.get("external_id") is not None:
        n.check(_set_external(rec, n.text(row["external_id"], "external_id")))
    if row.get("subject") is not None:
        n.check(_set_subject(rec, n.text(row["subject"], "subject")))
    if row.get("notes") is not None:
        n.check(_set_notes(rec, n.text(row["notes"], "notes")))
    attributes = row.get("attributes")
    if attributes is not None:
        if not isinstance(attributes, str):
            attributes = json.dumps(attributes)
        n.check(_set_attributes(rec, n.text(attributes, "attributes")))


class Interactions:
    """The interactions of one Database (``db.interactions``)."""

    def __init__(self, database):
        self._db = database

    def record(self, customer_id, occurred_at, kind, channel="other", **fields):
        """Records one interaction and updates the customer's figures; returns its id. With an
        external_id recorded before: same content gives the existing id, other content raises
        Conflict."""
        row = dict(fields, customer_id=customer_id, occurred_at=occurred_at, kind=kind,
                   channel=channel)
        rec = n.c_void_p()
        n.check(_new(ctypes.byref(rec)))
        try:
            _fill(rec, row)
            out = n.c_int64()
            n.check(_record(ctypes.byref(out), self._db.handle, rec))
            return out.value
        finally:
            _free(rec)

    def record_batch(self, rows, skip_invalid=False, allow_repeats=False):
        """Records a list of dicts (the keyword arguments of ``record``) in one transaction.
        skip_invalid=False: the first bad row raises (message "row N: ...") and nothing is
        written. True: bad rows are skipped and listed in ``BatchResult.errors``; a row that
        cannot even be converted (wrong type, unknown field) raises before anything is sent.
        A row without external_id is identified by its natural key (all its fields): one
        recorded before by a batch is a duplicate, so a batch can be run again safely;
        allow_repeats=True records such rows every time (true repeats)."""
        batch, rec = n.c_void_p(), n.c_void_p()
        n.check(_batch_new(ctypes.byref(batch)))
        try:
            n.check(_batch_skip(batch, int(bool(skip_invalid))))
            n.check(_batch_repeats(batch, int(bool(allow_repeats))))
            for index, row in enumerate(rows):
                n.check(_new(ctypes.byref(rec)))
                try:
                    try:
                        _fill(rec, row)
                    except n.Error as e:
                        raise type(e)("row %d: %s" % (index, e), e.status) from None
                    n.check(_batch_add(batch, rec))
                finally:
                    _free(rec)
            result = n.c_void_p()
            n.check(_batch_commit(ctypes.byref(result), self._db.handle, batch))
            try:
                j = take_json(_result_json, result)
            finally:
                _result_free(result)
        finally:
            _batch_free(batch)
        errors = [(e["row"], n._BY_STATUS.get(e["status"], n.Error)(e["message"], e["status"]))
                  for e in j.get("errors", [])]
        reasons = j["duplicates_by_reason"]
        return BatchResult(j["inserted"], j["duplicates"], j["ids"], errors,
                           reasons["same_external_id"], reasons["same_natural_key"])

    def get(self, interaction_id):
        return Interaction.from_json(take_json(_get_json, self._db.handle,
                                               n.int64(interaction_id, "interaction_id")))

    def timeline(self, customer_id, channel=None, kind=None, start=None, end=None):
        """Yields the customer's interactions newest first, optionally one channel or kind and
        occurred_at in [start, end) (a date as end is the end of that day). NotFound for an
        unknown customer (raised on first use)."""
        it = n.c_void_p()
        n.check(_iter_new(ctypes.byref(it), self._db.handle, n.int64(customer_id, "customer_id"),
                          n.text(channel, "channel"), n.text(kind, "kind"),
                          INT64_MIN if start is None else to_ms(start, "start"),
                          INT64_MAX if end is None else to_ms_end_of_day(end, "end")))
        yield from n.json_rows("interaction", it, Interaction.from_json)

    def figures(self, customer_id):
        """The figures kept for a customer, as a dict: counts, first/last purchase and last
        interaction (aware UTC datetimes or None), and ``money``: {currency: {"purchase_total",
        "refund_total", "margin_total"}} as exact Decimals in major units."""
        j = take_json(_figures_json, self._db.handle, n.int64(customer_id, "customer_id"))
        money = {}
        for m in j.get("money", []):
            cur = m["currency"]
            money[cur] = {k: _major(m[k], cur) for k in ("purchase_total", "refund_total", "margin_total")}
        j["money"] = money
        return j

    def rebuild_figures(self):
        """Recomputes every customer's figures from the interactions (repair)."""
        n.check(_rebuild(self._db.handle))


_db.Database.interactions = property(lambda self: Interactions(self))
