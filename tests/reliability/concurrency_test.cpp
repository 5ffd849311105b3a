// Concurrency: one C API handle shared by threads, several Stores (threads) and several
// processes on one file, writing and reading at once. Totals must add up, readers must only
// ever see whole transactions, nothing deadlocks, and under the default busy timeout nobody
// gets EBUSY at moderate load. The last case measures heavy contention (4 writers, 0 ms vs
// the default timeout) for docs/RELIABILITY.md.
#include <catch2/catch.hpp>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <thread>
#include <vector>

#include "crmkit.h"
#include "scenario.hpp"
#include "temp_dir.hpp"
#include "verify.hpp"

using namespace reliability;

namespace {

std::int64_t count_rows(crmkit::Store& s, const char* where) {
  return crmkit::detail::connection_of(s).db.execAndGet(std::string("SELECT count(*) FROM interactions WHERE ") + where).getInt64();
}

crmkit::Interaction purchase(std::int64_t customer, const std::string& ext, std::int64_t at, std::int64_t amount) {
  crmkit::Interaction i;
  i.customer_id = customer;
  i.external_id = ext;
  i.occurred_at = at;
  i.kind = crmkit::InteractionKind::purchase;
  i.amount = crmkit::Money{amount, "USD"};
  return i;
}

// The baseline database in a temporary directory, for the tests that write it from many sides.
struct BaselineFile {
  TempDir dir;
  const std::string path;
  explicit BaselineFile(const char* name) : path(dir.file(name)) { make_baseline(path); }
};

// After the writers: the file is intact and the figures kept while writing equal a recompute.
void check_intact(crmkit::Store& s) {
  CHECK(integrity(s) == "ok");
  auto [kept, recomputed] = figures_and_recompute(s);
  CHECK(kept == recomputed);
}

}  // namespace

TEST_CASE("one C API handle shared by threads: calls are serialised", "[concurrency]") {
  TempDir dir;
  crmkit_db* db = nullptr;
  REQUIRE(crmkit_db_open(&db, dir.file("shared.db").c_str(), nullptr) == CRMKIT_OK);
  const char* codes[] = {"EUR", "GBP", "JPY", "CHF"};
  std::atomic<int> bad{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t)
    threads.emplace_back([&, t] {
      for (int k = 0; k < 200; ++k) {
        int v = 0;
        if (crmkit_db_set_default_currency(db, codes[t]) != CRMKIT_OK) ++bad;
        if (crmkit_db_schema_version(&v, db) != CRMKIT_OK || v < 1) ++bad;
        if (crmkit_db_set_default_currency(db, "usd") != CRMKIT_EINVALID) ++bad;  // refused, per thread message
        if (std::string(crmkit_last_error_message()).find("default_currency") == std::string::npos) ++bad;
      }
    });
  for (auto& th : threads) th.join();
  CHECK(bad == 0);
  // Interactions from four threads through the same handle, with an iterator per thread.
  crmkit_customer* c = nullptr;
  crmkit_customer_new(&c);
  crmkit_customer_set_created_at(c, 0);
  std::int64_t customer = 0;
  REQUIRE(crmkit_customer_create(&customer, db, c) == CRMKIT_OK);
  crmkit_customer_free(c);
  threads.clear();
  for (int t = 0; t < 4; ++t)
    threads.emplace_back([&, t] {
      for (int k = 0; k < 100; ++k) {
        crmkit_interaction* r = nullptr;
        crmkit_interaction_new(&r);
        crmkit_interaction_set_customer_id(r, customer);
        crmkit_interaction_set_occurred_at(r, 1000 + k);
        crmkit_interaction_set_kind(r, "purchase");
        crmkit_interaction_set_amount(r, 10 + t, "USD");
        crmkit_interaction_set_external_id(r, ("s" + std::to_string(t) + "-" + std::to_string(k)).c_str());
        std::int64_t id = 0;
        if (crmkit_interaction_record(&id, db, r) != CRMKIT_OK) ++bad;
        crmkit_interaction_free(r);
        if (k % 25 == 0) {
          crmkit_interaction_iter* it = nullptr;
          if (crmkit_interaction_iter_new(&it, db, customer, nullptr, nullptr, INT64_MIN, INT64_MAX) != CRMKIT_OK) ++bad;
          int n = 0;
          while (crmkit_interaction_iter_next(it) == CRMKIT_OK) ++n;
          if (n < k) ++bad;
          crmkit_interaction_iter_free(it);
        }
      }
    });
  for (auto& th : threads) th.join();
  CHECK(bad == 0);
  crmkit_db_close(db);
  {
    crmkit::Store s = crmkit::Store::open(dir.file("shared.db"));
    CHECK(count_rows(s, "external_id LIKE 's%'") == 400);
    auto f = crmkit::Interactions(s).figures(customer);
    REQUIRE(f.money.size() == 1);
    CHECK(f.money[0].purchase_total == 100 * (10 + 11 + 12 + 13));
  }
  crmkit::Store s = crmkit::Store::open(dir.file("shared.db"));
  std::string cur = s.default_currency();
  CHECK((cur == "EUR" || cur == "GBP" || cur == "JPY" || cur == "CHF"));
}

TEST_CASE("several stores on one file: writers and a reader at once", "[concurrency]") {
  const BaselineFile file("many.db");
  const std::string& path = file.path;
  const std::int64_t base_rows = rows_in(1);
  constexpr int kWriters = 4, kBatches = 60, kRows = 5;
  std::atomic<int> errors{0}, torn{0}, reads{0};
  std::atomic<bool> done{false};
  std::vector<std::thread> threads;
  for (int w = 0; w < kWriters; ++w)
    threads.emplace_back([&, w] {
      try {
        crmkit::Store s = crmkit::Store::open(path);
        crmkit::Interactions in(s);
        for (int b = 0; b < kBatches; ++b) {
          std::vector<crmkit::Interaction> rows;
          for (int r = 0; r < kRows; ++r)
            rows.push_back(purchase(1 + (w * 5 + r) % kCustomers, "w" + std::to_string(w) + "-" + std::to_string(b) + "-" + std::to_string(r),
                                    kBaseTime + b * 60'000 + r, 100 + r));
          crmkit::Transaction tx(s);
          in.record_batch(rows);
          tx.commit();
        }
      } catch (const std::exception& e) {
        std::fprintf(stderr, "writer: %s\n", e.what());
        ++errors;
      }
    });
  threads.emplace_back([&] {
    try {
      crmkit::Store s = crmkit::Store::open(path);
      while (!done) {
        // One statement, one snapshot: only whole batches are ever visible.
        if (count_rows(s, "external_id LIKE 'w%'") % kRows != 0) ++torn;
        ++reads;
      }
    } catch (const std::exception& e) {
      std::fprintf(stderr, "reader: %s\n", e.what());
      ++errors;
    }
  });
  for (int w = 0; w < kWriters; ++w) threads[w].join();
  done = true;
  threads.back().join();
  CHECK(errors == 0);  // no EBUSY, no deadlock (the test would hang), nothing else
  CHECK(torn == 0);
  CHECK(reads > 0);
  crmkit::Store s = crmkit::Store::open(path);
  CHECK(count_rows(s, "1") == base_rows + kWriters * kBatches * kRows);
  check_intact(s);
}

TEST_CASE("several processes and a thread write one file", "[concurrency]") {
  const BaselineFile file("procs.db");
  const std::string& path = file.path;
  constexpr int kProcs = 3, kEach = 150;
  std::vector<std::pair<pid_t, int>> children;
  for (int p = 0; p < kProcs; ++p) {
    int fd = -1;
    pid_t pid = spawn_child({"write", path, std::to_string(p), std::to_string(kEach), "5000"}, &fd);
    REQUIRE(pid > 0);
    children.emplace_back(pid, fd);
  }
  {
    crmkit::Store s = crmkit::Store::open(path);
    crmkit::Interactions in(s);
    for (int k = 0; k < kEach; ++k) in.record(purchase(1 + k % kCustomers, "t-" + std::to_string(k), kBaseTime + k, 7));
  }
  long busy = 0;
  for (auto [pid, fd] : children) {
    int status = 0;
    REQUIRE(::waitpid(pid, &status, 0) == pid);
    char buf[64] = {};
    ssize_t n = ::read(fd, buf, sizeof buf - 1);
    ::close(fd);
    CHECK(WIFEXITED(status));
    CHECK(WEXITSTATUS(status) == 0);
    REQUIRE(n > 0);
    busy += std::atol(buf);
  }
  CHECK(busy == 0);  // the default 5 s busy timeout absorbs moderate contention
  crmkit::Store s = crmkit::Store::open(path);
  CHECK(count_rows(s, "external_id LIKE 'p%'") == kProcs * kEach);
  CHECK(count_rows(s, "external_id LIKE 't-%'") == kEach);
  check_intact(s);
}

TEST_CASE("heavy write contention: EBUSY with a 0 ms busy timeout, none with the default", "[concurrency]") {
  const BaselineFile file("contention.db");
  const std::string& path = file.path;
  constexpr int kWriters = 4, kEach = 150;
  for (int timeout : {0, 5000}) {
    std::atomic<long> busy{0}, other{0};
    auto start = std::chrono::steady_clock::now();
    std::vector<std::thread> threads;
    for (int w = 0; w < kWriters; ++w)
      threads.emplace_back([&, w] {
        crmkit::OpenOptions o;
        o.busy_timeout_ms = timeout;
        // The caller's retry loop: with a 0 ms timeout any call may meet a lock, opening too
        // (the WAL index can be mid-update when the file is first read).
        auto open = [&] {
          for (;;) {
            try {
              return crmkit::Store::open(path, o);
            } catch (const crmkit::Error& e) {
              if (e.code() != crmkit::Errc::busy) throw;
              ++busy;
            }
          }
        };
        try {
          crmkit::Store s = open();
          crmkit::Interactions in(s);
          for (int k = 0; k < kEach;) {
            try {
              in.record(purchase(1 + k % kCustomers,
                                 "h" + std::to_string(timeout) + "-" + std::to_string(w) + "-" + std::to_string(k),
                                 kBaseTime + k, 1));
              ++k;
            } catch (const crmkit::Error& e) {
              if (e.code() != crmkit::Errc::busy) throw;
              ++busy;  // the caller's retry loop: the row still goes in
            }
          }
        } catch (const std::exception& e) {
          std::fprintf(stderr, "contention writer: %s\n", e.what());
          ++other;
        }
      });
    for (auto& t : threads) t.join();
    const double ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
    std::printf("contention: %d writers x %d single-row commits, busy_timeout %d ms: %ld EBUSY, %.0f ms\n", kWriters,
                kEach, timeout, busy.load(), ms);
    CHECK(other == 0);
    if (timeout > 0) CHECK(busy == 0);
  }
  crmkit::Store s = crmkit::Store::open(path);
  CHECK(count_rows(s, "external_id LIKE 'h%'") == 2 * kWriters * kEach);
}
