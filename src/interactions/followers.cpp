#include "interactions/followers.hpp"

#include "interactions/figures.hpp"
#include "points/engine.hpp"

namespace crmkit::detail {

void after_interactions_recorded(Connection& conn, const std::vector<RecordedInteraction>& rows) {
  if (rows.empty()) return;
  apply_figures(conn, rows);
  points::earn_for_recorded(conn, rows);  // loyalty points for enrolled customers
}

}  // namespace crmkit::detail
