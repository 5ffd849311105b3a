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
  // A customer's sums before as_of are parts of its kept totals, so they fit int64 too.
  auto& st = c.prepare(current
                           ? "SELECT customer_id, currency, purchase_total, refund_total FROM customer_money"
                           : "SELECT customer_id, currency, "
                             "coalesce(sum(CASE WHEN kind = 'purchase' THEN amount END), 0), "
                             "coalesce(sum(CASE WHEN kind = 'refund' THEN amount END), 0) FROM interactions "
                             "WHERE occurred_at < ? AND amount IS NOT NULL GROUP BY customer_id, currency");
  detail::StatementReset reset(st);
  if (!current) st.bind(1, static_cast<std::int64_t>(as_of));
  while (st.executeStep())
    f(CustomerMoney{st.getColumn(0).getInt64(), st.getColumn(1).getString(), st.getColumn(2).getInt64(),
                    st.getColumn(3).getInt64()});
}

}  // namespace crmkit::reports
