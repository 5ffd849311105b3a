"""Hostile input through the Python binding, table-driven.

Each case names the exception class (hence the exact status) it must raise; after it the
store must hold exactly what it held before (a digest of every table, read through Python's
own sqlite3 module or, on the PostgreSQL variant, psql: backend.py) and no transaction may be
left open. Areas without Python
wrappers yet are reached through ctypes declarations of their C functions, the way the
wrappers will call them.
"""
import ctypes
import os
import tempfile
import unittest

import crmkit
from backend import store_digest, store_target
from crmkit import _native as n
from crmkit import analysis

_upsert_json = n.bind("crmkit_customer_upsert_json", n.c_int, n.POINTER(n.c_int64), n.POINTER(n.c_int),
                      n.c_void_p, n.c_char_p)
_record_json = n.bind("crmkit_interaction_record_json", n.c_int, n.POINTER(n.c_int64), n.c_void_p,
                      n.c_char_p)
_get_json = n.bind("crmkit_customer_get_json", n.c_int, n.POINTER(n.c_void_p), n.c_void_p,
                   n.c_int64)
_find_id = n.bind("crmkit_customer_find_id", n.c_int, n.POINTER(n.c_int64), n.c_void_p, n.c_char_p)
_delete = n.bind("crmkit_customer_delete", n.c_int, n.c_void_p, n.c_int64)
_commit = n.bind("crmkit_db_commit", n.c_int, n.c_void_p)
_rollback = n.bind("crmkit_db_rollback", n.c_int, n.c_void_p)
_begin = n.bind("crmkit_db_begin", n.c_int, n.c_void_p)

INT64_MAX = (1 << 63) - 1
SQL = "x'); DROP TABLE customers; --"


def upsert(db, text):
    i, created = n.c_int64(), n.c_int()
    n.check(_upsert_json(ctypes.byref(i), ctypes.byref(created), db.handle, n.text(text, "json")))
    return i.value


def record(db, text):
    i = n.c_int64()
    n.check(_record_json(ctypes.byref(i), db.handle, n.text(text, "json")))
    return i.value


def get_customer(db, cid):
    out = n.c_void_p()
    n.check(_get_json(ctypes.byref(out), db.handle, n.int64(cid, "id")))
    return n.take_string(out)


def find_id(db, ext):
    i = n.c_int64()
    n.check(_find_id(ctypes.byref(i), db.handle, n.text(ext, "external_id")))
    return i.value


def nested(depth):
    return '{"a":' * (depth - 1) + "{}" + "}" * (depth - 1)


def purchase(cid, minor, currency="USD", ext=None, kind="purchase", channel="web"):
    ext_part = ', "external_id": "%s"' % ext if ext else ""
    return ('{"customer_id": %d, "occurred_at": 1700000000000, "kind": "%s", "channel": "%s",'
            ' "amount": {"minor": %s, "currency": "%s"}%s}' % (cid, kind, channel, minor, currency, ext_part))


class Ctx:
    pass


def cases(ctx):
    db, cid = ctx.db, ctx.customer
    text_file = os.path.join(ctx.dir, "text.db")
    with open(text_file, "w") as f:
        f.write("z" * 5000)
    return [
        # settings: formats, encodings, SQL, NUL, sizes
        ("currency lower case", crmkit.InvalidArgument, lambda: db.set_default_currency("usd")),
        ("currency euro sign", crmkit.InvalidArgument, lambda: db.set_default_currency("\u20acUR")),
        ("currency SQL", crmkit.InvalidArgument, lambda: db.set_default_currency(SQL)),
        ("currency lone surrogate", crmkit.InvalidArgument, lambda: db.set_default_currency("\ud800")),
        ("currency invalid UTF-8 bytes", crmkit.InvalidArgument, lambda: db.set_default_currency(b"\xff\xfe")),
        ("currency with NUL", crmkit.InvalidArgument, lambda: db.set_default_currency("US\x00D")),
        ("currency 2000 chars", crmkit.InvalidArgument, lambda: db.set_default_currency("X" * 2000)),
        ("currency not a str", TypeError, lambda: db.set_default_currency(840)),
        ("region lower case", crmkit.InvalidArgument, lambda: db.set_default_region("it")),
        ("region unknown", crmkit.InvalidArgument, lambda: db.set_default_region("XX")),
        ("region as a calling code", crmkit.InvalidArgument, lambda: db.set_default_region("39")),
        ("region SQL", crmkit.InvalidArgument, lambda: db.set_default_region("I'T")),
        ("region with NUL", crmkit.InvalidArgument, lambda: db.set_default_region("I\x00T")),
        ("region not a str", TypeError, lambda: db.set_default_region(39)),
        # opening
        ("busy timeout -1", crmkit.InvalidArgument, lambda: crmkit.Database(busy_timeout_ms=-1)),
        ("busy timeout 2**40 (ctypes would truncate)", crmkit.InvalidArgument,
         lambda: crmkit.Database(busy_timeout_ms=2 ** 40)),
        ("file mode 0o10000", crmkit.InvalidArgument, lambda: crmkit.Database(file_mode=0o10000)),
        ("cache 0 MiB", crmkit.InvalidArgument, lambda: crmkit.Database(cache_mib=0)),
        ("cache 2**40 MiB (ctypes would truncate)", crmkit.InvalidArgument,
         lambda: crmkit.Database(cache_mib=2 ** 40)),
        ("write cache -1 MiB", crmkit.InvalidArgument, lambda: crmkit.Database(write_cache_mib=-1)),
        ("path with a lone surrogate", crmkit.InvalidArgument, lambda: crmkit.Database("/tmp/\udcff.db")),
        ("path with NUL", crmkit.InvalidArgument, lambda: crmkit.Database(ctx.path + "\x00x")),
        ("path is a directory", crmkit.IOFailure, lambda: crmkit.Database(ctx.dir)),
        ("path is a text file", crmkit.Corrupt, lambda: crmkit.Database(text_file)),
        # customers as JSON
        ("customer JSON '{'", crmkit.InvalidArgument, lambda: upsert(db, "{")),
        ("customer JSON array", crmkit.InvalidArgument, lambda: upsert(db, "[]")),
        ("customer JSON 100000 deep", crmkit.InvalidArgument, lambda: upsert(db, nested(100000))),
        ("customer attributes 33 deep", crmkit.InvalidArgument,
         lambda: upsert(db, '{"external_id": "d", "created_at": 1, "attributes": %s}' % nested(33))),
        ("customer attributes 1 MB + 1", crmkit.InvalidArgument,
         lambda: upsert(db, '{"external_id": "d", "created_at": 1, "attributes": {"a": "%s"}}' % ("x" * 1000000))),
        ("customer JSON invalid UTF-8", crmkit.InvalidArgument,
         lambda: upsert(db, b'{"external_id": "\xc3\x28", "created_at": 1}')),
        ("created_at 1e400", crmkit.InvalidArgument, lambda: upsert(db, '{"external_id": "d", "created_at": 1e400}')),
        ("created_at NaN", crmkit.InvalidArgument, lambda: upsert(db, '{"external_id": "d", "created_at": NaN}')),
        ("created_at 2**63", crmkit.InvalidArgument,
         lambda: upsert(db, '{"external_id": "d", "created_at": 9223372036854775808}')),
        ("email SQL", crmkit.InvalidArgument,
         lambda: upsert(db, '{"external_id": "d", "created_at": 1, "email": "%s"}' % SQL)),
        ("display name 1001 bytes", crmkit.InvalidArgument,
         lambda: upsert(db, '{"external_id": "d", "created_at": 1, "display_name": "%s"}' % ("a" * 1001))),
        ("lifecycle stage zombie", crmkit.InvalidArgument,
         lambda: upsert(db, '{"external_id": "d", "created_at": 1, "lifecycle_stage": "zombie"}')),
        # interactions as JSON
        ("interaction for unknown customer", crmkit.NotFound, lambda: record(db, purchase(999999, 1))),
        ("kind ' PURCHASE' (only case is forgiven)", crmkit.InvalidArgument,
         lambda: record(db, purchase(cid, 1, kind=" PURCHASE"))),
        ("currency 'usd ' (only case is forgiven)", crmkit.InvalidArgument,
         lambda: record(db, purchase(cid, 1, currency="usd "))),
        ("channel SQL", crmkit.InvalidArgument, lambda: record(db, purchase(cid, 1, channel="web'--"))),
        ("negative purchase", crmkit.InvalidArgument, lambda: record(db, purchase(cid, -1))),
        ("purchase total would pass INT64_MAX", crmkit.InvalidArgument,
         lambda: record(db, purchase(cid, INT64_MAX // 2 + 1))),
        ("amount -Infinity", crmkit.InvalidArgument, lambda: record(db, purchase(cid, "-Infinity"))),
        ("amount 1.5 minor units", crmkit.InvalidArgument, lambda: record(db, purchase(cid, "1.5"))),
        ("same external id, other content", crmkit.Conflict, lambda: record(db, purchase(cid, 5, ext="big"))),
        # ids
        ("unknown customer id", crmkit.NotFound, lambda: get_customer(db, 999999)),
        ("customer id 2**64+1 (ctypes would truncate to 1)", crmkit.InvalidArgument,
         lambda: get_customer(db, 2 ** 64 + 1)),
        ("customer id as str", TypeError, lambda: get_customer(db, "1")),
        ("external id SQL lookup", crmkit.NotFound, lambda: find_id(db, "x' OR '1'='1")),
        ("delete a customer with interactions", crmkit.Conflict, lambda: n.check(_delete(db.handle, cid))),
        # the plain-data CLV layer (crmkit.analysis: no database, the digest shows nothing moved)
        ("summary amount NaN", crmkit.InvalidArgument, lambda: analysis.summarise([(1, 0, float("nan"))])),
        ("summary amount -inf", crmkit.InvalidArgument, lambda: analysis.summarise([(1, 0, float("-inf"))])),
        ("summary amount -0.01", crmkit.InvalidArgument, lambda: analysis.summarise([(1, 0, -0.01)])),
        ("summary instant 2**63 (ctypes would truncate)", crmkit.InvalidArgument,
         lambda: analysis.summarise([(1, 2 ** 63)])),
        ("summary instant year 10000", crmkit.InvalidArgument, lambda: analysis.summarise([(1, 253402300800000)])),
        ("summary customer id 2**64+1", crmkit.InvalidArgument, lambda: analysis.summarise([(2 ** 64 + 1, 0)])),
        ("summary period SQL", crmkit.InvalidArgument, lambda: analysis.summarise([(1, 0)], period=SQL)),
        ("summary period with NUL", crmkit.InvalidArgument, lambda: analysis.summarise([(1, 0)], period="day\x00")),
        ("summary observation end before the first purchase", crmkit.InvalidArgument,
         lambda: analysis.summarise([(1, 86400000)], observation_end=0)),
        ("fit penalizer NaN", crmkit.InvalidArgument,
         lambda: analysis.fit("bg_nbd", ([1, 0], [1, 0], [2, 2]), penalizer_coef=float("nan"))),
        ("fit max_iterations 2**40", crmkit.InvalidArgument,
         lambda: analysis.fit("bg_nbd", ([1, 0], [1, 0], [2, 2]), max_iterations=2 ** 40)),
        ("pareto pmf n 2**64+1 (ctypes would truncate to 1)", crmkit.InvalidArgument,
         lambda: analysis.probability_of_purchases(_given("pareto_nbd", r=0.55, alpha=10.58, s=0.61, beta=11.67),
                                                   39, 2 ** 64 + 1)),
        ("pareto pmf NaN horizon", crmkit.InvalidArgument,
         lambda: analysis.probability_of_purchases(_given("pareto_nbd", r=0.55, alpha=10.58, s=0.61, beta=11.67),
                                                   float("nan"), 1)),
        ("conditional pmf negative n", crmkit.InvalidArgument,
         lambda: analysis.conditional_probability_of_purchases(
             _given("pareto_nbd", r=0.55, alpha=10.58, s=0.61, beta=11.67), 39, -1, [1], [1], [2])),
        ("conditional pmf NaN parameter", crmkit.InvalidArgument,
         lambda: analysis.conditional_probability_of_purchases(
             _given("bg_nbd", r=0.24, alpha=float("nan"), a=0.79, b=2.4), 39, 1, [1], [1], [2])),
        ("conditional pmf unknown model", crmkit.InvalidArgument,
         lambda: analysis.conditional_probability_of_purchases(_given("sbg", alpha=0.7, beta=1.2), 39, 1, [1], [1],
                                                               [2])),
        ("bg_bb p_alive m_ahead 2**64", crmkit.InvalidArgument,
         lambda: analysis.p_alive(_given("bg_bb", alpha=1.2, beta=0.75, gamma=0.66, delta=2.8), [1], [1], [2],
                                  m_ahead=2 ** 64)),
        ("bg_bb pmf opportunities 2**63", crmkit.InvalidArgument,
         lambda: analysis.probability_of_purchases(_given("bg_bb", alpha=1.2, beta=0.75, gamma=0.66, delta=2.8),
                                                   2 ** 63, 1)),
        ("bg_bb expected transactions -inf", crmkit.InvalidArgument,
         lambda: analysis.expected_purchases(_given("bg_bb", alpha=1.2, beta=0.75, gamma=0.66, delta=2.8),
                                             float("-inf"))),
        ("sbg survival t -1", crmkit.InvalidArgument,
         lambda: analysis.survival(_given("sbg", alpha=0.7, beta=1.2), -1)),
        ("sbg retention t 2**31", crmkit.InvalidArgument,
         lambda: analysis.retention_rate(_given("sbg", alpha=0.7, beta=1.2), 2 ** 31)),
        ("sbg survival negative beta", crmkit.InvalidArgument,
         lambda: analysis.survival(_given("sbg", alpha=0.7, beta=-1.2), 1)),
        # misuse
        ("commit without begin", crmkit.Misuse, lambda: n.check(_commit(db.handle))),
        ("rollback without begin", crmkit.Misuse, lambda: n.check(_rollback(db.handle))),
        ("write through a read-only handle", crmkit.ReadOnly, lambda: ctx.read_only.set_default_currency("EUR")),
        ("use after close", crmkit.Misuse, lambda: ctx.closed.set_default_currency("EUR")),
        # rfm on plain data (crmkit.rfm): no database involved, the store stays as it was
        ("rfm revenue NaN", crmkit.InvalidArgument,
         lambda: crmkit.rfm.table_orders([(1, "2024-01-01", float("nan"))], "2024-01-31")),
        ("rfm revenue as text", TypeError, lambda: crmkit.rfm.table_orders([(1, "2024-01-01", "5")], "2024-01-31")),
        ("rfm negative orders", crmkit.InvalidArgument, lambda: crmkit.rfm.table_customers([(1, -1, 0, 1.0)])),
        ("rfm orders 2**64 (ctypes would truncate)", crmkit.InvalidArgument,
         lambda: crmkit.rfm.table_customers([(1, 2 ** 64, 0, 1.0)])),
        ("rfm unsorted cut points", crmkit.InvalidArgument,
         lambda: crmkit.rfm.table_customers([(1, 1, 0, 1.0)], recency_bins=[3, 2], frequency_bins=[1],
                                            monetary_bins=[1])),
        ("rfm segment bounds shorter than names", crmkit.InvalidArgument,
         lambda: crmkit.rfm.segment([], ["A", "B"], recency_lower=[1])),
        ("rfm segment name with NUL", crmkit.InvalidArgument,
         lambda: crmkit.rfm.segment([], ["A\x00B"])),
        # issue #16: consent and suppression
        ("consent unregistered purpose", crmkit.InvalidArgument,
         lambda: ctx.db.consent.record(ctx.customer, "email", "newsletter", "grant", 0, "x")),
        ("consent channel SQL", crmkit.InvalidArgument,
         lambda: ctx.db.consent.record(ctx.customer, SQL, "marketing", "grant", 0, "x")),
        ("consent user agent with an escape", crmkit.InvalidArgument,
         lambda: ctx.db.consent.record(ctx.customer, "email", "marketing", "grant", 0, "x", user_agent="a\x1b[2J")),
        ("consent confirm with nothing pending", crmkit.Conflict,
         lambda: ctx.db.consent.record(ctx.customer, "email", "marketing", "confirm", 0, "x")),
        ("consent missing customer", crmkit.NotFound,
         lambda: ctx.db.consent.record(INT64_MAX, "email", "marketing", "grant", 0, "x")),
        ("consent state on all", crmkit.InvalidArgument,
         lambda: ctx.db.consent.state(ctx.customer, "all", "marketing", 0)),
        ("consent purpose SQL", crmkit.InvalidArgument, lambda: ctx.db.consent.add_purpose(SQL, 0)),
        ("consent TTL 0", crmkit.InvalidArgument, lambda: ctx.db.consent.set_double_opt_in_ttl(0)),
        ("suppress an address", crmkit.InvalidArgument,
         lambda: ctx.db.suppressions.suppress("address", "1 Main St", "manual", 0)),
        ("suppress SQL as an email", crmkit.InvalidArgument,
         lambda: ctx.db.suppressions.suppress("email", SQL, "manual", 0)),
        ("suppress for spite", crmkit.InvalidArgument,
         lambda: ctx.db.suppressions.suppress("email", "a@b.co", "spite", 0)),
        ("unsuppress what is not suppressed", crmkit.NotFound,
         lambda: ctx.db.suppressions.unsuppress("email", "a@b.co")),
        # the subject export's CSV bundle: reads the store, and a refused directory stays as it was
        ("subject CSV into a directory in use", crmkit.Conflict,
         lambda: ctx.db.subject_export_csv(ctx.customer, os.path.dirname(os.path.abspath(__file__)))),
        ("subject CSV with a NUL in the directory", crmkit.InvalidArgument,
         lambda: ctx.db.subject_export_csv(ctx.customer, "sar\x00x")),
        ("subject CSV of a missing customer", crmkit.NotFound,
         lambda: ctx.db.subject_export_csv(INT64_MAX, os.path.join(ctx.dir, "sar"))),
        ("import preview of one record, not a list", TypeError,
         lambda: ctx.db.duplicates.preview_import({"email": "a@b.co"})),
        ("import preview with created_at 2**64", crmkit.InvalidArgument,
         lambda: ctx.db.duplicates.preview_import([{"email": "a@b.co", "created_at": 2 ** 64}])),
        ("import preview with a currency and no cost", crmkit.InvalidArgument,
         lambda: ctx.db.duplicates.preview_import([{"acquisition_currency": "EUR"}])),
        ("subject CSV under a missing parent", crmkit.IOFailure,
         lambda: ctx.db.subject_export_csv(ctx.customer, os.path.join(ctx.dir, "no", "such"))),
    ]


def _given(model, **params):
    """A Fit holding the given parameters, as crmkit.analysis.fit returns one."""
    return analysis.Fit(model=model, params=params, standard_errors=None, log_likelihood=0.0, aic=0.0, bic=0.0,
                        parameters=len(params), observations=0.0, customers=0, penalizer_coef=0.0, converged=True,
                        reason="given", iterations=0, summary="")


class HostileInput(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.TemporaryDirectory()
        ctx = Ctx()
        ctx.dir = self.tmp.name
        ctx.path = os.path.join(ctx.dir, "hostile.db")  # a file name for the opening cases
        ctx.target, ctx.options = store_target(ctx.dir, "hostile.db")
        ctx.db = crmkit.Database(ctx.target, **ctx.options)
        ctx.customer = upsert(ctx.db, '{"external_id": "anchor", "created_at": 1700000000000}')
        record(ctx.db, purchase(ctx.customer, INT64_MAX // 2 + 1, ext="big"))
        ctx.read_only = crmkit.Database(ctx.target, read_only=True, **ctx.options)
        ctx.closed = crmkit.Database(ctx.target, **ctx.options)
        ctx.closed.close()
        self.ctx = ctx

    def tearDown(self):
        self.ctx.read_only.close()
        self.ctx.db.close()
        self.tmp.cleanup()

    def test_table(self):
        ctx = self.ctx
        table = cases(ctx)
        self.assertGreaterEqual(len(table), 40)
        for name, expected, run in table:
            with self.subTest(case=name):
                before = store_digest(ctx.target, ctx.options)
                with self.assertRaises(expected) as caught:
                    run()
                if issubclass(expected, crmkit.Error):
                    self.assertIs(type(caught.exception), expected)
                    self.assertTrue(str(caught.exception))
                self.assertEqual(store_digest(ctx.target, ctx.options), before)
                n.check(_begin(ctx.db.handle))  # no transaction was left open
                n.check(_rollback(ctx.db.handle))

    def test_sql_text_is_stored_verbatim(self):
        db = self.ctx.db
        cid = upsert(db, '{"external_id": "%s", "created_at": 1, "display_name": "%s", "city": "%s"}'
                     % (SQL, SQL, SQL))
        self.assertEqual(find_id(db, SQL), cid)
        self.assertIn("DROP TABLE customers", get_customer(db, cid))
        self.assertIn("customers", store_digest(self.ctx.target, self.ctx.options))


if __name__ == "__main__":
    unittest.main()
