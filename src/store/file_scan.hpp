// The store's own files, read as bytes: the WAL checkpoint that erasure ends with, and the scan
// that proves an erased value left no byte behind (crmkit/erasure.hpp, docs/PRIVACY.md).
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "crmkit/erasure.hpp"
#include "store/connection.hpp"

namespace crmkit::detail {

// PRAGMA wal_checkpoint(TRUNCATE): every committed page copied into the database file and the
// WAL cut to zero bytes. False when it could not complete (another connection is reading, or a
// transaction is open); true on a file not in WAL mode (nothing to copy).
bool checkpoint_and_truncate_wal(Connection& conn);

// The files of a SQLite store at `path`: the database, -wal, -shm and -journal.
std::vector<std::string> store_files(const std::string& path);

// Searches each file for each value's UTF-8 bytes, ASCII-lower-cased bytes, UTF-16LE and
// UTF-16BE, reading in bounded chunks. values: (source, value). Values shorter than
// kMinScannedBytes are listed as skipped. Sets verified, clean and the counts; io when a file
// that exists cannot be read.
ErasureScan scan_files(const std::vector<std::string>& files,
                       const std::vector<std::pair<std::string, std::string>>& values);

}  // namespace crmkit::detail
