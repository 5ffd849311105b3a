// Counts and money of the interactions per calendar month (UTC), kind, channel and currency
// (interaction_months, migration 0009): kept current with every recorded interaction, so that
// reads across every customer cost months x cells, not interactions.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "crmkit/money.hpp"
#include "interactions/followers.hpp"

namespace crmkit::detail {

struct Connection;

// Months are numbered year * 12 + month - 1 (UTC calendar).
std::int64_t month_of(Instant t) noexcept;
Instant month_start(std::int64_t month) noexcept;

struct MonthCell {
  std::int64_t month = 0;
  std::string kind, channel;
  std::string currency;  // empty for interactions without an amount
  std::int64_t interactions = 0;
  MoneySum amount = 0;  // minor units; a sum over customers may pass int64
};

// Adds newly inserted interactions to their cells, in the recording transaction. Throws
// Error(invalid_argument) rather than let a cell's sum overflow.
void apply_month_figures(Connection& conn, const std::vector<RecordedInteraction>& rows);

// Recomputes the table from the interactions.
void rebuild_month_figures(Connection& conn);

// Every cell of the interactions before `as_of`: whole months from the kept table, and the
// month `as_of` cuts (when a fact lies at or after as_of in it) from its interactions before
// as_of, through the occurred_at index. Memory and cost are bounded by cells plus one month.
void for_each_month_cell(Connection& conn, Instant as_of, const std::function<void(const MonthCell&)>& f);

}  // namespace crmkit::detail
