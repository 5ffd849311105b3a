import datetime
import unittest

import crmkit
from backend import test_database

UTC = datetime.timezone.utc
T0 = datetime.datetime(2025, 1, 15, tzinfo=UTC)
DAY = datetime.timedelta(days=1)


class ConsentTest(unittest.TestCase):
    def setUp(self):
        self.db = test_database()
        self.cid = self.db.customers.create(external_id="c1", email="ana@example.com", created_at=T0)

    def tearDown(self):
        self.db.close()

    def test_double_opt_in_with_evidence_and_the_deciding_event(self):
        consent = self.db.consent
        point = self.db.contacts.list(self.cid)[0].id
        asked = consent.record(self.cid, "email", "marketing", "request_double_opt_in", T0, "signup-form",
                               contact_point_id=point, form="footer", text_version="v3", ip="203.0.113.9",
                               user_agent="Mozilla/5.0")
        pending = consent.state(self.cid, "email", "marketing", T0 + DAY)
        self.assertEqual((pending.state, pending.deciding.id, pending.until), ("pending", asked, T0 + 7 * DAY))
        self.assertEqual(pending.deciding.evidence["text_version"], "v3")
        self.assertEqual(consent.state(self.cid, "email", "marketing", T0 + 7 * DAY).state, "expired")
        confirmed = consent.record(self.cid, "email", "marketing", "confirm", T0 + DAY, "confirm-link")
        granted = consent.state(self.cid, "email", "marketing", T0 + 30 * DAY)
        self.assertEqual((granted.state, granted.deciding.id), ("granted", confirmed))
        self.assertEqual([e.action for e in consent.events(self.cid)], ["request_double_opt_in", "confirm"])
        self.assertEqual(consent.get(asked).at, T0)

    def test_all_channel_and_withdraw_on_a_tie(self):
        consent = self.db.consent
        consent.record(self.cid, "all", "marketing", "grant", T0, "agent:7", lawful_basis="legitimate_interest")
        consent.record(self.cid, "sms", "marketing", "withdraw", T0 + DAY, "sms-stop")
        states = {(s.channel, s.state) for s in consent.states(self.cid, T0 + DAY)}
        self.assertEqual(states, {("email", "granted"), ("sms", "withdrawn"), ("phone", "granted"),
                                  ("post", "granted"), ("push", "granted")})
        consent.record(self.cid, "email", "marketing", "grant", T0 + 2 * DAY, "x")
        consent.record(self.cid, "email", "marketing", "withdraw", T0 + 2 * DAY, "x")
        self.assertEqual(consent.state(self.cid, "email", "marketing", T0 + 2 * DAY).state, "withdrawn")

    def test_refusals_name_the_problem(self):
        consent = self.db.consent
        with self.assertRaisesRegex(crmkit.InvalidArgument, "purpose 'newsletter' is not registered"):
            consent.record(self.cid, "email", "newsletter", "grant", T0, "x")
        consent.add_purpose("newsletter", T0, description="the weekly letter")
        consent.record(self.cid, "email", "newsletter", "grant", T0, "x")
        self.assertIn("newsletter", [p["name"] for p in consent.purposes()])
        with self.assertRaisesRegex(crmkit.InvalidArgument, "channel 'fax' is not one of"):
            consent.record(self.cid, "fax", "marketing", "grant", T0, "x")
        with self.assertRaisesRegex(crmkit.Conflict, "nothing to confirm"):
            consent.record(self.cid, "email", "marketing", "confirm", T0, "x")
        with self.assertRaisesRegex(crmkit.InvalidArgument, "not 'all'"):
            consent.state(self.cid, "all", "marketing", T0)
        consent.set_double_opt_in_ttl(86400000)
        self.assertEqual(consent.double_opt_in_ttl(), 86400000)

    def test_suppression_blocks_the_address_and_keeps_no_value(self):
        s = self.db.suppressions
        row = s.suppress("email", "Gone@Example.com", "erased", T0)
        self.assertEqual((row.type, row.reason, row.at, len(row.hash)), ("email", "erased", T0, 64))
        self.assertTrue(s.is_suppressed("email", "gone@example.com"))
        self.assertEqual(s.find("email", "gone@example.com"), row)
        self.assertIsNone(s.find("email", "other@example.com"))
        with self.assertRaisesRegex(crmkit.Conflict, r"email is suppressed \(erased 2025-01-15"):
            self.db.customers.create(external_id="c2", email="gone@example.com", created_at=T0)
        with self.assertRaisesRegex(crmkit.Conflict, "email is suppressed"):
            self.db.contacts.add(self.cid, "email", "GONE@example.com", at=T0)
        with self.assertRaisesRegex(crmkit.Conflict, "only a manual suppression is lifted"):
            s.unsuppress("email", "gone@example.com")
        s.suppress("phone", "+44 20 7946 0958", "manual", T0)
        s.unsuppress("phone", "+442079460958")
        self.assertFalse(s.is_suppressed("phone", "+442079460958"))


if __name__ == "__main__":
    unittest.main()
