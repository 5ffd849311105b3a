// crmkit/time.hpp: instants and calendar dates.
//
// An instant is int64 milliseconds since the Unix epoch, UTC. A calendar date is a day number
// (days since 1970-01-01, UTC). Nothing in crmkit reads the clock: every time-dependent call
// takes an explicit as_of.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace crmkit {

using Instant = std::int64_t;  // ms since 1970-01-01T00:00:00Z
using Day = std::int64_t;      // days since 1970-01-01 (UTC)

constexpr std::int64_t kMillisPerDay = 86'400'000;

struct CivilDate {
  int year;
  int month;  // 1..12
  int day;    // 1..31
};

// Day number of a proleptic Gregorian date; date of a day number.
Day day_from_civil(CivilDate date) noexcept;
CivilDate civil_from_day(Day day) noexcept;

// UTC day an instant falls on (floor division, correct before 1970).
inline Day day_of(Instant t) noexcept {
  return t >= 0 ? t / kMillisPerDay : -((-t + kMillisPerDay - 1) / kMillisPerDay);
}
inline Instant start_of_day(Day day) noexcept { return day * kMillisPerDay; }

int days_in_month(int year, int month) noexcept;

// Adds calendar months, clamping the day to the target month's last day
// (2024-08-31 minus 6 months is 2024-02-29, never SQLite's 2024-03-02).
CivilDate add_months(CivilDate date, int months) noexcept;

// Parses "YYYY-MM-DD" strictly (valid calendar date). Throws Error(invalid_argument) naming `what`.
Day parse_date(std::string_view text, std::string_view what = "date");

// Parses an instant: "YYYY-MM-DD" (00:00 UTC of that day), ISO-8601 date-time
// "YYYY-MM-DDTHH:MM[:SS[.fff]][Z|±HH:MM]" (a space may replace T; no offset means UTC),
// or integer epoch milliseconds. Throws Error(invalid_argument) naming `what`.
Instant parse_instant(std::string_view text, std::string_view what = "time");

// A date given where an instant is expected (--as-of, window ends, calibration end) means the
// end of that day: the instant D+1 00:00 UTC.
inline Instant end_of_day(Day day) noexcept { return start_of_day(day + 1); }

// "YYYY-MM-DD" and "YYYY-MM-DDTHH:MM:SS.mmmZ".
std::string format_date(Day day);
std::string format_instant(Instant t);

}  // namespace crmkit
