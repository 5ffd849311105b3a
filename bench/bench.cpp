#include "bench.hpp"

#include <sys/resource.h>
#include <unistd.h>

#include <cmath>
#include <cstdio>
#include <sstream>

namespace bench {

double best_of(int repeat, const std::function<void()>& f) {
  double best = 1e300;
  for (int i = 0; i < repeat; ++i) {
    auto t0 = Clock::now();
    f();
    best = std::min(best, seconds_since(t0));
  }
  return best;
}

double best_of_measured(int repeat, const std::function<double()>& f) {
  double best = 1e300;
  for (int i = 0; i < repeat; ++i) best = std::min(best, f());
  return best;
}

double scaling_exponent(const std::vector<double>& sizes, const std::vector<double>& times) {
  // Least squares on log-log.
  double n = 0, sx = 0, sy = 0, sxx = 0, sxy = 0;
  for (std::size_t i = 0; i < sizes.size() && i < times.size(); ++i) {
    if (sizes[i] <= 0 || times[i] <= 0) continue;
    double x = std::log(sizes[i]), y = std::log(times[i]);
    n += 1; sx += x; sy += y; sxx += x * x; sxy += x * y;
  }
  if (n < 2) return NAN;
  return (n * sxy - sx * sy) / (n * sxx - sx * sx);
}

bool Options::wanted(const std::string& id) const {
  if (only.empty()) return true;
  std::stringstream ss(only);
  std::string item;
  while (std::getline(ss, item, ','))
    if (item == id) return true;
  return false;
}

std::vector<WorkloadEntry>& workloads() {
  static std::vector<WorkloadEntry> all;
  return all;
}

RegisterWorkload::RegisterWorkload(std::string id, std::string title, Workload w) {
  workloads().push_back({std::move(id), std::move(title), w});
}

void progress(const std::string& message) {
  if (::isatty(2)) std::fprintf(stderr, "\r\033[K%s", message.c_str());
  else std::fprintf(stderr, "%s\n", message.c_str());
  std::fflush(stderr);
}

std::int64_t peak_rss_kib() {
  rusage ru{};
  ::getrusage(RUSAGE_SELF, &ru);
  return ru.ru_maxrss;
}

}  // namespace bench
