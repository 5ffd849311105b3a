// Phone numbering plans, from Google's libphonenumber (the only file that includes it is
// phone.cpp). normalize_phone itself is public, in crmkit/customer.hpp.
#pragma once

#include <string>

namespace crmkit::detail {

// True for an ISO 3166-1 alpha-2 code, upper case, that libphonenumber has a numbering plan
// for ("IT", "US", "GB"). "001" (non-geographic numbers) and "ZZ" (unknown) are not regions.
bool is_phone_region(const std::string& code);

// The region a country calling code of 1-3 digits stands for, libphonenumber's main region
// for codes shared by several ("1" -> "US", "44" -> "GB", "7" -> "RU"): regions sharing a code
// read local numbers alike, so any of them gives the same E.164 number. "" for a code with no
// region (unassigned, or non-geographic such as 800) and for anything that is not such a code.
std::string region_for_calling_code(const std::string& digits);

// libphonenumber's example fixed-line number for a region, in E.164; "" if it has none. Valid
// by the same metadata that normalize_phone checks against, whatever its version: for tests.
std::string example_phone(const std::string& region);

}  // namespace crmkit::detail
