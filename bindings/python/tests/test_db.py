import os
import stat
import tempfile
import unittest

import crmkit
from backend import test_database


class DatabaseTest(unittest.TestCase):
    def test_version(self):
        self.assertEqual(crmkit.version_number, 200)
        self.assertEqual(crmkit.__version__, "0.2.0")

    def test_open_file_mode_and_context_manager(self):
        with tempfile.TemporaryDirectory() as d:
            path = os.path.join(d, "t.db")
            with crmkit.Database(path) as db:
                self.assertGreaterEqual(db.schema_version, 1)
            self.assertEqual(stat.S_IMODE(os.stat(path).st_mode), 0o600)
            with self.assertRaises(crmkit.Misuse):
                db.schema_version

    def test_errors_map_to_exceptions(self):
        with tempfile.TemporaryDirectory() as d:
            junk = os.path.join(d, "junk.db")
            with open(junk, "wb") as f:
                f.write(b"x" * 4096)
            with self.assertRaises(crmkit.Corrupt):
                crmkit.Database(junk)
            with self.assertRaises(crmkit.IOFailure):
                crmkit.Database(os.path.join(d, "missing", "x.db"))
        with test_database() as db:
            with self.assertRaises(crmkit.InvalidArgument) as cm:
                db.set_default_currency("euro")
            self.assertIn("default_currency", str(cm.exception))

    def test_default_region_round_trip(self):
        with tempfile.TemporaryDirectory() as d:
            path = os.path.join(d, "t.db")
            with crmkit.Database(path) as db:
                self.assertEqual(db.default_region, "")
                db.set_default_region("IT")
                with self.assertRaises(crmkit.InvalidArgument) as cm:
                    db.set_default_region("it")
                self.assertIn("default_region 'it'", str(cm.exception))
            with crmkit.Database(path) as db:
                self.assertEqual(db.default_region, "IT")
                a = db.customers.create(external_id="local", phone="06 6988 0000", created_at=0)
                b = db.customers.create(external_id="intl", phone="+39 06 6988 0000", created_at=0)
                self.assertEqual(db.customers.get(a).phone, "+390669880000")
                self.assertEqual(db.customers.get(b).phone, "+390669880000")
                db.set_default_region("US")
                with self.assertRaises(crmkit.InvalidArgument) as cm:
                    db.customers.create(external_id="us", phone="5550100", created_at=0)
                self.assertIn("phone '5550100' is a local number only", str(cm.exception))
                self.assertIsNone(db.customers.find_id("us"))

    def test_transaction_rolls_back_on_exception(self):
        with test_database() as db:
            with self.assertRaises(RuntimeError):
                with db.transaction():
                    db.set_default_currency("EUR")
                    raise RuntimeError("boom")
            with self.assertRaises(crmkit.Misuse):
                with db.transaction():
                    with db.transaction():
                        pass


if __name__ == "__main__":
    unittest.main()
