#include "base/text.hpp"

#include <fmt/format.h>

#include "crmkit/error.hpp"

namespace crmkit::detail {

// Length of the well-formed UTF-8 sequence (RFC 3629: no overlongs, no surrogates, nothing
// above U+10FFFF) starting at p, or 0 when the bytes there are not one. NUL counts as invalid.
std::size_t utf8_sequence_length(const unsigned char* p, const unsigned char* end) noexcept {
  unsigned char c = *p;
  if (c == 0) return 0;
  if (c < 0x80) return 1;
  int n;
  unsigned cp;
  if ((c & 0xE0) == 0xC0) { n = 1; cp = c & 0x1F; }
  else if ((c & 0xF0) == 0xE0) { n = 2; cp = c & 0x0F; }
  else if ((c & 0xF8) == 0xF0) { n = 3; cp = c & 0x07; }
  else return 0;
  if (end - p <= n) return 0;
  for (int i = 1; i <= n; ++i) {
    if ((p[i] & 0xC0) != 0x80) return 0;
    cp = (cp << 6) | (p[i] & 0x3F);
  }
  static constexpr unsigned kMin[] = {0, 0x80, 0x800, 0x10000};
  if (cp < kMin[n] || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return 0;
  return static_cast<std::size_t>(n) + 1;
}

bool is_valid_utf8(std::string_view s) noexcept {
  const auto* p = reinterpret_cast<const unsigned char*>(s.data());
  const auto* end = p + s.size();
  while (p < end) {
    std::size_t n = utf8_sequence_length(p, end);
    if (!n) return false;
    p += n;
  }
  return true;
}

// Messages quote caller input, and they travel on as JSON and into Python strings: they must
// be valid UTF-8 whatever the input was, so bad bytes are escaped and cuts fall between
// characters.
std::string printable(std::string_view s, std::size_t max_chars) {
  const auto* p = reinterpret_cast<const unsigned char*>(s.data());
  const auto* end = p + s.size();
  std::string out;
  for (std::size_t shown = 0; p < end; ++shown) {
    if (shown == max_chars) { out += "..."; break; }
    std::size_t n = utf8_sequence_length(p, end);
    if (n == 0 || *p < 0x20 || *p == 0x7f) {
      out += fmt::format("\\x{:02x}", *p);
      ++p;
    } else {
      out.append(reinterpret_cast<const char*>(p), n);
      p += n;
    }
  }
  return out;
}

void check_text(std::string_view field, std::string_view value, std::size_t max_bytes) {
  if (value.size() > max_bytes)
    throw Error(Errc::invalid_argument,
                fmt::format("{} is {} bytes long; the limit is {}", field, value.size(), max_bytes));
  if (!is_valid_utf8(value))
    throw Error(Errc::invalid_argument, fmt::format("{} is not valid UTF-8 (or contains NUL)", field));
}

std::string_view trim(std::string_view s) noexcept {
  auto ws = [](char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v'; };
  while (!s.empty() && ws(s.front())) s.remove_prefix(1);
  while (!s.empty() && ws(s.back())) s.remove_suffix(1);
  return s;
}

}  // namespace crmkit::detail

namespace crmkit {
std::string printable(std::string_view s, std::size_t max_chars) { return detail::printable(s, max_chars); }
}  // namespace crmkit
