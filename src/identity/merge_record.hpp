// A merge as it is worked out and kept (merge_records, schema 0018): the rows it touches per
// table, and their JSON forms. Internal to the merge (identity/merge.cpp).
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "crmkit/merge.hpp"

namespace crmkit::detail {

struct Connection;

// A row as it was, and the columns the merge sets on it.
struct RowChange {
  nlohmann::json row;
  nlohmann::json set;
};

// One table's share of a merge. moved_ids: in a table whose rows only change owner, the keys
// of each absorbed record's rows (the old owner is all an undo needs, and one UPDATE moves
// them all); moved: other absorbed rows given to the survivor, as they were; changed: rows
// changed in place; removed: rows deleted, as they were; added: rows inserted, as written.
struct TableChanges {
  std::string table;
  std::string key;  // the columns that name a row (customer_references' key)
  bool recompute = false;
  std::map<std::int64_t, std::vector<std::int64_t>> moved_ids;
  std::vector<RowChange> moved, changed;
  std::vector<nlohmann::json> removed, added;
};

// Everything one merge does: "customers" first, then the customer references in their order,
// then duplicate_exceptions.
struct MergeWork {
  MergePlan plan;
  std::vector<TableChanges> tables;
  std::vector<NewConsentEvent> withdrawals;
};

// Inserts the record of `work`, done at `at` under the connection's audit context; its id.
std::int64_t insert_merge_record(Connection& conn, const MergeWork& work, Instant at);
MergeRecord read_merge_record(Connection& conn, std::int64_t merge_id);  // not_found
std::vector<MergeRecord> merge_records_of(Connection& conn, std::int64_t customer_id);
// What undo reads back: the kept rows, and the survivor's customer row as the merge left it.
std::vector<TableChanges> merge_changes_of(Connection& conn, std::int64_t merge_id);
nlohmann::json merge_survivor_after(Connection& conn, std::int64_t merge_id);
void mark_merge_undone(Connection& conn, std::int64_t merge_id, Instant at);

nlohmann::json plan_json(const MergePlan& plan, JsonForm form);

}  // namespace crmkit::detail
