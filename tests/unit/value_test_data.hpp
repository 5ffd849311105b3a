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

// ---- loading the shared samples through the public C++ API ---------------------------------

#include <algorithm>
#include <map>

#include "crmkit/customer.hpp"
#include "crmkit/interaction.hpp"
#include "crmkit/money.hpp"
#include "crmkit/store.hpp"
#include "crmkit/time.hpp"
#include "test_paths.hpp"  // CRMKIT_SHARED_DATA, CRMKIT_CLI, CRMKIT_CHILD (generated)

namespace value_test {

inline std::string shared(const std::string& rel) { return std::string(CRMKIT_SHARED_DATA) + "/" + rel; }

inline bool have(const std::string& rel) {
  std::ifstream f(shared(rel));
  return f.good();
}

// have(rel), and when the shared sample is missing a warning that the calling test is skipped
// (the reference data is optional on a developer's machine).
inline bool have_or_skip(const std::string& rel) {
  if (have(rel)) return true;
  WARN("skipped: shared data " << rel.substr(0, rel.find('/') + 1) << " not found at " << CRMKIT_SHARED_DATA);
  return false;
}

inline crmkit::Interaction purchase(std::int64_t customer, crmkit::Instant at, std::int64_t minor,
                                    const std::string& currency = "USD") {
  crmkit::Interaction i;
  i.customer_id = customer;
  i.occurred_at = at;
  i.kind = crmkit::InteractionKind::purchase;
  i.channel = crmkit::Channel::web;
  i.amount = crmkit::Money{minor, currency};
  return i;
}

inline std::int64_t add_customer(crmkit::Store& s, const std::string& external_id) {
  crmkit::CustomerFields f;
  f.external_id = external_id;
  f.created_at = 0;
  return crmkit::Customers(s).create(f);
}

// R package rfm sample: customers created in byte order of their names (so ids order as the
// names do), one USD purchase per order row at 00:00 UTC of its date. Returns name -> id.
inline std::map<std::string, std::int64_t> load_rfm_sample(crmkit::Store& s) {
  auto rows = test_csv::read(shared("rfm/rfm_data_orders.csv"));
  std::vector<std::string> names;
  for (std::size_t i = 1; i < rows.size(); ++i) names.push_back(rows[i][0]);
  std::sort(names.begin(), names.end());
  names.erase(std::unique(names.begin(), names.end()), names.end());
  std::map<std::string, std::int64_t> ids;
  crmkit::Transaction tx(s);
  for (const auto& n : names) ids[n] = add_customer(s, n);
  std::vector<crmkit::Interaction> batch;
  for (std::size_t i = 1; i < rows.size(); ++i)
    batch.push_back(purchase(ids.at(rows[i][0]), crmkit::start_of_day(crmkit::parse_date(rows[i][1])),
                             crmkit::parse_amount(rows[i][2], "USD")));
  crmkit::BatchOptions repeats;  // no order ids: identical rows are separate purchases
  repeats.allow_repeats = true;
  crmkit::Interactions(s).record_batch(batch, repeats);
  tx.commit();
  return ids;
}

// CDNOW sample (master_id sample_id YYYYMMDD cds dollars): customers keyed by sample_id (1..2357,
// created in that order so id == sample_id), one USD purchase per row at 00:00 UTC.
inline std::size_t load_cdnow_sample(crmkit::Store& s) {
  auto rows = test_csv::read_columns(shared("cdnow/CDNOW_sample.txt"));
  std::map<int, std::int64_t> ids;
  int max_id = 0;
  for (const auto& r : rows) max_id = std::max(max_id, std::stoi(r[1]));
  crmkit::Transaction tx(s);
  for (int i = 1; i <= max_id; ++i) ids[i] = add_customer(s, "cdnow-" + std::to_string(i));
  std::vector<crmkit::Interaction> batch;
  for (const auto& r : rows) {
    const std::string& d = r[2];
    crmkit::Day day = crmkit::day_from_civil({std::stoi(d.substr(0, 4)), std::stoi(d.substr(4, 2)), std::stoi(d.substr(6, 2))});
    batch.push_back(purchase(ids.at(std::stoi(r[1])), crmkit::start_of_day(day), crmkit::parse_amount(r[4], "USD")));
  }
  crmkit::BatchOptions repeats;  // no order ids: identical rows are separate purchases
  repeats.allow_repeats = true;
  crmkit::Interactions(s).record_batch(batch, repeats);
  tx.commit();
  return rows.size();
}

}  // namespace value_test
