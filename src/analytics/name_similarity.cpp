#include "analytics/name_similarity.hpp"

#include <algorithm>
#include <vector>

#include "crmkit/error.hpp"

namespace crmkit::analytics {

namespace {

// Length of the well-formed UTF-8 sequence at s[i] (RFC 3629: no overlongs, no surrogates,
// nothing above U+10FFFF), with its code point in *cp; 0 when ill-formed.
std::size_t decode_one(std::string_view s, std::size_t i, char32_t* cp) noexcept {
  auto byte = [&](std::size_t k) { return static_cast<unsigned char>(s[k]); };
  unsigned char b0 = byte(i);
  if (b0 < 0x80) { *cp = b0; return 1; }
  std::size_t n = b0 >= 0xF0 ? 4 : b0 >= 0xE0 ? 3 : b0 >= 0xC2 ? 2 : 0;
  if (n == 0 || b0 > 0xF4 || i + n > s.size()) return 0;
  char32_t c = b0 & (0x7F >> n);
  for (std::size_t k = 1; k < n; ++k) {
    if ((byte(i + k) & 0xC0) != 0x80) return 0;
    c = (c << 6) | (byte(i + k) & 0x3F);
  }
  if ((n == 3 && c < 0x800) || (n == 4 && (c < 0x10000 || c > 0x10FFFF)) || (c >= 0xD800 && c <= 0xDFFF))
    return 0;
  *cp = c;
  return n;
}

void check_prefix_scale(double p) {
  if (!(p >= 0.0 && p <= 0.25))
    throw Error(Errc::invalid_argument, "prefix_scale must be in [0, 0.25] (above 0.25 Jaro-Winkler can exceed 1)");
}

// Base letters of U+00C0..U+017F, by range; a code point in no range is kept.
struct Fold {
  char32_t lo, hi;
  const char* to;
};
constexpr Fold kFolds[] = {
    {0xC0, 0xC5, "a"}, {0xC6, 0xC6, "ae"}, {0xC7, 0xC7, "c"}, {0xC8, 0xCB, "e"}, {0xCC, 0xCF, "i"},
    {0xD0, 0xD0, "d"}, {0xD1, 0xD1, "n"}, {0xD2, 0xD6, "o"}, {0xD8, 0xD8, "o"}, {0xD9, 0xDC, "u"},
    {0xDD, 0xDD, "y"}, {0xDE, 0xDE, "th"}, {0xDF, 0xDF, "ss"}, {0xE0, 0xE5, "a"}, {0xE6, 0xE6, "ae"},
    {0xE7, 0xE7, "c"}, {0xE8, 0xEB, "e"}, {0xEC, 0xEF, "i"}, {0xF0, 0xF0, "d"}, {0xF1, 0xF1, "n"},
    {0xF2, 0xF6, "o"}, {0xF8, 0xF8, "o"}, {0xF9, 0xFC, "u"}, {0xFD, 0xFD, "y"}, {0xFE, 0xFE, "th"},
    {0xFF, 0xFF, "y"}, {0x100, 0x105, "a"}, {0x106, 0x10D, "c"}, {0x10E, 0x111, "d"}, {0x112, 0x11B, "e"},
    {0x11C, 0x123, "g"}, {0x124, 0x127, "h"}, {0x128, 0x131, "i"}, {0x132, 0x133, "ij"}, {0x134, 0x135, "j"},
    {0x136, 0x138, "k"}, {0x139, 0x142, "l"}, {0x143, 0x14B, "n"}, {0x14C, 0x151, "o"}, {0x152, 0x153, "oe"},
    {0x154, 0x159, "r"}, {0x15A, 0x161, "s"}, {0x162, 0x167, "t"}, {0x168, 0x173, "u"}, {0x174, 0x175, "w"},
    {0x176, 0x178, "y"}, {0x179, 0x17E, "z"}, {0x17F, 0x17F, "s"}};

const char* fold_of(char32_t cp) noexcept {
  if (cp < 0xC0 || cp > 0x17F) return nullptr;
  for (const auto& f : kFolds)
    if (cp >= f.lo && cp <= f.hi) return f.to;
  return nullptr;
}

}  // namespace

std::string fold_for_match(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  bool space = false;  // a space is pending: written only before the next non-space
  for (std::size_t i = 0; i < text.size();) {
    char32_t cp = 0;
    std::size_t n = decode_one(text, i, &cp);
    if (n == 0) {  // ill-formed: the byte as it is
      if (space && !out.empty()) out.push_back(' ');
      space = false;
      out.push_back(text[i]);
      ++i;
      continue;
    }
    if (cp == ' ' || cp == '\t' || cp == '\n' || cp == '\r' || cp == '\v' || cp == '\f' || cp == 0xA0) {
      space = true;
      i += n;
      continue;
    }
    if (space && !out.empty()) out.push_back(' ');
    space = false;
    if (cp >= 'A' && cp <= 'Z') out.push_back(static_cast<char>(cp - 'A' + 'a'));
    else if (const char* f = fold_of(cp)) out += f;
    else out.append(text.substr(i, n));
    i += n;
  }
  return out;
}

std::u32string code_points(std::string_view text) {
  std::u32string out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size();) {
    char32_t cp = 0;
    std::size_t n = decode_one(text, i, &cp);
    if (n == 0) { out.push_back(static_cast<unsigned char>(text[i])); ++i; }
    else { out.push_back(cp); i += n; }
  }
  return out;
}

double jaro(std::u32string_view a, std::u32string_view b) noexcept {
  if (a.empty() && b.empty()) return 1.0;
  if (a.empty() || b.empty()) return 0.0;
  std::size_t window = std::max(a.size(), b.size()) / 2;
  window = window > 0 ? window - 1 : 0;
  // Small names dominate: flags on the stack would do, but names have no length bound here.
  std::vector<char> a_hit(a.size(), 0), b_hit(b.size(), 0);
  std::size_t m = 0;
  for (std::size_t i = 0; i < a.size(); ++i) {
    std::size_t lo = i > window ? i - window : 0, hi = std::min(b.size(), i + window + 1);
    for (std::size_t j = lo; j < hi; ++j) {
      if (b_hit[j] || a[i] != b[j]) continue;
      a_hit[i] = b_hit[j] = 1;
      ++m;
      break;
    }
  }
  if (m == 0) return 0.0;
  std::size_t out_of_order = 0;
  for (std::size_t i = 0, j = 0; i < a.size(); ++i) {
    if (!a_hit[i]) continue;
    while (!b_hit[j]) ++j;
    if (a[i] != b[j]) ++out_of_order;
    ++j;
  }
  double md = static_cast<double>(m), t = out_of_order / 2.0;
  return (md / a.size() + md / b.size() + (md - t) / md) / 3.0;
}

double jaro(std::string_view a, std::string_view b) { return jaro(code_points(a), code_points(b)); }

double jaro_winkler(std::u32string_view a, std::u32string_view b, double prefix_scale) {
  check_prefix_scale(prefix_scale);
  double j = jaro(a, b);
  std::size_t l = 0;
  while (l < 4 && l < a.size() && l < b.size() && a[l] == b[l]) ++l;
  return j + static_cast<double>(l) * prefix_scale * (1.0 - j);
}

double jaro_winkler(std::string_view a, std::string_view b, double prefix_scale) {
  check_prefix_scale(prefix_scale);
  return jaro_winkler(code_points(a), code_points(b), prefix_scale);
}

}  // namespace crmkit::analytics
