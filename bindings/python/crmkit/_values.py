"""Conversions shared by the area modules: times and money between Python and the C API.

- Times: the C API takes int64 milliseconds since the epoch, UTC. Every function of the
  binding that takes a time reads it with ``to_ms`` or ``to_ms_end_of_day``, which accept an
  int (already milliseconds), a ``datetime.datetime`` (a naive one is UTC), an ISO-8601 string
  ("2025-01-15T10:00:00Z"; no offset is UTC), or a date (``datetime.date`` or "YYYY-MM-DD").
  A date means its first instant, 00:00 UTC, except for parameters documented as "end of day"
  (as_of, to/end bounds, calibration and holdout ends, the ``at`` of a change recorded as of a
  day), where it means the end of that day: the next day 00:00 UTC, so that day is included.
  Every instant a result carries comes back as an aware UTC ``datetime.datetime``
  (``timezone.utc``), in every module: ``take_json`` converts the C API's JSON through
  ``with_datetimes``, driven by the one table ``INSTANT_KEYS``, and the dataclasses and
  iterators convert with ``to_datetime``. Such a datetime is whole milliseconds, so it can be
  passed back in as it is. Durations (days, periods, lengths) stay numbers.
- Money: the C API takes int64 minor units plus an ISO-4217 code. ``to_minor`` accepts an
  int (already minor units) or a ``decimal.Decimal`` / decimal string in major units
  ("12.34"), converted exactly (more decimals than the currency has is an error). Floats are
  refused: floating-point money is a defect. Results come back as ``Money(minor, currency)``
  whose ``amount`` is the exact Decimal.
"""
import collections
import datetime
import decimal

from . import _native as n

_EPOCH = datetime.datetime(1970, 1, 1, tzinfo=datetime.timezone.utc)

_minor_units = n.bind("crmkit_currency_minor_units", n.c_int, n.POINTER(n.c_int), n.c_char_p)


def currency_exponent(currency):
    """Digits after the decimal point in ``currency`` (0 for JPY, 3 for KWD, 4 for CLF), from the
    library's ISO 4217 table; InvalidArgument for a code not in it ("ABC")."""
    out = n.c_int()
    n.check(_minor_units(n.byref(out), n.text(currency, "currency")))
    return out.value


_DAY_MS = 86400000


def _date_or_ms(value, name):
    """(day number, None) for a date, (None, ms) for any other accepted time."""
    if isinstance(value, bool):
        raise TypeError("%s must be int milliseconds, a datetime, a date or ISO-8601 text, not bool" % name)
    if isinstance(value, int):
        return None, n.int64(value, name)
    if isinstance(value, str):
        text = value
        try:
            if len(text) == 10:
                value = datetime.date.fromisoformat(text)
            else:
                value = datetime.datetime.fromisoformat(text[:-1] + "+00:00" if text.endswith("Z") else text)
        except ValueError:
            raise n.InvalidArgument("%s '%s' is not a date YYYY-MM-DD or an ISO-8601 instant" % (name, text),
                                    -1) from None
    if isinstance(value, datetime.datetime):
        if getattr(value, "nanosecond", 0):
            # A pandas Timestamp's nanoseconds: the subtraction below would drop them silently.
            raise n.InvalidArgument("%s %s is finer than a millisecond (instants are whole milliseconds)"
                                    % (name, value.isoformat()), -1)
        if value.tzinfo is None:
            value = value.replace(tzinfo=datetime.timezone.utc)
        # Integer arithmetic: value.timestamp() * 1000 is a float and can be off by a millisecond.
        delta = value - _EPOCH
        if delta.microseconds % 1000:
            # Instants are whole milliseconds; the library refuses finer text the same way.
            raise n.InvalidArgument(
                "%s %s is finer than a millisecond (instants are whole milliseconds; round it "
                "first, e.g. value.replace(microsecond=value.microsecond // 1000 * 1000))"
                % (name, value.isoformat()), -1)
        return None, n.int64((delta.days * 86400 + delta.seconds) * 1000 + delta.microseconds // 1000, name, value)
    if isinstance(value, datetime.date):
        return (value - _EPOCH.date()).days, None
    raise TypeError("%s must be int milliseconds, a datetime, a date or ISO-8601 text, not %s"
                    % (name, type(value).__name__))


def to_ms(value, name="time"):
    """An instant as int milliseconds since the epoch (UTC); a date is its first instant."""
    day, ms = _date_or_ms(value, name)
    return ms if day is None else n.int64(day * _DAY_MS, name, value)


def to_ms_end_of_day(value, name="as_of"):
    """An instant as int milliseconds since the epoch (UTC); a date D means the end of D (D+1
    00:00 UTC), for parameters that count everything up to and including a day."""
    day, ms = _date_or_ms(value, name)
    return ms if day is None else n.int64((day + 1) * _DAY_MS, name, value)


def optional_ms(value, name, end_of_day=False):
    """None, or a pointer to the instant (an optional bound passed as const int64_t*)."""
    if value is None:
        return None
    return n.int64_pointer((to_ms_end_of_day if end_of_day else to_ms)(value, name), name)


def to_datetime(ms):
    """int milliseconds since the epoch as an aware UTC datetime (None stays None); exact:
    timedelta counts whole milliseconds, where a float timestamp could be off by one."""
    if ms is None:
        return None
    return _EPOCH + datetime.timedelta(milliseconds=ms)


# The one table of the keys under which the C API's JSON results carry an instant: int
# milliseconds (src/*/*_json.cpp, capi/segments.cpp), or ISO-8601 text in the report
# (src/reports/). Read from the producers; a producer with a new instant key adds it here.
INSTANT_KEYS = frozenset((
    "created_at", "updated_at",          # customers; points programmes and ledger entries
    "occurred_at",                       # interactions, survey responses
    "first_purchase_at", "last_purchase_at", "last_interaction_at",   # a customer's figures
    "as_of",                             # lifecycle updates, scoring, RFM, the report
    "calibration_end", "data_from", "fitted_at", "scored_at",         # models and scores
    "from", "to",                        # retention, survey metric windows, tier history, report windows
    "start",                             # a cohort's first instant
    "effective_at", "expires_at",        # points ledger entries
    "refreshed_at",                      # segments
    "verified_at", "invalid_since",      # contact points
    "at", "until",                       # audit entries; consent events and states, suppressions
    "undone_at",                         # merge records
))
# Under these keys is the host's own JSON (attributes) or a segment rule, whose "from"/"to"
# are dates of the rule language: never converted.
_OPAQUE_KEYS = frozenset(("attributes", "rule"))


def _instant_text(text):
    """ISO-8601 instant text (the report's form) as a datetime; other text (a date, a label)
    is not an instant and stays as it is."""
    if len(text) <= 10 or "T" not in text:
        return text
    try:
        return to_datetime(to_ms(text))
    except (n.InvalidArgument, OverflowError):
        return text


def with_datetimes(value, text=False):
    """``value`` (parsed JSON) with every int under a key of INSTANT_KEYS, at any depth, turned
    into an aware UTC datetime; with ``text``, ISO-8601 instant text there too (the report).
    Only ints convert: the lifecycle's moves have "from"/"to" stage names, which stay text.
    Changes ``value`` in place and returns it."""
    # Exact types and a set intersection per object: a million-row result is walked in about
    # half the time json.loads takes to parse it.
    kind = type(value)
    if kind is dict:
        for key in INSTANT_KEYS.intersection(value):
            v = value[key]
            if type(v) is int:  # bool is not an instant
                value[key] = to_datetime(v)
            elif text and type(v) is str:
                value[key] = _instant_text(v)
        for key, v in value.items():
            inner = type(v)
            if (inner is dict or inner is list) and key not in _OPAQUE_KEYS:
                with_datetimes(v, text)
    elif kind is list:
        for v in value:
            inner = type(v)
            if inner is dict or inner is list:
                with_datetimes(v, text)
    return value


def take_json(fn, *args, object_hook=None, text_instants=False):
    """n.take_json for a result: the parsed JSON with its instants as datetimes. Every result
    the binding returns from JSON goes through here, so that no module keeps int ms."""
    return with_datetimes(n.take_json(fn, *args, object_hook=object_hook), text_instants)


def frame(columns, index=None, what="the same data are plain lists on the object"):
    """A pandas.DataFrame of ``columns`` (name -> list), the one to_pandas of every table: a
    column of datetimes (None allowed) becomes datetime64[ns, UTC]. ImportError naming pandas
    when it is not installed; ``what`` says where the data are without it."""
    try:
        import pandas
    except ImportError as e:
        raise ImportError("to_pandas() needs pandas (Debian: python3-pandas); %s" % what) from e
    columns = dict(columns)
    for name, values in columns.items():
        # A column holds one kind of value (None aside): its first value tells which.
        first = next((v for v in values if v is not None), None)
        if isinstance(first, datetime.datetime):
            # Explicit: a column of datetime objects is not always inferred as UTC instants,
            # and newer pandas picks a coarser unit for them.
            stamps = pandas.to_datetime(list(values), utc=True)
            columns[name] = stamps.as_unit("ns") if hasattr(stamps, "as_unit") else stamps
    result = pandas.DataFrame(columns, columns=list(columns))
    if index is not None:
        result = result.set_index(index)
    return result


class Money(collections.namedtuple("Money", "minor currency")):
    """An amount in minor units of an ISO-4217 currency."""

    __slots__ = ()

    @property
    def amount(self):
        """The exact amount in major units, as a Decimal."""
        return decimal.Decimal(self.minor).scaleb(-currency_exponent(self.currency))

    def __str__(self):
        return "%s %s" % (self.amount, self.currency)


def to_minor(amount, currency, name="amount"):
    """``amount`` (int minor units, Decimal or decimal str in major units) as int minor units."""
    if isinstance(amount, bool) or isinstance(amount, float):
        raise TypeError("%s must be int minor units or a Decimal, not %s (floating-point money "
                        "is inexact)" % (name, type(amount).__name__))
    if isinstance(amount, int):
        return n.int64(amount, name)
    given = amount
    if isinstance(amount, str):
        try:
            amount = decimal.Decimal(amount)
        except decimal.InvalidOperation:
            raise n.InvalidArgument("%s '%s' is not a decimal number" % (name, amount), -1)
    if not isinstance(amount, decimal.Decimal):
        raise TypeError("%s must be int minor units or a Decimal, not %s"
                        % (name, type(amount).__name__))
    if not amount.is_finite():
        raise n.InvalidArgument("%s %s is not a finite number" % (name, amount), -1)
    scaled = amount.scaleb(currency_exponent(currency or ""))
    if scaled != scaled.to_integral_value():
        raise n.InvalidArgument("%s %s has more decimals than %s allows" % (name, amount, currency), -1)
    # Checked here so that the message shows the amount as given, not its minor units.
    return n.int64(int(scaled), "%s (in minor units of %s)" % (name, currency), repr(given))


def currency_code(text):
    """Currency text as people write it ("usd") spelled as a code ("USD"): ASCII letters
    upper-cased, as the library's currency_code does, before the exponent is looked up."""
    if not isinstance(text, str):
        return text
    return "".join(chr(ord(c) - 32) if "a" <= c <= "z" else c for c in text)


def money_arg(amount, currency, name="amount"):
    """(minor, currency) from a Money, a (minor, currency) tuple, or an amount plus currency."""
    currency = currency_code(currency)
    if isinstance(amount, tuple):
        amount = (amount[0], currency_code(amount[1]))
        minor, cur = amount
        if currency is not None and currency != cur:
            raise n.InvalidArgument("%s is in %s but currency says %s" % (name, cur, currency), -1)
        return to_minor(minor, cur, name), cur
    if currency is None:
        raise n.InvalidArgument("%s needs a currency" % name, -1)
    return to_minor(amount, currency, name), currency


def money_from_json(value):
    """{"minor": n, "currency": "USD"} (or None) as Money (or None)."""
    if value is None:
        return None
    return Money(value["minor"], value["currency"])
