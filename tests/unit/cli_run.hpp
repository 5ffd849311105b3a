// Runs the built crmkit command as a user does (popen, in a temporary directory) for the CLI
// end-to-end tests.
#pragma once

#include <catch2/catch.hpp>

#include <sys/wait.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <regex>
#include <sstream>
#include <string>

#include <nlohmann/json.hpp>

#include "crmkit/error.hpp"
#include "crmkit/store.hpp"
#include "store_checksum.hpp"
#include "temp_dir.hpp"
#include "test_store.hpp"
#include "test_paths.hpp"  // CRMKIT_SHARED_DATA, CRMKIT_CLI, CRMKIT_CHILD (generated)

namespace cli_run {

struct Run {
  int status = -1;
  std::string out, err;
  nlohmann::json json() const { return nlohmann::json::parse(out); }
};

inline std::string slurp(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

inline void write(const std::string& path, const std::string& text) {
  std::ofstream(path, std::ios::binary) << text;
}

// On the PostgreSQL variant (test_store.hpp) the same tests run the tool on tenants: a store
// named like a file (a name ending in .db after `--db ` or `CRMKIT_DB=`) is a tenant of the test
// server instead, the same path always the same tenant. On SQLite these are the identity.
inline std::string tenant_for(const std::string& path) {
  static std::map<std::string, std::string> tenants;
  auto it = tenants.find(path);
  if (it == tenants.end()) it = tenants.emplace(path, fresh_tenant()).first;
  return it->second;
}

inline bool on_postgres() { return !test_postgres_uri().empty(); }

inline std::string absolute(const std::filesystem::path& dir, const std::string& name) {
  return std::filesystem::path(name).is_absolute() ? name : (dir / name).string();
}

// `text` (arguments or environment assignments) for the backend under test; relative names
// are in `dir`.
inline std::string on_backend(const std::filesystem::path& dir, const std::string& text) {
  const std::string uri = test_postgres_uri();
  if (uri.empty()) return text;
  static const std::regex store(R"((--db |CRMKIT_DB=)'?([^ ']+\.db)'?)");
  std::string out;
  auto last = text.cbegin();
  for (std::sregex_iterator m(text.begin(), text.end(), store), end; m != end; ++m) {
    out.append(last, (*m)[0].first);
    const std::string tenant = tenant_for(absolute(dir, (*m)[2].str()));
    out += (*m)[1].str() == "--db " ? "--db '" + uri + "' --tenant " + tenant
                                    : "CRMKIT_DB='" + uri + "' CRMKIT_TENANT=" + tenant;
    last = (*m)[0].second;
  }
  out.append(last, text.cend());
  return out;
}

// The store the tool knows as `path` (a file's absolute path), opened in-process.
inline crmkit::Store open_store(const std::string& path, crmkit::OpenOptions options = {}) {
  if (!on_postgres()) return crmkit::Store::open(path, options);
  options.tenant = tenant_for(path);
  return crmkit::Store::open(test_postgres_uri(), options);
}

// The store `name` (in dir) as it is, never created.
inline crmkit::Store open_existing(const TempDir& dir, const std::string& name) {
  crmkit::OpenOptions o;
  o.create = false;
  return open_store(absolute(dir.path, name), o);
}

// Whether the store `name` (in dir) exists: the file, or the tenant.
inline bool store_exists(const TempDir& dir, const std::string& name) {
  if (!on_postgres()) return std::filesystem::exists(absolute(dir.path, name));
  try {
    open_existing(dir, name);
    return true;
  } catch (const crmkit::Error&) {
    return false;
  }
}

// The start of the tool's error for a store `name` (in dir) that does not exist.
inline std::string missing_store_error(const TempDir& dir, const std::string& name) {
  if (!on_postgres()) return "crmkit: io: database '" + name + "' does not exist";
  return "crmkit: io: cannot open tenant '" + tenant_for(absolute(dir.path, name)) + "': it does not exist";
}

// What "nothing was written" compares: the file's bytes, or every row of the tenant.
inline std::string store_digest(const TempDir& dir, const std::string& name) {
  if (!on_postgres()) return slurp(absolute(dir.path, name));
  crmkit::Store s = open_existing(dir, name);
  return store_checksum(s);
}

// Runs `crmkit ARGS` in `dir`. `env` is a prefix of shell assignments, e.g. "CRMKIT_DB=x.db";
// without it CRMKIT_DB is unset, so that the caller's environment never picks the database.
inline Run crmkit(const TempDir& dir, const std::string& args, const std::string& env = "") {
  std::string err = dir.file("stderr.txt");
  std::string cmd = "cd '" + dir.path.string() + "' && unset CRMKIT_DB CRMKIT_TENANT; " + on_backend(dir.path, env) +
                    " '" CRMKIT_CLI "' " + on_backend(dir.path, args) + " 2>'" + err + "'";
  Run r;
  FILE* p = ::popen(cmd.c_str(), "r");
  REQUIRE(p != nullptr);
  char buf[65536];
  std::size_t n;
  while ((n = std::fread(buf, 1, sizeof buf, p)) > 0) r.out.append(buf, n);
  int st = ::pclose(p);
  r.status = WIFEXITED(st) ? WEXITSTATUS(st) : -1;
  r.err = slurp(err);
  return r;
}

}  // namespace cli_run
