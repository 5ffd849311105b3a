// The crmkit command: each area's file adds its subcommands and demo steps; the command tree and
// the demo's order are the two tables in cli/commands.cpp, read in one place.
#pragma once

#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include <cstdint>
#include <string>
#include <vector>

#include "crmkit/store.hpp"
#include "crmkit/time.hpp"

namespace crmkit::cli {

// Exit status of the command that ran (set by its callback; 0 by default).
int& exit_code();

// --- subcommands -------------------------------------------------------------------------------
// Each area's file adds its subcommands; the command tree is the table in cli/commands.cpp.
using CommandAdder = void (*)(CLI::App& root);
void add_demo(CLI::App& root);
void add_report(CLI::App& root);
void add_customer_commands(CLI::App& root);
void add_contact_commands(CLI::App& root);
// crmkit consent ... and crmkit suppress ... (cli/consent.cpp).
void add_consent_commands(CLI::App& root);
void add_dedupe_commands(CLI::App& root);
// crmkit merge (cli/merge.cpp).
void add_merge_commands(CLI::App& root);
void add_audit_commands(CLI::App& root);
void add_import(CLI::App& root);
void add_export(CLI::App& root);
void add_segment_commands(CLI::App& root);
void add_value_commands(CLI::App& root);
// crmkit clv summary | clv fit-table (cli/clv_plain.cpp), added under `clv` by add_value_commands.
void add_clv_plain_commands(CLI::App* clv);
void add_metrics(CLI::App& root);
void add_points_commands(CLI::App& root);
void add_plot(CLI::App& root);

// Every subcommand adder in --help order.
const std::vector<CommandAdder>& commands();

// --- files named on the command line ----------------------------------------------------------
// The text of a file named on the command line (--rule @FILE, --spec @FILE, --map-file). A file
// longer than max_bytes is refused (invalid_argument naming `what` and the limit) after at
// most max_bytes + 1 bytes were read, so a huge file costs neither memory nor time.
std::string file_text(const std::string& path, std::size_t max_bytes, const std::string& what);
// Writes `text` to `path` whole: beside it as path + ".partial", then renamed over it, so a
// reader never sees half a file and a failed write leaves the old one as it was (nothing left
// behind). Errors are io naming `option` and the path.
void write_whole_file(const std::string& path, const std::string& text, const std::string& option);

// --- demo data steps (crmkit demo) -------------------------------------------------------------
// Run in the order of the table in cli/commands.cpp after the core population exists; each is
// deterministic for the seed and runs inside the demo's transaction.
struct DemoStep {
  const char* name;  // shown on the progress line
  void (*run)(Store&, std::uint64_t seed, Instant start, Instant end);
};
void demo_value(Store& store, std::uint64_t seed, Instant start, Instant end);
void demo_segments(Store& store, std::uint64_t seed, Instant start, Instant end);
void demo_surveys(Store& store, std::uint64_t seed, Instant start, Instant end);
void demo_points(Store& store, std::uint64_t seed, Instant start, Instant end);

// Every demo step in the order it runs.
const std::vector<DemoStep>& demo_steps();

}  // namespace crmkit::cli
