// Revenue by calendar month (UTC) and currency: purchases only, refunds are in the overview.
// Read from the kept month cells (interactions/month_figures.hpp), one row per month and cell.
#include <cstdio>
#include <map>

#include "crmkit/money.hpp"
#include "interactions/month_figures.hpp"
#include "sections.hpp"

namespace crmkit::reports {

void read_revenue_by_month(Store& store, Report& r) {
  std::map<std::pair<std::string, std::int64_t>, std::pair<std::int64_t, MoneySum>> cells;  // (currency, month)
  detail::for_each_month_cell(detail::connection_of(store), r.as_of, [&](const detail::MonthCell& c) {
    if (c.kind != "purchase" || !wanted_currency(r, c.currency)) return;
    auto& cell = cells[{c.currency, c.month}];
    cell.first += c.interactions;
    cell.second += c.amount;
  });
  for (const auto& [key, cell] : cells) {
    char month[16];
    std::snprintf(month, sizeof month, "%04d-%02d", static_cast<int>(key.second / 12),
                  static_cast<int>(key.second % 12 + 1));
    r.revenue_by_month.push_back({key.first, month, cell.first, format_amount_sum(cell.second, key.first)});
  }
}

nlohmann::ordered_json revenue_by_month_json(const Report& r) {
  nlohmann::ordered_json a = nlohmann::ordered_json::array();
  for (const auto& m : r.revenue_by_month)
    a.push_back({{"currency", m.currency}, {"month", m.month}, {"purchases", m.purchases},
                 {"revenue", amount_json(m.currency, m.revenue)}});
  return a;
}

}  // namespace crmkit::reports
