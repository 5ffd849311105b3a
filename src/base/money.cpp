#include "crmkit/money.hpp"

#include <algorithm>
#include <cmath>
#include <iterator>
#include <limits>

#include <fmt/format.h>

#include "base/text.hpp"
#include "crmkit/error.hpp"

namespace crmkit {

namespace {

struct CurrencyMinorUnits {
  std::string_view code;
  int minor_units;
};

// ISO 4217 active codes with their minor units, as published by SIX (the maintenance agency),
// sorted by code. The codes whose minor unit is "N.A." (precious metals XAU XAG XPT XPD, the
// bond-market and SDR units XBA..XBD XDR, XSU, XUA, the testing code XTS and "no currency"
// XXX) have no fraction in ISO 4217; crmkit counts them in whole units (0 decimals) rather
// than invent one. The one table of the project: the C API and the Python binding ask it.
constexpr CurrencyMinorUnits kCurrencies[] = {
    {"AED", 2}, {"AFN", 2}, {"ALL", 2}, {"AMD", 2}, {"ANG", 2}, {"AOA", 2}, {"ARS", 2}, {"AUD", 2},
    {"AWG", 2}, {"AZN", 2}, {"BAM", 2}, {"BBD", 2}, {"BDT", 2}, {"BGN", 2}, {"BHD", 3}, {"BIF", 0},
    {"BMD", 2}, {"BND", 2}, {"BOB", 2}, {"BOV", 2}, {"BRL", 2}, {"BSD", 2}, {"BTN", 2}, {"BWP", 2},
    {"BYN", 2}, {"BZD", 2}, {"CAD", 2}, {"CDF", 2}, {"CHE", 2}, {"CHF", 2}, {"CHW", 2}, {"CLF", 4},
    {"CLP", 0}, {"CNY", 2}, {"COP", 2}, {"COU", 2}, {"CRC", 2}, {"CUC", 2}, {"CUP", 2}, {"CVE", 2},
    {"CZK", 2}, {"DJF", 0}, {"DKK", 2}, {"DOP", 2}, {"DZD", 2}, {"EGP", 2}, {"ERN", 2}, {"ETB", 2},
    {"EUR", 2}, {"FJD", 2}, {"FKP", 2}, {"GBP", 2}, {"GEL", 2}, {"GHS", 2}, {"GIP", 2}, {"GMD", 2},
    {"GNF", 0}, {"GTQ", 2}, {"GYD", 2}, {"HKD", 2}, {"HNL", 2}, {"HTG", 2}, {"HUF", 2}, {"IDR", 2},
    {"ILS", 2}, {"INR", 2}, {"IQD", 3}, {"IRR", 2}, {"ISK", 0}, {"JMD", 2}, {"JOD", 3}, {"JPY", 0},
    {"KES", 2}, {"KGS", 2}, {"KHR", 2}, {"KMF", 0}, {"KPW", 2}, {"KRW", 0}, {"KWD", 3}, {"KYD", 2},
    {"KZT", 2}, {"LAK", 2}, {"LBP", 2}, {"LKR", 2}, {"LRD", 2}, {"LSL", 2}, {"LYD", 3}, {"MAD", 2},
    {"MDL", 2}, {"MGA", 2}, {"MKD", 2}, {"MMK", 2}, {"MNT", 2}, {"MOP", 2}, {"MRU", 2}, {"MUR", 2},
    {"MVR", 2}, {"MWK", 2}, {"MXN", 2}, {"MXV", 2}, {"MYR", 2}, {"MZN", 2}, {"NAD", 2}, {"NGN", 2},
    {"NIO", 2}, {"NOK", 2}, {"NPR", 2}, {"NZD", 2}, {"OMR", 3}, {"PAB", 2}, {"PEN", 2}, {"PGK", 2},
    {"PHP", 2}, {"PKR", 2}, {"PLN", 2}, {"PYG", 0}, {"QAR", 2}, {"RON", 2}, {"RSD", 2}, {"RUB", 2},
    {"RWF", 0}, {"SAR", 2}, {"SBD", 2}, {"SCR", 2}, {"SDG", 2}, {"SEK", 2}, {"SGD", 2}, {"SHP", 2},
    {"SLE", 2}, {"SOS", 2}, {"SRD", 2}, {"SSP", 2}, {"STN", 2}, {"SVC", 2}, {"SYP", 2}, {"SZL", 2},
    {"THB", 2}, {"TJS", 2}, {"TMT", 2}, {"TND", 3}, {"TOP", 2}, {"TRY", 2}, {"TTD", 2}, {"TWD", 2},
    {"TZS", 2}, {"UAH", 2}, {"UGX", 0}, {"USD", 2}, {"USN", 2}, {"UYI", 0}, {"UYU", 2}, {"UYW", 4},
    {"UZS", 2}, {"VED", 2}, {"VES", 2}, {"VND", 0}, {"VUV", 0}, {"WST", 2}, {"XAF", 0}, {"XAG", 0},
    {"XAU", 0}, {"XBA", 0}, {"XBB", 0}, {"XBC", 0}, {"XBD", 0}, {"XCD", 2}, {"XCG", 2}, {"XDR", 0},
    {"XOF", 0}, {"XPD", 0}, {"XPF", 0}, {"XPT", 0}, {"XSU", 0}, {"XTS", 0}, {"XUA", 0}, {"XXX", 0},
    {"YER", 2}, {"ZAR", 2}, {"ZMW", 2}, {"ZWG", 2}};

const CurrencyMinorUnits* find_currency(std::string_view code) noexcept {
  const auto* end = std::end(kCurrencies);
  const auto* it = std::lower_bound(std::begin(kCurrencies), end, code,
                                    [](const CurrencyMinorUnits& c, std::string_view k) { return c.code < k; });
  return it != end && it->code == code ? it : nullptr;
}

}  // namespace

bool is_currency_code(std::string_view code) noexcept { return find_currency(code) != nullptr; }

std::string currency_code(std::string_view text) {
  std::string code(text);
  for (char& c : code)
    if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
  return code;
}

int currency_exponent(std::string_view code) noexcept {
  const auto* c = find_currency(code);
  return c ? c->minor_units : 2;
}

std::vector<std::string_view> currency_codes() {
  std::vector<std::string_view> out;
  for (const auto& c : kCurrencies) out.push_back(c.code);
  return out;
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
  if (!is_currency_code(currency))
    throw Error(Errc::invalid_argument, fmt::format("{} '{}': currency '{}' is not an ISO 4217 code", what,
                                                    detail::printable(text), detail::printable(currency)));
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
