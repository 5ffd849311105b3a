// Fuzzes the reading of contact point values (crmkit::normalize_contact), every type and a few
// default regions. Whatever the bytes, the outcome is a reading or Error(invalid_argument);
// a reading is valid UTF-8 and not empty, the canonical spelling reads back as itself with the
// same match key (so a stored value always re-reads to the key it was stored under), and an
// email's key has an ASCII domain.
#include <cstdlib>
#include <string>

#include "base/text.hpp"
#include "crmkit/contact_point.hpp"
#include "crmkit/error.hpp"

using namespace crmkit;

namespace {
void require(bool ok) {
  if (!ok) std::abort();
}
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 1) return 0;
  static const ContactType types[] = {ContactType::email, ContactType::phone, ContactType::address, ContactType::url,
                                      ContactType::social};
  static const char* regions[] = {"", "US", "IT", "GB"};
  const ContactType type = types[data[0] % 5];
  const std::string region = regions[(data[0] / 5) % 4];
  const std::string value(reinterpret_cast<const char*>(data + 1), size - 1);
  ContactValue v;
  try {
    v = normalize_contact(type, value, region);
  } catch (const Error& e) {
    require(e.code() == Errc::invalid_argument);
    return 0;
  }
  require(!v.normalized.empty() && !v.match_key.empty());
  require(detail::is_valid_utf8(v.normalized) && detail::is_valid_utf8(v.match_key));
  const ContactValue again = normalize_contact(type, v.normalized, region);
  require(again.normalized == v.normalized);
  require(again.match_key == v.match_key);
  if (type == ContactType::email) {
    const auto at = v.match_key.find('@');
    require(at != std::string::npos);
    for (std::size_t i = at + 1; i < v.match_key.size(); ++i)
      require(static_cast<unsigned char>(v.match_key[i]) < 0x80);
  }
  return 0;
}
