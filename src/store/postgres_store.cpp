#include "store/postgres_store.hpp"

#include <fmt/format.h>

#include "base/text.hpp"
#include "store/connection.hpp"
#include "store/migration_steps.hpp"
#include "store/migrations.hpp"
#include "store/postgres_database.hpp"

namespace crmkit::detail {

namespace {

// What a tenant schema says it is. PostgreSQL has no file header: the schema's crmkit_schema
// table (made before the first migration, never by one) holds the application id and the
// newest migration applied, as PRAGMA application_id and user_version do for a file.
struct TenantIdentity {
  bool schema = false;       // the schema exists
  bool has_objects = false;  // it holds any table, view, index or sequence
  bool stamped = false;      // it has crmkit_schema with its row
  std::int64_t app_id = 0, version = 0;
};

TenantIdentity identity(Connection& c, const std::string& tenant) {
  TenantIdentity id;
  auto& q = c.prepare(
      "SELECT (SELECT count(*) FROM pg_namespace WHERE nspname = ?1), "
      "(SELECT count(*) FROM pg_class k JOIN pg_namespace n ON n.oid = k.relnamespace WHERE n.nspname = ?1), "
      "(SELECT count(*) FROM pg_class k JOIN pg_namespace n ON n.oid = k.relnamespace "
      "WHERE n.nspname = ?1 AND k.relname = 'crmkit_schema' AND k.relkind = 'r')");
  StatementReset done(q);
  bind_all(q, tenant);
  q.executeStep();
  id.schema = q.getColumn(0).getInt64() > 0;
  id.has_objects = q.getColumn(1).getInt64() > 0;
  const bool table = q.getColumn(2).getInt64() > 0;
  if (!table) return id;
  auto& v = c.prepare("SELECT application_id, version FROM crmkit_schema");
  StatementReset done_v(v);
  if (v.executeStep()) {
    id.stamped = true;
    id.app_id = v.getColumn(0).getInt64();
    id.version = v.getColumn(1).getInt64();
  }
  return id;
}

// The rules store.cpp's judge applies to a file, for a tenant; returns its version.
int judge(const TenantIdentity& id, const std::string& tenant, const OpenOptions& options) {
  const int latest = Store::latest_schema_version();
  if (!id.stamped) {
    if (id.has_objects)
      throw Error(Errc::corrupt, fmt::format("schema '{}' holds tables but is not a crmkit tenant", tenant));
    if (options.read_only)
      throw Error(Errc::read_only, fmt::format("tenant '{}' has no crmkit schema yet; open it read-write once to "
                                               "create it", tenant));
    if (!id.schema && !options.create)
      throw Error(Errc::io, fmt::format("cannot open tenant '{}': it does not exist (create is off)", tenant));
    return 0;
  }
  if (id.app_id != kApplicationId)
    throw Error(Errc::corrupt, fmt::format("schema '{}' is not a crmkit tenant (application_id {:#x})", tenant,
                                           static_cast<unsigned long long>(id.app_id)));
  if (id.version < 0 || id.version > 100000)
    throw Error(Errc::corrupt, fmt::format("tenant '{}' has schema version {}: its crmkit_schema row is damaged",
                                           tenant, id.version));
  if (id.version > latest)
    throw Error(Errc::unsupported_version,
                fmt::format("tenant '{}' has schema version {}, newer than this crmkit (version {}); upgrade crmkit",
                            tenant, id.version, latest));
  if (id.version < latest && options.read_only)
    throw Error(Errc::read_only, fmt::format("tenant '{}' has schema version {} and needs an upgrade to {}; open it "
                                             "read-write once", tenant, id.version, latest));
  return static_cast<int>(id.version);
}

}  // namespace

void check_tenant(const std::string& t) {
  auto bad = [&](const char* why) {
    throw Error(Errc::invalid_argument,
                fmt::format("tenant '{}' {} (1..63 lower-case ASCII letters, digits and '_', not starting with a digit "
                            "or \"pg_\")",
                            printable(t), why));
  };
  if (t.empty()) bad("is empty");
  if (t.size() > 63) bad("is longer than 63 bytes");
  for (char ch : t)
    if (!((ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9') || ch == '_')) bad("has a character outside the set");
  if (t[0] >= '0' && t[0] <= '9') bad("starts with a digit");
  if (t.rfind("pg_", 0) == 0) bad("starts with \"pg_\", which PostgreSQL reserves");
}

std::shared_ptr<Connection> open_postgres(const std::string& uri, const OpenOptions& options) {
  return guard([&] {
    std::shared_ptr<Connection> c;
    try {
      c = std::make_shared<Connection>(
          std::make_unique<PostgresDatabase>(uri, options.tenant, options.busy_timeout_ms, options.read_only), uri);
    } catch (const SqlError& e) {
      rethrow_sql(e, fmt::format("cannot open tenant '{}'", options.tenant));
    }
    c->read_only = options.read_only;
    c->audit_trail = options.audit_trail;
    const int version = judge(identity(*c, options.tenant), options.tenant, options);
    if (!options.read_only && version < Store::latest_schema_version())
      postgres_migrate_to(*c, Store::latest_schema_version());
    return c;
  });
}

void postgres_migrate_to(Connection& c, int target) {
  const auto& tenant = static_cast<PostgresDatabase&>(c.db).tenant();
  WriteScope scope(c);  // the tenant's write lock: another process may be creating it too
  c.db.exec(fmt::format("CREATE SCHEMA IF NOT EXISTS {}; CREATE TABLE IF NOT EXISTS crmkit_schema("
                        "application_id BIGINT NOT NULL, version BIGINT NOT NULL CHECK (version >= 0))",
                        quote_identifier(tenant)));
  // Re-read under the lock: another process may have migrated meanwhile.
  const Value v = c.db.execAndGet("SELECT version FROM crmkit_schema");
  std::int64_t version = v.getInt64();
  if (v.isNull())
    c.db.exec(fmt::format("INSERT INTO crmkit_schema(application_id, version) VALUES ({}, 0)", kApplicationId));
  for (const auto& m : postgres_migrations()) {
    if (m.version <= version || m.version > target) continue;
    try {
      c.db.exec(m.sql);
    } catch (const SqlError& e) {
      rethrow_sql(e, fmt::format("migration {} (PostgreSQL)", m.name));
    }
    after_migration(c, m.version);
    c.db.exec(fmt::format("UPDATE crmkit_schema SET version = {}", m.version));
    version = m.version;
  }
  scope.commit();
}

int postgres_schema_version(Connection& c) {
  return static_cast<int>(c.db.execAndGet("SELECT version FROM crmkit_schema").getInt64());
}

}  // namespace crmkit::detail

namespace crmkit {

// libpq's two URI forms.
bool is_postgres_uri(const std::string& where) noexcept {
  return where.rfind("postgresql://", 0) == 0 || where.rfind("postgres://", 0) == 0;
}

}  // namespace crmkit
