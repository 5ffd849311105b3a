#include "crmkit/money.hpp"

#include <cmath>
#include <limits>

#include <fmt/format.h>

#include "base/text.hpp"
#include "crmkit/error.hpp"

namespace crmkit {

bool is_currency_code(std::string_view code) noexcept {
  if (code.size() != 3) return false;
  for (char c : code)
    if (c < 'A' || c > 'Z') return false;
  return true;
}

std::string currency_code(std::string_view text) {
  std::string code(text);
  for (char& c : code)
    if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
  return code;
}

int currency_exponent(std::string_view code) noexcept {
  // ISO-4217 currencies whose minor unit is not 1/100.
  static constexpr std::string_view kZero[] = {"BIF", "CLP", "DJF", "GNF", "ISK", "JPY", "KMF", "KRW", "PYG",
                                               "RWF", "UGX", "UYI", "VND", "VUV", "XAF", "XOF", "XPF"};
  static constexpr std::string_view kThree[] = {"BHD", "IQD", "JOD", "KWD", "LYD", "OMR", "TND"};
  for (auto c : kZero)
    if (c == code) return 0;
  for (auto c : kThree)
    if (c == code) return 3;
  return 2;
}

std::int64_t parse_amount(std::string_view text, std::string_view currency, std::string_view what) {
  std::string_view s = detail::trim(text);
  auto bad = [&](const char* why) {
    throw Error(Errc::invalid_argument, fmt::format("{} '{}' {}", what, detail::printable(text), why));
  };
  if (s.empty()) bad("is empty");
  bool negative = false;
  if (s.front() == '-' || s.front() == '+') {
    negative = s.front() == '-';
    s.remove_prefix(1);
  }
  const int exponent = currency_exponent(currency);
  constexpr std::int64_t kMax = std::numeric_limits<std::int64_t>::max();
  std::int64_t value = 0;
  int decimals = -1;  // -1 until the decimal point
  bool any = false;
  for (char c : s) {
    if (c == '.') {
      if (decimals >= 0) bad("has two decimal points");
      decimals = 0;
      continue;
    }
    if (c < '0' || c > '9') bad("is not a decimal number like 12.34");
    any = true;
    if (decimals >= 0 && ++decimals > exponent)
      bad(fmt::format("has more decimals than {} allows ({})", currency, exponent).c_str());
    if (value > (kMax - (c - '0')) / 10) bad("overflows the amount range");
    value = value * 10 + (c - '0');
  }
  if (!any) bad("has no digits");
  for (int i = std::max(decimals, 0); i < exponent; ++i) {
    if (value > kMax / 10) bad("overflows the amount range");
    value *= 10;
  }
  return negative ? -value : value;
}

std::string format_amount(std::int64_t minor, std::string_view currency) {
  const int exponent = currency_exponent(currency);
  bool negative = minor < 0;
  // Work in unsigned so that INT64_MIN formats correctly.
  std::uint64_t v = negative ? ~static_cast<std::uint64_t>(minor) + 1 : static_cast<std::uint64_t>(minor);
  std::uint64_t scale = 1;
  for (int i = 0; i < exponent; ++i) scale *= 10;
  std::string out = negative ? "-" : "";
  out += std::to_string(v / scale);
  if (exponent > 0) out += fmt::format(".{:0{}}", v % scale, exponent);
  return out;
}

double to_major(std::int64_t minor, std::string_view currency) noexcept {
  return static_cast<double>(minor) / std::pow(10.0, currency_exponent(currency));
}

std::int64_t checked_add(std::int64_t a, std::int64_t b, std::string_view what) {
  std::int64_t r;
  if (__builtin_add_overflow(a, b, &r))
    throw Error(Errc::invalid_argument, fmt::format("{} overflows the int64 range", what));
  return r;
}

}  // namespace crmkit
