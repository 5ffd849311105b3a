"""CLV analysis on your own data, no database: what an analyst coming from ``lifetimes`` 0.11.3
reaches for (docs/CLV.md, "Plain data").

    from crmkit import analysis as a
    s = a.summarise(df, customer="id", at="date", amount="sales", period="day")   # a Summary
    fit = a.fit("bg_nbd", s, penalizer_coef=0.0)                                    # a Fit
    print(fit)                                    # parameters, standard errors, LL, AIC, BIC
    a.p_alive(fit, s.frequency, s.recency, s.T)   # a list, one value per customer
    s.to_pandas(), fit.to_pandas()                # DataFrames, when pandas is installed

Purchases come as a pandas DataFrame (columns named by ``customer``, ``at``, ``amount``), a
list of tuples ``(customer, at[, amount])``, or columns given as keyword sequences
(``customer=[...], at=[...], amount=[...]``: lists, NumPy arrays, pandas Series). pandas and
NumPy are never imported unless you pass their objects (``to_pandas()`` imports pandas).

- Times are read as the binding reads every time (``crmkit._values``): int milliseconds since
  the epoch, ``datetime`` (naive = UTC; pandas Timestamps included), ISO-8601 text, or a date
  (its first instant: as in lifetimes, a date names the period it falls in). NumPy
  ``datetime64`` columns are converted to milliseconds. Instants in the results
  (``observation_end``, ``calibration_end``) are aware UTC datetimes, as everywhere in the
  binding.
- Customer ids may be ints (int64) or any other sortable values (str ...): those are numbered
  for the C call and given back as they were.
- Money is floating point here, as in lifetimes: amounts may be ``Decimal``, int or float and
  are converted to float; the summary's monetary value and every prediction are floats. (The
  store's money elsewhere in the binding stays exact Decimal.)

Every function raises ``crmkit.InvalidArgument`` with the library's message naming the row
and the problem ("amount[3] = -2 is negative") for bad input.
"""
import array
import ctypes
import dataclasses
import datetime
import decimal
import json
import math
from ctypes import POINTER, byref, c_char_p, c_double, c_int, c_int64, c_void_p

from . import _native as n
from . import _values

__all__ = ["Summary", "CalibrationHoldout", "Fit", "summarise", "calibration_and_holdout", "fit",
           "p_alive", "conditional_expected_purchases", "expected_purchases", "probability_of_purchases",
           "conditional_probability_of_purchases", "expected_average_profit", "customer_lifetime_value",
           "survival", "retention_rate"]

_D = POINTER(c_double)
_I = POINTER(c_int64)

_summarise = n.bind("crmkit_clv_summarise", c_int, POINTER(c_void_p), _I, _I, _D, c_int64, c_void_p)
_split = n.bind("crmkit_clv_calibration_holdout", c_int, POINTER(c_void_p), _I, _I, _D, c_int64, c_int64, c_void_p)
_facts = n.bind("crmkit_clv_summary_facts", c_int, _I, _I, _I, _D, c_void_p)
_columns = n.bind("crmkit_clv_summary_columns", c_int, _I, c_void_p, c_int64, _I, _D, _D, _D, _D, _D, _D)
_summary_free = n.bind("crmkit_clv_summary_free", None, c_void_p)
_fit = n.bind("crmkit_clv_fit_json", c_int, POINTER(c_void_p), c_char_p, _D, _D, _D, _D, c_int64, c_void_p)
_fit_spend = n.bind("crmkit_clv_fit_spend_json", c_int, POINTER(c_void_p), _D, _D, _D, c_int64, c_void_p)
_fit_retention = n.bind("crmkit_clv_fit_retention_json", c_int, POINTER(c_void_p), _D, c_int64, c_void_p)
_p_alive = n.bind("crmkit_clv_p_alive", c_int, _D, c_char_p, _D, c_int64, _D, _D, _D, c_int64)
_conditional = n.bind("crmkit_clv_conditional_expected_purchases", c_int, _D, c_char_p, _D, c_int64, c_double,
                      _D, _D, _D, c_int64)
_expected = n.bind("crmkit_clv_expected_purchases", c_int, _D, c_char_p, _D, c_int64, _D, c_int64)
_probability = n.bind("crmkit_clv_probability_of_purchases", c_int, _D, c_char_p, _D, c_int64, c_double, _I,
                      c_int64)
_conditional_probability = n.bind("crmkit_clv_conditional_probability_of_purchases", c_int, _D, c_char_p, _D,
                                  c_int64, c_double, _I, _D, _D, _D, c_int64)
_bgbb_p_alive = n.bind("crmkit_clv_bg_bb_p_alive", c_int, _D, _D, c_int64, c_int64, _D, _D, _D, c_int64)
_bgbb_expected = n.bind("crmkit_clv_bg_bb_expected_transactions", c_int, _D, _D, c_int64, _D, c_int64)
_bgbb_conditional = n.bind("crmkit_clv_bg_bb_conditional_expected_transactions", c_int, _D, _D, c_int64, c_double,
                           _D, _D, _D, c_int64)
_bgbb_probability = n.bind("crmkit_clv_bg_bb_probability_of_transactions", c_int, _D, _D, c_int64, c_int64, _I,
                           c_int64)
_sbg_survival = n.bind("crmkit_clv_sbg_survival", c_int, _D, _D, c_int64, _I, c_int64)
_sbg_retention = n.bind("crmkit_clv_sbg_retention_rate", c_int, _D, _D, c_int64, _I, c_int64)
_profit = n.bind("crmkit_clv_expected_average_profit", c_int, _D, _D, c_int64, _D, _D, c_int64)
_clv = n.bind("crmkit_clv_customer_lifetime_value", c_int, _D, c_char_p, _D, c_int64, c_char_p, c_int, c_double,
              _D, _D, _D, _D, c_int64)

# lifetimes' freq letters, accepted beside crmkit's unit names.
_PERIODS = {"H": "hour", "h": "hour", "D": "day", "W": "week", "M": "month"}
_MODELS = {"bg_nbd": "bg_nbd", "bgnbd": "bg_nbd", "mbg_nbd": "mbg_nbd", "mbgnbd": "mbg_nbd",
           "pareto_nbd": "pareto_nbd", "pnbd": "pareto_nbd", "bg_bb": "bg_bb", "gamma_gamma": "gamma_gamma",
           "gg": "gamma_gamma", "sbg": "sbg"}
_FIT_MODELS = {"BG/NBD": "bg_nbd", "MBG/NBD": "mbg_nbd", "Pareto/NBD": "pareto_nbd", "BG/BB": "bg_bb",
               "Gamma-Gamma": "gamma_gamma", "sBG": "sbg"}


def _to_pandas(columns, index=None):
    return _values.frame(columns, index)


# ---------------------------------------------------------------------------------- inputs --

def _values_of(column):
    """A sequence (list, tuple, NumPy array, pandas Series) as a list of Python values; NumPy
    datetime64 values as int milliseconds (finer instants are refused, not rounded)."""
    dtype = getattr(column, "dtype", None)
    if dtype is not None and getattr(dtype, "kind", "") == "M":
        if hasattr(column, "to_numpy"):
            column = column.to_numpy()
        nanos = column.astype("datetime64[ns]").astype("int64").tolist()
        for i, v in enumerate(nanos):
            if v % 1000000:
                raise n.InvalidArgument("at[%d] is finer than a millisecond (instants are whole milliseconds)" % i, -1)
        return [v // 1000000 for v in nanos]
    if hasattr(column, "tolist"):
        return column.tolist()
    return list(column)


def _int64_column(values, name):
    """A ctypes int64 array over plain ints (converted in C by the array module, which refuses
    what int64 cannot hold), or None when some value is not a plain int (the caller converts
    those one by one). bool is not taken for an int here."""
    if not set(map(type, values)) <= {int}:
        return None
    try:
        buffer = array.array("q", values)
    except OverflowError:
        for v in values:
            n.int64(v, name)  # names the value that does not fit
        raise
    return (c_int64 * len(values)).from_buffer(buffer)


def _doubles(values, name):
    values = _values_of(values)
    if set(map(type, values)) <= {float}:  # the common case, converted in C
        return (c_double * len(values)).from_buffer(array.array("d", values)), len(values)
    out = (c_double * len(values))()
    for i, v in enumerate(values):
        if isinstance(v, bool):
            raise TypeError("%s[%d] must be a number, not bool" % (name, i))
        if not isinstance(v, (int, float, decimal.Decimal)):
            raise TypeError("%s[%d] must be a number, not %s" % (name, i, type(v).__name__))
        out[i] = float(v)
    return out, len(values)


def _purchase_columns(purchases, customer, at, amount):
    """(customers, instants, amounts or None) as lists from any accepted form."""
    if purchases is None:
        if customer is None or at is None:
            raise TypeError("give the purchases (a DataFrame or (customer, at[, amount]) tuples) or the "
                            "customer= and at= columns")
        ids, times = _values_of(customer), _values_of(at)
        money = None if amount is None else _values_of(amount)
    elif hasattr(purchases, "columns"):  # a DataFrame: the keywords name its columns
        names = list(purchases.columns)
        for role, col in (("customer", customer), ("at", at)):
            if col not in names:
                raise n.InvalidArgument("%s column %r is not in the DataFrame (columns: %s)" % (role, col, names), -1)
        if amount is not None and amount not in names:
            raise n.InvalidArgument("amount column %r is not in the DataFrame (columns: %s)" % (amount, names), -1)
        ids, times = _values_of(purchases[customer]), _values_of(purchases[at])
        money = None if amount is None else _values_of(purchases[amount])
    else:
        rows = list(purchases)
        widths = {len(r) for r in rows}
        if not widths <= {2, 3} or len(widths) > 1:
            raise n.InvalidArgument("purchases: every tuple must be (customer, at) or (customer, at, amount)", -1)
        ids = [r[0] for r in rows]
        times = [r[1] for r in rows]
        money = [r[2] for r in rows] if widths == {3} else None
    if len(ids) != len(times) or (money is not None and len(money) != len(ids)):
        raise n.InvalidArgument("purchases: the customer, at and amount columns differ in length", -1)
    return ids, times, money


def _customer_codes(ids):
    """int64 ids as they are; any other ids numbered in sorted order (and the way back)."""
    fast = _int64_column(ids, "customer")
    if fast is not None:
        return fast, None
    if all(isinstance(v, int) and not isinstance(v, bool) for v in ids):
        out = (c_int64 * len(ids))()
        for i, v in enumerate(ids):
            out[i] = n.int64(v, "customer[%d]" % i)
        return out, None
    try:
        distinct = sorted(set(ids))
    except TypeError:
        raise TypeError("customer ids must be ints or mutually sortable values (str ...)") from None
    code = {v: i for i, v in enumerate(distinct)}
    out = (c_int64 * len(ids))(*(code[v] for v in ids))
    return out, distinct


def _log(purchases, customer, at, amount):
    ids, times, money = _purchase_columns(purchases, customer, at, amount)
    c, names = _customer_codes(ids)
    t = _int64_column(times, "at")
    if t is None:
        t = (c_int64 * len(times))()
        for i, v in enumerate(times):
            t[i] = _values.to_ms(v, "at[%d]" % i)
    m = None
    if money is not None:
        m, _ = _doubles(money, "amount")
    return c, t, m, len(ids), names


def _period(period):
    if not isinstance(period, str):
        raise TypeError("period must be 'hour', 'day', 'week' or 'month', not %s" % type(period).__name__)
    return _PERIODS.get(period, period)


def _summary_options(period, periods_per_unit, observation_end, include_first_purchase):
    settings = [("period", (c_char_p, c_double), (n.text(_period(period), "period"),
                                                 n.double(periods_per_unit, "periods_per_unit")))]
    if observation_end is not None:
        settings.append(("observation_end", (c_int64,), (_values.to_ms(observation_end, "observation_end"),)))
    if include_first_purchase:
        settings.append(("include_first_purchase", (c_int,), (1,)))
    return n.options("clv_summary", *settings)


def _read_summary(handle, names):
    count, end, left = c_int64(), c_int64(), c_int64()
    duration = c_double()
    n.check(_facts(byref(count), byref(end), byref(left), byref(duration), handle))
    k = count.value
    cols = [(c_int64 * k)()] + [(c_double * k)() for _ in range(6)]
    rows = c_int64()
    n.check(_columns(byref(rows), handle, k, *cols))
    ids = cols[0][:]  # slicing copies in C; list() would step through ctypes per value
    if names is not None:
        ids = [names[i] for i in ids]
    lists = [c[:] for c in cols[1:]]
    return ids, lists, _values.to_datetime(end.value), left.value, duration.value


# ---------------------------------------------------------------------------------- results --

class _PerCustomer:
    """len(), rows() and to_pandas() from a per-customer table's ``customer`` and columns()."""

    def __len__(self):
        return len(self.customer)

    def rows(self):
        cols = self.columns()
        return [dict(zip(cols, values)) for values in zip(*cols.values())]

    def to_pandas(self):
        """A DataFrame indexed by customer, lifetimes' column names."""
        return _to_pandas(self.columns(), index="customer")


@dataclasses.dataclass
class Summary(_PerCustomer):
    """lifetimes' summary table: one row per customer (ascending id). ``monetary_value`` is None
    when the purchases had no amounts. ``observation_end``: the instant used (an aware UTC
    datetime);
    ``purchases_left_out``: purchases after it."""
    customer: list
    frequency: list
    recency: list
    T: list
    monetary_value: list
    observation_end: datetime.datetime
    purchases_left_out: int

    def columns(self):
        cols = {"customer": self.customer, "frequency": self.frequency, "recency": self.recency, "T": self.T}
        if self.monetary_value is not None:
            cols["monetary_value"] = self.monetary_value
        return cols


@dataclasses.dataclass
class CalibrationHoldout(_PerCustomer):
    """lifetimes' calibration_and_holdout_data: per calibration customer the ``_cal`` columns
    and the holdout's frequency, monetary value (mean of the holdout purchases) and duration;
    ``calibration_end`` and ``observation_end`` are aware UTC datetimes."""
    customer: list
    frequency_cal: list
    recency_cal: list
    T_cal: list
    monetary_value_cal: list
    frequency_holdout: list
    monetary_value_holdout: list
    duration_holdout: float
    calibration_end: datetime.datetime
    observation_end: datetime.datetime

    @property
    def frequency(self):
        return self.frequency_cal

    @property
    def recency(self):
        return self.recency_cal

    @property
    def T(self):
        return self.T_cal

    @property
    def monetary_value(self):
        return self.monetary_value_cal

    def columns(self):
        cols = {"customer": self.customer, "frequency_cal": self.frequency_cal, "recency_cal": self.recency_cal,
                "T_cal": self.T_cal}
        if self.monetary_value_cal is not None:
            cols["monetary_value_cal"] = self.monetary_value_cal
        cols["frequency_holdout"] = self.frequency_holdout
        if self.monetary_value_holdout is not None:
            cols["monetary_value_holdout"] = self.monetary_value_holdout
        cols["duration_holdout"] = [self.duration_holdout] * len(self.customer)
        return cols


@dataclasses.dataclass
class Fit:
    """A fitted model: ``model`` ("bg_nbd", ...), ``params`` and ``standard_errors`` (dicts in
    model order; standard_errors None when the Hessian is not positive definite),
    ``log_likelihood``, ``aic``, ``bic``, ``parameters`` (k), ``observations`` (n),
    ``penalizer_coef``, ``converged``, ``reason``, ``iterations`` and ``summary`` (the printable
    text; ``str(fit)`` is the same)."""
    model: str
    params: dict
    standard_errors: dict
    log_likelihood: float
    aic: float
    bic: float
    parameters: int
    observations: float
    customers: int
    penalizer_coef: float
    converged: bool
    reason: str
    iterations: int
    summary: str

    def __str__(self):
        return self.summary

    def to_pandas(self):
        """lifetimes' ``summary`` shape: one row per parameter, coef and se(coef)."""
        se = self.standard_errors or {}
        return _to_pandas({"parameter": list(self.params), "coef": list(self.params.values()),
                           "se(coef)": [se.get(k, math.nan) for k in self.params]}, index="parameter")


def _fit_of(j):
    return Fit(model=_FIT_MODELS.get(j["model"], j["model"]), params=j["params"],
               standard_errors=j["standard_errors"], log_likelihood=j["log_likelihood"], aic=j["aic"],
               bic=j["bic"], parameters=j["parameters"], observations=j["observations"], customers=j["customers"],
               penalizer_coef=j["penalizer_coef"], converged=j["converged"], reason=j["reason"],
               iterations=j["iterations"], summary=j["summary"])


# -------------------------------------------------------------------------------- functions --

def summarise(purchases=None, *, customer="customer", at="at", amount=None, period="day", periods_per_unit=1,
              observation_end=None, include_first_purchase=False):
    """lifetimes' ``summary_data_from_transaction_data`` on your purchases; returns a Summary.

    With a DataFrame, ``customer``/``at``/``amount`` name its columns (``amount`` None: no
    monetary value); without one, pass them as sequences. ``period``: "hour", "day", "week"
    (Monday..Sunday) or "month" (lifetimes' "H", "D", "W", "M" too): purchases in one period
    merge, spend summed; ``periods_per_unit`` is lifetimes' ``freq_multiplier`` ("day" with 7
    gives weeks between whole days); ``observation_end`` defaults to the latest purchase;
    ``include_first_purchase`` is lifetimes' ``include_first_transaction``. Monetary values are
    floats (mean spend per repeat period)."""
    c, t, m, rows, names = _log(purchases, customer, at, amount)
    handle = c_void_p()
    with _summary_options(period, periods_per_unit, observation_end, include_first_purchase) as o:
        n.check(_summarise(byref(handle), c, t, m, rows, o))
    try:
        ids, (f, r, T, mv, _, _), end, left, _ = _read_summary(handle, names)
    finally:
        _summary_free(handle)
    return Summary(ids, f, r, T, mv if m is not None else None, end, left)


def calibration_and_holdout(purchases=None, calibration_end=None, *, customer="customer", at="at", amount=None,
                            period="day", periods_per_unit=1, observation_end=None, include_first_purchase=False):
    """lifetimes' ``calibration_and_holdout_data``; returns a CalibrationHoldout.

    ``calibration_end``: the purchases at or before it (an instant; a date is its first
    instant, as lifetimes reads a date) form the calibration summary; the holdout runs to
    ``observation_end`` (default: the latest purchase). Options as ``summarise``."""
    if calibration_end is None:
        raise TypeError("calibration_end is required")
    c, t, m, rows, names = _log(purchases, customer, at, amount)
    end_ms = _values.to_ms(calibration_end, "calibration_end")
    handle = c_void_p()
    with _summary_options(period, periods_per_unit, observation_end, include_first_purchase) as o:
        n.check(_split(byref(handle), c, t, m, rows, end_ms, o))
    try:
        ids, (f, r, T, mv, fh, mh), end, _, duration = _read_summary(handle, names)
    finally:
        _summary_free(handle)
    money = m is not None
    return CalibrationHoldout(ids, f, r, T, mv if money else None, fh, mh if money else None, duration,
                              _values.to_datetime(end_ms), end)


def _data_columns(data, names):
    """Columns by name from a Summary/CalibrationHoldout (attributes), a DataFrame or a dict, or
    a tuple of sequences in order."""
    if isinstance(data, (tuple, list)) and len(data) == len(names):
        return list(data)
    out = []
    for name in names:
        if hasattr(data, "columns") and not callable(getattr(data, "columns")) and name in list(data.columns):
            out.append(data[name])
        elif isinstance(data, dict):
            out.append(data[name])
        elif hasattr(data, name):
            out.append(getattr(data, name))
        else:
            raise n.InvalidArgument("the data have no %r column" % name, -1)
    return out


def fit(model, data, *, weights=None, penalizer_coef=0.0, start=None, max_iterations=None,
        gradient_tolerance=None):
    """Fits ``model`` and returns a Fit (parameters, standard errors, LL, AIC/BIC, summary).

    model and data:
      "bg_nbd", "mbg_nbd", "pareto_nbd": frequency, recency, T (a Summary, a CalibrationHoldout,
          a DataFrame or dict with those columns, or a tuple of three sequences);
      "gamma_gamma": frequency, monetary_value; from a Summary or CalibrationHoldout only the
          repeat buyers with positive spend are taken (lifetimes asks you to filter them);
      "bg_bb": frequency, recency, n_periods (a tuple or columns of those names);
      "sbg": a sequence of survivor counts (alive[0] = the cohort).
    ``penalizer_coef`` is lifetimes' L2 penalty (docs/CLV.md, "Penalizer"); weights count
    identical rows (lifetimes' weights)."""
    kind = _MODELS.get(model)
    if kind is None:
        raise n.InvalidArgument("model %r is not one of %s" % (model, sorted(set(_MODELS.values()))), -1)
    settings = [("penalizer", (c_double,), (n.double(penalizer_coef, "penalizer_coef"),))]
    if max_iterations is not None or gradient_tolerance is not None:
        settings.append(("limits", (c_int, c_double), (n.int32(1000 if max_iterations is None else max_iterations,
                                                              "max_iterations"),
                                                       n.double(1e-7 if gradient_tolerance is None
                                                                else gradient_tolerance, "gradient_tolerance"))))
    if start is not None:
        s, k = _doubles(start, "start")
        settings.append(("start", (_D, c_int64), (s, k)))
    out = c_void_p()
    w = None
    with n.options("clv_fit", *settings) as o:
        if kind == "sbg":
            alive, k = _doubles(data, "alive")
            n.check(_fit_retention(byref(out), alive, k, o))
        elif kind == "gamma_gamma":
            x, m = _data_columns(data, ["frequency", "monetary_value"])
            if isinstance(data, (Summary, CalibrationHoldout)):
                keep = [i for i, (a, b) in enumerate(zip(x, m)) if a > 0 and b > 0]
                x, m = [x[i] for i in keep], [m[i] for i in keep]
            xs, k = _doubles(x, "frequency")
            ms, _ = _doubles(m, "monetary_value")
            if weights is not None:
                w, _ = _doubles(weights, "weights")
            n.check(_fit_spend(byref(out), xs, ms, w, k, o))
        else:
            cols = ["frequency", "recency", "n_periods" if kind == "bg_bb" else "T"]
            x, r, T = _data_columns(data, cols)
            xs, k = _doubles(x, "frequency")
            rs, _ = _doubles(r, "recency")
            ts, _ = _doubles(T, cols[2])
            if weights is not None:
                w, _ = _doubles(weights, "weights")
            n.check(_fit(byref(out), n.text(kind, "model"), xs, rs, ts, w, k, o))
    return _fit_of(json.loads(n.take_string(out.value)))


def _model_params(fit_, allowed):
    if not isinstance(fit_, Fit):
        raise TypeError("expected a Fit from crmkit.analysis.fit, not %s" % type(fit_).__name__)
    if fit_.model not in allowed:
        raise n.InvalidArgument("this prediction takes a %s fit, not %s" % (" or ".join(allowed), fit_.model), -1)
    values = list(fit_.params.values())
    return n.text(fit_.model, "model"), (c_double * len(values))(*values), len(values)


_PURCHASE = ("bg_nbd", "mbg_nbd", "pareto_nbd")


def _histories(frequency, recency, T):
    x, k = _doubles(frequency, "frequency")
    r, k2 = _doubles(recency, "recency")
    t, k3 = _doubles(T, "T")
    if not k == k2 == k3:
        raise n.InvalidArgument("frequency, recency and T differ in length (%d, %d, %d)" % (k, k2, k3), -1)
    return x, r, t, k


def _counts(values, name):
    """An int or a sequence of ints as (ctypes int64 array, count, was a scalar); bool refused."""
    scalar = isinstance(values, int) and not isinstance(values, bool)
    values = [values] if scalar else _values_of(values)
    out = (c_int64 * len(values))()
    for i, v in enumerate(values):
        if isinstance(v, bool) or not isinstance(v, int):
            raise TypeError("%s[%d] must be an int, not %s" % (name, i, type(v).__name__))
        out[i] = n.int64(v, "%s[%d]" % (name, i))
    return out, len(values), scalar


def _scalar_or_doubles(values, name):
    scalar = isinstance(values, (int, float, decimal.Decimal)) and not isinstance(values, bool)
    ts, rows = _doubles([values] if scalar else values, name)
    return ts, rows, scalar


def p_alive(fit_, frequency, recency, T, *, m_ahead=1):
    """P(alive) per customer (lifetimes' conditional_probability_alive); a list of floats.

    BG/NBD, MBG/NBD, Pareto/NBD: alive at T given (frequency, recency, T). BG/BB: alive at
    opportunity T + ``m_ahead`` (1 = the next one, as lifetimes) given (frequency, recency,
    n_periods) passed as (frequency, recency, T), all whole numbers; ``m_ahead`` is read for
    BG/BB only."""
    model, params, k = _model_params(fit_, _PURCHASE + ("bg_bb",))
    x, r, t, rows = _histories(frequency, recency, T)
    out = (c_double * rows)()
    if fit_.model == "bg_bb":
        n.check(_bgbb_p_alive(out, params, k, n.int64(m_ahead, "m_ahead"), x, r, t, rows))
    else:
        n.check(_p_alive(out, model, params, k, x, r, t, rows))
    return list(out)


def conditional_expected_purchases(fit_, t, frequency, recency, T):
    """Expected purchases in the next ``t`` units given each history (lifetimes'
    conditional_expected_number_of_purchases_up_to_time); a list of floats. For a BG/BB fit:
    the expected transactions in the next ``t`` opportunities (n_star) given (frequency,
    recency, n_periods) passed as (frequency, recency, T) (Fader, Hardie & Shang 2010 eq. 13)."""
    model, params, k = _model_params(fit_, _PURCHASE + ("bg_bb",))
    x, r, T_, rows = _histories(frequency, recency, T)
    out = (c_double * rows)()
    if fit_.model == "bg_bb":
        n.check(_bgbb_conditional(out, params, k, n.double(t, "t"), x, r, T_, rows))
    else:
        n.check(_conditional(out, model, params, k, n.double(t, "t"), x, r, T_, rows))
    return list(out)


def expected_purchases(fit_, t):
    """Expected repeat purchases of a new customer in (0, t] (lifetimes'
    expected_number_of_purchases_up_to_time); t a number (a float back) or a sequence (a list).
    For a BG/BB fit, t counts opportunities: E[X(t)] transactions in the first t."""
    model, params, k = _model_params(fit_, _PURCHASE + ("bg_bb",))
    ts, rows, scalar = _scalar_or_doubles(t, "t")
    out = (c_double * rows)()
    if fit_.model == "bg_bb":
        n.check(_bgbb_expected(out, params, k, ts, rows))
    else:
        n.check(_expected(out, model, params, k, ts, rows))
    return out[0] if scalar else list(out)


def probability_of_purchases(fit_, t, n_purchases):
    """P(exactly n repeat purchases in (0, t]) for a new customer (lifetimes'
    probability_of_n_purchases_up_to_time); BG/NBD, MBG/NBD and Pareto/NBD (Fader & Hardie
    2006). For a BG/BB fit: P(exactly n transactions in the first t opportunities), t a whole
    number (Fader, Hardie & Shang 2010 eq. 7; times the cohort size it is lifetimes'
    expected_number_of_transactions_in_first_n_periods). n an int (a float back) or a sequence
    of ints (a list)."""
    model, params, k = _model_params(fit_, _PURCHASE + ("bg_bb",))
    ns, rows, scalar = _counts(n_purchases, "n")
    out = (c_double * rows)()
    if fit_.model == "bg_bb":
        if isinstance(t, bool) or not isinstance(t, int):
            raise TypeError("t (opportunities) must be an int for a BG/BB fit, not %s" % type(t).__name__)
        n.check(_bgbb_probability(out, params, k, n.int64(t, "t"), ns, rows))
    else:
        n.check(_probability(out, model, params, k, n.double(t, "t"), ns, rows))
    return out[0] if scalar else list(out)


def conditional_probability_of_purchases(fit_, t, n_purchases, frequency, recency, T):
    """P(exactly n purchases in the next ``t`` units | each history) (lifetimes' ParetoNBDFitter.
    conditional_probability_of_n_purchases_up_to_time; here for BG/NBD and MBG/NBD too): the
    probability of being dead (n = 0 only) plus P(alive) times the pmf of a new customer with
    the posterior parameters (docs/CLV.md). ``n_purchases``: one int for every customer or one
    per customer. A list of floats; over n each customer's values sum to 1 and their mean is
    conditional_expected_purchases."""
    model, params, k = _model_params(fit_, _PURCHASE)
    x, r, T_, rows = _histories(frequency, recency, T)
    ns, count, scalar = _counts(n_purchases, "n")
    if scalar:
        ns = (c_int64 * rows)(*([ns[0]] * rows))
    elif count != rows:
        raise n.InvalidArgument("n_purchases has %d values for %d customers" % (count, rows), -1)
    out = (c_double * rows)()
    n.check(_conditional_probability(out, model, params, k, n.double(t, "t"), ns, x, r, T_, rows))
    return list(out)


def survival(sbg, t):
    """sBG survival S(t) = B(alpha, beta + t) / B(alpha, beta): the share of a cohort still a
    customer after t periods (Fader & Hardie 2007); t an int >= 0 (a float back) or a sequence
    of them (a list)."""
    _, params, k = _model_params(sbg, ("sbg",))
    ts, rows, scalar = _counts(t, "t")
    out = (c_double * rows)()
    n.check(_sbg_survival(out, params, k, ts, rows))
    return out[0] if scalar else list(out)


def retention_rate(sbg, t):
    """sBG retention rate of period t, r_t = (beta + t - 1) / (alpha + beta + t - 1): the share
    of those customers at t - 1 who renew (Fader & Hardie 2007); t an int >= 1 (a float back)
    or a sequence of them (a list)."""
    _, params, k = _model_params(sbg, ("sbg",))
    ts, rows, scalar = _counts(t, "t")
    out = (c_double * rows)()
    n.check(_sbg_retention(out, params, k, ts, rows))
    return out[0] if scalar else list(out)


def expected_average_profit(gamma_gamma, frequency, monetary_value):
    """Gamma-Gamma conditional expected average profit per purchase (lifetimes'
    conditional_expected_average_profit); frequency 0 gives the population mean. Floats."""
    _, params, k = _model_params(gamma_gamma, ("gamma_gamma",))
    x, rows = _doubles(frequency, "frequency")
    m, rows2 = _doubles(monetary_value, "monetary_value")
    if rows != rows2:
        raise n.InvalidArgument("frequency and monetary_value differ in length (%d, %d)" % (rows, rows2), -1)
    out = (c_double * rows)()
    n.check(_profit(out, params, k, x, m, rows))
    return list(out)


def customer_lifetime_value(fit_, frequency, recency, T, expected_margin, *, unit, months=12,
                            monthly_discount_rate=0.01):
    """lifetimes' customer_lifetime_value: sum over ``months`` of the margin times the expected
    purchases in each month, discounted monthly. ``unit`` is the unit the histories are in
    ("hour", "day", "week", "month"; lifetimes' freq letters too) and has no default: lifetimes'
    default "D" silently mis-scales weekly data. ``expected_margin``: per customer, e.g.
    expected_average_profit(...) times a margin rate. A list of floats."""
    model, params, k = _model_params(fit_, _PURCHASE)
    x, r, t, rows = _histories(frequency, recency, T)
    margin, rows2 = _doubles(expected_margin, "expected_margin")
    if rows != rows2:
        raise n.InvalidArgument("expected_margin has %d values for %d customers" % (rows2, rows), -1)
    out = (c_double * rows)()
    n.check(_clv(out, model, params, k, n.text(_period(unit), "unit"), n.int32(months, "months"),
                 n.double(monthly_discount_rate, "monthly_discount_rate"), x, r, t, margin, rows))
    return list(out)
