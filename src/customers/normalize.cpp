// Email normalisation: one canonical spelling per address, so that lookups and duplicate
// checks compare like with like. Phone numbers: phone.cpp.
#include <fmt/format.h>

#include "base/text.hpp"
#include "crmkit/customer.hpp"
#include "crmkit/error.hpp"

namespace crmkit {

namespace {

[[noreturn]] void bad(const char* field, std::string_view text, const std::string& why) {
  throw Error(Errc::invalid_argument, fmt::format("{} '{}' {}", field, detail::printable(text), why));
}

bool is_ascii_alnum(unsigned char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

}  // namespace

std::string normalize_email(const std::string& text) {
  detail::check_text("email", text, 1000);
  std::string_view t = detail::trim(text);
  if (t.empty()) bad("email", text, "is empty");
  if (t.size() > 254) bad("email", text, fmt::format("is {} bytes long; the limit is 254", t.size()));
  std::string s;
  s.reserve(t.size());
  for (char c : t) s += (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
  auto at = s.find('@');
  if (at == std::string::npos) bad("email", text, "has no '@'");
  if (s.find('@', at + 1) != std::string::npos) bad("email", text, "has more than one '@'");
  std::string_view local(s.data(), at), domain(s.data() + at + 1, s.size() - at - 1);
  if (local.empty()) bad("email", text, "has nothing before the '@'");
  if (local.size() > 64) bad("email", text, "has a local part longer than 64 bytes");
  if (local.front() == '.' || local.back() == '.' || local.find("..") != std::string_view::npos)
    bad("email", text, "has a misplaced '.' before the '@'");
  for (unsigned char c : local)
    if (c <= 0x20 || c == 0x7f || std::string_view("()<>[]\\,;:\"").find(static_cast<char>(c)) != std::string_view::npos)
      bad("email", text, fmt::format("contains the character '{}' before the '@'",
                                     detail::printable(std::string(1, static_cast<char>(c)))));
  if (domain.empty()) bad("email", text, "has no domain after the '@'");
  if (domain.find('.') == std::string_view::npos) bad("email", text, "has a domain without a '.'");
  // Labels: letters, digits and hyphens (non-ASCII allowed for internationalised domains),
  // not empty, not starting or ending with a hyphen.
  std::size_t start = 0;
  while (start <= domain.size()) {
    std::size_t dot = domain.find('.', start);
    if (dot == std::string_view::npos) dot = domain.size();
    std::string_view label = domain.substr(start, dot - start);
    if (label.empty()) bad("email", text, "has an empty domain label");
    if (label.size() > 63) bad("email", text, "has a domain label longer than 63 bytes");
    if (label.front() == '-' || label.back() == '-') bad("email", text, "has a domain label starting or ending with '-'");
    for (unsigned char c : label)
      if (!(is_ascii_alnum(c) || c == '-' || c >= 0x80))
        bad("email", text, fmt::format("contains the character '{}' in its domain",
                                       detail::printable(std::string(1, static_cast<char>(c)))));
    start = dot + 1;
  }
  return s;
}

}  // namespace crmkit
