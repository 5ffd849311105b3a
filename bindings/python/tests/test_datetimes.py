"""Every instant the binding returns is an aware UTC datetime, in every module, and can be
passed back in.

``test_every_result_carries_datetimes`` fills a store with customers, purchases, surveys,
points, a fit and scores, RFM, segments and a report, calls every public method of the
binding (the list is test_int_boundary's SWEEP, which covers the public API by introspection:
a new method needs an entry in RESULTS below too) and walks each result. Under a key that
names an instant no int may remain, a datetime must be aware UTC, and text must not be an ISO
instant; the instants whose input is known are compared with it. The key names are this
test's own rule (``*_at``, ``*_end``, as_of, from, to, start, data_from), not the binding's
table, so a key missing from that table fails here.
"""
import dataclasses
import datetime
import decimal
import os
import tempfile
import unittest

import crmkit
from crmkit import analysis, plot, rfm
from crmkit.customers import Customer
from crmkit.interactions import Interaction
from crmkit.table import Table

from test_int_boundary import SWEEP, public_api

UTC = datetime.timezone.utc
EPOCH = datetime.datetime(1970, 1, 1, tzinfo=UTC)
DAY = 86400000
T0 = 1704067200000  # 2024-01-01T00:00:00Z
# Instants of the store below, each with a few odd milliseconds so that a unit or a rounding
# slip shows.
CREATED = T0 + 3600000 + 7
UPDATED = T0 + 5 * DAY + 11
BUY1 = T0 + DAY + 123
BUY2 = T0 + 20 * DAY + 456
SURVEY = T0 + 2 * DAY + 9
PROGRAMME = T0 + 1
CALIBRATION = T0 + 60 * DAY
FITTED = CALIBRATION + 5
SCORED = CALIBRATION + 17
RFM_AS_OF = T0 + 61 * DAY + 3
ENTERED = T0 + DAY + 1
REFRESHED = T0 + 62 * DAY + 2
RETENTION = (T0, T0 + 30 * DAY)
CONSENTED = T0 + 3 * DAY + 13
SUPPRESSED = T0 + 4 * DAY + 17


def dt(ms):
    return EPOCH + datetime.timedelta(milliseconds=ms)


# Counts named for a moment (customers active at the window's end), not instants.
COUNTS = {"active_at_end"}


def instant_key(key):
    return isinstance(key, str) and key not in COUNTS and (
        key.endswith("_at") or key.endswith("_end") or
        key in ("as_of", "from", "to", "start", "data_from", "at", "until"))


def is_iso_instant(text):
    try:
        datetime.datetime.fromisoformat(text[:-1] + "+00:00" if text.endswith("Z") else text)
    except ValueError:
        return False
    return len(text) > 10


def walk(value, path=""):
    """(path, key, value) of every member of a result: dicts, lists, tuples, namedtuples,
    dataclasses and Tables."""
    if isinstance(value, Table):
        value = value.rows()
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        value = {f.name: getattr(value, f.name) for f in dataclasses.fields(value)}
    elif isinstance(value, tuple) and hasattr(value, "_asdict"):
        value = value._asdict()
    if isinstance(value, dict):
        for k, v in value.items():
            p = "%s.%s" % (path, k) if path else str(k)
            yield p, k, v
            yield from walk(v, p)
    elif isinstance(value, (list, tuple)):
        for i, v in enumerate(value):
            yield from walk(v, "%s[%d]" % (path, i))


class Store:
    """A store with a row of everything, at the instants above."""

    def __init__(self, directory):
        self.path = os.path.join(directory, "datetimes.db")
        db = self.db = crmkit.Database(self.path)
        self.customer = db.customers.create(external_id="anchor", email="ada@example.com", created_at=CREATED,
                                            attributes={"signup_at": 12345})
        db.customers.update(self.customer, UPDATED, city="Oslo")
        self.contact = db.contacts.list(self.customer)[0].id
        self.spare_customer = db.customers.create(external_id="spare", created_at=CREATED)
        self.consent_event = db.consent.record(self.customer, "email", "marketing", "request_double_opt_in",
                                               CONSENTED, "signup", contact_point_id=self.contact)
        db.suppressions.suppress("email", "gone@example.com", "erased", SUPPRESSED)
        self.programme = db.points.create_programme({"name": "club", "currency": "USD", "created_at": PROGRAMME,
                                                     "expiry_days": 365})
        db.points.enroll(self.programme, self.customer, T0)
        self.purchase = db.interactions.record(self.customer, BUY1, "purchase", "web", amount=12050,
                                               currency="USD", external_id="o1", attributes={"paid_at": 1})
        db.interactions.record(self.customer, BUY2, "purchase", "web", amount=2500, currency="USD")
        self.response = db.surveys.record(self.customer, "nps", 9, SURVEY, "email")
        self.model = db.value.fit("bgnbd", "day", CALIBRATION, fitted_at=FITTED)["id"]
        self.spend_model = db.value.fit("gg", "day", CALIBRATION, fitted_at=FITTED)["id"]
        db.value.score(self.model, self.spend_model, as_of=SCORED)
        db.value.rfm(RFM_AS_OF)
        db.segments.create("vip", kind="static")
        db.segments.add("vip", self.customer, ENTERED)
        db.segments.create("dyn", 'city = "Oslo"')
        db.segments.refresh("dyn", REFRESHED)


def customer_json(s):
    return {"id": s.customer, "external_id": "x", "created_at": CREATED, "updated_at": UPDATED,
            "attributes": {"born_at": 5}}


def interaction_json(s):
    return {"id": s.purchase, "customer_id": s.customer, "occurred_at": BUY1, "channel": "web", "kind": "visit",
            "attributes": {"seen_at": 5}}


WINDOW_RULE = 'count(purchase, from "2024-01-01" to "2024-02-01") >= 1'  # from/to: dates of the rule
NO_RESULT = "returns nothing, a count, an id, a flag or text: no instant"
NOT_A_RESULT = "a class, a handle, an area object or a context manager"

MERGED_AT = T0 + 40 * DAY


def fresh_pair(s):
    """Two new customers, as (survivor, [absorbed]): a merge leaves the shared ones alone."""
    return (s.db.customers.create(created_at=CREATED), [s.db.customers.create(created_at=CREATED)])


def fresh_merge(s):
    return s.db.merges.merge(*fresh_pair(s), MERGED_AT)


# Every name of SWEEP: how to get its result from a Store, or why it has none to walk.
RESULTS = {
    "Database": NOT_A_RESULT, "Database.close": NO_RESULT, "Database.handle": NOT_A_RESULT,
    "Database.schema_version": NO_RESULT, "Database.transaction": NOT_A_RESULT, "Database.savepoint": NOT_A_RESULT,
    "Database.default_region": NO_RESULT, "Database.set_default_region": NO_RESULT,
    "Database.set_default_currency": NO_RESULT, "Database.customers": NOT_A_RESULT,
    "Database.contacts": NOT_A_RESULT, "ContactPoint": NOT_A_RESULT,
    "Database.subject_export": NO_RESULT, "subject_export": NO_RESULT,  # values as stored (epoch ms), documented
    "Database.erase": lambda s: s.db.erase(s.db.customers.create(created_at=CREATED), UPDATED),
    "erase": lambda s: crmkit.audit.erase(s.db, s.db.customers.create(created_at=CREATED), UPDATED),
    "Database.subject_export_csv": NO_RESULT, "subject_export_csv": NO_RESULT,  # a manifest: names and counts
    "Database.audit": NOT_A_RESULT, "AuditEntry": NOT_A_RESULT, "Audit.set_context": NO_RESULT,
    "Audit.start_chain": NO_RESULT, "Audit.verify": NO_RESULT,
    "Audit.context": NOT_A_RESULT, "Audit.list": lambda s: list(s.db.audit.list(entity="customer")),
    "Database.duplicates": NOT_A_RESULT, "DuplicateCandidate": NOT_A_RESULT, "DuplicateScan": NOT_A_RESULT,
    "Duplicates.set_rules": NO_RESULT, "Duplicates.check_record": lambda s: s.db.duplicates.check_record(email="ada@example.com"), "Duplicates.ignore": NO_RESULT,
    "Duplicates.preview_import": NO_RESULT,  # actions, ids, lines and scores
    "Duplicates.rules": lambda s: s.db.duplicates.rules(),
    "Duplicates.check": lambda s: s.db.duplicates.check(s.customer),
    "Duplicates.scan": lambda s: s.db.duplicates.scan(),
    "Duplicates.scan_fellegi_sunter": lambda s: s.db.duplicates.scan_fellegi_sunter(),
    "Duplicates.explain": lambda s: s.db.duplicates.explain(s.customer, s.spare_customer),
    "ContactPoint.from_json": lambda s: s.db.contacts.get(s.contact),
    "Database.merges": NOT_A_RESULT, "MergeRecord": NOT_A_RESULT,
    "Merges.plan": lambda s: s.db.merges.plan(*fresh_pair(s), MERGED_AT),
    "Merges.merge": lambda s: fresh_merge(s),
    "Merges.undo": lambda s: s.db.merges.undo(fresh_merge(s).id, MERGED_AT + DAY),
    "Merges.get": lambda s: s.db.merges.get(fresh_merge(s).id),
    "Merges.of_customer": lambda s: s.db.merges.of_customer(fresh_merge(s).survivor),
    "Database.consent": NOT_A_RESULT, "Database.suppressions": NOT_A_RESULT, "ConsentEvent": NOT_A_RESULT,
    "ConsentStatus": NOT_A_RESULT, "Suppression": NOT_A_RESULT,
    "ConsentEvent.from_json": lambda s: s.db.consent.get(s.consent_event),
    "ConsentStatus.from_json": lambda s: s.db.consent.state(s.customer, "email", "marketing", CONSENTED + DAY),
    "Suppression.from_json": lambda s: s.db.suppressions.find("email", "gone@example.com"),
    "Consent.record": NO_RESULT, "Consent.add_purpose": NO_RESULT, "Consent.set_double_opt_in_ttl": NO_RESULT,
    "Consent.double_opt_in_ttl": NO_RESULT, "Suppressions.is_suppressed": NO_RESULT,
    "Suppressions.unsuppress": NO_RESULT, "Suppressions.suppress": NO_RESULT,
    "Consent.get": lambda s: s.db.consent.get(s.consent_event),
    "Consent.events": lambda s: s.db.consent.events(s.customer),
    "Consent.state": lambda s: s.db.consent.state(s.customer, "email", "marketing", CONSENTED + DAY),
    "Consent.states": lambda s: s.db.consent.states(s.customer, CONSENTED + DAY),
    "Consent.purposes": lambda s: s.db.consent.purposes(),
    "Suppressions.find": lambda s: s.db.suppressions.find("email", "gone@example.com"),
    "Contacts.add": NO_RESULT, "Contacts.set_primary": NO_RESULT, "Contacts.set_label": NO_RESULT,
    "Contacts.mark_verified": NO_RESULT, "Contacts.record_bounce": NO_RESULT, "Contacts.delete": NO_RESULT,
    "Contacts.get": lambda s: s.db.contacts.get(s.contact),
    "Contacts.list": lambda s: s.db.contacts.list(s.customer),
    "Contacts.find": lambda s: s.db.contacts.find("email", "ada@example.com"),
    "Database.interactions": NOT_A_RESULT, "Database.value": NOT_A_RESULT, "Database.segments": NOT_A_RESULT,
    "Database.surveys": NOT_A_RESULT, "Database.retention": NOT_A_RESULT, "Database.points": NOT_A_RESULT,
    "Database.report": lambda s: s.db.report(top=0),
    "Database.report_html": NO_RESULT,  # HTML text: dates are for reading there
    "Database.chart": NO_RESULT,  # SVG text: its dates are for reading there
    "Customer": NOT_A_RESULT,
    "Customer.from_json": lambda s: Customer.from_json(customer_json(s)),
    "Customers.create": NO_RESULT, "Customers.upsert": NO_RESULT, "Customers.update": NO_RESULT,
    "Customers.delete": NO_RESULT, "Customers.find_id": NO_RESULT, "Customers.count": NO_RESULT,
    "Customers.set_lifecycle_rule": NO_RESULT,
    "Customers.get": lambda s: s.db.customers.get(s.customer),
    "Customers.get_by_external_id": lambda s: s.db.customers.get_by_external_id("anchor"),
    "Customers.find_by_email": lambda s: s.db.customers.find_by_email("ada@example.com"),
    "Customers.list": lambda s: list(s.db.customers.list()),
    "Customers.lifecycle_rule": lambda s: s.db.customers.lifecycle_rule(),
    "Customers.update_lifecycle": lambda s: s.db.customers.update_lifecycle(T0 + 400 * DAY),
    "Interaction": NOT_A_RESULT, "BatchResult": NOT_A_RESULT,
    "Interaction.from_json": lambda s: Interaction.from_json(interaction_json(s)),
    "Interactions.record": NO_RESULT, "Interactions.rebuild_figures": NO_RESULT,
    "Interactions.record_batch": lambda s: s.db.interactions.record_batch(
        [{"customer_id": s.customer, "occurred_at": BUY1, "kind": "visit", "channel": "web"}]),
    "Interactions.get": lambda s: s.db.interactions.get(s.purchase),
    "Interactions.timeline": lambda s: list(s.db.interactions.timeline(s.customer, kind="purchase")),
    "Interactions.figures": lambda s: s.db.interactions.figures(s.customer),
    "Value.score": NO_RESULT,
    "Value.fit": lambda s: s.db.value.fit("pnbd", "day", CALIBRATION, fitted_at=FITTED),
    "Value.model": lambda s: s.db.value.model(s.model),
    "Value.models": lambda s: s.db.value.models(),
    "Value.predict": lambda s: s.db.value.predict(s.model, s.spend_model, as_of=SCORED),
    "Value.scores": lambda s: s.db.value.scores(s.customer),
    "Value.validate": lambda s: s.db.value.validate(s.model, T0 + 90 * DAY),
    "Value.rfm": lambda s: s.db.value.rfm(RFM_AS_OF),
    "Value.customer_rfm": lambda s: s.db.value.customer_rfm(s.customer),
    "Value.maps": lambda s: s.db.value.maps(),
    "Value.score_table": lambda s: s.db.value.score_table(),
    "Value.model_inputs": lambda s: s.db.value.model_inputs(CALIBRATION),
    "Table": NOT_A_RESULT, "read_columns": NOT_A_RESULT, "Table.to_pandas": NOT_A_RESULT,  # test_to_pandas
    "Table.names": NO_RESULT,
    "Table.rows": lambda s: s.db.value.score_table().rows(),
    "rule_json": NO_RESULT, "to_text": NO_RESULT,
    "from_text": lambda s: crmkit.segments.from_text(WINDOW_RULE),
    "Segments.count": NO_RESULT, "Segments.create": NO_RESULT, "Segments.update": NO_RESULT,
    "Segments.delete": NO_RESULT, "Segments.refresh": NO_RESULT, "Segments.add": NO_RESULT,
    "Segments.remove": NO_RESULT,
    "Segments.explain": lambda s: s.db.segments.explain(WINDOW_RULE, RFM_AS_OF),
    "Segments.get": lambda s: s.db.segments.get("dyn"),
    "Segments.list": lambda s: s.db.segments.list(),
    "Segments.versions": lambda s: s.db.segments.versions("dyn"),
    "Segments.members": lambda s: s.db.segments.members("vip"),
    "Segments.of_customer": lambda s: s.db.segments.of_customer(s.customer),
    "Segments.history": lambda s: s.db.segments.history("vip", 0, T0 + 100 * DAY),
    "Surveys.record": NO_RESULT, "Surveys.record_custom": NO_RESULT,
    "Surveys.record_batch": lambda s: s.db.surveys.record_batch(
        [{"customer_id": s.customer, "kind": "csat", "score": 4, "occurred_at": SURVEY, "channel": "web"}]),
    "Surveys.get": lambda s: s.db.surveys.get(s.response),
    "Surveys.nps": lambda s: s.db.surveys.nps(T0, T0 + 90 * DAY, by="month"),
    "Surveys.csat": lambda s: s.db.surveys.csat(T0, T0 + 90 * DAY),
    "Surveys.ces": lambda s: s.db.surveys.ces(T0, T0 + 90 * DAY),
    "Retention.retention": lambda s: s.db.retention.retention(*RETENTION),
    "Retention.cohorts": lambda s: s.db.retention.cohorts(as_of=T0 + 90 * DAY),
    "Points.create_programme": NO_RESULT, "Points.find_programme": NO_RESULT, "Points.enroll": NO_RESULT,
    "Points.check": NO_RESULT,
    "Points.programme": lambda s: s.db.points.programme(s.programme),
    "Points.programmes": lambda s: s.db.points.programmes(),
    "Points.earn": lambda s: s.db.points.earn(s.programme, s.purchase),
    "Points.reverse_purchase": lambda s: s.db.points.reverse_purchase(s.programme, s.purchase, 100, "refund-1",
                                                                      T0 + 3 * DAY),
    "Points.redeem": lambda s: s.db.points.redeem(s.programme, s.customer, 10, "redeem-1", T0 + 25 * DAY),
    "Points.reverse_redemption": lambda s: s.db.points.reverse_redemption(s.programme, "redeem-1", "back-1",
                                                                          T0 + 26 * DAY),
    "Points.adjust": lambda s: s.db.points.adjust(s.programme, s.customer, 5, "goodwill", "adjust-1", T0 + 27 * DAY),
    "Points.expire": lambda s: s.db.points.expire(s.programme, T0 + 28 * DAY),
    "Points.review_tiers": lambda s: s.db.points.review_tiers(s.programme, T0 + 29 * DAY),
    "Points.balance": lambda s: s.db.points.balance(s.programme, s.customer, T0 + 30 * DAY),
    "Points.ledger": lambda s: list(s.db.points.ledger(s.programme, s.customer)),
    "Points.liability": lambda s: s.db.points.liability(s.programme, T0 + 30 * DAY),
    "Points.tier_mix": lambda s: s.db.points.tier_mix(s.programme),
    "Points.tier_history": lambda s: s.db.points.tier_history(s.programme, s.customer),
}

# (method, path) -> the instant the store was given there.
KNOWN = {
    ("Customers.get", "created_at"): CREATED, ("Customers.get", "updated_at"): UPDATED,
    ("Customers.get_by_external_id", "created_at"): CREATED,
    ("Customers.find_by_email", "[0].updated_at"): UPDATED,
    ("Contacts.get", "created_at"): CREATED, ("Contacts.list", "[0].created_at"): CREATED,
    ("Consent.get", "at"): CONSENTED, ("Consent.state", "deciding.at"): CONSENTED,
    ("Consent.state", "until"): CONSENTED + 7 * DAY, ("Consent.states", "[0].as_of"): CONSENTED + DAY,
    ("Suppressions.find", "at"): SUPPRESSED,
    ("Customers.list", "[0].created_at"): CREATED, ("Customers.list", "[1].created_at"): CREATED,
    ("Customers.update_lifecycle", "as_of"): T0 + 400 * DAY,
    ("Customer.from_json", "created_at"): CREATED, ("Customer.from_json", "updated_at"): UPDATED,
    ("Interaction.from_json", "occurred_at"): BUY1,
    ("Interactions.get", "occurred_at"): BUY1,
    ("Interactions.timeline", "[0].occurred_at"): BUY2, ("Interactions.timeline", "[1].occurred_at"): BUY1,
    ("Interactions.figures", "first_purchase_at"): BUY1, ("Interactions.figures", "last_purchase_at"): BUY2,
    ("Interactions.figures", "last_interaction_at"): BUY2,
    ("Value.fit", "calibration_end"): CALIBRATION, ("Value.fit", "fitted_at"): FITTED,
    ("Value.fit", "data_from"): BUY1,
    ("Value.model", "calibration_end"): CALIBRATION, ("Value.model", "fitted_at"): FITTED,
    ("Value.models", "[0].calibration_end"): CALIBRATION,
    ("Value.predict", "as_of"): SCORED, ("Value.predict", "model.calibration_end"): CALIBRATION,
    ("Value.predict", "spend_model.fitted_at"): FITTED,
    ("Value.scores", "scored_at"): SCORED,
    ("Value.rfm", "as_of"): RFM_AS_OF, ("Value.rfm", "customers[0].as_of"): RFM_AS_OF,
    ("Value.customer_rfm", "as_of"): RFM_AS_OF,
    ("Segments.get", "refreshed_at"): REFRESHED, ("Segments.list", "[0].refreshed_at"): REFRESHED,
    ("Segments.members", "[0].entered_at"): ENTERED, ("Segments.of_customer", "[1].entered_at"): ENTERED,
    ("Segments.history", "[0].entered_at"): ENTERED,
    ("Surveys.get", "occurred_at"): SURVEY,
    ("Surveys.nps", "from"): T0, ("Surveys.nps", "to"): T0 + 90 * DAY,
    ("Surveys.csat", "from"): T0, ("Surveys.ces", "to"): T0 + 90 * DAY,
    ("Retention.retention", "from"): RETENTION[0], ("Retention.retention", "to"): RETENTION[1],
    ("Retention.cohorts", "cohorts[0].start"): T0,
    ("Points.programme", "created_at"): PROGRAMME, ("Points.programmes", "[0].created_at"): PROGRAMME,
    ("Points.ledger", "[0].created_at"): BUY1, ("Points.ledger", "[0].effective_at"): BUY1,
    ("Points.ledger", "[0].expires_at"): BUY1 + 365 * DAY,
    ("Points.tier_history", "[0].from"): T0,
    ("Database.report", "segments[0].refreshed_at"): REFRESHED, ("Database.report", "value.scored_at"): SCORED,
    ("Database.report", "rfm.as_of"): RFM_AS_OF,
    ("Merges.merge", "at"): MERGED_AT, ("Merges.undo", "undone_at"): MERGED_AT + DAY,
}


class Datetimes(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.TemporaryDirectory()
        self.store = Store(self.tmp.name)

    def tearDown(self):
        self.store.db.close()
        self.tmp.cleanup()

    def test_results_cover_the_public_api(self):
        self.assertEqual(set(RESULTS), set(SWEEP))
        self.assertEqual(set(RESULTS), public_api())

    def test_every_result_carries_datetimes(self):
        found = {}
        instants = 0
        for name, how in sorted(RESULTS.items()):
            if isinstance(how, str):
                continue
            result = how(self.store)
            for path, key, value in walk(result):
                if path.startswith("attributes") or ".attributes" in path or ".rule" in path or \
                        path.startswith("rule"):
                    continue  # the host's own JSON and rules' dates: not results
                if not instant_key(key):
                    continue
                with self.subTest(method=name, path=path):
                    self.assertNotIsInstance(value, int, "an int under an instant key")
                    if isinstance(value, datetime.datetime):
                        self.assertIs(value.tzinfo, UTC)
                        found[(name, path)] = value
                        instants += 1
                    elif isinstance(value, str):
                        self.assertFalse(is_iso_instant(value), "an instant left as text: %r" % value)
                    else:
                        self.assertIsNone(value)
        for (name, path), ms in sorted(KNOWN.items()):
            with self.subTest(method=name, path=path):
                self.assertIn((name, path), found)
                self.assertEqual(found[(name, path)], dt(ms))
        # The report's as_of is the end of the last day with a fact; its nested results' ints
        # converted too.
        report = RESULTS["Database.report"](self.store)
        self.assertEqual(report["as_of"], dt(T0 + 21 * DAY))  # BUY2 is on 2024-01-21
        self.assertIsInstance(report["loyalty"]["retention"]["result"]["from"], datetime.datetime)
        self.assertGreaterEqual(instants, 80)  # 89 today: the walk reached the results

    def test_host_json_and_stage_names_are_left_alone(self):
        s = self.store
        self.assertEqual(s.db.customers.get(s.customer).attributes, {"signup_at": 12345})
        self.assertEqual(s.db.interactions.get(s.purchase).attributes, {"paid_at": 1})
        moves = s.db.customers.update_lifecycle(T0 + 400 * DAY, override_manual=True)["moves"]
        self.assertEqual([(m["from"], m["to"]) for m in moves], [("customer", "churned")])
        model = s.db.value.model(s.model)
        self.assertEqual(model["calibration_end_iso"], "2024-03-01T00:00:00.000Z")  # the text form beside it
        self.assertEqual(model["customers"], 1)  # counts and durations stay numbers
        self.assertEqual(s.db.value.validate(s.model, T0 + 90 * DAY)["holdout_length"], 30.0)

    def test_plain_data_modules(self):
        rows = [(1, "2024-01-01T10:00:00Z", 10.0), (1, "2024-01-09T10:00:00Z", 5.0), (2, "2024-01-03", 7.0)]
        end = datetime.datetime(2024, 2, 1, 12, 0, 0, 5000, tzinfo=UTC)
        s = analysis.summarise(rows, amount=None, observation_end=end)
        self.assertEqual(s.observation_end, end)
        s = analysis.summarise(rows)  # defaults to the latest purchase
        self.assertEqual(s.observation_end, dt(T0 + 8 * DAY + 10 * 3600000))
        split = analysis.calibration_and_holdout(rows, "2024-01-05", observation_end=end)
        self.assertEqual((split.calibration_end, split.observation_end), (dt(T0 + 4 * DAY), end))
        # And back in: the same summary from the datetime read back.
        again = analysis.summarise(rows, observation_end=s.observation_end)
        self.assertEqual((again.observation_end, again.T), (s.observation_end, s.T))
        # R rfm's last order is a day (R gives a Date): a date, never an int.
        table = rfm.table_orders(rows, "2024-01-31")
        self.assertEqual([r.last_order for r in table], [datetime.date(2024, 1, 9), datetime.date(2024, 1, 3)])
        # plot takes what the store returns, datetimes included.
        db = self.store.db
        self.assertIn("<svg", plot.cohort_retention(db.retention.cohorts(as_of=T0 + 90 * DAY)))
        self.assertIn("<svg", plot.p_alive_matrix(db.value.model(self.store.model), 5, 5))


class RoundTrip(unittest.TestCase):
    """A datetime read back is accepted where a time is taken and names the same instant."""

    def setUp(self):
        self.tmp = tempfile.TemporaryDirectory()
        self.store = Store(self.tmp.name)
        self.db = self.store.db

    def tearDown(self):
        self.db.close()
        self.tmp.cleanup()

    def test_datetimes_read_back_go_back_in(self):
        db, s = self.db, self.store
        c = db.customers.get(s.customer)
        twin = db.customers.create(external_id="twin", created_at=c.created_at)
        self.assertEqual(db.customers.get(twin).created_at, c.created_at)
        db.customers.update(twin, c.updated_at, city="Rome")
        self.assertEqual(db.customers.get(twin).updated_at, c.updated_at)
        self.assertEqual(db.customers.count(created_from=c.created_at, created_to=c.created_at), 0)  # [from, to)
        i = db.interactions.get(s.purchase)
        again = db.interactions.record(twin, i.occurred_at, "visit", "web")
        self.assertEqual(db.interactions.get(again).occurred_at, i.occurred_at)
        self.assertEqual([e.id for e in db.interactions.timeline(twin, start=i.occurred_at, end=i.occurred_at)], [])
        response = db.surveys.get(s.response)
        batch = db.surveys.record_batch([{"customer_id": twin, "kind": "nps", "score": 3,
                                          "occurred_at": response["occurred_at"], "channel": "email"}])
        self.assertEqual(db.surveys.get(batch["ids"][0])["occurred_at"], response["occurred_at"])
        model = db.value.model(s.model)
        refit = db.value.fit("bgnbd", "day", model["calibration_end"], fitted_at=model["fitted_at"])
        self.assertEqual((refit["calibration_end"], refit["fitted_at"]), (model["calibration_end"], model["fitted_at"]))
        holdout = db.value.validate(s.model, model["calibration_end"] + datetime.timedelta(days=30))
        self.assertEqual(holdout["holdout_length"], 30.0)
        scores = db.value.scores(s.customer)
        summary = db.value.predict(s.model, as_of=scores["scored_at"])
        self.assertEqual(summary["as_of"], scores["scored_at"])
        programme = db.points.programme(s.programme)
        copy = dict(programme, name="copy")
        del copy["id"]
        copied = db.points.create_programme(copy)
        self.assertEqual(db.points.programme(copied)["created_at"], programme["created_at"])
        stay = db.segments.members("vip")[0]
        self.assertEqual(len(db.segments.history("vip", stay.entered_at, stay.entered_at + datetime.timedelta(
            milliseconds=1))), 1)
        db.segments.create("later", kind="static")
        db.segments.add("later", twin, stay.entered_at)
        self.assertEqual(db.segments.members("later")[0].entered_at, stay.entered_at)
        report = db.report()
        self.assertEqual(db.report(as_of=report["as_of"])["as_of"], report["as_of"])
        # ISO text of a datetime read back is the same instant too.
        self.assertEqual(db.customers.get(db.customers.create(external_id="iso", created_at=c.created_at.isoformat()))
                         .created_at, c.created_at)

    def test_inputs_are_read_as_before(self):
        db = self.db
        ms = T0 + 1234
        for given, expected in ((ms, dt(ms)), (dt(ms).replace(tzinfo=None), dt(ms)),
                                ("2024-01-01T00:00:01.234Z", dt(ms)), (datetime.date(2024, 1, 1), dt(T0)),
                                ("2024-01-01", dt(T0)),
                                (datetime.datetime(2024, 1, 1, 1, 0, 1, 234000,
                                                   tzinfo=datetime.timezone(datetime.timedelta(hours=1))), dt(ms))):
            with self.subTest(given=given):
                cid = db.customers.create(created_at=given)
                self.assertEqual(db.customers.get(cid).created_at, expected)

    def test_finer_than_a_millisecond_is_refused_not_rounded(self):
        db, s = self.db, self.store
        before = db.customers.count()
        fine = dt(T0).replace(microsecond=1500)

        class Stamp(datetime.datetime):
            """What a pandas Timestamp looks like here: whole microseconds, with nanoseconds."""
            nanosecond = 7

        stamp = Stamp(2024, 1, 1, tzinfo=UTC)
        for given in (fine, fine.replace(tzinfo=None), "2024-01-01T00:00:00.0015Z", stamp):
            with self.subTest(given=given):
                with self.assertRaises(crmkit.InvalidArgument) as caught:
                    db.customers.create(created_at=given)
                self.assertIn("created_at", str(caught.exception))
                with self.assertRaises(crmkit.InvalidArgument):
                    db.interactions.record(s.customer, given, "visit", "web")
                with self.assertRaises(crmkit.InvalidArgument):
                    db.value.predict(as_of=given)
        self.assertEqual(db.customers.count(), before)


class ToPandas(unittest.TestCase):
    def table(self):
        return Table({"customer_id": [1, 2, 3], "at": [dt(T0), None, dt(BUY1)],
                      "amount": [decimal.Decimal("1.50"), None, decimal.Decimal("2")]})

    def test_instants_become_utc_datetime64(self):
        try:
            import pandas
        except ImportError:
            self.skipTest("pandas is not installed (Debian: python3-pandas): the DataFrame part is not checked")
        frame = self.table().to_pandas()
        self.assertEqual(str(frame["at"].dtype), "datetime64[ns, UTC]")
        self.assertEqual(frame["at"][0], pandas.Timestamp(dt(T0)))
        self.assertTrue(pandas.isna(frame["at"][1]))
        self.assertEqual(frame["at"][2].value, BUY1 * 1000000)
        self.assertEqual(frame["customer_id"].tolist(), [1, 2, 3])
        summary = analysis.summarise([(1, T0), (1, BUY2)])
        self.assertEqual(list(summary.to_pandas().columns), ["frequency", "recency", "T"])

    def test_without_pandas_the_error_names_it(self):
        try:
            import pandas  # noqa: F401
        except ImportError:
            with self.assertRaises(ImportError) as caught:
                self.table().to_pandas()
            self.assertIn("pandas", str(caught.exception))
            self.assertEqual(self.table()["at"], [dt(T0), None, dt(BUY1)])  # the data without it
        else:
            self.skipTest("pandas is installed")


if __name__ == "__main__":
    unittest.main()
