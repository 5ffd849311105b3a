// crmkit-bench: runs the workloads and prints one Markdown table (or --json).
//
//   crmkit-bench [--customers N] [--per-customer K] [--only ids] [--no-scaling] [--no-big]
//                [--big-mb MB] [--pg-customers N] [--identity-customers N] [--dir PATH] [--seed S]
//                [--json]
//
// Workload "pg" times the PostgreSQL backend on the server CRMKIT_TEST_POSTGRES names (make
// bench runs the bench under tests/postgres/with_server.sh, which starts one); without it, its
// rows say "skipped". Its rows are named after the SQLite workload they mirror, suffixed
// " (PostgreSQL)", and printed right after that workload's rows.
//
// The temporary databases (gigabytes for a full run) go to a fresh directory under $TMPDIR, or
// /tmp, removed at exit; --dir PATH puts them in PATH instead and leaves the directory there.
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <string>
#include <system_error>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "bench.hpp"

namespace {

std::string machine() {
  std::ifstream cpu("/proc/cpuinfo");
  std::string line, model = "unknown CPU";
  while (std::getline(cpu, line))
    if (line.rfind("model name", 0) == 0) { model = line.substr(line.find(':') + 2); break; }
  long cores = sysconf(_SC_NPROCESSORS_ONLN);
  long pages = sysconf(_SC_PHYS_PAGES), page = sysconf(_SC_PAGE_SIZE);
  return fmt::format("{}, {} cores, {:.0f} GiB RAM", model, cores, pages * double(page) / (1 << 30));
}

std::string fmt_time(double s) {
  if (s < 1e-3) return fmt::format("{:.1f} µs", s * 1e6);
  if (s < 1) return fmt::format("{:.2f} ms", s * 1e3);
  return fmt::format("{:.2f} s", s);
}

int usage() {
  std::fprintf(stderr,
               "usage: crmkit-bench [--customers N] [--per-customer K] [--only ids] [--no-scaling]\n"
               "                    [--no-big] [--big-mb MB] [--pipeline-customers N] [--pg-customers N]\n"
               "                    [--identity-customers N] [--dir PATH] [--seed S] [--json] [--list]\n"
               "  --pipeline-customers N  workloads 10 and 11: customers (default 1000000, about 3.16 rows each)\n"
               "  --pg-customers N  workload pg, the PostgreSQL rows: customers (default 10000, about 10\n"
               "              rows each), on the server CRMKIT_TEST_POSTGRES names (skipped without it)\n"
               "  --identity-customers N  workload 12: the store of the real-time duplicate check and the\n"
               "              largest duplicate scan (default 1000000; the other scans use N/10 and N/100)\n"
               "  --dir PATH  where the temporary databases go (default: a fresh directory under\n"
               "              $TMPDIR, else /tmp, removed at exit; PATH itself is left in place)\n");
  return 2;
}

// The scratch directory made for this run, removed at exit (also after std::exit).
std::string scratch_dir;

void remove_scratch_dir() {
  std::error_code ec;
  std::filesystem::remove_all(scratch_dir, ec);
}

// A fresh directory of our own for the temporary databases, rather than the working directory
// (the source tree, when run as the README says).
std::string make_scratch_dir() {
  const char* tmp = std::getenv("TMPDIR");
  std::string pattern = std::string(tmp && *tmp ? tmp : "/tmp") + "/crmkit-bench-XXXXXX";
  if (!::mkdtemp(pattern.data())) {
    std::fprintf(stderr, "crmkit-bench: cannot make a scratch directory %s: %s (give --dir PATH)\n",
                 pattern.c_str(), std::strerror(errno));
    std::exit(1);
  }
  scratch_dir = pattern;
  std::atexit(remove_scratch_dir);
  return scratch_dir;
}

// The PostgreSQL rows ("3. RFM ... (PostgreSQL)", run last by workload pg) moved to just after
// the last row of the workload they mirror (the same "N." prefix), in their own order; rows
// whose workload did not run stay at the end.
constexpr const char* kPostgresSuffix = " (PostgreSQL)";

bool is_postgres_row(const bench::Row& r) {
  const std::string s = kPostgresSuffix;
  return r.workload.size() > s.size() && r.workload.compare(r.workload.size() - s.size(), s.size(), s) == 0;
}

std::string workload_number(const bench::Row& r) {  // "3." of "3. RFM ...", else ""
  std::size_t i = 0;
  while (i < r.workload.size() && std::isdigit(static_cast<unsigned char>(r.workload[i]))) ++i;
  return i > 0 && i < r.workload.size() && r.workload[i] == '.' ? r.workload.substr(0, i + 1) : "";
}

std::vector<bench::Row> beside_their_sqlite_rows(std::vector<bench::Row> rows) {
  std::vector<bench::Row> out, postgres;
  for (auto& r : rows) (is_postgres_row(r) ? postgres : out).push_back(std::move(r));
  for (auto& r : postgres) {
    const std::string n = workload_number(r);
    std::size_t at = out.size();
    if (!n.empty()) {
      for (std::size_t i = out.size(); i-- > 0;)
        if (!is_postgres_row(out[i]) && workload_number(out[i]) == n) { at = i + 1; break; }
      while (at < out.size() && is_postgres_row(out[at]) && workload_number(out[at]) == n) ++at;
    }
    out.insert(out.begin() + static_cast<std::ptrdiff_t>(at), std::move(r));
  }
  return out;
}

}  // namespace

int main(int argc, char** argv) {
  // Workloads 9 and 10 run parts in a process of their own (see run_child).
  if (argc >= 3 && std::strcmp(argv[1], "--child") == 0) return bench::child_main(argc - 2, argv + 2);
  bench::Options o;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    auto value = [&]() -> std::string {
      if (i + 1 >= argc) { std::fprintf(stderr, "%s needs a value\n", a.c_str()); std::exit(usage()); }
      return argv[++i];
    };
    if (a == "--customers") o.customers = std::atoll(value().c_str());
    else if (a == "--per-customer") o.interactions_per_customer = std::atoi(value().c_str());
    else if (a == "--only") o.only = value();
    else if (a == "--pipeline-customers") o.pipeline_customers = std::atoll(value().c_str());
    else if (a == "--pg-customers") o.pg_customers = std::atoll(value().c_str());
    else if (a == "--identity-customers") o.identity_customers = std::atoll(value().c_str());
    else if (a == "--no-scaling") o.scaling_series = false;
    else if (a == "--no-big") o.big_database = false;
    else if (a == "--big-mb") o.big_database_mb = std::atoll(value().c_str());
    else if (a == "--dir") o.work_dir = value();
    else if (a == "--seed") o.seed = std::strtoull(value().c_str(), nullptr, 10);
    else if (a == "--json") o.json = true;
    else if (a == "--list") {
      for (auto& w : bench::workloads()) std::printf("%-10s %s\n", w.id.c_str(), w.title.c_str());
      return 0;
    } else return usage();
  }
  if (o.customers <= 0 || o.interactions_per_customer <= 0 || o.pipeline_customers <= 0 || o.pg_customers <= 0 ||
      o.identity_customers <= 0)
    return usage();
  if (o.work_dir.empty()) o.work_dir = make_scratch_dir();

  std::sort(bench::workloads().begin(), bench::workloads().end(),
            [](const auto& a, const auto& b) { return a.id < b.id; });
  std::vector<bench::Row> rows;
  for (auto& w : bench::workloads()) {
    if (!o.wanted(w.id)) continue;
    bench::progress(fmt::format("[{}] {}", w.id, w.title));
    try {
      w.run(o, rows);
    } catch (const std::exception& e) {
      rows.push_back({w.title, "-", 0, {}, "", {}, "", "ERROR", e.what()});
    }
  }
  if (::isatty(2)) std::fprintf(stderr, "\r\033[K");
  rows = beside_their_sqlite_rows(std::move(rows));

  const auto peak = bench::peak_rss_kib();
  if (o.json) {
    nlohmann::json out;
    out["machine"] = machine();
    out["peak_rss_mib"] = peak / 1024.0;
    out["rows"] = nlohmann::json::array();
    for (auto& r : rows) {
      nlohmann::json j{{"workload", r.workload}, {"size", r.size}, {"crmkit_s", r.crmkit_s},
                       {"baseline", r.baseline}, {"target", r.target}, {"verdict", r.verdict},
                       {"note", r.note}};
      j["baseline_s"] = r.baseline_s ? nlohmann::json(*r.baseline_s) : nlohmann::json();
      j["ratio"] = r.ratio ? nlohmann::json(*r.ratio) : nlohmann::json();
      out["rows"].push_back(j);
    }
    std::printf("%s\n", out.dump(2).c_str());
    return 0;
  }
  std::printf("Machine: %s\n\n", machine().c_str());
  std::printf("| workload | size | crmkit | baseline | baseline time | ratio | target | verdict |\n");
  std::printf("|---|---|---:|---|---:|---:|---|---|\n");
  for (auto& r : rows) {
    std::printf("| %s | %s | %s | %s | %s | %s | %s | %s%s |\n", r.workload.c_str(), r.size.c_str(),
                r.crmkit_s > 0 ? fmt_time(r.crmkit_s).c_str() : "-", r.baseline.empty() ? "-" : r.baseline.c_str(),
                r.baseline_s ? fmt_time(*r.baseline_s).c_str() : "-",
                r.ratio ? fmt::format("{:.2f}", *r.ratio).c_str() : "-", r.target.empty() ? "-" : r.target.c_str(),
                r.verdict.c_str(), r.note.empty() ? "" : (" (" + r.note + ")").c_str());
  }
  std::printf("\nPeak memory (max RSS): %.0f MiB\n", peak / 1024.0);
  return 0;
}
