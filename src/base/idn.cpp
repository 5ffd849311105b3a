// Domain names through GNU libidn2: the IDNA rules and Unicode's mapping tables are the
// library's, maintained with each Unicode version, not tables of our own.
#include "base/idn.hpp"

#include <idn2.h>

#include <cstdlib>
#include <memory>

namespace crmkit::detail {

std::optional<std::string> domain_to_ascii(std::string_view domain, std::string* why) {
  bool ascii = true;
  for (unsigned char c : domain) ascii = ascii && c < 0x80;
  if (ascii) {
    std::string out(domain);
    for (char& c : out)
      if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    return out;
  }
  const std::string input(domain);  // libidn2 reads a NUL-terminated string
  char* raw = nullptr;
  const int rc = idn2_to_ascii_8z(input.c_str(), &raw, IDN2_NFC_INPUT | IDN2_NONTRANSITIONAL);
  std::unique_ptr<char, decltype(&idn2_free)> owned(raw, &idn2_free);
  if (rc != IDN2_OK) {
    if (why) *why = idn2_strerror(rc);
    return std::nullopt;
  }
  return std::string(owned.get());
}

}  // namespace crmkit::detail
