// crmkit/error.hpp: the one exception type of the C++ API.
#pragma once

#include <stdexcept>
#include <string>

namespace crmkit {

// Why an operation failed. The C API maps each to a negative CRMKIT_E* status.
enum class Errc {
  invalid_argument,     // a value is malformed, out of range or of the wrong type
  not_found,            // the id, external id or name does not exist
  conflict,             // already exists with different content, or refused by a reference
  constraint,           // the store refused the change (a database CHECK or foreign key)
  busy,                 // another connection holds the lock beyond the busy timeout
  io,                   // the file could not be read or written
  corrupt,              // not a crmkit database, or damaged
  unsupported_version,  // written by a newer crmkit than this one
  read_only,            // a write on a store opened read-only
  no_memory,            // allocation failed
  misuse,               // the call is not allowed in this state (e.g. commit without begin)
  internal,             // a bug in crmkit: please report it
};

// Short lower-case name of an error code, e.g. "invalid_argument".
const char* errc_name(Errc code) noexcept;

class Error : public std::runtime_error {
 public:
  // The message is kept as valid UTF-8: any byte that is not part of a well-formed sequence
  // is written as \xNN, so what() can always be shown, logged or put in JSON.
  Error(Errc code, const std::string& message);
  Errc code() const noexcept { return code_; }

 private:
  Errc code_;
};

}  // namespace crmkit
