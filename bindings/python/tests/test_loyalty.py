import math
import sqlite3
import unittest

import crmkit
import seeded_store

DAY = 86_400_000


def ms(y, m, d, hour=12):
    import calendar
    return calendar.timegm((y, m, d, hour, 0, 0)) * 1000


class LoyaltyTest(seeded_store.SeededStoreTest):
    """Customers and interactions are written with sqlite3 (the core area owns their API)."""

    file_name = "l.db"

    def seed(self, con):
        con.executemany("INSERT INTO customers(id, external_id, created_at, updated_at) VALUES (?, ?, 0, 0)",
                        [(1, "A"), (2, "B"), (3, "C")])
        con.executemany("INSERT INTO interactions(id, customer_id, occurred_at, channel, kind, amount, currency) "
                        "VALUES (?, ?, ?, 'web', ?, ?, ?)",
                        [(10, 1, ms(2026, 1, 10), "purchase", 1000, "USD"),
                         (11, 1, ms(2026, 2, 10), "purchase", 3000, "USD"),
                         (12, 2, ms(2026, 1, 20), "purchase", 2000, "USD"),
                         (13, 2, ms(2026, 1, 21), "support", None, None)])

    def setUp(self):
        super().setUp()
        self.db.interactions.rebuild_figures()  # written behind the library's back

    def count(self):
        con = sqlite3.connect(self.path)
        try:
            return con.execute("SELECT count(*) FROM survey_responses").fetchone()[0]
        finally:
            con.close()

    def test_record_and_get(self):
        rid = self.db.surveys.record(1, "nps", 9, ms(2026, 1, 12), "email", interaction_id=10,
                                     comment="gut 👍", external_id="r1")
        got = self.db.surveys.get(rid)
        self.assertEqual(got["customer_id"], 1)
        self.assertEqual(got["kind"], "nps")
        self.assertEqual(got["score"], 9)
        self.assertEqual(got["comment"], "gut 👍")
        self.assertEqual(got["interaction_id"], 10)
        # idempotent on external_id
        self.assertEqual(self.db.surveys.record(1, "nps", 9, ms(2026, 1, 12), "email", interaction_id=10,
                                                comment="gut 👍", external_id="r1"), rid)
        with self.assertRaises(crmkit.Conflict):
            self.db.surveys.record(1, "nps", 3, ms(2026, 1, 12), "email", external_id="r1")
        cid = self.db.surveys.record_custom(2, 1, 5, 2.5, ms(2026, 1, 22), "chat", direction="lower_is_better")
        self.assertEqual(self.db.surveys.get(cid)["direction"], "lower_is_better")

    def test_bad_input_raises_and_writes_nothing(self):
        s = self.db.surveys
        with self.assertRaises(crmkit.InvalidArgument) as cm:
            s.record(1, "nps", 11, ms(2026, 1, 12), "email")
        self.assertIn("out of range 0..10", str(cm.exception))
        with self.assertRaises(crmkit.InvalidArgument):
            s.record(1, "nps", math.nan, ms(2026, 1, 12), "email")
        with self.assertRaises(crmkit.InvalidArgument):
            s.record(1, "promoter", 5, ms(2026, 1, 12), "email")
        with self.assertRaises(crmkit.InvalidArgument):
            s.record(1, "csat", 4, ms(2026, 1, 12), "fax")
        with self.assertRaises(crmkit.NotFound):
            s.record(99, "csat", 4, ms(2026, 1, 12), "email")
        with self.assertRaises(crmkit.Conflict):
            s.record(1, "csat", 4, ms(2026, 1, 22), "email", interaction_id=13)  # customer 2's
        with self.assertRaises(crmkit.InvalidArgument):
            s.record_batch([{"customer_id": 1, "kind": "nps", "score": 10, "occurred_at": ms(2026, 1, 2),
                             "channel": "web"},
                            {"customer_id": 1, "kind": "ces", "score": 9, "occurred_at": ms(2026, 1, 2),
                             "channel": "web"}])
        self.assertEqual(self.count(), 0)

    def test_batch_skip_invalid(self):
        res = self.db.surveys.record_batch(
            [{"customer_id": 1, "kind": "nps", "score": 10, "occurred_at": ms(2026, 1, 2), "channel": "web"},
             {"customer_id": 7, "kind": "nps", "score": 10, "occurred_at": ms(2026, 1, 2), "channel": "web"},
             {"customer_id": 2, "kind": "nps", "score": 2, "occurred_at": ms(2026, 1, 3), "channel": "web"}],
            skip_invalid=True)
        self.assertEqual(res["inserted"], 2)
        self.assertEqual([e["index"] for e in res["errors"]], [1])
        self.assertEqual(res["errors"][0]["status"], "CRMKIT_ENOTFOUND")
        self.assertEqual(res["ids"][1], 0)
        self.assertEqual(self.count(), 2)

    def test_metrics_grouping_and_empty_groups(self):
        s = self.db.surveys
        s.record(1, "nps", 10, ms(2026, 1, 5), "email")
        s.record(2, "nps", 5, ms(2026, 3, 5), "web")
        s.record(2, "csat", 4, ms(2026, 1, 21), "chat")
        s.record(3, "ces", 6, ms(2026, 1, 21), "phone")
        res = s.nps(from_=ms(2026, 1, 1, 0), to=ms(2026, 4, 1, 0), by="month")
        self.assertEqual([g["group"] for g in res["groups"]], ["2026-01", "2026-02", "2026-03"])
        self.assertEqual(res["groups"][0]["nps"], 100.0)
        self.assertIsNone(res["groups"][1]["nps"])
        self.assertEqual(res["groups"][2]["nps"], -100.0)
        whole = s.nps()
        self.assertEqual(whole["groups"][0]["nps"], 0.0)
        self.assertIsNotNone(whole["groups"][0]["standard_error"])
        self.assertEqual(s.csat()["groups"][0]["csat_percent"], 100.0)
        self.assertEqual(s.ces()["groups"][0]["index"], 100.0)
        with self.assertRaises(crmkit.InvalidArgument):
            s.nps(by="week")
        self.assertEqual(s.nps(by="segment")["groups"], [])  # no segments in this store

    def test_retention_and_cohorts(self):
        r = self.db.retention.retention(ms(2026, 2, 1, 0), ms(2026, 3, 1, 0), active_days=30)
        # Active at 02-01: 1 (01-10) and 2 (01-20); at 03-01: 1 (02-10). No new customers.
        self.assertEqual(r["active_at_start"], 2)
        self.assertEqual(r["retained"], 1)
        self.assertAlmostEqual(r["retention_rate"], 0.5)
        self.assertAlmostEqual(r["churn_rate"], 0.5)
        self.assertAlmostEqual(r["expected_lifetime_periods"], 2.0)
        self.assertAlmostEqual(r["average_order_value"], 30.0)
        empty = self.db.retention.retention(ms(2020, 1, 1), ms(2020, 2, 1))
        self.assertIsNone(empty["retention_rate"])
        c = self.db.retention.cohorts(periods=3)
        self.assertEqual(c["cohorts"][0]["cohort"], "2026-01")
        self.assertEqual(c["cohorts"][0]["size"], 2)
        self.assertEqual(c["cohorts"][0]["retention"][:2], [1.0, 0.5])
        self.assertIsNone(c["cohorts"][0]["retention"][2])  # March not observed yet
        with self.assertRaises(crmkit.InvalidArgument):
            self.db.retention.retention(ms(2026, 3, 1), ms(2026, 2, 1))
        with self.assertRaises(crmkit.InvalidArgument):
            self.db.retention.cohorts(by="year")


if __name__ == "__main__":
    unittest.main()
