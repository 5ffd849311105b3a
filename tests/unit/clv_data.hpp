// Loads the CDNOW summaries for the CLV tests from CRMKIT_SHARED_DATA (never copied).
#pragma once

#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "crmkit/clv.hpp"

namespace clv_test {

struct Cdnow {
  std::vector<long> id;
  crmkit::clv::Histories histories;
  std::vector<double> zbar;  // only from the "with_transactions" file
};

inline std::string shared_file(const std::string& rel) { return std::string(CRMKIT_SHARED_DATA) + "/" + rel; }

// Reads `ID,frequency,recency,T[,zbar]`; returns false when the file is absent.
inline bool load_cdnow(const std::string& rel, Cdnow* out) {
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
    out->id.push_back(static_cast<long>(v[0]));
    out->histories.x.push_back(v[1]);
    out->histories.t_x.push_back(v[2]);
    out->histories.T.push_back(v[3]);
    if (v.size() > 4) out->zbar.push_back(v[4]);
  }
  return true;
}

inline bool load_summary(Cdnow* out) { return load_cdnow("cdnow/cdnow_customers_summary.csv", out); }
inline bool load_with_spend(Cdnow* out) {
  return load_cdnow("cdnow/cdnow_customers_summary_with_transactions.csv", out);
}

// Relative difference.
inline double rel(double got, double want) { return std::abs(got - want) / std::abs(want); }

}  // namespace clv_test
