#include "common.hpp"
#include "commands.hpp"

#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <cstdio>
#include <filesystem>
#include <fstream>

#include "crmkit/error.hpp"
#include "crmkit/money.hpp"

namespace crmkit::cli {

namespace {
// The --tenant given on the command line ("" if none). Every command's option writes this one
// string, so it carries no environment variable: CLI11 would apply $CRMKIT_TENANT through the
// options of other commands too and overwrite the --tenant given (found by the CLI tests on
// PostgreSQL). open_store falls back to the environment itself.
std::string& tenant_option() {
  static std::string tenant;
  return tenant;
}

std::string tenant() {
  if (!tenant_option().empty()) return tenant_option();
  const char* env = std::getenv(kTenantEnvironment);
  return env && *env ? env : OpenOptions{}.tenant;
}

}  // namespace

void add_tenant_option(CLI::App* cmd) {
  cmd->add_option("--tenant", tenant_option(),
                  std::string("with a PostgreSQL --db: the tenant (schema) to open (default: $") + kTenantEnvironment +
                      ", else " + OpenOptions{}.tenant + ")");
}

CLI::Option* add_db_option(CLI::App* cmd, std::string& db) {
  db = kDefaultDb;
  add_tenant_option(cmd);
  return cmd->add_option("--db", db,
                         std::string("database file, or a postgresql:// URI (default: $") + kDbEnvironment + ", else " +
                             kDefaultDb + ")")
      ->envname(kDbEnvironment);
}

Store open_store(const std::string& path, StoreUse use) {
  std::error_code ec;
  if (use == StoreUse::read && path != ":memory:" && !crmkit::is_postgres_uri(path) && !std::filesystem::exists(path, ec))
    throw Error(Errc::io, "database '" + path + "' does not exist (create one with `crmkit demo` or `crmkit import`)");
  OpenOptions o;
  o.create = use == StoreUse::write;
  o.tenant = tenant();
  Store s = Store::open(path, o);
  // Changes made through the command name who made them: $CRMKIT_ACTOR, else the login name.
  AuditContext who;
  if (const char* actor = std::getenv("CRMKIT_ACTOR"); actor && *actor) who.actor = actor;
  else if (const char* user = std::getenv("USER"); user && *user) who.actor = std::string("cli:") + user;
  if (const char* reason = std::getenv("CRMKIT_REASON"); reason && *reason) who.reason = reason;
  s.set_audit_context(who);
  return s;
}

namespace {

// "1234567" -> "1,234,567": a comma before every third digit from the right.
std::string with_thousands(const std::string& digits) {
  std::string out;
  for (std::size_t i = 0; i < digits.size(); ++i) {
    if (i && (digits.size() - i) % 3 == 0) out.push_back(',');
    out.push_back(digits[i]);
  }
  return out;
}

}  // namespace

std::string grouped(std::int64_t n) {
  unsigned long long mag = n < 0 ? 0ULL - static_cast<unsigned long long>(n)
                                 : static_cast<unsigned long long>(n);
  return (n < 0 ? "-" : "") + with_thousands(std::to_string(mag));
}

std::string grouped_amount(MoneySum minor, const std::string& currency) {
  std::string s = format_amount_sum(minor, currency);
  bool neg = !s.empty() && s[0] == '-';
  std::string body = neg ? s.substr(1) : s;
  auto dot = body.find('.');
  std::string whole = body.substr(0, dot);
  std::string frac = dot == std::string::npos ? "" : body.substr(dot);
  return (neg ? "-" : "") + with_thousands(whole) + frac;
}

nlohmann::json amount_json(MoneySum minor, const std::string& currency) {
  // The shortest decimal that reads back as the same double is the formatted amount itself
  // for every amount below 2^53 minor units, so the JSON text carries the exact decimal.
  constexpr MoneySum kExact = MoneySum(1) << 53;
  std::string text = format_amount_sum(minor, currency);
  if (minor < kExact && minor > -kExact) return std::stod(text);
  return text;
}

Table::Table(std::vector<std::string> header, std::string right_aligned)
    : header_(std::move(header)), right_(std::move(right_aligned)) {
  right_.resize(header_.size(), 'l');
}

void Table::row(std::vector<std::string> cells) {
  cells.resize(header_.size());
  rows_.push_back(std::move(cells));
}

std::size_t text_width(const std::string& s) {
  std::size_t n = 0;
  for (unsigned char c : s)
    if ((c & 0xC0) != 0x80) ++n;
  return n;
}

void Table::render(std::string& out, const std::string& indent) const {
  std::vector<std::size_t> w(header_.size(), 0);
  for (std::size_t i = 0; i < header_.size(); ++i) w[i] = text_width(header_[i]);
  for (const auto& r : rows_)
    for (std::size_t i = 0; i < r.size(); ++i) w[i] = std::max(w[i], text_width(r[i]));
  auto line = [&](const std::vector<std::string>& cells) {
    std::string l = indent;
    for (std::size_t i = 0; i < cells.size(); ++i) {
      std::size_t pad = w[i] - text_width(cells[i]);
      bool last = i + 1 == cells.size();
      if (right_[i] == 'r') l += std::string(pad, ' ') + cells[i];
      else l += cells[i] + (last ? "" : std::string(pad, ' '));
      if (!last) l += "  ";
    }
    while (!l.empty() && l.back() == ' ') l.pop_back();
    out += l + "\n";
  };
  line(header_);
  std::vector<std::string> rule;
  for (auto x : w) rule.push_back(std::string(x, '-'));
  line(rule);
  for (const auto& r : rows_) line(r);
}

std::string bar(double value, double max, int width) {
  int n = max > 0 ? static_cast<int>(std::lround(value / max * width)) : 0;
  n = std::clamp(n, 0, width);
  std::string s;
  for (int i = 0; i < n; ++i) s += "#";
  return s;
}

Progress::Progress(std::string label, std::int64_t total)
    : label_(std::move(label)), total_(total), active_(::isatty(2) == 1) {}

Progress::~Progress() { finish(); }

void Progress::set_label(std::string label) {
  label_ = std::move(label);
  last_permille_ = -1;
  draw();
}

void Progress::update(std::int64_t done) {
  done_ = done;
  if (!active_ || finished_) return;
  int permille = total_ > 0 ? static_cast<int>(std::min<std::int64_t>(done * 1000 / total_, 1000)) : 0;
  if (permille == last_permille_) return;  // redraw only when the bar moves
  last_permille_ = permille;
  draw();
}

void Progress::draw() {
  if (!active_ || finished_) return;
  const int width = 30;
  double frac = total_ > 0 ? std::min(1.0, static_cast<double>(done_) / total_) : 0.0;
  int fill = static_cast<int>(frac * width);
  std::string b(fill, '#');
  b += std::string(width - fill, '.');
  std::fprintf(stderr, "\r\033[K%-24s [%s] %5.1f%%  %s/%s", label_.c_str(), b.c_str(), frac * 100,
               grouped(done_).c_str(), grouped(total_).c_str());
  std::fflush(stderr);
}

void Progress::finish() {
  if (active_ && !finished_) {
    std::fprintf(stderr, "\r\033[K");
    std::fflush(stderr);
  }
  finished_ = true;
}

double seconds_since(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

std::int64_t resolve_customer(Store& store, std::int64_t id, const std::string& external_id) {
  Customers customers(store);
  if (!external_id.empty()) {
    auto found = customers.find_id(external_id);
    if (!found) throw Error(Errc::not_found, "no customer with external_id '" + external_id + "'");
    return *found;
  }
  if (id <= 0) throw Error(Errc::invalid_argument, "give a customer ID or --external-id");
  return id;
}

std::string file_text(const std::string& path, std::size_t max_bytes, const std::string& what) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw Error(Errc::io, "cannot read " + what + " '" + path + "'");
  std::string text;
  char chunk[65536];
  while (in) {
    // Never more than one byte past the limit: that byte is what proves the file too long.
    in.read(chunk, static_cast<std::streamsize>(std::min(sizeof chunk, max_bytes + 1 - text.size())));
    text.append(chunk, static_cast<std::size_t>(in.gcount()));
    if (text.size() > max_bytes)
      throw Error(Errc::invalid_argument, what + " '" + path + "' is longer than the limit of " +
                                              std::to_string(max_bytes) + " bytes");
  }
  if (in.bad()) throw Error(Errc::io, "reading " + what + " '" + path + "' failed");
  return text;
}

void write_whole_file(const std::string& path, const std::string& text, const std::string& option) {
  const std::string partial = path + ".partial";
  {
    std::ofstream file(partial, std::ios::binary | std::ios::trunc);
    if (!file) throw Error(Errc::io, option + " " + path + " cannot be written");
    file.write(text.data(), static_cast<std::streamsize>(text.size()));
    file.close();
    if (!file) {
      std::remove(partial.c_str());
      throw Error(Errc::io, option + " " + path + ": writing failed");
    }
  }
  if (std::rename(partial.c_str(), path.c_str()) != 0) {
    std::remove(partial.c_str());
    throw Error(Errc::io, option + " " + path + " cannot be replaced");
  }
}

void print_json(const nlohmann::json& j) {
  std::string s = j.dump(2);
  std::fwrite(s.data(), 1, s.size(), stdout);
  std::fputc('\n', stdout);
}

}  // namespace crmkit::cli
