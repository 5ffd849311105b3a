import datetime
import decimal
import os
import tempfile
import unittest

import crmkit
from backend import test_database
from crmkit.interactions import Interaction

UTC = datetime.timezone.utc
D = decimal.Decimal


def at(day, hour=12):
    return datetime.datetime(2025, 3, day, hour, tzinfo=UTC)


class InteractionsTest(unittest.TestCase):
    def setUp(self):
        self.db = test_database()
        self.cid = self.db.customers.create(external_id="c1", created_at=at(1, 0))

    def tearDown(self):
        self.db.close()

    def test_sub_millisecond_instants_are_refused_not_dropped(self):
        rec = self.db.interactions.record
        fine = at(2).replace(microsecond=123456)
        with self.assertRaises(crmkit.InvalidArgument) as cm:
            rec(self.cid, fine, "visit", "web")
        self.assertIn("finer than a millisecond", str(cm.exception))
        self.assertEqual(list(self.db.interactions.timeline(self.cid)), [])
        whole = at(2).replace(microsecond=123000)
        rec(self.cid, whole, "visit", "web")
        (event,) = list(self.db.interactions.timeline(self.cid))
        self.assertEqual(event.occurred_at, whole)

    def test_record_timeline_and_figures(self):
        rec = self.db.interactions.record
        p1 = rec(self.cid, at(2), "purchase", "web", amount=D("49.90"), currency="USD",
                 external_id="o-1", margin=D("10.00"))
        rec(self.cid, at(3), "email_open", "email", subject="March news")
        rec(self.cid, at(4), "purchase", "store", amount=(1500, "USD"))
        rec(self.cid, at(5), "refund", "store", amount=D("-5.00"), currency="USD")
        rec(self.cid, at(6), "purchase", "web", amount=1200, currency="JPY")
        # Same external_id and content: the same id, nothing new.
        self.assertEqual(rec(self.cid, at(2), "purchase", "web", amount=D("49.90"),
                             currency="USD", external_id="o-1", margin=D("10.00")), p1)
        events = list(self.db.interactions.timeline(self.cid))
        self.assertEqual(len(events), 5)
        self.assertIsInstance(events[0], Interaction)
        self.assertEqual([e.kind for e in events],
                         ["purchase", "refund", "purchase", "email_open", "purchase"])  # newest first
        self.assertEqual(events[0].amount, D("1200"))
        self.assertEqual(events[0].currency, "JPY")
        self.assertEqual(events[-1].amount, D("49.90"))
        self.assertEqual(events[-1].amount_minor, 4990)
        self.assertEqual(events[-1].margin, D("10.00"))
        self.assertEqual(events[-1].occurred_at, at(2))
        self.assertEqual(events[3].subject, "March news")
        self.assertIsNone(events[3].amount)
        purchases = list(self.db.interactions.timeline(self.cid, kind="purchase", channel="web"))
        self.assertEqual(len(purchases), 2)
        window = list(self.db.interactions.timeline(self.cid, start=at(3), end=at(5)))
        self.assertEqual([e.kind for e in window], ["purchase", "email_open"])
        self.assertEqual(self.db.interactions.get(p1).external_id, "o-1")

        f = self.db.interactions.figures(self.cid)
        self.assertEqual(f["purchase_count"], 3)
        self.assertEqual(f["refund_count"], 1)
        self.assertEqual(f["interaction_count"], 5)
        self.assertEqual(f["money"]["USD"]["purchase_total"], D("64.90"))
        self.assertEqual(f["money"]["USD"]["refund_total"], D("-5.00"))
        self.assertEqual(f["money"]["JPY"]["purchase_total"], D("1200"))
        self.assertEqual(f["last_purchase_at"], at(6))
        self.assertEqual((f["first_purchase_at"], f["last_interaction_at"]), (at(2), at(6)))

    def test_bad_input_is_refused_and_changes_nothing(self):
        rec = self.db.interactions.record
        with self.assertRaises(crmkit.InvalidArgument) as cm:
            rec(self.cid, at(2), "purchase", "pigeon", amount=D("1.00"), currency="USD")
        self.assertIn("channel", str(cm.exception))
        with self.assertRaises(crmkit.InvalidArgument):
            rec(self.cid, at(2), "purchase", "web")  # a purchase needs an amount
        with self.assertRaises(crmkit.InvalidArgument):
            rec(self.cid, at(2), "refund", "web", amount=D("5.00"), currency="USD")  # > 0
        with self.assertRaises(crmkit.InvalidArgument):
            rec(self.cid, at(2), "purchase", "web", amount=D("1.001"), currency="USD")
        with self.assertRaises(TypeError):
            rec(self.cid, at(2), "purchase", "web", amount=1.5, currency="USD")
        with self.assertRaises(crmkit.NotFound):
            rec(999, at(2), "visit", "web")
        rec(self.cid, at(2), "purchase", "web", amount=D("1.00"), currency="USD", external_id="o")
        with self.assertRaises(crmkit.Conflict):
            rec(self.cid, at(2), "purchase", "web", amount=D("2.00"), currency="USD", external_id="o")
        self.assertEqual(self.db.interactions.figures(self.cid)["interaction_count"], 1)
        with self.assertRaises(crmkit.NotFound):
            list(self.db.interactions.timeline(999))
        with self.assertRaises(crmkit.InvalidArgument):
            list(self.db.interactions.timeline(self.cid, kind="gift"))

    def test_currencies_come_from_the_library_table(self):
        from crmkit._values import currency_exponent
        self.assertFalse(hasattr(crmkit._values, "_ZERO"))  # no copy of the table here
        for code, units in [("USD", 2), ("JPY", 0), ("KWD", 3), ("CLF", 4), ("UYW", 4), ("XAU", 0),
                            ("XTS", 0)]:
            self.assertEqual(currency_exponent(code), units, code)
        for fake in ["ABC", "ZZZ", "usd", ""]:
            with self.assertRaises(crmkit.InvalidArgument) as cm:
                currency_exponent(fake)
            self.assertIn("not an ISO 4217 code", str(cm.exception))
        rec = self.db.interactions.record
        for fake in ["ABC", "ZZZ"]:
            with self.assertRaises(crmkit.InvalidArgument):
                rec(self.cid, at(2), "purchase", "web", amount=D("1.00"), currency=fake)
            with self.assertRaises(crmkit.InvalidArgument):
                rec(self.cid, at(2), "purchase", "web", amount=(100, fake))
        # The exponent decides the decimals: 4 for CLF, none for JPY.
        i = rec(self.cid, at(2), "purchase", "web", amount=D("1.2345"), currency="CLF")
        self.assertEqual(self.db.interactions.get(i).amount, D("1.2345"))
        with self.assertRaises(crmkit.InvalidArgument):
            rec(self.cid, at(2), "purchase", "web", amount=D("1.5"), currency="JPY")
        self.assertEqual(self.db.interactions.figures(self.cid)["interaction_count"], 1)

    def test_attribute_numbers_are_kept_or_refused(self):
        rec = self.db.interactions.record
        i = rec(self.cid, at(2), "note", "web", attributes='{"order": 12345678901234567890, "price": 0.1}')
        self.assertEqual(self.db.interactions.get(i).attributes,
                         {"order": 12345678901234567890, "price": 0.1})
        with self.assertRaises(crmkit.InvalidArgument) as cm:
            rec(self.cid, at(2), "note", "web", attributes='{"order": 123456789012345678901}')
        self.assertIn("attributes.order is the number 123456789012345678901", str(cm.exception))
        self.assertEqual(self.db.interactions.figures(self.cid)["interaction_count"], 1)

    def test_record_batch(self):
        rows = [dict(customer_id=self.cid, occurred_at=at(d), kind="visit", channel="web")
                for d in range(2, 12)]
        rows.append(dict(customer_id=self.cid, occurred_at=at(12), kind="refund", channel="web",
                         amount=D("3.00"), currency="USD"))  # refund > 0: invalid
        rows.append(dict(customer_id=self.cid, occurred_at=at(13), kind="purchase",
                         channel="web", amount=D("9.99"), currency="USD", external_id="b-1"))
        with self.assertRaises(crmkit.InvalidArgument) as cm:
            self.db.interactions.record_batch(rows)
        self.assertIn("row 10", str(cm.exception))
        self.assertEqual(self.db.interactions.figures(self.cid)["interaction_count"], 0)

        r = self.db.interactions.record_batch(rows, skip_invalid=True)
        self.assertEqual(r.inserted, 11)
        self.assertEqual(r.duplicates, 0)
        self.assertEqual(len(r.ids), 12)
        self.assertEqual(r.ids[10], 0)
        self.assertEqual([i for i, _ in r.errors], [10])
        self.assertIsInstance(r.errors[0][1], crmkit.InvalidArgument)
        again = self.db.interactions.record_batch(rows[-1:])
        self.assertEqual((again.inserted, again.duplicates), (0, 1))
        self.assertEqual(again.duplicate_external_ids, 1)
        self.assertEqual(self.db.interactions.figures(self.cid)["interaction_count"], 11)

    def test_channel_kind_and_currency_in_any_case(self):
        # "jpy" is JPY before the amount is scaled: 5 yen are 5 minor units, not 500.
        iid = self.db.interactions.record(self.cid, at(2), "Purchase", "WEB", amount=D("5"),
                                          currency="jpy")
        got = self.db.interactions.get(iid)
        self.assertEqual((got.kind, got.channel, got.currency, got.amount_minor),
                         ("purchase", "web", "JPY", 5))
        with self.assertRaises(crmkit.InvalidArgument):
            self.db.interactions.record(self.cid, at(2), "purchase", "web", amount=D("5.5"),
                                        currency="jpy")

    def test_record_batch_twice_without_external_ids_records_each_fact_once(self):
        coffee = dict(customer_id=self.cid, occurred_at=at(2), kind="purchase", channel="store",
                      amount=D("3.50"), currency="EUR", subject="espresso")
        first = self.db.interactions.record_batch([coffee, dict(coffee, subject="latte")])
        self.assertEqual((first.inserted, first.duplicates), (2, 0))
        again = self.db.interactions.record_batch([coffee, dict(coffee, subject="latte"), coffee])
        self.assertEqual((again.inserted, again.duplicates), (0, 3))
        self.assertEqual((again.duplicate_external_ids, again.duplicate_natural_keys), (0, 3))
        self.assertEqual(again.ids, first.ids + first.ids[:1])
        self.assertEqual(self.db.interactions.figures(self.cid)["purchase_count"], 2)
        repeats = self.db.interactions.record_batch([coffee, coffee], allow_repeats=True)
        self.assertEqual((repeats.inserted, repeats.duplicates), (2, 0))
        self.assertEqual(self.db.interactions.figures(self.cid)["purchase_count"], 4)

    def test_transaction_and_iterator_outliving_the_database(self):
        with tempfile.TemporaryDirectory() as d:
            path = os.path.join(d, "t.db")
            db = crmkit.Database(path)
            cid = db.customers.create(external_id="t", created_at=at(1))
            with self.assertRaises(RuntimeError):
                with db.transaction():
                    db.interactions.record(cid, at(2), "visit", "web")
                    raise RuntimeError("abort")
            self.assertEqual(db.interactions.figures(cid)["interaction_count"], 0)
            with db.transaction():
                for day in range(2, 7):
                    db.interactions.record(cid, at(day), "visit", "store")
            events = db.interactions.timeline(cid)
            first = next(events)
            db.close()
            self.assertEqual(first.occurred_at, at(6))
            self.assertEqual(len(list(events)), 4)  # the iterator keeps the store alive

    def test_savepoint_undoes_its_part_alone(self):
        with test_database() as db:
            cid = db.customers.create(external_id="s", created_at=at(1))
            with self.assertRaises(crmkit.Misuse):
                with db.savepoint():  # outside a transaction
                    pass
            with db.transaction():
                db.interactions.record(cid, at(2), "visit", "web")
                with self.assertRaises(RuntimeError):
                    with db.savepoint():
                        db.interactions.record(cid, at(3), "visit", "web")
                        raise RuntimeError("redo")
                with db.savepoint():
                    db.interactions.record(cid, at(4), "visit", "web")
            self.assertEqual([e.occurred_at for e in db.interactions.timeline(cid)], [at(4), at(2)])


if __name__ == "__main__":
    unittest.main()
