"""crmkit quickstart (Python binding): open a temporary database, upsert two customers,
record purchases and an email, then print a timeline and the figures of each customer.

Run with PYTHONPATH=bindings/python (and CRMKIT_LIBRARY=path/to/libcrmkit.so if the library
is not in a build*/ directory next to the sources).
"""
import datetime
import decimal
import os
import sys
import tempfile

import crmkit

UTC = datetime.timezone.utc


def main():
    with tempfile.TemporaryDirectory() as tmp:
        with crmkit.Database(os.path.join(tmp, "quickstart.db")) as db:
            jan = datetime.datetime(2025, 1, 15, 10, 0, tzinfo=UTC)
            ada = db.customers.upsert(external_id="crm-1001", given_name="Ada",
                                      family_name="Lovelace", email="Ada@Example.com",
                                      country="GB", created_at=jan)
            grace = db.customers.upsert(external_id="crm-1002", display_name="Grace Hopper",
                                        country="US", created_at=jan)

            purchases = [  # (customer, order id, when, amount in USD)
                (ada, "order-1", datetime.datetime(2025, 1, 20, 12, 30, tzinfo=UTC), "49.90"),
                (ada, "order-2", datetime.datetime(2025, 2, 3, 9, 15, tzinfo=UTC), "15.00"),
                (grace, "order-3", datetime.datetime(2025, 2, 10, 16, 0, tzinfo=UTC), "120.00"),
            ]
            # One transaction for the whole batch; money as Decimal plus a currency code.
            with db.transaction():
                for customer, order, when, amount in purchases:
                    db.interactions.record(customer_id=customer, kind="purchase", channel="web",
                                           occurred_at=when, amount=decimal.Decimal(amount),
                                           currency="USD", external_id=order)
                db.interactions.record(customer_id=ada, kind="email_open", channel="email",
                                       occurred_at=datetime.datetime(2025, 2, 4, 8, 0, tzinfo=UTC),
                                       subject="February newsletter")

            print("Timeline of crm-1001 (newest first):")
            for i in db.interactions.timeline(ada):
                what = "%s %s" % (i.amount, i.currency) if i.amount is not None else (i.subject or "")
                print("  %s  %-5s %-10s %s" % (i.occurred_at.isoformat(), i.channel, i.kind, what))
            for cid in (ada, grace):
                f = db.interactions.figures(cid)
                spent = ", ".join("%s %s spent" % (m["purchase_total"], cur) for cur, m in f["money"].items())
                print("customer %d: %d purchases, %s" % (cid, f["purchase_count"], spent))
            print("email stored as", db.customers.get(ada).email)
            return 0 if db.interactions.figures(ada)["purchase_count"] == 2 else 1


if __name__ == "__main__":
    sys.exit(main())
