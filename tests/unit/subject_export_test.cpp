// The subject-access export: every table that references the customer is in it, found through
// the catalog; only the customer's rows; the same store gives the same bytes.
#include <catch2/catch.hpp>

#include <signal.h>
#include <sys/resource.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <set>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "crmkit/contact_point.hpp"
#include "crmkit/csv.hpp"
#include "crmkit/customer.hpp"
#include "crmkit/subject_export.hpp"
#include "expect_error.hpp"
#include "populated_store.hpp"
#include "store/connection.hpp"
#include "temp_dir.hpp"
#include "test_store.hpp"

using namespace crmkit;
using populated::kSweepStart;
using populated::populate;

TEST_CASE("the subject export holds every row that references the customer, in every area", "[privacy][export]") {
  Store s = test_store();
  populate(s);
  ContactPoints(s).add(1, {ContactType::phone, "+44 20 7946 0958", std::string("work"), false, std::nullopt},
                       kSweepStart);
  const std::string text = export_subject(s, 1);
  CHECK(export_subject(s, 1) == text);  // deterministic
  const auto j = nlohmann::json::parse(text);
  CHECK(j["format"] == "crmkit-subject-export/1");
  CHECK(j["customer_id"] == 1);
  const auto& t = j["tables"];
  REQUIRE(t["customers"].size() == 1);
  CHECK(t["customers"][0]["external_id"] == "c1");
  // Each area that holds facts about customer 1 in the populated store.
  for (const char* table : {"interactions", "customer_figures", "customer_tags", "contact_points", "points_ledger",
                            "segment_membership", "audit_entries"}) {
    INFO(table);
    REQUIRE(t.contains(table));
    CHECK(!t[table].empty());
  }
  // Only customer 1's rows.
  for (auto it = t.begin(); it != t.end(); ++it)
    for (const auto& row : it.value())
      if (row.contains("customer_id")) CHECK(row["customer_id"] == 1);
  CHECK(t["contact_points"][0]["label"] == "work");
  // Every base table with a customer_id column is there (the catalog, read independently).
  std::set<std::string> want;
  auto& conn = detail::connection_of(s);
  auto st = conn.statement(conn.backend() == detail::Backend::postgres
                               ? "SELECT table_name FROM information_schema.columns WHERE table_schema = "
                                 "current_schema() AND column_name = 'customer_id'"
                               : "SELECT m.name FROM sqlite_schema m, pragma_table_info(m.name) p WHERE m.type = "
                                 "'table' AND p.name = 'customer_id'");
  while (st->executeStep()) want.insert(st->getColumn(0).getString());
  for (const auto& name : want) {
    if (name == "customer_scores") continue;  // a view over customer_score_values (0012)
    INFO(name);
    CHECK(t.contains(name));
  }
  expect_error([&] { export_subject(s, 999); }, Errc::not_found, "customer 999");
  expect_error([&] { export_subject(s, 0); }, Errc::not_found, "customer 0");
}

namespace {

namespace fs = std::filesystem;

// A JSON document's value as the bundle writes its text (the reader cannot tell NULL from "",
// which the raw bytes test below tells apart).
std::string field_text(const nlohmann::json& v) {
  if (v.is_null()) return "";
  if (v.is_string()) return v.get<std::string>();
  if (v.is_object()) return v.at("hex").get<std::string>();
  return v.dump();
}

std::vector<std::vector<std::string>> read_csv(const fs::path& file) {
  std::ifstream in(file, std::ios::binary);
  io::CsvReader reader(in);
  std::vector<std::vector<std::string>> records;
  for (auto st = reader.next(); st != io::CsvReader::Status::end; st = reader.next()) {
    REQUIRE(st == io::CsvReader::Status::record);
    std::vector<std::string> r;
    for (auto f : reader.fields()) r.emplace_back(f);
    records.push_back(std::move(r));
  }
  return records;
}

std::vector<std::string> entries(const fs::path& dir) {
  std::vector<std::string> out;
  for (const auto& e : fs::directory_iterator(dir)) out.push_back(e.path().filename().string());
  std::sort(out.begin(), out.end());
  return out;
}

std::string slurp(const fs::path& file) {
  std::ifstream in(file, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

}  // namespace

TEST_CASE("the subject export's CSV bundle holds every table of the JSON document with the same rows",
          "[privacy][export][subject_export]") {
  Store s = test_store();
  populate(s);
  ContactPoints(s).add(1, {ContactType::phone, "+44 20 7946 0958", std::string("work"), false, std::nullopt},
                       kSweepStart);
  CustomerFields change;
  change.city = "Oslo, \"Old\" town\r\nnorth";  // a separator, quotes and a line break
  change.region = "";                           // empty text, not NULL
  Customers(s).update(1, change, kSweepStart + 1);
  const auto doc = nlohmann::json::parse(export_subject(s, 1));
  TempDir tmp;
  const fs::path bundle = tmp.path / "sar";
  const SubjectExportManifest manifest = export_subject_csv(s, 1, bundle.string());

  CHECK(manifest.customer_id == 1);
  const auto& tables = doc["tables"];
  REQUIRE(manifest.files.size() == tables.size());
  std::vector<std::string> want_files{"manifest.json"};
  for (const auto& f : manifest.files) want_files.push_back(f.file);
  std::sort(want_files.begin(), want_files.end());
  CHECK(entries(bundle) == want_files);  // nothing else in it
  CHECK(nlohmann::json::parse(slurp(bundle / "manifest.json")) == nlohmann::json::parse(to_json(manifest)));
  CHECK(nlohmann::json::parse(to_json(manifest))["format"] == "crmkit-subject-export-csv/1");
  for (const auto& f : manifest.files) {
    INFO(f.table);
    REQUIRE(tables.contains(f.table));
    CHECK(f.file == f.table + ".csv");
    const auto& rows = tables[f.table];
    const auto records = read_csv(bundle / f.file);
    REQUIRE(!records.empty());  // the header, even for a table without rows
    const auto& header = records[0];
    CHECK(f.rows == static_cast<std::int64_t>(rows.size()));
    REQUIRE(records.size() == rows.size() + 1);
    for (std::size_t r = 0; r < rows.size(); ++r) {
      REQUIRE(rows[r].size() == header.size());
      for (std::size_t c = 0; c < header.size(); ++c) CHECK(records[r + 1][c] == field_text(rows[r].at(header[c])));
    }
  }
  // The customer row round-trips its odd value; NULL stays an empty field and "" a quoted one.
  const auto customers = read_csv(bundle / "customers.csv");
  const auto col = [&](const std::string& name) {
    return std::find(customers[0].begin(), customers[0].end(), name) - customers[0].begin();
  };
  CHECK(customers[1][col("city")] == "Oslo, \"Old\" town\r\nnorth");
  const std::string raw = slurp(bundle / "customers.csv");
  CHECK(raw.find("\"Oslo, \"\"Old\"\" town\r\nnorth\"") != std::string::npos);
  CHECK(raw.find(",\"\",") != std::string::npos);  // the empty region
  CHECK(doc["tables"]["customers"][0]["region"] == "");
  CHECK(doc["tables"]["customers"][0]["email"].is_null());
  // The same store gives the same bytes.
  const fs::path again = tmp.path / "again";
  export_subject_csv(s, 1, again.string());
  for (const auto& f : want_files) CHECK(slurp(bundle / f) == slurp(again / f));
}

TEST_CASE("the subject export's CSV bundle refuses a taken directory and leaves nothing behind on failure",
          "[privacy][export][subject_export]") {
  Store s = test_store();
  populate(s);
  TempDir tmp;
  const fs::path taken = tmp.path / "taken";
  fs::create_directory(taken);
  std::ofstream(taken / "keep.txt") << "mine";
  expect_error([&] { export_subject_csv(s, 1, taken.string()); }, Errc::conflict, "is not empty");
  CHECK(entries(taken) == std::vector<std::string>{"keep.txt"});
  CHECK(slurp(taken / "keep.txt") == "mine");
  std::ofstream(tmp.path / "a-file") << "x";
  expect_error([&] { export_subject_csv(s, 1, (tmp.path / "a-file").string()); }, Errc::conflict,
               "is not a directory");
  expect_error([&] { export_subject_csv(s, 999, (tmp.path / "new").string()); }, Errc::not_found, "customer 999");
  expect_error([&] { export_subject_csv(s, 1, (tmp.path / "no" / "such").string()); }, Errc::io, "does not exist");
  expect_error([&] { export_subject_csv(s, 1, ""); }, Errc::invalid_argument, "empty");
  // Nothing made beside them: no bundle, no partial directory.
  CHECK(entries(tmp.path) == std::vector<std::string>{"a-file", "taken"});
  // An empty directory is free; a trailing slash names it.
  const fs::path empty = tmp.path / "empty";
  fs::create_directory(empty);
  const auto manifest = export_subject_csv(s, 1, empty.string() + "/");
  CHECK(fs::exists(empty / "manifest.json"));
  CHECK(fs::exists(empty / "customers.csv"));
  CHECK(entries(tmp.path) == std::vector<std::string>{"a-file", "empty", "taken"});
  CHECK(!manifest.files.empty());
}

TEST_CASE("a subject export whose write fails leaves no partial bundle behind", "[privacy][export][subject_export]") {
  Store s = test_store();
  populate(s);
  TempDir tmp;
  const fs::path target = tmp.path / "sar";
  // Files may grow to 64 bytes only: the first CSV of the bundle fails part-way (EFBIG, with
  // SIGXFSZ ignored), after the partial directory and some files exist.
  struct rlimit was {};
  REQUIRE(getrlimit(RLIMIT_FSIZE, &was) == 0);
  const auto old_handler = signal(SIGXFSZ, SIG_IGN);
  struct rlimit small = was;
  small.rlim_cur = 64;
  REQUIRE(setrlimit(RLIMIT_FSIZE, &small) == 0);
  std::string what;
  try {
    export_subject_csv(s, 1, target.string());
  } catch (const Error& e) {
    what = std::string(errc_name(e.code())) + ": " + e.what();
  }
  setrlimit(RLIMIT_FSIZE, &was);
  signal(SIGXFSZ, old_handler);
  INFO(what);
  CHECK(what.rfind("io: ", 0) == 0);
  CHECK(what.find("cannot be written") != std::string::npos);
  CHECK(entries(tmp.path).empty());  // neither the target nor the partial directory
  // With room again, the same call writes the whole bundle.
  CHECK(!export_subject_csv(s, 1, target.string()).files.empty());
  CHECK(fs::exists(target / "manifest.json"));
}
