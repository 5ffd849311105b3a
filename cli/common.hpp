// What the crmkit subcommands share: opening the store, readable numbers and tables, a
// progress bar for terminals, and the JSON shape of customers and interactions.
#pragma once

#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

#include "crmkit/customer.hpp"
#include "crmkit/interaction.hpp"
#include "crmkit/money.hpp"
#include "crmkit/store.hpp"
#include "instants.hpp"

namespace crmkit::cli {

// The database a command uses when neither --db nor CRMKIT_DB is given (the file `crmkit demo`
// writes).
inline const char* kDefaultDb = "crmkit-demo.db";
// The environment variable that names the database when --db is not given.
inline const char* kDbEnvironment = "CRMKIT_DB";
inline const char* kTenantEnvironment = "CRMKIT_TENANT";

// Adds --db to a command: the option, else $CRMKIT_DB, else kDefaultDb. Every command takes
// its database this way so that one rule holds everywhere.
CLI::Option* add_db_option(CLI::App* cmd, std::string& db);
// --tenant (and $CRMKIT_TENANT) alone, for a command with a --db of its own (demo); open_store
// uses it. add_db_option adds it too.
void add_tenant_option(CLI::App* cmd);

// What a command does with its store: a command that only reads must not leave an empty
// database behind for a mistyped path; only a command that writes creates the file.
enum class StoreUse { read, write };

// The one way a command opens its store. read: the file must exist (io naming the path);
// write: the file is created when missing. Either way the schema is brought up to date.
Store open_store(const std::string& path, StoreUse use);

// 1234567 -> "1,234,567".
std::string grouped(std::int64_t n);
// Minor units in major units with thousands separators: (250031563, "USD") -> "2,500,315.63".
// Takes a 128-bit sum so that report totals across customers print every digit.
std::string grouped_amount(MoneySum minor, const std::string& currency);
// An exact decimal amount: a JSON number below 2^53 minor units in size (format_amount's
// digits, which is what doubles print back shortest-first), otherwise the decimal as a JSON
// string, since a number that large would lose digits in every parser that reads doubles.
nlohmann::json amount_json(MoneySum minor, const std::string& currency);

// A text table: columns are left-aligned unless marked right-aligned; two spaces between.
class Table {
 public:
  explicit Table(std::vector<std::string> header, std::string right_aligned = "");
  void row(std::vector<std::string> cells);
  // Appends the table to `out`, each line prefixed by `indent`.
  void render(std::string& out, const std::string& indent = "  ") const;
  bool empty() const noexcept { return rows_.empty(); }

 private:
  std::vector<std::string> header_;
  std::string right_;  // 'r' or 'l' per column
  std::vector<std::vector<std::string>> rows_;
};

// Display width of UTF-8 text (code points; good enough for names and labels).
std::size_t text_width(const std::string& s);

// "[#######.......]" of `width` cells for value/max.
std::string bar(double value, double max, int width);

// A progress bar on stderr, drawn only when stderr is a terminal.
class Progress {
 public:
  Progress(std::string label, std::int64_t total);
  ~Progress();
  void update(std::int64_t done);
  void set_label(std::string label);
  void finish();

 private:
  void draw();
  std::string label_;
  std::int64_t total_;
  std::int64_t done_ = 0;
  int last_permille_ = -1;
  bool active_;
  bool finished_ = false;
};

// Seconds since `start`, for summaries.
double seconds_since(std::chrono::steady_clock::time_point start);

// Resolves "ID" or --external-id to a customer id (not_found if neither matches).
std::int64_t resolve_customer(Store& store, std::int64_t id, const std::string& external_id);

// Prints a JSON value (pretty) on stdout.
void print_json(const nlohmann::json& j);

}  // namespace crmkit::cli
