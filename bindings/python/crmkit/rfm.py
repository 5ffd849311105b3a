"""R ``rfm``'s entry points on your own data (no database): order-level and customer-level RFM
tables, segments from R-style bound lists, and the segment summary per currency.

    from crmkit import rfm
    t = rfm.table_orders(df, analysis_date="2006-12-31")      # R rfm_table_order
    t = rfm.table_customers(rows, method="quantile", bins=5)  # R rfm_table_customer
    s = rfm.segment(t, names, recency_lower, recency_upper, frequency_lower, frequency_upper,
                    monetary_lower, monetary_upper)            # R rfm_segment
    rfm.segment_summary(s)                                    # R rfm_segment_summary
    t.to_pandas()                                             # when pandas is installed

Input: a pandas DataFrame (columns named as the keyword arguments say), a list of tuples (in
the documented column order), or plain columns given by keyword (``customer_id=[...]``).
R's defaults: method "quantile", 5 bins. R's custom thresholds: ``recency_bins=[115, 181, 297,
482]`` (likewise frequency and monetary; all three or none). Customer ids may be any sortable
values; they come back as given. Dates as everywhere in the binding; the analysis date D
means the end of D (an order on D has recency 0). Revenue is a measure in major units (float);
when rows carry a currency, revenue comes back as a Decimal rounded to that currency's minor
units, and every table and summary is computed per currency, never mixing them.
"""
import ctypes
import dataclasses
import datetime
import decimal
import math

from . import _native as n
from ._values import _DAY_MS, currency_code, currency_exponent, frame, to_ms, to_ms_end_of_day

_size_p = n.POINTER(ctypes.c_size_t)
_i64_p = n.POINTER(n.c_int64)
_int_p = n.POINTER(n.c_int)
_dbl_p = n.POINTER(n.c_double)
_str_p = n.POINTER(n.c_char_p)
_options_new = n.bind("crmkit_rfm_options_new", n.c_int, n.POINTER(n.c_void_p))
_options_free = n.bind("crmkit_rfm_options_free", None, n.c_void_p)
_set_method = n.bind("crmkit_rfm_options_set_method", n.c_int, n.c_void_p, n.c_char_p)
_set_bins = n.bind("crmkit_rfm_options_set_bins", n.c_int, n.c_void_p, n.c_int)
_set_cuts = n.bind("crmkit_rfm_options_set_cuts", n.c_int, n.c_void_p, n.c_char_p, _dbl_p, ctypes.c_size_t)
_table_orders = n.bind("crmkit_rfm_table_orders", n.c_int, _size_p, _i64_p, _i64_p, _i64_p, _dbl_p, _int_p, _int_p,
                       _int_p, _int_p, ctypes.c_size_t, _i64_p, _i64_p, _dbl_p, ctypes.c_size_t, n.c_int64,
                       n.c_void_p)
_table_customers = n.bind("crmkit_rfm_table_customers", n.c_int, _int_p, _int_p, _int_p, _int_p, _i64_p, _i64_p,
                          _i64_p, _dbl_p, ctypes.c_size_t, n.c_void_p)
_segment = n.bind("crmkit_rfm_segment", n.c_int, _int_p, _int_p, _int_p, _int_p, ctypes.c_size_t, _str_p, _dbl_p,
                  _dbl_p, _dbl_p, _dbl_p, _dbl_p, _dbl_p, ctypes.c_size_t)
_summary = n.bind("crmkit_rfm_segment_summary", n.c_int, _size_p, _size_p, _i64_p, _i64_p, _dbl_p, _dbl_p, _dbl_p,
                  _dbl_p, _dbl_p, ctypes.c_size_t, _str_p, _i64_p, _dbl_p, _str_p, ctypes.c_size_t)


def _to_pandas(rows, cls):
    names = [f.name for f in dataclasses.fields(cls)]
    return frame({k: [getattr(r, k) for r in rows] for k in names},
                 what="the rows are plain dataclasses without it")


class _Rows(list):
    """A list of dataclass rows with ``to_pandas()``."""

    row_type = None

    def to_pandas(self):
        return _to_pandas(self, self.row_type)


@dataclasses.dataclass(frozen=True)
class RfmRow:
    """One customer of an RFM table (R's rfm table row); ``segment`` once segmented."""
    customer_id: object
    recency_days: int
    orders: int
    revenue: object  # float, or Decimal in the row's currency
    recency_score: int
    frequency_score: int
    monetary_score: int
    rfm_score: int
    last_order: object = None  # datetime.date of the last order (order-level tables)
    currency: object = None
    segment: object = None


class RfmTable(_Rows):
    """RfmRow per customer, by currency then customer id (order level) or as given."""
    row_type = RfmRow


@dataclasses.dataclass(frozen=True)
class SegmentSummaryRow:
    """R rfm_segment_summary's row, with shares of the currency's totals."""
    currency: object
    segment: str
    customers: int
    orders: int
    revenue: object  # float, or Decimal in the currency
    average_order_value: float
    customer_share: float
    order_share: float
    revenue_share: float


class SegmentSummary(_Rows):
    row_type = SegmentSummaryRow


# ---- input --------------------------------------------------------------------------------

def _columns(data, names, given):
    """The named columns as lists from a DataFrame, a list of tuples (positional, in `names`
    order; optional trailing columns may be left out) or keyword columns."""
    if data is None:
        cols = [given.get(k) for k in names]
        if cols[0] is None:
            raise TypeError("give data (a DataFrame or a list of tuples) or the columns %s by keyword"
                            % ", ".join(names))
        return [None if c is None else list(c) for c in cols]
    if hasattr(data, "columns") and hasattr(data, "__getitem__"):  # a DataFrame, by column name
        out = []
        for k in names:
            col = given.get(k) or k  # a keyword may rename the column: customer_id="name"
            out.append(list(data[col]) if col in data.columns else None)
        return out
    rows = [tuple(r) for r in data]
    width = max((len(r) for r in rows), default=len(names))
    return [[r[i] for r in rows] if i < width else None for i in range(len(names))]


def _require(cols, names, count):
    for c, k in zip(cols, names[:count]):
        if c is None:
            raise n.InvalidArgument("column %s is missing" % k, -1)
    lengths = {len(c) for c in cols if c is not None}
    if len(lengths) > 1:
        raise n.InvalidArgument("columns differ in length: %s" % sorted(lengths), -1)


def _revenue(values):
    out = []
    for i, v in enumerate(values):
        if isinstance(v, bool) or not isinstance(v, (int, float, decimal.Decimal)) and not hasattr(v, "__float__"):
            raise TypeError("revenue of row %d must be a number, not %s" % (i + 1, type(v).__name__))
        x = float(v)
        if not math.isfinite(x):
            raise n.InvalidArgument("revenue of row %d is not a finite number (%r)" % (i + 1, v), -1)
        out.append(x)
    return out


def _ids(values):
    """int64 codes for customer ids: ints as they are, anything else by sorted order, so that
    ties broken by id (ntile) follow the ids' own order."""
    if all(isinstance(v, int) and not isinstance(v, bool) for v in values):
        return [n.int64(v, "customer_id") for v in values], None
    distinct = sorted(set(values))
    code = {v: i + 1 for i, v in enumerate(distinct)}
    return [code[v] for v in values], distinct


def _groups(currencies, count):
    """{currency or None: [row indexes]}, currencies sorted."""
    if currencies is None:
        return {None: list(range(count))}
    out = {}
    for i, c in enumerate(currencies):
        if c is None or c != c:
            raise n.InvalidArgument("currency of row %d is missing" % (i + 1), -1)
        out.setdefault(currency_code(c), []).append(i)
    return dict(sorted(out.items()))


def _money(value, currency):
    if currency is None:
        return value
    return decimal.Decimal(value).quantize(decimal.Decimal(1).scaleb(-currency_exponent(currency)))


class _Options:
    """A crmkit_rfm_options handle from R-style arguments."""

    def __init__(self, method, bins, recency_bins, frequency_bins, monetary_bins):
        cuts = {"recency": recency_bins, "frequency": frequency_bins, "monetary": monetary_bins}
        as_cuts = {k: v for k, v in cuts.items() if v is not None and not isinstance(v, int)}
        counts = {k: v for k, v in cuts.items() if isinstance(v, int) and not isinstance(v, bool)}
        if as_cuts and len(as_cuts) != 3:
            raise n.InvalidArgument("custom thresholds need cut points for all three measures (recency_bins, "
                                    "frequency_bins, monetary_bins); given for %s only" % ", ".join(as_cuts), -1)
        if as_cuts and method not in (None, "custom"):
            raise n.InvalidArgument("method %r and cut points (recency_bins, ...) together: cut points are R's "
                                    "custom thresholds; leave method out" % method, -1)
        if len(set(counts.values())) > 1 or (counts and bins is not None and set(counts.values()) != {bins}):
            raise n.InvalidArgument("one number of bins for all three measures (given %s)" % counts, -1)
        self.bins = bins if bins is not None else (next(iter(counts.values())) if counts else 5)
        self.method = "custom" if as_cuts else (method or "quantile")
        self.cuts = as_cuts

    def __enter__(self):
        self.handle = n.c_void_p()
        n.check(_options_new(ctypes.byref(self.handle)))
        try:
            n.check(_set_bins(self.handle, n.int32(self.bins, "bins")))
            for measure, cuts in self.cuts.items():
                values = [n.double(c, measure + "_bins") for c in cuts]
                n.check(_set_cuts(self.handle, measure.encode(), (n.c_double * len(values))(*values), len(values)))
            n.check(_set_method(self.handle, n.text(self.method, "method")))
        except BaseException:
            _options_free(self.handle)
            raise
        return self.handle

    def __exit__(self, *exc):
        _options_free(self.handle)


def _array(ctype, values):
    return (ctype * max(len(values), 1))(*values)


# ---- R entry points -------------------------------------------------------------------------

def table_orders(data=None, analysis_date=None, *, customer_id=None, order_date=None, revenue=None, currency=None,
                 method=None, bins=None, recency_bins=None, frequency_bins=None, monetary_bins=None):
    """R rfm_table_order: orders (customer_id, order_date, revenue[, currency]) and the analysis
    date (end of day). An RfmTable, one row per customer (and currency), by currency then id."""
    if analysis_date is None:
        raise TypeError("table_orders needs analysis_date (R's analysis_date; nothing reads the clock)")
    names = ("customer_id", "order_date", "revenue", "currency")
    cols = _columns(data, names, {"customer_id": customer_id, "order_date": order_date, "revenue": revenue,
                                  "currency": currency})
    _require(cols, names, 3)
    ids, dates, revenue_col, currencies = cols
    as_of = to_ms_end_of_day(analysis_date, "analysis_date")
    times = [to_ms(d, "order_date of row %d" % (i + 1)) for i, d in enumerate(dates)]
    amounts = _revenue(revenue_col)
    codes, distinct = _ids(ids)
    analysis_day = datetime.date(1970, 1, 1) + datetime.timedelta(days=(as_of - 1) // _DAY_MS)
    out = RfmTable()
    with _Options(method, bins, recency_bins, frequency_bins, monetary_bins) as options:
        for cur, rows in _groups(currencies, len(ids)).items():
            k = len(rows)
            c_ids = _array(n.c_int64, [codes[i] for i in rows])
            c_at = _array(n.c_int64, [times[i] for i in rows])
            c_rev = _array(n.c_double, [amounts[i] for i in rows])
            o_id, o_rec, o_ord = (_array(n.c_int64, [0] * k) for _ in range(3))
            o_rev = _array(n.c_double, [0] * k)
            o_r, o_f, o_m, o_s = (_array(n.c_int, [0] * k) for _ in range(4))
            count = ctypes.c_size_t()
            n.check(_table_orders(ctypes.byref(count), o_id, o_rec, o_ord, o_rev, o_r, o_f, o_m, o_s, k, c_ids, c_at,
                                  c_rev, k, as_of, options))
            for j in range(count.value):
                cid = o_id[j] if distinct is None else distinct[o_id[j] - 1]
                out.append(RfmRow(cid, o_rec[j], o_ord[j], _money(o_rev[j], cur), o_r[j], o_f[j], o_m[j], o_s[j],
                                  analysis_day - datetime.timedelta(days=o_rec[j]), cur))
    return out


def table_customers(data=None, *, customer_id=None, orders=None, recency_days=None, revenue=None, currency=None,
                    method=None, bins=None, recency_bins=None, frequency_bins=None, monetary_bins=None):
    """R rfm_table_customer: rows already aggregated (customer_id, orders, recency_days,
    revenue[, currency]). An RfmTable in the rows' order (scored per currency)."""
    names = ("customer_id", "orders", "recency_days", "revenue", "currency")
    cols = _columns(data, names, {"customer_id": customer_id, "orders": orders, "recency_days": recency_days,
                                  "revenue": revenue, "currency": currency})
    _require(cols, names, 4)
    ids, order_col, recency_col, revenue_col, currencies = cols
    counts = [n.int64(v, "orders of row %d" % (i + 1)) for i, v in enumerate(order_col)]
    recency = [n.int64(v, "recency_days of row %d" % (i + 1)) for i, v in enumerate(recency_col)]
    amounts = _revenue(revenue_col)
    codes, _ = _ids(ids)
    result = [None] * len(ids)
    with _Options(method, bins, recency_bins, frequency_bins, monetary_bins) as options:
        for cur, rows in _groups(currencies, len(ids)).items():
            k = len(rows)
            o_r, o_f, o_m, o_s = (_array(n.c_int, [0] * k) for _ in range(4))
            n.check(_table_customers(o_r, o_f, o_m, o_s, _array(n.c_int64, [codes[i] for i in rows]),
                                     _array(n.c_int64, [counts[i] for i in rows]),
                                     _array(n.c_int64, [recency[i] for i in rows]),
                                     _array(n.c_double, [amounts[i] for i in rows]), k, options))
            for j, i in enumerate(rows):
                result[i] = RfmRow(ids[i], recency[i], counts[i], _money(amounts[i], cur), o_r[j], o_f[j], o_m[j],
                                   o_s[j], None, cur)
    return RfmTable(result)


def segment(table, segment_names, recency_lower=None, recency_upper=None, frequency_lower=None,
            frequency_upper=None, monetary_lower=None, monetary_upper=None):
    """R rfm_segment: the table's rows with ``segment`` set by the first rule (segment_names[i]
    with its inclusive score bounds) that holds, "Others" when none does. A bound list left
    out (None) is unbounded on that side."""
    names = list(segment_names)
    rows = list(table)
    bounds = []
    for label, b in (("recency_lower", recency_lower), ("recency_upper", recency_upper),
                     ("frequency_lower", frequency_lower), ("frequency_upper", frequency_upper),
                     ("monetary_lower", monetary_lower), ("monetary_upper", monetary_upper)):
        if b is None:
            bounds.append(None)
            continue
        b = [n.double(x, label) for x in b]
        if len(b) != len(names):
            raise n.InvalidArgument("%s has %d bounds for %d segment names (one per name, in the names' order)"
                                    % (label, len(b), len(names)), -1)
        bounds.append(_array(n.c_double, b))
    c_names = _array(n.c_char_p, [n.text(x, "segment name") for x in names])
    k = len(rows)
    out = _array(n.c_int, [0] * k)
    n.check(_segment(out, _array(n.c_int, [r.recency_score for r in rows]),
                     _array(n.c_int, [r.frequency_score for r in rows]),
                     _array(n.c_int, [r.monetary_score for r in rows]), k, c_names, *bounds, len(names)))
    return RfmTable(dataclasses.replace(r, segment=names[out[j]] if out[j] >= 0 else "Others")
                    for j, r in enumerate(rows))


def segment_summary(segmented):
    """R rfm_segment_summary per currency: customers, orders, revenue, average order value and
    the shares of the currency's customers, orders and revenue, by currency then customers
    descending. Rows of different currencies are never added together."""
    rows = list(segmented)
    for i, r in enumerate(rows):
        if r.segment is None:
            raise n.InvalidArgument("row %d (customer %r) has no segment; segment the table first" % (i + 1, r.customer_id),
                                    -1)
    k = len(rows)
    has_currency = any(r.currency is not None for r in rows)
    if has_currency and any(r.currency is None for r in rows):
        raise n.InvalidArgument("some rows carry a currency and some do not; one summary per currency needs all", -1)
    c_seg = _array(n.c_char_p, [n.text(r.segment, "segment") for r in rows])
    c_cur = _array(n.c_char_p, [n.text(r.currency, "currency") for r in rows]) if has_currency else None
    first = _array(ctypes.c_size_t, [0] * k)
    customers, orders = _array(n.c_int64, [0] * k), _array(n.c_int64, [0] * k)
    revenue, aov, cs, os_, rs = (_array(n.c_double, [0] * k) for _ in range(5))
    count = ctypes.c_size_t()
    n.check(_summary(ctypes.byref(count), first, customers, orders, revenue, aov, cs, os_, rs, k, c_seg,
                     _array(n.c_int64, [r.orders for r in rows]), _array(n.c_double, [float(r.revenue) for r in rows]),
                     c_cur, k))
    out = SegmentSummary()
    for j in range(count.value):
        src = rows[first[j]]
        out.append(SegmentSummaryRow(src.currency, src.segment, customers[j], orders[j], _money(revenue[j], src.currency),
                                     aov[j], cs[j], os_[j], rs[j]))
    return out
