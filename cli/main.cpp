// crmkit: the command-line face of the library. Subcommands live one area per file.
#include <cstdio>

#include <fmt/format.h>

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
  CLI::App app{"crmkit: an embeddable CRM engine (customers, interactions, value, segments, loyalty)"};
  app.require_subcommand(1);
  app.set_version_flag("--version", std::string("crmkit ") + crmkit_version_string());
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
  return crmkit::cli::exit_code();
}
