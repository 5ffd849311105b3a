"""The report is one library function: Python (through the C API) and `crmkit report --json`
must print the same content for the same store, section by section (the command's JSON read
with the binding's conventions: money as Decimal, instants as datetimes)."""
import calendar
import decimal
import json
import os
import random
import subprocess
import tempfile
import unittest

import crmkit
from crmkit._values import with_datetimes


def ms(y, m, d, hour=10):
    return calendar.timegm((y, m, d, hour, 0, 0)) * 1000


def money_as_decimal(obj):
    if set(obj) == {"currency", "amount"} and isinstance(obj["amount"], str):
        return {"currency": obj["currency"], "amount": decimal.Decimal(obj["amount"])}
    return obj


class ReportSurfacesTest(unittest.TestCase):
    def setUp(self):
        self.cli = os.environ.get("CRMKIT_CLI")
        if not self.cli or not os.path.exists(self.cli):
            self.skipTest("skipped: CRMKIT_CLI is not set to the crmkit command")
        self.dir = tempfile.TemporaryDirectory()
        self.path = os.path.join(self.dir.name, "shop.db")
        rng = random.Random(12)
        db = crmkit.Database(self.path)
        try:
            for c in range(40):
                cid = db.customers.create(external_id="C%02d" % c, created_at=ms(2023, 1 + c % 12, 1, 0))
                for k in range(rng.randint(0, 6)):
                    month = rng.randint(1, 24)
                    db.interactions.record(cid, ms(2023 + (month - 1) // 12, (month - 1) % 12 + 1, rng.randint(1, 28)),
                                           "purchase", channel=rng.choice(["web", "store"]),
                                           amount=decimal.Decimal("%d.%02d" % (rng.randint(1, 300), rng.randint(0, 99))),
                                           currency=rng.choice(["EUR", "EUR", "USD"]))
                if c % 3 == 0:
                    db.surveys.record(cid, "nps", rng.randint(0, 10), occurred_at=ms(2024, 6, 1 + c % 20),
                                      channel="email")
            self.python = db.report(top=5)
        finally:
            db.close()

    def tearDown(self):
        self.dir.cleanup()

    def test_cli_json_is_the_python_report(self):
        r = subprocess.run([self.cli, "report", "--db", self.path, "--json", "--top", "5"],
                           capture_output=True, text=True)
        self.assertEqual(r.returncode, 0, r.stderr)
        cli = with_datetimes(json.loads(r.stdout, object_hook=money_as_decimal), text=True)
        self.assertEqual(list(cli), list(self.python))
        for section in self.python:
            self.assertEqual(cli[section], self.python[section], section)
        # Not an empty agreement: the store's facts are in it.
        self.assertEqual(self.python["overview"]["customers"], 40)
        self.assertGreater(self.python["overview"]["purchases"], 0)


if __name__ == "__main__":
    unittest.main()
