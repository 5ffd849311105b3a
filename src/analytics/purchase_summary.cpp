// The summary table of a purchase log (lifetimes' summary_data_from_transaction_data) and its
// calibration/holdout split: one sort of compact (customer, period, row) entries, then one
// pass per customer. Semantics and their sources: docs/CLV.md, "Plain data".
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <vector>

#include <fmt/format.h>

#include "base/checks.hpp"
#include "crmkit/clv.hpp"
#include "crmkit/time.hpp"

namespace crmkit::clv {

namespace {

[[noreturn]] void bad(const std::string& message) { throw Error(Errc::invalid_argument, message); }

constexpr std::int64_t kMillisPerHour = 3'600'000;
// lifetimes divides by np.timedelta64(1, freq); pandas 1.x converts one numpy month to
// 2,629,746 s (365.2425 / 12 days).
constexpr double kMillisPerMonth = 2'629'746'000.0;

std::int64_t floor_div(std::int64_t a, std::int64_t b) noexcept {
  const std::int64_t q = a / b;
  return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q;
}

// The number of the calendar period holding instant t (UTC). Weeks run Monday..Sunday as
// pandas' 'W' (W-SUN) periods; 1970-01-01 was a Thursday, so day + 3 counts from a Monday.
// Every period number of an instant in 0001..9999 fits in 32 bits (hours: about +-71 million).
std::int32_t period_of(std::int64_t t, TimeUnit unit) noexcept {
  switch (unit) {
    case TimeUnit::hour: return static_cast<std::int32_t>(floor_div(t, kMillisPerHour));
    case TimeUnit::day: return static_cast<std::int32_t>(day_of(t));
    case TimeUnit::week: return static_cast<std::int32_t>(floor_div(day_of(t) + 3, 7));
    case TimeUnit::month: {
      const CivilDate c = civil_from_day(day_of(t));
      return c.year * 12 + (c.month - 1);
    }
  }
  return 0;
}

// The first instant of period p.
std::int64_t period_start(std::int32_t p, TimeUnit unit) noexcept {
  switch (unit) {
    case TimeUnit::hour: return std::int64_t{p} * kMillisPerHour;
    case TimeUnit::day: return start_of_day(p);
    case TimeUnit::week: return start_of_day(std::int64_t{p} * 7 - 3);
    case TimeUnit::month: {
      const int year = static_cast<int>(floor_div(p, 12));
      const int month = static_cast<int>(p - std::int64_t{year} * 12) + 1;
      return start_of_day(day_from_civil({year, month, 1}));
    }
  }
  return 0;
}

double unit_millis(TimeUnit unit) noexcept {
  switch (unit) {
    case TimeUnit::hour: return static_cast<double>(kMillisPerHour);
    case TimeUnit::day: return static_cast<double>(kMillisPerDay);
    case TimeUnit::week: return 7.0 * static_cast<double>(kMillisPerDay);
    case TimeUnit::month: return kMillisPerMonth;
  }
  return 1;
}

void check_log(const PurchaseLog& log, const SummaryOptions& options) {
  const std::size_t n = log.customer.size();
  if (log.at.size() != n)
    bad(fmt::format("purchase log: customer and at must have equal lengths (got {} and {})", n,
                    log.at.size()));
  if (!log.amount.empty() && log.amount.size() != n)
    bad(fmt::format("purchase log: amount has {} values for {} rows (give one per row or none)",
                    log.amount.size(), n));
  if (n == 0) bad("purchase log: no purchases");
  if (n >= std::numeric_limits<std::uint32_t>::max())
    bad(fmt::format("purchase log: {} rows is more than a summary takes (at most 4294967294)", n));
  if (!std::isfinite(options.periods_per_unit) || !(options.periods_per_unit > 0))
    bad(fmt::format("periods_per_unit = {} must be finite and > 0", options.periods_per_unit));
  if (options.observation_end) detail::check_instant("observation_end", *options.observation_end);
  for (std::size_t i = 0; i < n; ++i) {
    const std::int64_t t = log.at[i];
    if (t < detail::kMinInstant || t > detail::kMaxInstant)
      bad(fmt::format("at[{}] = {} is outside 0001-01-01 .. 9999-12-31 (epoch milliseconds)", i, t));
  }
  for (std::size_t i = 0; i < log.amount.size(); ++i) {
    const double a = log.amount[i];
    if (std::isnan(a)) bad(fmt::format("amount[{}] is NaN", i));
    if (!std::isfinite(a)) bad(fmt::format("amount[{}] = {} is not finite", i, a));
    if (a < 0) bad(fmt::format("amount[{}] = {} is negative (refunds are not purchases)", i, a));
  }
}

// 16 bytes: the sort moves little memory; the amount is read through `row`.
struct Entry {
  std::int64_t customer;
  std::int32_t period;
  std::uint32_t row;
};

bool entry_less(const Entry& a, const Entry& b) noexcept {
  return a.customer != b.customer ? a.customer < b.customer : a.period < b.period;
}

// The entries of the rows `keep` accepts, sorted by (customer, period). A log already in that
// order (exported per customer, in time) is not sorted again.
template <class Keep>
std::vector<Entry> sorted_entries(const PurchaseLog& log, TimeUnit unit, Keep&& keep) {
  std::vector<Entry> e;
  e.reserve(log.size());
  for (std::size_t i = 0; i < log.size(); ++i)
    if (keep(i)) e.push_back({log.customer[i], period_of(log.at[i], unit), static_cast<std::uint32_t>(i)});
  if (!std::is_sorted(e.begin(), e.end(), entry_less)) std::sort(e.begin(), e.end(), entry_less);
  return e;
}

// Fills `out` from sorted entries; every entry's period is at or before end_period.
void summarise_entries(const std::vector<Entry>& e, const PurchaseLog& log, const SummaryOptions& o,
                       std::int32_t end_period, PurchaseSummary& out) {
  const bool money = !log.amount.empty();
  const double unit = unit_millis(o.period) * o.periods_per_unit;
  const std::int64_t end_start = period_start(end_period, o.period);
  std::size_t customers = 0;
  for (std::size_t i = 0; i < e.size(); ++i)
    if (i == 0 || e[i].customer != e[i - 1].customer) ++customers;
  out.customer.reserve(customers);
  out.frequency.reserve(customers);
  out.recency.reserve(customers);
  out.T.reserve(customers);
  if (money) out.monetary_value.reserve(customers);
  std::size_t i = 0;
  while (i < e.size()) {
    const std::int64_t id = e[i].customer;
    const std::int32_t first = e[i].period;
    std::int32_t last = first;
    std::int64_t periods = 0;
    double counted = 0;  // spend of the periods the monetary value averages
    while (i < e.size() && e[i].customer == id) {
      const std::int32_t p = e[i].period;
      double period_spend = 0;
      while (i < e.size() && e[i].customer == id && e[i].period == p) {
        if (money) period_spend += log.amount[e[i].row];
        ++i;
      }
      if (periods > 0 || o.include_first_purchase) counted += period_spend;
      ++periods;
      last = p;
    }
    const std::int64_t first_start = period_start(first, o.period);
    const std::int64_t averaged = o.include_first_purchase ? periods : periods - 1;
    out.customer.push_back(id);
    out.frequency.push_back(static_cast<double>(averaged));
    out.recency.push_back(static_cast<double>(period_start(last, o.period) - first_start) / unit);
    out.T.push_back(static_cast<double>(end_start - first_start) / unit);
    if (money) out.monetary_value.push_back(averaged > 0 ? counted / static_cast<double>(averaged) : 0.0);
  }
}

std::int64_t latest(const PurchaseLog& log) {
  return *std::max_element(log.at.begin(), log.at.end());
}
std::int64_t earliest(const PurchaseLog& log) {
  return *std::min_element(log.at.begin(), log.at.end());
}

}  // namespace

Histories PurchaseSummary::histories() const {
  Histories h;
  h.x = frequency;
  h.t_x = recency;
  h.T = T;
  return h;
}

SpendHistories PurchaseSummary::repeat_spend(std::vector<std::int64_t>* customer_of) const {
  if (monetary_value.size() != size())
    throw Error(Errc::invalid_argument, "repeat_spend: the summary has no monetary value (the log had no amounts)");
  SpendHistories s;
  if (customer_of) customer_of->clear();
  for (std::size_t i = 0; i < size(); ++i) {
    if (!(frequency[i] > 0) || !(monetary_value[i] > 0)) continue;
    s.x.push_back(frequency[i]);
    s.mean_spend.push_back(monetary_value[i]);
    if (customer_of) customer_of->push_back(customer[i]);
  }
  return s;
}

PurchaseSummary summarise_purchases(const PurchaseLog& log, const SummaryOptions& options) {
  check_log(log, options);
  const std::int64_t first_purchase = earliest(log);
  const std::int64_t end = options.observation_end ? *options.observation_end : latest(log);
  const std::int32_t end_period = period_of(end, options.period);
  if (end_period < period_of(first_purchase, options.period))
    bad(fmt::format("observation_end {} is before the first purchase ({}, in a later {})",
                    format_instant(end), format_instant(first_purchase), to_string(options.period)));
  PurchaseSummary out;
  out.observation_end = end;
  const auto e = sorted_entries(log, options.period, [&](std::size_t i) {
    return period_of(log.at[i], options.period) <= end_period;
  });
  out.purchases_left_out = log.size() - e.size();
  summarise_entries(e, log, options, end_period, out);
  return out;
}

CalibrationHoldout calibration_and_holdout(const PurchaseLog& log, std::int64_t calibration_end,
                                           const SummaryOptions& options) {
  check_log(log, options);
  detail::check_instant("calibration_end", calibration_end);
  const std::int64_t end = options.observation_end ? *options.observation_end : latest(log);
  if (end <= calibration_end)
    bad(fmt::format("observation_end {} must be after calibration_end {}", format_instant(end),
                    format_instant(calibration_end)));
  const std::int64_t first_purchase = earliest(log);
  if (calibration_end < first_purchase)
    bad(fmt::format("calibration_end {} is before the first purchase ({}): the calibration period is empty",
                    format_instant(calibration_end), format_instant(first_purchase)));
  CalibrationHoldout out;
  out.calibration_end = calibration_end;
  out.observation_end = end;
  // Calibration: the rows at or before calibration_end (instants, as lifetimes filters), with
  // calibration_end as their observation end.
  const std::int32_t cal_period = period_of(calibration_end, options.period);
  const auto cal = sorted_entries(log, options.period, [&](std::size_t i) { return log.at[i] <= calibration_end; });
  out.calibration.observation_end = calibration_end;
  summarise_entries(cal, log, options, cal_period, out.calibration);
  out.calibration.purchases_left_out = log.size() - cal.size();
  // Holdout: rows in (calibration_end, end], joined onto the calibration customers.
  const auto hold = sorted_entries(log, options.period, [&](std::size_t i) {
    return log.at[i] > calibration_end && log.at[i] <= end;
  });
  if (hold.empty())
    bad(fmt::format("no purchase falls in the holdout ({} .. {}]", format_instant(calibration_end),
                    format_instant(end)));
  const bool money = !log.amount.empty();
  const std::size_t n = out.calibration.size();
  out.frequency_holdout.assign(n, 0.0);
  out.monetary_value_holdout.assign(money ? n : 0, 0.0);
  std::size_t j = 0;  // both lists ascend by customer: a merge join
  for (std::size_t c = 0; c < n; ++c) {
    const std::int64_t id = out.calibration.customer[c];
    while (j < hold.size() && hold[j].customer < id) ++j;
    std::int64_t periods = 0, rows = 0;
    double spend = 0;
    std::int32_t previous = 0;
    while (j < hold.size() && hold[j].customer == id) {
      if (rows == 0 || hold[j].period != previous) ++periods;
      previous = hold[j].period;
      if (money) spend += log.amount[hold[j].row];
      ++rows;
      ++j;
    }
    out.frequency_holdout[c] = static_cast<double>(periods);
    if (money && rows > 0) out.monetary_value_holdout[c] = spend / static_cast<double>(rows);
  }
  out.duration_holdout =
      static_cast<double>(std::int64_t{period_of(end, options.period)} - cal_period) / options.periods_per_unit;
  return out;
}

}  // namespace crmkit::clv
