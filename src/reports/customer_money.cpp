#include "customer_money.hpp"

namespace crmkit::reports {

bool figures_current(detail::Connection& c, Instant as_of) {
  auto& st = c.prepare("SELECT coalesce(max(last_interaction_at), 0) < ? FROM customer_figures");
  detail::StatementReset reset(st);
  st.bind(1, static_cast<std::int64_t>(as_of));
  st.executeStep();
  return st.getColumn(0).getInt() != 0;
}

void for_each_customer_money(detail::Connection& c, Instant as_of, const std::function<void(const CustomerMoney&)>& f) {
  const bool current = figures_current(c, as_of);
  // Before as_of, a customer's money is its kept totals less its facts at or after as_of (read
  // through the occurred_at index): the cost grows with customers and the facts after as_of,
  // never with the whole history. A customer appears when it has money facts before as_of.
  // Those sums are parts of the kept totals, so they fit int64 too.
  auto& st = c.prepare(current
                           ? "SELECT customer_id, currency, purchase_total, refund_total FROM customer_money"
                           : "SELECT m.customer_id, m.currency, m.purchase_total - coalesce(l.purchases, 0), "
                             "m.refund_total - coalesce(l.refunds, 0) FROM customer_money m LEFT JOIN "
                             "(SELECT customer_id, currency, "
                             "coalesce(sum(CASE WHEN kind = 'purchase' THEN amount END), 0) AS purchases, "
                             "coalesce(sum(CASE WHEN kind = 'refund' THEN amount END), 0) AS refunds, "
                             "count(*) AS n FROM interactions WHERE occurred_at >= ?1 AND amount IS NOT NULL "
                             "GROUP BY customer_id, currency) l "
                             "ON l.customer_id = m.customer_id AND l.currency = m.currency "
                             "WHERE l.n IS NULL OR EXISTS (SELECT 1 FROM interactions i WHERE i.customer_id = "
                             "m.customer_id AND i.occurred_at < ?1 AND i.currency = m.currency)");
  detail::StatementReset reset(st);
  if (!current) st.bind(1, static_cast<std::int64_t>(as_of));
  while (st.executeStep())
    f(CustomerMoney{st.getColumn(0).getInt64(), st.getColumn(1).getString(), st.getColumn(2).getInt64(),
                    st.getColumn(3).getInt64()});
}

}  // namespace crmkit::reports
