// Loads the CDNOW summaries for the CLV tests from CRMKIT_SHARED_DATA (never copied), and
// the small checks the CLV tests share.
#pragma once

#include <cmath>
#include <fstream>
#include <functional>
#include <map>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include <catch2/catch.hpp>

#include "crmkit/clv.hpp"
#include "crmkit/error.hpp"
#include "test_paths.hpp"  // CRMKIT_SHARED_DATA, CRMKIT_CLI, CRMKIT_CHILD (generated)

namespace clv_test {

struct Cdnow {
  std::vector<long> id;
  crmkit::clv::Histories histories;
  std::vector<double> zbar;  // only from the "with_transactions" file
};

inline std::string shared_file(const std::string& rel) { return std::string(CRMKIT_SHARED_DATA) + "/" + rel; }

// Every row of a shared CSV file as numbers, the header skipped; false when the file is absent.
inline bool read_rows(const std::string& rel, std::vector<std::vector<double>>* rows) {
  std::ifstream in(shared_file(rel));
  if (!in) return false;
  std::string line;
  std::getline(in, line);  // header
  while (std::getline(in, line)) {
    if (line.empty() || line == "\r") continue;
    std::stringstream ss(line);
    std::string f;
    std::vector<double> v;
    while (std::getline(ss, f, ',')) v.push_back(std::stod(f));
    rows->push_back(std::move(v));
  }
  return true;
}

// Reads `ID,frequency,recency,T[,zbar]`; returns false when the file is absent.
inline bool load_cdnow(const std::string& rel, Cdnow* out) {
  std::vector<std::vector<double>> rows;
  if (!read_rows(rel, &rows)) return false;
  for (const auto& v : rows) {
    out->id.push_back(static_cast<long>(v[0]));
    out->histories.x.push_back(v[1]);
    out->histories.t_x.push_back(v[2]);
    out->histories.T.push_back(v[3]);
    if (v.size() > 4) out->zbar.push_back(v[4]);
  }
  return true;
}

// A CDNOW file read once per run; nullptr, with a warning naming it, when it is absent (the
// caller's test then returns: the data are shared, not part of the repository).
inline const Cdnow* cdnow(const std::string& rel) {
  static std::map<std::string, std::optional<Cdnow>> read;
  auto it = read.find(rel);
  if (it == read.end()) {
    Cdnow c;
    it = read.emplace(rel, load_cdnow(rel, &c) ? std::optional<Cdnow>(std::move(c)) : std::nullopt).first;
  }
  if (!it->second) WARN("skipped: " << rel << " not found under " CRMKIT_SHARED_DATA);
  return it->second ? &*it->second : nullptr;
}
inline const Cdnow* summary() { return cdnow("cdnow/cdnow_customers_summary.csv"); }
inline const Cdnow* with_spend() { return cdnow("cdnow/cdnow_customers_summary_with_transactions.csv"); }

// Relative difference.
inline double rel(double got, double want) { return std::abs(got - want) / std::abs(want); }

// A fit that reproduces published numbers: converged, each parameter within its relative
// tolerance (1e-3 unless `tolerance` gives one per parameter), the log-likelihood within 0.01.
inline void check_published_fit(const crmkit::clv::FitReport& report, const std::vector<double>& got,
                                const std::vector<double>& want, double log_likelihood,
                                const std::vector<double>& tolerance = {}) {
  INFO(report.reason << " iterations " << report.iterations);
  CHECK(report.converged);
  REQUIRE(got.size() == want.size());
  for (std::size_t i = 0; i < want.size(); ++i) {
    INFO("parameter " << i << " = " << got[i] << ", published " << want[i]);
    CHECK(rel(got[i], want[i]) < (tolerance.empty() ? 1e-3 : tolerance[i]));
  }
  CHECK(std::abs(report.log_likelihood - log_likelihood) <= 0.01);
}

// The code of the crmkit::Error f throws; internal when it throws none.
inline crmkit::Errc error_code(const std::function<void()>& f) {
  try {
    f();
  } catch (const crmkit::Error& e) {
    return e.code();
  }
  return crmkit::Errc::internal;
}


}  // namespace clv_test
