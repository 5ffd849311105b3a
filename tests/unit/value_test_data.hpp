// Small readers for the shared reference files used by the value tests (CSV with optional
// double quotes, CDNOW whitespace columns).
#pragma once

#include <fstream>
#include <sstream>
#include <string>
#include <vector>

namespace test_csv {

// Rows of a comma-separated file; a field may be "quoted" (with "" for a quote). No rows when
// the file is missing.
inline std::vector<std::vector<std::string>> read(const std::string& path) {
  std::vector<std::vector<std::string>> rows;
  std::ifstream in(path);
  std::string line;
  while (std::getline(in, line)) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (line.empty()) continue;
    std::vector<std::string> row;
    std::string field;
    bool quoted = false;
    for (std::size_t i = 0; i < line.size(); ++i) {
      char c = line[i];
      if (quoted) {
        if (c == '"' && i + 1 < line.size() && line[i + 1] == '"') {
          field += '"';
          ++i;
        } else if (c == '"') {
          quoted = false;
        } else {
          field += c;
        }
      } else if (c == '"') {
        quoted = true;
      } else if (c == ',') {
        row.push_back(field);
        field.clear();
      } else {
        field += c;
      }
    }
    row.push_back(field);
    rows.push_back(std::move(row));
  }
  return rows;
}

// Whitespace-separated columns (CDNOW files).
inline std::vector<std::vector<std::string>> read_columns(const std::string& path) {
  std::vector<std::vector<std::string>> rows;
  std::ifstream in(path);
  std::string line;
  while (std::getline(in, line)) {
    std::istringstream ls(line);
    std::vector<std::string> row;
    std::string f;
    while (ls >> f) row.push_back(f);
    if (!row.empty()) rows.push_back(std::move(row));
  }
  return rows;
}

}  // namespace test_csv

#include <catch2/catch.hpp>

#include "crmkit/error.hpp"

// Runs f and checks it throws crmkit::Error with `code` and a message containing `needle`.
template <class F>
void check_error(F&& f, crmkit::Errc code, const std::string& needle) {
  try {
    f();
    FAIL("no error thrown; expected " << crmkit::errc_name(code) << " containing '" << needle << "'");
  } catch (const crmkit::Error& e) {
    CHECK(crmkit::errc_name(e.code()) == std::string(crmkit::errc_name(code)));
    CHECK_THAT(e.what(), Catch::Contains(needle));
  }
}
