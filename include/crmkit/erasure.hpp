// crmkit/erasure.hpp: forgetting a customer on request, and proving it. docs/PRIVACY.md
// "Erasure".
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "crmkit/store.hpp"
#include "crmkit/time.hpp"

namespace crmkit {

struct ErasureOptions {
  // After the commit, scan every file of the store for the erased values (ErasureScan).
  bool verify = false;
};

// One place an erased value was found: the file and the byte offset of the form's first byte.
struct ErasureHit {
  std::string file;
  std::int64_t offset = 0;
  std::string form;  // "utf8", "lower", "utf16le" or "utf16be"
};

// One erased value as the scan searched it. The value itself is never in the report (a report
// that quoted it would carry what the erasure removed): `source` says where it was stored.
struct ErasureValueScan {
  std::string source;               // "customers.family_name", "interactions.notes", "audit_entries.old_value", ...
  std::int64_t bytes = 0;           // its length in UTF-8
  std::vector<std::string> forms;   // the forms searched (a form equal to another is searched once)
  std::vector<ErasureHit> hits;
};

struct ErasureFileScan {
  std::string file;     // the path
  bool exists = false;  // the -wal, -shm and -journal files may be absent
  std::int64_t bytes = 0;
};

// The raw scan of the store's files. `clean`: it ran and found no erased value anywhere.
struct ErasureScan {
  bool verified = false;  // the scan ran (false on PostgreSQL, an in-memory store, or before a checkpoint)
  std::string reason;     // why it did not run, or why it is not clean; empty when clean
  bool clean = false;     // verified and no hit
  std::vector<ErasureFileScan> files;
  std::vector<ErasureValueScan> values;
  std::vector<std::string> skipped;  // sources of values too short to search (under kMinScannedBytes)
  std::int64_t bytes_scanned = 0;
  std::int64_t hits = 0;
};
// A value shorter than this is not searched: a 1-3 byte string ("F", "IT") occurs by chance in
// any file, so a hit would prove nothing; it is listed as skipped.
inline constexpr std::int64_t kMinScannedBytes = 4;

struct ErasureReport {
  std::int64_t customer_id = 0;
  Instant erased_at = 0;
  std::string pseudonym;                     // "ERASED:<id>": display_name and external_id now
  std::int64_t contact_points_removed = 0;
  std::int64_t suppressed = 0;               // emails and phones put on the suppression list (reason erased)
  std::map<std::string, std::int64_t> rows_redacted;  // per table: rows whose personal columns were set NULL
  std::map<std::string, std::int64_t> rows_removed;   // per table: rows deleted
  std::int64_t audit_entries_redacted = 0;
  bool checkpointed = false;  // SQLite file: the WAL was checkpointed and truncated after the commit
  std::optional<ErasureScan> scan;           // with ErasureOptions::verify
};
// {"customer_id", "erased_at", "pseudonym", "contact_points_removed", "suppressed", "rows_redacted",
//  "rows_removed", "audit_entries_redacted", "checkpointed", "scan": null or {"verified", "reason",
//  "clean", "files": [{"file", "exists", "bytes"}], "values": [{"source", "bytes", "forms", "hits":
//  [{"file", "offset", "form"}]}], "skipped", "bytes_scanned", "hits"}}
std::string to_json(const ErasureReport& report);
std::string to_json(const ErasureScan& scan);

class Erasure {
 public:
  explicit Erasure(Store& store) : store_(store) {}

  // Erases the customer's personal data in one transaction, dated `at`: the personal fields
  // pseudonymised or cleared (display_name and external_id become "ERASED:<id>"), its contact
  // points deleted and its emails and phones suppressed (reason erased), the personal columns
  // of every table that refers to it set NULL or its rows deleted (the one list in
  // src/identity/customer_references.cpp), its audit entries and those of its contact points
  // redacted; purchases, their amounts and dates, points and figures kept. Then, on a SQLite
  // file outside a caller's transaction, the WAL is checkpointed and truncated, and with
  // options.verify the files are scanned (ErasureScan).
  // invalid_argument: id not positive, bad `at`; not_found: no such customer; conflict:
  // already erased ("customer 7 is already erased (at ...)"). Nothing is written on error.
  ErasureReport erase(std::int64_t customer_id, Instant at, const ErasureOptions& options = {});

  // Scans the store's files for the given values (each searched in the four forms): what
  // erase(verify) runs, for a value the caller knows. Sources are "value 1", "value 2", ...
  ErasureScan scan(const std::vector<std::string>& values);

 private:
  Store store_;
};

}  // namespace crmkit
