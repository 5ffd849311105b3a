// crmkit export scores|rfm|customers --format csv|json [--out FILE]: the library's export,
// streamed to stdout or a file.
#include <fstream>
#include <iostream>

#include "commands.hpp"
#include "common.hpp"
#include "crmkit/error.hpp"
#include "crmkit/export.hpp"

namespace crmkit::cli {

void add_export(CLI::App& root) {
  auto* cmd = root.add_subcommand("export", "Every customer's stored scores, RFM or fields as CSV or JSON");
  struct Opts {
    std::string db, what, format = "csv", out;
  };
  auto o = std::make_shared<Opts>();
  cmd->add_option("what", o->what, "scores, rfm or customers")->required();
  add_db_option(cmd, o->db);
  cmd->add_option("--format", o->format, "csv or json")->capture_default_str();
  cmd->add_option("--out", o->out, "output file (default: stdout)");
  cmd->callback([o] {
    const ExportKind kind = parse_export_kind(o->what, "export kind");
    const ExportFormat format = parse_export_format(o->format, "--format");
    Store store = open_store(o->db, StoreUse::read);
    if (o->out.empty()) {
      export_rows(store, kind, format, std::cout);
      return;
    }
    std::ofstream file(o->out, std::ios::binary | std::ios::trunc);
    if (!file) throw Error(Errc::io, "--out " + o->out + " cannot be written");
    std::int64_t rows = export_rows(store, kind, format, file);
    std::cerr << "crmkit export: " << grouped(rows) << " rows written to " << o->out << "\n";
  });
}

}  // namespace crmkit::cli
