"""Issue #11: db.value.predict names the model it used (default: best log-likelihood, not the
newest fit) and warns; db.customers lifecycle stages follow purchases and the churn rule."""
import datetime
import unittest

import crmkit
from backend import test_database

_DAY = 86400000
_D0 = (datetime.date(2024, 1, 1) - datetime.date(1970, 1, 1)).days * _DAY


def _shop(db):
    """40 customers with 1..5 purchase days in the first half of 2024."""
    ids = []
    with db.transaction():
        for i in range(40):
            cid = db.customers.create(external_id="c%d" % i, created_at=0)
            ids.append(cid)
            for k in range(i % 5 + 1):
                db.interactions.record(cid, _D0 + (i + 7 * k * (1 + i % 3)) * _DAY, "purchase", "web",
                                       amount=1000 + 100 * k, currency="USD")
    return ids


class PredictTest(unittest.TestCase):
    def setUp(self):
        self.db = test_database()
        _shop(self.db)
        self.fits = [self.db.value.fit(kind, "day", "2024-06-30", fitted_at=100 + k)
                     for k, kind in enumerate(("bgnbd", "pnbd", "mbgnbd"))]

    def tearDown(self):
        self.db.close()

    def test_default_is_best_log_likelihood_not_newest(self):
        best = max(self.fits, key=lambda m: m["log_likelihood"])
        worst = min(self.fits, key=lambda m: m["log_likelihood"])
        self.assertLess(worst["log_likelihood"], best["log_likelihood"])
        newest = self.db.value.fit(worst["kind"], "day", "2024-06-30", fitted_at=500)  # newest, worst
        r = self.db.value.predict(horizon=30, horizon_unit="day", as_of="2024-06-30")
        self.assertEqual(r["model"]["id"], best["id"])
        self.assertEqual(r["model"]["kind"], best["kind"])
        self.assertEqual(r["model"]["params"], best["params"])
        self.assertEqual(r["model"]["calibration_end"], best["calibration_end"])
        self.assertEqual(r["model"]["data_from"], datetime.datetime(2024, 1, 1, tzinfo=datetime.timezone.utc))
        self.assertEqual(r["scored"], 40)
        self.assertEqual(r["warnings"], [])
        self.assertEqual(self.db.value.scores(1)["model_id"], best["id"])
        # Named: an id, a dict, a kind (ties go to the latest fit).
        self.assertEqual(self.db.value.predict(worst["id"], horizon=30, horizon_unit="day",
                                               as_of="2024-06-30")["model"]["id"], worst["id"])
        self.assertEqual(self.db.value.predict(best, horizon=30, horizon_unit="day",
                                               as_of="2024-06-30")["model"]["id"], best["id"])
        self.assertEqual(self.db.value.predict(worst["kind"], horizon=30, horizon_unit="day",
                                               as_of="2024-06-30")["model"]["id"], newest["id"])

    def test_warning_before_calibration_end(self):
        r = self.db.value.predict(horizon=30, horizon_unit="day", as_of="2024-05-31")
        self.assertEqual([w["code"] for w in r["warnings"]], ["before_calibration_end"])
        self.assertIn("2024-06-30", r["warnings"][0]["message"])

    def test_refusals(self):
        with self.assertRaises(crmkit.InvalidArgument):
            self.db.value.predict("gg", as_of="2024-06-30")
        with self.assertRaises(crmkit.NotFound):
            self.db.value.predict(9999, as_of="2024-06-30")
        with self.assertRaises(TypeError):
            self.db.value.predict(True, as_of="2024-06-30")
        with self.assertRaises(TypeError):
            self.db.value.predict()


class LifecycleTest(unittest.TestCase):
    def setUp(self):
        self.db = test_database()

    def tearDown(self):
        self.db.close()

    def stage(self, cid):
        return self.db.customers.get(cid).lifecycle_stage

    def test_purchases_move_stages_and_the_rule_churns(self):
        c = self.db.customers
        a = c.create(external_id="a", created_at=0)
        b = c.create(external_id="b", created_at=0)
        pinned = c.create(external_id="p", created_at=0, lifecycle_stage="prospect")
        self.assertFalse(c.get(a).lifecycle_manual)
        self.assertTrue(c.get(pinned).lifecycle_manual)
        self.db.interactions.record(a, _D0, "support", "email")
        self.assertEqual(self.stage(a), "lead")
        self.db.interactions.record_batch([
            {"customer_id": a, "occurred_at": _D0, "kind": "purchase", "channel": "web", "amount": 100,
             "currency": "USD"},
            {"customer_id": b, "occurred_at": _D0 + 60 * _DAY, "kind": "purchase", "channel": "web", "amount": 100,
             "currency": "USD"},
            {"customer_id": pinned, "occurred_at": _D0, "kind": "purchase", "channel": "web", "amount": 100,
             "currency": "USD"}])
        self.assertEqual(self.stage(a), "customer")
        self.assertEqual(self.stage(b), "customer")
        self.assertEqual(self.stage(pinned), "prospect")

        self.assertEqual(c.lifecycle_rule(), {"churn_rule": "no_purchase", "window_days": 180,
                                              "p_alive_threshold": 0.5})
        c.set_lifecycle_rule("no_purchase", window_days=45)
        u = c.update_lifecycle("2024-03-31")
        self.assertEqual(u["evaluated"], 2)
        self.assertEqual(u["moves"], [{"from": "customer", "to": "churned", "customers": 1}])
        self.assertEqual(self.stage(a), "churned")
        self.assertEqual(c.update_lifecycle("2024-03-31")["moves"], [])
        # The fact moves a churned customer back.
        self.db.interactions.record(a, _D0 + 100 * _DAY, "purchase", "web", amount=5, currency="USD")
        self.assertEqual(self.stage(a), "customer")
        u = c.update_lifecycle("2024-03-31", override_manual=True)
        self.assertEqual(u["moves"], [{"from": "prospect", "to": "churned", "customers": 1},
                                      {"from": "customer", "to": "churned", "customers": 1}])
        self.assertFalse(c.get(pinned).lifecycle_manual)

    def test_bad_rules_are_refused(self):
        c = self.db.customers
        with self.assertRaises(crmkit.InvalidArgument):
            c.set_lifecycle_rule("sometimes")
        with self.assertRaises(crmkit.InvalidArgument):
            c.set_lifecycle_rule("no_purchase", window_days=0)
        with self.assertRaises(crmkit.InvalidArgument):
            c.set_lifecycle_rule("p_alive", p_alive_threshold=float("nan"))
        with self.assertRaises(TypeError):
            c.set_lifecycle_rule("no_purchase", window_days=30.5)
        self.assertEqual(c.lifecycle_rule()["window_days"], 180)
        c.set_lifecycle_rule("p_alive")
        with self.assertRaises(crmkit.InvalidArgument):
            c.update_lifecycle("2024-03-31")  # no scores at as_of


if __name__ == "__main__":
    unittest.main()
