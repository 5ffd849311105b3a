#include "crmkit/time.hpp"

#include <charconv>
#include <limits>

#include <fmt/format.h>

#include "base/checks.hpp"
#include "base/text.hpp"
#include "crmkit/error.hpp"

namespace crmkit {

// Day-number conversions on 400-year eras of 146,097 days (the Gregorian cycle).
Day day_from_civil(CivilDate d) noexcept {
  std::int64_t y = d.year - (d.month <= 2 ? 1 : 0);
  std::int64_t era = (y >= 0 ? y : y - 399) / 400;
  std::int64_t yoe = y - era * 400;                                   // [0, 399]
  std::int64_t mp = (d.month + 9) % 12;                               // March = 0
  std::int64_t doy = (153 * mp + 2) / 5 + d.day - 1;                  // [0, 365]
  std::int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;           // [0, 146096]
  return era * 146097 + doe - 719468;
}

CivilDate civil_from_day(Day z) noexcept {
  z += 719468;
  std::int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  std::int64_t doe = z - era * 146097;
  std::int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  std::int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  std::int64_t mp = (5 * doy + 2) / 153;
  int day = static_cast<int>(doy - (153 * mp + 2) / 5 + 1);
  int month = static_cast<int>(mp < 10 ? mp + 3 : mp - 9);
  int year = static_cast<int>(yoe + era * 400 + (month <= 2 ? 1 : 0));
  return {year, month, day};
}

int days_in_month(int year, int month) noexcept {
  static constexpr int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  bool leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
  return month == 2 && leap ? 29 : kDays[month - 1];
}

CivilDate add_months(CivilDate d, int months) noexcept {
  std::int64_t total = static_cast<std::int64_t>(d.year) * 12 + (d.month - 1) + months;
  int year = static_cast<int>(total >= 0 ? total / 12 : (total - 11) / 12);
  int month = static_cast<int>(total - static_cast<std::int64_t>(year) * 12) + 1;
  int day = std::min(d.day, days_in_month(year, month));
  return {year, month, day};
}

namespace {

[[noreturn]] void bad(std::string_view what, std::string_view text, const char* why) {
  throw Error(Errc::invalid_argument, fmt::format("{} '{}' {}", what, detail::printable(text), why));
}

bool digits(std::string_view s, std::size_t pos, std::size_t n, int& out) {
  if (pos + n > s.size()) return false;
  int v = 0;
  for (std::size_t i = pos; i < pos + n; ++i) {
    if (s[i] < '0' || s[i] > '9') return false;
    v = v * 10 + (s[i] - '0');
  }
  out = v;
  return true;
}

// Parses YYYY-MM-DD at the start of s; returns false if malformed.
bool civil_prefix(std::string_view s, CivilDate& d) {
  int y, m, dd;
  if (!digits(s, 0, 4, y) || s.size() < 10 || s[4] != '-' || !digits(s, 5, 2, m) || s[7] != '-' ||
      !digits(s, 8, 2, dd))
    return false;
  if (m < 1 || m > 12 || dd < 1 || dd > days_in_month(y, m)) return false;
  d = {y, m, dd};
  return true;
}

}  // namespace

Day parse_date(std::string_view text, std::string_view what) {
  CivilDate d{};
  if (text.size() != 10 || !civil_prefix(text, d)) bad(what, text, "is not a calendar date YYYY-MM-DD");
  return day_from_civil(d);
}

namespace {
Instant parse_instant_text(std::string_view text, std::string_view what) {
  if (text.empty()) bad(what, text, "is empty");
  // Epoch milliseconds: an optional sign and digits only.
  // (A '-' only in front: "1997-01-01" is a date, not a malformed number.)
  if (text.find_first_not_of("0123456789", text[0] == '-' ? 1 : 0) == std::string_view::npos) {
    std::int64_t v = 0;
    auto [p, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
    if (ec != std::errc() || p != text.data() + text.size())
      bad(what, text, "is not a date, an ISO-8601 date-time or epoch milliseconds");
    return v;
  }
  CivilDate d{};
  if (!civil_prefix(text, d)) bad(what, text, "is not a date, an ISO-8601 date-time or epoch milliseconds");
  Instant t = start_of_day(day_from_civil(d));
  if (text.size() == 10) return t;
  if (text[10] != 'T' && text[10] != 't' && text[10] != ' ') bad(what, text, "has junk after the date");
  int hh, mm, ss = 0, ms = 0;
  std::size_t pos = 11;
  if (!digits(text, pos, 2, hh) || text.size() < pos + 5 || text[pos + 2] != ':' || !digits(text, pos + 3, 2, mm))
    bad(what, text, "has a malformed time of day (want HH:MM[:SS[.fff]])");
  pos += 5;
  if (pos < text.size() && text[pos] == ':') {
    if (!digits(text, pos + 1, 2, ss)) bad(what, text, "has malformed seconds");
    pos += 3;
    if (pos < text.size() && (text[pos] == '.' || text[pos] == ',')) {
      ++pos;
      int scale = 100, n = 0;
      while (pos < text.size() && text[pos] >= '0' && text[pos] <= '9') {
        // Instants are whole milliseconds: finer digits are refused unless they are zeros
        // (".123000" from a microsecond export), never dropped.
        if (n++ < 3) {
          ms += (text[pos] - '0') * scale;
          scale /= 10;
        } else if (text[pos] != '0') {
          bad(what, text, "has a fraction of a second finer than a millisecond (instants are whole milliseconds)");
        }
        ++pos;
      }
      if (n == 0) bad(what, text, "has an empty fraction of a second");
    }
  }
  if (hh > 23 || mm > 59 || ss > 59) bad(what, text, "has a time of day out of range");
  t += ((hh * 60 + mm) * 60 + ss) * 1000LL + ms;
  if (pos == text.size()) return t;
  if ((text[pos] == 'Z' || text[pos] == 'z') && pos + 1 == text.size()) return t;
  if (text[pos] == '+' || text[pos] == '-') {
    int oh, om;
    int sign = text[pos] == '+' ? 1 : -1;
    bool colon = pos + 3 < text.size() && text[pos + 3] == ':';
    if (!digits(text, pos + 1, 2, oh) || !digits(text, pos + (colon ? 4 : 3), 2, om) ||
        pos + (colon ? 6 : 5) != text.size() || oh > 23 || om > 59)
      bad(what, text, "has a malformed UTC offset (want Z or ±HH:MM)");
    return t - sign * (oh * 60 + om) * 60'000LL;
  }
  bad(what, text, "has junk after the time");
}
}  // namespace

// Every instant the text can spell is checked against the supported years, so whatever
// parse_instant returns, format_instant can print and parse_instant read back.
Instant parse_instant(std::string_view text, std::string_view what) {
  const Instant t = parse_instant_text(text, what);
  if (t < detail::kMinInstant || t > detail::kMaxInstant)
    bad(what, text, "is outside the supported range (years 0001 to 9999)");
  return t;
}

std::string format_date(Day day) {
  CivilDate d = civil_from_day(day);
  return fmt::format("{:04}-{:02}-{:02}", d.year, d.month, d.day);
}

std::string format_instant(Instant t) {
  Day day = day_of(t);
  std::int64_t ms = t - start_of_day(day);
  return fmt::format("{}T{:02}:{:02}:{:02}.{:03}Z", format_date(day), ms / 3'600'000, ms / 60'000 % 60,
                     ms / 1000 % 60, ms % 1000);
}

}  // namespace crmkit
