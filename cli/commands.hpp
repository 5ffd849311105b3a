// The crmkit command: each area registers its subcommands from its own file.
#pragma once

#include <CLI/CLI.hpp>

namespace crmkit::cli {

// Every add_* registers subcommands on the root app; the callback runs the command and sets
// the process exit code through exit_code().
int& exit_code();

}  // namespace crmkit::cli
