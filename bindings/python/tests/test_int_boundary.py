"""Every integer-like parameter of the Python binding at and beyond the range of its C type.

ctypes keeps only the low bits of a Python int, so before the binding checked them
``customers.delete(2**64 + 1)`` deleted customer 1. The sweep below calls every public
function and method of the binding (found by introspection: a new one without an entry in
SWEEP fails ``test_sweep_covers_the_public_api``) with out-of-range values for each of its
integer-like parameters and asserts ``crmkit.InvalidArgument`` naming the value as given, and
a database file that is byte-for-byte unchanged.
"""
import ctypes
import datetime
import decimal
import hashlib
import inspect
import json
import os
import sqlite3
import tempfile
import unittest

import crmkit
from crmkit import _native as n
from crmkit._values import to_ms_end_of_day

from crmkit import (audit, consent, contacts, customers, db, duplicates, interactions, loyalty, merge, points, segments, table,
                    value)

MODULES = (db, customers, contacts, consent, duplicates, merge, audit, interactions, value, segments, loyalty, points, table)

DAY = 86400000
T0 = 1704067200000  # 2024-01-01T00:00:00Z
INT64_MIN, INT64_MAX = -(1 << 63), (1 << 63) - 1
INT32_MIN, INT32_MAX = -(1 << 31), (1 << 31) - 1

# Kinds of integer-like parameters, by the C type the value ends up in.
I64 = "int64"        # ids, times, minor units, points
I32 = "int32"        # limits, page sizes, day counts, periods
DOUBLE = "double"    # scores, horizons, rates: an int must be exactly representable
AMOUNT = "amount"    # int64 minor units, or a Decimal / decimal str in major units (USD)
JSON = "json"        # an int64 carried inside JSON text to the library, which must refuse it


def bad_values(kind, valid):
    """The out-of-range values tried for a parameter whose valid value is ``valid``."""
    wide = [1 << 63, INT64_MIN - 1, (1 << 64) + 1, (1 << 64) + valid]
    if kind == I32:
        return wide + [INT32_MAX + 1, INT32_MIN - 1, (1 << 32) + valid]
    if kind == DOUBLE:
        # An int the double holds exactly (2**63, 2**64) is a value for the library to judge.
        return [v for v in [INT64_MIN - 1, (1 << 64) + 1, (1 << 64) + valid, (1 << 53) + 1, 10 ** 400]
                if not exact_double(v)]
    if kind == AMOUNT:
        return wide + [decimal.Decimal("1e30"), "1e30", decimal.Decimal("92233720368547758.08"),
                       decimal.Decimal("-92233720368547758.09")]
    return wide


def exact_double(v):
    return abs(v) < (1 << 1024) and float(v) == v


def wrapped(v):
    """What ctypes would have passed for v as an int64."""
    return (v + (1 << 63)) % (1 << 64) - (1 << 63)


def param(kind, valid):
    return (kind, valid)


def entry(call, **params):
    """call(ctx, a): the function called with argument dict ``a`` (every parameter valid but
    one); params: name -> (kind, valid value, or the name of a ctx attribute holding it)."""
    return (call, params)


# Public callable -> how to call it and its integer-like parameters (entry(None): it has none).
SWEEP = {
    # db
    "Database": entry(lambda c, a: crmkit.Database(c.path, busy_timeout_ms=a["busy_timeout_ms"],
                                                   file_mode=a["file_mode"], cache_mib=a["cache_mib"],
                                                   write_cache_mib=a["write_cache_mib"]).close(),
                      busy_timeout_ms=param(I32, 5000), file_mode=param(I32, 0o600),
                      cache_mib=param(I32, 64), write_cache_mib=param(I32, 256)),
    "Database.close": entry(None),
    "Database.handle": entry(None),
    "Database.schema_version": entry(None),
    "Database.transaction": entry(None),
    "Database.savepoint": entry(None),
    "Database.default_region": entry(None),
    "Database.set_default_region": entry(None),
    "Database.set_default_currency": entry(None),
    "Database.customers": entry(None),
    "Database.contacts": entry(None),
    "Database.duplicates": entry(None),
    "Database.audit": entry(None),
    "Database.subject_export": entry(lambda c, a: c.db.subject_export(a["customer_id"]), customer_id=param(I64, "customer")),
    "subject_export": entry(lambda c, a: audit.subject_export(c.db, a["customer_id"]), customer_id=param(I64, "customer")),
    "Database.erase": entry(lambda c, a: c.db.erase(a["customer_id"], a["at"]), customer_id=param(I64, "customer"),
                            at=param(I64, T0)),
    "erase": entry(lambda c, a: audit.erase(c.db, a["customer_id"], a["at"]), customer_id=param(I64, "customer"),
                   at=param(I64, T0)),
    # A fresh empty directory per call: a valid call writes the bundle there.
    "Database.subject_export_csv": entry(lambda c, a: c.db.subject_export_csv(
        a["customer_id"], tempfile.mkdtemp(dir=os.path.dirname(c.path))), customer_id=param(I64, "customer")),
    "subject_export_csv": entry(lambda c, a: audit.subject_export_csv(
        c.db, a["customer_id"], tempfile.mkdtemp(dir=os.path.dirname(c.path))), customer_id=param(I64, "customer")),
    "AuditEntry": entry(None),
    "Audit.set_context": entry(None),
    "Audit.start_chain": entry(None),
    "Audit.verify": entry(None),
    "Audit.context": entry(None),
    "Audit.list": entry(lambda c, a: list(c.db.audit.list(entity="customer", entity_id=a["entity_id"], from_=a["from_"],
                                                          to=a["to"])),
                        entity_id=param(I64, "customer"), from_=param(I64, T0), to=param(I64, T0 + DAY)),
    "DuplicateCandidate": entry(None),
    "DuplicateScan": entry(None),
    "Duplicates.rules": entry(None),
    "Duplicates.check_record": entry(None),
    "Duplicates.preview_import": entry(None),
    "Duplicates.scan": entry(None),
    "Duplicates.scan_fellegi_sunter": entry(lambda c, a: c.db.duplicates.scan_fellegi_sunter(a["threshold"]),
                                            threshold=param(DOUBLE, 5)),
    "Duplicates.set_rules": entry(lambda c, a: c.db.duplicates.set_rules(c.db.duplicates.rules(), a["at"]),
                                  at=param(I64, T0)),
    "Duplicates.check": entry(lambda c, a: c.db.duplicates.check(a["customer_id"]), customer_id=param(I64, "customer")),
    "Duplicates.explain": entry(lambda c, a: c.db.duplicates.explain(a["a"], a["b"]),
                                a=param(I64, "customer"), b=param(I64, "spare_customer")),
    "Duplicates.ignore": entry(lambda c, a: c.db.duplicates.ignore(a["a"], a["b"], a["at"]),
                               a=param(I64, "customer"), b=param(I64, "spare_customer"), at=param(I64, T0)),
    "Database.merges": entry(None),
    "MergeRecord": entry(None),
    "Merges.plan": entry(lambda c, a: c.db.merges.plan(a["survivor"], [a["absorbed"]], a["at"]),
                         survivor=param(I64, "customer"), absorbed=param(I64, "spare_customer"), at=param(I64, T0)),
    "Merges.merge": entry(lambda c, a: c.db.merges.merge(a["survivor"], [a["absorbed"]], a["at"]),
                          survivor=param(I64, "customer"), absorbed=param(I64, "spare_customer"), at=param(I64, T0)),
    "Merges.undo": entry(lambda c, a: c.db.merges.undo(a["merge_id"], a["at"]), merge_id=param(I64, 1),
                         at=param(I64, T0 + DAY)),
    "Merges.get": entry(lambda c, a: c.db.merges.get(a["merge_id"]), merge_id=param(I64, 1)),
    "Merges.of_customer": entry(lambda c, a: c.db.merges.of_customer(a["customer_id"]),
                                customer_id=param(I64, "customer")),
    "Database.consent": entry(None),
    "Database.suppressions": entry(None),
    "ConsentEvent": entry(None),
    "ConsentEvent.from_json": entry(None),
    "ConsentStatus": entry(None),
    "ConsentStatus.from_json": entry(None),
    "Suppression": entry(None),
    "Suppression.from_json": entry(None),
    "Consent.record": entry(lambda c, a: c.db.consent.record(a["customer_id"], "email", "marketing", "grant", a["at"],
                                                             "sweep", contact_point_id=a["contact_point_id"],
                                                             expires_at=a["expires_at"]),
                            customer_id=param(I64, "customer"), at=param(I64, T0),
                            contact_point_id=param(I64, "contact"), expires_at=param(I64, T0 + DAY)),
    "Consent.get": entry(lambda c, a: c.db.consent.get(a["event_id"]), event_id=param(I64, "consent_event")),
    "Consent.events": entry(lambda c, a: c.db.consent.events(a["customer_id"]), customer_id=param(I64, "customer")),
    "Consent.state": entry(lambda c, a: c.db.consent.state(a["customer_id"], "email", "marketing", a["as_of"]),
                           customer_id=param(I64, "customer"), as_of=param(I64, T0)),
    "Consent.states": entry(lambda c, a: c.db.consent.states(a["customer_id"], a["as_of"]),
                            customer_id=param(I64, "customer"), as_of=param(I64, T0)),
    "Consent.add_purpose": entry(lambda c, a: c.db.consent.add_purpose("sweep", a["at"]), at=param(I64, T0)),
    "Consent.purposes": entry(None),
    "Consent.double_opt_in_ttl": entry(None),
    "Consent.set_double_opt_in_ttl": entry(lambda c, a: c.db.consent.set_double_opt_in_ttl(a["ms"]),
                                           ms=param(I64, DAY)),
    "Suppressions.suppress": entry(lambda c, a: c.db.suppressions.suppress("email", "s@example.com", "manual",
                                                                           a["at"]), at=param(I64, T0)),
    "Suppressions.find": entry(None),
    "Suppressions.is_suppressed": entry(None),
    "Suppressions.unsuppress": entry(None),
    "ContactPoint": entry(None),
    "ContactPoint.from_json": entry(None),
    "Contacts.add": entry(lambda c, a: c.db.contacts.add(a["customer_id"], "url", "example.com", a["at"]),
                          customer_id=param(I64, "spare_customer"), at=param(I64, T0)),
    "Contacts.get": entry(lambda c, a: c.db.contacts.get(a["contact_id"]), contact_id=param(I64, "contact")),
    "Contacts.list": entry(lambda c, a: c.db.contacts.list(a["customer_id"]), customer_id=param(I64, "customer")),
    "Contacts.find": entry(None),
    "Contacts.set_primary": entry(lambda c, a: c.db.contacts.set_primary(a["contact_id"], a["at"]),
                                  contact_id=param(I64, "contact"), at=param(I64, T0)),
    "Contacts.set_label": entry(lambda c, a: c.db.contacts.set_label(a["contact_id"], "work", a["at"]),
                                contact_id=param(I64, "contact"), at=param(I64, T0)),
    "Contacts.mark_verified": entry(lambda c, a: c.db.contacts.mark_verified(a["contact_id"], a["at"]),
                                    contact_id=param(I64, "contact"), at=param(I64, T0)),
    "Contacts.record_bounce": entry(lambda c, a: c.db.contacts.record_bounce(a["contact_id"], a["at"]),
                                    contact_id=param(I64, "contact"), at=param(I64, T0)),
    "Contacts.delete": entry(lambda c, a: c.db.contacts.delete(a["contact_id"], a["at"]),
                             contact_id=param(I64, "spare_contact"), at=param(I64, T0)),
    "Database.interactions": entry(None),
    "Database.value": entry(None),
    "Database.segments": entry(None),
    "Database.surveys": entry(None),
    "Database.retention": entry(None),
    "Database.points": entry(None),
    "Database.report": entry(lambda c, a: c.db.report(as_of=a["as_of"], top=a["top"], cohort_periods=a["cohort_periods"],
                                                      cohort_months=a["cohort_months"]),
                             as_of=param(I64, T0), top=param(I32, 10), cohort_periods=param(I32, 7),
                             cohort_months=param(I32, 12)),
    "Database.report_html": entry(lambda c, a: c.db.report_html(as_of=a["as_of"], top=a["top"],
                                                                cohort_periods=a["cohort_periods"],
                                                                cohort_months=a["cohort_months"]),
                                  as_of=param(I64, T0), top=param(I32, 10), cohort_periods=param(I32, 7),
                                  cohort_months=param(I32, 12)),
    "Database.chart": entry(lambda c, a: c.db.chart(
        "p-alive-history", model=a["model"], as_of=a["as_of"], customer=a["customer"], holdout_end=a["holdout_end"],
        horizon=a["horizon"], max_frequency=a["max_frequency"], max_recency=a["max_recency"],
        cohort_periods=a["cohort_periods"], cohorts=a["cohorts"], width=a["width"], height=a["height"]),
        model=param(I64, "model"), as_of=param(I64, T0 + 60 * DAY), customer=param(I64, "customer"),
        holdout_end=param(I64, T0 + 90 * DAY), horizon=param(DOUBLE, 1), max_frequency=param(I32, 5),
        max_recency=param(I32, 30), cohort_periods=param(I32, 12), cohorts=param(I32, 12), width=param(I32, 720),
        height=param(I32, 440)),
    # customers
    "Customer": entry(None),
    "Customer.from_json": entry(None),
    "Customers.create": entry(lambda c, a: c.db.customers.create(
        external_id="sweep-new", created_at=a["created_at"], acquisition_cost=a["acquisition_cost"],
        acquisition_currency="USD"), created_at=param(I64, T0), acquisition_cost=param(AMOUNT, 1250)),
    "Customers.upsert": entry(lambda c, a: c.db.customers.upsert(
        "anchor", created_at=a["created_at"], acquisition_cost=a["acquisition_cost"], acquisition_currency="USD"),
        created_at=param(I64, T0 + 1), acquisition_cost=param(AMOUNT, 1250)),
    "Customers.update": entry(lambda c, a: c.db.customers.update(
        a["customer_id"], a["updated_at"], acquisition_cost=a["acquisition_cost"], acquisition_currency="USD"),
        customer_id=param(I64, "customer"), updated_at=param(I64, T0 + 2), acquisition_cost=param(AMOUNT, 1250)),
    "Customers.delete": entry(lambda c, a: c.db.customers.delete(a["customer_id"]),
                              customer_id=param(I64, "spare_customer")),
    "Customers.get": entry(lambda c, a: c.db.customers.get(a["customer_id"]), customer_id=param(I64, "customer")),
    "Customers.lifecycle_rule": entry(None),
    "Customers.set_lifecycle_rule": entry(lambda c, a: c.db.customers.set_lifecycle_rule(
        "no_purchase", window_days=a["window_days"]), window_days=param(I32, 180)),
    "Customers.update_lifecycle": entry(lambda c, a: c.db.customers.update_lifecycle(a["as_of"]),
                                        as_of=param(I64, T0)),
    "Customers.get_by_external_id": entry(None),
    "Customers.find_id": entry(None),
    "Customers.find_by_email": entry(None),
    "Customers.count": entry(lambda c, a: c.db.customers.count(created_from=a["created_from"],
                                                               created_to=a["created_to"]),
                             created_from=param(I64, 0), created_to=param(I64, T0 + DAY)),
    "Customers.list": entry(lambda c, a: list(c.db.customers.list(created_from=a["created_from"],
                                                                  created_to=a["created_to"], after=a["after"])),
                            created_from=param(I64, 0), created_to=param(I64, T0 + DAY), after=param(I64, 0)),
    # interactions
    "Interaction": entry(None),
    "BatchResult": entry(None),
    "Interaction.from_json": entry(None),
    "Interactions.record": entry(lambda c, a: c.db.interactions.record(
        a["customer_id"], a["occurred_at"], "purchase", "web", amount=a["amount"], currency="USD",
        margin=a["margin"]),
        customer_id=param(I64, "customer"), occurred_at=param(I64, T0 + DAY), amount=param(AMOUNT, 990),
        margin=param(AMOUNT, 100)),
    "Interactions.record_batch": entry(lambda c, a: c.db.interactions.record_batch([
        {"customer_id": a["customer_id"], "occurred_at": a["occurred_at"], "kind": "purchase",
         "channel": "web", "amount": a["amount"], "currency": "USD", "margin": a["margin"]}]),
        customer_id=param(I64, "customer"), occurred_at=param(I64, T0 + DAY), amount=param(AMOUNT, 990),
        margin=param(AMOUNT, 100)),
    "Interactions.get": entry(lambda c, a: c.db.interactions.get(a["interaction_id"]),
                              interaction_id=param(I64, "purchase")),
    "Interactions.timeline": entry(lambda c, a: list(c.db.interactions.timeline(
        a["customer_id"], start=a["start"], end=a["end"])),
        customer_id=param(I64, "customer"), start=param(I64, 0), end=param(I64, T0 + 10 * DAY)),
    "Interactions.figures": entry(lambda c, a: c.db.interactions.figures(a["customer_id"]),
                                  customer_id=param(I64, "customer")),
    "Interactions.rebuild_figures": entry(None),
    # value
    "Value.fit": entry(lambda c, a: c.db.value.fit("bgnbd", "day", a["calibration_end"], fitted_at=a["fitted_at"],
                                                   penalizer_coef=a["penalizer_coef"]),
                       calibration_end=param(I64, T0 + 60 * DAY), fitted_at=param(I64, T0 + 60 * DAY),
                       penalizer_coef=param(DOUBLE, 0)),
    "Value.model": entry(lambda c, a: c.db.value.model(a["model_id"]), model_id=param(I64, "model")),
    "Value.models": entry(None),
    "Value.score": entry(lambda c, a: c.db.value.score(
        a["transaction_model"], a["spend_model"], horizon=a["horizon"], as_of=a["as_of"], discount=a["discount"],
        margin=a["margin"]),
        transaction_model=param(I64, "model"), spend_model=param(I64, "spend_model"), horizon=param(DOUBLE, 12),
        as_of=param(I64, T0 + 60 * DAY), discount=param(DOUBLE, 0), margin=param(DOUBLE, 1)),
    "Value.predict": entry(lambda c, a: c.db.value.predict(
        None, a["spend_model"], horizon=a["horizon"], as_of=a["as_of"], discount=a["discount"], margin=a["margin"]),
        spend_model=param(I64, "spend_model"), horizon=param(DOUBLE, 12), as_of=param(I64, T0),
        discount=param(DOUBLE, 0.01), margin=param(DOUBLE, 1)),
    "Value.scores": entry(lambda c, a: c.db.value.scores(a["customer_id"]), customer_id=param(I64, "customer")),
    "Value.validate": entry(lambda c, a: c.db.value.validate(a["model_id"], a["holdout_end"]),
                            model_id=param(I64, "model"), holdout_end=param(I64, T0 + 90 * DAY)),
    "Value.rfm": entry(lambda c, a: c.db.value.rfm(a["as_of"], bins=a["bins"]),
                       as_of=param(I64, T0 + 60 * DAY), bins=param(JSON, 5)),
    "Value.customer_rfm": entry(lambda c, a: c.db.value.customer_rfm(a["customer_id"]),
                                customer_id=param(I64, "customer")),
    "Value.maps": entry(None),
    "Value.score_table": entry(None),
    "Value.model_inputs": entry(lambda c, a: c.db.value.model_inputs(a["calibration_end"]),
                                calibration_end=param(I64, T0 + 60 * DAY)),
    # results as columns
    "Table": entry(None),
    "Table.names": entry(None),
    "Table.rows": entry(None),
    "Table.to_pandas": entry(None),
    "read_columns": entry(None),
    # segments
    "rule_json": entry(None),
    "from_text": entry(None),
    "to_text": entry(None),
    "Segments.count": entry(lambda c, a: c.db.segments.count(c.rule, a["as_of"]), as_of=param(I64, T0)),
    "Segments.explain": entry(lambda c, a: c.db.segments.explain(c.rule, a["as_of"]), as_of=param(I64, T0)),
    "Segments.create": entry(None),
    "Segments.update": entry(None),
    "Segments.delete": entry(None),
    "Segments.get": entry(None),
    "Segments.list": entry(None),
    "Segments.versions": entry(None),
    "Segments.refresh": entry(lambda c, a: c.db.segments.refresh("dyn", a["as_of"]), as_of=param(I64, T0 + DAY)),
    "Segments.add": entry(lambda c, a: c.db.segments.add("vip", a["customer_id"], a["at"]),
                          customer_id=param(I64, "customer"), at=param(I64, T0 + DAY)),
    "Segments.remove": entry(lambda c, a: c.db.segments.remove("vip", a["customer_id"], a["at"]),
                             customer_id=param(I64, "spare_customer"), at=param(I64, T0 + DAY)),
    "Segments.members": entry(None),
    "Segments.of_customer": entry(lambda c, a: c.db.segments.of_customer(a["customer_id"]),
                                  customer_id=param(I64, "customer")),
    "Segments.history": entry(lambda c, a: c.db.segments.history("vip", a["start"], a["end"]),
                              start=param(I64, 0), end=param(I64, T0 + DAY)),
    # loyalty: surveys and retention
    "Surveys.record": entry(lambda c, a: c.db.surveys.record(
        a["customer_id"], "nps", a["score"], a["occurred_at"], "email", interaction_id=a["interaction_id"]),
        customer_id=param(I64, "customer"), score=param(DOUBLE, 9), occurred_at=param(I64, T0 + DAY),
        interaction_id=param(I64, "purchase")),
    "Surveys.record_custom": entry(lambda c, a: c.db.surveys.record_custom(
        a["customer_id"], a["scale_min"], a["scale_max"], a["score"], a["occurred_at"], "email",
        interaction_id=a["interaction_id"]),
        customer_id=param(I64, "customer"), scale_min=param(DOUBLE, 1), scale_max=param(DOUBLE, 5),
        score=param(DOUBLE, 3), occurred_at=param(I64, T0 + DAY), interaction_id=param(I64, "purchase")),
    "Surveys.record_batch": entry(lambda c, a: c.db.surveys.record_batch([
        {"customer_id": a["customer_id"], "kind": "nps", "score": a["score"], "occurred_at": a["occurred_at"],
         "channel": "email", "interaction_id": a["interaction_id"]}]),
        customer_id=param(JSON, "customer"), score=param(JSON, 9), occurred_at=param(JSON, T0 + DAY),
        interaction_id=param(JSON, "purchase")),
    "Surveys.get": entry(lambda c, a: c.db.surveys.get(a["response_id"]), response_id=param(I64, "response")),
    "Surveys.nps": entry(lambda c, a: c.db.surveys.nps(a["from_"], a["to"], confidence=a["confidence"]),
                         from_=param(I64, 0), to=param(I64, T0 + DAY), confidence=param(DOUBLE, 0)),
    "Surveys.csat": entry(lambda c, a: c.db.surveys.csat(a["from_"], a["to"]),
                          from_=param(I64, 0), to=param(I64, T0 + DAY)),
    "Surveys.ces": entry(lambda c, a: c.db.surveys.ces(a["from_"], a["to"]),
                         from_=param(I64, 0), to=param(I64, T0 + DAY)),
    "Retention.retention": entry(lambda c, a: c.db.retention.retention(
        a["from_"], a["to"], active_days=a["active_days"], p_alive_threshold=a["p_alive_threshold"]),
        from_=param(I64, T0), to=param(I64, T0 + 30 * DAY), active_days=param(I32, 90),
        p_alive_threshold=param(DOUBLE, 0)),
    "Retention.cohorts": entry(lambda c, a: c.db.retention.cohorts(
        periods=a["periods"], from_=a["from_"], to=a["to"], as_of=a["as_of"]),
        periods=param(I32, 12), from_=param(I64, 0), to=param(I64, T0 + DAY), as_of=param(I64, T0 + DAY)),
    # points
    "Points.create_programme": entry(lambda c, a: c.db.points.create_programme(
        {"name": "sweep", "currency": "USD", "created_at": a["created_at"], "expiry_days": a["expiry_days"]}),
        created_at=param(JSON, T0), expiry_days=param(JSON, 30)),
    "Points.find_programme": entry(None),
    "Points.programme": entry(lambda c, a: c.db.points.programme(a["programme_id"]),
                              programme_id=param(I64, "programme")),
    "Points.programmes": entry(None),
    "Points.enroll": entry(lambda c, a: c.db.points.enroll(a["programme_id"], a["customer_id"], a["enrolled_at"]),
                           programme_id=param(I64, "programme"), customer_id=param(I64, "spare_customer"),
                           enrolled_at=param(I64, T0)),
    "Points.earn": entry(lambda c, a: c.db.points.earn(a["programme_id"], a["purchase_id"]),
                         programme_id=param(I64, "programme"), purchase_id=param(I64, "purchase")),
    "Points.reverse_purchase": entry(lambda c, a: c.db.points.reverse_purchase(
        a["programme_id"], a["purchase_id"], a["refunded_minor"], "sweep-refund", a["as_of"]),
        programme_id=param(I64, "programme"), purchase_id=param(I64, "purchase"), refunded_minor=param(I64, 100),
        as_of=param(I64, T0 + 2 * DAY)),
    "Points.redeem": entry(lambda c, a: c.db.points.redeem(
        a["programme_id"], a["customer_id"], a["points"], "sweep-redeem", a["as_of"], order_id=a["order_id"]),
        programme_id=param(I64, "programme"), customer_id=param(I64, "customer"), points=param(I64, 1),
        as_of=param(I64, T0 + 2 * DAY), order_id=param(I64, "purchase")),
    "Points.reverse_redemption": entry(lambda c, a: c.db.points.reverse_redemption(
        a["programme_id"], "sweep-redeem", "sweep-back", a["as_of"], points=a["points"]),
        programme_id=param(I64, "programme"), as_of=param(I64, T0 + 2 * DAY), points=param(I64, 0)),
    "Points.adjust": entry(lambda c, a: c.db.points.adjust(
        a["programme_id"], a["customer_id"], a["points"], "goodwill", "sweep-adjust", a["as_of"]),
        programme_id=param(I64, "programme"), customer_id=param(I64, "customer"), points=param(I64, 5),
        as_of=param(I64, T0 + 2 * DAY)),
    "Points.expire": entry(lambda c, a: c.db.points.expire(a["programme_id"], a["as_of"]),
                           programme_id=param(I64, "programme"), as_of=param(I64, T0 + 2 * DAY)),
    "Points.review_tiers": entry(lambda c, a: c.db.points.review_tiers(a["programme_id"], a["as_of"]),
                                 programme_id=param(I64, "programme"), as_of=param(I64, T0 + 2 * DAY)),
    "Points.balance": entry(lambda c, a: c.db.points.balance(
        a["programme_id"], a["customer_id"], a["as_of"], expiring_within_days=a["expiring_within_days"]),
        programme_id=param(I64, "programme"), customer_id=param(I64, "customer"), as_of=param(I64, T0 + 2 * DAY),
        expiring_within_days=param(I32, 30)),
    "Points.ledger": entry(lambda c, a: list(c.db.points.ledger(a["programme_id"], a["customer_id"],
                                                                page_size=a["page_size"])),
                           programme_id=param(I64, "programme"), customer_id=param(I64, "customer"),
                           page_size=param(I32, 500)),
    "Points.liability": entry(lambda c, a: c.db.points.liability(a["programme_id"], a["as_of"]),
                              programme_id=param(I64, "programme"), as_of=param(I64, T0 + 2 * DAY)),
    "Points.tier_mix": entry(lambda c, a: c.db.points.tier_mix(a["programme_id"]),
                             programme_id=param(I64, "programme")),
    "Points.tier_history": entry(lambda c, a: c.db.points.tier_history(a["programme_id"], a["customer_id"]),
                                 programme_id=param(I64, "programme"), customer_id=param(I64, "customer")),
    "Points.check": entry(lambda c, a: c.db.points.check(a["programme_id"]), programme_id=param(I64, "programme")),
}


def public_api():
    """Names of every public function, class constructor with parameters, method and property
    of the binding's modules (module functions by their bare name)."""
    names = set()
    for module in MODULES:
        for name, obj in vars(module).items():
            if name.startswith("_") or getattr(obj, "__module__", None) != module.__name__:
                continue
            if inspect.isfunction(obj):
                names.add(name)
            elif inspect.isclass(obj):
                init = obj.__dict__.get("__init__")
                if init is not None and inspect.isfunction(init) and \
                        set(inspect.signature(init).parameters) - {"self", "database"}:
                    names.add(name)  # a constructor taking more than the database
                for attr, member in vars(obj).items():
                    if attr.startswith("_"):
                        continue
                    if isinstance(member, (property, staticmethod, classmethod)) or inspect.isfunction(member):
                        names.add("%s.%s" % (name, attr))
    return names


def file_digest(path):
    """The bytes of the database file and its WAL, and the rows of every table (read through
    Python's own sqlite3 module)."""
    h = hashlib.sha256()
    for p in (path, path + "-wal"):
        if os.path.exists(p):
            with open(p, "rb") as f:
                h.update(f.read())
    con = sqlite3.connect("file:%s?mode=ro" % path, uri=True)
    try:
        for (table,) in con.execute("SELECT name FROM sqlite_schema WHERE type='table' ORDER BY name"):
            h.update(table.encode())
            for row in con.execute('SELECT * FROM "%s" ORDER BY 1' % table):
                h.update(repr(row).encode())
    finally:
        con.close()
    return h.hexdigest()


class Fixture:
    """A file database with one row of everything the sweep addresses."""

    def __init__(self, directory):
        self.path = os.path.join(directory, "boundary.db")
        self.db = crmkit.Database(self.path)
        c = self.db.customers
        self.customer = c.create(external_id="anchor", created_at=T0)
        self.spare_customer = c.create(external_id="spare", created_at=T0)
        self.contact = self.db.contacts.add(self.customer, "email", "anchor@example.com", T0)
        self.spare_contact = self.db.contacts.add(self.customer, "phone", "+44 20 7946 0958", T0)
        self.consent_event = self.db.consent.record(self.customer, "email", "marketing", "grant", T0, "fixture")
        self.programme = self.db.points.create_programme({"name": "club", "currency": "USD", "created_at": T0})
        self.db.points.enroll(self.programme, self.customer, T0)
        self.purchase = self.db.interactions.record(self.customer, T0 + DAY, "purchase", "web", amount=12050,
                                                    currency="USD", external_id="o1")
        self.db.interactions.record(self.customer, T0 + 20 * DAY, "purchase", "web", amount=2500, currency="USD")
        self.model = self.db.value.fit("bgnbd", "day", T0 + 60 * DAY)["id"]
        self.spend_model = self.db.value.fit("gg", "day", T0 + 60 * DAY)["id"]
        self.response = self.db.surveys.record(self.customer, "nps", 9, T0 + DAY, "email")
        self.db.segments.create("vip", kind="static")
        self.db.segments.add("vip", self.customer, T0)
        self.rule = 'country = "GB"'
        self.db.segments.create("dyn", self.rule)

    def resolve(self, valid):
        return getattr(self, valid) if isinstance(valid, str) else valid

    def arguments(self, params):
        return {name: self.resolve(valid) for name, (kind, valid) in params.items()}


class IntBoundary(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.TemporaryDirectory()
        self.ctx = Fixture(self.tmp.name)

    def tearDown(self):
        self.ctx.db.close()
        self.tmp.cleanup()

    def test_sweep_covers_the_public_api(self):
        self.assertEqual(public_api(), set(SWEEP))

    def test_sweep(self):
        ctx = self.ctx
        calls = parameters = 0
        for fn, (call, params) in sorted(SWEEP.items()):
            if call is None:
                continue
            for name, (kind, valid) in params.items():
                parameters += 1
                good = ctx.resolve(valid)
                for bad in bad_values(kind, good):
                    calls += 1
                    with self.subTest(function=fn, parameter=name, value=bad):
                        a = ctx.arguments(params)
                        a[name] = bad
                        before = file_digest(ctx.path)
                        with self.assertRaises(crmkit.InvalidArgument) as caught:
                            call(ctx, a)
                        message = str(caught.exception)
                        if kind == JSON:  # the library's refusal: never a wrapped number
                            if isinstance(bad, int) and abs(wrapped(bad)) > 10 ** 6:
                                self.assertNotIn(str(wrapped(bad)), message)
                        else:  # named, with the value as given
                            self.assertIn(name, message)
                            self.assertIn(str(bad) if isinstance(bad, int) else repr(bad), message)
                        self.assertEqual(file_digest(ctx.path), before)
        # The figures docs/RELIABILITY.md quotes.
        self.assertEqual((len(SWEEP), sum(1 for c, p in SWEEP.values() if p), parameters, calls),
                         (169, 92, 211, 945))

    def test_valid_values_reach_the_library(self):
        """Each sweep entry with its valid values is not refused as an invalid argument, so the
        refusals above come from the out-of-range value and not from the rest of the call."""
        for fn, (call, params) in sorted(SWEEP.items()):
            if call is None:
                continue
            with self.subTest(function=fn):
                try:
                    call(self.ctx, self.ctx.arguments(params))
                except crmkit.InvalidArgument as e:
                    self.fail("%s with valid arguments: %s" % (fn, e))
                except crmkit.Error:
                    pass  # NotFound, Conflict ...: the arguments got through

    def test_the_wrapper_checks_what_a_call_site_forgets(self):
        """A C function called with a raw out-of-range int still cannot wrap: bind() checks
        every argument against its declared type."""
        delete = n.bind("crmkit_customer_delete", n.c_int, n.c_void_p, n.c_int64)
        before = file_digest(self.ctx.path)
        with self.assertRaises(crmkit.InvalidArgument) as caught:
            delete(self.ctx.db.handle, (1 << 64) + self.ctx.spare_customer)
        self.assertIn("crmkit_customer_delete argument 2", str(caught.exception))
        self.assertEqual(file_digest(self.ctx.path), before)
        set_busy = n.bind("crmkit_options_set_busy_timeout", n.c_int, n.c_void_p, n.c_int)
        with self.assertRaises(crmkit.InvalidArgument):
            set_busy(None, (1 << 32) + 5)
        with self.assertRaises(TypeError):
            delete(self.ctx.db.handle, True)
        with self.assertRaises(TypeError):
            self.ctx.db.customers.get(1.9)  # was int(1.9): customer 1
        with self.assertRaises(AttributeError):  # a redeclaration would bypass the checks
            delete.argtypes = [n.c_void_p, n.c_int]

    def test_every_c_function_goes_through_the_wrapper(self):
        """No module holds a raw ctypes function: each was declared with bind()."""
        for module in MODULES + (n,):
            for name, obj in vars(module).items():
                with self.subTest(module=module.__name__, name=name):
                    self.assertNotIsInstance(obj, ctypes._CFuncPtr)

    def test_amount_message_shows_the_amount_given(self):
        with self.assertRaises(crmkit.InvalidArgument) as caught:
            self.ctx.db.interactions.record(self.ctx.customer, T0, "purchase", amount=decimal.Decimal("1e30"),
                                            currency="USD")
        self.assertIn("1E+30", str(caught.exception))
        self.assertNotIn(str((10 ** 32) % (1 << 64)), str(caught.exception))

    def test_limits_themselves_pass(self):
        """The extremes of each type are not refused by the binding (the library judges them)."""
        db = self.ctx.db
        for v in (INT64_MAX, INT64_MIN):
            with self.assertRaises(crmkit.NotFound):
                db.customers.get(v)
        with self.assertRaises(crmkit.InvalidArgument) as caught:  # the library's own limit
            db.points.balance(self.ctx.programme, self.ctx.customer, T0, expiring_within_days=INT32_MAX)
        self.assertNotIn("int32 range", str(caught.exception))

    def test_int64_results_come_back_exact(self):
        """int64 values coming back from C (out-parameters, c_int64 results, JSON) are not cut."""
        ctx = self.ctx
        big = INT64_MAX - 7
        con = sqlite3.connect(ctx.path)
        con.execute("INSERT INTO customers(id, external_id, created_at, updated_at) VALUES (?, 'big', ?, ?)",
                    (big, T0, T0))
        con.commit()
        con.close()
        db = ctx.db
        self.assertEqual(db.customers.find_id("big"), big)            # int64_t* out-parameter
        self.assertEqual(db.customers.get(big).id, big)               # JSON
        self.assertTrue(db.segments.add("vip", big, T0))
        self.assertIn(big, [m.customer_id for m in db.segments.members("vip")])  # c_int64 restype
        amount = INT64_MAX // 2 + 1
        iid = db.interactions.record(big, T0, "purchase", amount=amount, currency="USD")
        got = db.interactions.get(iid)
        self.assertEqual((got.customer_id, got.amount_minor), (big, amount))
        self.assertEqual(db.interactions.figures(big)["money"]["USD"]["purchase_total"],
                         decimal.Decimal(amount).scaleb(-2))
        when = datetime.datetime(2024, 1, 1, 0, 0, 0, 999000, tzinfo=datetime.timezone.utc)
        self.assertEqual(to_ms_end_of_day(when), T0 + 999)  # exact: no float timestamp


if __name__ == "__main__":
    unittest.main()
