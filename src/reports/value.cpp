// Customer value: the stored CLV scores (customer_scores) of the last scoring run, with the
// models, horizon, discount rate and currency they were made with, and their distribution.
#include <algorithm>
#include <cmath>

#include "sections.hpp"

namespace crmkit::reports {

void read_value(Store& store, Report& r) {
  auto& c = detail::connection_of(store);
  ReportValue& v = r.value;
  {
    // One run writes every row, so any scored row carries the run's settings.
    auto& st = c.prepare(
        "SELECT s.scored_at, coalesce(s.model_id, 0), coalesce(s.spend_model_id, 0), coalesce(tm.kind, ''), "
        "coalesce(sm.kind, ''), coalesce(s.horizon, 0), coalesce(s.horizon_unit, ''), coalesce(s.discount_rate, 0), "
        "s.currency FROM customer_scores s LEFT JOIN value_models tm ON tm.id = s.model_id "
        "LEFT JOIN value_models sm ON sm.id = s.spend_model_id WHERE s.predicted_clv IS NOT NULL LIMIT 1");
    detail::StatementReset reset(st);
    if (!st.executeStep()) return;
    detail::get_columns(st, v.scored_at, v.transaction_model_id, v.spend_model_id, v.transaction_model, v.spend_model,
                        v.horizon, v.horizon_unit, v.monthly_discount_rate, v.currency);
  }
  if (!wanted_currency(r, v.currency)) return;  // the scores are in another currency
  v.scored = true;
  {
    auto& st = c.prepare("SELECT count(*) FROM customer_scores WHERE predicted_clv IS NULL");
    detail::StatementReset reset(st);
    st.executeStep();
    v.unscored = st.getColumn(0).getInt64();
  }
  // One double per scored customer: the quantiles need the sorted values.
  std::vector<double> clv;
  auto& st = c.prepare("SELECT predicted_clv FROM customer_scores WHERE predicted_clv IS NOT NULL ORDER BY predicted_clv");
  detail::StatementReset reset(st);
  while (st.executeStep()) clv.push_back(st.getColumn(0).getDouble());
  v.customers = static_cast<std::int64_t>(clv.size());
  for (double x : clv) v.total += x;
  for (double p : {0.1, 0.25, 0.5, 0.75, 0.9, 0.99, 1.0}) {
    // Type-7 quantile of the sorted values.
    double h = (static_cast<double>(clv.size()) - 1) * p;
    auto lo = static_cast<std::size_t>(std::floor(h));
    std::size_t hi = std::min(lo + 1, clv.size() - 1);
    v.quantiles.emplace_back(p == 1.0 ? "max" : "p" + std::to_string(std::lround(p * 100)),
                             clv[lo] + (h - static_cast<double>(lo)) * (clv[hi] - clv[lo]));
  }
}

nlohmann::ordered_json value_json(const Report& r) {
  const ReportValue& v = r.value;
  if (!v.scored) return nullptr;
  nlohmann::ordered_json q = nlohmann::ordered_json::object();
  for (const auto& [name, x] : v.quantiles) q[name] = x;
  return {{"scored_at", instant_text(v.scored_at)},
          {"transaction_model", {{"id", v.transaction_model_id}, {"kind", v.transaction_model}}},
          {"spend_model", {{"id", v.spend_model_id}, {"kind", v.spend_model}}},
          {"horizon", v.horizon},
          {"horizon_unit", v.horizon_unit},
          {"monthly_discount_rate", v.monthly_discount_rate},
          {"currency", v.currency},
          {"customers", v.customers},
          {"customers_without_prediction", v.unscored},
          {"total", v.total},
          {"quantiles", q}};
}

}  // namespace crmkit::reports
