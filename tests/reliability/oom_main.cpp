// Out of memory in the middle of mutations: SQLite's allocator is replaced (before
// sqlite3_initialize, hence a process of its own) by one that fails the N-th allocation, N
// swept until the mutation completes. Every failure must be an Error (no crash), leave no
// transaction open, and the reopened file must be intact and hold the before or after state.
#include <sqlite3.h>
#include <unistd.h>

#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "scenario.hpp"
#include "store_checksum.hpp"
#include "temp_dir.hpp"
#include "verify.hpp"

using namespace reliability;

namespace {

sqlite3_mem_methods g_default;
std::atomic<long> g_countdown{-1};
std::atomic<bool> g_tripped{false};
std::atomic<bool> g_sticky{true};  // keep failing once tripped, or fail a single allocation

bool fail_now() {
  long left = g_countdown.load();
  if (left < 0) return false;
  if (g_tripped) return g_sticky.load();
  if (left == 0) {
    g_tripped = true;
    return true;
  }
  g_countdown = left - 1;
  return false;
}
void* oom_malloc(int n) { return fail_now() ? nullptr : g_default.xMalloc(n); }
void* oom_realloc(void* p, int n) { return fail_now() ? nullptr : g_default.xRealloc(p, n); }

int failures = 0;
void check(bool ok, const std::string& what) {
  if (!ok) {
    ++failures;
    std::fprintf(stderr, "FAILED: %s\n", what.c_str());
  }
}

}  // namespace

int main() {
  sqlite3_config(SQLITE_CONFIG_GETMALLOC, &g_default);
  sqlite3_mem_methods m = g_default;
  m.xMalloc = oom_malloc;
  m.xRealloc = oom_realloc;
  if (sqlite3_config(SQLITE_CONFIG_MALLOC, &m) != SQLITE_OK) {
    std::fprintf(stderr, "cannot install the failing allocator\n");
    return 1;
  }
  ShmDir dir;
  const std::string path = dir.file("oom.db");
  const SweepStates states = sweep_states(path);
  const std::string& baseline = states.baseline;
  const std::string& before = states.before;
  long runs = 0, refused = 0, stale = 0, json_checks = 0;
  for (Mutation mu : kMutations) {
    const std::string after = states.after(path, mu);
    // Every allocation for the small mutations, then every 7th for the large ones.
    const long step = (mu == Mutation::transaction || mu == Mutation::batch) ? 53 : 5;
    for (bool sticky : {true, false})
    for (long n = 0;; n += step) {
      const std::string where = std::string(name_of(mu)) + (sticky ? " sticky" : " once") +
                                " failing allocation " + std::to_string(n);
      write_file(path, baseline);
      bool failed = false;
      bool tripped = false;
      {
        crmkit::Store s = crmkit::Store::open(path);
        g_tripped = false;
        g_sticky = sticky;
        g_countdown = n;
        try {
          mutate(s, mu);
        } catch (const crmkit::Error& e) {
          failed = true;
          // SQLite's json_valid() answers false rather than SQLITE_NOMEM when its parser
          // cannot allocate, so a CHECK on a JSON column may report constraint instead.
          const bool json_check = e.code() == crmkit::Errc::constraint &&
                                  std::string(e.what()).find("json_valid") != std::string::npos;
          if (json_check) ++json_checks;
          check(e.code() == crmkit::Errc::no_memory || json_check, where + ": expected no_memory, got " +
                                                         crmkit::errc_name(e.code()) + ": " + e.what());
        } catch (const std::exception& e) {
          failed = true;
          check(false, where + ": a non-crmkit exception escaped: " + e.what());
        }
        tripped = g_tripped.load();
        g_countdown = -1;
        // With memory still exhausted even ROLLBACK can fail; the next write on the store must
        // then roll the stale transaction back before it starts (not silently join it).
        if (s.in_transaction()) {
          ++stale;
          s.set_default_currency("USD");
        }
        check(!s.in_transaction(), where + ": a transaction was left open");
      }
      ++runs;
      if (failed) ++refused;
      crmkit::Store s = crmkit::Store::open(path);
      check(integrity(s) == "ok", where + ": integrity");
      std::string now = store_checksum(s);
      check(now == before || now == after, where + ": partial change");
      if (failed) check(now == before, where + ": error reported but the change was applied");
      auto fr = figures_and_recompute(s);
      check(fr.first == fr.second, where + ": figures differ from a recompute");
      if (!tripped) break;
      if (failures > 20) break;
    }
  }
  std::printf("oom: %ld runs, %ld mutations refused for lack of memory (%ld left a transaction that the next "
              "write rolled back; %ld reported as a JSON CHECK failure), %d problems\n", runs, refused, stale,
              json_checks, failures);
  return failures == 0 ? 0 : 1;
}
