// crmkit/import_preview.hpp: what importing customers would do, without writing anything.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "crmkit/customer.hpp"
#include "crmkit/duplicates.hpp"
#include "crmkit/error.hpp"
#include "crmkit/store.hpp"

namespace crmkit {

// What an import would do with one row: create a customer, update the one its external id
// (the customers' natural key) names, or refuse the row.
enum class ImportAction { create, update, error };
const char* to_string(ImportAction a) noexcept;

struct ImportPreviewRow {
  std::int64_t line = 0;  // the caller's number for the row (the CSV line, the record's position)
  ImportAction action = ImportAction::create;
  // update: the stored customer the external id names; none when an earlier row of the same
  // import creates it (earlier_line).
  std::optional<std::int64_t> customer_id;
  std::optional<std::int64_t> earlier_line;
  // Stored customers that may be the same person (Duplicates::check of the row's fields: score,
  // verdict and the rules that fired; a is 0). An update leaves out the customer it updates.
  std::vector<DuplicateCandidate> candidates;
  // Earlier rows of the same import giving the same email or phone (match keys compared): the
  // import would create them as separate customers.
  std::vector<std::int64_t> same_contact_lines;
  // error: the code's name (errc_name) and the message the import would give.
  std::string error_code, error;
};

struct ImportPreviewTotals {
  std::int64_t rows = 0, create = 0, update = 0, error = 0;
  std::int64_t with_duplicates = 0;  // rows with a candidate at or above the duplicate threshold
  std::int64_t with_suspects = 0;    // rows whose best candidate is a suspect
  std::int64_t with_same_contact = 0;
};

// Previews a customer import row by row, in file order, against the store as it is: reads only,
// never writes (a read-only store works). Each row is judged as Customers::upsert (with an
// external id) or create (without) would judge it: the fields checked and normalised
// (invalid_argument), a suppressed email or phone new to the customer refused (conflict), the
// external id looked up. Earlier rows of the same preview count through their keys only: an
// external id an earlier row creates makes a later row an update of it, and a shared email or
// phone is reported; they are not scored against each other. Memory grows with the distinct
// external ids, emails and phones of the rows, not with the rows' contents.
class CustomerImportPreview {
 public:
  explicit CustomerImportPreview(Store& store) : store_(store) {}

  // The row's outcome; a refusal of the row's data is an error row, anything else (busy, io,
  // corrupt) is thrown, since every later row would meet it too.
  ImportPreviewRow add(std::int64_t line, const CustomerFields& fields);
  // A row the caller could not read into fields (a malformed CSV record, a bad value): counted
  // as an error row with the caller's code and message.
  ImportPreviewRow refuse(std::int64_t line, Errc code, const std::string& message);

  const ImportPreviewTotals& totals() const noexcept { return totals_; }

 private:
  ImportPreviewRow count(ImportPreviewRow row);

  Store store_;
  ImportPreviewTotals totals_;
  std::map<std::string, std::int64_t> created_by_external_id_;  // external id -> first line creating it
  // "email:<key>" -> (line, external id) of the rows giving it
  std::map<std::string, std::vector<std::pair<std::int64_t, std::string>>> lines_by_contact_;
};

// Every record previewed in order, line = position (1-based), with the totals.
struct ImportPreview {
  std::vector<ImportPreviewRow> rows;
  ImportPreviewTotals totals;
};
ImportPreview preview_customer_import(Store& store, const std::vector<CustomerFields>& records);

// {"line", "action", "customer_id", "earlier_line", "candidates": [DuplicateCandidate JSON],
//  "same_contact_lines", "error_code", "error"} (absent values null; candidates' a is 0).
std::string to_json(const ImportPreviewRow& row);
// {"rows", "create", "update", "error", "with_duplicates", "with_suspects", "with_same_contact"}
std::string to_json(const ImportPreviewTotals& totals);
// {"rows": [rows], "totals": {...}}
std::string to_json(const ImportPreview& preview);

}  // namespace crmkit
