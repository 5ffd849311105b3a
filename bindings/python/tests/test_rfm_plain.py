"""crmkit.rfm: R rfm's entry points on plain data, against the R package's outputs (shared
data rfm/) and on small cases; inputs as a list of tuples, plain columns and (when pandas is
installed) a DataFrame."""
import csv
import datetime
import decimal
import math
import os
import unittest

import crmkit
from crmkit import rfm

_HERE = os.path.dirname(os.path.abspath(__file__))
# The reference data beside the repository (../shared/data from its root), or where ctest says.
_SHARED = os.environ.get("CRMKIT_SHARED_DATA") or os.path.join(_HERE, "..", "..", "..", "..", "shared", "data")
_RFM = os.path.join(_SHARED, "rfm")
_HAVE = os.path.exists(os.path.join(_RFM, "rfm_data_orders.csv"))

try:
    import pandas
except ImportError:
    pandas = None

NAMES = ["Champions", "Potential Loyalist", "Loyal Customers", "Promising", "New Customers", "Can't Lose Them",
         "At Risk", "Need Attention", "About To Sleep", "Lost"]
BOUNDS = dict(recency_lower=[5, 3, 2, 3, 4, 1, 1, 1, 2, 1], recency_upper=[5, 5, 4, 4, 5, 2, 2, 3, 3, 1],
              frequency_lower=[5, 3, 2, 1, 1, 3, 2, 3, 1, 1], frequency_upper=[5, 5, 4, 3, 3, 4, 5, 5, 3, 5],
              monetary_lower=[5, 2, 2, 3, 1, 4, 4, 3, 1, 1], monetary_upper=[5, 5, 4, 5, 5, 5, 5, 5, 4, 5])


def _read(name):
    with open(os.path.join(_RFM, name), newline="") as f:
        return list(csv.DictReader(f))


@unittest.skipUnless(_HAVE, "shared data rfm/ not found at %s (R rfm reference outputs)" % _RFM)
class RPackageAgreement(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.orders = [(r["customer_id"], datetime.date.fromisoformat(r["order_date"]), int(r["revenue"]))
                      for r in _read("rfm_data_orders.csv")]
        cls.oracle = {r["customer_id"]: r for r in _read("oracle_rfm_scores_r_rfm_0.3.0.csv")}
        cls.segments = {r["customer_id"]: r for r in _read("oracle_rfm_segments_r_rfm_0.3.0.csv")}

    def assert_r_table(self, table):
        self.assertEqual(len(table), 995)
        bad = [r.customer_id for r in table
               if (r.recency_days, r.orders, r.revenue, r.recency_score, r.frequency_score, r.monetary_score,
                   r.rfm_score) != tuple(float(self.oracle[r.customer_id][k]) if k == "amount"
                                         else int(self.oracle[r.customer_id][k])
                                         for k in ("recency_days", "transaction_count", "amount", "recency_score",
                                                   "frequency_score", "monetary_score", "rfm_score"))]
        self.assertEqual(bad, [])

    def test_table_orders_equals_rfm_table_order(self):
        t = rfm.table_orders(self.orders, analysis_date="2006-12-31")
        self.assert_r_table(t)
        self.assertEqual([r.customer_id for r in t], sorted(self.oracle))  # ids come back as given, sorted
        first = t[0]
        self.assertIsInstance(first.last_order, datetime.date)
        self.assertEqual(first.last_order, datetime.date(2006, 12, 31) - datetime.timedelta(days=first.recency_days))
        # Plain columns give the same table.
        cols = list(zip(*self.orders))
        self.assertEqual(rfm.table_orders(customer_id=cols[0], order_date=cols[1], revenue=cols[2],
                                          analysis_date=datetime.date(2006, 12, 31)), t)

    def test_custom_thresholds_as_r_takes_them(self):
        t = rfm.table_orders(self.orders, "2006-12-31", recency_bins=[115, 181, 297.4, 482],
                             frequency_bins=[4, 5, 6, 8], monetary_bins=[255.8, 382, 506.4, 666])
        self.assert_r_table(t)
        # R's documented example thresholds differ at 297 and 506: those customers move.
        t2 = rfm.table_orders(self.orders, "2006-12-31", recency_bins=[115, 181, 297, 482],
                              frequency_bins=[4, 5, 6, 8], monetary_bins=[256, 382, 506, 666])
        moved = 0
        for a, b in zip(t, t2):
            self.assertEqual(b.recency_score, a.recency_score - (1 if a.recency_days == 297 else 0))
            self.assertEqual(b.monetary_score, a.monetary_score + (1 if a.revenue == 506 else 0))
            moved += (a.recency_score, a.monetary_score) != (b.recency_score, b.monetary_score)
        self.assertEqual(moved, 2)  # Katlyn Mann (recency 297) and Jerold Sporer (506)

    def test_table_customers_equals_rfm_table_customer(self):
        rows = [(k, int(v["transaction_count"]), int(v["recency_days"]), float(v["amount"]))
                for k, v in reversed(sorted(self.oracle.items()))]
        t = rfm.table_customers(rows)
        self.assertEqual(t[0].customer_id, rows[0][0])  # in the rows' order
        self.assert_r_table(t)

    def test_segment_and_summary_equal_rfm_segment(self):
        s = rfm.segment(rfm.table_orders(self.orders, "2006-12-31"), NAMES, **BOUNDS)
        bad = [r.customer_id for r in s if r.segment != self.segments[r.customer_id]["segment_readme_rules"]]
        self.assertEqual(bad, [])
        summary = rfm.segment_summary(s)
        self.assertEqual([(x.segment, x.customers, x.orders, x.revenue) for x in summary[:3]],
                         [("Potential Loyalist", 342, 2211, 204856), ("Loyal Customers", 170, 799, 76562),
                          ("Lost", 148, 393, 35324)])
        self.assertAlmostEqual(summary[0].average_order_value, 204856 / 2211, places=12)
        self.assertAlmostEqual(summary[0].customer_share, 342 / 995, places=12)
        self.assertAlmostEqual(sum(x.revenue_share for x in summary), 1.0, places=12)

    def test_dataframe_like_input_by_column_name(self):
        # The DataFrame path without pandas: anything with .columns and [name] is read by name,
        # and a keyword renames a column.
        class Frame:
            def __init__(self, cols):
                self.cols = cols
                self.columns = list(cols)

            def __getitem__(self, name):
                return self.cols[name]

        cols = list(zip(*self.orders))
        frame = Frame({"name": cols[0], "revenue": cols[2], "order_date": cols[1]})
        self.assert_r_table(rfm.table_orders(frame, "2006-12-31", customer_id="name"))

    @unittest.skipIf(pandas is None, "pandas is not installed (Debian: python3-pandas)")
    def test_dataframe_in_and_out(self):
        df = pandas.DataFrame(self.orders, columns=["customer_id", "order_date", "revenue"])
        t = rfm.table_orders(df, analysis_date="2006-12-31")
        self.assert_r_table(t)
        out = t.to_pandas()
        self.assertEqual(len(out), 995)
        self.assertEqual(list(out.columns)[:4], ["customer_id", "recency_days", "orders", "revenue"])


class SmallCases(unittest.TestCase):
    def test_currencies_are_never_mixed(self):
        orders = [("a", "2024-01-10", 10, "EUR"), ("a", "2024-01-20", decimal.Decimal("5.25"), "EUR"),
                  ("b", "2024-01-05", 1000, "JPY"), ("a", "2024-01-30", 7, "USD")]
        t = rfm.table_orders(orders, "2024-01-31", method="ntile", bins=2)
        self.assertEqual([(r.currency, r.customer_id) for r in t], [("EUR", "a"), ("JPY", "b"), ("USD", "a")])
        self.assertEqual(t[0].revenue, decimal.Decimal("15.25"))
        self.assertIsInstance(t[0].revenue, decimal.Decimal)
        self.assertEqual(t[1].revenue, decimal.Decimal("1000"))
        self.assertEqual(t[0].recency_days, 11)
        s = rfm.segment(t, ["All"], recency_lower=[1])
        summary = rfm.segment_summary(s)
        self.assertEqual([(x.currency, x.customers, x.revenue, x.revenue_share) for x in summary],
                         [("EUR", 1, decimal.Decimal("15.25"), 1.0), ("JPY", 1, decimal.Decimal("1000"), 1.0),
                          ("USD", 1, decimal.Decimal("7.00"), 1.0)])

    def test_first_rule_wins_and_others(self):
        t = rfm.table_customers([(1, 1, 0, 1.0), (2, 1, 9, 2.0)], recency_bins=[5], frequency_bins=[2],
                                monetary_bins=[2])
        self.assertEqual([(r.recency_score, r.frequency_score, r.monetary_score) for r in t], [(2, 1, 1), (1, 1, 2)])
        s = rfm.segment(t, ["Recent", "Also recent"], recency_lower=[2, 2], recency_upper=[2, 2])
        self.assertEqual([r.segment for r in s], ["Recent", "Others"])

    def test_bad_input_is_named(self):
        cases = [
            (lambda: rfm.table_orders([(1, "2024-01-01", math.nan)], "2024-01-31"),
             "revenue of row 1 is not a finite number"),
            (lambda: rfm.table_customers([(1, -2, 3, 4.0)]), "customer row 1 (customer 1): number of orders is negative"),
            (lambda: rfm.table_customers([(1, 2, 3, 4.0)], recency_bins=[5, 1], frequency_bins=[1], monetary_bins=[1]),
             "recency cut points must be strictly ascending (5 then 1)"),
            (lambda: rfm.table_customers([(1, 2, 3, 4.0)], recency_bins=[5, 10]),
             "custom thresholds need cut points for all three measures"),
            (lambda: rfm.table_customers([(1, 2, 3, 4.0)], method="magic"), "magic"),
            (lambda: rfm.table_customers([(1, 2, 3, 4.0)], method="ntile", recency_bins=[1], frequency_bins=[1],
                                         monetary_bins=[1]), "method 'ntile' and cut points"),
            (lambda: rfm.table_customers([(1, 2, 3, 4.0)], recency_bins=3, frequency_bins=4),
             "one number of bins for all three measures"),
            (lambda: rfm.table_customers([(1, 2, 3, 4.0)], bins=12), "bins 12 is out of range 1..9"),
            (lambda: rfm.segment([], ["A", "B"], recency_lower=[1]), "recency_lower has 1 bounds for 2 segment names"),
            (lambda: rfm.segment([], ["A"], recency_lower=[4], recency_upper=[2]),
             "rule 1 ('A') has a range with lo 4 > hi 2"),
            (lambda: rfm.segment_summary(rfm.table_customers([(1, 2, 3, 4.0)])), "has no segment"),
            (lambda: rfm.table_orders([(1, "2024-01-01")], "2024-01-31"), "column revenue is missing"),
        ]
        for run, needle in cases:
            with self.subTest(needle=needle):
                with self.assertRaises(crmkit.InvalidArgument) as cm:
                    run()
                self.assertIn(needle, str(cm.exception))

    def test_to_pandas_without_pandas_names_it(self):
        t = rfm.table_customers([(1, 2, 3, 4.0)])
        if pandas is None:
            with self.assertRaises(ImportError) as cm:
                t.to_pandas()
            self.assertIn("pandas", str(cm.exception))
        else:
            self.assertEqual(t.to_pandas()["rfm_score"].tolist(), [t[0].rfm_score])


if __name__ == "__main__":
    unittest.main()
