#include "interactions/followers.hpp"

#include "interactions/figures.hpp"

namespace crmkit::detail {

void after_interactions_recorded(Connection& conn, const std::vector<RecordedInteraction>& rows) {
  if (rows.empty()) return;
  apply_figures(conn, rows);
}

}  // namespace crmkit::detail
