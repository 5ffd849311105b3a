// How every crmkit command reads a time, or a length of time, from its options. The text is an ISO-8601 instant
// (YYYY-MM-DDTHH:MM[:SS[.fff]][Z|±HH:MM], no offset meaning UTC), epoch milliseconds, or a
// date YYYY-MM-DD; what a date stands for is the option's role, fixed where the option is added
// and stated in its help, so the same text means the same instant in every command.
#pragma once

#include <CLI/CLI.hpp>

#include <optional>
#include <string>

#include "crmkit/store.hpp"
#include "crmkit/time.hpp"

namespace crmkit::cli {

// What a date given for a time option means.
enum class DateMeans {
  first_instant,  // D 00:00 UTC: a --from, the start of a window
  end_of_day,     // D+1 00:00 UTC (the day included): an --as-of, a --to, an event's --at
};

// A time option: its name, its role and the text given (empty when the option was not given).
struct TimeArg {
  std::string option;
  DateMeans date = DateMeans::end_of_day;
  std::string text;

  bool given() const noexcept { return !text.empty(); }
  // True when the text is a date rather than an instant.
  bool is_date() const noexcept;
  // The instant the text names; invalid_argument naming the option when it names none.
  Instant instant() const;
  // instant(), or nullopt when the option was not given.
  std::optional<Instant> instant_if_given() const;
};

// Adds the option `name` that fills `arg`; the help is `what` followed by the role's wording.
// The text is read as the command line is parsed: bad text is refused (invalid_argument naming
// the option) before the command opens a store.
CLI::Option* add_time_option(CLI::App* cmd, TimeArg& arg, const std::string& name, DateMeans date,
                             const std::string& what);

// An --as-of (end_of_day): its instant, or crmkit::default_as_of (the end of the last day with
// data, crmkit/report.hpp) when it was not given.
Instant as_of_or_default(Store& store, const TimeArg& as_of);

// The option's instant, or the system clock's now when it was not given: the library reads no
// clock, the command does for changes a person makes by hand (import, contact points).
Instant given_or_now(const TimeArg& at);

// A length of time from an option: a number, optionally followed by the letter of its unit:
// d (days), w (weeks) or m (months): "90", "90d", "12m", "1.5w".
struct Length {
  double count = 0;
  char unit = 0;  // 'd', 'w', 'm', or 0 when the text names none
};
// invalid_argument naming the option for anything else ("12x", "m12", "", "nan").
Length parse_length(const std::string& text, const std::string& option);

// Adds a whole number of days (--active-days 90, or 90d), read as the command line is parsed:
// other text, another unit or a fraction is refused with invalid_argument naming the option.
CLI::Option* add_days_option(CLI::App* cmd, int& days, const std::string& name, const std::string& what);

}  // namespace crmkit::cli
