// The customer record the C API builds with setters (crmkit_customer_new and friends), shared by
// the files that take one: customers (create, upsert, update) and duplicates (check a record).
#pragma once

#include "crmkit/customer.hpp"

struct crmkit_customer {
  crmkit::CustomerFields fields;
};
