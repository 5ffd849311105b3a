// crmkit/batch_error.hpp: the error of a batch refused because of one of its rows.
#pragma once

#include <cstddef>
#include <string>

#include "crmkit/error.hpp"

namespace crmkit {

// A whole batch refused because of one row: what() is "row N: reason"; row() is N, the row's
// index in the batch, and reason() the problem alone (for a caller that numbers rows its own way).
class BatchRowError : public Error {
 public:
  BatchRowError(Errc code, std::size_t row, const std::string& reason);
  std::size_t row() const noexcept { return row_; }
  const char* reason() const noexcept { return what() + prefix_; }

 private:
  std::size_t row_;
  std::size_t prefix_;  // the length of "row N: " (ASCII, kept as is by Error)
};

}  // namespace crmkit
