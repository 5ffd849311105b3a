#include "crmkit/error.hpp"
#include "crmkit/batch_error.hpp"

#include <limits>

#include "base/text.hpp"

namespace crmkit {

Error::Error(Errc code, const std::string& message)
    : std::runtime_error(detail::is_valid_utf8(message)
                             ? message
                             : detail::printable(message, std::numeric_limits<std::size_t>::max())),
      code_(code) {}

BatchRowError::BatchRowError(Errc code, std::size_t row, const std::string& reason)
    : Error(code, "row " + std::to_string(row) + ": " + reason),
      row_(row),
      prefix_(std::to_string(row).size() + 6) {}

const char* errc_name(Errc code) noexcept {
  switch (code) {
    case Errc::invalid_argument: return "invalid_argument";
    case Errc::not_found: return "not_found";
    case Errc::conflict: return "conflict";
    case Errc::constraint: return "constraint";
    case Errc::busy: return "busy";
    case Errc::io: return "io";
    case Errc::corrupt: return "corrupt";
    case Errc::unsupported_version: return "unsupported_version";
    case Errc::read_only: return "read_only";
    case Errc::no_memory: return "no_memory";
    case Errc::misuse: return "misuse";
    case Errc::internal: return "internal";
  }
  return "unknown";
}

}  // namespace crmkit
