// Per-customer figures (customer_figures, customer_money): incremental upkeep and rebuild.
#pragma once

#include <cstdint>
#include <vector>

#include "crmkit/interaction.hpp"
#include "interactions/followers.hpp"

namespace crmkit::detail {

struct Connection;

// Adds newly inserted interactions to their customers' figures: deltas are aggregated per
// customer in memory and written once per customer. Distinct purchase days (in all currencies
// and per currency) are counted against the purchases stored before these rows (ids below the
// smallest new id). customer_money also keeps each currency's purchase history: first and
// last purchase, purchase days and first-day spend (the kept model inputs).
void apply_figures(Connection& conn, const std::vector<RecordedInteraction>& rows);

// Reads one customer's figures (zeros when it has no interactions).
CustomerFigures read_figures(Connection& conn, std::int64_t customer_id);

// Recomputes both tables from the interactions.
void rebuild_figures(Connection& conn);

// The same for these customers alone (a merge and its undo).
void rebuild_figures_of(Connection& conn, const std::vector<std::int64_t>& customer_ids);

}  // namespace crmkit::detail
