#include "interactions/followers.hpp"

#include "customers/lifecycle.hpp"
#include "interactions/figures.hpp"
#include "points/engine.hpp"

namespace crmkit::detail {

void after_interactions_recorded(Connection& conn, const std::vector<RecordedInteraction>& rows) {
  if (rows.empty()) return;
  apply_figures(conn, rows);
  stages_follow_purchases(conn, rows);     // a purchase makes a lead, prospect or churned a customer
  points::earn_for_recorded(conn, rows);  // loyalty points for enrolled customers
}

}  // namespace crmkit::detail
