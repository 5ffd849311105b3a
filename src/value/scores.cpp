// Materialised per-customer scores: P(alive), expected purchases, expected spend and CLV.
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <vector>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "analytics/clv_fit.hpp"
#include "crmkit/value.hpp"
#include "store/connection.hpp"
#include "value/common.hpp"
#include "store/stored.hpp"

namespace crmkit {

namespace value_detail {
clv::PurchaseModel purchase_model(const ValueModel& m);
clv::GammaGammaParams spend_model(const ValueModel& m);
}  // namespace value_detail

namespace {

// The horizon in the model's time unit.
double horizon_in_unit(double horizon, HorizonUnit h, clv::TimeUnit unit) {
  const double model_days = unit == clv::TimeUnit::week ? 7.0 : 1.0;
  switch (h) {
    case HorizonUnit::day: return horizon / model_days;
    case HorizonUnit::week: return horizon * 7.0 / model_days;
    case HorizonUnit::month: return horizon * clv::units_per_month(unit);
  }
  return horizon;
}

const char* kScoreColumns =
    "SELECT customer_id, model_id, spend_model_id, scored_at, p_alive, expected_purchases, horizon, horizon_unit, "
    "expected_spend, predicted_clv, repeat_purchases, currency FROM customer_scores ";

CustomerScore read_score(detail::Statement& st) {
  const detail::StoredRow row(st, "customer_scores");
  CustomerScore s;
  row.columns(0, s.customer_id, s.model_id, s.spend_model_id, s.scored_at, s.p_alive, s.expected_purchases,
              s.horizon);
  if (!st.getColumn(7).isNull()) s.horizon_unit = row.parse(7, [](const std::string& t) { return parse_horizon_unit(t); });
  row.columns(8, s.expected_spend, s.predicted_clv, s.repeat_purchases);
  s.currency = row.opt_text(11).value_or(std::string());
  return s;
}

// See ScoreWarning. Day counts as everywhere: differences of UTC day numbers, the day of an
// exclusive end instant being the day before it.
std::vector<ScoreWarning> score_warnings(const ValueModel& tm, Instant as_of, const ModelInputs& in) {
  std::vector<ScoreWarning> out;
  const Day cal_day = day_of(tm.calibration_end - 1);
  if (as_of < tm.calibration_end)
    out.push_back({"before_calibration_end",
                   fmt::format("as_of {} is before the calibration end {} of {} model {}: the model was fitted on "
                               "purchases these scores do not see",
                               format_date(day_of(as_of - 1)), format_date(cal_day), to_string(tm.kind), tm.id)});
  if (!tm.data_from || in.customers.empty()) return out;
  Instant last = in.customers.front().last_purchase;
  for (const auto& c : in.customers) last = std::max(last, c.last_purchase);
  const std::int64_t calibration_days = cal_day - day_of(*tm.data_from);
  const std::int64_t gap_days = day_of(as_of - 1) - day_of(last);
  if (gap_days > calibration_days)
    out.push_back({"far_beyond_data",
                   fmt::format("as_of {} is {} days after the last {} purchase ({}), more than the {} days of model "
                               "{}'s calibration period: the scores extrapolate far beyond the data",
                               format_date(day_of(as_of - 1)), gap_days, tm.currency, format_date(day_of(last)),
                               calibration_days, tm.id)});
  return out;
}

}  // namespace

ScoreSummary CustomerValue::score(const ScoreRequest& r) {
  detail::require_writable(detail::connection_of(store_));
  detail::check_instant("as_of", r.as_of);
  value_detail::check_finite(r.horizon, "horizon");
  if (r.horizon <= 0) throw Error(Errc::invalid_argument, fmt::format("horizon {} must be > 0", r.horizon));
  value_detail::check_finite(r.monthly_discount_rate, "monthly_discount_rate");
  if (r.monthly_discount_rate < 0)
    throw Error(Errc::invalid_argument,
                fmt::format("monthly_discount_rate {} must be >= 0", r.monthly_discount_rate));
  value_detail::check_finite(r.margin_rate, "margin_rate");
  if (r.margin_rate < 0 || r.margin_rate > 1)
    throw Error(Errc::invalid_argument, fmt::format("margin_rate {} is out of range 0..1", r.margin_rate));

  if (r.transaction_model_id < 0)
    throw Error(Errc::invalid_argument,
                fmt::format("transaction_model_id {} must be >= 0 (0 = choose)", r.transaction_model_id));
  if (r.transaction_model_id > 0 && r.transaction_model_kind)
    throw Error(Errc::invalid_argument, "give transaction_model_id or transaction_model_kind, not both");
  const ValueModel tm =
      r.transaction_model_id > 0 ? model(r.transaction_model_id) : choose_model(r.transaction_model_kind);
  if (!is_transaction_model(tm.kind))
    throw Error(Errc::invalid_argument,
                fmt::format("transaction model {} is a {} spend model; give a bgnbd, pnbd or mbgnbd model", tm.id,
                            to_string(tm.kind)));
  const clv::PurchaseModel pm = value_detail::purchase_model(tm);
  std::optional<ValueModel> sm;
  std::optional<clv::GammaGammaParams> gg;
  if (r.spend_model_id) {
    sm = model(*r.spend_model_id);
    gg = value_detail::spend_model(*sm);
    if (sm->currency != tm.currency)
      throw Error(Errc::invalid_argument,
                  fmt::format("spend model {} is in {} but transaction model {} is in {}", sm->id, sm->currency,
                              tm.id, tm.currency));
    if (!(gg->q > 1))
      throw Error(Errc::invalid_argument,
                  fmt::format("spend model {} has q = {} <= 1: its expected spend is undefined", sm->id, gg->q));
  }
  const double t = horizon_in_unit(r.horizon, r.horizon_unit, tm.unit);
  if (!std::isfinite(t) || t <= 0)
    throw Error(Errc::invalid_argument, fmt::format("horizon {} {} is out of range", r.horizon, to_string(r.horizon_unit)));
  const double months_exact = t / clv::units_per_month(tm.unit);
  if (months_exact > 1200)
    throw Error(Errc::invalid_argument, fmt::format("horizon {} {} is longer than 1200 months", r.horizon,
                                                    to_string(r.horizon_unit)));
  const int months = std::max(1, static_cast<int>(std::lround(months_exact)));

  ModelInputOptions o;
  o.calibration_end = r.as_of;
  o.unit = tm.unit;
  o.currency = tm.currency;
  const auto shared = value_detail::shared_model_inputs(store_, o);
  const ModelInputs& in = *shared;
  // Per distinct history (one sort here, not one inside each prediction), looked up per
  // customer as the rows are written: a million customers' arrays of each prediction are
  // never all held at once (the 200 MiB bound).
  std::vector<double> spend;  // per customer, with a spend model
  const auto kept_distinct = value_detail::shared_distinct_histories(store_, shared);
  const analytics::DistinctHistories& distinct = *kept_distinct;
  if (gg) {
    clv::SpendHistories histories;  // every customer, one-time buyers included (x = 0)
    histories.x.reserve(in.customers.size());
    histories.mean_spend.reserve(in.customers.size());
    for (const auto& c : in.customers) {
      histories.x.push_back(c.x);
      histories.mean_spend.push_back(c.mean_spend);
    }
    spend = clv::conditional_expected_average_spend(*gg, histories);
  }
  const std::vector<double> alive = clv::p_alive(pm, distinct.unique);
  const std::vector<double> expected = clv::conditional_expected_purchases(pm, t, distinct.unique);
  // Discounted purchases per history; CLV is linear in the margin, which multiplies it per customer.
  std::vector<double> discounted;
  if (gg && r.monthly_discount_rate != 0)
    discounted = clv::customer_lifetime_value(pm, clv::MonthlyHorizon(tm.unit, months, r.monthly_discount_rate),
                                              distinct.unique, std::vector<double>(distinct.unique.size(), 1.0));

  ScoreSummary sum;
  sum.currency = tm.currency;
  sum.as_of = r.as_of;
  sum.model = tm;
  sum.spend_model = sm;
  sum.warnings = score_warnings(tm, r.as_of, in);
  return detail::guard([&] {
    auto& c = detail::connection_of(store_);
    detail::WriteScope scope(c);
    // Without foreign keys on it, SQLite empties the table at once instead of row by row.
    c.db.exec("DELETE FROM customer_score_values");
    {
      std::optional<std::int64_t> spend_model_id;
      if (sm) spend_model_id = sm->id;
      auto& run = c.prepare(
          "INSERT INTO score_run(id, model_id, scored_at, horizon, horizon_unit, currency, spend_model_id, "
          "discount_rate) VALUES (1, ?1, ?2, ?3, ?4, ?5, ?6, ?7) ON CONFLICT(id) DO UPDATE SET "
          "model_id = excluded.model_id, scored_at = excluded.scored_at, horizon = excluded.horizon, "
          "horizon_unit = excluded.horizon_unit, currency = excluded.currency, "
          "spend_model_id = excluded.spend_model_id, discount_rate = excluded.discount_rate");
      detail::StatementReset run_done(run);
      detail::bind_all(run, tm.id, r.as_of, r.horizon, r.horizon_unit, tm.currency, spend_model_id,
                       r.monthly_discount_rate);
      run.exec();
    }
    // Rows go in kRowsPerInsert to a statement: at a million rows, SQLite's per-statement work
    // (reset, bind, halt) was a third of the writing.
    constexpr int kRowsPerInsert = 64;
    struct ScoreRow {
      std::int64_t id;
      std::optional<double> p_alive, purchases, clv, expected_spend;
      std::optional<std::int64_t> repeat_purchases;
    };
    const std::string one_sql =
        "INSERT INTO customer_score_values(customer_id, p_alive, expected_purchases, predicted_clv, expected_spend, "
        "repeat_purchases) VALUES (?,?,?,?,?,?)";
    std::string many_sql = one_sql;
    for (int i = 1; i < kRowsPerInsert; ++i) many_sql += ",(?,?,?,?,?,?)";
    auto& many = c.prepare(many_sql);
    detail::StatementReset reset_many(many);
    auto& one = c.prepare(one_sql);
    detail::StatementReset reset_one(one);
    std::vector<ScoreRow> rows;
    rows.reserve(kRowsPerInsert);
    auto write = [&] {
      if (rows.size() == kRowsPerInsert) {
        int at = 1;
        for (const ScoreRow& w : rows) {
          detail::bind_from(many, at, w.id, w.p_alive, w.purchases, w.clv, w.expected_spend, w.repeat_purchases);
          at += 6;
        }
        many.exec();
        many.reset();
      } else {
        for (const ScoreRow& w : rows) {
          detail::StatementReset row_done(one);
          detail::bind_all(one, w.id, w.p_alive, w.purchases, w.clv, w.expected_spend, w.repeat_purchases);
          one.exec();
        }
      }
      rows.clear();
    };
    auto& ids = c.prepare("SELECT id FROM customers ORDER BY id");
    detail::StatementReset reset_ids(ids);
    std::size_t k = 0;  // merge: customers and inputs are both ordered by id
    while (ids.executeStep()) {
      ScoreRow w{ids.getColumn(0).getInt64(), {}, {}, {}, {}, {}};
      while (k < in.customers.size() && in.customers[k].customer_id < w.id) ++k;
      if (k < in.customers.size() && in.customers[k].customer_id == w.id) {
        const std::uint32_t u = distinct.of[k];
        // Clamp tiny negative rounding so the CHECK constraints hold.
        w.p_alive = std::clamp(alive[u], 0.0, 1.0);
        w.purchases = std::max(0.0, expected[u]);
        w.repeat_purchases = static_cast<std::int64_t>(in.customers[k].x);
        sum.scored += 1;
        sum.total_expected_purchases += expected[u];
        if (gg) {
          const double margin = r.margin_rate * spend[k];
          const double value = margin * (discounted.empty() ? expected[u] : discounted[u]);
          w.clv = value;
          w.expected_spend = spend[k];
          sum.total_predicted_clv += value;
        }
      }
      rows.push_back(w);
      if (rows.size() == kRowsPerInsert) write();
      sum.customers += 1;
    }
    write();
    scope.commit();
    return sum;
  });
}

CustomerScore CustomerValue::customer_score(std::int64_t customer_id) {
  return detail::guard([&] {
    auto& st = detail::connection_of(store_).prepare(std::string(kScoreColumns) + "WHERE customer_id = ?1");
    auto missing = [&] {
      return fmt::format("customer {} has no scores (run score first, or no such customer)", customer_id);
    };
    return detail::required_row(st, read_score, missing, customer_id);
  });
}

std::vector<CustomerScore> CustomerValue::top_scores(int limit) {
  if (limit < 0) throw Error(Errc::invalid_argument, fmt::format("limit {} must be >= 0", limit));
  return detail::guard([&] {
    auto& st = detail::connection_of(store_).prepare(
        std::string(kScoreColumns) +
        "WHERE p_alive IS NOT NULL ORDER BY coalesce(predicted_clv, expected_purchases) DESC, customer_id LIMIT ?1");
    // 0 means every score: the largest LIMIT both backends take (PostgreSQL refuses -1).
    return detail::all_rows(st, read_score, limit == 0 ? std::numeric_limits<std::int64_t>::max() : limit);
  });
}

ScorePage CustomerValue::scores(std::int64_t after, int limit) {
  if (limit < 1 || limit > 10'000) throw Error(Errc::invalid_argument, fmt::format("limit {} is out of range 1..10000", limit));
  if (after < 0) throw Error(Errc::invalid_argument, fmt::format("after {} is negative", after));
  return detail::guard([&] {
    auto& st = detail::connection_of(store_).prepare(std::string(kScoreColumns) +
                                                      "WHERE customer_id > ?1 ORDER BY customer_id LIMIT ?2");
    ScorePage page;
    page.scores = detail::all_rows(st, read_score, after, static_cast<std::int64_t>(limit) + 1);
    if (page.scores.size() > static_cast<std::size_t>(limit)) {
      page.scores.pop_back();
      page.next_after = page.scores.back().customer_id;
    }
    return page;
  });
}

HoldoutValidation CustomerValue::validate(std::int64_t model_id, Instant holdout_end) {
  const ValueModel m = model(model_id);
  const clv::PurchaseModel pm = value_detail::purchase_model(m);
  ModelInputOptions o;
  o.calibration_end = m.calibration_end;
  o.unit = m.unit;
  o.currency = m.currency;
  o.holdout_end = holdout_end;
  return validate_holdout(*value_detail::shared_model_inputs(store_, o), pm);
}

}  // namespace crmkit
