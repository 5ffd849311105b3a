// crmkit-bench: every workload is timed against a baseline measured in the same run, so the
// figures are ratios (or scaling exponents) that survive a noisy shared machine.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace bench {

using Clock = std::chrono::steady_clock;

inline double seconds_since(Clock::time_point t0) {
  return std::chrono::duration<double>(Clock::now() - t0).count();
}

// Runs f `repeat` times and returns the fastest wall time in seconds (the least disturbed run).
double best_of(int repeat, const std::function<void()>& f);
// For runs whose set-up must not count: f returns the seconds of its measured part.
double best_of_measured(int repeat, const std::function<double()>& f);

// One line of the report. `ratio` is crmkit/baseline for times and baseline/crmkit for rates;
// `better` says which direction the target reads ("<=" or ">=").
struct Row {
  std::string workload;
  std::string size;
  double crmkit_s = 0;
  std::optional<double> baseline_s;
  std::string baseline;        // what the baseline is
  std::optional<double> ratio;
  std::string target;          // e.g. "<= 1.3x", ">= 0.7" or "" (informational)
  std::string verdict;         // "met", "MISSED", "info"
  std::string note;
};

// A fitted y = c * x^k; k is the scaling exponent (1 = linear).
double scaling_exponent(const std::vector<double>& sizes, const std::vector<double>& times);

struct Options {
  std::int64_t customers = 100'000;
  int interactions_per_customer = 10;
  std::vector<std::int64_t> scaling = {10'000, 100'000, 1'000'000};
  bool scaling_series = true;
  std::int64_t pipeline_customers = 1'000'000;  // workload 10
  // Workload 12: the store of the real-time duplicate check and the largest scan (the others
  // are a tenth and a hundredth of it); the create row uses min(50,000, this).
  std::int64_t identity_customers = 1'000'000;
  // Workload pg (the PostgreSQL rows of workloads 1, 2, 3, 5 and 6), about 10 rows each.
  std::int64_t pg_customers = 10'000;
  bool big_database = true;
  std::int64_t big_database_mb = 1024;
  std::string only;            // comma-separated workload ids, empty = all
  // Where temporary databases go (--dir). Empty until main makes a fresh scratch directory
  // under $TMPDIR (or /tmp), removed at exit: runs can write gigabytes.
  std::string work_dir;
  std::uint64_t seed = 42;
  bool json = false;
  bool wanted(const std::string& id) const;
};

// Each workload appends rows; progress goes to stderr.
using Workload = void (*)(const Options&, std::vector<Row>&);
struct WorkloadEntry {
  std::string id;
  std::string title;
  Workload run;
};
std::vector<WorkloadEntry>& workloads();
struct RegisterWorkload {
  RegisterWorkload(std::string id, std::string title, Workload w);
};

void progress(const std::string& message);
std::int64_t peak_rss_kib();
// Peak resident memory of this process image (VmHWM). Not getrusage: ru_maxrss survives exec,
// so a child started by the bench would report the bench's own peak.
std::int64_t image_peak_rss_kib();
double cpu_seconds();     // user + system CPU time of this process so far
double bytes_written();   // bytes this process caused to be written to storage (/proc/self/io), 0 without it

// Work that needs a process of its own (its own CPU time and peak memory, not the bench's,
// which holds generated populations) runs as `crmkit-bench --child NAME ARGS...`: a fresh image
// of this program. A child prints its measurements on stdout and exits 0.
using ChildMain = int (*)(const std::vector<std::string>& args);
struct RegisterChild {
  RegisterChild(std::string name, ChildMain f);
};
int child_main(int argc, char** argv);                       // argv: NAME ARGS...
std::string run_child(const std::vector<std::string>& args);  // NAME ARGS...; throws on failure
// The first n numbers a child printed; throws naming the child's output when there are fewer.
std::vector<double> child_numbers(const std::string& printed, std::size_t n);

}  // namespace bench
