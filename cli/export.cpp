// crmkit export scores|rfm|customers --format csv|json [--out FILE]: the library's export,
// streamed to stdout or a file; crmkit export subject --customer ID [--out FILE | --csv DIR]:
// one person's data.
#include <fstream>
#include <iostream>

#include "commands.hpp"
#include "crmkit/subject_export.hpp"
#include "common.hpp"
#include "crmkit/error.hpp"
#include "crmkit/export.hpp"

namespace crmkit::cli {

void add_export(CLI::App& root) {
  auto* cmd = root.add_subcommand("export", "Every customer's stored scores, RFM or fields as CSV or JSON");
  struct Opts {
    std::string db, what, format = "csv", out, csv_dir;
    std::int64_t customer = 0;
  };
  auto o = std::make_shared<Opts>();
  cmd->add_option("what", o->what, "scores, rfm or customers; or subject (one person's data, JSON)")->required();
  cmd->add_option("--customer", o->customer, "export subject: the customer id");
  add_db_option(cmd, o->db);
  cmd->add_option("--format", o->format, "csv or json")->capture_default_str();
  auto* out = cmd->add_option("--out", o->out, "output file (default: stdout)");
  cmd->add_option("--csv", o->csv_dir,
                  "export subject: write a CSV bundle (one file per table) to this new or empty directory")
      ->excludes(out);
  cmd->callback([o] {
    if (o->what == "subject") {
      if (o->customer == 0) throw Error(Errc::invalid_argument, "export subject needs --customer ID");
      Store store = open_store(o->db, StoreUse::read);
      if (!o->csv_dir.empty()) {
        const SubjectExportManifest manifest = export_subject_csv(store, o->customer, o->csv_dir);
        std::int64_t rows = 0;
        for (const auto& f : manifest.files) rows += f.rows;
        std::cerr << "crmkit export: customer " << o->customer << "'s data written to " << o->csv_dir << " ("
                  << manifest.files.size() << " CSV files, " << grouped(rows) << " rows, manifest.json)\n";
        return;
      }
      const std::string text = nlohmann::json::parse(export_subject(store, o->customer)).dump(2) + "\n";
      if (o->out.empty()) {
        std::cout << text;
      } else {
        write_whole_file(o->out, text, "--out");
        std::cerr << "crmkit export: customer " << o->customer << "'s data written to " << o->out << "\n";
      }
      return;
    }
    if (!o->csv_dir.empty()) throw Error(Errc::invalid_argument, "--csv is for export subject");
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
