// RFM: the stored assignment (customer_rfm) of the last run, per segment: customers, orders
// (purchases in every currency, as the F score counts them) and revenue (purchases in the
// run's currency only, as the M score counts them).
#include <algorithm>
#include <map>

#include "crmkit/money.hpp"
#include "sections.hpp"

namespace crmkit::reports {

void read_rfm(Store& store, Report& r) {
  auto& c = detail::connection_of(store);
  ReportRfm& f = r.rfm;
  {
    auto& st = c.prepare("SELECT as_of, map_name, map_version, coalesce(currency, '') FROM rfm_run WHERE id = 1");
    detail::StatementReset reset(st);
    if (!st.executeStep()) return;
    detail::get_columns(st, f.as_of, f.map_name, f.map_version, f.currency);
  }
  if (f.currency.empty()) f.currency = store.default_currency();
  struct Cell {
    std::int64_t customers = 0, orders = 0;
    MoneySum revenue = 0;
  };
  std::map<std::string, Cell> cells;
  auto& st = c.prepare("SELECT segment, frequency, monetary FROM customer_rfm");
  detail::StatementReset reset(st);
  while (st.executeStep()) {
    Cell& cell = cells[st.getColumn(0).getString()];
    ++cell.customers;
    cell.orders += st.getColumn(1).getInt64();
    cell.revenue += st.getColumn(2).getInt64();
  }
  f.assigned = !cells.empty();
  for (const auto& [name, cell] : cells)
    f.segments.push_back({name, cell.customers, cell.orders, format_amount_sum(cell.revenue, f.currency)});
  std::stable_sort(f.segments.begin(), f.segments.end(),
                   [](const auto& a, const auto& b) { return a.customers > b.customers; });
}

nlohmann::ordered_json rfm_json(const Report& r) {
  const ReportRfm& f = r.rfm;
  if (!f.assigned) return nullptr;
  nlohmann::ordered_json a = nlohmann::ordered_json::array();
  for (const auto& s : f.segments)
    a.push_back({{"segment", s.segment},
                 {"customers", s.customers},
                 {"frequency_total", s.orders},
                 {"revenue", amount_json(f.currency, s.revenue)}});
  return {{"as_of", instant_text(f.as_of)},
          {"map_name", f.map_name},
          {"map_version", f.map_version},
          {"currency", f.currency},
          {"segments", a}};
}

}  // namespace crmkit::reports
