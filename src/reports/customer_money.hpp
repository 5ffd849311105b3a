// Each customer's money per currency as of the report's instant, read from the kept figures
// (customer_money), less the facts at or after as_of when there are any.
#pragma once

#include <functional>

#include "sections.hpp"

namespace crmkit::reports {

struct CustomerMoney {
  std::int64_t customer_id;
  std::string currency;
  std::int64_t purchases;  // minor units, >= 0 (a customer's total fits: customer_money keeps it)
  std::int64_t refunds;    // minor units, <= 0
};

// True when the kept figures are the figures as of `as_of` (no interaction at or after it).
bool figures_current(detail::Connection& c, Instant as_of);

void for_each_customer_money(detail::Connection& c, Instant as_of, const std::function<void(const CustomerMoney&)>& f);

}  // namespace crmkit::reports
