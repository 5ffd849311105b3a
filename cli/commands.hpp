// The crmkit command. Each area adds its subcommands and demo steps from its
// own file through the registries below (static registration: no shared list to edit).
#pragma once

#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "crmkit/store.hpp"
#include "crmkit/time.hpp"

namespace crmkit::cli {

// Exit status of the command that ran (set by its callback; 0 by default).
int& exit_code();

// --- subcommands -------------------------------------------------------------------------------
using CommandAdder = void (*)(CLI::App& root);
std::vector<CommandAdder>& command_adders();
struct RegisterCommand {
  explicit RegisterCommand(CommandAdder add) { command_adders().push_back(add); }
};

// The subcommand `name` of `parent`, created on first use: groups such as `import` and
// `metrics` are shared by several areas, whose registration order is not fixed.
CLI::App* command_group(CLI::App& parent, const std::string& name, const std::string& help);

// --- files named on the command line ----------------------------------------------------------
// The text of a file named on the command line (--rule @FILE, --spec @FILE, --map-file). A file
// longer than max_bytes is refused (invalid_argument naming `what` and the limit) after at
// most max_bytes + 1 bytes were read, so a huge file costs neither memory nor time.
std::string file_text(const std::string& path, std::size_t max_bytes, const std::string& what);

// --- demo data steps (crmkit demo) -------------------------------------------------------------
// Steps run in ascending order after the core population exists; each is deterministic for
// the seed and runs inside the demo's transaction.
struct DemoStep {
  int order;                 // core 100, value 200, segments 300, surveys 400, points 500
  std::string name;          // shown on the progress line
  std::function<void(Store&, std::uint64_t seed, Instant start, Instant end)> run;
};
std::vector<DemoStep>& demo_steps();
struct RegisterDemoStep {
  explicit RegisterDemoStep(DemoStep s) { demo_steps().push_back(std::move(s)); }
};

}  // namespace crmkit::cli
