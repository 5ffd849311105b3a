// Other areas' tables the loyalty metrics read when present (segments, customer_scores).
#pragma once

#include "store/connection.hpp"

namespace crmkit::loyalty {

// True when the store has a table of that name (other areas' migrations may be absent).
inline bool has_table(detail::Connection& c, const char* name) {
  auto& q = c.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?");
  detail::StatementReset done(q);  // stepped once: do not keep a read snapshot open
  q.bind(1, name);
  return q.executeStep();
}

}  // namespace crmkit::loyalty
