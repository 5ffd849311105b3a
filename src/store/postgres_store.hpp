// Opening a store on PostgreSQL: the tenant's schema, its identity and its migrations
// (the counterpart of the SQLite file checks in store.cpp).
#pragma once

#include <memory>
#include <string>

#include "crmkit/store.hpp"

namespace crmkit::detail {

struct Connection;

// Throws Error(invalid_argument) naming what is wrong with a tenant name.
void check_tenant(const std::string& tenant);
std::shared_ptr<Connection> open_postgres(const std::string& uri, const OpenOptions& options);
void postgres_migrate_to(Connection& c, int version);
int postgres_schema_version(Connection& c);

}  // namespace crmkit::detail
