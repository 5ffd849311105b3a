import datetime
import unittest

import crmkit
from backend import test_database

UTC = datetime.timezone.utc
T0 = datetime.datetime(2025, 1, 15, tzinfo=UTC)


class MergeTest(unittest.TestCase):
    def setUp(self):
        self.db = test_database()
        customers = self.db.customers
        self.ana = customers.create(external_id="ana", email="ana@example.com", city="Lisbon", created_at=T0)
        self.copy = customers.create(email="ANA@example.com", given_name="Ana", city="Porto",
                                     created_at=T0 - datetime.timedelta(days=30))
        self.db.interactions.record(self.copy, "2025-01-20", "purchase", "web", amount=(12, "EUR"))

    def tearDown(self):
        self.db.close()

    def test_plan_merge_and_undo(self):
        merges = self.db.merges
        plan = merges.plan(self.ana, [self.copy], at="2025-02-01", field_choices={"city": self.copy})
        self.assertEqual({f["field"]: f["source"] for f in plan["fields"]},
                         {"given_name": self.copy, "city": self.copy, "created_at": self.copy,
                          "lifecycle_stage": self.copy})  # a purchase made it a customer
        tables = {t["table"]: t for t in plan["tables"]}
        self.assertEqual(tables["interactions"]["moved"], 1)
        self.assertEqual(tables["contact_points"]["removed"], 1)  # the same email, by match key
        self.assertEqual(self.db.customers.get(self.copy).city, "Porto")  # the dry run wrote nothing

        record = merges.merge(self.ana, [self.copy], at="2025-02-01", field_choices={"city": self.copy})
        self.assertEqual(record.plan, plan)
        self.assertEqual(record.at, datetime.datetime(2025, 2, 1, tzinfo=UTC))
        ana = self.db.customers.get(self.ana)
        self.assertEqual((ana.city, ana.given_name, ana.created_at), ("Porto", "Ana", T0 - datetime.timedelta(days=30)))
        with self.assertRaises(crmkit.NotFound):
            self.db.customers.get(self.copy)
        self.assertEqual([r.id for r in merges.of_customer(self.ana)], [record.id])

        undone = merges.undo(record.id, at="2025-02-02")
        self.assertEqual(undone.undone_at, datetime.datetime(2025, 2, 2, tzinfo=UTC))
        self.assertEqual(self.db.customers.get(self.copy).city, "Porto")
        self.assertEqual(self.db.customers.get(self.ana).city, "Lisbon")
        with self.assertRaises(crmkit.Conflict):
            merges.undo(record.id, at="2025-02-03")

    def test_fellegi_sunter_scan(self):
        scan = self.db.duplicates.scan_fellegi_sunter()
        self.assertEqual(scan["customers"], 2)
        self.assertEqual([f["field"] for f in scan["fields"]][:2], ["given_name", "family_name"])
        self.assertEqual(self.db.duplicates.scan_fellegi_sunter(threshold=1e9)["pairs"], [])
        with self.assertRaises(crmkit.InvalidArgument):
            self.db.duplicates.scan_fellegi_sunter(threshold=float("nan"))

    def test_refusals_name_the_problem(self):
        merges = self.db.merges
        with self.assertRaisesRegex(crmkit.InvalidArgument, "merged into itself"):
            merges.merge(self.ana, [self.ana], at="2025-02-01")
        with self.assertRaisesRegex(crmkit.InvalidArgument, "absorbed must be a list"):
            merges.merge(self.ana, self.copy, at="2025-02-01")
        with self.assertRaisesRegex(crmkit.InvalidArgument, "shoe_size"):
            merges.merge(self.ana, [self.copy], at="2025-02-01", field_choices={"shoe_size": self.copy})
        with self.assertRaises(crmkit.NotFound):
            merges.get(99)


if __name__ == "__main__":
    unittest.main()
