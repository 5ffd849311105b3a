// What follows a recorded interaction, in one explicit table: the only file that includes
// several areas. interactions/followers.hpp declares the hook (interactions calls it without
// knowing who follows); this definition sits above interactions, customers and points in the
// layer order (docs/ARCHITECTURE.md), so no area includes one above it.
#include <cstdint>
#include <vector>

#include "customers/lifecycle.hpp"
#include "interactions/figures.hpp"
#include "interactions/followers.hpp"
#include "interactions/month_figures.hpp"
#include "points/engine.hpp"

namespace crmkit::detail {

namespace {

// Customers with a new purchase and its time, each once in first-seen order (rows of one
// customer usually come together, so comparing with the previous id removes most repeats for
// free; a repeat further on is harmless: its stage has moved already).
std::vector<Purchaser> purchasers(const std::vector<RecordedInteraction>& rows) {
  std::vector<Purchaser> out;
  for (const auto& r : rows)
    if (r.kind == InteractionKind::purchase && (out.empty() || out.back().customer_id != r.customer_id))
      out.push_back({r.customer_id, r.occurred_at});
  return out;
}

}  // namespace

void after_interactions_recorded(Connection& conn, const std::vector<RecordedInteraction>& rows) {
  if (rows.empty()) return;
  apply_figures(conn, rows);
  apply_month_figures(conn, rows);  // counts and money per month, kind, channel, currency
  stages_follow_purchases(conn, purchasers(rows));  // a purchase makes a lead, prospect or churned a customer
  points::earn_for_recorded(conn, rows);            // loyalty points for enrolled customers
}

}  // namespace crmkit::detail
