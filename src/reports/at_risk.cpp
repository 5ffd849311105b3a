// Most at risk: scored customers whose P(alive) is below the threshold but not below the
// "already lost" floor, ranked by value at risk = purchases to date x (1 - P(alive)).
#include <algorithm>
#include <queue>

#include "crmkit/money.hpp"
#include "sections.hpp"

namespace crmkit::reports {
namespace {

struct Candidate {
  double at_risk;
  std::int64_t customer_id;
  // Larger value at risk first, then the smaller id.
  bool operator<(const Candidate& o) const {
    return at_risk != o.at_risk ? at_risk > o.at_risk : customer_id < o.customer_id;
  }
};

}  // namespace

void read_at_risk(Store& store, Report& r) {
  if (!r.value.scored) return;
  auto& c = detail::connection_of(store);
  auto& st = c.prepare(
      "SELECT s.customer_id, coalesce(m.purchase_total, 0), s.p_alive FROM customer_scores s "
      "LEFT JOIN customer_money m ON m.customer_id = s.customer_id AND m.currency = s.currency "
      "WHERE s.predicted_clv IS NOT NULL AND s.p_alive < ? AND s.p_alive >= ?");
  detail::StatementReset reset(st);
  st.bind(1, r.options.at_risk_below);
  st.bind(2, r.options.lost_floor);
  std::priority_queue<Candidate> kept;  // top: the weakest kept candidate
  const auto limit = static_cast<std::size_t>(r.options.top);
  while (st.executeStep()) {
    double past = to_major(st.getColumn(1).getInt64(), r.value.currency);
    kept.push({past * (1 - st.getColumn(2).getDouble()), st.getColumn(0).getInt64()});
    if (limit != 0 && kept.size() > limit) kept.pop();
  }
  std::vector<Candidate> ranked;
  for (; !kept.empty(); kept.pop()) ranked.push_back(kept.top());
  std::sort(ranked.begin(), ranked.end());
  auto& one = c.prepare(
      "SELECT coalesce(cu.external_id, ''), coalesce(m.purchase_total, 0), s.p_alive, s.predicted_clv "
      "FROM customer_scores s JOIN customers cu ON cu.id = s.customer_id "
      "LEFT JOIN customer_money m ON m.customer_id = s.customer_id AND m.currency = s.currency "
      "WHERE s.customer_id = ?");
  for (const auto& k : ranked) {
    detail::StatementReset reset_one(one);
    one.bind(1, static_cast<std::int64_t>(k.customer_id));
    if (!one.executeStep()) continue;
    r.at_risk.push_back({k.customer_id, one.getColumn(0).getString(),
                         format_amount(one.getColumn(1).getInt64(), r.value.currency), one.getColumn(2).getDouble(),
                         one.getColumn(3).getDouble(), k.at_risk});
  }
}

nlohmann::ordered_json at_risk_json(const Report& r) {
  nlohmann::ordered_json a = nlohmann::ordered_json::array();
  for (const auto& x : r.at_risk)
    a.push_back({{"customer_id", x.customer_id},
                 {"external_id", x.external_id.empty() ? nlohmann::ordered_json() : nlohmann::ordered_json(x.external_id)},
                 {"past_spend", amount_json(r.value.currency, x.past_spend)},
                 {"p_alive", x.p_alive},
                 {"predicted_clv", x.predicted_clv},
                 {"value_at_risk", x.value_at_risk}});
  return {{"p_alive_below", r.options.at_risk_below}, {"lost_below", r.options.lost_floor},
          {"currency", r.value.scored ? nlohmann::ordered_json(r.value.currency) : nlohmann::ordered_json()}, {"customers", a}};
}

}  // namespace crmkit::reports
