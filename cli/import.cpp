// crmkit import customers|interactions: CSV files (RFC 4180, header row) into the store.
//
// Rows stream through in batches of 10,000, one transaction per batch. A row that cannot be
// imported is reported with its line number and skipped; the rest goes in. Exit status: 0 when
// anything was imported (or the file had no data rows), 1 when the file cannot be read, its
// header names an unknown column, or every data row failed.
#include <sys/stat.h>

#include <algorithm>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <unordered_map>

#include "commands.hpp"
#include "common.hpp"
#include "crmkit/customer.hpp"
#include "crmkit/error.hpp"
#include "crmkit/interaction.hpp"
#include "crmkit/money.hpp"
#include "io/csv.hpp"

namespace crmkit::cli {
namespace {

constexpr std::size_t kBatchRows = 10'000;
constexpr std::size_t kMaxErrorsShown = 50;  // on stderr; --json lists them all

struct Opts {
  std::string db = kDefaultDb;
  std::string file;
  bool create_customers = false;
  bool json = false;
};

struct RowFailure {
  std::size_t line;
  std::string code;
  std::string message;
};

struct Summary {
  std::size_t rows = 0, imported = 0, duplicates = 0, updated = 0, customers_created = 0;
  std::vector<RowFailure> errors;
};

// The CSV source: a file or stdin, with its size when known (for the progress bar).
struct Source {
  std::ifstream file;
  std::istream* in = nullptr;
  std::int64_t size = 0;
  explicit Source(const std::string& path) {
    if (path == "-") {
      std::ios::sync_with_stdio(false);  // bulk reads from std::cin, not byte by byte through stdio
      in = &std::cin;
      return;
    }
    struct stat st {};
    if (::stat(path.c_str(), &st) != 0 || S_ISDIR(st.st_mode))
      throw Error(Errc::io, "cannot read '" + path + "': no such file");
    file.open(path, std::ios::binary);
    if (!file) throw Error(Errc::io, "cannot read '" + path + "'");
    size = static_cast<std::int64_t>(st.st_size);
    in = &file;
  }
};

// Column positions by name, from the header row; unknown names are refused up front.
struct Columns {
  std::unordered_map<std::string, std::size_t> at;
  std::size_t count = 0;

  Columns(io::CsvReader& csv, const std::vector<std::string>& known,
          const std::vector<std::string>& required) {
    auto st = csv.next();
    if (st == io::CsvReader::Status::end) throw Error(Errc::invalid_argument, "the file is empty (a header row is required)");
    if (st == io::CsvReader::Status::error)
      throw Error(Errc::invalid_argument, "line " + std::to_string(csv.line()) + ": header row: " + csv.error_message());
    count = csv.size();
    for (std::size_t i = 0; i < csv.size(); ++i) {
      std::string name(csv.field(i));
      while (!name.empty() && (name.back() == ' ' || name.back() == '\t')) name.pop_back();
      while (!name.empty() && (name.front() == ' ' || name.front() == '\t')) name.erase(0, 1);
      if (std::find(known.begin(), known.end(), name) == known.end()) {
        std::string list;
        for (const auto& k : known) list += (list.empty() ? "" : ", ") + k;
        throw Error(Errc::invalid_argument, "header: unknown column '" + name + "' (column " + std::to_string(i + 1) +
                                                "); the columns are: " + list);
      }
      if (!at.emplace(name, i).second)
        throw Error(Errc::invalid_argument, "header: column '" + name + "' appears twice");
    }
    for (const auto& r : required)
      if (!at.count(r)) throw Error(Errc::invalid_argument, "header: required column '" + r + "' is missing");
  }

  // The cell of `name` in the current record, nullopt when the column is absent or empty.
  std::optional<std::string> get(const io::CsvReader& csv, const std::string& name) const {
    auto it = at.find(name);
    if (it == at.end()) return std::nullopt;
    std::string_view v = csv.field(it->second);
    if (v.empty()) return std::nullopt;
    return std::string(v);
  }
};

void report_row_error(Summary& s, std::size_t line, const std::string& code, const std::string& message) {
  if (s.errors.size() < kMaxErrorsShown)
    std::fprintf(stderr, "crmkit: line %zu: %s: %s\n", line, code.c_str(), message.c_str());
  else if (s.errors.size() == kMaxErrorsShown)
    std::fprintf(stderr, "crmkit: (further row errors are not shown here; --json lists them all)\n");
  s.errors.push_back({line, code, message});
}

// ---- interactions ---------------------------------------------------------------------------

const std::vector<std::string> kInteractionColumns = {
    "customer_external_id", "occurred_at", "channel", "kind", "amount", "currency",
    "external_id", "subject", "notes", "direction"};

struct PendingRow {
  std::size_t line;
  std::string customer;  // external id
  Interaction interaction;
};

class InteractionImport {
 public:
  InteractionImport(Store& store, bool create) : store_(store), customers_(store), interactions_(store), create_(create),
                                                 default_currency_(store.default_currency()) {}

  // Parses the current record into the pending batch, or reports why it cannot be imported.
  void add(const io::CsvReader& csv, const Columns& cols, Summary& s) {
    PendingRow p;
    p.line = csv.line();
    try {
      Interaction& i = p.interaction;
      p.customer = cols.get(csv, "customer_external_id").value_or("");
      if (p.customer.empty()) throw Error(Errc::invalid_argument, "customer_external_id is empty");
      auto at = cols.get(csv, "occurred_at");
      if (!at) throw Error(Errc::invalid_argument, "occurred_at is empty");
      i.occurred_at = parse_instant(*at, "occurred_at");
      i.channel = parse_channel(cols.get(csv, "channel").value_or(""), "channel");
      i.kind = parse_interaction_kind(cols.get(csv, "kind").value_or(""), "kind");
      if (auto d = cols.get(csv, "direction")) i.direction = parse_direction(*d, "direction");
      auto amount = cols.get(csv, "amount");
      auto currency = cols.get(csv, "currency");
      if (amount) {
        std::string cur = currency ? *currency : default_currency_;
        i.amount = Money{parse_amount(*amount, cur, "amount"), cur};
      } else if (currency) {
        throw Error(Errc::invalid_argument, "currency '" + *currency + "' is given without an amount");
      }
      i.external_id = cols.get(csv, "external_id");
      i.subject = cols.get(csv, "subject");
      i.notes = cols.get(csv, "notes");
    } catch (const Error& e) {
      report_row_error(s, p.line, errc_name(e.code()), e.what());
      return;
    }
    pending_.push_back(std::move(p));
  }

  bool full() const { return pending_.size() >= kBatchRows; }

  void flush(Summary& s) {
    if (pending_.empty()) return;
    Transaction tx(store_);
    // New customers start at their earliest interaction in the batch where they first appear.
    std::unordered_map<std::string, Instant> first_seen;
    for (const auto& p : pending_) {
      if (known_.count(p.customer)) continue;
      auto [it, fresh] = first_seen.emplace(p.customer, p.interaction.occurred_at);
      if (!fresh) it->second = std::min(it->second, p.interaction.occurred_at);
    }
    std::vector<std::pair<std::string, std::int64_t>> created;
    for (const auto& [ext, first] : first_seen) {
      auto id = customers_.find_id(ext);
      if (!id && create_) {
        CustomerFields f;
        f.external_id = ext;
        f.created_at = first;
        id = customers_.create(f);
        created.emplace_back(ext, *id);
      }
      known_[ext] = id.value_or(0);  // 0: unknown and not to be created
    }
    std::vector<Interaction> batch;
    std::vector<std::size_t> lines;
    batch.reserve(pending_.size());
    lines.reserve(pending_.size());
    for (auto& p : pending_) {
      std::int64_t id = known_[p.customer];
      if (id == 0) {
        report_row_error(s, p.line, "not_found",
                         "customer_external_id '" + p.customer + "' is not a known customer (--create-customers creates it)");
        continue;
      }
      p.interaction.customer_id = id;
      batch.push_back(std::move(p.interaction));
      lines.push_back(p.line);
    }
    BatchOptions o;
    o.skip_invalid = true;
    BatchResult r = interactions_.record_batch(batch, o);
    // A customer created for rows that all failed is taken back: creation follows the data.
    if (!created.empty()) {
      std::unordered_map<std::int64_t, bool> used;
      for (std::size_t k = 0; k < batch.size(); ++k)
        if (r.ids[k] != 0) used[batch[k].customer_id] = true;
      for (const auto& [ext, id] : created) {
        if (used.count(id)) {
          ++s.customers_created;
        } else {
          customers_.remove(id);
          known_.erase(ext);
        }
      }
    }
    tx.commit();
    s.imported += r.inserted;
    s.duplicates += r.duplicates;
    // Row errors come back by batch position: give them their file lines, in file order.
    std::vector<RowError> errs = r.errors;
    std::sort(errs.begin(), errs.end(), [](const RowError& a, const RowError& b) { return a.index < b.index; });
    for (const auto& e : errs) report_row_error(s, lines.at(e.index), errc_name(e.code), e.message);
    pending_.clear();
  }

 private:
  Store& store_;
  Customers customers_;
  Interactions interactions_;
  bool create_;
  std::string default_currency_;
  std::vector<PendingRow> pending_;
  std::unordered_map<std::string, std::int64_t> known_;
};

// ---- customers ------------------------------------------------------------------------------

const std::vector<std::string> kCustomerColumns = {
    "external_id", "kind", "display_name", "given_name", "family_name", "email", "phone",
    "birth_date", "gender", "country", "region", "city", "postal_code", "acquisition_channel",
    "acquisition_cost", "acquisition_currency", "lifecycle_stage", "created_at", "tags", "attributes"};

CustomerFields customer_fields(const io::CsvReader& csv, const Columns& cols, const std::string& default_currency) {
  CustomerFields f;
  f.external_id = cols.get(csv, "external_id");
  if (auto k = cols.get(csv, "kind")) f.kind = parse_customer_kind(*k, "kind");
  f.display_name = cols.get(csv, "display_name");
  f.given_name = cols.get(csv, "given_name");
  f.family_name = cols.get(csv, "family_name");
  f.email = cols.get(csv, "email");
  f.phone = cols.get(csv, "phone");
  f.birth_date = cols.get(csv, "birth_date");
  f.gender = cols.get(csv, "gender");
  f.country = cols.get(csv, "country");
  f.region = cols.get(csv, "region");
  f.city = cols.get(csv, "city");
  f.postal_code = cols.get(csv, "postal_code");
  f.acquisition_channel = cols.get(csv, "acquisition_channel");
  auto cost = cols.get(csv, "acquisition_cost");
  auto cur = cols.get(csv, "acquisition_currency");
  if (cost) {
    std::string c = cur ? *cur : default_currency;
    f.acquisition_cost = Money{parse_amount(*cost, c, "acquisition_cost"), c};
  } else if (cur) {
    throw Error(Errc::invalid_argument, "acquisition_currency is given without acquisition_cost");
  }
  if (auto st = cols.get(csv, "lifecycle_stage")) f.lifecycle_stage = parse_lifecycle_stage(*st, "lifecycle_stage");
  if (auto t = cols.get(csv, "created_at")) f.created_at = parse_instant(*t, "created_at");
  if (auto tags = cols.get(csv, "tags")) {
    std::vector<std::string> v;
    std::string cur_tag;
    for (char ch : *tags + ";") {
      if (ch == ';' || ch == '|') {
        auto b = cur_tag.find_first_not_of(" \t"), e = cur_tag.find_last_not_of(" \t");
        if (b != std::string::npos) v.push_back(cur_tag.substr(b, e - b + 1));
        cur_tag.clear();
      } else {
        cur_tag.push_back(ch);
      }
    }
    f.tags = v;
  }
  f.attributes = cols.get(csv, "attributes");
  return f;
}

// ---- the command ----------------------------------------------------------------------------

void run_import(const Opts& o, bool interactions) {
  auto start = std::chrono::steady_clock::now();
  Source src(o.file);
  io::CsvReader csv(*src.in);
  Columns cols = interactions ? Columns(csv, kInteractionColumns, {"customer_external_id", "occurred_at", "channel", "kind"})
                              : Columns(csv, kCustomerColumns, {});
  Store store = open_store(o.db, true);
  Summary s;
  Progress bar(interactions ? "importing interactions" : "importing customers", src.size);
  InteractionImport imp(store, o.create_customers);
  Customers customers(store);
  std::string default_currency = store.default_currency();
  std::unique_ptr<Transaction> tx;  // customers: one transaction per batch of rows
  std::size_t in_tx = 0;
  for (;;) {
    auto st = csv.next();
    if (st == io::CsvReader::Status::end) break;
    ++s.rows;
    if (st == io::CsvReader::Status::error) {
      report_row_error(s, csv.line(), "invalid_argument", csv.error_message());
      continue;
    }
    if (csv.size() != cols.count) {
      report_row_error(s, csv.line(), "invalid_argument",
                       "the row has " + std::to_string(csv.size()) + " fields, the header " + std::to_string(cols.count));
      continue;
    }
    if (interactions) {
      imp.add(csv, cols, s);
      if (imp.full()) imp.flush(s);
    } else {
      if (!tx) tx = std::make_unique<Transaction>(store);
      try {
        CustomerFields f = customer_fields(csv, cols, default_currency);
        if (f.external_id) {
          bool created = false;
          customers.upsert(f, &created);
          created ? ++s.imported : ++s.updated;
        } else {
          customers.create(f);
          ++s.imported;
        }
      } catch (const Error& e) {
        report_row_error(s, csv.line(), errc_name(e.code()), e.what());
      }
      if (++in_tx >= kBatchRows) {
        tx->commit();
        tx.reset();
        in_tx = 0;
      }
    }
    if ((s.rows & 1023) == 0) bar.update(static_cast<std::int64_t>(csv.offset()));
  }
  if (!src.in->eof() && src.in->bad()) throw Error(Errc::io, "reading '" + o.file + "' failed");
  if (interactions) imp.flush(s);
  if (tx) tx->commit();
  bar.finish();
  double secs = seconds_since(start);
  if (o.json) {
    nlohmann::json errs = nlohmann::json::array();
    for (const auto& e : s.errors) errs.push_back({{"line", e.line}, {"code", e.code}, {"message", e.message}});
    nlohmann::json j = {{"file", o.file}, {"database", o.db}, {"kind", interactions ? "interactions" : "customers"},
                        {"rows", s.rows}, {"imported", s.imported}, {"error_count", s.errors.size()},
                        {"errors", errs}, {"elapsed_s", secs}};
    if (interactions) {
      j["duplicates"] = s.duplicates;
      j["customers_created"] = s.customers_created;
    } else {
      j["updated"] = s.updated;
    }
    print_json(j);
  } else {
    std::string line = "crmkit import: " + grouped(static_cast<std::int64_t>(s.rows)) + " rows read, " +
                       grouped(static_cast<std::int64_t>(s.imported)) + (interactions ? " imported, " : " created, ");
    if (interactions) {
      line += grouped(static_cast<std::int64_t>(s.duplicates)) + " duplicates, ";
      if (o.create_customers) line += grouped(static_cast<std::int64_t>(s.customers_created)) + " customers created, ";
    } else {
      line += grouped(static_cast<std::int64_t>(s.updated)) + " updated, ";
    }
    char secs_text[32];
    std::snprintf(secs_text, sizeof secs_text, "%.2f s", secs);
    line += grouped(static_cast<std::int64_t>(s.errors.size())) + " errors, " + secs_text + "\n";
    std::fputs(line.c_str(), stdout);
  }
  if (s.rows > 0 && s.imported + s.duplicates + s.updated == 0) exit_code() = 1;
}

void add_import(CLI::App& root) {
  auto* cmd = command_group(root, "import", "Import customers, interactions or surveys from a CSV file (header row; - for stdin)");
  for (bool interactions : {false, true}) {
    auto o = std::make_shared<Opts>();
    auto* sub = cmd->add_subcommand(interactions ? "interactions" : "customers",
                                    interactions ? "columns: customer_external_id, occurred_at, channel, kind, amount, currency, "
                                                   "external_id, subject, notes, direction"
                                                 : "columns: the customer field names (external_id, email, country, tags, ...)");
    sub->add_option("file", o->file, "CSV file, or - for stdin")->required();
    sub->add_option("--db", o->db, "database file (created if missing)")->capture_default_str();
    sub->add_flag("--json", o->json, "print the summary (and every row error) as JSON");
    if (interactions)
      sub->add_flag("--create-customers", o->create_customers,
                    "create customers that do not exist (external_id only, created at their first interaction)");
    sub->callback([o, interactions] { run_import(*o, interactions); });
  }
}

RegisterCommand reg(&add_import);

}  // namespace
}  // namespace crmkit::cli
