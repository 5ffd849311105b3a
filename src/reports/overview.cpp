// Overview: customers, interactions, purchases and refunds before as_of, money by currency
// (never added across currencies), customers by lifecycle stage and by country.
#include <algorithm>
#include <map>

#include "customer_money.hpp"
#include "crmkit/money.hpp"

namespace crmkit::reports {

void read_overview(Store& store, Report& r) {
  auto& c = detail::connection_of(store);
  ReportOverview& o = r.overview;
  {
    const bool current = figures_current(c, r.as_of);
    auto& st = c.prepare(
        current
            ? "SELECT coalesce(sum(interaction_count), 0), coalesce(sum(purchase_count), 0), "
              "coalesce(sum(refund_count), 0) FROM customer_figures"
            : "SELECT count(*), coalesce(sum(kind = 'purchase'), 0), coalesce(sum(kind = 'refund'), 0) "
              "FROM interactions WHERE occurred_at < ?");
    detail::StatementReset reset(st);
    if (!current) st.bind(1, static_cast<std::int64_t>(r.as_of));
    st.executeStep();
    o.interactions = st.getColumn(0).getInt64();
    o.purchases = st.getColumn(1).getInt64();
    o.refunds = st.getColumn(2).getInt64();
  }
  std::map<std::string, std::pair<MoneySum, MoneySum>> money;  // currency -> (purchases, refunds)
  for_each_customer_money(c, r.as_of, [&](const CustomerMoney& m) {
    if (!wanted_currency(r, m.currency)) return;
    auto& cell = money[m.currency];
    cell.first += m.purchases;
    cell.second += m.refunds;
  });
  for (const auto& [cur, cell] : money) {
    o.revenue.push_back({cur, format_amount_sum(cell.first, cur)});
    o.refunded.push_back({cur, format_amount_sum(cell.second, cur)});
    o.net.push_back({cur, format_amount_sum(cell.first + cell.second, cur)});
  }
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
  {
    // A count per channel and kind is not kept per customer: this one reads the facts
    // (one pass, memory bounded by the channel x kind cells).
    auto& st = c.prepare(
        "SELECT channel, kind, count(*) FROM interactions WHERE occurred_at < ? GROUP BY channel, kind "
        "ORDER BY channel, kind");
    detail::StatementReset reset(st);
    st.bind(1, static_cast<std::int64_t>(r.as_of));
    while (st.executeStep())
      o.by_channel_kind.push_back({st.getColumn(0).getString(), st.getColumn(1).getString(), st.getColumn(2).getInt64()});
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
