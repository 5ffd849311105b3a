// Fuzzes opening and reading a damaged or foreign database file. The input either patches a
// small populated crmkit store (pairs of a 3-byte offset and a byte) or, when its first byte
// is 0xFF, is the whole file. Invariants:
// - opening returns a Store or throws crmkit::Error with corrupt, unsupported_version, io or
//   invalid_argument (a file that is not a database), or read_only (a read-only open of an empty
//   file or of an earlier version) - never internal, never another status;
// - a refused open leaves the file byte for byte as it was; one refused for its identity or
//   version (judged from the header) adds no -wal/-shm/-journal file either;
// - every read on an opened store returns or throws corrupt (or io/busy from SQLite's I/O),
//   never internal, invalid_argument or constraint: a stored value that fails its check is
//   damage, and says so; a read by an id the listing gave may also say not_found (a damaged
//   index can list a row that is gone).
#include <unistd.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iterator>
#include <optional>
#include <string>
#include <vector>

#include "crmkit/customer.hpp"
#include "crmkit/interaction.hpp"
#include "crmkit/segment.hpp"
#include "crmkit/store.hpp"
#include "crmkit/time.hpp"

using namespace crmkit;

namespace {
void require(bool ok) {
  if (!ok) std::abort();
}

// An error outside the allowed set: its status and message go to the log before the abort, so
// a CI run that finds one says what it was.
void require_status(bool ok, const Error& e) {
  if (!ok) std::fprintf(stderr, "unexpected status %d: %s\n", static_cast<int>(e.code()), e.what());
  require(ok);
}

std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

void write_file(const std::string& path, const std::string& bytes) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
}

bool exists(const std::string& path) { return ::access(path.c_str(), F_OK) == 0; }

void remove_all(const std::string& path) {
  for (const char* suffix : {"", "-wal", "-shm", "-journal"}) std::remove((path + suffix).c_str());
}

std::string base_dir() {
  static const std::string dir = [] {
    char tmpl[] = "/tmp/crmkit-store-fuzz-XXXXXX";
    require(::mkdtemp(tmpl) != nullptr);
    return std::string(tmpl);
  }();
  return dir;
}

// A small store with customers, attributes, interactions, figures and a segment, checkpointed
// into the main file (no WAL), read once as the template every input patches.
const std::string& seed_file() {
  static const std::string bytes = [] {
    const std::string path = base_dir() + "/seed.db";
    remove_all(path);
    {
      Store s = Store::open(path);
      Customers customers(s);
      Interactions interactions(s);
      const Instant t0 = parse_instant("2025-01-01T00:00:00Z");
      for (int i = 0; i < 6; ++i) {
        CustomerFields f;
        f.external_id = "c" + std::to_string(i);
        f.email = "c" + std::to_string(i) + "@example.com";
        f.created_at = t0;
        f.attributes = R"({"tier": "gold", "n": 12})";
        const std::int64_t id = customers.create(f);
        for (int k = 0; k < 3; ++k) {
          Interaction x;
          x.customer_id = id;
          x.occurred_at = t0 + (k + 1) * 86400000LL;
          x.kind = k == 2 ? InteractionKind::support : InteractionKind::purchase;
          x.channel = Channel::web;
          if (k < 2) x.amount = Money{1000 + 10 * i + k, "USD"};
          x.attributes = R"({"sku": "A-1"})";
          interactions.record(x);
        }
      }
      Segments(s).create("buyers", SegmentKind::dynamic, R"({"field": "purchase_count", "op": "gte", "value": 1})");
    }
    // Reopen and close once more so that the WAL is checkpointed into the main file.
    { Store::open(path); }
    std::string b = read_file(path);
    remove_all(path);
    return b;
  }();
  return bytes;
}

bool allowed_open_refusal(Errc e) {
  // read_only: a read-only open of an empty file or of an earlier schema version.
  return e == Errc::corrupt || e == Errc::unsupported_version || e == Errc::io || e == Errc::invalid_argument ||
         e == Errc::busy || e == Errc::read_only;
}

bool allowed_read_failure(Errc e) { return e == Errc::corrupt || e == Errc::io || e == Errc::busy; }

template <class F>
void read_step(F&& f, bool by_listed_id = false) {
  try {
    f();
  } catch (const Error& e) {
    // A damaged index can list an id whose row is gone (SQLite does not compare an index with
    // its table short of integrity_check), so a read by such an id may also say not_found.
    require_status(allowed_read_failure(e.code()) || (by_listed_id && e.code() == Errc::not_found), e);
  }
}

void exercise(Store& s) {
  Customers customers(s);
  Interactions interactions(s);
  std::vector<std::int64_t> ids;
  read_step([&] {
    std::int64_t after = 0;
    for (int pages = 0; pages < 4; ++pages) {
      CustomerPage p = customers.list({}, after, 4);
      for (const auto& c : p.customers) ids.push_back(c.id);
      if (p.next_after == 0 || p.customers.empty()) break;
      after = p.next_after;
    }
  });
  for (std::int64_t id : ids) {
    read_step([&] { (void)customers.get(id); }, true);
    read_step([&] { (void)interactions.timeline(id); }, true);
    read_step([&] { (void)interactions.figures(id); }, true);
  }
  read_step([&] { (void)Segments(s).list(); });
}
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string bytes;
  if (size > 0 && data[0] == 0xFF) {
    bytes.assign(reinterpret_cast<const char*>(data) + 1, size - 1);
  } else {
    bytes = seed_file();
    for (std::size_t i = 0; i + 4 <= size; i += 4) {
      const std::size_t offset = (std::size_t(data[i]) << 16 | std::size_t(data[i + 1]) << 8 | data[i + 2]);
      if (!bytes.empty()) bytes[offset % bytes.size()] = static_cast<char>(data[i + 3]);
    }
  }
  const std::string path = base_dir() + "/input.db";
  remove_all(path);
  write_file(path, bytes);

  for (bool read_only : {true, false}) {
    const std::string before = read_file(path);
    const bool had_wal = exists(path + "-wal"), had_shm = exists(path + "-shm");
    OpenOptions o;
    o.read_only = read_only;
    o.create = false;
    std::optional<Store> s;
    try {
      s.emplace(Store::open(path, o));
    } catch (const Error& e) {
      require_status(allowed_open_refusal(e.code()), e);
      // A refused open writes nothing to the file. One refused for its identity or version is
      // judged from the header before SQLite opens it, so no -wal/-shm appears either; damage
      // found deeper is seen through SQLite, which keeps a WAL file's index beside it.
      require(read_file(path) == before);
      if (e.code() != Errc::corrupt)
        require(exists(path + "-wal") == had_wal && exists(path + "-shm") == had_shm);
      require(!exists(path + "-journal"));
      continue;
    }
    exercise(*s);
  }
  remove_all(path);
  return 0;
}
