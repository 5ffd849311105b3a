"""The points binding: programme, automatic earning, redemption, idempotency, errors."""
import json
import unittest

import crmkit
from backend import test_database
from crmkit import _native as n

DAY = 86400000
T0 = 1704067200000  # 2024-01-01T00:00:00Z

_upsert = n.bind("crmkit_customer_upsert_json", n.c_int, n.POINTER(n.c_int64), n.POINTER(n.c_int), n.c_void_p,
                 n.c_char_p)
_record = n.bind("crmkit_interaction_record_json", n.c_int, n.POINTER(n.c_int64), n.c_void_p, n.c_char_p)


def customer(db, ext):
    cid = n.c_int64()
    n.check(_upsert(n.byref(cid), None, db.handle, json.dumps({"external_id": ext, "created_at": 0}).encode()))
    return cid.value


def purchase(db, cid, at, minor, ext, **attrs):
    iid = n.c_int64()
    rec = {"customer_id": cid, "occurred_at": at, "kind": "purchase", "channel": "web", "external_id": ext,
           "amount": {"minor": minor, "currency": "USD"}}
    rec.update(attrs)
    n.check(_record(n.byref(iid), db.handle, json.dumps(rec).encode()))
    return iid.value


class PointsTest(unittest.TestCase):
    def setUp(self):
        self.db = test_database()
        self.pid = self.db.points.create_programme({
            "name": "club", "currency": "USD", "created_at": T0, "expiry_days": 30, "pending_days": 1,
            "consumption": "fefo", "value_per_1000_points": 10000,
            "tiers": [{"name": "member", "threshold": 0}, {"name": "gold", "threshold": 100, "permille": 2000}]})
        self.alice = customer(self.db, "alice")
        self.db.points.enroll(self.pid, self.alice, T0)

    def tearDown(self):
        self.db.close()

    def test_flow(self):
        p = self.db.points
        self.assertEqual(p.find_programme("club"), self.pid)
        self.assertEqual(p.programme(self.pid)["consumption"], "fefo")
        self.assertEqual(len(p.programmes()), 1)
        order = purchase(self.db, self.alice, T0 + DAY, 12050, "o1")  # 120.50 USD -> 120 points, gold
        b = p.balance(self.pid, self.alice, T0 + DAY)
        self.assertEqual((b["available"], b["pending"], b["tier"]), (0, 120, "gold"))
        self.assertEqual(p.earn(self.pid, order), (120, True))
        b = p.balance(self.pid, self.alice, T0 + 2 * DAY)
        self.assertEqual(b["available"], 120)
        self.assertEqual(p.redeem(self.pid, self.alice, 20, "r1", T0 + 2 * DAY), (-20, False))
        self.assertEqual(p.redeem(self.pid, self.alice, 20, "r1", T0 + 3 * DAY), (-20, True))
        with self.assertRaises(crmkit.Conflict):
            p.redeem(self.pid, self.alice, 21, "r1", T0 + 2 * DAY)
        with self.assertRaises(crmkit.Conflict):
            p.redeem(self.pid, self.alice, 1000, "r2", T0 + 2 * DAY)
        self.assertEqual(p.reverse_redemption(self.pid, "r1", "back", T0 + 2 * DAY).points, 20)
        self.assertEqual(p.adjust(self.pid, self.alice, 10, "welcome", "w", T0 + 2 * DAY).points, 10)
        self.assertEqual(p.reverse_purchase(self.pid, order, 6025, "half", T0 + 3 * DAY).points, -60)
        liability = p.liability(self.pid, T0 + 3 * DAY)
        self.assertEqual(liability["outstanding"], 70)
        self.assertEqual(liability["value_minor"], 700)  # 70 points * 10000 / 1000
        kinds = [e["kind"] for e in p.ledger(self.pid, self.alice, page_size=2)]
        self.assertEqual(kinds, ["earn", "redeem", "reverse_redeem", "adjust", "reverse_earn"])
        # Everything expires 30 days after becoming effective.
        self.assertEqual(p.expire(self.pid, T0 + 40 * DAY).points, -70)
        self.assertTrue(p.expire(self.pid, T0 + 40 * DAY).replayed)
        self.assertEqual(p.tier_mix(self.pid)[0], {"tier": "gold", "members": 1})
        self.assertEqual(p.review_tiers(self.pid, T0 + 500 * DAY)["downgraded"], 1)
        self.assertEqual([h["reason"] for h in p.tier_history(self.pid, self.alice)],
                         ["enrol", "upgrade", "review"])
        p.check(self.pid)

    def test_errors(self):
        p = self.db.points
        with self.assertRaises(crmkit.InvalidArgument):
            p.create_programme({"name": "x", "currency": "usd", "created_at": 0})
        with self.assertRaises(crmkit.Conflict):
            p.create_programme({"name": "club", "currency": "USD", "created_at": 0})
        with self.assertRaises(crmkit.NotFound):
            p.find_programme("nope")
        with self.assertRaises(crmkit.InvalidArgument):
            p.redeem(self.pid, self.alice, 0, "r", T0)
        with self.assertRaises(crmkit.InvalidArgument):
            p.adjust(self.pid, self.alice, 5, "", "a", T0)
        with self.assertRaises(crmkit.NotFound):
            p.balance(self.pid, 999, T0)
        with self.assertRaises(TypeError):
            p.redeem(self.pid, self.alice, "5", "r", T0)
        self.assertEqual(list(p.ledger(self.pid)), [])


if __name__ == "__main__":
    unittest.main()
