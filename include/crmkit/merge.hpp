// crmkit/merge.hpp: merging duplicate customers into one survivor, with a dry run and an exact
// undo. docs/IDENTITY.md "Merge".
//
// A merge runs in one transaction. The survivor keeps its id. Every row that refers to an
// absorbed record, in every area, moves to the survivor; where the survivor already has the
// same thing (a contact point with the same match key, a tag, a current segment membership, a
// points membership of the same programme) the absorbed copy is removed instead. Figures
// derived from interactions are recomputed from the merged facts, never summed; RFM and CLV
// scores of the merged records are removed until the next run scores the survivor. Consent
// takes the most restrictive state: a purpose withdrawn on any merged record is withdrawn on
// the survivor. The survivor's fields keep their values, filled from the absorbed records (in
// the order given) where empty, unless `field_choices` names the record a field comes from;
// created_at is the earliest and the lifecycle stage the most advanced (lead < prospect <
// churned < customer). The absorbed records are then deleted, and a merge record keeps every
// row the merge moved, changed, removed or added as it was, so undo() restores those rows.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "crmkit/consent.hpp"
#include "crmkit/json_form.hpp"
#include "crmkit/store.hpp"
#include "crmkit/time.hpp"

namespace crmkit {

// At most this many records in one merge, the survivor included (as Twenty bounds its merges):
// a merge keeps every row it touches for its undo, so its size is bounded.
constexpr int kMergeMaxRecords = 10;
// At most this many rows moved, changed, removed or added by one merge.
constexpr std::int64_t kMergeMaxRows = 200000;

struct MergeRequest {
  std::int64_t survivor = 0;
  std::vector<std::int64_t> absorbed;  // 1..kMergeMaxRecords-1 other records, each once
  // Field name (crmkit::customer_fields(), except id, created_at and updated_at) -> the merged
  // record (survivor or absorbed) whose value the survivor takes, empty or not. For email and
  // phone: whose primary point becomes the survivor's primary.
  std::map<std::string, std::int64_t> field_choices;
};

// The request as JSON, the form the C API, Python and the command give:
// {"survivor": 1, "absorbed": [2, 3], "field_choices": {"city": 2}} (field_choices optional).
// invalid_argument names the key at fault; the request itself is checked by plan() and merge().
MergeRequest merge_request_from_json(const std::string& json);

// A survivor field the merge changes; values as JSON text (std::nullopt: none).
struct MergeFieldChange {
  std::string field;
  std::optional<std::string> old_value;
  std::optional<std::string> new_value;
  std::int64_t source = 0;  // the record the new value comes from
};

// What the merge does to one table's rows.
struct MergeTableChange {
  std::string table;
  std::int64_t moved = 0;    // absorbed rows that become the survivor's
  std::int64_t changed = 0;  // rows changed in place (a primary flag)
  std::int64_t removed = 0;  // rows removed: copies the survivor already has, derived rows, scores
  std::int64_t added = 0;    // rows added: the survivor's copy of a row keyed by customer
  bool recomputed = false;   // the survivor's rows are recomputed from the merged interactions
};

// A purpose the survivor's consent withdraws, because a merged record had withdrawn it.
struct MergeConsentChange {
  ConsentChannel channel = ConsentChannel::email;
  std::string purpose;
  std::int64_t withdrawn_on = 0;  // the merged record that had withdrawn it
};

struct MergePlan {
  std::int64_t survivor = 0;
  std::vector<std::int64_t> absorbed;
  std::vector<MergeFieldChange> fields;
  std::vector<MergeTableChange> tables;  // "customers" first, then every table with rows to touch
  std::vector<MergeConsentChange> consent;
  std::int64_t rows = 0;                  // every row of `tables`, counted once per change
};
// {"survivor", "absorbed": [...], "fields": [{"field", "old", "new", "source"}], "tables":
//  [{"table", "moved", "changed", "removed", "added", "recomputed"}], "consent": [{"channel",
//  "purpose", "withdrawn_on"}], "rows"}; old and new are the values as JSON.
std::string to_json(const MergePlan& plan, JsonForm form = JsonForm::readable);

// A merge as recorded.
struct MergeRecord {
  std::int64_t id = 0;
  std::int64_t survivor = 0;
  std::vector<std::int64_t> absorbed;
  std::int64_t held_by = 0;  // the record that holds the merge now: the survivor, or a later survivor
  MergePlan plan;
  std::optional<std::string> actor, reason;  // the Store's AuditContext at the merge
  Instant at = 0;
  std::optional<Instant> undone_at;
};
// {"id", "survivor", "absorbed", "held_by", "plan", "actor", "reason", "at", "undone_at"}
std::string to_json(const MergeRecord& record, JsonForm form = JsonForm::readable);
std::string to_json(const std::vector<MergeRecord>& records, JsonForm form = JsonForm::readable);

class Merges {
 public:
  explicit Merges(Store& store) : store_(store) {}

  // The dry run: what merge() would do, writing nothing (also on a read-only store). Refuses
  // as merge() does.
  MergePlan plan(const MergeRequest& request, Instant at);

  // Merges, in one transaction, and records the merge (audited as "merged" on the survivor and
  // "merged_into" on each absorbed record). invalid_argument: no absorbed record, more than
  // kMergeMaxRecords records or kMergeMaxRows rows, a record named twice, the survivor among
  // the absorbed (a record merged into itself), an unknown field or a chosen record that is not
  // merged; not_found: a record that does not exist; conflict: an erased record.
  MergeRecord merge(const MergeRequest& request, Instant at);

  // Restores every row the merge touched as it was, the absorbed records with their ids, and
  // recomputes the figures of every record involved; rows added to the survivor since stay
  // its own. conflict, naming the fields, when the survivor's fields changed since the merge
  // (unless `force`, which puts them back as they were before the merge); conflict when the
  // merge was undone already, when its survivor is gone (merged again or deleted: undo that
  // first) or when an absorbed record's id was taken since; not_found for an unknown merge.
  MergeRecord undo(std::int64_t merge_id, Instant at, bool force = false);

  MergeRecord get(std::int64_t merge_id);  // not_found
  // The merges a customer holds (as survivor, or inherited from records it absorbed), newest first.
  std::vector<MergeRecord> of_customer(std::int64_t customer_id);

 private:
  Store store_;
};

}  // namespace crmkit
