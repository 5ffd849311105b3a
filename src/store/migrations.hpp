// Schema migrations: src/schema/NNNN_name.sql, embedded at build time (cmake/embed_migrations.cmake).
#pragma once

#include <vector>

namespace crmkit::detail {

struct Migration {
  int version;       // NNNN, increasing; each area owns its numbers (see src/schema/README.md)
  const char* name;  // file name without .sql
  const char* sql;
};

const std::vector<Migration>& migrations();

}  // namespace crmkit::detail
