// Top customers by purchases, per currency: a bounded heap per currency over the per-customer
// totals, then the names of the few kept.
#include <algorithm>
#include <map>
#include <queue>

#include "crmkit/money.hpp"
#include "customer_money.hpp"

namespace crmkit::reports {
namespace {

struct Ranked {
  std::int64_t minor, customer_id;
  // Larger revenue first, then the smaller id.
  bool operator<(const Ranked& o) const { return minor != o.minor ? minor > o.minor : customer_id < o.customer_id; }
};

}  // namespace

void read_top_customers(Store& store, Report& r) {
  auto& c = detail::connection_of(store);
  // Per currency a heap whose top is the weakest kept entry (the one to drop).
  std::map<std::string, std::priority_queue<Ranked>> heaps;
  const auto limit = static_cast<std::size_t>(r.options.top);
  for_each_customer_money(c, r.as_of, [&](const CustomerMoney& m) {
    if (m.purchases == 0 || !wanted_currency(r, m.currency)) return;
    auto& h = heaps[m.currency];
    h.push({m.purchases, m.customer_id});
    if (limit != 0 && h.size() > limit) h.pop();
  });
  auto& names = c.prepare("SELECT coalesce(external_id, ''), coalesce(display_name, '') FROM customers WHERE id = ?");
  for (auto& [cur, h] : heaps) {
    std::vector<Ranked> kept;
    for (; !h.empty(); h.pop()) kept.push_back(h.top());
    std::sort(kept.begin(), kept.end());
    int rank = 0;
    for (const auto& k : kept) {
      ReportTopCustomer t{cur, ++rank, k.customer_id, "", "", format_amount(k.minor, cur)};
      detail::StatementReset reset(names);
      names.bind(1, static_cast<std::int64_t>(k.customer_id));
      if (names.executeStep()) {
        t.external_id = names.getColumn(0).getString();
        t.display_name = names.getColumn(1).getString();
      }
      r.top_customers.push_back(std::move(t));
    }
  }
}

nlohmann::ordered_json top_customers_json(const Report& r) {
  nlohmann::ordered_json a = nlohmann::ordered_json::array();
  for (const auto& t : r.top_customers)
    a.push_back({{"currency", t.currency},
                 {"rank", t.rank},
                 {"customer_id", t.customer_id},
                 {"external_id", t.external_id.empty() ? nlohmann::ordered_json() : nlohmann::ordered_json(t.external_id)},
                 {"display_name", t.display_name.empty() ? nlohmann::ordered_json() : nlohmann::ordered_json(t.display_name)},
                 {"revenue", amount_json(t.currency, t.revenue)}});
  return a;
}

}  // namespace crmkit::reports
