// crmkit/money.hpp: amounts in minor units of an ISO-4217 currency.
//
// Money is never a floating-point number: 12.34 USD is {1234, "USD"}. Amounts in different
// currencies are never added implicitly.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace crmkit {

struct Money {
  std::int64_t minor = 0;  // amount in the currency's minor unit (cents for USD)
  std::string currency;    // ISO-4217 alphabetic code, upper case ("USD")
};

// True for an active ISO 4217 code, upper case, from the library's table (docs/CORE.md):
// "ABC" or "usd" is not one. Every place a currency enters the library checks this.
bool is_currency_code(std::string_view code) noexcept;

// Currency text as people write it ("usd", "Usd") spelled as a code ("USD"): ASCII letters
// upper-cased, nothing else changed; is_currency_code still decides. Every place currency
// text enters (C API setters and JSON, the CLI, so Python too) passes it through here.
std::string currency_code(std::string_view text);

// ISO 4217 minor units (digits after the decimal point) of a code is_currency_code accepts:
// 0 for JPY, 3 for KWD, 4 for CLF and UYW, 0 for the codes ISO gives none (XAU, XDR, XTS,
// XXX, ...). 2 for any other text (so amounts stored under a code before the table existed
// still format as they were entered).
int currency_exponent(std::string_view code) noexcept;

// Every code of the table, sorted.
std::vector<std::string_view> currency_codes();

// Parses a decimal amount in major units ("12.34", "-0.5", "1e3" is refused) into minor units,
// exactly; an unknown currency, more decimals than the currency has (0 for JPY: "5.0" is
// refused too), or overflow, is an error naming `what`.
std::int64_t parse_amount(std::string_view text, std::string_view currency,
                          std::string_view what = "amount");

// Formats minor units as a decimal string in major units: (123456, "USD") -> "1234.56".
std::string format_amount(std::int64_t minor, std::string_view currency);

// A sum of many amounts of one currency (a report's revenue across customers): each amount
// and each customer's total fits int64, their sum need not, so reports add in 128 bits.
__extension__ typedef __int128 MoneySum;

// format_amount for a sum, exactly, with every digit: (2^64 * 100, "USD") -> "18446744073709551616.00".
std::string format_amount_sum(MoneySum minor, std::string_view currency);

// Minor units as a double in major units, for reports and models (not for bookkeeping).
double to_major(std::int64_t minor, std::string_view currency) noexcept;

// a + b, throwing Error(invalid_argument) on int64 overflow.
std::int64_t checked_add(std::int64_t a, std::int64_t b, std::string_view what = "amount");

}  // namespace crmkit
