// The CSV reader against RFC 4180 (section 2, rules 1-7) and the common deviations of real
// exports (LF-only line ends, a byte-order mark, a missing final line break).
#include <catch2/catch.hpp>

#include <sstream>
#include <string>
#include <vector>

#include "crmkit/csv.hpp"
#include "crmkit/date_format.hpp"
#include "crmkit/error.hpp"
#include "crmkit/time.hpp"

using crmkit::io::CsvReader;
using Rows = std::vector<std::vector<std::string>>;

namespace {
struct Parsed {
  Rows rows;
  std::vector<std::size_t> lines;
  std::vector<std::size_t> error_lines;
};

// Reads every record of `text`; a record in error is counted by its line and its message kept.
Parsed parse_with(const std::string& text, crmkit::io::CsvLimits limits, std::vector<std::string>* messages) {
  std::istringstream in(text);
  CsvReader r(in, ',', limits);
  Parsed p;
  for (;;) {
    auto s = r.next();
    if (s == CsvReader::Status::end) break;
    if (s == CsvReader::Status::error) {
      p.error_lines.push_back(r.line());
      messages->push_back(r.error_message());
      continue;
    }
    std::vector<std::string> row;
    for (auto f : r.fields()) row.emplace_back(f);
    p.rows.push_back(row);
    p.lines.push_back(r.line());
  }
  return p;
}

// Under the default limits; every error must say what is wrong.
Parsed parse(const std::string& text) {
  std::vector<std::string> messages;
  Parsed p = parse_with(text, {}, &messages);
  for (const auto& m : messages) CHECK_FALSE(m.empty());
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

// ---- limits and resynchronisation (issue #10 item 12) ----------------------------------------

TEST_CASE("csv: a field past the limit is an error at its line and reading resumes after the next line break",
          "[csv]") {
  crmkit::io::CsvLimits limits;
  limits.max_field_bytes = 10;
  std::vector<std::string> msg;
  // The quoted field holds "abcdefgh\ni" (10 bytes) when 'j' passes the limit on line 3: the
  // rest of line 3 belongs to the refused record, line 4 starts the next one.
  auto p = parse_with("h\n\"abcdefgh\nij,kl\nnext\nlast\n", limits, &msg);
  CHECK(p.rows == Rows{{"h"}, {"next"}, {"last"}});
  CHECK(p.lines == std::vector<std::size_t>{1, 4, 5});
  CHECK(p.error_lines == std::vector<std::size_t>{2});
  REQUIRE(msg.size() == 1);
  CHECK(msg[0] == "field 1 is longer than the limit of 10 bytes (a quote left open?); reading resumes on line 4");

  // The byte past the limit is itself a line break: the next record starts right after it.
  msg.clear();
  p = parse_with("\"abcdefghij\nrest\r\nok\n", limits, &msg);
  CHECK(p.rows == Rows{{"rest"}, {"ok"}});
  CHECK(p.lines == std::vector<std::size_t>{2, 3});
  CHECK(msg == std::vector<std::string>{
                   "field 1 is longer than the limit of 10 bytes (a quote left open?); reading resumes on line 2"});

  // Unquoted fields and doubled quotes count too; a field of exactly the limit is fine.
  msg.clear();
  // Line 1: a 10-byte unquoted field, then a quoted one of 11 doubled quotes.
  p = parse_with("0123456789,\"" + std::string(22, '"') + "\"\n01234567890,x\n\"0123456789\"\n", limits, &msg);
  CHECK(p.rows == Rows{{"0123456789"}});
  CHECK(p.error_lines == std::vector<std::size_t>{1, 2});

  // Too many fields: the record is refused, the next line is read.
  limits.max_fields = 3;
  msg.clear();
  p = parse_with("a,b,c\na,b,c,d,e\nz\n", limits, &msg);
  CHECK(p.rows == Rows{{"a", "b", "c"}, {"z"}});
  CHECK(p.error_lines == std::vector<std::size_t>{2});
  CHECK(msg == std::vector<std::string>{"the record has more than 3 fields"});
}

TEST_CASE("csv: the fields of one record together are limited and old field buffers are released", "[csv]") {
  crmkit::io::CsvLimits limits;
  limits.max_field_bytes = 10;
  limits.max_record_bytes = 15;
  std::vector<std::string> msg;
  auto p = parse_with("0123456789,0123456789\nok,01234\n", limits, &msg);
  CHECK(p.rows == Rows{{"ok", "01234"}});
  CHECK(msg == std::vector<std::string>{
                   "the record's fields hold more than the limit of 15 bytes; reading resumes on line 2"});

  // 50 fields per record, one of them long and in a different position each time: without
  // releasing, every position would keep a long field's buffer.
  limits.max_field_bytes = 100;
  limits.max_record_bytes = 150;
  std::string text = std::string(49, ',') + "\n";
  for (int i = 0; i < 300; ++i) {
    for (int k = 0; k < 50; ++k) text += (k ? "," : "") + std::string(k == i % 50 ? 100 : 0, 'x');
    text += "\n";
  }
  std::istringstream in(text);
  CsvReader r(in, ',', limits);
  REQUIRE(r.next() == CsvReader::Status::record);
  const std::size_t baseline = r.held_bytes();  // input buffer, 50 empty fields
  std::size_t most = 0, records = 0;
  while (r.next() == CsvReader::Status::record) {
    ++records;
    most = std::max(most, r.held_bytes());
  }
  CHECK(records == 300);
  CHECK(most - baseline <= 2 * limits.max_record_bytes + 2 * limits.max_field_bytes);
}

TEST_CASE("csv: after an unclosed quote memory stays bounded and later records are read", "[csv]") {
  // 8 MB after a quote that never closes. Before the limit the field grew with the input and
  // every later record was lost in one error at the end.
  std::string text = "id,name\n1,\"open\n";
  const int lines = 400'000;
  for (int i = 0; i < lines; ++i) text += std::to_string(i) + ",name_of_row\n";
  std::istringstream in(text);
  CsvReader r(in);
  const crmkit::io::CsvLimits limits;
  std::size_t most = 0, records = 0, errors = 0, last_line = 0;
  for (;;) {
    auto s = r.next();
    most = std::max(most, r.held_bytes());
    if (s == CsvReader::Status::end) break;
    if (s == CsvReader::Status::error) ++errors;
    else ++records, last_line = r.line();
  }
  CHECK(errors == 1);
  CHECK(last_line == static_cast<std::size_t>(lines + 2));
  // The records after the lost stretch (at most the field limit) are all read.
  CHECK(records > static_cast<std::size_t>(lines) - limits.max_field_bytes / 10);
  // The field buffer (grown by doubling up to the limit) and the 64 KiB input buffer.
  CHECK(most <= 2 * limits.max_field_bytes + (1 << 16) + 4096);
}

// ---- --date-format ------------------------------------------------------------------------

TEST_CASE("date formats read fixed-width directives and literals and refuse what does not fit", "[csv][import]") {
  using crmkit::io::DateFormat;
  CHECK(DateFormat("%d.%m.%Y %H:%M").parse("01.03.2024 10:30", "t") == crmkit::parse_instant("2024-03-01T10:30:00Z"));
  CHECK(DateFormat("%Y%m%d").parse("19970101", "t") == crmkit::parse_instant("1997-01-01T00:00:00Z"));
  CHECK(DateFormat("%m/%d/%Y %H%%").parse("12/31/1999 23%", "t") == crmkit::parse_instant("1999-12-31T23:00:00Z"));
  auto refused = [](const std::string& pattern, const std::string& text, const std::string& needle) {
    INFO(pattern << " / " << text);
    try {
      DateFormat(pattern).parse(text, "occurred_at");
      FAIL("accepted");
    } catch (const crmkit::Error& e) {
      CHECK(e.code() == crmkit::Errc::invalid_argument);
      CHECK(std::string(e.what()).find(needle) != std::string::npos);
    }
  };
  refused("%d/%m/%Y", "1/2/2024", "does not match");     // widths are fixed: no guessing
  refused("%d/%m/%Y", "01/02/2024 ", "does not match");  // trailing text
  refused("%d/%m/%Y", "30/02/2024", "is not a valid date");
  refused("%d/%m/%Y %H", "01/02/2024 24", "is not a valid date");
  refused("%d/%m/%y", "01/02/24", "has '%y'");
  refused("%d/%m/%Y %d", "01/02/2024 01", "has '%d' twice");
  refused("%d/%m", "01/02", "lacks '%Y'");
  refused("%Y-%m-%d %S", "2024-01-01 00", "without the larger units");
  refused("%Y-%m-%d%", "2024-01-01", "lone '%'");
}
