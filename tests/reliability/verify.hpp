// Checks shared by the reliability tests: file integrity, figures against a full recompute,
// and spawning the helper process.
#pragma once

#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <string>
#include <vector>

#include <SQLiteCpp/Database.h>
#include <SQLiteCpp/Statement.h>

#include "crmkit/interaction.hpp"
#include "crmkit/store.hpp"
#include "store/connection.hpp"
#include "test_paths.hpp"  // CRMKIT_SHARED_DATA, CRMKIT_CLI, CRMKIT_CHILD (generated)

namespace reliability {

inline std::string integrity(crmkit::Store& store) {
  return crmkit::detail::connection_of(store).db.execAndGet("PRAGMA integrity_check").getString();
}

inline std::string dump(crmkit::detail::Database& db, const char* sql) {
  auto q = db.statement(sql);
  std::string out;
  while (q->executeStep()) {
    for (int i = 0; i < q->getColumnCount(); ++i) {
      auto c = q->getColumn(i);
      out += c.isNull() ? std::string("-") : c.getString();
      out += ',';
    }
    out += '\n';
  }
  return out;
}

inline std::string figures_text(crmkit::Store& store) {
  auto& db = crmkit::detail::connection_of(store).db;
  return dump(db, "SELECT * FROM customer_figures ORDER BY customer_id") +
         dump(db, "SELECT * FROM customer_money ORDER BY customer_id, currency");
}

// The stored figures, and the same recomputed from the facts (inside a rolled-back transaction).
inline std::pair<std::string, std::string> figures_and_recompute(crmkit::Store& store) {
  std::string kept = figures_text(store);
  crmkit::Transaction tx(store);
  crmkit::Interactions(store).rebuild_figures();
  std::string recomputed = figures_text(store);
  tx.rollback();
  return {kept, recomputed};
}

// fork + exec of the helper with stdout on a pipe; returns the pid and the read end.
inline pid_t spawn_child(const std::vector<std::string>& args, int* out_fd) {
  int p[2];
  if (::pipe2(p, O_CLOEXEC) != 0) return -1;
  std::vector<char*> argv;
  std::string exe = CRMKIT_CHILD;
  argv.push_back(exe.data());
  std::vector<std::string> copy = args;
  for (auto& a : copy) argv.push_back(a.data());
  argv.push_back(nullptr);
  pid_t pid = ::fork();
  if (pid == 0) {
    ::dup2(p[1], 1);
    ::execv(exe.c_str(), argv.data());
    ::_exit(127);
  }
  ::close(p[1]);
  *out_fd = p[0];
  return pid;
}

}  // namespace reliability
