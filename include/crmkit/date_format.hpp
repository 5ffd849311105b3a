// crmkit/date_format.hpp: the --date-format of crmkit import: dates and times as another system writes them.
#pragma once

#include <string>

#include "crmkit/time.hpp"

namespace crmkit::io {

// A pattern of %Y (4 digits), %m %d %H %M %S (2 digits each), %% and literal characters.
// Every directive reads a fixed number of digits, so a text matches one way or not at all (no
// ambiguous reading of "1/2/2024"); the date must be complete (%Y, %m and %d), and a time is
// read only as far as given (%H, %H %M or %H %M %S; missing parts are 0). Times are UTC.
class DateFormat {
 public:
  DateFormat() = default;
  // invalid_argument naming the pattern: an unknown directive, one given twice, a lone '%',
  // no %Y/%m/%d, minutes without hours or seconds without minutes.
  explicit DateFormat(std::string pattern);
  bool given() const noexcept { return !pattern_.empty(); }
  const std::string& pattern() const noexcept { return pattern_; }

  // The instant `text` names (UTC); invalid_argument naming `field` when the text does not
  // match the pattern or names no real date and time (2024-02-30, hour 24).
  Instant parse(const std::string& text, const char* field) const;

 private:
  [[noreturn]] void bad_pattern(const std::string& why) const;
  [[noreturn]] void mismatch(const std::string& text, const char* field) const;
  std::string pattern_;
};

}  // namespace crmkit::io
