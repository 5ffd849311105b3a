// Keyed digests and fresh random bytes, for the suppression list (docs/PRIVACY.md): a
// suppressed email or phone is kept only as HMAC-SHA-256(store salt, match key), so the list
// can be compared with but not read back. Nettle (GnuTLS's crypto library) computes the
// digest; the kernel's random source (getrandom) gives the salt. Only digest.cpp includes them.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace crmkit::detail {

// HMAC-SHA-256 of `message` under `key`, as 64 lower-case hexadecimal digits.
std::string hmac_sha256_hex(std::string_view key, std::string_view message);

// `bytes` bytes from the kernel's cryptographic random source, as 2 * bytes lower-case
// hexadecimal digits. Throws Error(io) if the source fails (it blocks only until the kernel's
// pool is first seeded at boot).
std::string random_hex(std::size_t bytes);

}  // namespace crmkit::detail
