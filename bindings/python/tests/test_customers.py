import dataclasses
import datetime
import decimal
import unittest

import crmkit
from backend import test_database
from crmkit import customers as customers_module
from crmkit.customers import Customer
from crmkit._values import Money, to_ms, to_ms_end_of_day, to_minor

UTC = datetime.timezone.utc
JAN = datetime.datetime(2025, 1, 15, 10, 0, tzinfo=UTC)
JAN_MS = 1736935200000  # 2025-01-15T10:00:00Z


class ValuesTest(unittest.TestCase):
    def test_times(self):
        self.assertEqual(to_ms(JAN), JAN_MS)
        self.assertEqual(to_ms(JAN_MS), JAN_MS)
        self.assertEqual(to_ms(datetime.date(1970, 1, 2)), 86400000)
        self.assertEqual(to_ms(datetime.datetime(2025, 1, 15, 10, 0)), JAN_MS)  # naive = UTC
        paris = datetime.timezone(datetime.timedelta(hours=1))
        self.assertEqual(to_ms(datetime.datetime(2025, 1, 15, 11, 0, tzinfo=paris)), JAN_MS)
        self.assertEqual(to_ms(datetime.datetime(1969, 12, 31, 23, 59, 59, 999000, tzinfo=UTC)), -1)
        # Text: a date is its first instant, except where "end of day" is asked for.
        self.assertEqual(to_ms("2025-01-15"), JAN_MS - 10 * 3600000)
        self.assertEqual(to_ms_end_of_day("2025-01-15"), JAN_MS + 14 * 3600000)
        self.assertEqual(to_ms("2025-01-15T10:00:00Z"), JAN_MS)
        with self.assertRaises(crmkit.InvalidArgument):
            to_ms("15/01/2025")
        with self.assertRaises(TypeError):
            to_ms(1.5)
        with self.assertRaises(TypeError):
            to_ms(True)

    def test_money(self):
        self.assertEqual(to_minor(decimal.Decimal("12.34"), "USD"), 1234)
        self.assertEqual(to_minor("1500", "JPY"), 1500)
        self.assertEqual(to_minor(decimal.Decimal("1.234"), "KWD"), 1234)
        self.assertEqual(to_minor(99, "USD"), 99)  # int = minor units
        with self.assertRaises(crmkit.InvalidArgument):
            to_minor(decimal.Decimal("1.234"), "USD")
        with self.assertRaises(TypeError):
            to_minor(12.34, "USD")
        self.assertEqual(Money(250031563, "USD").amount, decimal.Decimal("2500315.63"))
        self.assertEqual(str(Money(1500, "JPY")), "1500 JPY")


class FieldListTest(unittest.TestCase):
    """The binding's customer fields against the library's list (crmkit_customer_fields_json):
    a field added in C++ and not here fails."""

    def test_customer_dataclass_has_every_field_in_order(self):
        self.assertEqual([f.name for f in dataclasses.fields(Customer)],
                         [f["name"] for f in customers_module.FIELDS])

    def test_record_takes_every_given_field(self):
        converted = {"acquisition_cost", "created_at", "tags", "attributes"}  # by _Record._fill
        given = {f["name"] for f in customers_module.FIELDS if f["given"]}
        self.assertEqual(given, set(customers_module.TEXT_FIELDS) | converted)
        self.assertIn("lifecycle_stage", customers_module.TEXT_FIELDS)
        self.assertNotIn("id", customers_module.TEXT_FIELDS)

    def test_choices_come_from_the_library(self):
        kind = next(f for f in customers_module.FIELDS if f["name"] == "kind")
        self.assertEqual(kind["choices"], ["person", "organization"])
        db = test_database()
        try:
            for field in customers_module.CLEARABLE_FIELDS:
                cid = db.customers.create(external_id="c-" + field, created_at=JAN)
                db.customers.update(cid, JAN_MS + 1, clear=[field])  # every clearable name is taken
            with self.assertRaises(crmkit.InvalidArgument):
                db.customers.update(cid, JAN_MS + 2, clear=["kind"])
        finally:
            db.close()


class CustomersTest(unittest.TestCase):
    def setUp(self):
        self.db = test_database()

    def tearDown(self):
        self.db.close()

    def test_create_and_get(self):
        cid = self.db.customers.create(
            external_id="c-1", given_name="Zoë", family_name="Ödegaard", email=" Zoe@Example.COM ",
            country="NO", birth_date="1990-02-28", gender="F", tags=["vip", "newsletter", "vip"],
            attributes={"tier": "gold"}, acquisition_cost=decimal.Decimal("12.50"),
            acquisition_currency="EUR", lifecycle_stage="customer", created_at=JAN)
        c = self.db.customers.get(cid)
        self.assertIsInstance(c, Customer)
        self.assertEqual(c.id, cid)
        self.assertEqual(c.given_name, "Zoë")
        self.assertEqual(c.email, "zoe@example.com")  # normalised
        self.assertEqual(c.tags, ["newsletter", "vip"])  # sorted, unique
        self.assertEqual(c.attributes, {"tier": "gold"})
        self.assertEqual(c.acquisition_cost, Money(1250, "EUR"))
        self.assertEqual(c.acquisition_cost.amount, decimal.Decimal("12.50"))
        self.assertEqual(c.created_at, JAN)  # an aware UTC datetime
        self.assertIs(c.created_at.tzinfo, datetime.timezone.utc)
        self.assertEqual(c.lifecycle_stage, "customer")
        self.assertIsNone(c.phone)
        self.assertEqual(self.db.customers.get_by_external_id("c-1").id, cid)
        self.assertEqual(self.db.customers.find_id("c-1"), cid)
        self.assertIsNone(self.db.customers.find_id("nobody"))
        self.assertEqual([x.id for x in self.db.customers.find_by_email("ZOE@example.com")], [cid])

    def test_upsert_is_idempotent_and_updates(self):
        cid, created = self.db.customers.upsert("u-1", email="a@example.com", created_at=JAN,
                                                with_created=True)
        self.assertTrue(created)
        again, created = self.db.customers.upsert("u-1", email="a@example.com", created_at=JAN,
                                                  with_created=True)
        self.assertEqual((again, created), (cid, False))
        later = JAN + datetime.timedelta(days=1)
        self.db.customers.upsert("u-1", city="Oslo", created_at=later)
        c = self.db.customers.get(cid)
        self.assertEqual((c.email, c.city), ("a@example.com", "Oslo"))  # untouched + set
        self.assertEqual(self.db.customers.count(), 1)

    def test_update_and_clear(self):
        cid = self.db.customers.create(external_id="x", email="x@example.com", tags=["a"],
                                       created_at=JAN_MS)
        self.db.customers.update(cid, JAN_MS + 1000, city="Paris", clear=["email"], tags=[])
        c = self.db.customers.get(cid)
        self.assertEqual(c.city, "Paris")
        self.assertIsNone(c.email)
        self.assertEqual(c.tags, [])
        self.assertEqual(c.updated_at, JAN + datetime.timedelta(seconds=1))

    def test_list_count_and_filters(self):
        for i in range(25):
            self.db.customers.create(external_id="k%02d" % i, country="GB" if i % 2 else "FR",
                                     tags=["even"] if i % 2 == 0 else [],
                                     created_at=JAN_MS + i * 86400000)
        self.assertEqual(self.db.customers.count(), 25)
        self.assertEqual(self.db.customers.count(country="GB"), 12)
        self.assertEqual(self.db.customers.count(tag="even"), 13)
        ids = [c.id for c in self.db.customers.list()]
        self.assertEqual(ids, sorted(ids))
        self.assertEqual(len(ids), 25)
        gb = list(self.db.customers.list(country="GB"))
        self.assertTrue(all(c.country == "GB" for c in gb))
        self.assertEqual(len(gb), 12)
        recent = list(self.db.customers.list(created_from=JAN_MS + 20 * 86400000))
        self.assertEqual([c.external_id for c in recent], ["k20", "k21", "k22", "k23", "k24"])
        self.assertEqual(len(list(self.db.customers.list(after=ids[9]))), 15)

    def test_bad_input_is_refused_and_changes_nothing(self):
        with self.assertRaises(crmkit.InvalidArgument) as cm:
            self.db.customers.create(external_id="bad", email="not-an-email", created_at=JAN)
        self.assertIn("email", str(cm.exception))
        with self.assertRaises(crmkit.InvalidArgument):
            self.db.customers.create(external_id="bad", lifecycle_stage="vip", created_at=JAN)
        with self.assertRaises(crmkit.InvalidArgument):
            self.db.customers.create(external_id="bad")  # created_at is required
        with self.assertRaises(TypeError):
            self.db.customers.create(nickname="x", created_at=JAN)
        with self.assertRaises(TypeError):
            self.db.customers.create(acquisition_cost=1.5, acquisition_currency="USD", created_at=JAN)
        self.assertEqual(self.db.customers.count(), 0)
        self.db.customers.create(external_id="dup", created_at=JAN)
        with self.assertRaises(crmkit.Conflict):
            self.db.customers.create(external_id="dup", created_at=JAN)
        with self.assertRaises(crmkit.NotFound):
            self.db.customers.get(424242)
        self.assertEqual(self.db.customers.count(), 1)

    def test_delete(self):
        cid = self.db.customers.create(external_id="gone", created_at=JAN)
        self.db.customers.delete(cid)
        self.assertIsNone(self.db.customers.find_id("gone"))
        with self.assertRaises(crmkit.NotFound):
            self.db.customers.delete(cid)


if __name__ == "__main__":
    unittest.main()
