// crmkit/money.hpp: amounts in minor units of an ISO-4217 currency.
//
// Money is never a floating-point number: 12.34 USD is {1234, "USD"}. Amounts in different
// currencies are never added implicitly.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace crmkit {

struct Money {
  std::int64_t minor = 0;  // amount in the currency's minor unit (cents for USD)
  std::string currency;    // ISO-4217 alphabetic code, upper case ("USD")
};

// True for three upper-case ASCII letters. (The code itself is not checked against a list,
// so new currencies work; the minor-unit exponent defaults to 2.)
bool is_currency_code(std::string_view code) noexcept;

// Currency text as people write it ("usd", "Usd") spelled as a code ("USD"): ASCII letters
// upper-cased, nothing else changed; is_currency_code still decides. Every place currency
// text enters (C API setters and JSON, the CLI, so Python too) passes it through here.
std::string currency_code(std::string_view text);

// Digits after the decimal point: 0 for JPY, KRW, ...; 3 for BHD, KWD, ...; otherwise 2.
int currency_exponent(std::string_view code) noexcept;

// Parses a decimal amount in major units ("12.34", "-0.5", "1e3" is refused) into minor units,
// exactly; more decimals than the currency has, or overflow, is an error naming `what`.
std::int64_t parse_amount(std::string_view text, std::string_view currency,
                          std::string_view what = "amount");

// Formats minor units as a decimal string in major units: (123456, "USD") -> "1234.56".
std::string format_amount(std::int64_t minor, std::string_view currency);

// Minor units as a double in major units, for reports and models (not for bookkeeping).
double to_major(std::int64_t minor, std::string_view currency) noexcept;

// a + b, throwing Error(invalid_argument) on int64 overflow.
std::int64_t checked_add(std::int64_t a, std::int64_t b, std::string_view what = "amount");

}  // namespace crmkit
