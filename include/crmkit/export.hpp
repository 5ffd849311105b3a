// Results out in bulk: every customer's stored scores, stored RFM or fields, streamed row by
// row as CSV or JSON (docs/REPORT.md "Export"). Memory does not grow with the row count.
#pragma once

#include <cstdint>
#include <ostream>
#include <string>

#include "crmkit/store.hpp"

namespace crmkit {

enum class ExportKind { scores, rfm, customers };
enum class ExportFormat { csv, json };
ExportKind parse_export_kind(const std::string& text, const char* field = "kind");
ExportFormat parse_export_format(const std::string& text, const char* field = "format");

// Writes a CSV header and one line per row (RFC 4180 quoting), or one JSON array with one
// object per row, in customer id order, each row written as it is read. Every row carries the
// customer's id and external id; instants (`*_at`, `*as_of`) are ISO-8601 UTC text; money stays
// in minor units beside its currency. scores: the last scoring run (model ids included); rfm:
// the last RFM run (its as_of, map and currency included); customers: every stored field and
// the tags. Returns the number of rows; Error(io) when the stream fails.
std::int64_t export_rows(Store& store, ExportKind kind, ExportFormat format, std::ostream& out);

}  // namespace crmkit
