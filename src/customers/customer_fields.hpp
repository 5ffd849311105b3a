// Validation and normalisation of customer fields, shared by create, upsert and update.
#pragma once

#include <string>

#include "crmkit/customer.hpp"

namespace crmkit::detail {

constexpr std::size_t kMaxTagChars = 100;      // code points per tag
constexpr std::size_t kMaxTagsPerCustomer = 1000;

// Checks every value given in `fields` and returns them normalised (email lower-cased, phone
// E.164, country and gender upper-cased, attributes canonical JSON, tags trimmed, sorted and
// unique). `clear` is checked too: known clearable names, none also given a value.
// Throws Error(invalid_argument) naming the first bad field. The store's default region is
// read only when a phone is given.
CustomerFields normalized_fields(const CustomerFields& fields, const Store& store);

// Applies normalised fields (values, then `clear`) to a customer. Returns true if any stored
// value changed. Does not touch id, created_at or updated_at.
bool apply_fields(Customer& customer, const CustomerFields& normalized);

bool is_country_code(std::string_view code) noexcept;

}  // namespace crmkit::detail
