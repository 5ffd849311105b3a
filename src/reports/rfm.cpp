// RFM: the stored assignment (customer_rfm) of the last run, per segment: customers, orders
// (purchases in every currency, as the F score counts them) and revenue (purchases in the
// run's currency only, as the M score counts them).
#include <algorithm>
#include <map>

#include "crmkit/money.hpp"
#include "sections.hpp"
#include "value/stored_rfm.hpp"

namespace crmkit::reports {

void read_rfm(Store& store, Report& r) {
  ReportRfm& f = r.rfm;
  const auto run = value_detail::stored_rfm_run(store);
  if (!run) return;
  f.as_of = run->as_of;
  f.map_name = run->map_name;
  f.map_version = run->map_version;
  f.currency = run->currency.empty() ? store.default_currency() : run->currency;
  struct Cell {
    std::int64_t customers = 0, orders = 0;
    MoneySum revenue = 0;
  };
  std::map<std::string, Cell> cells;
  value_detail::each_stored_rfm(store, [&](const value_detail::StoredRfmRow& row) {
    Cell& cell = cells[row.segment];
    ++cell.customers;
    cell.orders += row.frequency;
    cell.revenue += row.monetary;
  });
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
