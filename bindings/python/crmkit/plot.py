"""SVG charts of customer value, RFM and retention, from plain data (no database needed).

    from crmkit import plot
    svg = plot.p_alive_matrix(("bg_nbd", [0.243, 4.414, 0.793, 2.426]), 20, 39, unit="week")
    svg.save("p_alive.svg")                           # every chart is a str with .save(path)
    svg.save("p_alive.png")                           # PNG through rsvg-convert (librsvg2-bin)
    plot.rfm_histogram("monetary", df["monetary"])    # lists, NumPy arrays or pandas Series
    plot.cohort_retention(db.retention.cohorts())     # the cohort matrix as the store gives it

Each function returns the SVG document (``Svg``, a ``str``) with a title, axis labels with
units and a caption; ``width``, ``height`` and ``title`` override the defaults (720 x 440, the
chart's own title); ``period`` adds "Period: ..." to the caption where the data cannot tell it
(RFM measures, segment counts). Columns may be any sequence of numbers, a NumPy array or a pandas Series;
pandas and NumPy are never required. NaN, infinities, booleans and integers a double cannot
hold are refused (``InvalidArgument`` naming the value), never dropped. docs/PLOTS.md
describes each chart and what it tells.

The same charts from a database, the data gathered by the library: ``db.chart("p-alive")``,
``db.chart("rfm-heatmap")`` ...; ``charts()`` names them (docs/PLOTS.md, "Charts of a store").
"""
import ctypes
import math
import numbers
import shutil
import subprocess

from . import _native as n

_D = ctypes.POINTER(n.c_double)
_I = ctypes.POINTER(n.c_int)
_L = ctypes.POINTER(n.c_int64)
_S = ctypes.POINTER(n.c_char_p)
_OUT = n.POINTER(n.c_void_p)

_expected_matrix = n.bind("crmkit_plot_expected_purchases_matrix", n.c_int, _OUT, n.c_char_p, _D, n.c_double,
                          n.c_int, n.c_int, n.c_char_p, n.c_void_p)
_alive_matrix = n.bind("crmkit_plot_p_alive_matrix", n.c_int, _OUT, n.c_char_p, _D, n.c_int, n.c_int, n.c_char_p,
                       n.c_void_p)
_calibration = n.bind("crmkit_plot_calibration_holdout", n.c_int, _OUT, _D, _D, _D, n.c_int64, n.c_double,
                      n.c_char_p, n.c_int, n.c_void_p)
_calibration_model = n.bind("crmkit_plot_calibration_holdout_model", n.c_int, _OUT, n.c_char_p, _D, _D, _D, _D,
                            _D, n.c_int64, n.c_double, n.c_char_p, n.c_int, n.c_void_p)
_repeat = n.bind("crmkit_plot_repeat_purchases", n.c_int, _OUT, _D, _D, _D, n.c_int64, n.c_double, n.c_int,
                 n.c_char_p, n.c_void_p)
_history = n.bind("crmkit_plot_p_alive_history", n.c_int, _OUT, n.c_char_p, _D, _D, n.c_int64, n.c_double,
                  n.c_char_p, n.c_void_p)
_rfm_heatmap = n.bind("crmkit_plot_rfm_heatmap", n.c_int, _OUT, _I, _I, _D, n.c_int64, n.c_void_p)
_segment_bars = n.bind("crmkit_plot_segment_bars", n.c_int, _OUT, _S, _L, n.c_int64, n.c_void_p)
_histogram = n.bind("crmkit_plot_rfm_histogram", n.c_int, _OUT, n.c_char_p, _D, n.c_int64, n.c_void_p)
_scatter = n.bind("crmkit_plot_rfm_scatter", n.c_int, _OUT, n.c_char_p, _D, n.c_char_p, _D, n.c_int64, n.c_void_p)
_cohorts = n.bind("crmkit_plot_cohort_retention", n.c_int, _OUT, n.c_char_p, n.c_int, _S, _L, _D, _I, n.c_int64,
                  n.c_int, n.c_void_p)

# Stored model kinds (db.value.fit / model) and their parameters, in the C API's order.
_STORED_KINDS = {"bgnbd": ("bg_nbd", ("r", "alpha", "a", "b")), "mbgnbd": ("mbg_nbd", ("r", "alpha", "a", "b")),
                 "pnbd": ("pareto_nbd", ("r", "alpha", "s", "beta"))}


class Svg(str):
    """An SVG document: the text itself, ``save(path)`` to write it (UTF-8; a path ending in
    ``.png`` writes a PNG instead) and ``to_png()`` for PNG bytes."""

    def save(self, path):
        if str(path).lower().endswith(".png"):
            data = self.to_png()
            with open(path, "wb") as f:
                f.write(data)
            return path
        with open(path, "w", encoding="utf-8") as f:
            f.write(self)
        return path

    def to_png(self, scale=1.0):
        """The chart as PNG bytes, rendered by ``rsvg-convert`` (librsvg; Debian package
        ``librsvg2-bin``) at ``scale`` times its pixel size. The library itself writes SVG only
        (docs/PLOTS.md, "PNG"); FileNotFoundError names the program when it is not on PATH."""
        if isinstance(scale, bool) or not isinstance(scale, numbers.Real) or not (0 < scale <= 8):
            raise n.InvalidArgument("scale %r must be a number in (0, 8]" % (scale,))
        program = shutil.which("rsvg-convert")
        if program is None:
            raise FileNotFoundError("PNG needs rsvg-convert on PATH (Debian package librsvg2-bin); "
                                    "the SVG itself is the chart (save it with a .svg path)")
        done = subprocess.run([program, "--format", "png", "--zoom", repr(float(scale))], input=self.encode("utf-8"),
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, check=False)
        if done.returncode != 0 or not done.stdout.startswith(b"\x89PNG\r\n\x1a\n"):
            raise n.IOFailure("rsvg-convert failed: %s" % done.stderr.decode("utf-8", "replace").strip())
        return done.stdout

    def _repr_svg_(self):  # Jupyter shows it as the chart
        return str(self)


def save(svg, path):
    """Writes an SVG document (any chart's result) to ``path`` as UTF-8; returns the path."""
    return Svg(svg).save(path)


def _values(column, name):
    """A column as a list of floats: a sequence, a NumPy array or a pandas Series, each value a
    real number a double holds exactly (NaN and infinities pass, for the library to refuse by
    name: one place words that refusal)."""
    if hasattr(column, "to_numpy"):  # a pandas Series or Index
        column = column.to_numpy()
    kind = getattr(getattr(column, "dtype", None), "kind", None)
    if kind == "f":
        return [float(v) for v in column.tolist()]
    if kind == "b":
        raise TypeError("%s must hold numbers, not booleans" % name)
    if kind in ("i", "u"):
        column = column.tolist()
    if isinstance(column, (str, bytes)):
        raise TypeError("%s must be a sequence of numbers, not text" % name)
    out = []
    for i, v in enumerate(column):
        if isinstance(v, float):
            out.append(v)
        elif isinstance(v, bool) or not isinstance(v, numbers.Real):
            raise TypeError("%s[%d] must be a number, not %s" % (name, i, type(v).__name__))
        elif isinstance(v, numbers.Integral):
            out.append(n.double(int(v), "%s[%d]" % (name, i)))
        else:
            out.append(float(v))
    return out


def _doubles(values):
    return (n.c_double * len(values))(*values) if values else None


def _ints(column, name, ctype=n.c_int):
    if hasattr(column, "to_numpy"):
        column = column.to_numpy()
    if hasattr(column, "tolist"):
        column = column.tolist()
    out = []
    for i, v in enumerate(column):
        if isinstance(v, bool) or not isinstance(v, numbers.Integral):
            raise TypeError("%s[%d] must be an int, not %s" % (name, i, type(v).__name__))
        out.append(n.convert(int(v), ctype, "%s[%d]" % (name, i)))
    return (ctype * len(out))(*out) if out else None, len(out)


def _texts(column, name):
    if hasattr(column, "tolist"):
        column = column.tolist()
    out = [n.text(v, "%s[%d]" % (name, i)) for i, v in enumerate(column)]
    return (n.c_char_p * len(out))(*out) if out else None, len(out)


def _same_length(**columns):
    lengths = {k: len(v) for k, v in columns.items()}
    if len(set(lengths.values())) > 1:
        raise n.InvalidArgument("columns differ in length: %s" % ", ".join(
            "%s has %d" % kv for kv in lengths.items()), -1)
    return next(iter(lengths.values()), 0)


def _model(model, unit):
    """(C model name, ctypes params, unit) from ("bg_nbd", [4 numbers]) or a stored model dict
    (db.value.fit() / db.value.model(); its time_unit is the default unit)."""
    if isinstance(model, dict):
        try:
            name, order = _STORED_KINDS[model["kind"]]
        except KeyError:
            raise n.InvalidArgument("model kind %r is not a purchase model (bgnbd, mbgnbd, pnbd)"
                                    % model.get("kind"), -1) from None
        params = [model["params"][p] for p in order]
        unit = unit or model.get("time_unit")
    else:
        name, params = model
        params = list(params)
    if len(params) != 4:
        raise n.InvalidArgument("model params must be 4 numbers, not %d" % len(params), -1)
    if unit is None:
        raise n.InvalidArgument("unit is required: the time unit of the model's data (hour, day, week, month)", -1)
    values = [n.double(p, "params[%d]" % i) for i, p in enumerate(params)]
    return n.text(name, "model"), (n.c_double * 4)(*values), n.text(unit, "unit")


class _Options:
    """A crmkit_plot_options handle for one call (None when every default is kept)."""

    def __init__(self, width, height, title, period):
        self.settings = []
        if width is not None or height is not None:
            self.settings.append(("size", (n.c_int, n.c_int),
                                  (n.int32(720 if width is None else width, "width"),
                                   n.int32(440 if height is None else height, "height"))))
        if title is not None:
            self.settings.append(("title", (n.c_char_p,), (n.text(title, "title"),)))
        if period is not None:
            self.settings.append(("period", (n.c_char_p,), (n.text(period, "period"),)))

    def __enter__(self):
        if not self.settings:
            return None
        self._context = n.options("plot", *self.settings)
        return self._context.__enter__()

    def __exit__(self, *exc):
        if self.settings:
            return self._context.__exit__(*exc)
        return False


def _draw(fn, options, *args):
    with _Options(*options) as o:
        return Svg(n.take_text(fn, *args, o))


def expected_purchases_matrix(model, horizon, max_frequency, max_recency, unit=None, *, width=None, height=None,
                              title=None, period=None):
    """Expected purchases in the next ``horizon`` units by frequency (rows, 0..max_frequency)
    and recency (columns, 0..max_recency) at T = max_recency: lifetimes'
    plot_frequency_recency_matrix."""
    name, params, u = _model(model, unit)
    return _draw(_expected_matrix, (width, height, title, period), name, params, n.double(horizon, "horizon"),
                 n.int32(max_frequency, "max_frequency"), n.int32(max_recency, "max_recency"), u)


def p_alive_matrix(model, max_frequency, max_recency, unit=None, *, width=None, height=None, title=None,
                   period=None):
    """P(alive) by frequency and recency at T = max_recency: lifetimes' plot_probability_alive_matrix."""
    name, params, u = _model(model, unit)
    return _draw(_alive_matrix, (width, height, title, period), name, params,
                 n.int32(max_frequency, "max_frequency"), n.int32(max_recency, "max_recency"), u)


def calibration_vs_holdout(frequency_cal, actual_holdout, predicted_holdout, holdout_length, unit, max_frequency=7,
                           *, width=None, height=None, title=None, period=None):
    """Mean actual and predicted holdout purchases per calibration frequency, one value of each
    column per customer: lifetimes' plot_calibration_purchases_vs_holdout_purchases."""
    f = _values(frequency_cal, "frequency_cal")
    a = _values(actual_holdout, "actual_holdout")
    p = _values(predicted_holdout, "predicted_holdout")
    count = _same_length(frequency_cal=f, actual_holdout=a, predicted_holdout=p)
    return _draw(_calibration, (width, height, title, period), _doubles(f), _doubles(a), _doubles(p), count,
                 n.double(holdout_length, "holdout_length"), n.text(unit, "unit"),
                 n.int32(max_frequency, "max_frequency"))


def calibration_vs_holdout_model(model, frequency_cal, recency_cal, T_cal, actual_holdout, holdout_length, unit=None,
                                 max_frequency=7, *, width=None, height=None, title=None, period=None):
    """The same chart with the model's holdout predictions computed from each customer's
    calibration history (frequency_cal = x, recency_cal = t_x, T_cal = T, in the model's unit):
    the columns of lifetimes' calibration_and_holdout_data, with frequency_holdout as
    actual_holdout."""
    name, params, u = _model(model, unit)
    x, t_x, T = _values(frequency_cal, "frequency_cal"), _values(recency_cal, "recency_cal"), _values(T_cal, "T_cal")
    a = _values(actual_holdout, "actual_holdout")
    count = _same_length(frequency_cal=x, recency_cal=t_x, T_cal=T, actual_holdout=a)
    return _draw(_calibration_model, (width, height, title, period), name, params, _doubles(x), _doubles(t_x),
                 _doubles(T), _doubles(a), count, n.double(holdout_length, "holdout_length"), u,
                 n.int32(max_frequency, "max_frequency"))


def repeat_purchases_over_time(time, actual, expected, calibration_end, unit, cumulative=False, *, width=None,
                               height=None, title=None, period=None):
    """Actual and expected repeat purchases per period (cumulative=True: running totals), the end
    of calibration marked: lifetimes' plot_incremental_transactions / plot_cumulative_transactions."""
    t, a, e = _values(time, "time"), _values(actual, "actual"), _values(expected, "expected")
    count = _same_length(time=t, actual=a, expected=e)
    return _draw(_repeat, (width, height, title, period), _doubles(t), _doubles(a), _doubles(e), count,
                 n.double(calibration_end, "calibration_end"), 1 if cumulative else 0, n.text(unit, "unit"))


def p_alive_history(model, purchase_times, end, unit=None, *, width=None, height=None, title=None, period=None):
    """One customer's P(alive) from the first purchase to ``end`` (purchase times ascending, in
    the model's unit on any origin): lifetimes' plot_history_alive."""
    name, params, u = _model(model, unit)
    times = _values(purchase_times, "purchase_times")
    return _draw(_history, (width, height, title, period), name, params, _doubles(times), len(times),
                 n.double(end, "end"), u)


def rfm_heatmap(r, f, monetary, *, width=None, height=None, title=None, period=None):
    """Mean monetary value per (R score, F score) cell: R rfm's rfm_heatmap."""
    rs, count = _ints(r, "r")
    fs, _ = _ints(f, "f")
    m = _values(monetary, "monetary")
    _same_length(r=range(count), f=range(len(fs) if fs else 0), monetary=m)
    return _draw(_rfm_heatmap, (width, height, title, period), rs, fs, _doubles(m), count)


def segment_bars(segments, customers=None, *, width=None, height=None, title=None, period=None):
    """Customers per segment, one bar each in the given order: R rfm's rfm_plot_segment.
    ``segments`` is a column of names with ``customers`` the counts, or a mapping (a dict, or a
    pandas Series such as ``df.segment.value_counts()``) from name to count."""
    if customers is None:
        if not hasattr(segments, "items"):
            raise TypeError("segment_bars needs customers, or a mapping of segment to customers")
        pairs = list(segments.items())
        segments, customers = [k for k, _ in pairs], [v for _, v in pairs]
    names, count = _texts(segments, "segments")
    counts, counted = _ints(customers, "customers", n.c_int64)
    _same_length(segments=range(count), customers=range(counted))
    return _draw(_segment_bars, (width, height, title, period), names, counts, count)


def rfm_histogram(measure, values, *, width=None, height=None, title=None, period=None):
    """Customers per bin of one measure ("recency" in days, "frequency", "monetary"): R rfm's
    rfm_histograms."""
    v = _values(values, "values")
    return _draw(_histogram, (width, height, title, period), n.text(measure, "measure"), _doubles(v), len(v))


def rfm_scatter(x_measure, x, y_measure, y, *, width=None, height=None, title=None, period=None):
    """One measure against another (R rfm's rfm_rf_plot, rfm_fm_plot, rfm_rm_plot); above 2000
    customers a density grid."""
    xs, ys = _values(x, "x"), _values(y, "y")
    count = _same_length(x=xs, y=ys)
    return _draw(_scatter, (width, height, title, period), n.text(x_measure, "x_measure"), _doubles(xs),
                 n.text(y_measure, "y_measure"), _doubles(ys), count)


def cohort_retention(matrix=None, *, cohorts=None, sizes=None, retention=None, by=None, unbounded=None,
                     width=None, height=None, title=None, period=None):
    """The cohort retention heatmap, from the matrix db.retention.cohorts() returns ({"by",
    "unbounded", "periods", "cohorts": [{"cohort", "size", "retention"}]}) or from columns:
    cohort labels, sizes, and per cohort a list of shares (None for a period not yet
    observable, only at the end of the row)."""
    if matrix is not None:
        rows = matrix["cohorts"]
        cohorts = [r["cohort"] for r in rows]
        sizes = [r["size"] for r in rows]
        retention = [r["retention"] for r in rows]
        periods = matrix["periods"]
        by = by or matrix.get("by", "month")
        unbounded = matrix.get("unbounded", False) if unbounded is None else unbounded
    else:
        if cohorts is None or sizes is None or retention is None:
            raise TypeError("cohort_retention needs a matrix, or cohorts, sizes and retention")
        retention = [list(r) for r in retention]
        periods = max((len(r) for r in retention), default=0)
    labels, count = _texts(cohorts, "cohorts")
    size_values, sized = _ints(sizes, "sizes", n.c_int64)
    _same_length(cohorts=range(count), sizes=range(sized), retention=retention)
    shares, observed = [], []
    for i, row in enumerate(retention):
        if len(row) != periods:
            raise n.InvalidArgument("retention[%d] has %d periods, not %d" % (i, len(row), periods), -1)
        seen = len(row)
        while seen > 0 and row[seen - 1] is None:
            seen -= 1
        if any(v is None for v in row[:seen]):
            raise n.InvalidArgument("retention[%d] has a missing period before an observed one" % i, -1)
        observed.append(seen)
        shares.extend(_values(row[:seen], "retention[%d]" % i) + [0.0] * (periods - seen))
    return _draw(_cohorts, (width, height, title, period), n.text(by or "month", "by"), 1 if unbounded else 0, labels,
                 size_values, _doubles(shares), (n.c_int * len(observed))(*observed) if observed else None, count,
                 n.int32(periods, "periods"))


# ---- charts of a store (db.chart) ------------------------------------------------------------

_db_chart = n.bind("crmkit_db_chart", n.c_int, _OUT, n.c_void_p, n.c_char_p, n.c_void_p, n.c_void_p)
_chart_list = n.bind("crmkit_chart_list_json", n.c_int, _OUT)


def charts():
    """The charts ``db.chart`` draws, from the library's one table: a list of {"name", "needs",
    "draws"} in order ("expected-purchases", "p-alive", ..., "cohort-retention")."""
    return n.take_json(_chart_list)["charts"]


def chart(db, kind, *, model=None, as_of=None, customer=None, holdout_end=None, horizon=None, max_frequency=None,
          max_recency=None, cumulative=False, cohort_by=None, cohort_periods=None, cohorts=None, width=None,
          height=None, title=None, period=None):
    """One chart of the database (``db.chart(kind, ...)``) as an Svg, the data gathered by the
    library: ``kind`` is a name of ``charts()``. ``model``: a saved transaction model's id or
    the dict ``db.value.fit`` returns (default: the default model); ``as_of`` (end of day):
    p-alive-history's end, cohort-retention's last observable day; ``customer``:
    p-alive-history's customer id (``as_of`` is also repeat-purchases' end); ``holdout_end`` (end of day): calibration-holdout's end;
    ``horizon``, ``max_frequency``, ``max_recency``: the matrices' grid (default: from the
    model's calibration data); ``cumulative``: repeat-purchases as running totals; ``cohort_by`` ("month"/"week"), ``cohort_periods``, ``cohorts``.
    Refusals name what the database lacks (``NotFound``: no model, no RFM run, an unknown
    customer) or the bad argument (``InvalidArgument``)."""
    from ._values import to_ms_end_of_day
    settings = []
    if model is not None:
        settings.append(("model", (n.c_int64,), (n.int64(model["id"] if isinstance(model, dict) else model,
                                                          "model"),)))
    if as_of is not None:
        settings.append(("as_of", (_L,), (n.int64_pointer(to_ms_end_of_day(as_of, "as_of"), "as_of"),)))
    if customer is not None:
        settings.append(("customer", (n.c_int64,), (n.int64(customer, "customer"),)))
    if holdout_end is not None:
        settings.append(("holdout_end", (_L,), (n.int64_pointer(to_ms_end_of_day(holdout_end, "holdout_end"),
                                                                "holdout_end"),)))
    if horizon is not None or max_frequency is not None or max_recency is not None:
        settings.append(("grid", (n.c_double, n.c_int, n.c_int),
                         (n.double(1.0 if horizon is None else horizon, "horizon"),
                          n.int32(-1 if max_frequency is None else max_frequency, "max_frequency"),
                          n.int32(-1 if max_recency is None else max_recency, "max_recency"))))
    if cumulative:
        settings.append(("cumulative", (n.c_int,), (1,)))
    if cohort_by is not None or cohort_periods is not None or cohorts is not None:
        settings.append(("cohorts", (n.c_char_p, n.c_int, n.c_int),
                         (n.text("month" if cohort_by is None else cohort_by, "cohort_by"),
                          n.int32(12 if cohort_periods is None else cohort_periods, "cohort_periods"),
                          n.int32(12 if cohorts is None else cohorts, "cohorts"))))
    with n.options("chart", *settings) as co, _Options(width, height, title, period) as po:
        return Svg(n.take_text(_db_chart, db.handle, n.text(kind, "kind"), co, po))


from . import db as _db  # noqa: E402  (Database.chart is drawn here, beside the plain-data charts)

_db.Database.chart = chart
