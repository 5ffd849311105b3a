// Overview: customers, interactions, purchases and refunds before as_of, money by currency
// (never added across currencies), customers by lifecycle stage and by country.
#include <map>

#include "crmkit/money.hpp"
#include "interactions/month_figures.hpp"
#include "sections.hpp"

namespace crmkit::reports {

void read_overview(Store& store, Report& r) {
  auto& c = detail::connection_of(store);
  ReportOverview& o = r.overview;
  // Counts and money from the kept month cells: cost grows with months, not interactions.
  std::map<std::string, std::pair<MoneySum, MoneySum>> money;  // currency -> (purchases, refunds)
  std::map<std::pair<std::string, std::string>, std::int64_t> channel_kind;
  detail::for_each_month_cell(c, r.as_of, [&](const detail::MonthCell& cell) {
    o.interactions += cell.interactions;
    channel_kind[{cell.channel, cell.kind}] += cell.interactions;
    const bool purchase = cell.kind == "purchase", refund = cell.kind == "refund";
    if (purchase) o.purchases += cell.interactions;
    if (refund) o.refunds += cell.interactions;
    if ((purchase || refund) && wanted_currency(r, cell.currency))
      (purchase ? money[cell.currency].first : money[cell.currency].second) += cell.amount;
  });
  for (const auto& [cur, sums] : money) {
    o.revenue.push_back({cur, format_amount_sum(sums.first, cur)});
    o.refunded.push_back({cur, format_amount_sum(sums.second, cur)});
    o.net.push_back({cur, format_amount_sum(sums.first + sums.second, cur)});
  }
  for (const auto& [key, n] : channel_kind) o.by_channel_kind.push_back({key.first, key.second, n});
  {
    auto& st = c.prepare("SELECT lifecycle_stage, count(*) FROM customers WHERE created_at < ? GROUP BY lifecycle_stage");
    detail::StatementReset reset(st);
    st.bind(1, static_cast<std::int64_t>(r.as_of));
    std::map<std::string, std::int64_t> n;
    while (st.executeStep()) n[st.getColumn(0).getString()] = st.getColumn(1).getInt64();
    o.customers = 0;
    // Lifecycle order rather than by size.
    for (const char* stage : {"lead", "prospect", "customer", "churned"}) {
      o.by_stage.push_back({stage, n[stage]});
      o.customers += n[stage];
    }
  }
  {
    auto& st = c.prepare(
        "SELECT coalesce(country, '(unknown)'), count(*) FROM customers WHERE created_at < ? GROUP BY 1 "
        "ORDER BY 2 DESC, 1");
    detail::StatementReset reset(st);
    st.bind(1, static_cast<std::int64_t>(r.as_of));
    while (st.executeStep()) o.by_country.push_back({st.getColumn(0).getString(), st.getColumn(1).getInt64()});
  }
}

nlohmann::ordered_json overview_json(const Report& r) {
  const ReportOverview& o = r.overview;
  auto amounts = [](const std::vector<ReportAmount>& v) {
    nlohmann::ordered_json a = nlohmann::ordered_json::array();
    for (const auto& x : v) a.push_back(amount_json(x.currency, x.amount));
    return a;
  };
  nlohmann::ordered_json stages = nlohmann::ordered_json::object(), countries = nlohmann::ordered_json::array();
  for (const auto& s : o.by_stage) stages[s.name] = s.customers;
  for (const auto& s : o.by_country) countries.push_back({{"country", s.name}, {"customers", s.customers}});
  nlohmann::ordered_json channels = nlohmann::ordered_json::object();
  for (const auto& x : o.by_channel_kind) channels[x.channel][x.kind] = x.interactions;
  return {{"customers", o.customers}, {"interactions", o.interactions}, {"purchases", o.purchases},
          {"refunds", o.refunds},     {"revenue", amounts(o.revenue)},  {"refunded", amounts(o.refunded)},
          {"net_revenue", amounts(o.net)}, {"customers_by_stage", stages}, {"customers_by_country", countries},
          {"interactions_by_channel_kind", channels}};
}

}  // namespace crmkit::reports
