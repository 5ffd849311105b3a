// crmkit/json_form.hpp: the two JSON forms of the library's records. Every public result type
// has a free `std::string to_json(const T&)` declared next to it; the record types that the C
// API also takes back as JSON (customers, interactions, figures) take the form as well.
#pragma once

namespace crmkit {

// exact: what the C API's `_json` getters return and its JSON entry points take back: instants
// as epoch milliseconds, money as {"minor": 1234, "currency": "EUR"}.
// readable: the crmkit command's `--json` output, for people and scripts: instants as ISO-8601
// UTC text, money as {"amount": "12.34", "currency": "EUR"}.
enum class JsonForm { exact, readable };

}  // namespace crmkit
