import csv
import datetime
import json
import pathlib
import tempfile
import unittest

import crmkit
from backend import test_database

UTC = datetime.timezone.utc
T0 = datetime.datetime(2025, 1, 15, tzinfo=UTC)


class ContactsTest(unittest.TestCase):
    def setUp(self):
        self.db = test_database()
        self.cid = self.db.customers.create(external_id="c1", email="Ana@Example.com", created_at=T0)

    def tearDown(self):
        self.db.close()

    def test_email_field_is_the_primary_contact_point(self):
        [email] = self.db.contacts.list(self.cid)
        self.assertEqual((email.type, email.value, email.normalized, email.primary),
                         ("email", "Ana@Example.com", "ana@example.com", True))
        self.assertEqual(email.created_at, T0)

    def test_add_promote_find_and_delete(self):
        contacts = self.db.contacts
        home = contacts.add(self.cid, "email", "ana@café.fr", at="2025-02-01", label="home")
        self.assertFalse(contacts.get(home).primary)
        self.assertEqual(contacts.get(home).match_key, "ana@xn--caf-dma.fr")
        contacts.set_primary(home, at="2025-02-02")
        self.assertEqual(self.db.customers.get(self.cid).email, "ana@café.fr")
        other = self.db.customers.create(external_id="c2", created_at=T0)
        contacts.add(other, "email", "ANA@xn--caf-dma.fr", at="2025-02-03")
        self.assertEqual([p.customer_id for p in contacts.find("email", "ana@café.fr")], [self.cid, other])
        contacts.set_label(home, None, at="2025-02-04")
        self.assertIsNone(contacts.get(home).label)
        contacts.record_bounce(home, at="2025-02-05", hard=True)
        self.assertEqual(contacts.get(home).invalid_since, datetime.datetime(2025, 2, 5, tzinfo=UTC))
        contacts.mark_verified(home, at="2025-02-06")
        self.assertEqual(contacts.get(home).bounce_count, 0)
        contacts.delete(home, at="2025-02-07")
        self.assertIsNone(self.db.customers.get(self.cid).email)

    def test_refusals_name_the_problem(self):
        contacts = self.db.contacts
        with self.assertRaisesRegex(crmkit.Conflict, "already has email 'ana@example.com'"):
            contacts.add(self.cid, "email", "ANA@example.com", at=T0)
        with self.assertRaisesRegex(crmkit.InvalidArgument, "type 'fax' is not one of"):
            contacts.add(self.cid, "fax", "123", at=T0)
        with self.assertRaisesRegex(crmkit.InvalidArgument, "url 'ftp://x.example' is not an http"):
            contacts.add(self.cid, "url", "ftp://x.example", at=T0)
        with self.assertRaises(crmkit.NotFound):
            contacts.list(self.cid + 100)
        self.assertEqual(len(contacts.list(self.cid)), 1)


if __name__ == "__main__":
    unittest.main()


class DuplicatesTest(unittest.TestCase):
    def setUp(self):
        self.db = test_database()
        c = self.db.customers
        self.a = c.create(external_id="a", given_name="Ana", family_name="Silva", email="ana@example.com",
                          created_at=T0)
        self.b = c.create(external_id="b", given_name="Ana", family_name="Silva", email="ANA@example.com",
                          created_at=T0)

    def tearDown(self):
        self.db.close()

    def test_check_scan_explain_ignore(self):
        dups = self.db.duplicates
        [c] = dups.check(self.a)
        self.assertEqual((c.a, c.b, c.score, c.verdict), (self.a, self.b, 15, "duplicate"))
        self.assertEqual([f["text"] for f in c.fired], ["email normalized", "given_name exact + family_name exact"])
        scan = dups.scan()
        self.assertEqual((scan.customers, scan.all_pairs, len(scan.candidates)), (2, 1, 1))
        dups.ignore(self.a, self.b, at=T0)
        self.assertEqual(dups.check(self.a), [])
        self.assertEqual(dups.scan().ignored, 1)
        self.assertEqual(dups.explain(self.a, self.b).score, 15)

    def test_rules_are_data(self):
        dups = self.db.duplicates
        rules = dups.rules()
        self.assertEqual(rules["duplicate_threshold"], 10)
        rules["rules"] = [{"weight": 10, "all_of": [{"field": "family_name", "comparator": "exact"}]}]
        dups.set_rules(rules, at=T0)
        self.assertEqual(dups.explain(self.a, self.b).fired[0]["text"], "family_name exact")
        with self.assertRaisesRegex(crmkit.InvalidArgument, "suspect_from"):
            dups.set_rules(dict(rules, suspect_from=11), at=T0)
        with self.assertRaisesRegex(crmkit.InvalidArgument, "not its own duplicate"):
            dups.ignore(self.a, self.a, at=T0)


class AuditTest(unittest.TestCase):
    def setUp(self):
        self.db = test_database()

    def tearDown(self):
        self.db.close()

    def test_changes_are_audited_with_who_and_why(self):
        with self.db.audit.context(actor="ana", reason="asked by phone", request_id="r-17"):
            cid = self.db.customers.create(external_id="c1", created_at=T0)
            self.db.customers.update(cid, "2025-02-01", city="Oslo")
        self.db.customers.update(cid, "2025-02-02", city="Rome")
        entries = list(self.db.audit.list(entity="customer", entity_id=cid))
        self.assertEqual([e.field for e in entries], ["created", "city", "city"])
        self.assertEqual(entries[0].new["external_id"], "c1")
        self.assertEqual((entries[1].old, entries[1].new, entries[1].actor, entries[1].request_id),
                         (None, "Oslo", "ana", "r-17"))
        self.assertEqual((entries[2].old, entries[2].new, entries[2].actor), ("Oslo", "Rome", None))
        self.assertEqual(entries[2].at, datetime.datetime(2025, 2, 2, tzinfo=UTC))
        self.assertEqual([e.field for e in self.db.audit.list(actor="ana")], ["created", "city"])
        self.assertEqual(len(list(self.db.audit.list(from_="2025-02-02"))), 1)
        with self.assertRaisesRegex(crmkit.InvalidArgument, "actor"):
            self.db.audit.set_context(actor="x" * 201)
        with self.assertRaisesRegex(crmkit.InvalidArgument, "entity 'ticket' is not one of"):
            list(self.db.audit.list(entity="ticket"))

    def test_chain(self):
        self.db.audit.start_chain()
        self.db.customers.create(external_id="c1", created_at=T0)
        self.assertEqual(self.db.audit.verify(), {"chained": True, "checked": 1, "first_broken": 0, "reason": ""})


class CheckRecordTest(unittest.TestCase):
    def test_a_record_not_stored_yet(self):
        db = test_database()
        try:
            a = db.customers.create(external_id="a", given_name="Ana", family_name="Silva",
                                    email="ana@example.com", created_at=T0)
            [c] = db.duplicates.check_record(email="ANA@example.com")
            self.assertEqual((c.a, c.b, c.score), (0, a, 10))
            self.assertEqual(db.customers.count(), 1)
            with self.assertRaises(crmkit.InvalidArgument):
                db.duplicates.check_record(email="nope")
        finally:
            db.close()


class ImportPreviewTest(unittest.TestCase):
    def test_rows_and_totals_with_nothing_written(self):
        db = test_database()
        try:
            cid = db.customers.create(external_id="c1", email="ana@example.com", created_at=T0)
            out = db.duplicates.preview_import([
                dict(external_id="c1", city="Oslo", created_at=T0),
                dict(external_id="c2", email="ANA@example.com", created_at=T0, acquisition_cost="12.50",
                     acquisition_currency="EUR"),
                dict(email="x'); DROP TABLE customers; --", created_at=T0),
                dict(external_id="c2", city="Bergen", created_at=T0),
            ])
            rows = out["rows"]
            self.assertEqual([r["action"] for r in rows], ["update", "create", "error", "update"])
            self.assertEqual(rows[0]["customer_id"], cid)
            [c] = rows[1]["candidates"]
            self.assertEqual((c.b, c.verdict, c.fired[0]["text"]), (cid, "duplicate", "email normalized"))
            self.assertEqual(rows[2]["error_code"], "invalid_argument")
            self.assertEqual(rows[3]["earlier_line"], 2)
            self.assertEqual(out["totals"]["with_duplicates"], 1)
            self.assertEqual(db.customers.count(), 1)
        finally:
            db.close()


class SubjectExportTest(unittest.TestCase):
    def test_every_table_of_the_person(self):
        db = test_database()
        try:
            cid = db.customers.create(external_id="c1", email="ana@example.com", created_at=T0)
            other = db.customers.create(external_id="c2", email="bo@example.com", created_at=T0)
            db.interactions.record(cid, T0, "purchase", "web", amount=1250, currency="USD")
            out = db.subject_export(cid)
            self.assertEqual(out["customer_id"], cid)
            self.assertEqual(out["tables"]["customers"][0]["email"], "ana@example.com")
            self.assertEqual(len(out["tables"]["interactions"]), 1)
            self.assertNotIn("bo@example.com", str(out))
            self.assertEqual(db.subject_export(cid), out)
            with self.assertRaises(crmkit.NotFound):
                db.subject_export(other + 100)
        finally:
            db.close()

    def test_csv_bundle_holds_the_json_rows(self):
        db = test_database()
        tmp = tempfile.TemporaryDirectory()
        try:
            cid = db.customers.create(external_id="c1", email="ana@example.com", city='Oslo, "Old" town\nnorth',
                                      created_at=T0)
            db.interactions.record(cid, T0, "purchase", "web", amount=1250, currency="USD")
            bundle = pathlib.Path(tmp.name, "sar")
            manifest = db.subject_export_csv(cid, bundle)
            doc = db.subject_export(cid)
            self.assertEqual(manifest["format"], "crmkit-subject-export-csv/1")
            self.assertEqual(sorted(f["table"] for f in manifest["files"]), sorted(doc["tables"]))
            self.assertEqual(json.loads((bundle / "manifest.json").read_text()), manifest)
            for f in manifest["files"]:
                with open(bundle / f["file"], newline="", encoding="utf-8") as fh:
                    rows = list(csv.DictReader(fh))
                self.assertEqual(len(rows), f["rows"])
                self.assertEqual(len(rows), len(doc["tables"][f["table"]]))
            with open(bundle / "customers.csv", newline="", encoding="utf-8") as fh:
                self.assertEqual(next(csv.DictReader(fh))["city"], 'Oslo, "Old" town\nnorth')
            with self.assertRaises(crmkit.Conflict):  # not empty now
                db.subject_export_csv(cid, bundle)
            self.assertEqual(sorted(p.name for p in bundle.iterdir()),
                             sorted([f["file"] for f in manifest["files"]] + ["manifest.json"]))
            with self.assertRaises(crmkit.NotFound):
                db.subject_export_csv(cid + 100, pathlib.Path(tmp.name, "none"))
            self.assertEqual(sorted(p.name for p in pathlib.Path(tmp.name).iterdir()), ["sar"])
        finally:
            db.close()
            tmp.cleanup()
