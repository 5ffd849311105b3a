// The one scan of a currency's purchases in (customer, time) order, for the readers that need
// each purchase (model inputs beyond the kept histories, the store's repeat-purchase chart):
// memory is bounded by what the caller keeps, not by the purchases.
#pragma once

#include <cstdint>
#include <string>

#include "crmkit/time.hpp"
#include "store/connection.hpp"

namespace crmkit::value_detail {

// Calls row(customer_id, occurred_at, amount_minor) for each purchase in `currency` before `end`.
template <class Row>
void each_purchase(detail::Connection& c, const std::string& currency, Instant end, Row&& row) {
  auto& st = c.prepare(
      "SELECT customer_id, occurred_at, amount FROM interactions "
      "WHERE kind = 'purchase' AND currency = ?1 AND occurred_at < ?2 "
      "ORDER BY customer_id, occurred_at");
  detail::StatementReset reset_st(st);
  detail::bind_all(st, currency, end);
  while (st.executeStep())
    row(st.getColumn(0).getInt64(), static_cast<Instant>(st.getColumn(1).getInt64()), st.getColumn(2).getInt64());
}

}  // namespace crmkit::value_detail
