"""Loyalty: survey responses (NPS, CSAT, CES, custom scales) and loyalty metrics
(survey metrics, retention, repeat purchases, cohort matrices).

    db.surveys.record(customer_id, "nps", 9, occurred_at=ms, channel="email")
    db.surveys.nps(from_=..., to=..., by="month")      # dict from the library's JSON
    db.retention.retention(from_, to, active_days=90)
    db.retention.cohorts(by="month", periods=12)

Times are read as everywhere in the binding (``crmkit._values``): a date as occurred_at or
from_ is its first instant; as ``to`` or ``as_of`` it means the end of that day (end of day),
so from_="2026-01-01", to="2026-03-31" is the first quarter. Figures without data are None.
Instants in the results (a response's occurred_at, the windows' from/to, a cohort's start) are
aware UTC datetimes.
"""
import json
import math

from . import _native as n
from . import db as _db
from ._values import optional_ms, take_json, to_ms, to_ms_end_of_day

_i64p = n.POINTER(n.c_int64)

_record = n.bind("crmkit_survey_record", n.c_int, _i64p, n.c_void_p, n.c_int64, n.c_char_p,
                 n.c_double, n.c_int64, n.c_char_p, n.c_int64, n.c_char_p, n.c_char_p)
_record_custom = n.bind("crmkit_survey_record_custom", n.c_int, _i64p, n.c_void_p, n.c_int64,
                        n.c_double, n.c_double, n.c_char_p, n.c_double, n.c_int64, n.c_char_p, n.c_int64,
                        n.c_char_p, n.c_char_p)
_record_batch = n.bind("crmkit_survey_record_batch_json", n.c_int, n.POINTER(n.c_void_p), n.c_void_p, n.c_char_p,
                       n.c_int)
_get = n.bind("crmkit_survey_get_json", n.c_int, n.POINTER(n.c_void_p), n.c_void_p, n.c_int64)
_JSON = n.POINTER(n.c_void_p)
_nps = n.bind("crmkit_survey_nps_json", n.c_int, _JSON, n.c_void_p, _i64p, _i64p, n.c_char_p, n.c_double)
_csat = n.bind("crmkit_survey_csat_json", n.c_int, _JSON, n.c_void_p, _i64p, _i64p, n.c_char_p)
_ces = n.bind("crmkit_survey_ces_json", n.c_int, _JSON, n.c_void_p, _i64p, _i64p, n.c_char_p)
_retention = n.bind("crmkit_retention_json", n.c_int, _JSON, n.c_void_p, n.c_int64, n.c_int64, n.c_void_p)
_cohorts = n.bind("crmkit_retention_cohorts_json", n.c_int, _JSON, n.c_void_p, n.c_void_p)

class Surveys:
    """Survey responses of one Database (``db.surveys``)."""

    def __init__(self, database):
        self._db = database

    def record(self, customer_id, kind, score, occurred_at, channel, interaction_id=None, comment=None,
               external_id=None):
        """Records a response of kind "nps" (0..10), "csat" (1..5) or "ces" (1..7); returns its id.

        Raises InvalidArgument (score out of range, NaN, not an integer, unknown kind/channel),
        NotFound (customer or interaction), Conflict (another customer's interaction, or an
        external_id already used for a different response)."""
        out = n.c_int64()
        n.check(_record(n.byref(out), self._db.handle, n.int64(customer_id, "customer_id"),
                        n.text(kind, "kind"), n.double(score, "score"), to_ms(occurred_at, "occurred_at"),
                        n.text(channel, "channel"), n.int64(interaction_id or 0, "interaction_id"),
                        n.text(comment, "comment"), n.text(external_id, "external_id")))
        return out.value

    def record_custom(self, customer_id, scale_min, scale_max, score, occurred_at, channel,
                      direction="higher_is_better", interaction_id=None, comment=None, external_id=None):
        """Records a response on a custom scale [scale_min, scale_max]; returns its id."""
        out = n.c_int64()
        n.check(_record_custom(n.byref(out), self._db.handle, n.int64(customer_id, "customer_id"),
                               n.double(scale_min, "scale_min"), n.double(scale_max, "scale_max"),
                               n.text(direction, "direction"),
                               n.double(score, "score"), to_ms(occurred_at, "occurred_at"),
                               n.text(channel, "channel"), n.int64(interaction_id or 0, "interaction_id"),
                               n.text(comment, "comment"), n.text(external_id, "external_id")))
        return out.value

    def record_batch(self, responses, skip_invalid=False):
        """Records a list of dicts (keys as record()'s arguments, plus scale_min/scale_max/
        direction for kind "custom") in one transaction. Returns {"inserted", "duplicates",
        "ids", "errors"}. Without skip_invalid the first bad row raises and nothing is written."""
        rows = []
        for r in responses:
            r = dict(r)
            score = r.get("score")
            if isinstance(score, float) and not math.isfinite(score):
                # JSON has no NaN: refuse it here with the library's wording.
                raise n.InvalidArgument("score is %r for kind %s" % (score, r.get("kind")), -1)
            when = r.get("occurred_at")
            if when is not None and not isinstance(when, int):
                # An int goes in the JSON as given, for the library to judge like any JSON number.
                r["occurred_at"] = to_ms(when, "occurred_at")
            rows.append(r)
        return take_json(_record_batch, self._db.handle, n.text(json.dumps(rows)), int(bool(skip_invalid)))

    def get(self, response_id):
        return take_json(_get, self._db.handle, n.int64(response_id, "response_id"))

    def nps(self, from_=None, to=None, by=None, confidence=0.95):
        """NPS per group: {"groups": [{"group", "responses", "promoters", "passives",
        "detractors", "nps", "standard_error", "ci_low", "ci_high"}], ...}."""
        return take_json(_nps, self._db.handle, optional_ms(from_, "from_"), optional_ms(to, "to", end_of_day=True),
                         n.text(by, "by"),
                         n.double(confidence, "confidence"))

    def csat(self, from_=None, to=None, by=None):
        return take_json(_csat, self._db.handle, optional_ms(from_, "from_"), optional_ms(to, "to", end_of_day=True),
                         n.text(by, "by"))

    def ces(self, from_=None, to=None, by=None):
        return take_json(_ces, self._db.handle, optional_ms(from_, "from_"), optional_ms(to, "to", end_of_day=True),
                         n.text(by, "by"))


class Retention:
    """Retention, repeat behaviour and cohorts of one Database (``db.retention``)."""

    def __init__(self, database):
        self._db = database

    def retention(self, from_, to, activity="recent_purchase", active_days=90, p_alive_threshold=0.5,
                  order_unit="customer_day", revenue="gross", currency=None):
        with n.options("retention",
                       ("activity", (n.c_char_p,), (n.text(activity, "activity"),)),
                       ("active_days", (n.c_int,), (n.int32(active_days, "active_days"),)),
                       ("p_alive_threshold", (n.c_double,), (n.double(p_alive_threshold, "p_alive_threshold"),)),
                       ("order_unit", (n.c_char_p,), (n.text(order_unit, "order_unit"),)),
                       ("revenue", (n.c_char_p,), (n.text(revenue, "revenue"),)),
                       ("currency", (n.c_char_p,), (n.text(currency, "currency"),))) as o:
            return take_json(_retention, self._db.handle, to_ms(from_, "from_"), to_ms_end_of_day(to, "to"), o)

    def cohorts(self, by="month", periods=12, unbounded=False, from_=None, to=None, as_of=None):
        bounds = [(member, (n.c_int64,), ((to_ms_end_of_day if end else to_ms)(value, name),))
                  for member, name, value, end in (("from", "from_", from_, False), ("to", "to", to, True),
                                                   ("as_of", "as_of", as_of, True))
                  if value is not None]
        with n.options("cohort",
                       ("by", (n.c_char_p,), (n.text(by, "by"),)),
                       ("periods", (n.c_int,), (n.int32(periods, "periods"),)),
                       ("unbounded", (n.c_int,), (int(bool(unbounded)),)),
                       *bounds) as o:
            return take_json(_cohorts, self._db.handle, o)

_db.Database.surveys = property(lambda self: Surveys(self))
_db.Database.retention = property(lambda self: Retention(self))
