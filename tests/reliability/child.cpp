// Helper process for the crash and multi-process tests.
//   crash <db> <first_batch>      ingest batches forever (explicit transactions), writing the
//                                 batch number to stdout after each commit, until killed.
//   write <db> <worker> <count> <busy_timeout_ms>
//                                 record <count> interactions one call each; print the number
//                                 of EBUSY refusals; exit 0 when every row is in.
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>

#include "batch_plan.hpp"
#include "crmkit/interaction.hpp"
#include "crmkit/store.hpp"

namespace {

int crash_writer(const char* path, std::int64_t first) {
  crmkit::Store store = crmkit::Store::open(path);
  crmkit::Interactions interactions(store);
  for (std::int64_t b = first;; ++b) {
    auto rows = reliability::batch_rows(b);
    crmkit::Transaction tx(store);
    interactions.record_batch(rows);
    tx.commit();
    // The acknowledgement: only written after COMMIT returned.
    std::string line = std::to_string(b) + "\n";
    if (::write(1, line.data(), line.size()) != static_cast<ssize_t>(line.size())) return 3;
  }
}

int multi_writer(const char* path, int worker, int count, int busy_ms) {
  crmkit::OpenOptions o;
  o.busy_timeout_ms = busy_ms;
  crmkit::Store store = crmkit::Store::open(path, o);
  crmkit::Interactions interactions(store);
  long busy = 0;
  for (int k = 0; k < count;) {
    crmkit::Interaction i;
    i.customer_id = 1 + (worker + k) % reliability::kCustomers;
    i.external_id = "p" + std::to_string(worker) + "-" + std::to_string(k);
    i.occurred_at = reliability::kBaseTime + k;
    i.kind = crmkit::InteractionKind::purchase;
    i.amount = crmkit::Money{100 + k % 7, "USD"};
    try {
      interactions.record(i);
      ++k;
    } catch (const crmkit::Error& e) {
      if (e.code() != crmkit::Errc::busy) throw;
      ++busy;  // retried: the row must still get in
    }
  }
  std::printf("%ld\n", busy);
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  try {
    if (argc == 4 && std::strcmp(argv[1], "crash") == 0) return crash_writer(argv[2], std::atoll(argv[3]));
    if (argc == 6 && std::strcmp(argv[1], "write") == 0)
      return multi_writer(argv[2], std::atoi(argv[3]), std::atoi(argv[4]), std::atoi(argv[5]));
  } catch (const std::exception& e) {
    std::fprintf(stderr, "child: %s\n", e.what());
    return 2;
  }
  std::fprintf(stderr, "usage: child crash <db> <first_batch> | write <db> <worker> <count> <busy_ms>\n");
  return 64;
}
