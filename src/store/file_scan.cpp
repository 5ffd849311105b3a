#include "store/file_scan.hpp"

#include <algorithm>
#include <fstream>
#include <functional>
#include <memory>

#include <fmt/format.h>

namespace crmkit::detail {

namespace {

// UTF-8 (validated at the boundary) to UTF-16 code units.
std::u16string utf16_of(const std::string& s) {
  std::u16string out;
  for (std::size_t i = 0; i < s.size();) {
    const auto b = static_cast<unsigned char>(s[i]);
    char32_t cp = b;
    int more = 0;
    if (b >= 0xF0) cp = b & 0x07, more = 3;
    else if (b >= 0xE0) cp = b & 0x0F, more = 2;
    else if (b >= 0xC0) cp = b & 0x1F, more = 1;
    ++i;
    for (int k = 0; k < more && i < s.size(); ++k, ++i) cp = (cp << 6) | (static_cast<unsigned char>(s[i]) & 0x3F);
    if (cp >= 0x10000) {
      cp -= 0x10000;
      out.push_back(static_cast<char16_t>(0xD800 + (cp >> 10)));
      out.push_back(static_cast<char16_t>(0xDC00 + (cp & 0x3FF)));
    } else {
      out.push_back(static_cast<char16_t>(cp));
    }
  }
  return out;
}

std::string utf16_bytes(const std::u16string& units, bool little_endian) {
  std::string out;
  for (char16_t u : units) {
    const char lo = static_cast<char>(u & 0xFF), hi = static_cast<char>(u >> 8);
    out.push_back(little_endian ? lo : hi);
    out.push_back(little_endian ? hi : lo);
  }
  return out;
}

struct Needle {
  std::size_t value;  // index into the scan's values
  std::string form;
  std::string bytes;
};

}  // namespace

bool checkpoint_and_truncate_wal(Connection& conn) {
  auto st = conn.statement("PRAGMA wal_checkpoint(TRUNCATE)");
  if (!st->executeStep()) return true;
  return st->getColumn(0).getInt64() == 0;  // busy = 0: the checkpoint completed
}

std::vector<std::string> store_files(const std::string& path) {
  return {path, path + "-wal", path + "-shm", path + "-journal"};
}

ErasureScan scan_files(const std::vector<std::string>& files,
                       const std::vector<std::pair<std::string, std::string>>& values) {
  ErasureScan scan;
  std::vector<Needle> needles;
  for (const auto& [source, value] : values) {
    if (static_cast<std::int64_t>(value.size()) < kMinScannedBytes) {
      scan.skipped.push_back(source);
      continue;
    }
    ErasureValueScan v;
    v.source = source;
    v.bytes = static_cast<std::int64_t>(value.size());
    std::string lower = value;
    for (char& c : lower)
      if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    const std::u16string units = utf16_of(value);
    const std::pair<const char*, std::string> forms[] = {
        {"utf8", value}, {"lower", lower}, {"utf16le", utf16_bytes(units, true)}, {"utf16be", utf16_bytes(units, false)}};
    for (const auto& [name, bytes] : forms) {
      // A form equal to one already searched (an all-lower-case value) is searched once.
      bool repeated = false;
      for (const auto& n : needles)
        repeated = repeated || (n.value == scan.values.size() && n.bytes == bytes);
      if (repeated) continue;
      v.forms.push_back(name);
      needles.push_back({scan.values.size(), name, bytes});
    }
    scan.values.push_back(std::move(v));
  }
  std::size_t longest = 1;
  for (const auto& n : needles) longest = std::max(longest, n.bytes.size());
  constexpr std::size_t kChunk = 1 << 20;
  for (const auto& file : files) {
    ErasureFileScan f;
    f.file = file;
    std::ifstream in(file, std::ios::binary);
    f.exists = in.is_open();
    if (f.exists) {
      // Each chunk is searched with the last longest-1 bytes of the one before, so a value
      // across a chunk boundary is found; a hit wholly inside that carried tail was found before.
      std::string buffer;
      std::int64_t base = 0;  // file offset of buffer[0]
      std::size_t carried = 0;
      std::vector<char> chunk(kChunk);
      while (in) {
        in.read(chunk.data(), static_cast<std::streamsize>(chunk.size()));
        const std::streamsize got = in.gcount();
        if (got <= 0) break;
        if (in.bad()) throw Error(Errc::io, fmt::format("cannot read '{}' to scan it", file));
        buffer.append(chunk.data(), static_cast<std::size_t>(got));
        f.bytes += got;
        for (const auto& n : needles) {
          const std::boyer_moore_horspool_searcher search(n.bytes.begin(), n.bytes.end());
          for (auto it = std::search(buffer.begin(), buffer.end(), search); it != buffer.end();
               it = std::search(it + 1, buffer.end(), search)) {
            const auto at = static_cast<std::size_t>(it - buffer.begin());
            if (at + n.bytes.size() <= carried) continue;
            scan.values[n.value].hits.push_back({file, base + static_cast<std::int64_t>(at), n.form});
          }
        }
        carried = std::min(buffer.size(), longest - 1);
        base += static_cast<std::int64_t>(buffer.size() - carried);
        buffer.erase(0, buffer.size() - carried);
      }
      if (in.bad()) throw Error(Errc::io, fmt::format("cannot read '{}' to scan it", file));
    }
    scan.bytes_scanned += f.bytes;
    scan.files.push_back(std::move(f));
  }
  for (const auto& v : scan.values) scan.hits += static_cast<std::int64_t>(v.hits.size());
  scan.verified = true;
  scan.clean = scan.hits == 0;
  if (!scan.clean)
    scan.reason = fmt::format("{} hit(s): an erased value is still in the store's files (or another record holds "
                              "the same value)", scan.hits);
  return scan;
}

}  // namespace crmkit::detail
