// The CSV reader against RFC 4180 (section 2, rules 1-7) and the common deviations of real
// exports (LF-only line ends, a byte-order mark, a missing final line break).
#include <catch2/catch.hpp>

#include <sstream>
#include <string>
#include <vector>

#include "io/csv.hpp"

using crmkit::io::CsvReader;
using Rows = std::vector<std::vector<std::string>>;

namespace {
struct Parsed {
  Rows rows;
  std::vector<std::size_t> lines;
  std::vector<std::size_t> error_lines;
};

Parsed parse(const std::string& text) {
  std::istringstream in(text);
  CsvReader r(in);
  Parsed p;
  for (;;) {
    auto s = r.next();
    if (s == CsvReader::Status::end) break;
    if (s == CsvReader::Status::error) {
      p.error_lines.push_back(r.line());
      CHECK_FALSE(r.error_message().empty());
      continue;
    }
    std::vector<std::string> row;
    for (auto f : r.fields()) row.emplace_back(f);
    p.rows.push_back(row);
    p.lines.push_back(r.line());
  }
  return p;
}
}  // namespace

TEST_CASE("csv: records end with CRLF, the last one may not", "[csv]") {
  auto p = parse("aaa,bbb,ccc\r\nzzz,yyy,xxx");
  REQUIRE(p.rows == Rows{{"aaa", "bbb", "ccc"}, {"zzz", "yyy", "xxx"}});
  CHECK(p.lines == std::vector<std::size_t>{1, 2});
  CHECK(parse("a,b\r\nc,d\r\n").rows == Rows{{"a", "b"}, {"c", "d"}});
  CHECK(parse("a,b\nc,d\n").rows == Rows{{"a", "b"}, {"c", "d"}});
}

TEST_CASE("csv: quoted fields with separators, line breaks and doubled quotes", "[csv]") {
  auto p = parse("\"aaa\",\"b\r\nbb\",\"ccc\"\r\nzzz,\"y,y\",\"x\"\"x\"\"\"\r\nlast,1,2\r\n");
  REQUIRE(p.rows.size() == 3);
  CHECK(p.rows[0] == std::vector<std::string>{"aaa", "b\r\nbb", "ccc"});
  CHECK(p.rows[1] == std::vector<std::string>{"zzz", "y,y", "x\"x\""});
  // Line numbers are physical lines: the embedded line break moves the next record to line 3.
  CHECK(p.lines == std::vector<std::size_t>{1, 3, 4});
}

TEST_CASE("csv: empty fields, empty quoted fields, spaces kept", "[csv]") {
  auto p = parse(",,\r\n\"\",x,\r\n a , b \r\n");
  REQUIRE(p.rows.size() == 3);
  CHECK(p.rows[0] == std::vector<std::string>{"", "", ""});
  CHECK(p.rows[1] == std::vector<std::string>{"", "x", ""});
  CHECK(p.rows[2] == std::vector<std::string>{" a ", " b "});
}

TEST_CASE("csv: blank lines are skipped and a byte-order mark is dropped", "[csv]") {
  auto p = parse("\xEF\xBB\xBFid,name\r\n\r\n1,Ann\r\n\n2,Bob\n\n");
  REQUIRE(p.rows == Rows{{"id", "name"}, {"1", "Ann"}, {"2", "Bob"}});
  CHECK(p.lines == std::vector<std::size_t>{1, 3, 5});
  CHECK(parse("").rows.empty());
}

TEST_CASE("csv: an input that starts like a byte-order mark and ends early keeps its bytes", "[csv]") {
  // Found by the csv_import fuzzer: at the end of the input the reader emptied its buffer, and
  // putting back the two bytes read for the mark check ran before the buffer's start.
  CHECK(parse("\xEF").rows == Rows{{"\xEF"}});
  CHECK(parse("\xEF\xBB").rows == Rows{{"\xEF\xBB"}});
  CHECK(parse("\xEF\xBBx").rows == Rows{{"\xEF\xBBx"}});
  CHECK(parse("\xEF\xBB\xBF").rows.empty());
}

TEST_CASE("csv: malformed records are reported by line and reading goes on", "[csv]") {
  auto p = parse("h1,h2\r\nok,1\r\nbad\"quote,2\r\n\"closed\"junk,3\r\nfine,4\r\n\"open,5\r\n");
  CHECK(p.rows == Rows{{"h1", "h2"}, {"ok", "1"}, {"fine", "4"}});
  CHECK(p.error_lines == std::vector<std::size_t>{3, 4, 6});
}

TEST_CASE("csv: UTF-8 passes through and long inputs cross buffer boundaries", "[csv]") {
  std::string text;
  for (int i = 0; i < 20000; ++i) text += std::to_string(i) + ",\"Zoë \"\"Ω\"\"\",\"a\nb\"\r\n";
  auto p = parse(text);
  REQUIRE(p.rows.size() == 20000);
  CHECK(p.rows[12345] == std::vector<std::string>{"12345", "Zoë \"Ω\"", "a\nb"});
  CHECK(p.lines[12345] == 2 * 12345 + 1);
}
