#include "bench.hpp"

#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmath>
#include <cstdio>
#include <fstream>
#include <map>
#include <sstream>
#include <stdexcept>

#include <fmt/format.h>

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

std::int64_t image_peak_rss_kib() {
  std::ifstream status("/proc/self/status");
  std::string line;
  while (std::getline(status, line))
    if (line.rfind("VmHWM:", 0) == 0) return std::stoll(line.substr(6));
  return peak_rss_kib();
}

double cpu_seconds() {
  rusage ru{};
  ::getrusage(RUSAGE_SELF, &ru);
  const auto s = [](const timeval& t) { return static_cast<double>(t.tv_sec) + static_cast<double>(t.tv_usec) / 1e6; };
  return s(ru.ru_utime) + s(ru.ru_stime);
}

double bytes_written() {
  std::ifstream io("/proc/self/io");
  std::string key;
  double value = 0;
  while (io >> key >> value)
    if (key == "write_bytes:") return value;
  return 0;
}

namespace {
std::map<std::string, ChildMain>& children() {
  static std::map<std::string, ChildMain> all;
  return all;
}
}  // namespace

RegisterChild::RegisterChild(std::string name, ChildMain f) { children().emplace(std::move(name), f); }

int child_main(int argc, char** argv) {
  if (argc < 1) return 2;
  auto it = children().find(argv[0]);
  if (it == children().end()) {
    std::fprintf(stderr, "crmkit-bench: no child named %s\n", argv[0]);
    return 2;
  }
  try {
    return it->second(std::vector<std::string>(argv + 1, argv + argc));
  } catch (const std::exception& e) {
    std::printf("error: %s\n", e.what());
    return 1;
  }
}

std::vector<double> child_numbers(const std::string& printed, std::size_t n) {
  std::vector<double> out;
  std::size_t at = 0;
  while (out.size() < n) {
    std::size_t used = 0;
    try {
      out.push_back(std::stod(printed.substr(at), &used));
    } catch (const std::exception&) {
      throw std::runtime_error("a child printed: " + printed);
    }
    at += used;
  }
  return out;
}

std::string run_child(const std::vector<std::string>& args) {
  int out[2];
  if (::pipe(out) != 0) throw std::runtime_error("pipe failed");
  std::vector<char*> argv{const_cast<char*>("crmkit-bench"), const_cast<char*>("--child")};
  for (const auto& a : args) argv.push_back(const_cast<char*>(a.c_str()));
  argv.push_back(nullptr);
  const pid_t pid = ::fork();
  if (pid < 0) throw std::runtime_error("fork failed");
  if (pid == 0) {
    ::dup2(out[1], 1);
    ::close(out[0]);
    ::execv("/proc/self/exe", argv.data());
    ::_exit(127);
  }
  ::close(out[1]);
  std::string text;
  char buf[256];
  ssize_t n;
  while ((n = ::read(out[0], buf, sizeof buf)) > 0) text.append(buf, static_cast<std::size_t>(n));
  ::close(out[0]);
  int status = 0;
  ::waitpid(pid, &status, 0);
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
    throw std::runtime_error(fmt::format("the child '{}' failed: {}", args.empty() ? "" : args[0], text));
  return text;
}

}  // namespace bench
