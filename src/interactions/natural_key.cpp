#include "interactions/natural_key.hpp"

#include <cstdint>

namespace crmkit::detail {
namespace {

// FNV-1a with the 128-bit parameters (offset basis and prime 2^88 + 2^8 + 0x3b).
class Fnv128 {
 public:
  void byte(unsigned char b) {
    lo_ ^= b;
    // h * (2^88 + 0x13b) mod 2^128, in 64-bit halves.
    const unsigned __int128 low = static_cast<unsigned __int128>(lo_) * 0x13bu;
    const std::uint64_t hi = hi_ * 0x13bu + static_cast<std::uint64_t>(low >> 64) + (lo_ << 24);
    lo_ = static_cast<std::uint64_t>(low);
    hi_ = hi;
  }
  void u64(std::uint64_t v) {
    for (int k = 0; k < 8; ++k) byte(static_cast<unsigned char>(v >> (8 * k)));
  }
  // Present/absent, then the length, then the bytes: no two field lists encode alike.
  void text(const char* s, std::size_t n) {
    byte(1);
    u64(n);
    for (std::size_t k = 0; k < n; ++k) byte(static_cast<unsigned char>(s[k]));
  }
  void text(const std::string& s) { text(s.data(), s.size()); }
  void text(const char* s) { text(std::string(s)); }
  void text(const std::optional<std::string>& s) {
    if (s) text(*s);
    else byte(0);
  }
  void number(const std::optional<std::int64_t>& v) {
    if (!v) return byte(0);
    byte(1);
    u64(static_cast<std::uint64_t>(*v));
  }
  NaturalKey digest() const {
    NaturalKey out{};
    for (int k = 0; k < 8; ++k) {
      out[k] = static_cast<unsigned char>(hi_ >> (56 - 8 * k));
      out[8 + k] = static_cast<unsigned char>(lo_ >> (56 - 8 * k));
    }
    return out;
  }

 private:
  std::uint64_t hi_ = 0x6c62272e07bb0142ULL;
  std::uint64_t lo_ = 0x62b821756295c58dULL;
};

}  // namespace

NaturalKey natural_key(const Interaction& in, const std::optional<std::string>& attributes) {
  Fnv128 h;
  h.byte(1);  // encoding version: a change of fields or order takes a new number
  h.number(in.customer_id);
  h.number(in.occurred_at);
  h.text(to_string(in.channel));
  h.text(to_string(in.kind));
  h.text(to_string(in.direction));
  h.number(in.amount ? std::optional<std::int64_t>(in.amount->minor) : std::nullopt);
  h.text(in.amount ? std::optional<std::string>(in.amount->currency) : std::nullopt);
  h.number(in.margin);
  h.text(in.subject);
  h.text(in.notes);
  h.text(attributes);
  return h.digest();
}

}  // namespace crmkit::detail
