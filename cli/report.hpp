// The report shared by `crmkit report` and `crmkit demo`.
#pragma once

#include "crmkit/store.hpp"
#include "crmkit/time.hpp"

namespace crmkit::cli {

// Every registered section in order, as text or as one JSON object on stdout.
void print_report(Store& store, Instant as_of, bool json);

}  // namespace crmkit::cli
