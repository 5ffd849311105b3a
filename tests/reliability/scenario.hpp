// The mutations the fault-injection tests interrupt, on a small baseline database.
#pragma once

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "batch_plan.hpp"
#include "crmkit/customer.hpp"
#include "crmkit/interaction.hpp"
#include "crmkit/store.hpp"
#include "store_checksum.hpp"
#include "temp_dir.hpp"

namespace reliability {

// Fault sweeps open and close hundreds of files: use memory-backed /dev/shm when present so
// that the run does not wait on fsync of a slow disk (the shim fails syncs all the same).
struct ShmDir : TempDir {
  ShmDir() {
    if (std::filesystem::is_directory("/dev/shm")) {
      std::string tmpl = "/dev/shm/crmkit-fault-XXXXXX";
      if (char* p = ::mkdtemp(tmpl.data())) {
        std::error_code ec;
        std::filesystem::remove_all(path, ec);
        path = p;
      }
    }
  }
};


inline void make_baseline(const std::string& path) {
  crmkit::Store store = crmkit::Store::open(path);
  crmkit::Customers customers(store);
  for (int c = 1; c <= kCustomers; ++c) {
    crmkit::CustomerFields f = baseline_customer(c);
    f.attributes = R"({"tier":"gold","n":)" + std::to_string(c) + "}";
    f.tags = std::vector<std::string>{"vip", "t" + std::to_string(c % 3)};
    customers.create(f);
  }
  crmkit::Interactions(store).record_batch(batch_rows(1));
}

enum class Mutation { transaction, batch, update, rebuild };
constexpr Mutation kMutations[] = {Mutation::transaction, Mutation::batch, Mutation::update, Mutation::rebuild};
inline const char* name_of(Mutation m) {
  switch (m) {
    case Mutation::transaction: return "transaction";
    case Mutation::batch: return "batch";
    case Mutation::update: return "update";
    case Mutation::rebuild: return "rebuild";
  }
  return "?";
}

// Each is one atomic unit: the file must afterwards hold all of it or none of it.
inline void mutate(crmkit::Store& store, Mutation m) {
  crmkit::Customers customers(store);
  crmkit::Interactions interactions(store);
  switch (m) {
    case Mutation::transaction: {
      crmkit::Transaction tx(store);
      crmkit::CustomerFields f;
      f.external_id = "new";
      f.created_at = kBaseTime;
      f.display_name = std::string(3000 / 3, 'x');
      std::int64_t id = customers.create(f);
      for (std::int64_t b = 2; b < 8; ++b) interactions.record_batch(batch_rows(b));
      crmkit::Interaction i;
      i.customer_id = id;
      i.occurred_at = kBaseTime;
      i.kind = crmkit::InteractionKind::purchase;
      i.amount = crmkit::Money{1234, "EUR"};
      interactions.record(i);
      tx.commit();
      break;
    }
    case Mutation::batch: {
      std::vector<crmkit::Interaction> all;
      for (std::int64_t b = 10; b < 18; ++b)
        for (auto& r : batch_rows(b)) all.push_back(std::move(r));
      interactions.record_batch(all);
      break;
    }
    case Mutation::update: {
      crmkit::CustomerFields f;
      f.display_name = "Renamed";
      f.tags = std::vector<std::string>{"a", "b", "c"};
      f.attributes = R"({"tier":"silver"})";
      customers.update(3, f, kBaseTime + 1);
      break;
    }
    case Mutation::rebuild: interactions.rebuild_figures(); break;
  }
}

inline std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}
inline void write_file(const std::string& path, const std::string& bytes) {
  std::remove((path + "-wal").c_str());
  std::remove((path + "-shm").c_str());
  std::ofstream(path, std::ios::binary | std::ios::trunc).write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
}

// What a fault sweep compares a file with: the baseline's bytes (restored before every run),
// its checksum, and the checksum a mutation reaches on it when nothing fails.
struct SweepStates {
  std::string baseline, before;

  std::string after(const std::string& path, Mutation m) const {
    write_file(path, baseline);
    crmkit::Store s = crmkit::Store::open(path);
    mutate(s, m);
    return store_checksum(s);
  }
};

// Writes the baseline at `path` and reads back its states.
inline SweepStates sweep_states(const std::string& path) {
  make_baseline(path);
  SweepStates states{read_file(path), {}};
  crmkit::Store s = crmkit::Store::open(path);
  states.before = store_checksum(s);
  return states;
}

}  // namespace reliability
