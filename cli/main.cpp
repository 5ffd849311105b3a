// crmkit: the command-line face of the library. Subcommands live one area per file; the
// command tree is the table in cli/commands.cpp.
#include <cstdio>

#include "commands.hpp"
#include "crmkit.h"
#include "crmkit/error.hpp"

namespace crmkit::cli {

int& exit_code() {
  static int code = 0;
  return code;
}

}  // namespace crmkit::cli

int main(int argc, char** argv) {
  using namespace crmkit::cli;
  CLI::App app{"crmkit: an embeddable CRM engine (customers, interactions, value, segments, loyalty)"};
  app.require_subcommand(1);
  app.set_version_flag("--version", std::string("crmkit ") + crmkit_version_string());
  for (auto add : commands()) add(app);
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
