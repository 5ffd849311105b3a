// crmkit erase: forget a customer, and with --verify show the scan of the store's files.
#include <cstdio>

#include <fmt/format.h>

#include "commands.hpp"
#include "common.hpp"
#include "crmkit/erasure.hpp"
#include "instants.hpp"

namespace crmkit::cli {
namespace {

struct EraseOpts {
  std::string db = kDefaultDb;
  std::int64_t customer = 0;
  TimeArg at;
  bool verify = false;
  bool json = false;
};

void print_scan(const ErasureScan& scan, std::string& out) {
  if (!scan.verified) {
    out += fmt::format("scan: not run: {}\n", scan.reason);
    return;
  }
  out += fmt::format("scan: {} value(s) in up to 4 forms each over {} bytes: {}\n", scan.values.size(),
                     scan.bytes_scanned, scan.clean ? "CLEAN, no erased value found" : "FOUND: " + scan.reason);
  Table files({"file", "bytes"}, "lr");
  for (const auto& f : scan.files) files.row({f.file, f.exists ? std::to_string(f.bytes) : "absent"});
  files.render(out);
  Table values({"value from", "bytes", "forms", "hits"}, "lrlr");
  for (const auto& v : scan.values) {
    std::string forms;
    for (const auto& f : v.forms) forms += (forms.empty() ? "" : ",") + f;
    values.row({v.source, std::to_string(v.bytes), forms, std::to_string(v.hits.size())});
  }
  values.render(out);
  for (const auto& v : scan.values)
    for (const auto& h : v.hits) out += fmt::format("  hit: {} at offset {} of {} ({})\n", v.source, h.offset, h.file, h.form);
  if (!scan.skipped.empty()) {
    std::string skipped;
    for (const auto& s : scan.skipped) skipped += (skipped.empty() ? "" : ", ") + s;
    out += fmt::format("not searched (under {} bytes): {}\n", kMinScannedBytes, skipped);
  }
}

void erase(const EraseOpts& o) {
  Store s = open_store(o.db, StoreUse::write);
  ErasureOptions options;
  options.verify = o.verify;
  const ErasureReport r = Erasure(s).erase(o.customer, given_or_now(o.at), options);
  if (o.json) return print_json(nlohmann::json::parse(to_json(r)));
  std::string out = fmt::format("customer {} erased at {}: now {}\n", r.customer_id, format_instant(r.erased_at),
                                r.pseudonym);
  out += fmt::format("contact points removed: {} (emails and phones suppressed: {})\n", r.contact_points_removed,
                     r.suppressed);
  for (const auto& [table, n] : r.rows_redacted) out += fmt::format("redacted: {} row(s) of {}\n", n, table);
  for (const auto& [table, n] : r.rows_removed) out += fmt::format("removed: {} row(s) of {}\n", n, table);
  out += fmt::format("audit entries redacted: {}\nWAL checkpointed and truncated: {}\n", r.audit_entries_redacted,
                     r.checkpointed ? "yes" : "no");
  if (r.scan) print_scan(*r.scan, out);
  std::fwrite(out.data(), 1, out.size(), stdout);
  if (r.scan && !r.scan->clean) exit_code() = 1;
}

}  // namespace

void add_erase(CLI::App& root) {
  auto o = std::make_shared<EraseOpts>();
  auto* c = root.add_subcommand("erase", "Erase a customer's personal data (purchases kept), optionally proving it");
  c->add_option("--customer", o->customer, "the customer's id")->required();
  add_time_option(c, o->at, "--at", DateMeans::first_instant, "when the erasure is recorded (default: now)");
  c->add_flag("--verify", o->verify, "scan every file of the store for the erased values; exit 1 unless clean");
  add_db_option(c, o->db);
  c->add_flag("--json", o->json, "the report as JSON on stdout");
  c->callback([o] { erase(*o); });
}

}  // namespace crmkit::cli
