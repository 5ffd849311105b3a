"""One meaning of a time in every function of the binding that takes one.

Each function below is called with the same day as a ``datetime.date``, as "YYYY-MM-DD", as a
naive datetime, as an aware datetime and as ISO-8601 text, and the instant handed to the C
library is caught on its way (the module's C function is replaced by a recorder). A date is its
first instant, except for the parameters documented as "end of day", where it is the next day's
00:00 UTC; a naive datetime is UTC. ``test_every_time_parameter_is_covered`` fails when a public
function gains a time parameter that is not in CASES.
"""
import ctypes
import datetime
import inspect
import json
import unittest

import crmkit
from backend import test_database
from crmkit import _native, customers, interactions, loyalty, points, report, segments, value

DAY = 86400000
D = datetime.date(2024, 3, 10)
FIRST = 1710028800000  # 2024-03-10T00:00:00Z
END = FIRST + DAY      # 2024-03-11T00:00:00Z, the end of 2024-03-10
NOON = FIRST + 12 * 3600000
UTC = datetime.timezone.utc
CET = datetime.timezone(datetime.timedelta(hours=1))

# (what is given, the instant when a date means its first instant, when it means the end of day)
VALUES = [
    (D, FIRST, END),
    ("2024-03-10", FIRST, END),
    (datetime.datetime(2024, 3, 10, 12, 0), NOON, NOON),             # naive = UTC
    (datetime.datetime(2024, 3, 10, 12, 0, tzinfo=UTC), NOON, NOON),
    (datetime.datetime(2024, 3, 10, 13, 0, tzinfo=CET), NOON, NOON),
    ("2024-03-10T12:00:00Z", NOON, NOON),
    ("2024-03-10T13:00:00+01:00", NOON, NOON),
    (NOON, NOON, NOON),
]

FIRST_INSTANT, END_OF_DAY = 1, 2


class Caught(Exception):
    pass


def instants_in(args):
    """The int64 values among the C arguments (optional bounds are pointers; JSON text is read)."""
    found = []
    for a in args:
        if isinstance(a, int) and not isinstance(a, bool):
            found.append(a)
        elif isinstance(a, ctypes._Pointer) and isinstance(a.contents, ctypes.c_int64):
            found.append(a.contents.value)
        elif isinstance(a, bytes) and a[:1] == b"[":
            found.extend(row.get("occurred_at") for row in json.loads(a))
    return found


# name -> (module, its C function that receives the time, role, call(db, t))
CASES = {
    "Customers.create created_at": (customers, "_set_created", FIRST_INSTANT,
                                    lambda db, t: db.customers.create(external_id="x", created_at=t)),
    "Customers.upsert created_at": (customers, "_set_created", FIRST_INSTANT,
                                    lambda db, t: db.customers.upsert("x", created_at=t)),
    "Customers.update updated_at": (customers, "_update", FIRST_INSTANT,
                                    lambda db, t: db.customers.update(1, t, city="Paris")),
    "Customers.count created_from": (customers, "_filter_from", FIRST_INSTANT,
                                     lambda db, t: db.customers.count(created_from=t)),
    "Customers.count created_to": (customers, "_filter_to", END_OF_DAY,
                                   lambda db, t: db.customers.count(created_to=t)),
    "Customers.list created_from": (customers, "_filter_from", FIRST_INSTANT,
                                    lambda db, t: list(db.customers.list(created_from=t))),
    "Customers.list created_to": (customers, "_filter_to", END_OF_DAY,
                                  lambda db, t: list(db.customers.list(created_to=t))),
    "Customers.update_lifecycle as_of": (customers, "_update_lifecycle_json", END_OF_DAY,
                                         lambda db, t: db.customers.update_lifecycle(t)),
    "Interactions.record occurred_at": (interactions, "_set_time", FIRST_INSTANT,
                                        lambda db, t: db.interactions.record(1, t, "purchase")),
    "Interactions.record_batch occurred_at": (interactions, "_set_time", FIRST_INSTANT,
                                              lambda db, t: db.interactions.record_batch(
                                                  [{"customer_id": 1, "occurred_at": t, "kind": "purchase"}])),
    "Interactions.timeline start": (interactions, "_iter_new", FIRST_INSTANT,
                                    lambda db, t: list(db.interactions.timeline(1, start=t))),
    "Interactions.timeline end": (interactions, "_iter_new", END_OF_DAY,
                                  lambda db, t: list(db.interactions.timeline(1, end=t))),
    "Surveys.record occurred_at": (loyalty, "_record", FIRST_INSTANT,
                                   lambda db, t: db.surveys.record(1, "nps", 9, t, "email")),
    "Surveys.record_custom occurred_at": (loyalty, "_record_custom", FIRST_INSTANT,
                                          lambda db, t: db.surveys.record_custom(1, 1, 5, 3, t, "email")),
    "Surveys.record_batch occurred_at": (loyalty, "_record_batch", FIRST_INSTANT,
                                         lambda db, t: db.surveys.record_batch(
                                             [{"customer_id": 1, "kind": "nps", "score": 9, "occurred_at": t,
                                               "channel": "email"}])),
    "Surveys.nps from_": (loyalty, "_nps", FIRST_INSTANT, lambda db, t: db.surveys.nps(from_=t)),
    "Surveys.nps to": (loyalty, "_nps", END_OF_DAY, lambda db, t: db.surveys.nps(to=t)),
    "Surveys.csat from_": (loyalty, "_csat", FIRST_INSTANT, lambda db, t: db.surveys.csat(from_=t)),
    "Surveys.csat to": (loyalty, "_csat", END_OF_DAY, lambda db, t: db.surveys.csat(to=t)),
    "Surveys.ces from_": (loyalty, "_ces", FIRST_INSTANT, lambda db, t: db.surveys.ces(from_=t)),
    "Surveys.ces to": (loyalty, "_ces", END_OF_DAY, lambda db, t: db.surveys.ces(to=t)),
    "Retention.retention from_": (loyalty, "_retention", FIRST_INSTANT,
                                  lambda db, t: db.retention.retention(t, 9 * 10 ** 12)),
    "Retention.retention to": (loyalty, "_retention", END_OF_DAY, lambda db, t: db.retention.retention(0, t)),
    "Retention.cohorts from_": (_native, "crmkit_cohort_options_set_from", FIRST_INSTANT,
                                lambda db, t: db.retention.cohorts(from_=t)),
    "Retention.cohorts to": (_native, "crmkit_cohort_options_set_to", END_OF_DAY,
                             lambda db, t: db.retention.cohorts(to=t)),
    "Retention.cohorts as_of": (_native, "crmkit_cohort_options_set_as_of", END_OF_DAY,
                                lambda db, t: db.retention.cohorts(as_of=t)),
    "Points.enroll enrolled_at": (points, "_enroll", END_OF_DAY, lambda db, t: db.points.enroll(1, 1, t)),
    "Points.reverse_purchase as_of": (points, "_reverse_purchase", END_OF_DAY,
                                      lambda db, t: db.points.reverse_purchase(1, 1, 100, "r", t)),
    "Points.redeem as_of": (points, "_redeem", END_OF_DAY, lambda db, t: db.points.redeem(1, 1, 10, "r", t)),
    "Points.reverse_redemption as_of": (points, "_reverse_redemption", END_OF_DAY,
                                        lambda db, t: db.points.reverse_redemption(1, "r", "rr", t)),
    "Points.adjust as_of": (points, "_adjust", END_OF_DAY, lambda db, t: db.points.adjust(1, 1, 5, "why", "a", t)),
    "Points.expire as_of": (points, "_expire", END_OF_DAY, lambda db, t: db.points.expire(1, t)),
    "Points.review_tiers as_of": (points, "_review", END_OF_DAY, lambda db, t: db.points.review_tiers(1, t)),
    "Points.balance as_of": (points, "_balance_json", END_OF_DAY, lambda db, t: db.points.balance(1, 1, t)),
    "Points.liability as_of": (points, "_liability_json", END_OF_DAY, lambda db, t: db.points.liability(1, t)),
    "report as_of": (report, "_set_as_of", END_OF_DAY, lambda db, t: db.report(as_of=t)),
    "Segments.count as_of": (segments, "_count", END_OF_DAY, lambda db, t: db.segments.count("purchase_count >= 1", t)),
    "Segments.explain as_of": (segments, "_explain", END_OF_DAY,
                               lambda db, t: db.segments.explain("purchase_count >= 1", t)),
    "Segments.refresh as_of": (segments, "_refresh", END_OF_DAY, lambda db, t: db.segments.refresh("s", t)),
    "Segments.add at": (segments, "_add", END_OF_DAY, lambda db, t: db.segments.add("s", 1, t)),
    "Segments.remove at": (segments, "_remove", END_OF_DAY, lambda db, t: db.segments.remove("s", 1, t)),
    "Segments.history start": (segments, "_history", FIRST_INSTANT, lambda db, t: db.segments.history("s", t, 0)),
    "Segments.history end": (segments, "_history", END_OF_DAY, lambda db, t: db.segments.history("s", 0, t)),
    "Value.fit calibration_end": (value, "_fit", END_OF_DAY, lambda db, t: db.value.fit("bgnbd", "week", t)),
    "Value.fit fitted_at": (value, "_fit", END_OF_DAY, lambda db, t: db.value.fit("bgnbd", "week", 0, fitted_at=t)),
    "Value.score as_of": (value, "_score", END_OF_DAY, lambda db, t: db.value.score(1, as_of=t)),
    "Value.predict as_of": (value, "_score_json", END_OF_DAY, lambda db, t: db.value.predict(as_of=t)),
    "Value.validate holdout_end": (value, "_validate_json", END_OF_DAY, lambda db, t: db.value.validate(1, t)),
    "Value.model_inputs calibration_end": (value, "_input_iter_new", END_OF_DAY,
                                           lambda db, t: db.value.model_inputs(t)),
    "Value.rfm as_of": (value, "_rfm_assign_json", END_OF_DAY, lambda db, t: db.value.rfm(t)),
}

# Parameters that take a time, by name.
TIME_PARAMETERS = {"as_of", "at", "start", "end", "from_", "to", "created_from", "created_to", "occurred_at",
                   "updated_at", "enrolled_at", "calibration_end", "fitted_at", "holdout_end"}


class TimesTest(unittest.TestCase):
    def setUp(self):
        self.db = test_database()

    def tearDown(self):
        self.db.close()

    def caught_instants(self, module, c_function, call, t):
        seen = []

        def recorder(*args):
            seen.extend(instants_in(args))
            raise Caught()

        patched = recorder
        if module is _native:
            # A member of an options handle: its setter is bound by name as the options are built.
            setter, real_bound = c_function, _native._bound
            c_function = "_bound"

            def patched(name, *types):
                return recorder if name == setter else real_bound(name, *types)
        original = getattr(module, c_function)
        setattr(module, c_function, patched)
        try:
            with self.assertRaises(Caught):
                call(self.db, t)
        finally:
            setattr(module, c_function, original)
        return seen

    def test_the_same_value_is_the_same_instant_everywhere(self):
        for name, (module, c_function, role, call) in CASES.items():
            for given, first, end in VALUES:
                with self.subTest(name, given=given):
                    expected, other = (first, end) if role == FIRST_INSTANT else (end, first)
                    seen = self.caught_instants(module, c_function, call, given)
                    self.assertIn(expected, seen)
                    if other != expected:
                        self.assertNotIn(other, seen)

    def test_bad_text_names_the_parameter(self):
        for text in ("2024-13-01", "10/03/2024", "yesterday"):
            with self.subTest(text):
                with self.assertRaisesRegex(crmkit.InvalidArgument, "^as_of '%s'" % text):
                    self.db.segments.count("purchase_count >= 1", text)
                with self.assertRaisesRegex(crmkit.InvalidArgument, "^occurred_at '%s'" % text):
                    self.db.interactions.record(1, text, "purchase")

    def test_every_time_parameter_is_covered(self):
        covered = {(name.split(" ")[0], name.split(" ")[1]) for name in CASES}
        for module in (customers, interactions, loyalty, points, segments, value):
            for cls_name, cls in vars(module).items():
                if not inspect.isclass(cls) or cls.__module__ != module.__name__:
                    continue
                for attr, fn in vars(cls).items():
                    if attr.startswith("_") or not inspect.isfunction(fn):
                        continue
                    for p in inspect.signature(fn).parameters:
                        if p in TIME_PARAMETERS:
                            self.assertIn(("%s.%s" % (cls_name, attr), p), covered)
        self.assertIn(("report", "as_of"), covered)
        self.assertIn("as_of", inspect.signature(report.report).parameters)


if __name__ == "__main__":
    unittest.main()
