"""The store's report (docs/REPORT.md): every section the library builds, as a dict.

    r = db.report(top=20, currency="EUR")
    r["overview"]["revenue"]   # [{"currency": "EUR", "amount": Decimal("1234.50")}]

Money is {"currency", "amount"} with the amount an exact ``decimal.Decimal`` (a total across
customers may pass what a float or int64 minor units hold); instants are aware UTC datetimes,
as everywhere in the binding (the library writes them as ISO-8601 text in the report, and as
int ms in the results it nests, such as a window's "result": both convert).
"""
import ctypes
import decimal
import os

from . import _native as n
from . import db as _db
from ._values import take_json, to_ms_end_of_day

_JSON = n.POINTER(n.c_void_p)
_new = n.bind("crmkit_report_options_new", n.c_int, n.POINTER(n.c_void_p))
_free = n.bind("crmkit_report_options_free", None, n.c_void_p)
_set_as_of = n.bind("crmkit_report_options_set_as_of", n.c_int, n.c_void_p, n.c_int64)
_set_top = n.bind("crmkit_report_options_set_top", n.c_int, n.c_void_p, n.c_int)
_set_at_risk = n.bind("crmkit_report_options_set_at_risk", n.c_int, n.c_void_p, n.c_double, n.c_double)
_set_currency = n.bind("crmkit_report_options_set_currency", n.c_int, n.c_void_p, n.c_char_p)
_set_cohorts = n.bind("crmkit_report_options_set_cohorts", n.c_int, n.c_void_p, n.c_int, n.c_int)
_report = n.bind("crmkit_report_json", n.c_int, _JSON, n.c_void_p, n.c_void_p)
_report_html = n.bind("crmkit_report_html", n.c_int, _JSON, n.c_void_p, n.c_void_p)


def _money(obj):
    # A money object is exactly {"currency", "amount"}; its amount text becomes a Decimal.
    if set(obj) == {"currency", "amount"} and isinstance(obj["amount"], str):
        return {"currency": obj["currency"], "amount": decimal.Decimal(obj["amount"])}
    return obj


def _with_options(call, as_of, top, at_risk_below, lost_below, currency, cohort_periods, cohort_months):
    opts = n.c_void_p()
    n.check(_new(ctypes.byref(opts)))
    try:
        if as_of is not None:
            n.check(_set_as_of(opts, to_ms_end_of_day(as_of, "as_of")))
        n.check(_set_top(opts, n.int32(top, "top")))
        n.check(_set_at_risk(opts, n.double(at_risk_below, "at_risk_below"), n.double(lost_below, "lost_below")))
        n.check(_set_currency(opts, n.text(currency, "currency")))
        n.check(_set_cohorts(opts, n.int32(cohort_periods, "cohort_periods"), n.int32(cohort_months, "cohort_months")))
        return call(opts)
    finally:
        _free(opts)


def report(self, as_of=None, top=10, at_risk_below=0.5, lost_below=0.05, currency=None, cohort_periods=7,
           cohort_months=12):
    """The report as a dict (sections in report order). as_of: the facts strictly before it
    (end of day: a date D includes D; default the end of the last day with a fact); top: rows
    in top customers and most at risk (0 = all); at_risk_below / lost_below: the P(alive) band
    of "most at risk"."""
    return _with_options(lambda opts: take_json(_report, self.handle, opts, object_hook=_money, text_instants=True),
                         as_of, top, at_risk_below, lost_below, currency, cohort_periods, cohort_months)


def report_html(self, path=None, as_of=None, top=10, at_risk_below=0.5, lost_below=0.05, currency=None,
                cohort_periods=7, cohort_months=12):
    """The report as one self-contained HTML page (charts inline, nothing fetched), with the
    options of report(). Returns the page as str; with ``path`` it is also written there (to a
    file beside it first, then renamed over it, so a reader never sees half a page)."""
    page = _with_options(lambda opts: n.take_text(_report_html, self.handle, opts), as_of, top, at_risk_below,
                         lost_below, currency, cohort_periods, cohort_months)
    if path is not None:
        partial = str(path) + ".partial"
        with open(partial, "w", encoding="utf-8") as f:
            f.write(page)
        os.replace(partial, path)
    return page


_db.Database.report = report
_db.Database.report_html = report_html
