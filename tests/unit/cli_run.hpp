// Runs the built crmkit command as a user does (popen, in a temporary directory) for the CLI
// end-to-end tests.
#pragma once

#include <catch2/catch.hpp>

#include <sys/wait.h>

#include <cstdio>
#include <fstream>
#include <sstream>
#include <string>

#include <nlohmann/json.hpp>

#include "temp_dir.hpp"
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

// Runs `crmkit ARGS` in `dir`. `env` is a prefix of shell assignments, e.g. "CRMKIT_DB=x.db";
// without it CRMKIT_DB is unset, so that the caller's environment never picks the database.
inline Run crmkit(const TempDir& dir, const std::string& args, const std::string& env = "") {
  std::string err = dir.file("stderr.txt");
  std::string cmd = "cd '" + dir.path.string() + "' && unset CRMKIT_DB; " + env + " '" CRMKIT_CLI "' " + args +
                    " 2>'" + err + "'";
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
