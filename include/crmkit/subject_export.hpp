// crmkit/subject_export.hpp: a person's data, as a subject-access request asks for it.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "crmkit/store.hpp"

namespace crmkit {

// Every stored row that references the customer, in every area, as one deterministic JSON
// document: {"format": "crmkit-subject-export/1", "customer_id": N, "tables": {"<table>":
// [{"<column>": value, ...}, ...], ...}}. Tables are found in the store's own catalog (every
// table with a customer_id column, plus customers itself, the confirmed non-duplicate pairs
// naming the customer and the audit entries of the customer and of its current contact points),
// so a table a later version adds is exported without a change here. Rows keep their stored
// column names and values (times in epoch ms, money in minor units; a binary value as
// {"hex": "..."}) and are sorted, so the same store gives the same bytes. not_found for a
// missing customer. docs/PRIVACY.md "Subject-access export".
std::string export_subject(Store& store, std::int64_t customer_id);

// One file of a CSV bundle: the table it holds, its file name inside the bundle and its rows
// (the header not counted).
struct SubjectExportFile {
  std::string table;
  std::string file;
  std::int64_t rows = 0;
};

// What a CSV bundle holds; its manifest.json is to_json of this.
struct SubjectExportManifest {
  std::int64_t customer_id = 0;
  std::vector<SubjectExportFile> files;  // by table name, one per table of the JSON document
};

// The same rows as export_subject, as a directory: one RFC 4180 CSV per table (<table>.csv;
// a header of the stored column names in stored order, then the rows in the JSON document's
// order, CRLF line ends; NULL is an empty field and empty text a quoted "", an integer or a real
// as in the JSON, a binary value as its hexadecimal digits) and manifest.json, {"format":
// "crmkit-subject-export-csv/1", "customer_id", "files": [{"table", "file", "rows"}]}. The
// bundle is written into a private directory beside `directory` (owner-only permissions) and
// renamed to it once complete, so a failure leaves no partial bundle. `directory` may be
// missing or an empty directory; its parent must exist. invalid_argument for an empty path,
// not_found for a missing customer, conflict for a path that is a file or a directory with
// anything in it (left untouched), io when the parent is missing, the directory cannot be read
// or a write fails.
// docs/PRIVACY.md "Subject-access export".
SubjectExportManifest export_subject_csv(Store& store, std::int64_t customer_id, const std::string& directory);

std::string to_json(const SubjectExportManifest& manifest);

}  // namespace crmkit
