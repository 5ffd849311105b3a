// The summary table of a purchase log (lifetimes' summary_data_from_transaction_data) and its
// calibration/holdout split: the rows grouped by customer (a counting sort for ids from a
// sequence), then one pass per customer. Semantics and their sources: docs/CLV.md, "Plain data".
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

// One kept purchase: its period and amount (0 without amounts). 16 bytes.
struct Slot {
  std::int32_t period;
  double amount;
};

// The kept rows grouped by customer (ascending id), each customer's purchases by period and,
// within a period, in input order (so that sums do not depend on how the rows were grouped).
struct Grouped {
  std::vector<std::int64_t> customer;
  std::vector<std::uint32_t> start;  // customer c's slots are [start[c], start[c + 1]) (rows < 2^32)
  std::vector<Slot> slots;
};

// Puts each customer's slots in period order (stable: input order within a period). A log
// in time order needs no work here.
void order_periods(Grouped& g) {
  for (std::size_t c = 0; c + 1 < g.start.size(); ++c) {
    const auto b = g.slots.begin() + static_cast<std::ptrdiff_t>(g.start[c]);
    const auto e = g.slots.begin() + static_cast<std::ptrdiff_t>(g.start[c + 1]);
    const auto by_period = [](const Slot& x, const Slot& y) { return x.period < y.period; };
    if (!std::is_sorted(b, e, by_period)) std::stable_sort(b, e, by_period);
  }
}

// Customer ids spanning at most about twice the rows (the usual case: ids from a sequence)
// are bucketed directly, a counting sort: two sequential passes, no comparison sort and no
// random reads. Sparse ids (hashes, external numbers) take a sort of (customer, row) pairs.
template <class Keep>
Grouped group_rows(const PurchaseLog& log, TimeUnit unit, Keep&& keep) {
  const bool money = !log.amount.empty();
  std::size_t kept = 0;
  std::int64_t low = 0, high = 0;
  for (std::size_t i = 0; i < log.size(); ++i) {
    if (!keep(i)) continue;
    const std::int64_t c = log.customer[i];
    if (kept == 0 || c < low) low = c;
    if (kept == 0 || c > high) high = c;
    ++kept;
  }
  Grouped g;
  if (kept == 0) {
    g.start.push_back(0);
    return g;
  }
  g.slots.resize(kept);
  // The span as unsigned: high - low may pass INT64_MAX for ids of both signs.
  const std::uint64_t span = static_cast<std::uint64_t>(high) - static_cast<std::uint64_t>(low);
  if (span <= 2 * static_cast<std::uint64_t>(kept) + 1024) {
    std::vector<std::uint32_t> next(static_cast<std::size_t>(span) + 1, 0);  // counts, then positions
    for (std::size_t i = 0; i < log.size(); ++i)
      if (keep(i)) ++next[static_cast<std::size_t>(static_cast<std::uint64_t>(log.customer[i]) - static_cast<std::uint64_t>(low))];
    std::uint32_t at = 0;
    for (std::size_t b = 0; b < next.size(); ++b) {
      if (next[b] == 0) continue;
      g.customer.push_back(static_cast<std::int64_t>(static_cast<std::uint64_t>(low) + b));
      g.start.push_back(at);
      const std::uint32_t count = next[b];
      next[b] = at;
      at += count;
    }
    g.start.push_back(at);
    for (std::size_t i = 0; i < log.size(); ++i) {
      if (!keep(i)) continue;
      std::uint32_t& pos = next[static_cast<std::size_t>(static_cast<std::uint64_t>(log.customer[i]) - static_cast<std::uint64_t>(low))];
      g.slots[pos++] = {period_of(log.at[i], unit), money ? log.amount[i] : 0.0};
    }
  } else {
    struct Entry {
      std::int64_t customer;
      std::uint32_t row;
    };
    std::vector<Entry> e;
    e.reserve(kept);
    for (std::size_t i = 0; i < log.size(); ++i)
      if (keep(i)) e.push_back({log.customer[i], static_cast<std::uint32_t>(i)});
    const auto less = [](const Entry& a, const Entry& b) {
      return a.customer != b.customer ? a.customer < b.customer : a.row < b.row;
    };
    if (!std::is_sorted(e.begin(), e.end(), less)) std::sort(e.begin(), e.end(), less);
    for (std::size_t k = 0; k < e.size(); ++k) {
      if (k == 0 || e[k].customer != e[k - 1].customer) {
        g.customer.push_back(e[k].customer);
        g.start.push_back(static_cast<std::uint32_t>(k));
      }
      g.slots[k] = {period_of(log.at[e[k].row], unit), money ? log.amount[e[k].row] : 0.0};
    }
    g.start.push_back(static_cast<std::uint32_t>(e.size()));
  }
  order_periods(g);
  return g;
}

// Fills `out` from grouped rows; every period is at or before end_period.
void summarise_groups(Grouped& g, bool money, const SummaryOptions& o, std::int32_t end_period,
                      PurchaseSummary& out) {
  const double unit = unit_millis(o.period) * o.periods_per_unit;
  const std::int64_t end_start = period_start(end_period, o.period);
  const std::size_t customers = g.customer.size();
  out.frequency.reserve(customers);
  out.recency.reserve(customers);
  out.T.reserve(customers);
  if (money) out.monetary_value.reserve(customers);
  for (std::size_t c = 0; c < customers; ++c) {
    std::size_t i = g.start[c];
    const std::size_t end = g.start[c + 1];
    const std::int32_t first = g.slots[i].period;
    std::int32_t last = first;
    std::int64_t periods = 0;
    double counted = 0;  // spend of the periods the monetary value averages
    while (i < end) {
      const std::int32_t p = g.slots[i].period;
      double period_spend = 0;
      for (; i < end && g.slots[i].period == p; ++i) period_spend += g.slots[i].amount;
      if (periods > 0 || o.include_first_purchase) counted += period_spend;
      ++periods;
      last = p;
    }
    const std::int64_t first_start = period_start(first, o.period);
    const std::int64_t averaged = o.include_first_purchase ? periods : periods - 1;
    out.frequency.push_back(static_cast<double>(averaged));
    out.recency.push_back(static_cast<double>(period_start(last, o.period) - first_start) / unit);
    out.T.push_back(static_cast<double>(end_start - first_start) / unit);
    if (money) out.monetary_value.push_back(averaged > 0 ? counted / static_cast<double>(averaged) : 0.0);
  }
  out.customer = std::move(g.customer);  // moved, not copied: a million ids are 8 MB
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
  Grouped g = group_rows(log, options.period, [&](std::size_t i) {
    return period_of(log.at[i], options.period) <= end_period;
  });
  out.purchases_left_out = log.size() - g.slots.size();
  summarise_groups(g, !log.amount.empty(), options, end_period, out);
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
  const bool money = !log.amount.empty();
  Grouped cal = group_rows(log, options.period, [&](std::size_t i) { return log.at[i] <= calibration_end; });
  out.calibration.observation_end = calibration_end;
  summarise_groups(cal, money, options, cal_period, out.calibration);
  out.calibration.purchases_left_out = log.size() - cal.slots.size();
  // Holdout: rows in (calibration_end, end], joined onto the calibration customers.
  const Grouped hold = group_rows(log, options.period, [&](std::size_t i) {
    return log.at[i] > calibration_end && log.at[i] <= end;
  });
  if (hold.slots.empty())
    bad(fmt::format("no purchase falls in the holdout ({} .. {}]", format_instant(calibration_end),
                    format_instant(end)));
  const std::size_t n = out.calibration.size();
  out.frequency_holdout.assign(n, 0.0);
  out.monetary_value_holdout.assign(money ? n : 0, 0.0);
  std::size_t h = 0;  // both customer lists ascend: a merge join
  for (std::size_t c = 0; c < n; ++c) {
    const std::int64_t id = out.calibration.customer[c];
    while (h < hold.customer.size() && hold.customer[h] < id) ++h;
    if (h == hold.customer.size() || hold.customer[h] != id) continue;
    std::int64_t periods = 0;
    double spend = 0;
    for (std::size_t i = hold.start[h]; i < hold.start[h + 1]; ++i) {
      if (i == hold.start[h] || hold.slots[i].period != hold.slots[i - 1].period) ++periods;
      spend += hold.slots[i].amount;
    }
    out.frequency_holdout[c] = static_cast<double>(periods);
    // lifetimes averages the holdout rows themselves, not per-period sums.
    if (money) out.monetary_value_holdout[c] = spend / static_cast<double>(hold.start[h + 1] - hold.start[h]);
  }
  out.duration_holdout =
      static_cast<double>(std::int64_t{period_of(end, options.period)} - cal_period) / options.periods_per_unit;
  return out;
}

}  // namespace crmkit::clv
