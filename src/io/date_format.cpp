#include "crmkit/date_format.hpp"

#include <cstdio>

#include "base/text.hpp"
#include "crmkit/error.hpp"

namespace crmkit::io {
namespace {
constexpr const char* kDirectives = "YmdHMS";  // the order of the parts below
}  // namespace

DateFormat::DateFormat(std::string pattern) : pattern_(std::move(pattern)) {
  std::string seen;
  for (std::size_t i = 0; i < pattern_.size(); ++i) {
    if (pattern_[i] != '%') continue;
    if (++i == pattern_.size()) bad_pattern("ends with a lone '%'");
    const char d = pattern_[i];
    if (d == '%') continue;
    if (d == '\0' || std::string(kDirectives).find(d) == std::string::npos)
      bad_pattern(std::string("has '%") + detail::printable(std::string(1, d)) + "': only %Y %m %d %H %M %S and %% are known");
    if (seen.find(d) != std::string::npos) bad_pattern(std::string("has '%") + d + "' twice");
    seen += d;
  }
  for (char d : {'Y', 'm', 'd'})
    if (seen.find(d) == std::string::npos) bad_pattern(std::string("lacks '%") + d + "' (a date needs %Y, %m and %d)");
  if ((seen.find('S') != std::string::npos && seen.find('M') == std::string::npos) ||
      (seen.find('M') != std::string::npos && seen.find('H') == std::string::npos))
    bad_pattern("gives minutes or seconds without the larger units (%H, %H %M)");
}

Instant DateFormat::parse(const std::string& text, const char* field) const {
  int part[6] = {0, 1, 1, 0, 0, 0};  // Y m d H M S
  std::size_t t = 0;
  for (std::size_t i = 0; i < pattern_.size(); ++i) {
    const char p = pattern_[i];
    if (p == '%' && pattern_[i + 1] != '%') {
      const char d = pattern_[++i];
      const std::size_t width = d == 'Y' ? 4 : 2;
      int v = 0;
      for (std::size_t k = 0; k < width; ++k, ++t) {
        if (t >= text.size() || text[t] < '0' || text[t] > '9') mismatch(text, field);
        v = v * 10 + (text[t] - '0');
      }
      part[std::string(kDirectives).find(d)] = v;
      continue;
    }
    if (p == '%') ++i;  // "%%" is a literal '%'
    if (t >= text.size() || text[t] != p) mismatch(text, field);
    ++t;
  }
  if (t != text.size()) mismatch(text, field);
  // The calendar and clock checks are parse_instant's: 2024-02-30 or 24:00 are refused there.
  char iso[32];
  std::snprintf(iso, sizeof iso, "%04d-%02d-%02dT%02d:%02d:%02dZ", part[0], part[1], part[2], part[3], part[4], part[5]);
  try {
    return parse_instant(iso, field);
  } catch (const Error&) {
    throw Error(Errc::invalid_argument, std::string(field) + " '" + detail::printable(text) + "' read with --date-format '" +
                                            detail::printable(pattern_) + "' is not a valid date and time (" + iso + ")");
  }
}

void DateFormat::bad_pattern(const std::string& why) const {
  throw Error(Errc::invalid_argument, "--date-format '" + detail::printable(pattern_) + "' " + why);
}

void DateFormat::mismatch(const std::string& text, const char* field) const {
  throw Error(Errc::invalid_argument, std::string(field) + " '" + detail::printable(text) + "' does not match --date-format '" +
                                          detail::printable(pattern_) + "'");
}

}  // namespace crmkit::io
