// The report shared by `crmkit report` and `crmkit demo`: the library builds it
// (crmkit/report.hpp); this side only formats it.
#pragma once

#include "crmkit/report.hpp"
#include "crmkit/store.hpp"

namespace crmkit::cli {

// Builds the report and prints it as text, or as the library's JSON.
void print_report(Store& store, const ReportOptions& options, bool json);
// The report as HTML in `path` (replaced whole or left as it was).
void write_html_report(Store& store, const ReportOptions& options, const std::string& path);

}  // namespace crmkit::cli
