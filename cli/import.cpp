// crmkit import customers|interactions|surveys: CSV files (RFC 4180, header row) into the store.
//
// One import path for every entity: the same header checks, the same streaming reader with the
// same limits, the same row errors (line numbers, in line order) and the same summary. Rows go
// in batches of 10,000, one transaction per batch. A row that cannot be imported, whatever
// refuses it (the CSV reader, the field parsers, the customer lookup or creation, the library's
// batch), is reported with its line number and skipped; the rest goes in. Exit status: 0 when
// anything was imported (or the file had no data rows), 1 when the file cannot be read, its
// header is refused, or every data row failed.
#include <sys/stat.h>

#include <algorithm>
#include <charconv>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <unordered_map>
#include <unordered_set>

#include "commands.hpp"
#include "common.hpp"
#include "crmkit/customer.hpp"
#include "crmkit/error.hpp"
#include "crmkit/import_preview.hpp"
#include "crmkit/interaction.hpp"
#include "crmkit/limits.hpp"
#include "crmkit/money.hpp"
#include "crmkit/survey.hpp"
#include "crmkit/csv.hpp"
#include "crmkit/date_format.hpp"

namespace crmkit::cli {
namespace {

constexpr std::size_t kBatchRows = 10'000;
// Fact rows per commit: batches go in under savepoints of one transaction, committed this
// often. A commit per 10,000-row batch wrote each changed index and figures page once per
// batch: 19x the file's size for a time-ordered log of 500,000 rows (docs/CLI.md).
constexpr std::size_t kRowsPerCommit = 1'000'000;
constexpr std::size_t kMaxErrorsShown = 50;  // on stderr; --json lists them all

enum class Entity { customers, interactions, surveys };

const char* name_of(Entity e) {
  switch (e) {
    case Entity::customers: return "customers";
    case Entity::interactions: return "interactions";
    case Entity::surveys: return "surveys";
  }
  return "";
}

struct Opts {
  std::string db;
  std::string file;
  bool create_customers = false;
  bool allow_repeats = false;
  bool json = false;
  std::string delimiter;             // empty: detected from the header line
  std::vector<std::string> maps;     // --map column=field
  std::string mapping;               // --mapping FILE
  std::string date_format;           // --date-format
  TimeArg as_of;                     // customers: created_at of rows without one (default: now)
  bool preview = false;              // customers: report what the import would do, write nothing
};

struct RowFailure {
  std::size_t line;
  std::string code;
  std::string message;
};

// Refused rows. A batch's refusals come from several stages (reader, parsers, customer
// resolution, the library) at different times; they are held until the batch is settled and
// then published in line order.
class Refusals {
 public:
  // keep_all: every refusal is kept for the --json list; otherwise only the count grows, so
  // that a file of bad rows costs no memory per row.
  explicit Refusals(bool keep_all) : keep_all_(keep_all) {}
  void add(std::size_t line, std::string code, std::string message) {
    pending_.push_back({line, std::move(code), std::move(message)});
  }
  void publish() {
    std::stable_sort(pending_.begin(), pending_.end(),
                     [](const RowFailure& a, const RowFailure& b) { return a.line < b.line; });
    for (auto& f : pending_) {
      if (published_ < kMaxErrorsShown)
        std::fprintf(stderr, "crmkit: line %zu: %s: %s\n", f.line, f.code.c_str(), f.message.c_str());
      else if (published_ == kMaxErrorsShown)
        std::fprintf(stderr, "crmkit: (further row errors are not shown here; --json lists them all)\n");
      ++published_;
      if (keep_all_) all_.push_back(std::move(f));
    }
    pending_.clear();
  }
  std::size_t count() const { return published_ + pending_.size(); }
  const std::vector<RowFailure>& all() const { return all_; }

 private:
  bool keep_all_;
  std::size_t published_ = 0;
  std::vector<RowFailure> pending_, all_;
};

struct Summary {
  explicit Summary(bool keep_all_refusals) : refused(keep_all_refusals) {}
  std::size_t rows = 0, imported = 0, duplicates = 0, updated = 0, customers_created = 0;
  std::size_t duplicate_external_ids = 0, duplicate_natural_keys = 0;  // the duplicates by reason
  std::size_t created_at_defaulted = 0;  // customer rows without created_at given the default
  Refusals refused;
};

// Refusals that belong to one row (its data); anything else (busy, I/O, corruption) stops the
// import, since the next row would meet it too.
bool row_level(Errc c) {
  return c == Errc::invalid_argument || c == Errc::not_found || c == Errc::conflict || c == Errc::constraint;
}

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

// The header line, read ahead to detect the delimiter, then the rest of the input: stdin
// cannot be rewound, so the bytes read ahead are served again from here.
class ReadAhead : public std::streambuf {
 public:
  ReadAhead(std::string head, std::streambuf* rest) : head_(std::move(head)), rest_(rest) {
    setg(head_.data(), head_.data(), head_.data() + head_.size());
  }

 protected:
  int_type underflow() override {
    if (gptr() < egptr()) return traits_type::to_int_type(*gptr());
    const std::streamsize n = rest_->sgetn(buf_, sizeof buf_);
    if (n <= 0) return traits_type::eof();
    setg(buf_, buf_, buf_ + n);
    return traits_type::to_int_type(*gptr());
  }

 private:
  std::string head_;
  std::streambuf* rest_;
  char buf_[65536];
};

// The field delimiter: --delimiter (one character; "tab" or "\t" for a tab), else the one of
// ',', ';' and tab that the header line holds most often outside quotes (',' on a tie or when
// there is none: a one-column file).
char delimiter_of(const std::string& given, const std::string& header) {
  if (!given.empty()) {
    if (given == "tab" || given == "\\t" || given == "\t") return '\t';
    if (given.size() != 1 || given[0] == '"' || given[0] == '\r' || given[0] == '\n')
      throw Error(Errc::invalid_argument, "--delimiter '" + printable(given) +
                                              "' is not one character other than a quote or a line break (\"tab\" for a tab)");
    return given[0];
  }
  std::size_t comma = 0, semicolon = 0, tab = 0;
  bool quoted = false;
  for (char c : header) {
    if (c == '"') quoted = !quoted;
    else if (!quoted && c == ',') ++comma;
    else if (!quoted && c == ';') ++semicolon;
    else if (!quoted && c == '\t') ++tab;
  }
  if (tab > comma && tab >= semicolon) return '\t';
  if (semicolon > comma) return ';';
  return ',';
}

// --map column=field and the lines of --mapping FILE (blank lines and lines starting with
// '#' ignored): the file's column names taken as crmkit's field names.
std::unordered_map<std::string, std::string> renames_of(const Opts& o, const std::vector<std::string>& known) {
  std::vector<std::pair<std::string, std::string>> given;  // (entry, where)
  if (!o.mapping.empty()) {
    const std::string text = file_text(o.mapping, 64 * 1024, "mapping file");
    std::size_t line = 0, at = 0;
    while (at <= text.size()) {
      std::size_t end = text.find('\n', at);
      if (end == std::string::npos) end = text.size();
      std::string entry = text.substr(at, end - at);
      ++line;
      at = end + 1;
      if (!entry.empty() && entry.back() == '\r') entry.pop_back();
      if (entry.empty() || entry[0] == '#') continue;
      given.emplace_back(entry, "--mapping '" + o.mapping + "' line " + std::to_string(line));
    }
  }
  for (const auto& m : o.maps) given.emplace_back(m, "--map");
  std::unordered_map<std::string, std::string> renames;
  for (const auto& [entry, where] : given) {
    const auto eq = entry.find('=');
    if (eq == std::string::npos || eq == 0 || eq + 1 == entry.size())
      throw Error(Errc::invalid_argument, where + ": '" + printable(entry) + "' is not column=field");
    std::string column = entry.substr(0, eq), field = entry.substr(eq + 1);
    if (std::find(known.begin(), known.end(), field) == known.end()) {
      std::string list;
      for (const auto& k : known) list += (list.empty() ? "" : ", ") + k;
      throw Error(Errc::invalid_argument, where + ": '" + printable(field) + "' is not a field; the fields are: " + list);
    }
    if (!renames.emplace(column, field).second)
      throw Error(Errc::invalid_argument, where + ": column '" + printable(column) + "' is mapped twice");
  }
  return renames;
}

// Column positions by name, from the header row (after --map/--mapping); unknown, repeated and
// missing required columns are refused before any row is read. Also how cells are read.
struct Columns {
  std::unordered_map<std::string, std::size_t> at;
  std::size_t count = 0;
  io::DateFormat dates;
  std::unordered_set<std::string> mapped;  // columns of the header that a rename applied to

  Columns(io::CsvReader& csv, const std::vector<std::string>& known, const std::vector<std::string>& required,
          const std::unordered_map<std::string, std::string>& renames = {}, io::DateFormat date_format = {})
      : dates(std::move(date_format)) {
    auto st = csv.next();
    if (st == io::CsvReader::Status::end) throw Error(Errc::invalid_argument, "the file is empty (a header row is required)");
    if (st == io::CsvReader::Status::error)
      throw Error(Errc::invalid_argument, "line " + std::to_string(csv.line()) + ": header row: " + csv.error_message());
    count = csv.size();
    for (std::size_t i = 0; i < csv.size(); ++i) {
      std::string name(csv.field(i));
      while (!name.empty() && (name.back() == ' ' || name.back() == '\t')) name.pop_back();
      while (!name.empty() && (name.front() == ' ' || name.front() == '\t')) name.erase(0, 1);
      if (auto r = renames.find(name); r != renames.end()) {
        mapped.insert(name);
        name = r->second;
      }
      if (std::find(known.begin(), known.end(), name) == known.end()) {
        std::string list;
        for (const auto& k : known) list += (list.empty() ? "" : ", ") + k;
        throw Error(Errc::invalid_argument, "header: unknown column '" + name + "' (column " + std::to_string(i + 1) +
                                                "); the columns are: " + list);
      }
      if (!at.emplace(name, i).second)
        throw Error(Errc::invalid_argument, "header: column '" + name + "' appears twice");
    }
    for (const auto& [column, field] : renames)
      if (!mapped.count(column))
        throw Error(Errc::invalid_argument, "header: mapped column '" + printable(column) + "' (to " + field +
                                                ") is not in the header");
    for (const auto& r : required)
      if (!at.count(r)) throw Error(Errc::invalid_argument, "header: required column '" + r + "' is missing");
  }

  // An instant cell: --date-format when given, else ISO-8601 or epoch milliseconds; in the
  // years the library can store (a row outside them never becomes a customer's created_at).
  Instant instant(const std::string& text, const char* field) const {
    Instant t = dates.given() ? dates.parse(text, field) : parse_instant(text, field);
    check_instant(field, t);
    return t;
  }

  // The cell of `name` in the current record, nullopt when the column is absent or empty.
  std::optional<std::string> get(const io::CsvReader& csv, const std::string& name) const {
    auto it = at.find(name);
    if (it == at.end()) return std::nullopt;
    std::string_view v = csv.field(it->second);
    if (v.empty()) return std::nullopt;
    return std::string(v);
  }
  // The cell of a column that must have a value.
  std::string need(const io::CsvReader& csv, const std::string& name) const {
    auto v = get(csv, name);
    if (!v) throw Error(Errc::invalid_argument, name + " is empty");
    return *v;
  }
  // An amount cell and its currency cell as one Money, in the default currency when the
  // currency is empty; nullopt when the amount is. A currency without an amount is refused
  // with the message unpaired(currency) makes.
  template <class Unpaired>
  std::optional<Money> money(const io::CsvReader& csv, const char* amount_column, const char* currency_column,
                             const std::string& default_currency, Unpaired unpaired) const {
    auto amount = get(csv, amount_column);
    auto currency = get(csv, currency_column);
    if (!amount) {
      if (currency) throw Error(Errc::invalid_argument, unpaired(*currency));
      return std::nullopt;
    }
    std::string code = currency_code(currency ? *currency : default_currency);
    return Money{parse_amount(*amount, code, amount_column), code};
  }
};

// A plain decimal number: an optional '-', digits, optionally '.' and digits. No sign '+', no
// exponent, no hexadecimal, no inf/nan, no spaces: what a survey tool exports, nothing else.
double decimal_cell(const std::string& text, const char* field) {
  std::size_t i = text.size() > 0 && text[0] == '-' ? 1 : 0;
  const std::size_t int_start = i;
  while (i < text.size() && text[i] >= '0' && text[i] <= '9') ++i;
  bool ok = i > int_start;
  if (ok && i < text.size() && text[i] == '.') {
    const std::size_t frac_start = ++i;
    while (i < text.size() && text[i] >= '0' && text[i] <= '9') ++i;
    ok = i > frac_start;
  }
  if (!ok || i != text.size())
    throw Error(Errc::invalid_argument, std::string(field) + " '" + printable(text) +
                                            "' is not a decimal number (digits, optionally a '-' and a '.')");
  double v = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (ec != std::errc() || end != text.data() + text.size())
    throw Error(Errc::invalid_argument, std::string(field) + " '" + printable(text) + "' is out of range");
  return v;
}


// ---- facts: interactions and survey responses ------------------------------------------------

const std::vector<std::string> kInteractionColumns = {
    "customer_external_id", "occurred_at", "channel", "kind", "amount", "currency",
    "external_id", "subject", "notes", "direction"};
const std::vector<std::string> kSurveyColumns = {
    "customer_external_id", "occurred_at", "kind", "score", "channel", "comment",
    "external_id", "scale_min", "scale_max", "direction"};

Interaction interaction_of(const io::CsvReader& csv, const Columns& cols, const std::string& default_currency) {
  Interaction i;
  i.occurred_at = cols.instant(cols.need(csv, "occurred_at"), "occurred_at");
  i.channel = parse_channel(cols.get(csv, "channel").value_or(""), "channel");
  i.kind = parse_interaction_kind(cols.get(csv, "kind").value_or(""), "kind");
  if (auto d = cols.get(csv, "direction")) i.direction = parse_direction(*d, "direction");
  i.amount = cols.money(csv, "amount", "currency", default_currency, [](const std::string& currency) {
    return "currency '" + currency + "' is given without an amount";
  });
  i.external_id = cols.get(csv, "external_id");
  i.subject = cols.get(csv, "subject");
  i.notes = cols.get(csv, "notes");
  return i;
}

SurveyResponse survey_of(const io::CsvReader& csv, const Columns& cols) {
  SurveyResponse r;
  r.occurred_at = cols.instant(cols.need(csv, "occurred_at"), "occurred_at");
  r.kind = parse_survey_kind(cols.need(csv, "kind"), "kind");
  r.score = decimal_cell(cols.need(csv, "score"), "score");
  r.channel = parse_channel(cols.need(csv, "channel"), "channel");
  r.comment = cols.get(csv, "comment");
  r.external_id = cols.get(csv, "external_id");
  auto lo = cols.get(csv, "scale_min"), hi = cols.get(csv, "scale_max"), dir = cols.get(csv, "direction");
  if (lo || hi || dir || r.kind == SurveyKind::custom) {
    // The library checks the scale against the kind (custom: any; standard: the fixed one).
    if (!lo || !hi) throw Error(Errc::invalid_argument, "a survey scale needs both scale_min and scale_max");
    r.scale = SurveyScale{decimal_cell(*lo, "scale_min"), decimal_cell(*hi, "scale_max"),
                          parse_scale_direction(dir.value_or("higher_is_better"), "direction")};
  }
  return r;
}

// Records a batch with skip_invalid. The library lists the rows it refuses one by one, but a
// refusal it can only make for the batch as a whole (a per-customer total that would overflow
// once the batch's rows are added up) throws for all of them: the batch is then split in
// halves, down to the one row that cannot go in, which is refused alone while the rest is
// recorded in file order. Inside the caller's transaction each attempt is its own savepoint,
// so a refused attempt leaves nothing behind.
template <class Service, class Record>
void record_split(Service& service, const std::vector<Record>& rows, std::size_t offset, const BatchOptions& o,
                  BatchResult& out) {
  try {
    BatchResult r = service.record_batch(rows, o);
    for (std::size_t k = 0; k < rows.size(); ++k) out.ids[offset + k] = r.ids[k];
    out.inserted += r.inserted;
    out.duplicates += r.duplicates;
    out.duplicate_external_ids += r.duplicate_external_ids;
    out.duplicate_natural_keys += r.duplicate_natural_keys;
    for (auto& e : r.errors) out.errors.push_back({offset + e.index, e.code, std::move(e.message)});
  } catch (const Error& e) {
    if (!row_level(e.code())) throw;
    if (rows.size() == 1) {
      out.errors.push_back({offset, e.code(), e.what()});
      return;
    }
    const std::size_t half = rows.size() / 2;
    record_split(service, std::vector<Record>(rows.begin(), rows.begin() + half), offset, o, out);
    record_split(service, std::vector<Record>(rows.begin() + half, rows.end()), offset + half, o, out);
  }
}

template <class Service, class Record>
BatchResult record_rows(Service& service, const std::vector<Record>& rows, bool allow_repeats) {
  BatchResult out;
  out.ids.assign(rows.size(), 0);
  BatchOptions o;
  o.skip_invalid = true;
  o.allow_repeats = allow_repeats;
  record_split(service, rows, 0, o, out);
  return out;
}

// Interactions or survey responses: rows naming their customer by external id. Customers are
// looked up once per import; with --create-customers (interactions) a missing one is created,
// its created_at being the earliest of its rows that the library accepted in that batch.
template <class Record, class Service>
class FactImport {
 public:
  FactImport(Store& store, bool create, bool allow_repeats)
      : store_(store), customers_(store), service_(store), create_(create), allow_repeats_(allow_repeats) {}

  void add(std::size_t line, std::string customer, Record record) {
    pending_.push_back({line, std::move(customer), std::move(record)});
  }
  bool full() const { return pending_.size() >= kBatchRows; }

  void flush(Summary& s) {
    if (pending_.empty()) return;
    std::vector<std::string> fresh = resolve();
    // created_at of each customer to create: first guess the earliest instant of its rows;
    // when the library refuses that row, the batch is undone and done again with the earliest
    // accepted one (acceptance does not depend on created_at, so the second attempt settles).
    // A customer none of whose rows is accepted is not created.
    std::unordered_map<std::string, Instant> start;
    for (const auto& p : pending_) {
      if (!fresh_set_.count(p.customer)) continue;
      auto [it, added] = start.emplace(p.customer, p.record.occurred_at);
      if (!added) it->second = std::min(it->second, p.record.occurred_at);
    }
    std::vector<std::optional<RowFailure>> earlier(pending_.size());  // refusals of a previous attempt
    if (!tx_) tx_ = std::make_unique<Transaction>(store_);
    std::unordered_map<std::string, std::int64_t> created;
    std::unordered_map<std::string, RowFailure> not_created;
    // Creates the fresh customers that have a start and no id yet. Not under the batch's
    // savepoint: SQLite copies every page a write touches under an open savepoint, and a
    // create per customer there made a time-ordered import three times slower.
    auto create_missing = [&] {
      for (const auto& ext : fresh) {
        auto it = start.find(ext);
        if (it == start.end() || created.count(ext) || not_created.count(ext)) continue;
        CustomerFields f;
        f.external_id = ext;
        f.created_at = it->second;
        try {
          created[ext] = customers_.create(f);
        } catch (const Error& e) {
          if (!row_level(e.code())) throw;
          not_created[ext] = {0, errc_name(e.code()), "customer_external_id '" + printable(ext) +
                                                          "' cannot be created: " + e.what()};
        }
      }
    };
    create_missing();
    for (int attempt = 1;; ++attempt) {
      Savepoint batch_done(store_);  // an attempt that does not settle is undone alone
      std::vector<Record> batch;
      std::vector<std::size_t> at;  // pending index of each batch row
      std::vector<RowFailure> refused;
      for (std::size_t k = 0; k < pending_.size(); ++k) {
        auto& p = pending_[k];
        std::int64_t id = 0;
        if (auto it = known_.find(p.customer); it != known_.end()) id = it->second;
        else if (auto c = created.find(p.customer); c != created.end()) id = c->second;
        if (id != 0) {
          p.record.customer_id = id;
          batch.push_back(p.record);
          at.push_back(k);
          continue;
        }
        RowFailure f{p.line, "not_found",
                     "customer_external_id '" + printable(p.customer) + "' is not a known customer" +
                         (create_ ? "" : " (--create-customers creates it)")};
        if (auto r = refused_ids_.find(p.customer); r != refused_ids_.end()) f = r->second;
        else if (auto n = not_created.find(p.customer); n != not_created.end()) f = n->second;
        else if (earlier[k]) f = *earlier[k];
        f.line = p.line;
        refused.push_back(std::move(f));
      }
      BatchResult r = record_rows(service_, batch, allow_repeats_);
      std::unordered_map<std::string, Instant> accepted;
      for (std::size_t j = 0; j < batch.size(); ++j) {
        const auto& p = pending_[at[j]];
        if (r.ids[j] == 0 || !created.count(p.customer)) continue;
        auto [it, added] = accepted.emplace(p.customer, p.record.occurred_at);
        if (!added) it->second = std::min(it->second, p.record.occurred_at);
      }
      bool settled = true;
      for (const auto& [ext, id] : created) {
        auto it = accepted.find(ext);
        if (it != accepted.end() && it->second != start.at(ext)) settled = false;
      }
      if (!settled) {
        if (attempt == 3) throw Error(Errc::internal, "the created_at of new customers did not settle");
        batch_done.rollback();
        for (const auto& e : r.errors) earlier[at[e.index]] = RowFailure{0, errc_name(e.code), e.message};
        // A customer whose earliest accepted row is not the one guessed is made again from it
        // (its rows were undone, so it can be removed).
        for (auto it = created.begin(); it != created.end();) {
          auto a = accepted.find(it->first);
          if (a == accepted.end() || a->second == start.at(it->first)) {
            ++it;
            continue;
          }
          customers_.remove(it->second);
          start[it->first] = a->second;
          it = created.erase(it);
        }
        create_missing();
        continue;
      }
      batch_done.release();
      for (const auto& [ext, id] : created) {
        if (accepted.count(ext)) {
          known_[ext] = id;
          ++s.customers_created;
        } else {
          customers_.remove(id);  // creation follows the data: no accepted row, no customer
        }
      }
      s.imported += r.inserted;
      s.duplicates += r.duplicates;
      s.duplicate_external_ids += r.duplicate_external_ids;
      s.duplicate_natural_keys += r.duplicate_natural_keys;
      for (auto& f : refused) s.refused.add(f.line, std::move(f.code), std::move(f.message));
      for (const auto& e : r.errors) s.refused.add(pending_[at[e.index]].line, errc_name(e.code), e.message);
      break;
    }
    for (const auto& ext : fresh) fresh_set_.erase(ext);
    rows_in_tx_ += pending_.size();
    pending_.clear();
    if (rows_in_tx_ >= kRowsPerCommit) commit();
  }

  // Commits the rows recorded so far (at the end of the file, and every kRowsPerCommit rows).
  void commit() {
    if (tx_) tx_->commit();
    tx_.reset();
    rows_in_tx_ = 0;
  }

 private:
  struct Row {
    std::size_t line;
    std::string customer;  // external id
    Record record;
  };

  // Looks up the customers of the pending rows not seen before; returns those to create. An
  // external id the library refuses (not UTF-8, a NUL, too long) refuses its rows.
  std::vector<std::string> resolve() {
    std::vector<std::string> fresh;
    for (const auto& p : pending_) {
      const std::string& ext = p.customer;
      if (known_.count(ext) || refused_ids_.count(ext) || fresh_set_.count(ext)) continue;
      try {
        if (auto id = customers_.find_id(ext)) {
          known_[ext] = *id;
        } else if (create_) {
          fresh.push_back(ext);
          fresh_set_.insert(ext);
        } else {
          refused_ids_[ext] = {0, "not_found", "customer_external_id '" + printable(ext) +
                                                   "' is not a known customer (--create-customers creates it)"};
        }
      } catch (const Error& e) {
        if (!row_level(e.code())) throw;
        refused_ids_[ext] = {0, errc_name(e.code()), std::string("customer_external_id: ") + e.what()};
      }
    }
    return fresh;
  }

  Store& store_;
  Customers customers_;
  Service service_;
  bool create_;
  bool allow_repeats_;
  std::vector<Row> pending_;
  std::unique_ptr<Transaction> tx_;  // open across batches until kRowsPerCommit rows
  std::size_t rows_in_tx_ = 0;
  std::unordered_map<std::string, std::int64_t> known_;
  std::unordered_map<std::string, RowFailure> refused_ids_;
  std::unordered_set<std::string> fresh_set_;
};

// ---- customers ------------------------------------------------------------------------------

// A money field's currency has a column of its own: acquisition_cost, acquisition_currency.
std::string currency_column(const std::string& money_field) {
  return money_field.substr(0, money_field.rfind('_')) + "_currency";
}

// Every field a customer is given, from the library's list, in its order.
std::vector<std::string> customer_columns() {
  std::vector<std::string> columns;
  for (const auto& field : customer_fields()) {
    if (!field.given) continue;
    columns.emplace_back(field.name);
    if (field.type == CustomerFieldType::money) columns.push_back(currency_column(field.name));
  }
  return columns;
}

const std::vector<std::string> kCustomerColumns = customer_columns();

CustomerFields fields_of_row(const io::CsvReader& csv, const Columns& cols, const std::string& default_currency) {
  CustomerFields f;
  for (const auto& field : customer_fields()) {
    if (!field.given) continue;
    const std::string name = field.name;
    switch (field.type) {
      case CustomerFieldType::text:
      case CustomerFieldType::date:
      case CustomerFieldType::choice: set_text_field(f, name, cols.get(csv, name)); break;
      default:
        // Read one by one below; a field added to the library without a reader here fails
        // every customer row instead of being dropped unnoticed.
        if (name != "acquisition_cost" && name != "created_at" && name != "tags" && name != "attributes")
          throw Error(Errc::internal, "the customer import does not read the field " + name);
    }
  }
  f.acquisition_cost =
      cols.money(csv, "acquisition_cost", "acquisition_currency", default_currency,
                 [](const std::string&) { return "acquisition_currency is given without acquisition_cost"; });
  if (auto t = cols.get(csv, "created_at")) f.created_at = cols.instant(*t, "created_at");
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

class CustomerImport {
 public:
  CustomerImport(Store& store, Instant default_created_at)
      : store_(store), customers_(store), default_currency_(store.default_currency()),
        default_created_at_(default_created_at) {}

  void add(const io::CsvReader& csv, const Columns& cols, Summary& s) {
    if (!tx_) tx_ = std::make_unique<Transaction>(store_);
    try {
      CustomerFields f = fields_of_row(csv, cols, default_currency_);
      // An empty created_at is "not given": the import's instant stands in (for a customer
      // that exists already it is only the updated_at of a change; its created_at is kept).
      const bool defaulted = !f.created_at;
      if (defaulted) f.created_at = default_created_at_;
      if (f.external_id) {
        bool created = false;
        customers_.upsert(f, &created);
        created ? ++s.imported : ++s.updated;
      } else {
        customers_.create(f);
        ++s.imported;
      }
      if (defaulted) ++s.created_at_defaulted;
    } catch (const Error& e) {
      if (!row_level(e.code())) throw;
      s.refused.add(csv.line(), errc_name(e.code()), e.what());
    }
    if (++in_tx_ >= kBatchRows) flush(s);
  }

  void flush(Summary& s) {
    if (tx_) tx_->commit();
    tx_.reset();
    in_tx_ = 0;
    s.refused.publish();
  }

 private:
  Store& store_;
  Customers customers_;
  std::string default_currency_;
  Instant default_created_at_;
  std::unique_ptr<Transaction> tx_;  // one transaction per batch of rows
  std::size_t in_tx_ = 0;
};

// ---- the preview ----------------------------------------------------------------------------

// One row of the preview as a line of text.
std::string preview_line(const ImportPreviewRow& r) {
  std::string out = "line " + std::to_string(r.line) + ": " + to_string(r.action);
  if (r.action == ImportAction::error) return out + " (" + r.error_code + ") " + r.error;
  if (r.customer_id) out += " customer " + std::to_string(*r.customer_id) + " (same external_id)";
  if (r.earlier_line) out += " the customer line " + std::to_string(*r.earlier_line) + " creates (same external_id)";
  for (const auto& c : r.candidates) {
    out += "; " + std::string(to_string(c.verdict)) + " of customer " + std::to_string(c.b) + " (score " +
           std::to_string(c.score) + ":";
    for (std::size_t i = 0; i < c.fired.size(); ++i)
      out += (i ? ", " : " ") + c.fired[i].text + " " + std::to_string(c.fired[i].weight);
    out += ")";
  }
  if (!r.same_contact_lines.empty()) {
    out += "; same email or phone as line";
    for (std::size_t i = 0; i < r.same_contact_lines.size(); ++i)
      out += (i ? ", " : " ") + std::to_string(r.same_contact_lines[i]);
  }
  return out;
}

// crmkit import customers --preview: every row read as the import reads it, judged by the
// library's CustomerImportPreview against the store opened for reading; nothing is written.
void preview_customers(const Opts& o, io::CsvReader& csv, const Columns& cols, Instant import_time, bool as_of_given) {
  Store store = open_store(o.db, StoreUse::read);
  CustomerImportPreview preview(store);
  const std::string default_currency = store.default_currency();
  nlohmann::json rows = nlohmann::json::array();
  for (;;) {
    auto st = csv.next();
    if (st == io::CsvReader::Status::end) break;
    const auto line = static_cast<std::int64_t>(csv.line());
    ImportPreviewRow row;
    if (st == io::CsvReader::Status::error) {
      row = preview.refuse(line, Errc::invalid_argument, csv.error_message());
    } else if (csv.size() != cols.count) {
      row = preview.refuse(line, Errc::invalid_argument,
                           "the row has " + std::to_string(csv.size()) + " fields, the header " +
                               std::to_string(cols.count));
    } else {
      try {
        CustomerFields f = fields_of_row(csv, cols, default_currency);
        if (!f.created_at) f.created_at = import_time;  // as the import does
        row = preview.add(line, f);
      } catch (const Error& e) {
        if (!row_level(e.code())) throw;
        row = preview.refuse(line, e.code(), e.what());
      }
    }
    if (o.json) rows.push_back(nlohmann::json::parse(to_json(row)));
    else std::cout << preview_line(row) << "\n";
  }
  const ImportPreviewTotals& t = preview.totals();
  if (o.json) {
    print_json({{"file", o.file},
                {"database", o.db},
                {"kind", "customers"},
                {"preview", true},
                {"created_at_default", {{"source", as_of_given ? "as_of" : "now"}, {"instant", format_instant(import_time)}}},
                {"rows", rows},
                {"totals", nlohmann::json::parse(to_json(t))}});
    return;
  }
  std::cout << "crmkit import --preview: " << grouped(t.rows) << " rows: " << grouped(t.create) << " to create, "
            << grouped(t.update) << " to update, " << grouped(t.error) << " errors; " << grouped(t.with_duplicates)
            << " with duplicates, " << grouped(t.with_suspects) << " with suspects, " << grouped(t.with_same_contact)
            << " sharing an email or phone with an earlier row; nothing written\n";
}

// ---- the command ----------------------------------------------------------------------------

void run_import(const Opts& o, Entity entity) {
  auto start = std::chrono::steady_clock::now();
  const std::vector<std::string>& known =
      entity == Entity::customers ? kCustomerColumns : entity == Entity::interactions ? kInteractionColumns : kSurveyColumns;
  // Options are checked before the file is read or the database touched.
  const auto renames = renames_of(o, known);
  io::DateFormat dates = o.date_format.empty() ? io::DateFormat() : io::DateFormat(o.date_format);
  // The instant that stands in for a customer row's empty created_at: --as-of, else now (the
  // library reads no clock; the command does, and says so in the summary).
  const bool as_of_given = o.as_of.given();
  const Instant import_time = given_or_now(o.as_of);
  Source src(o.file);
  std::string head;  // the header line, read ahead for the delimiter
  for (int c; head.size() <= io::CsvLimits{}.max_record_bytes && (c = src.in->rdbuf()->sbumpc()) != EOF;) {
    head.push_back(static_cast<char>(c));
    if (c == '\n') break;
  }
  const char delimiter = delimiter_of(o.delimiter, head);
  ReadAhead input_buf(head, src.in->rdbuf());
  std::istream input(&input_buf);
  io::CsvReader csv(input, delimiter);
  const Columns cols =
      entity == Entity::customers      ? Columns(csv, known, {}, renames, dates)
      : entity == Entity::interactions ? Columns(csv, known, {"customer_external_id", "occurred_at", "channel", "kind"}, renames, dates)
                                       : Columns(csv, known, {"customer_external_id", "occurred_at", "kind", "score", "channel"}, renames, dates);
  if (o.preview) {
    preview_customers(o, csv, cols, import_time, as_of_given);
    return;
  }
  Store store = open_store(o.db, StoreUse::write);
  Summary s(o.json);
  Progress bar(std::string("importing ") + name_of(entity), src.size);
  const std::string default_currency = store.default_currency();
  CustomerImport customers(store, import_time);
  FactImport<Interaction, Interactions> interactions(store, o.create_customers, o.allow_repeats);
  FactImport<SurveyResponse, Surveys> surveys(store, false, false);
  auto flush = [&] {
    if (entity == Entity::customers) customers.flush(s);
    if (entity == Entity::interactions) interactions.flush(s);
    if (entity == Entity::surveys) surveys.flush(s);
    s.refused.publish();
  };
  for (;;) {
    auto st = csv.next();
    if (st == io::CsvReader::Status::end) break;
    ++s.rows;
    if (st == io::CsvReader::Status::error) {
      s.refused.add(csv.line(), "invalid_argument", csv.error_message());
    } else if (csv.size() != cols.count) {
      s.refused.add(csv.line(), "invalid_argument",
                    "the row has " + std::to_string(csv.size()) + " fields, the header " + std::to_string(cols.count));
    } else if (entity == Entity::customers) {
      customers.add(csv, cols, s);
    } else {
      try {
        std::string customer = cols.need(csv, "customer_external_id");
        if (entity == Entity::interactions)
          interactions.add(csv.line(), std::move(customer), interaction_of(csv, cols, default_currency));
        else
          surveys.add(csv.line(), std::move(customer), survey_of(csv, cols));
      } catch (const Error& e) {
        s.refused.add(csv.line(), errc_name(e.code()), e.what());
      }
      if (interactions.full() || surveys.full()) flush();
    }
    if ((s.rows & 1023) == 0) bar.update(static_cast<std::int64_t>(csv.offset()));
  }
  if (input.bad() || src.in->bad()) throw Error(Errc::io, "reading '" + o.file + "' failed");
  flush();
  interactions.commit();
  surveys.commit();
  bar.finish();
  double secs = seconds_since(start);
  const std::size_t errors = s.refused.count();
  if (o.json) {
    nlohmann::json errs = nlohmann::json::array();
    for (const auto& e : s.refused.all()) errs.push_back({{"line", e.line}, {"code", e.code}, {"message", e.message}});
    nlohmann::json j = {{"file", o.file}, {"database", o.db}, {"kind", name_of(entity)},
                        {"rows", s.rows}, {"imported", s.imported}, {"error_count", errors},
                        {"errors", errs}, {"elapsed_s", secs}};
    j["delimiter"] = std::string(1, delimiter);
    if (entity == Entity::customers) {
      j["updated"] = s.updated;
      j["created_at_default"] = {{"rows", s.created_at_defaulted},
                                 {"source", as_of_given ? "as_of" : "now"},
                                 {"instant", format_instant(import_time)}};
    } else {
      j["duplicates"] = s.duplicates;
      j["duplicates_by_reason"] = {{"same_external_id", s.duplicate_external_ids},
                                   {"same_natural_key", s.duplicate_natural_keys}};
      if (entity == Entity::interactions) j["customers_created"] = s.customers_created;
    }
    print_json(j);
  } else {
    std::string line = "crmkit import: " + grouped(static_cast<std::int64_t>(s.rows)) + " rows read, " +
                       grouped(static_cast<std::int64_t>(s.imported)) +
                       (entity == Entity::customers ? " created, " : " imported, ");
    if (entity == Entity::customers) {
      line += grouped(static_cast<std::int64_t>(s.updated)) + " updated, ";
      if (s.created_at_defaulted)
        line += grouped(static_cast<std::int64_t>(s.created_at_defaulted)) + " without created_at given " +
                format_instant(import_time) + (as_of_given ? " (--as-of), " : " (now), ");
    } else {
      line += grouped(static_cast<std::int64_t>(s.duplicates)) + " duplicates";
      if (s.duplicates)
        line += " (" + grouped(static_cast<std::int64_t>(s.duplicate_external_ids)) + " same external_id, " +
                grouped(static_cast<std::int64_t>(s.duplicate_natural_keys)) + " same natural key)";
      line += ", ";
      if (o.create_customers) line += grouped(static_cast<std::int64_t>(s.customers_created)) + " customers created, ";
    }
    char secs_text[32];
    std::snprintf(secs_text, sizeof secs_text, "%.2f s", secs);
    line += grouped(static_cast<std::int64_t>(errors)) + " errors, " + secs_text + "\n";
    std::fputs(line.c_str(), stdout);
  }
  if (s.rows > 0 && s.imported + s.duplicates + s.updated == 0) exit_code() = 1;
}

}  // namespace

void add_import(CLI::App& root) {
  auto* cmd = root.add_subcommand("import", "Import customers, interactions or surveys from a CSV file (header row; - for stdin)");
  cmd->require_subcommand(1);
  for (Entity entity : {Entity::customers, Entity::interactions, Entity::surveys}) {
    auto o = std::make_shared<Opts>();
    const char* help =
        entity == Entity::customers
            ? "columns: the customer field names (external_id, email, country, tags, ...)"
        : entity == Entity::interactions
            ? "columns: customer_external_id, occurred_at, channel, kind, amount, currency, external_id, subject, notes, "
              "direction"
            : "columns: customer_external_id, occurred_at, kind, score, channel, comment, external_id, scale_min, "
              "scale_max, direction";
    auto* sub = cmd->add_subcommand(name_of(entity), help);
    sub->add_option("file", o->file, "CSV file, or - for stdin")->required();
    add_db_option(sub, o->db);
    sub->add_flag("--json", o->json, "print the summary (and every row error) as JSON");
    sub->add_option("--delimiter", o->delimiter,
                    "field delimiter: one character, or \"tab\" (default: ',', ';' or tab, whichever the header line holds most)");
    sub->add_option("--map", o->maps, "COLUMN=FIELD: read the file's column COLUMN as FIELD (repeatable)");
    sub->add_option("--mapping", o->mapping, "a file of COLUMN=FIELD lines, as --map ('#' starts a comment line)");
    sub->add_option("--date-format", o->date_format,
                    "how dates are written: %Y %m %d %H %M %S (fixed widths), %% and literal characters, e.g. %d/%m/%Y");
    if (entity == Entity::customers)
      add_time_option(sub, o->as_of, "--as-of", DateMeans::end_of_day,
                      "created_at of rows that give none (default: now)");
    if (entity == Entity::customers)
      sub->add_flag("--preview", o->preview,
                    "write nothing: report per row what the import would do (create, update, duplicate candidates "
                    "with their scores and rules, errors) and the totals");
    if (entity == Entity::interactions)
      sub->add_flag("--create-customers", o->create_customers,
                    "create customers that do not exist (external_id only, created at their first accepted interaction)");
    if (entity == Entity::interactions)
      sub->add_flag("--allow-repeats", o->allow_repeats,
                    "record rows without external_id even when the same row was recorded before (true repeats); "
                    "by default such a row is a duplicate by its natural key");
    sub->callback([o, entity] { run_import(*o, entity); });
  }
}

}  // namespace crmkit::cli
