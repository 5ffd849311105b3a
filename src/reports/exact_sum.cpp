#include "exact_sum.hpp"

#include <algorithm>

#include "crmkit/money.hpp"

namespace crmkit::reports {

std::string exact_amount(ExactSum minor, std::string_view currency) {
  const bool negative = minor < 0;
  // Digits from the magnitude as unsigned, so that the most negative value has one too.
  unsigned __int128 m = negative ? -static_cast<unsigned __int128>(minor) : static_cast<unsigned __int128>(minor);
  std::string digits;
  do {
    digits.push_back(static_cast<char>('0' + static_cast<int>(m % 10)));
    m /= 10;
  } while (m != 0);
  const auto decimals = static_cast<std::size_t>(std::max(0, currency_exponent(currency)));
  while (digits.size() <= decimals) digits.push_back('0');
  std::reverse(digits.begin(), digits.end());
  if (decimals) digits.insert(digits.size() - decimals, ".");
  return negative ? "-" + digits : digits;
}

}  // namespace crmkit::reports
