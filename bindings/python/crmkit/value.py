"""Customer value: CLV models (fit, score, holdout) and RFM segments.

    with crmkit.Database("shop.db") as db:
        bg = db.value.fit("bgnbd", unit="week", calibration_end="1997-09-30")
        gg = db.value.fit("gg", unit="week", calibration_end="1997-09-30")
        db.value.score(bg["id"], gg["id"], horizon=12, horizon_unit="month", as_of="1997-09-30")
        db.value.scores(customer_id)            # {"p_alive": ..., "predicted_clv": ...}
        db.value.rfm("2006-12-31", method="quantile", map="rfm_tests")

Times are read as everywhere in the binding (``crmkit._values``); every time here is "end of
day": a date D (``datetime.date`` or "YYYY-MM-DD") means the end of D. Instants in the results
(calibration_end, data_from, fitted_at, as_of, scored_at) are aware UTC datetimes;
``calibration_end_iso`` and ``as_of_iso`` keep the library's text form beside them.
"""
import json

import ctypes

from . import _native as n
from . import db as _db
from .table import read_columns
from ._values import take_json, to_ms_end_of_day

_fit = n.bind("crmkit_value_fit_with", n.c_int, n.POINTER(n.c_int64), n.c_void_p, n.c_char_p, n.c_char_p,
              n.c_int64, n.c_int64, n.c_char_p, n.c_void_p)
_model_json = n.bind("crmkit_value_model_json", n.c_int, n.POINTER(n.c_void_p), n.c_void_p, n.c_int64)
_models_json = n.bind("crmkit_value_models_json", n.c_int, n.POINTER(n.c_void_p), n.c_void_p)
_score = n.bind("crmkit_value_score", n.c_int, n.POINTER(n.c_int64), n.c_void_p, n.c_int64, n.c_void_p)
_score_json = n.bind("crmkit_value_score_json", n.c_int, n.POINTER(n.c_void_p), n.c_void_p, n.c_int64, n.c_void_p)
_scores_json = n.bind("crmkit_value_customer_scores_json", n.c_int, n.POINTER(n.c_void_p), n.c_void_p,
                      n.c_int64)
_validate_json = n.bind("crmkit_value_validate_json", n.c_int, n.POINTER(n.c_void_p), n.c_void_p, n.c_int64,
                        n.c_int64)
_rfm_assign_json = n.bind("crmkit_value_rfm_assign_json", n.c_int, n.POINTER(n.c_void_p), n.c_void_p, n.c_int64,
                          n.c_char_p)
_customer_rfm_json = n.bind("crmkit_value_customer_rfm_json", n.c_int, n.POINTER(n.c_void_p), n.c_void_p,
                            n.c_int64)
_maps_json = n.bind("crmkit_value_rfm_maps_json", n.c_int, n.POINTER(n.c_void_p))
_score_iter_new = n.bind("crmkit_score_iter_new", n.c_int, n.POINTER(n.c_void_p), n.c_void_p, n.c_int64)
_input_iter_new = n.bind("crmkit_model_input_iter_new", n.c_int, n.POINTER(n.c_void_p), n.c_void_p, n.c_int64,
                         n.c_char_p, n.c_char_p)
_SCORE_COLUMNS = (("customer_id", n.c_int64, False), ("p_alive", n.c_double, True),
                  ("expected_purchases", n.c_double, True), ("expected_spend", n.c_double, True),
                  ("predicted_clv", n.c_double, True))
_INPUT_COLUMNS = (("customer_id", n.c_int64, False), ("x", n.c_double, False), ("t_x", n.c_double, False),
                  ("T", n.c_double, False), ("mean_spend", n.c_double, False))

def _model_id(model):
    """A model id, or the id of a model dict as fit() returns it."""
    return model["id"] if isinstance(model, dict) else model


def _score_options(model, spend_model, horizon, horizon_unit, discount, margin):
    sm = 0 if spend_model is None else n.int64(_model_id(spend_model), "spend_model")
    return n.options("score",
                     ("model", (n.c_char_p,), (n.text(model, "model"),)),
                     ("spend_model", (n.c_int64,), (sm,)),
                     ("horizon", (n.c_double, n.c_char_p), (n.double(horizon, "horizon"),
                                                           n.text(horizon_unit, "horizon_unit"))),
                     ("discount_rate", (n.c_double,), (n.double(discount, "discount"),)),
                     ("margin_rate", (n.c_double,), (n.double(margin, "margin"),)))


class Value:
    """Customer value of one database (``db.value``)."""

    def __init__(self, database):
        self._db = database

    def fit(self, kind, unit, calibration_end, fitted_at=None, currency=None, *, penalizer_coef=0.0):
        """Fits kind ("bgnbd", "pnbd", "mbgnbd", "gg") on purchases before calibration_end in
        unit ("day" or "week"), saves it and returns the model as a dict (id, params,
        std_errors, log_likelihood, customers, converged, penalizer_coef, ...). fitted_at
        defaults to the calibration end (the library has no clock). ``penalizer_coef`` is
        lifetimes' L2 penalty, as in ``crmkit.analysis.fit`` (docs/CLV.md, "Penalizer"); the
        saved model records it."""
        end = to_ms_end_of_day(calibration_end, "calibration_end")
        at = end if fitted_at is None else to_ms_end_of_day(fitted_at, "fitted_at")
        model_id = n.c_int64()
        with n.options("clv_fit", ("penalizer", (n.c_double,), (n.double(penalizer_coef, "penalizer_coef"),))) as o:
            n.check(_fit(n.byref(model_id), self._db.handle, n.text(kind, "kind"), n.text(unit, "unit"), end,
                         at, n.text(currency, "currency"), o))
        return self.model(model_id.value)

    def model(self, model_id):
        return take_json(_model_json, self._db.handle, n.int64(model_id, "model_id"))

    def models(self):
        """Every saved model, newest first."""
        return take_json(_models_json, self._db.handle)

    def score(self, transaction_model, spend_model=None, horizon=12, horizon_unit="month", as_of=None,
              discount=0.01, margin=1.0):
        """Scores every customer (replacing the previous scores) and returns how many got
        predictions. Models may be ids or the dicts fit() returns. as_of is required."""
        if as_of is None:
            raise TypeError("score() needs as_of (the library has no clock)")
        tm = n.int64(_model_id(transaction_model), "transaction_model")
        scored = n.c_int64()
        with _score_options(str(tm) if tm else None, spend_model, horizon, horizon_unit, discount, margin) as o:
            n.check(_score(n.byref(scored), self._db.handle, to_ms_end_of_day(as_of, "as_of"), o))
        return scored.value

    def predict(self, model=None, spend_model=None, horizon=12, horizon_unit="month", as_of=None, discount=0.01,
                margin=1.0):
        """Scores every customer like score() with the model named by ``model``: None for the
        default (the best log-likelihood among the models of the most recent calibration, ties
        to the latest fit), "bgnbd" / "pnbd" / "mbgnbd" (the default among that kind), or a
        model id (int or the dict fit() returns). Returns what was done: {"model": {id, kind,
        params, calibration_end, data_from, time_unit, ...}, "spend_model", "scored",
        "customers", "total_expected_purchases", "total_predicted_clv", "currency", "as_of",
        "warnings": [{"code": "before_calibration_end" | "far_beyond_data", "message"}]}."""
        if as_of is None:
            raise TypeError("predict() needs as_of (the library has no clock)")
        if isinstance(model, dict):
            model = model["id"]
        if isinstance(model, bool):
            raise TypeError("model must be None, a kind name, an int id or a model dict, not bool")
        if isinstance(model, int):
            model = str(model)
        with _score_options(model, spend_model, horizon, horizon_unit, discount, margin) as o:
            return take_json(_score_json, self._db.handle, to_ms_end_of_day(as_of, "as_of"), o)

    def scores(self, customer_id):
        """One customer's scores (p_alive, expected_purchases, expected_spend, predicted_clv, ...)."""
        return take_json(_scores_json, self._db.handle, n.int64(customer_id, "customer_id"))

    def score_table(self):
        """Every customer's stored scores (the last scoring run) in one call, by customer id: a
        Table (``crmkit.table``) with customer_id, p_alive, expected_purchases, expected_spend
        and predicted_clv; None where a customer has no prediction. ``.to_pandas()`` gives a
        DataFrame."""
        it = ctypes.c_void_p()
        n.check(_score_iter_new(ctypes.byref(it), self._db.handle, 0))
        return read_columns("score", it, _SCORE_COLUMNS)

    def model_inputs(self, calibration_end, unit="week", currency=None):
        """The model inputs of every customer with a purchase before calibration_end (end of
        day) in one call: a Table with customer_id, x (repeat purchase days), t_x and T (in
        unit, "day" or "week") and mean_spend (mean repeat-day spend, major units), as the
        fitters take them (lifetimes' frequency, recency, T, monetary_value)."""
        it = ctypes.c_void_p()
        n.check(_input_iter_new(ctypes.byref(it), self._db.handle, to_ms_end_of_day(calibration_end, "calibration_end"),
                                n.text(unit, "unit"), n.text(currency, "currency")))
        return read_columns("model_input", it, _INPUT_COLUMNS)

    def validate(self, model_id, holdout_end):
        """Holdout check of a saved transaction model: actual vs predicted purchases in
        [calibration end, holdout_end) by calibration frequency 0..6, 7+."""
        mid = n.int64(_model_id(model_id), "model_id")
        return take_json(_validate_json, self._db.handle, mid, to_ms_end_of_day(holdout_end, "holdout_end"))

    def rfm(self, as_of, method=None, map=None, custom_map=None, bins=None, frequency=None, currency=None,
            cuts=None, customers=True, scan=False):
        """Computes and saves RFM for every customer with a purchase before as_of and returns
        {"segments": [...], "customers": [...], "map_name", "map_version", ...}.
        method: "ntile" (default), "quantile" (R package rfm), "qcut" or "custom" (with cuts=
        {"recency": [...], "frequency": [...], "monetary": [...]}); map: a built-in map name;
        custom_map: a list of rules [{"name", "r": [lo, hi], "f": .., "m": ..}] or a dict."""
        options = {}
        for key, value in (("method", method), ("map", map), ("custom_map", custom_map), ("bins", bins),
                           ("frequency", frequency), ("currency", currency), ("cuts", cuts)):
            if value is not None:
                options[key] = value
        options["customers"] = bool(customers)
        if scan:
            options["scan"] = True
        return take_json(_rfm_assign_json, self._db.handle, to_ms_end_of_day(as_of, "as_of"),
                         n.text(json.dumps(options), "options"))

    def customer_rfm(self, customer_id):
        """A customer's current RFM assignment; NotFound when it has none."""
        return take_json(_customer_rfm_json, self._db.handle, n.int64(customer_id, "customer_id"))

    @staticmethod
    def maps():
        """The built-in segment maps (name, version, description, rules or cells)."""
        return take_json(_maps_json)


_db.Database.value = property(lambda self: Value(self), doc="Customer value (CLV models, scores, RFM).")
