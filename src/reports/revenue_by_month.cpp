// Revenue by calendar month (UTC) and currency: purchases only, refunds are in the overview.
// The one section that reads the facts: it streams the purchases once, keeping one cell per
// month and currency.
#include <cstdio>
#include <map>

#include "crmkit/money.hpp"
#include "sections.hpp"

namespace crmkit::reports {

void read_revenue_by_month(Store& store, Report& r) {
  auto& st = detail::connection_of(store).prepare(
      "SELECT occurred_at, currency, amount FROM interactions WHERE kind = 'purchase' AND occurred_at < ?");
  detail::StatementReset reset(st);
  st.bind(1, static_cast<std::int64_t>(r.as_of));
  std::map<std::pair<std::string, std::string>, std::pair<std::int64_t, MoneySum>> cells;
  while (st.executeStep()) {
    std::string cur = st.getColumn(1).getString();
    if (!wanted_currency(r, cur)) continue;
    CivilDate d = civil_from_day(day_of(st.getColumn(0).getInt64()));
    char month[16];
    std::snprintf(month, sizeof month, "%04d-%02d", d.year, d.month);
    auto& cell = cells[{std::move(cur), month}];
    ++cell.first;
    cell.second += st.getColumn(2).getInt64();
  }
  for (const auto& [key, cell] : cells)
    r.revenue_by_month.push_back({key.first, key.second, cell.first, format_amount_sum(cell.second, key.first)});
}

nlohmann::ordered_json revenue_by_month_json(const Report& r) {
  nlohmann::ordered_json a = nlohmann::ordered_json::array();
  for (const auto& m : r.revenue_by_month)
    a.push_back({{"currency", m.currency}, {"month", m.month}, {"purchases", m.purchases},
                 {"revenue", amount_json(m.currency, m.revenue)}});
  return a;
}

}  // namespace crmkit::reports
