// A digest of every row of every table, to prove that refused input changed nothing.
#pragma once

#include <algorithm>
#include <string>
#include <vector>

#include "crmkit/store.hpp"
#include "store/connection.hpp"

// `skip`: tables left out (a log that records the change itself, as audit_entries does).
inline std::string store_checksum(crmkit::Store& store, const std::vector<std::string>& skip = {}) {
  auto& db = crmkit::detail::connection_of(store).db;
  std::vector<std::string> tables;
  {
    auto q = db.statement(db.backend() == crmkit::detail::Backend::sqlite
                              ? "SELECT name FROM sqlite_schema WHERE type = 'table' AND name NOT LIKE 'sqlite_%' "
                                "ORDER BY name"
                              : "SELECT table_name FROM information_schema.tables WHERE table_schema = "
                                "current_schema() AND table_type = 'BASE TABLE' ORDER BY 1");
    while (q->executeStep()) tables.push_back(q->getColumn(0).getString());
  }
  std::string all;
  for (const auto& t : tables) {
    if (std::find(skip.begin(), skip.end(), t) != skip.end()) continue;
    auto q = db.statement("SELECT * FROM \"" + t + "\"");
    std::vector<std::string> rows;
    while (q->executeStep()) {
      std::string row;
      for (int i = 0; i < q->getColumnCount(); ++i) {
        auto c = q->getColumn(i);
        row += c.isNull() ? std::string("<null>") : c.getString();
        row += '\x1f';
      }
      rows.push_back(row);
    }
    std::sort(rows.begin(), rows.end());
    all += t + ":" + std::to_string(rows.size()) + "\n";
    for (auto& r : rows) all += r + "\n";
  }
  return all;  // the full text: a mismatch shows exactly what changed
}
