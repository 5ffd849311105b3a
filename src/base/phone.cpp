// Phone numbers through Google's libphonenumber: numbering plans change every month somewhere
// in the world, so which numbers exist is the library's metadata, not rules of our own.
#include "base/phone.hpp"

#include <phonenumbers/phonenumberutil.h>

#include <set>

#include <fmt/format.h>

#include "base/text.hpp"
#include "crmkit/customer.hpp"
#include "crmkit/error.hpp"

namespace crmkit {

namespace {

using i18n::phonenumbers::PhoneNumber;
using i18n::phonenumbers::PhoneNumberUtil;

// Thread-safe: the library documents its const methods as safe to call concurrently.
const PhoneNumberUtil& numbering() { return *PhoneNumberUtil::GetInstance(); }

[[noreturn]] void bad(std::string_view text, const std::string& why) {
  throw Error(Errc::invalid_argument, fmt::format("phone '{}' {}", detail::printable(text), why));
}

const char* parse_reason(PhoneNumberUtil::ErrorType e) {
  switch (e) {
    case PhoneNumberUtil::INVALID_COUNTRY_CODE_ERROR: return "has an invalid country code";
    case PhoneNumberUtil::NOT_A_NUMBER: return "is not a number";
    case PhoneNumberUtil::TOO_SHORT_AFTER_IDD: return "is too short after the international prefix";
    case PhoneNumberUtil::TOO_SHORT_NSN: return "is too short";
    case PhoneNumberUtil::TOO_LONG_NSN: return "is too long";
    default: return "cannot be read as a phone number";
  }
}

const char* length_reason(PhoneNumberUtil::ValidationResult r) {
  switch (r) {
    case PhoneNumberUtil::IS_POSSIBLE_LOCAL_ONLY: return "is a local number only: give it with its area code";
    case PhoneNumberUtil::INVALID_COUNTRY_CODE: return "has an invalid country code";
    case PhoneNumberUtil::TOO_SHORT: return "is too short";
    case PhoneNumberUtil::TOO_LONG: return "is too long";
    default: return "has a length no number of its country has";
  }
}

// "region IT" for a geographic calling code, "country code +800" for a non-geographic one.
std::string plan_name(int calling_code) {
  std::string region;
  numbering().GetRegionCodeForCountryCode(calling_code, &region);
  if (detail::is_phone_region(region)) return "region " + region;
  return fmt::format("country code +{}", calling_code);
}

}  // namespace

namespace detail {

bool is_phone_region(const std::string& code) {
  if (code.size() != 2 || code[0] < 'A' || code[0] > 'Z' || code[1] < 'A' || code[1] > 'Z') return false;
  static const std::set<std::string> regions = [] {
    std::set<std::string> all;
    numbering().GetSupportedRegions(&all);
    return all;
  }();
  return regions.count(code) != 0;
}

std::string region_for_calling_code(const std::string& digits) {
  if (digits.empty() || digits.size() > 3 || digits[0] == '0' ||
      digits.find_first_not_of("0123456789") != std::string::npos)
    return "";
  std::string region;
  numbering().GetRegionCodeForCountryCode(std::stoi(digits), &region);
  return is_phone_region(region) ? region : "";
}

std::string example_phone(const std::string& region) {
  PhoneNumber number;
  if (!numbering().GetExampleNumber(region, &number)) return "";
  std::string e164;
  numbering().Format(number, PhoneNumberUtil::E164, &e164);
  return e164;
}

}  // namespace detail

std::string normalize_phone(const std::string& text, const std::string& default_region) {
  detail::check_text("phone", text, 1000);
  if (!default_region.empty() && !detail::is_phone_region(default_region))
    throw Error(Errc::invalid_argument, fmt::format("default_region '{}' is not a region with a numbering plan",
                                                    detail::printable(default_region)));
  std::string_view t = detail::trim(text);
  if (t.empty()) bad(text, "is empty");
  // Only what people write numbers with: libphonenumber would also read letters (1-800-FLOWERS),
  // extensions and tel: URIs, none of which an E.164 key can keep.
  for (std::size_t i = 0; i < t.size(); ++i) {
    char c = t[i];
    if ((c >= '0' && c <= '9') || (c == '+' && i == 0) || c == ' ' || c == '.' || c == '-' || c == '(' || c == ')')
      continue;
    bad(text, fmt::format("contains '{}'; only digits, a leading '+', spaces, dots, dashes and parentheses are "
                          "allowed", detail::printable(std::string(1, c))));
  }
  std::string input(t);
  if (default_region.empty()) {
    // With no region only an international number can be read; "00" is the international
    // prefix almost everywhere. With a region, the library knows that region's own prefix.
    if (input.compare(0, 2, "00") == 0) input.replace(0, 2, "+");
    else if (input[0] != '+')
      bad(text, "has no country code ('+' or '00') and the store has no default_region");
  }
  PhoneNumber number;
  auto parsed = numbering().Parse(input, default_region.empty() ? "ZZ" : default_region, &number);
  if (parsed != PhoneNumberUtil::NO_PARSING_ERROR) bad(text, parse_reason(parsed));
  auto length = numbering().IsPossibleNumberWithReason(number);
  if (length != PhoneNumberUtil::IS_POSSIBLE) bad(text, length_reason(length));
  // Valid, not merely possible: a typo or an unassigned range is caught at entry rather than
  // kept as a key nobody can dial (docs/CORE.md says why, and what stale metadata costs).
  if (!numbering().IsValidNumber(number))
    bad(text, "is not a valid number for " + plan_name(number.country_code()));
  if (number.has_extension()) bad(text, "has an extension, which an E.164 number cannot keep");
  std::string e164;
  numbering().Format(number, PhoneNumberUtil::E164, &e164);
  return e164;
}

}  // namespace crmkit
