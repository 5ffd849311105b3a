import datetime
import os
import unittest

import crmkit
import seeded_store
from crmkit import segments

EPOCH = datetime.datetime(1970, 1, 1, tzinfo=datetime.timezone.utc)

DAY = 86400000
# 2024-02-29 00:00 UTC and 2024-08-31 00:00 UTC (the instant of the date 2024-08-30).
FEB29 = 1709164800000
AUG31 = 1725062400000


class SegmentsTest(seeded_store.SeededStoreTest):
    file_name = "s.db"

    def seed(self, con):
        con.executescript("""
            INSERT INTO customers(id, created_at, updated_at, gender, birth_date, city) VALUES
              (1, 0, 0, 'F', '1990-06-16', 'Berlin'),
              (2, 0, 0, 'F', '1990-06-15', 'Paris'),
              (3, 0, 0, 'M', NULL, NULL);
            INSERT INTO interactions(customer_id, occurred_at, channel, kind, amount, currency) VALUES
              (1, %d, 'web', 'purchase', 1250, 'USD'),
              (2, %d, 'web', 'purchase', 999, 'USD');
        """ % (FEB29, FEB29 - 1))

    def test_count_json_and_text_rules(self):
        s = self.db.segments
        # Born 1990-06-16: 33 on 2024-06-15 (docs/METRICS.md section 2); born 1990-06-15: 34.
        self.assertEqual(s.count({"field": "age", "op": "eq", "value": 33}, "2024-06-15"), 1)
        self.assertEqual(s.count("age = 34", "2024-06-15"), 1)
        # 6 months before 2024-08-31 00:00 is 2024-02-29 00:00 (clamped): customer 1 only.
        self.assertEqual(s.count('count(purchase, last 6 months) >= 1', "2024-08-30"), 1)
        self.assertEqual(s.count('count(purchase, last 6 months) >= 1', AUG31), 1)
        self.assertEqual(s.count('gender = "F" and sum(amount, purchase) > 12.49', "2024-12-31"), 1)
        # Missing city: `ne` matches by default, not with strict_nulls.
        self.assertEqual(s.count('city != "Berlin"', 0), 2)
        self.assertEqual(s.count('city != "Berlin"', 0, strict_nulls=True), 1)

    def test_text_round_trip_and_explain(self):
        text = 'gender = "F" and age between 30 and 39 and count(purchase, last 6 months) >= 3'
        rule = segments.from_text(text)
        self.assertEqual(rule["all"][1], {"field": "age", "op": "between", "value": [30, 39]})
        self.assertEqual(segments.to_text(rule), text)
        e = self.db.segments.explain(rule, "2024-08-30")
        self.assertTrue(e["sql"].startswith("SELECT c.id FROM customers c"))
        self.assertNotIn("purchase", e["sql"])
        self.assertIn(FEB29, e["params"])
        self.assertEqual(e["rule"], rule)

    def test_errors(self):
        s = self.db.segments
        with self.assertRaises(crmkit.InvalidArgument) as cm:
            s.count({"all": [{"field": "age", "op": "is_set"}, {"field": "age", "op": "eq", "value": "x"}]}, 0)
        self.assertTrue(str(cm.exception).startswith("rule.all[1].value: expected a number"))
        with self.assertRaises(crmkit.InvalidArgument):
            s.count('city = "x"; DROP TABLE customers', 0)
        with self.assertRaises(crmkit.NotFound):
            s.count({"segment": "nope", "op": "in"}, 0)
        self.assertEqual(s.count({"field": "city", "op": "eq", "value": "'; DROP TABLE customers; --"}, 0), 0)
        self.assertEqual(s.count("city is set", 0), 2)

    def test_saved_segments_refresh_and_history(self):
        s = self.db.segments
        self.assertEqual(s.create("women", 'gender = "F"'), 1)
        self.assertEqual(s.refresh("women", 1000), (2, 0))
        self.assertEqual([m.customer_id for m in s.members("women")], [1, 2])
        self.assertEqual(s.update("women", 'gender = "F" and city = "Berlin"'), 2)
        self.assertEqual(s.refresh("women", 2000), (0, 1))
        hist = s.history("women", 1500, 2500)
        self.assertEqual(len(hist), 1)
        self.assertEqual((hist[0].customer_id, hist[0].entered_at, hist[0].left_at, hist[0].rule_version),
                         (2, EPOCH + datetime.timedelta(seconds=1), EPOCH + datetime.timedelta(seconds=2), 1))
        with self.assertRaises(crmkit.InvalidArgument):
            s.refresh("women", 1999)
        self.assertEqual([v["version"] for v in s.versions("women")], [1, 2])
        s.create("club", kind="static")
        self.assertTrue(s.add("club", 3, 5000))
        self.assertFalse(s.add("club", 3, 5001))
        with self.assertRaises(crmkit.NotFound):
            s.add("club", 99, 5000)
        self.assertEqual([m.segment for m in s.of_customer(1)], ["women"])
        self.assertEqual(s.of_customer(3)[0].rule_version, None)
        s.create("berlin_club", {"any": [{"segment": "club", "op": "in"}, {"segment": "women", "op": "in"}]})
        with self.assertRaises(crmkit.Conflict):
            s.update("women", {"segment": "berlin_club", "op": "in"})
        with self.assertRaises(crmkit.Conflict):
            s.delete("club")
        self.assertEqual(s.get("women")["rule_version"], 2)
        self.assertEqual([x["name"] for x in s.list()], ["berlin_club", "club", "women"])
        s.delete("berlin_club")
        s.delete("club")
        with self.assertRaises(crmkit.NotFound):
            s.get("club")

    def test_cli(self):
        cli = os.environ.get("CRMKIT_CLI")
        if not cli or not os.path.exists(cli):
            self.skipTest("skipped: CRMKIT_CLI is not set to the crmkit command")
        import json as _json
        import subprocess
        self.db.close()

        def run(*args):
            return subprocess.run([cli, "segment"] + list(args), capture_output=True, text=True)

        r = run("count", "--db", self.path, "--rule", "count(purchase, last 6 months) >= 1",
                "--as-of", "2024-08-30")
        self.assertEqual((r.returncode, r.stdout), (0, "1\n"), r.stderr)
        rule_file = os.path.join(self.tmp.name, "rule.json")
        with open(rule_file, "w") as f:
            f.write('{"field": "age", "op": "eq", "value": 33}')
        r = run("count", "--db", self.path, "--rule", "@" + rule_file, "--as-of", "2024-06-15", "--json")
        self.assertEqual(_json.loads(r.stdout), {"count": 1}, r.stderr)
        r = run("count", "--db", self.path, "--rule", '{"field": "age", "op": "eq", "value": "x"}',
                "--as-of", "2024-06-15")
        self.assertNotEqual(r.returncode, 0)
        self.assertIn("rule.value: expected a number", r.stderr)
        self.assertEqual(run("create", "women", "--db", self.path, "--rule", 'gender = "F"').returncode, 0)
        r = run("refresh", "women", "--db", self.path, "--as-of", "2024-01-01", "--json")
        self.assertEqual(_json.loads(r.stdout)["entered"], 2, r.stderr)
        r = run("members", "women", "--db", self.path, "--json")
        self.assertEqual([m["customer_id"] for m in _json.loads(r.stdout)], [1, 2])
        r = run("history", "women", "--db", self.path, "--from", "2024-01-01", "--to", "2024-01-01", "--json")
        self.assertEqual(len(_json.loads(r.stdout)), 2, r.stderr)
        r = run("explain", "--db", self.path, "--rule", 'city = "x\'; DROP TABLE customers"', "--as-of", "2024-01-01")
        e = _json.loads(r.stdout)
        self.assertNotIn("DROP", e["sql"])
        self.assertEqual(e["params"], ["x'; DROP TABLE customers"])
        r = run("list", "--db", self.path, "--json")
        self.assertEqual([x["name"] for x in _json.loads(r.stdout)], ["women"])


if __name__ == "__main__":
    unittest.main()
