// Every table that refers to a customer through a customer_id column, and what a merge and an
// erasure do with its rows. Both walk this one list; tests/unit/customer_references_test.cpp
// fails when the store's catalog has a table with customer_id that is missing here, so a new
// area cannot be forgotten by either. Internal to the library.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace crmkit::detail {

struct Connection;

enum class OnMerge {
  repoint,              // the absorbed rows move to the survivor
  repoint_append_only,  // the same in a table whose triggers let customer_id alone change
  union_by_key,         // rows move unless the survivor has one with the same `unique` columns
                        // (where `unique_where` holds): those absorbed rows are removed
  recompute,            // derived from interactions: the absorbed rows are removed and the
                        // survivor's are recomputed from the merged facts, never summed
  drop,                 // a scoring run's output for records that no longer exist apart:
                        // removed for every merged record until the next run scores the survivor
};

enum class OnErasure {
  keep,    // facts the law requires (purchases, points, their figures), kept with the person
           // pseudonymised through the customer row
  redact,  // rows kept, the `personal` columns set to NULL (free text, evidence)
  remove,  // rows deleted
};

struct CustomerReference {
  const char* table;
  const char* key;           // the columns that name one row, comma-separated
  OnMerge on_merge;
  const char* unique;        // union_by_key: the columns besides customer_id that may not repeat
  const char* unique_where;  // union_by_key: the rows the uniqueness applies to ("" for all)
  OnErasure on_erasure;
  const char* personal;      // redact: the columns set to NULL, comma-separated
};

// In the order a merge re-points them (a table before the tables whose keys refer to it).
const std::vector<CustomerReference>& customer_references();

// The entry of `table`; nullptr when it has none.
const CustomerReference* customer_reference(std::string_view table);

// The store's tables (not views) with a customer_id column, by name, read from its catalog.
std::vector<std::string> tables_with_customer_id(Connection& conn);

}  // namespace crmkit::detail
