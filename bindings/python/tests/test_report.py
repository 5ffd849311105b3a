import calendar
import datetime
import decimal
import unittest

import crmkit
from backend import test_database

D = decimal.Decimal


def ms(y, m, d, hour=10):
    return calendar.timegm((y, m, d, hour, 0, 0)) * 1000


class ReportTest(unittest.TestCase):
    def setUp(self):
        self.db = test_database()
        self.a = self.db.customers.create(external_id="A", created_at=ms(2024, 1, 1, 0))
        self.b = self.db.customers.create(external_id="B", created_at=ms(2024, 1, 1, 0))
        rec = self.db.interactions.record
        rec(self.a, ms(2024, 1, 10), "purchase", channel="web", amount=D("100.00"), currency="EUR")
        rec(self.a, ms(2024, 2, 5), "purchase", channel="web", amount=D("50.00"), currency="EUR")
        rec(self.b, ms(2024, 1, 20), "purchase", channel="web", amount=D("30.00"), currency="EUR")
        # Each customer's total fits int64 minor units; their sum does not.
        rec(self.a, ms(2024, 2, 6), "purchase", channel="web", amount=6_000_000_000_000_000_000, currency="GBP")
        rec(self.b, ms(2024, 2, 7), "purchase", channel="web", amount=6_000_000_000_000_000_000, currency="GBP")

    def tearDown(self):
        self.db.close()

    def test_sections_with_decimal_money(self):
        r = self.db.report(top=1)
        self.assertEqual(list(r)[:3], ["database", "as_of", "overview"])
        self.assertEqual(r["as_of"], datetime.datetime(2024, 2, 8, tzinfo=datetime.timezone.utc))
        o = r["overview"]
        self.assertEqual((o["customers"], o["purchases"]), (2, 5))
        self.assertEqual(o["revenue"], [{"currency": "EUR", "amount": D("180.00")},
                                        {"currency": "GBP", "amount": D("120000000000000000.00")}])
        top = r["top_customers"]
        self.assertEqual([(t["currency"], t["external_id"], t["revenue"]["amount"]) for t in top],
                         [("EUR", "A", D("150.00")), ("GBP", "A", D("60000000000000000.00"))])
        months = [(m["currency"], m["month"], m["purchases"], m["revenue"]["amount"]) for m in r["revenue_by_month"]]
        self.assertEqual(months, [("EUR", "2024-01", 2, D("130.00")), ("EUR", "2024-02", 1, D("50.00")),
                                  ("GBP", "2024-02", 2, D("120000000000000000.00"))])
        self.assertEqual(r["loyalty"]["cohorts"]["from"], datetime.datetime(2023, 2, 1, tzinfo=datetime.timezone.utc))
        self.assertIsNone(r["value"])

    def test_options(self):
        r = self.db.report(as_of=ms(2024, 2, 1, 0), currency="EUR", top=0)
        self.assertEqual(r["overview"]["revenue"], [{"currency": "EUR", "amount": D("130.00")}])
        self.assertEqual(len(r["top_customers"]), 2)
        with self.assertRaises(crmkit.InvalidArgument) as cm:
            self.db.report(top=-1)
        self.assertIn("top", str(cm.exception))
        with self.assertRaises(crmkit.InvalidArgument):
            self.db.report(at_risk_below=0.3, lost_below=0.4)

    def test_html_page_written_whole(self):
        import os
        import tempfile
        import xml.etree.ElementTree as ET
        with tempfile.TemporaryDirectory() as d:
            path = os.path.join(d, "report.html")
            page = self.db.report_html(path, currency="EUR")
            with open(path, encoding="utf-8") as f:
                self.assertEqual(f.read(), page)
            self.assertEqual(os.listdir(d), ["report.html"])  # no partial file left behind
        self.assertTrue(page.startswith("<!DOCTYPE html>"))
        self.assertIn('<section id="revenue_by_month">', page)
        self.assertNotIn("GBP", page.split('<section id="revenue_by_month">')[1].split("</section>")[0])
        # Every chart is a well-formed SVG document with a title.
        charts = page.split("<svg")[1:]
        self.assertGreaterEqual(len(charts), 3)
        for c in charts:
            root = ET.fromstring("<svg" + c.split("</svg>")[0] + "</svg>")
            self.assertTrue(root.find("{http://www.w3.org/2000/svg}title").text)
        with self.assertRaises(crmkit.InvalidArgument) as cm:
            self.db.report_html(top=-1)
        self.assertIn("top", str(cm.exception))


if __name__ == "__main__":
    unittest.main()
