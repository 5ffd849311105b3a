// crmkit: the command-line face of the library. Subcommands live one area per file and
// register themselves (commands.hpp).
#include <algorithm>
#include <cstdio>

#include "commands.hpp"
#include "crmkit.h"
#include "crmkit/error.hpp"

namespace crmkit::cli {

int& exit_code() {
  static int code = 0;
  return code;
}
std::vector<CommandAdder>& command_adders() {
  static std::vector<CommandAdder> all;
  return all;
}
CLI::App* command_group(CLI::App& parent, const std::string& name, const std::string& help) {
  try {
    return parent.get_subcommand(name);
  } catch (const CLI::OptionNotFound&) {
    auto* group = parent.add_subcommand(name, help);
    group->require_subcommand(1);
    return group;
  }
}

std::vector<DemoStep>& demo_steps() {
  static std::vector<DemoStep> all;
  return all;
}

}  // namespace crmkit::cli

int main(int argc, char** argv) {
  using namespace crmkit::cli;
  CLI::App app{"crmkit: an embeddable CRM engine (customers, interactions, value, segments, loyalty)"};
  app.require_subcommand(1);
  app.set_version_flag("--version", std::string("crmkit ") + crmkit_version_string());
  std::sort(demo_steps().begin(), demo_steps().end(),
            [](const DemoStep& a, const DemoStep& b) { return a.order < b.order; });
  for (auto add : command_adders()) add(app);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e);
  } catch (const crmkit::Error& e) {
    std::fprintf(stderr, "crmkit: %s: %s\n", crmkit::errc_name(e.code()), e.what());
    return 1;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "crmkit: %s\n", e.what());
    return 1;
  }
  return exit_code();
}
