"""crmkit.analysis: lifetimes' summary table, calibration/holdout split, fits with the penalizer
and predictions on plain data (CDNOW from the shared data), the input forms, and refused input."""
import datetime
import decimal
import math
import os
import unittest

import crmkit
from crmkit import analysis as a

_SHARED = os.environ.get("CRMKIT_SHARED_DATA", "")
_SAMPLE = os.path.join(_SHARED, "cdnow", "CDNOW_sample.txt")
_PUBLISHED = os.path.join(_SHARED, "cdnow", "cdnow_customers_summary_with_transactions.csv")


def _cdnow_rows():
    rows = []
    with open(_SAMPLE) as f:
        for line in f:
            master, sample, day, cds, dollars = line.split()
            rows.append((int(sample), datetime.date(int(day[:4]), int(day[4:6]), int(day[6:])),
                         decimal.Decimal(dollars)))
    return rows


@unittest.skipUnless(os.path.exists(_SAMPLE) and os.path.exists(_PUBLISHED), "shared CDNOW data absent")
class CdnowTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.rows = _cdnow_rows()
        cls.split = a.calibration_and_holdout(cls.rows, datetime.date(1997, 9, 30), period="D", periods_per_unit=7,
                                              observation_end=datetime.date(1998, 6, 30))

    def test_calibration_summary_is_the_published_one(self):
        published = []
        with open(_PUBLISHED) as f:
            next(f)
            for line in f:
                i, x, t_x, T, zbar = line.split(",")
                published.append((int(i), float(x), float(t_x), float(T), float(zbar)))
        s = self.split
        self.assertEqual(len(s), 2357)
        for k, (i, x, t_x, T, zbar) in enumerate(published):
            self.assertEqual(s.customer[k], i)
            self.assertEqual(s.frequency_cal[k], x)
            self.assertLessEqual(abs(s.recency_cal[k] - t_x), 0.005 + 1e-9, i)
            self.assertLessEqual(abs(s.T_cal[k] - T), 0.005 + 1e-9, i)
            self.assertLessEqual(abs(s.monetary_value_cal[k] - zbar), 0.0051, i)
        self.assertAlmostEqual(s.duration_holdout, 39.0)
        # Holdout purchase days, counted here from the rows.
        days = {}
        for c, d, _ in self.rows:
            if datetime.date(1997, 9, 30) < d <= datetime.date(1998, 6, 30):
                days.setdefault(c, set()).add(d)
        self.assertEqual(sum(s.frequency_holdout), sum(len(v) for v in days.values()))

    def test_bg_nbd_fit_reproduces_the_published_parameters(self):
        f = a.fit("bg_nbd", self.split)
        self.assertTrue(f.converged)
        self.assertEqual([round(v, 3) for v in f.params.values()], [0.243, 4.414, 0.793, 2.426])
        self.assertEqual(list(f.params), ["r", "alpha", "a", "b"])
        # The published summary rounds t_x and T to 2 decimals; from the log they are exact.
        self.assertAlmostEqual(f.log_likelihood, -9582.4256, delta=0.01)
        self.assertAlmostEqual(f.aic, 8 - 2 * f.log_likelihood, places=6)
        self.assertAlmostEqual(f.bic, 4 * math.log(2357) - 2 * f.log_likelihood, places=6)
        self.assertEqual(f.observations, 2357)
        self.assertEqual(set(f.standard_errors), {"r", "alpha", "a", "b"})
        self.assertIn("BG/NBD fit (maximum likelihood)", str(f))
        self.assertIn("%.4f" % f.log_likelihood, str(f))
        # The penalizer costs likelihood and shrinks the parameters.
        p = a.fit("bg_nbd", self.split, penalizer_coef=0.1)
        self.assertLess(p.log_likelihood, f.log_likelihood - 1)
        T_max = max(self.split.T_cal)

        def sq(params):
            return params["r"] ** 2 + (params["alpha"] / T_max) ** 2 + params["a"] ** 2 + params["b"] ** 2

        self.assertLess(sq(p.params), sq(f.params))
        self.assertIn("penalizer_coef = 0.1", str(p))
        # Predictions with it: FHL 2005's customer 1, and a probability distribution.
        self.assertAlmostEqual(a.conditional_expected_purchases(f, 39, [2], [30.43], [38.86])[0], 1.226, places=3)
        alive = a.p_alive(f, self.split.frequency, self.split.recency, self.split.T)
        self.assertEqual(len(alive), 2357)
        self.assertTrue(all(0 < v <= 1 for v in alive))
        self.assertAlmostEqual(a.expected_purchases(f, 52), 1.449, places=2)
        probs = a.probability_of_purchases(f, 39, range(0, 60))
        self.assertAlmostEqual(sum(probs), 1.0, places=4)
        # Gamma-Gamma from the summary: the 946 repeat buyers; then a 12-month CLV.
        gg = a.fit("gamma_gamma", self.split)
        self.assertEqual(gg.customers, 946)
        self.assertAlmostEqual(gg.params["p"], 6.25, delta=0.02)
        profit = a.expected_average_profit(gg, self.split.frequency, self.split.monetary_value)
        self.assertAlmostEqual(profit[0], gg.params["p"] * (gg.params["gamma"] + 2 * self.split.monetary_value[0]) /
                               (gg.params["p"] * 2 + gg.params["q"] - 1))
        clv = a.customer_lifetime_value(f, self.split.frequency, self.split.recency, self.split.T, profit,
                                        unit="week", months=12, monthly_discount_rate=0.01)
        self.assertTrue(all(v >= 0 for v in clv))
        self.assertGreater(clv[0], 0)


class FormsTest(unittest.TestCase):
    def test_tuples_columns_and_string_ids_agree(self):
        rows = [("ann", "2024-01-01T09:00:00Z", 10.0), ("ann", "2024-01-01T18:00:00Z", 20),
                ("ann", datetime.datetime(2024, 1, 3, 12), decimal.Decimal("6")), ("bob", datetime.date(2024, 1, 10), 5.0)]
        s = a.summarise(rows, observation_end="2024-01-10T23:00:00Z")
        self.assertEqual(s.customer, ["ann", "bob"])
        self.assertEqual(s.frequency, [1, 0])
        self.assertEqual(s.recency, [2, 0])
        self.assertEqual(s.T, [9, 0])
        self.assertEqual(s.monetary_value, [6, 0])
        by_columns = a.summarise(customer=[r[0] for r in rows], at=[r[1] for r in rows],
                                 amount=[r[2] for r in rows], observation_end="2024-01-10T23:00:00Z")
        self.assertEqual(by_columns, s)
        no_money = a.summarise([(1, 0), (1, 86400000 * 8)], period="week")
        self.assertIsNone(no_money.monetary_value)
        self.assertEqual(no_money.rows(), [{"customer": 1, "frequency": 1, "recency": 1, "T": 1}])
        first = a.summarise(rows, include_first_purchase=True, observation_end="2024-01-10")
        self.assertEqual(first.frequency, [2, 1])
        self.assertEqual(first.monetary_value, [18, 5])

    def test_dataframe_when_pandas_is_installed(self):
        try:
            import pandas
        except ImportError:
            self.skipTest("pandas not installed")
        df = pandas.DataFrame({"id": [1, 1, 2], "date": pandas.to_datetime(["2024-01-01", "2024-01-05", "2024-01-02"]),
                               "sales": [1.0, 2.0, 3.0]})
        s = a.summarise(df, customer="id", at="date", amount="sales")
        self.assertEqual(s.frequency, [1, 0])
        self.assertEqual(list(s.to_pandas().columns), ["frequency", "recency", "T", "monetary_value"])

    def test_to_pandas_without_pandas_names_it(self):
        try:
            import pandas  # noqa: F401
            self.skipTest("pandas is installed")
        except ImportError:
            pass
        with self.assertRaisesRegex(ImportError, "pandas"):
            a.summarise([(1, 0)]).to_pandas()

    def test_other_fits(self):
        f = a.fit("sbg", [1000, 631, 468, 382, 326, 289, 262, 241])
        self.assertEqual(f.model, "sbg")
        self.assertEqual(f.observations, 1000)
        self.assertAlmostEqual(f.bic, 2 * math.log(1000) - 2 * f.log_likelihood)
        b = a.fit("bg_bb", ([0, 1, 3], [0, 1, 6], [6, 6, 6]), weights=[3464, 1203, 1512])
        self.assertEqual(b.model, "bg_bb")
        self.assertLess(a.fit("bg_bb", ([0, 1, 3], [0, 1, 6], [6, 6, 6]), weights=[3464, 1203, 1512],
                              penalizer_coef=0.05).log_likelihood, b.log_likelihood)


def _fit_with(model, **params):
    """A Fit holding given parameters (published estimates), as a fit would return them."""
    return a.Fit(model=model, params=params, standard_errors=None, log_likelihood=0.0, aic=0.0, bic=0.0,
                 parameters=len(params), observations=0.0, customers=0, penalizer_coef=0.0, converged=True,
                 reason="given", iterations=0, summary="")


class PredictionsTest(unittest.TestCase):
    """The probability of n purchases (Pareto/NBD too, and given a history), BG/BB and sBG:
    distributions that sum to 1 with the model's expectation as mean, and published figures."""
    pareto = _fit_with("pareto_nbd", r=0.55, alpha=10.58, s=0.61, beta=11.67)  # Fader & Hardie, CDNOW
    bg = _fit_with("bg_nbd", r=0.243, alpha=4.414, a=0.793, b=2.426)

    def test_pareto_probability_of_purchases(self):
        probs = a.probability_of_purchases(self.pareto, 39, range(0, 600))
        self.assertAlmostEqual(sum(probs), 1.0, places=9)
        self.assertAlmostEqual(sum(k * p for k, p in enumerate(probs)), a.expected_purchases(self.pareto, 39),
                               places=8)
        self.assertEqual(a.probability_of_purchases(self.pareto, 0, 0), 1.0)
        # BTYD's E[X(t)] vector (params 0.55, 10.56, 0.61, 11.64) as the pmf's mean.
        btyd = _fit_with("pareto_nbd", r=0.55, alpha=10.56, s=0.61, beta=11.64)
        probs = a.probability_of_purchases(btyd, 9, range(0, 300))
        self.assertAlmostEqual(sum(k * p for k, p in enumerate(probs)), 0.38909211, places=7)

    def test_conditional_probability_of_purchases(self):
        for fit_ in (self.pareto, self.bg):
            history = ([2] * 400, [30.43] * 400, [38.86] * 400)
            probs = a.conditional_probability_of_purchases(fit_, 52, list(range(400)), *history)
            self.assertAlmostEqual(sum(probs), 1.0, places=9)
            mean = sum(k * p for k, p in enumerate(probs))
            self.assertAlmostEqual(mean, a.conditional_expected_purchases(fit_, 52, [2], [30.43], [38.86])[0], places=8)
            # One n for every customer.
            zero = a.conditional_probability_of_purchases(fit_, 52, 0, [2, 0], [30.43, 0], [38.86, 39])
            self.assertEqual(zero[0], probs[0])
            self.assertGreaterEqual(zero[0], 1 - a.p_alive(fit_, [2], [30.43], [38.86])[0])
        with self.assertRaisesRegex(crmkit.InvalidArgument, r"n\[1\] = -1 must be 0..1000000"):
            a.conditional_probability_of_purchases(self.pareto, 52, [0, -1], [1, 1], [1, 1], [2, 2])
        with self.assertRaisesRegex(crmkit.InvalidArgument, "n_purchases has 1 values for 2 customers"):
            a.conditional_probability_of_purchases(self.pareto, 52, [0], [1, 1], [1, 1], [2, 2])

    def test_bg_bb_on_the_donations(self):
        # Recomputed MLE on the donations (CLV_MODELS.md 3.1): Hardie's spreadsheet counts and
        # table 6's P(alive); the BTYD walkthrough's E[X(10)] and customers A and B.
        b = _fit_with("bg_bb", alpha=1.20352, beta=0.74972, gamma=0.65672, delta=2.78344)
        counts = [11104 * p for p in a.probability_of_purchases(b, 6, range(7))]
        for got, want in zip(counts, [3454.9, 1888.7, 1348.9, 1113.4, 1017.9, 1027.2, 1253.1]):
            self.assertAlmostEqual(got, want, delta=0.1)
        probs = a.probability_of_purchases(b, 40, range(41))
        self.assertAlmostEqual(sum(probs), 1.0, places=9)
        self.assertAlmostEqual(sum(k * p for k, p in enumerate(probs)), a.expected_purchases(b, 40), places=9)
        alive = a.p_alive(b, [0, 2, 6], [0, 4, 6], [6, 6, 6])
        for got, want in zip(alive, [0.11, 0.59, 0.93]):
            self.assertAlmostEqual(got, want, delta=0.01)
        walk = _fit_with("bg_bb", alpha=1.203528, beta=0.7497, gamma=0.6568, delta=2.7838)
        self.assertAlmostEqual(a.expected_purchases(walk, 10), 3.179805, delta=3e-3)
        ab = a.conditional_expected_purchases(walk, 10, [0, 4], [0, 5], [6, 6])
        self.assertAlmostEqual(ab[0], 0.1302169, delta=1e-3)
        self.assertAlmostEqual(ab[1], 3.627858, delta=4e-3)
        self.assertGreater(a.p_alive(b, [2], [4], [6], m_ahead=0)[0], alive[1])
        with self.assertRaisesRegex(crmkit.InvalidArgument, "m_ahead = -1"):
            a.p_alive(b, [2], [4], [6], m_ahead=-1)
        with self.assertRaisesRegex(crmkit.InvalidArgument, r"x\[0\] = 7 must be 0..6"):
            a.probability_of_purchases(b, 6, 7)
        with self.assertRaisesRegex(TypeError, "must be an int"):
            a.probability_of_purchases(b, 6.5, 1)

    def test_sbg_survival_and_retention(self):
        alive = [1000, 631, 468, 382, 326, 289, 262, 241]
        f = a.fit("sbg", alive)
        s = a.survival(f, range(8))
        self.assertEqual(s[0], 1.0)
        for got, want in zip(s, alive):
            self.assertAlmostEqual(got, want / 1000, delta=0.02)
        r1 = a.retention_rate(f, 1)
        self.assertAlmostEqual(r1, f.params["beta"] / (f.params["alpha"] + f.params["beta"]), places=12)
        self.assertAlmostEqual(a.survival(f, 2), r1 * a.retention_rate(f, 2), places=12)
        with self.assertRaisesRegex(crmkit.InvalidArgument, r"t\[0\] = 0 must be 1"):
            a.retention_rate(f, 0)
        with self.assertRaisesRegex(crmkit.InvalidArgument, "takes a sbg fit, not bg_nbd"):
            a.survival(self.bg, 1)


class RefusedTest(unittest.TestCase):
    def test_bad_purchases_are_named(self):
        with self.assertRaisesRegex(crmkit.InvalidArgument, r"amount\[1\] = -1 is negative"):
            a.summarise([(1, 0, 1.0), (1, 5, -1.0)])
        with self.assertRaisesRegex(crmkit.InvalidArgument, r"amount\[0\] is NaN"):
            a.summarise([(1, 0, float("nan"))])
        with self.assertRaisesRegex(crmkit.InvalidArgument, "is outside 0001-01-01"):
            a.summarise([(1, 253402300800000)])
        with self.assertRaisesRegex(crmkit.InvalidArgument, "before the first purchase"):
            a.summarise([(1, "2024-01-02")], observation_end="2024-01-01")
        with self.assertRaisesRegex(crmkit.InvalidArgument, "fortnight"):
            a.summarise([(1, 0)], period="fortnight")
        with self.assertRaisesRegex(crmkit.InvalidArgument, "no purchases"):
            a.summarise([])
        with self.assertRaisesRegex(crmkit.InvalidArgument, "no purchase falls in the holdout"):
            a.calibration_and_holdout([(1, 0), (1, 10)], 10, observation_end=20)
        with self.assertRaisesRegex(TypeError, "bool"):
            a.summarise([(1, 0, True)])
        with self.assertRaisesRegex(crmkit.InvalidArgument, "every tuple"):
            a.summarise([(1,)])

    def test_bad_fits_and_predictions_are_named(self):
        with self.assertRaisesRegex(crmkit.InvalidArgument, "penalizer_coef = -1"):
            a.fit("bg_nbd", ([1, 0], [2, 0], [5, 5]), penalizer_coef=-1)
        with self.assertRaisesRegex(crmkit.InvalidArgument, "model 'cox'"):
            a.fit("cox", ([1], [1], [1]))
        with self.assertRaisesRegex(crmkit.InvalidArgument, r"t_x\[0\] = 9 is greater than T\[0\] = 5"):
            a.fit("bg_nbd", ([1, 2], [9, 1], [5, 5]))
        f = a.fit("sbg", [1000, 631, 468, 382])
        with self.assertRaisesRegex(crmkit.InvalidArgument, "fit, not sbg"):
            a.probability_of_purchases(f, 1, 1)
        with self.assertRaisesRegex(TypeError, "Fit"):
            a.p_alive({"r": 1}, [1], [1], [1])


if __name__ == "__main__":
    unittest.main()
