// The report shared by `crmkit report` and `crmkit demo`.
#pragma once

#include "crmkit/store.hpp"
#include "crmkit/time.hpp"

namespace crmkit::cli {

// The end of the last day with an interaction (or a customer's creation); 0 for an empty store.
Instant default_as_of(Store& store);

// Every registered section in order, as text or as one JSON object on stdout.
void print_report(Store& store, Instant as_of, bool json);

}  // namespace crmkit::cli
