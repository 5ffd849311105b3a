"""crmkit.plot: every chart parses as XML, with its title, axis labels with units, a caption,
and the expected number of cells, bars, points or lines; columns from lists, NumPy and pandas;
refusals name the value."""
import math
import os
import random
import shutil
import struct
import tempfile
import unittest
import xml.etree.ElementTree as ET

import crmkit
from backend import test_database
from crmkit import plot

SVG = "{http://www.w3.org/2000/svg}"
CDNOW = ("bg_nbd", [0.243, 4.414, 0.793, 2.426])  # BG/NBD on CDNOW, weeks

try:
    import numpy
    import pandas
except ImportError:  # optional: the binding needs neither
    numpy = pandas = None


def parse(svg):
    root = ET.fromstring(svg)
    assert root.tag == SVG + "svg", root.tag
    return root


def by_class(root, name):
    return [e for e in root.iter() if name in (e.get("class") or "").split()]


def text_of(root, name):
    return [e.text for e in by_class(root, name)]


def axis_labels(root, axis):
    return [e.text for e in by_class(root, "axis-label") if axis in e.get("class").split()]


class ChartStructure(unittest.TestCase):
    def check_frame(self, svg, title, x_label, y_label):
        root = parse(svg)
        self.assertEqual(root.find(SVG + "title").text, title)
        self.assertTrue(root.find(SVG + "desc").text)  # the caption, whole
        self.assertEqual(text_of(root, "title"), [title])
        self.assertEqual(axis_labels(root, "x"), [x_label])
        self.assertEqual(axis_labels(root, "y"), [y_label])
        self.assertTrue(by_class(root, "caption-line"))
        return root

    def test_expected_purchases_matrix(self):
        svg = plot.expected_purchases_matrix(CDNOW, 39, 10, 20, unit="week")
        root = self.check_frame(svg, "Expected purchases in the next 39 weeks, by frequency and recency",
                                "recency: time of the last purchase after the first, t_x (weeks)",
                                "frequency: repeat purchases, x (count)")
        self.assertEqual(len(by_class(root, "cell")) + len(by_class(root, "cell-missing")), 11 * 21)

    def test_p_alive_matrix_from_a_stored_model_dict(self):
        stored = {"kind": "bgnbd", "params": {"r": 0.243, "alpha": 4.414, "a": 0.793, "b": 2.426},
                  "time_unit": "week"}
        root = parse(plot.p_alive_matrix(stored, 4, 9))
        self.assertEqual(len(by_class(root, "cell")) + len(by_class(root, "cell-missing")), 5 * 10)
        self.assertIn("t_x (weeks)", axis_labels(root, "x")[0])
        with self.assertRaises(crmkit.InvalidArgument):
            plot.p_alive_matrix(("bg_nbd", [1, 2, 3]), 4, 9, unit="week")
        with self.assertRaises(crmkit.InvalidArgument):
            plot.p_alive_matrix(CDNOW, 4, 9)  # no unit

    def test_calibration_vs_holdout(self):
        svg = plot.calibration_vs_holdout([0, 0, 1, 2, 2, 12], [0, 1, 1, 2, 3, 9], [0.3, 0.3, 0.9, 2.1, 2.1, 8],
                                          39, "week", max_frequency=7)
        root = self.check_frame(svg, "Actual vs predicted purchases in the holdout period",
                                "repeat purchases in the calibration period (count)",
                                "mean purchases in the holdout period (39 weeks)")
        self.assertEqual(len(by_class(root, "series")), 2)
        self.assertEqual(len(by_class(root, "dot")), 6)
        self.assertEqual(text_of(root, "legend-entry"), ["actual", "model"])
        self.assertIn("1 with more than 7 repeat purchases not drawn", root.find(SVG + "desc").text)

    def test_calibration_vs_holdout_from_a_model(self):
        svg = plot.calibration_vs_holdout_model(CDNOW, [0, 1, 1, 2], [0, 4, 9, 12], [30, 30, 30, 25], [0, 1, 2, 2],
                                                39, unit="week")
        root = parse(svg)
        self.assertEqual(len(by_class(root, "dot")), 6)
        with self.assertRaises(crmkit.InvalidArgument) as e:
            plot.calibration_vs_holdout_model(CDNOW, [1], [31], [30], [0], 39, unit="week")
        self.assertIn("t_x", str(e.exception))

    def test_repeat_purchases_over_time(self):
        weeks = list(range(1, 79))
        svg = plot.repeat_purchases_over_time(weeks, [10 + w % 5 for w in weeks], [12.0] * 78, 39, "week",
                                              cumulative=True)
        root = self.check_frame(svg, "Cumulative repeat purchases: actual vs model",
                                "time since the start of the calibration period (weeks)",
                                "cumulative repeat purchases (count)")
        self.assertEqual(len(by_class(root, "marker-line")), 1)
        self.assertEqual(len(by_class(root, "series-line")), 2)

    def test_p_alive_history(self):
        svg = plot.p_alive_history(CDNOW, [5, 7, 7, 20], 60, unit="week")
        root = self.check_frame(svg, "P(alive) history of one customer", "time since the first purchase (weeks)",
                                "P(alive) (probability)")
        self.assertEqual(len(by_class(root, "rug-tick")), 3)

    def test_rfm_heatmap(self):
        r = [1 + i % 5 for i in range(100)]
        f = [1 + (i // 5) % 3 for i in range(100)]
        svg = plot.rfm_heatmap(r, f, [float(i) for i in range(100)])
        root = self.check_frame(svg, "Mean monetary value by recency and frequency score",
                                "frequency score (1 = fewest purchases)", "recency score (1 = longest ago)")
        self.assertEqual(len(by_class(root, "cell")), 15)
        self.assertEqual(len(by_class(root, "swatch")), 5)

    def test_segment_bars_from_columns_and_a_mapping(self):
        root = self.check_frame(plot.segment_bars(["Champions", "At risk & <lost>"], [40, 12]),
                                "Customers per RFM segment", "customers (count)", "segment")
        bars = by_class(root, "bar")
        self.assertEqual(len(bars), 2)
        self.assertEqual(bars[1].find(SVG + "title").text, "At risk & <lost>: 12")
        root = parse(plot.segment_bars({"A": 3, "B": 2, "C": 1}))
        self.assertEqual(len(by_class(root, "bar")), 3)

    def test_histograms(self):
        rng = random.Random(4)
        values = [rng.expovariate(0.01) for _ in range(5000)]
        for measure, label in (("monetary", "monetary (sum of purchases, major currency units)"),
                               ("recency", "recency (days since the last purchase)"),
                               ("frequency", "frequency (purchases)")):
            column = values if measure == "monetary" else [int(v) for v in values]
            root = self.check_frame(plot.rfm_histogram(measure, column), "Distribution of " + measure, label,
                                    "customers (count)")
            bars = by_class(root, "bar")
            self.assertTrue(5 <= len(bars) <= 22, len(bars))
            # Every customer is in one bin.
            total = sum(int(b.find(SVG + "title").text.rsplit(": ", 1)[1]) for b in bars)
            self.assertEqual(total, 5000)

    def test_scatter_points_then_density(self):
        rng = random.Random(5)
        few = plot.rfm_scatter("recency", [rng.randrange(365) for _ in range(300)], "monetary",
                               [rng.random() * 500 for _ in range(300)])
        root = self.check_frame(few, "Customers by recency and monetary", "recency (days since the last purchase)",
                                "monetary (sum of purchases, major currency units)")
        self.assertEqual(len(by_class(root, "point")), 300)
        many = plot.rfm_scatter("frequency", [1 + i % 20 for i in range(50000)], "monetary",
                                [float(i % 977) for i in range(50000)])
        root = parse(many)
        self.assertEqual(len(by_class(root, "point")), 0)
        cells = by_class(root, "density-cell")
        self.assertTrue(0 < len(cells) <= 60 * 40)
        self.assertEqual(sum(int(c.find(SVG + "title").text.split()[0]) for c in cells), 50000)

    def test_cohort_retention_from_columns_and_the_store_matrix(self):
        svg = plot.cohort_retention(cohorts=["2024-01", "2024-02"], sizes=[10, 4],
                                    retention=[[1.0, 0.5, 0.2], [1.0, 0.25, None]])
        root = self.check_frame(svg, "Cohort retention by month", "months since the first purchase (k)",
                                "cohort: month of the first purchase (customers)")
        self.assertEqual(len(by_class(root, "cell")), 5)
        self.assertEqual(len(by_class(root, "cell-missing")), 1)
        with self.assertRaises(crmkit.InvalidArgument):
            plot.cohort_retention(cohorts=["a"], sizes=[1], retention=[[1.0, None, 0.5]])

        with test_database() as db:
            c = db.customers.create(external_id="A", created_at="2024-01-01")
            for day in ("2024-01-05", "2024-02-07", "2024-03-09"):
                db.interactions.record(c, day, "purchase", channel="web", amount=10, currency="EUR")
            matrix = db.retention.cohorts(periods=4, as_of="2024-03-31")
        root = parse(plot.cohort_retention(matrix))
        self.assertEqual(len(by_class(root, "cell")) + len(by_class(root, "cell-missing")), 4)

    def test_options_and_save(self):
        svg = plot.segment_bars({"A": 1}, width=900, height=300, title="Mix <Q3>", period="2024 & 2025")
        root = parse(svg)
        self.assertEqual(root.get("width"), "900")
        self.assertEqual(root.find(SVG + "title").text, "Mix <Q3>")
        self.assertIn("Period: 2024 & 2025.", root.find(SVG + "desc").text)
        with tempfile.TemporaryDirectory() as d:
            path = svg.save(os.path.join(d, "mix.svg"))
            with open(path, encoding="utf-8") as f:
                self.assertEqual(f.read(), svg)
            plot.save(svg, os.path.join(d, "again.svg"))
        with self.assertRaises(crmkit.InvalidArgument) as e:
            plot.segment_bars({"A": 1}, width=10)
        self.assertIn("options.width 10 is outside 240..4000", str(e.exception))


class Png(unittest.TestCase):
    @unittest.skipUnless(shutil.which("rsvg-convert"), "rsvg-convert is not installed (make deps installs librsvg2-bin)")
    def test_png_of_the_chart_at_its_size_and_scaled(self):
        svg = plot.segment_bars({"A": 3, "B": 1}, width=900, height=300)
        data = svg.to_png()
        self.assertEqual(data[:8], b"\x89PNG\r\n\x1a\n")
        # IHDR: width and height, big-endian, right after the signature and the chunk header.
        self.assertEqual(struct.unpack(">II", data[16:24]), (900, 300))
        self.assertEqual(struct.unpack(">II", svg.to_png(scale=2)[16:24]), (1800, 600))
        with tempfile.TemporaryDirectory() as d:
            path = svg.save(os.path.join(d, "mix.PNG"))
            with open(path, "rb") as f:
                self.assertEqual(f.read(), data)
        for bad in (0, -1, 9, float("nan"), True, "2"):
            with self.assertRaises(crmkit.InvalidArgument):
                svg.to_png(scale=bad)

    def test_without_rsvg_convert_the_error_names_it(self):
        old = os.environ.get("PATH", "")
        os.environ["PATH"] = ""
        try:
            with self.assertRaises(FileNotFoundError) as e:
                plot.segment_bars({"A": 1}).to_png()
            self.assertIn("librsvg2-bin", str(e.exception))
        finally:
            os.environ["PATH"] = old


class Refusals(unittest.TestCase):
    def test_nan_and_infinity_are_refused_by_name(self):
        with self.assertRaises(crmkit.InvalidArgument) as e:
            plot.calibration_vs_holdout([0, 1], [0, math.nan], [0.1, 0.2], 39, "week")
        self.assertIn("actual_holdout[1] is NaN", str(e.exception))
        with self.assertRaises(crmkit.InvalidArgument) as e:
            plot.rfm_histogram("monetary", [1.0, math.inf])
        self.assertIn("values[1] is infinite", str(e.exception))
        with self.assertRaises(crmkit.InvalidArgument) as e:
            plot.repeat_purchases_over_time([1, 2], [1, 2], [1, 2], math.nan, "week")
        self.assertIn("calibration_end", str(e.exception))

    def test_types_lengths_and_names(self):
        with self.assertRaises(TypeError):
            plot.rfm_histogram("monetary", [1.0, True])
        with self.assertRaises(TypeError):
            plot.rfm_histogram("monetary", [1.0, "2"])
        with self.assertRaises(crmkit.InvalidArgument):
            plot.rfm_histogram("monetary", [2 ** 53 + 1])  # a double cannot hold it
        with self.assertRaises(crmkit.InvalidArgument) as e:
            plot.rfm_scatter("recency", [1, 2], "monetary", [1.0])
        self.assertIn("x has 2, y has 1", str(e.exception))
        with self.assertRaises(crmkit.InvalidArgument) as e:
            plot.rfm_histogram("spend", [1.0])
        self.assertIn("spend", str(e.exception))
        with self.assertRaises(crmkit.InvalidArgument):
            plot.rfm_histogram("monetary", [])
        with self.assertRaises(crmkit.InvalidArgument) as e:
            plot.segment_bars({"bad\x01name": 1})
        self.assertIn("control character", str(e.exception))


@unittest.skipIf(pandas is None, "pandas/NumPy not installed")
class Columns(unittest.TestCase):
    def test_numpy_and_pandas_columns(self):
        df = pandas.DataFrame({"recency": numpy.arange(400) % 90, "frequency": 1 + numpy.arange(400) % 6,
                               "monetary": numpy.linspace(1.0, 900.0, 400)})
        root = parse(plot.rfm_scatter("recency", df["recency"], "monetary", df["monetary"].to_numpy()))
        self.assertEqual(len(by_class(root, "point")), 400)
        root = parse(plot.rfm_histogram("frequency", df["frequency"]))
        self.assertEqual(sum(int(b.find(SVG + "title").text.rsplit(": ", 1)[1]) for b in by_class(root, "bar")),
                         400)
        root = parse(plot.segment_bars(pandas.Series(["a", "b", "a", "c", "a"]).value_counts()))
        self.assertEqual([b.find(SVG + "title").text for b in by_class(root, "bar")], ["a: 3", "b: 1", "c: 1"])
        with self.assertRaises(crmkit.InvalidArgument) as e:
            plot.rfm_histogram("monetary", numpy.array([1.0, numpy.nan]))
        self.assertIn("values[1] is NaN", str(e.exception))
        with self.assertRaises(TypeError):
            plot.rfm_histogram("monetary", numpy.array([True, False]))

    def test_a_million_customers_stay_light(self):
        rng = numpy.random.default_rng(1)
        recency = rng.integers(0, 700, 1_000_000)
        monetary = rng.exponential(100.0, 1_000_000)
        svg = plot.rfm_scatter("recency", recency, "monetary", monetary)
        self.assertLess(len(svg), 300_000)
        self.assertEqual(len(by_class(parse(svg), "point")), 0)
        self.assertLess(len(plot.rfm_histogram("monetary", monetary)), 30_000)


if __name__ == "__main__":
    unittest.main()
