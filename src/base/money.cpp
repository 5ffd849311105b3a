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
  return format_amount_sum(minor, currency);
}

std::string format_amount_sum(MoneySum minor, std::string_view currency) {
  const int exponent = currency_exponent(currency);
  bool negative = minor < 0;
  // Work in unsigned so that the most negative value formats correctly.
  using U = unsigned __int128;
  U v = negative ? ~static_cast<U>(minor) + 1 : static_cast<U>(minor);
  std::string digits;
  do {
    digits.push_back(static_cast<char>('0' + static_cast<int>(v % 10)));
    v /= 10;
  } while (v != 0);
  // At least one digit before the decimal point: 5 cents is "0.05".
  if (digits.size() < static_cast<std::size_t>(exponent) + 1) digits.resize(static_cast<std::size_t>(exponent) + 1, '0');
  std::string out = negative ? "-" : "";
  for (std::size_t i = digits.size(); i-- > 0;) {
    out.push_back(digits[i]);
    if (exponent > 0 && i == static_cast<std::size_t>(exponent)) out.push_back('.');
  }
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
