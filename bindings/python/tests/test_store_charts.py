"""db.value.fit(penalizer_coef=) and db.chart(): the store's penalised fit against the
plain-data fit, and the charts of a store against crmkit.plot drawn on the same data."""
import datetime
import math
import unittest

import crmkit
from backend import test_database
from crmkit import analysis, plot

from test_value import _DAY, _day_ms, _load


class StoreChartsTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        start = _day_ms(datetime.date(2024, 1, 1))
        customers = ["c%d" % i for i in range(1, 301)]
        purchases = []
        for i in range(1, 301):
            for k in range(1 + (i * 37) % 7):
                purchases.append(("c%d" % i, start + ((i * 13 + k * 47) % 500) * _DAY + k, 500 + (i * k * 97) % 9000))
        cls.db = test_database()
        cls.ids = _load(cls.db, customers, purchases)
        cls.end = "2024-09-30"

    @classmethod
    def tearDownClass(cls):
        cls.db.close()

    def test_penalised_fit_equals_the_plain_data_fit(self):
        v = self.db.value
        plain = v.fit("pnbd", "week", self.end)
        pen = v.fit("pnbd", "week", self.end, penalizer_coef=0.2)
        self.assertEqual(plain["penalizer_coef"], 0)
        self.assertEqual(pen["penalizer_coef"], 0.2)
        inputs = v.model_inputs(self.end, unit="week")
        direct = analysis.fit("pareto_nbd", (inputs["x"], inputs["t_x"], inputs["T"]), penalizer_coef=0.2)
        for name, value in direct.params.items():
            self.assertAlmostEqual(pen["params"][name], value, delta=1e-9 * abs(value))
        max_T = max(inputs["T"])

        def norm(m):
            return sum((p / max_T if k in ("alpha", "beta") else p) ** 2 for k, p in m["params"].items())
        self.assertLess(norm(pen), norm(plain))

    def test_bad_penalizer_is_refused_and_nothing_written(self):
        before = len(self.db.value.models())
        for bad in (-0.1, math.nan, math.inf):
            with self.assertRaises(crmkit.InvalidArgument) as e:
                self.db.value.fit("bgnbd", "week", self.end, penalizer_coef=bad)
            self.assertIn("penalizer_coef", str(e.exception))
        with self.assertRaises(TypeError):
            self.db.value.fit("bgnbd", "week", self.end, penalizer_coef="0.1")
        self.assertEqual(len(self.db.value.models()), before)

    def test_p_alive_matrix_is_the_stored_model(self):
        m = self.db.value.fit("bgnbd", "week", self.end)
        svg = self.db.chart("p-alive", model=m, max_frequency=6, max_recency=30, period="P")
        self.assertIsInstance(svg, plot.Svg)
        self.assertEqual(svg, plot.p_alive_matrix(m, 6, 30, period="P"))
        default = self.db.chart("expected-purchases", model=m["id"], horizon=4)
        self.assertTrue(default.startswith("<svg"))
        self.assertIn("Period: model %d (bgnbd)" % m["id"], default)

    def test_every_chart_and_refusals(self):
        names = [c["name"] for c in plot.charts()]
        self.assertEqual(len(names), 14)
        self.assertIn("cohort-retention", names)
        m = self.db.value.fit("bgnbd", "week", self.end)
        self.db.value.rfm("2025-06-30")
        for name in names:
            kwargs = {}
            if name == "calibration-holdout":
                kwargs["holdout_end"] = "2025-05-31"
            if name == "p-alive-history":
                kwargs["customer"] = self.ids["c5"]
            svg = self.db.chart(name, model=m, **kwargs)
            self.assertTrue(svg.startswith("<svg") and svg.rstrip().endswith("</svg>"), name)
        self.assertIn("cumulative", self.db.chart("repeat-purchases", model=m, cumulative=True).lower())
        with self.assertRaises(crmkit.InvalidArgument) as e:
            self.db.chart("calibration-holdout")
        self.assertIn("holdout_end is required", str(e.exception))
        with self.assertRaises(crmkit.NotFound) as e:
            self.db.chart("p-alive-history", customer=10 ** 9)
        self.assertIn("does not exist", str(e.exception))
        with self.assertRaises(crmkit.InvalidArgument):
            self.db.chart("pie")
        with self.assertRaises(crmkit.InvalidArgument):
            self.db.chart("p-alive", model=2 ** 63)  # int64 refuses before C sees it
        with self.assertRaises(crmkit.InvalidArgument):
            self.db.chart("cohort-retention", cohort_by="year")

    def test_empty_store_names_what_is_missing(self):
        with test_database() as db:
            with self.assertRaises(crmkit.NotFound) as e:
                db.chart("p-alive")
            self.assertIn("no transaction model is saved", str(e.exception))
            with self.assertRaises(crmkit.NotFound) as e:
                db.chart("rfm-segments")
            self.assertIn("no RFM run is saved", str(e.exception))


if __name__ == "__main__":
    unittest.main()
