import datetime
import os
import tempfile
import unittest

import crmkit
from backend import test_database, testing_postgres

UTC = datetime.timezone.utc
T0 = datetime.datetime(2025, 1, 15, tzinfo=UTC)
DAY = datetime.timedelta(days=1)


class ErasureTest(unittest.TestCase):
    def setUp(self):
        self.db = test_database()
        self.cid = self.db.customers.create(external_id="c1", display_name="Ana Quillmoth", email="ana.q@example.com",
                                            city="Brackleford", created_at=T0)

    def tearDown(self):
        self.db.close()

    def test_erase_pseudonymises_and_refuses_a_second_time(self):
        report = self.db.erase(self.cid, T0 + DAY)
        self.assertEqual((report["pseudonym"], report["erased_at"]), ("ERASED:%d" % self.cid, T0 + DAY))
        self.assertEqual(report["suppressed"], 1)
        self.assertIsNone(report["scan"])
        c = self.db.customers.get(self.cid)
        self.assertEqual((c.display_name, c.email, c.city, c.erased_at), ("ERASED:%d" % self.cid, None, None, T0 + DAY))
        self.assertEqual(self.db.subject_export(self.cid)["tables"]["customers"][0]["display_name"], c.display_name)
        with self.assertRaisesRegex(crmkit.Conflict, "is already erased"):
            self.db.erase(self.cid, T0 + 2 * DAY)
        with self.assertRaisesRegex(crmkit.Conflict, "was erased at"):
            self.db.customers.update(self.cid, T0 + 2 * DAY, city="Oslo")
        with self.assertRaisesRegex(crmkit.Conflict, r"email is suppressed \(erased"):
            self.db.customers.create(email="ANA.Q@example.com", created_at=T0 + 2 * DAY)
        with self.assertRaises(crmkit.NotFound):
            self.db.erase(10 ** 9, T0)
        with self.assertRaises(crmkit.InvalidArgument):
            self.db.erase(0, T0)
        entries = list(self.db.audit.list(entity="customer", entity_id=self.cid))
        self.assertTrue(entries[0].redacted)
        self.assertEqual(entries[0].new, "[redacted]")

    @unittest.skipIf(testing_postgres(), "the raw scan reads a SQLite file")
    def test_verify_scans_the_file(self):
        with tempfile.TemporaryDirectory() as tmp:
            path = os.path.join(tmp, "s.db")
            with crmkit.Database(path) as db:
                cid = db.customers.create(display_name="Zorbalina Quux", email="zq@example.com", created_at=T0)
                report = db.erase(cid, T0 + DAY, verify=True)
            scan = report["scan"]
            self.assertTrue(scan["verified"] and scan["clean"])
            self.assertEqual(scan["hits"], 0)
            self.assertIn("customers.display_name", [v["source"] for v in scan["values"]])
            with open(path, "rb") as f:
                self.assertNotIn(b"Zorbalina", f.read())


if __name__ == "__main__":
    unittest.main()
