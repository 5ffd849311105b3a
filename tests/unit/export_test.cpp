// Export: CSV header + one line per customer, JSON that parses with one object per customer,
// instants as ISO text, and rows written as they are read (no whole-result buffer).
#include <catch2/catch.hpp>

#include <sstream>
#include <streambuf>

#include <nlohmann/json.hpp>

#include "test_store.hpp"
#include "crmkit/customer.hpp"
#include "crmkit/error.hpp"
#include "crmkit/export.hpp"
#include "crmkit/interaction.hpp"
#include "crmkit/value.hpp"

using namespace crmkit;

namespace {

// Counts the writes that reach it and the bytes written before the last one: a result built
// whole and written once would arrive in a single write.
class CountingBuffer : public std::streambuf {
 public:
  std::size_t writes = 0;
  std::string text;

 protected:
  std::streamsize xsputn(const char* s, std::streamsize n) override {
    ++writes;
    text.append(s, static_cast<std::size_t>(n));
    return n;
  }
  int_type overflow(int_type ch) override {
    if (ch != traits_type::eof()) {
      ++writes;
      text.push_back(static_cast<char>(ch));
    }
    return ch;
  }
};

Store shop(int customers) {
  Store s = test_store();
  for (int i = 0; i < customers; ++i) {
    CustomerFields f;
    f.external_id = "C" + std::to_string(i);
    f.display_name = i == 0 ? std::optional<std::string>("Smith, \"Jo\"") : std::nullopt;  // CSV quoting
    f.created_at = parse_instant("2024-01-01T00:00:00Z");
    f.tags = {"vip"};
    auto id = Customers(s).create(f);
    Interaction p;
    p.customer_id = id;
    p.occurred_at = parse_instant("2024-01-01T00:00:00Z") + (i + 1) * 86'400'000LL;
    p.kind = InteractionKind::purchase;
    p.channel = Channel::web;
    p.amount = Money{1000 + i, "USD"};
    Interactions(s).record(p);
  }
  return s;
}

std::size_t lines(const std::string& text) {
  std::size_t n = 0;
  for (char c : text) n += c == '\n';
  return n;
}

}  // namespace

TEST_CASE("export: customers as CSV and JSON, every customer, streamed", "[export]") {
  Store s = shop(25);
  CountingBuffer buf;
  std::ostream out(&buf);
  CHECK(export_rows(s, ExportKind::customers, ExportFormat::csv, out) == 25);
  CHECK(lines(buf.text) == 26);  // header + one line per customer
  CHECK(buf.text.rfind("customer_id,external_id,", 0) == 0);
  CHECK(buf.text.find("\"Smith, \"\"Jo\"\"\"") != std::string::npos);
  CHECK(buf.text.find("2024-01-01T00:00:00.000Z") != std::string::npos);
  CHECK(buf.writes >= 25);  // written row by row

  std::ostringstream js;
  CHECK(export_rows(s, ExportKind::customers, ExportFormat::json, js) == 25);
  auto j = nlohmann::json::parse(js.str());
  REQUIRE(j.size() == 25);
  CHECK(j[0]["external_id"] == "C0");
  CHECK(j[0]["display_name"] == "Smith, \"Jo\"");
  CHECK(j[0]["tags"] == nlohmann::json({"vip"}));
  CHECK(j[0]["created_at"] == "2024-01-01T00:00:00.000Z");
}

TEST_CASE("export: stored RFM and scores with external ids", "[export]") {
  Store s = shop(30);
  std::ostringstream none;
  CHECK(export_rows(s, ExportKind::rfm, ExportFormat::json, none) == 0);
  CHECK(nlohmann::json::parse(none.str()).empty());
  RfmRequest q;
  q.as_of = parse_instant("2024-03-01T00:00:00Z");
  CustomerValue(s).rfm(q);
  std::ostringstream csv;
  CHECK(export_rows(s, ExportKind::rfm, ExportFormat::csv, csv) == 30);
  CHECK(lines(csv.str()) == 31);
  CHECK(csv.str().find(",rf_grid,") != std::string::npos);
  std::ostringstream js;
  export_rows(s, ExportKind::rfm, ExportFormat::json, js);
  auto j = nlohmann::json::parse(js.str());
  CHECK(j[0]["external_id"] == "C0");
  CHECK(j[0]["monetary_minor"] == 1000);
  CHECK(j[0]["rfm_as_of"] == "2024-03-01T00:00:00.000Z");

  std::ostringstream scores;
  CHECK(export_rows(s, ExportKind::scores, ExportFormat::csv, scores) == 0);
  CHECK(scores.str().rfind("customer_id,external_id,model_id,", 0) == 0);
}

TEST_CASE("export: unknown kinds and formats are refused by name", "[export]") {
  CHECK_THROWS_WITH(parse_export_kind("orders"), Catch::Contains("orders"));
  CHECK_THROWS_WITH(parse_export_format("xml"), Catch::Contains("xml"));
}
