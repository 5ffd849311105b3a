"""db.value: CLV fit/score/holdout on CDNOW and RFM on the R package sample (shared data), and
refused input."""
import csv
import datetime
import json
import math
import os
import unittest

import crmkit
from backend import test_database
from crmkit import _native as n

_SHARED = os.environ.get("CRMKIT_SHARED_DATA", "")

# Loading goes straight to the customers/interactions C API (JSON entry points), so this test
# does not depend on those areas' Python modules.
_upsert = n.bind("crmkit_customer_upsert_json", n.c_int, n.POINTER(n.c_int64), n.POINTER(n.c_int), n.c_void_p,
                 n.c_char_p)
_batch_new = n.bind("crmkit_batch_new", n.c_int, n.POINTER(n.c_void_p))
_batch_free = n.bind("crmkit_batch_free", None, n.c_void_p)
_batch_add_json = n.bind("crmkit_batch_add_json", n.c_int, n.c_void_p, n.c_char_p)
_batch_repeats = n.bind("crmkit_batch_set_allow_repeats", n.c_int, n.c_void_p, n.c_int)
_batch_commit = n.bind("crmkit_batch_commit", n.c_int, n.POINTER(n.c_void_p), n.c_void_p, n.c_void_p)
_result_free = n.bind("crmkit_batch_result_free", None, n.c_void_p)

_DAY = 86400000


def _day_ms(d):
    return (d - datetime.date(1970, 1, 1)).days * _DAY


def _load(db, customers, purchases):
    """customers: external ids; purchases: (external id, ms, minor). Returns external id -> id."""
    ids = {}
    with db.transaction():
        for ext in customers:
            cid = n.c_int64()
            n.check(_upsert(n.byref(cid), None,
                            db.handle, json.dumps({"external_id": ext, "created_at": 0}).encode()))
            ids[ext] = cid.value
        batch = n.c_void_p()
        n.check(_batch_new(n.byref(batch)))
        try:
            # Published samples have no transaction ids and count identical rows apart.
            n.check(_batch_repeats(batch, 1))
            for ext, at, minor in purchases:
                row = {"customer_id": ids[ext], "occurred_at": at, "kind": "purchase", "channel": "web",
                       "amount": {"minor": minor, "currency": "USD"}}
                n.check(_batch_add_json(batch, json.dumps(row).encode()))
            result = n.c_void_p()
            n.check(_batch_commit(n.byref(result), db.handle, batch))
            _result_free(result)
        finally:
            _batch_free(batch)
    return ids


def _have(rel):
    return bool(_SHARED) and os.path.exists(os.path.join(_SHARED, rel))


@unittest.skipUnless(_have("cdnow/CDNOW_sample.txt"), "shared data cdnow/ not found (CRMKIT_SHARED_DATA)")
class CdnowTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        rows = []
        with open(os.path.join(_SHARED, "cdnow/CDNOW_sample.txt")) as f:
            for line in f:
                p = line.split()
                if len(p) >= 5:
                    d = datetime.date(int(p[2][:4]), int(p[2][4:6]), int(p[2][6:8]))
                    rows.append((int(p[1]), _day_ms(d), round(float(p[4]) * 100)))
        cls.db = test_database()
        top = max(r[0] for r in rows)
        _load(cls.db, ["c%d" % i for i in range(1, top + 1)], [("c%d" % s, at, m) for s, at, m in rows])

    @classmethod
    def tearDownClass(cls):
        cls.db.close()

    def test_fit_score_validate(self):
        v = self.db.value
        bg = v.fit("bgnbd", unit="week", calibration_end="1997-09-30")
        # Fader, Hardie & Lee (2005) MLE and log-likelihood.
        for name, ref in (("r", 0.24259), ("alpha", 4.41353), ("a", 0.79289), ("b", 2.42576)):
            self.assertAlmostEqual(bg["params"][name] / ref, 1.0, delta=1e-3)
        self.assertAlmostEqual(bg["log_likelihood"], -9582.43, delta=0.01)
        self.assertEqual(bg["customers"], 2357)
        self.assertTrue(bg["converged"])
        self.assertEqual(set(bg["std_errors"]), {"r", "alpha", "a", "b"})
        self.assertEqual(v.model(bg["id"])["params"], bg["params"])
        gg = v.fit("gg", "week", datetime.date(1997, 9, 30))
        self.assertEqual(gg["customers"], 946)
        self.assertAlmostEqual(gg["params"]["p"], 6.25, delta=0.01)
        self.assertIn(gg["id"], [m["id"] for m in v.models()])

        scored = v.score(bg, gg, horizon=39, horizon_unit="week", as_of="1997-09-30", discount=0)
        self.assertEqual(scored, 2357)
        s1 = v.scores(1)
        self.assertAlmostEqual(s1["p_alive"], 0.7266, delta=5e-4)
        self.assertAlmostEqual(s1["expected_purchases"], 1.226, delta=2e-3)
        self.assertAlmostEqual(s1["predicted_clv"], s1["expected_spend"] * s1["expected_purchases"], places=9)

        h = v.validate(bg, "1998-06-30")
        self.assertEqual(h["holdout_length"], 39)
        actual = [b["actual_mean"] for b in h["bins"]]
        for got, ref in zip(actual, [0.237, 0.697, 1.393, 1.560, 2.532, 2.947, 3.862, 6.359]):
            self.assertAlmostEqual(got, ref, delta=5e-4)
        self.assertEqual([b["customers"] for b in h["bins"]], [1411, 439, 214, 100, 62, 38, 29, 64])

    def test_refusals_write_nothing(self):
        v = self.db.value
        before = v.models()
        with self.assertRaises(crmkit.InvalidArgument) as cm:
            v.fit("bgbb", "week", "1997-09-30")
        self.assertIn("bgbb", str(cm.exception))
        with self.assertRaises(crmkit.InvalidArgument):
            v.fit("bgnbd", "month", "1997-09-30")
        with self.assertRaises(crmkit.InvalidArgument):
            v.fit("bgnbd", "week", "1997-02-30")
        self.assertEqual(v.models(), before)
        bg = v.fit("bgnbd", "week", "1997-09-30")
        with self.assertRaises(crmkit.InvalidArgument):
            v.score(bg, horizon=math.nan, as_of="1997-09-30")
        with self.assertRaises(crmkit.InvalidArgument):
            v.score(bg, horizon=-1, as_of="1997-09-30")
        with self.assertRaises(crmkit.NotFound):
            v.score(10 ** 9, as_of="1997-09-30")
        with self.assertRaises(TypeError):
            v.score(bg)


@unittest.skipUnless(_have("rfm/rfm_data_orders.csv"), "shared data rfm/ not found (CRMKIT_SHARED_DATA)")
class RfmTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        with open(os.path.join(_SHARED, "rfm/rfm_data_orders.csv"), newline="") as f:
            orders = list(csv.DictReader(f))
        # Customers created in byte order of their names: ids order as the names (the oracle's
        # tie-break for NTILE).
        names = sorted({o["customer_id"] for o in orders}, key=lambda s: s.encode())
        purchases = [(o["customer_id"], _day_ms(datetime.date.fromisoformat(o["order_date"])),
                      int(o["revenue"]) * 100) for o in orders]
        cls.db = test_database()
        cls.ids = _load(cls.db, names, purchases)
        cls.names = {i: name for name, i in cls.ids.items()}

    @classmethod
    def tearDownClass(cls):
        cls.db.close()

    def test_r_package_scores_and_segments(self):
        res = self.db.value.rfm("2006-12-31", method="quantile", map="rfm_tests")
        self.assertEqual(len(res["customers"]), 995)
        champions = [s for s in res["segments"] if s["segment"] == "Champions"][0]
        self.assertEqual((champions["customers"], champions["orders"], champions["revenue"]), (158, 1234, 120178))
        with open(os.path.join(_SHARED, "rfm/oracle_rfm_scores_r_rfm_0.3.0.csv"), newline="") as f:
            oracle = {r["customer_id"]: r for r in csv.DictReader(f)}
        for c in res["customers"]:
            o = oracle[self.names[c["customer_id"]]]
            self.assertEqual((c["recency_days"], c["frequency"], c["rfm_score"]),
                             (int(o["recency_days"]), int(o["transaction_count"]), int(o["rfm_score"])))
        stored = self.db.value.customer_rfm(self.ids["Abbey O'Reilly"])
        self.assertEqual((stored["rfm_score"], stored["map_name"], stored["map_version"]), (343, "rfm_tests", 1))

    def test_ntile_default_and_custom_maps(self):
        res = self.db.value.rfm("2006-12-31", map="r_vs_fm", customers=False)
        self.assertNotIn("customers", res)
        self.assertEqual(res["method"], "ntile")
        sizes = {s["segment"]: s["customers"] for s in res["segments"]}
        self.assertEqual(sizes["Loyal Customers"], 333)  # python/SQLite oracle: NTILE + Map B
        self.assertEqual(sizes["Champions"], 168)
        custom = self.db.value.rfm("2006-12-31", custom_map=[{"name": "Recent", "r": [4, 5]}])
        self.assertTrue(custom["map_name"].startswith("custom-"))
        self.assertEqual({s["segment"] for s in custom["segments"]}, {"Recent", "Others"})
        self.assertEqual([m["name"] for m in crmkit.value.Value.maps()],
                         ["rf_grid", "rfm_readme", "rfm_tests", "rfm_cells", "r_vs_fm"])

    def test_bad_maps(self):
        self.db.value.rfm("2006-12-31", map="rfm_cells", customers=False)
        before = self.db.value.customer_rfm(1)
        with self.assertRaises(crmkit.NotFound):
            self.db.value.rfm("2006-12-31", map="nope")
        with self.assertRaises(crmkit.InvalidArgument):
            self.db.value.rfm("2006-12-31", custom_map=[{"name": "x", "r": [5, 1]}])
        with self.assertRaises(crmkit.InvalidArgument):
            self.db.value.rfm("2006-12-31", method="deciles")
        with self.assertRaises(crmkit.Conflict):
            self.db.value.rfm("2006-12-31", custom_map={"name": "rf_grid", "rules": [{"name": "x"}]})
        self.assertEqual(self.db.value.customer_rfm(1), before)


class BulkTest(unittest.TestCase):
    """Every customer's scores and model inputs in one call, against the per-customer reads."""

    @classmethod
    def setUpClass(cls):
        start = _day_ms(datetime.date(2024, 1, 1))
        customers = ["c%d" % i for i in range(1, 1201)]
        purchases = []
        for i in range(1, 1201):
            if i % 9 == 0:
                continue  # never buys: a score row without predictions
            for k in range(1 + (i * 37) % 5):
                purchases.append(("c%d" % i, start + ((i * 13 + k * 61) % 300) * _DAY + k, 500 + (i * k * 97) % 9000))
        cls.db = test_database()
        cls.ids = _load(cls.db, customers, purchases)
        v = cls.db.value
        cls.end = "2024-12-31"
        bg = v.fit("bgnbd", "week", cls.end)
        gg = v.fit("gg", "week", cls.end)
        cls.scored = v.score(bg, gg, horizon=12, horizon_unit="month", as_of=cls.end)

    @classmethod
    def tearDownClass(cls):
        cls.db.close()

    def test_score_table(self):
        t = self.db.value.score_table()
        self.assertEqual(len(t), 1200)
        self.assertEqual(t.names, ["customer_id", "p_alive", "expected_purchases", "expected_spend", "predicted_clv"])
        self.assertEqual(t["customer_id"], sorted(self.ids.values()))
        self.assertEqual(sum(1 for p in t["p_alive"] if p is not None), self.scored)
        for row in t.rows()[::97]:
            one = self.db.value.scores(row["customer_id"])
            for name in ("p_alive", "expected_purchases", "expected_spend", "predicted_clv"):
                self.assertEqual(row[name], one[name], (row["customer_id"], name))
        self.assertIsNone(t["predicted_clv"][self.ids["c9"] - 1])

    def test_model_inputs(self):
        days = self.db.value.model_inputs(self.end, unit="day")
        weeks = self.db.value.model_inputs(datetime.date(2024, 12, 31), unit="week", currency="USD")
        self.assertEqual(len(days), 1200 - 1200 // 9)
        self.assertEqual(days["customer_id"], weeks["customer_id"])
        for d, w in zip(days.rows(), weeks.rows()):
            self.assertEqual(d["x"], w["x"])
            self.assertAlmostEqual(d["T"] / 7, w["T"], places=12)
            self.assertAlmostEqual(d["t_x"] / 7, w["t_x"], places=12)
            self.assertLessEqual(d["t_x"], d["T"])
            self.assertEqual(d["x"] == 0, d["mean_spend"] == 0)
        with self.assertRaises(crmkit.InvalidArgument):
            self.db.value.model_inputs(self.end, unit="month")
        with self.assertRaises(crmkit.InvalidArgument):
            self.db.value.model_inputs(self.end, currency="usd")

    def test_to_pandas(self):
        t = self.db.value.score_table()
        try:
            import pandas  # noqa: F401
        except ImportError:
            with self.assertRaisesRegex(ImportError, "pandas"):
                t.to_pandas()
            self.skipTest("pandas is not installed (Debian: python3-pandas)")
        frame = t.to_pandas()
        self.assertEqual(list(frame.columns), t.names)
        self.assertEqual(len(frame), len(t))
        self.assertEqual(int(frame["p_alive"].isna().sum()), 1200 - self.scored)
        self.assertEqual(frame["customer_id"].tolist(), t["customer_id"])


if __name__ == "__main__":
    unittest.main()
