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

// The PostgreSQL twins: src/schema/postgresql/NNNN_name.sql, the same numbers and names as
// migrations() (the build refuses otherwise), applied to a tenant's schema through search_path.
const std::vector<Migration>& postgres_migrations();

struct Connection;

// Applies, in one transaction, every migration newer than the file's user_version up to and
// including `version`, and stamps the application_id. Store::open calls it with the latest
// version; tests call it with earlier ones to build files as older crmkit versions wrote them.
void migrate_to(Connection& c, int version);

}  // namespace crmkit::detail
