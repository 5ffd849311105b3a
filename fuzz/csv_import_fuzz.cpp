// Fuzzes what an import reads: the CSV reader (src/io/csv.hpp, when present) and the field
// parsers applied to every field (amounts, dates, instants, e-mail addresses, phone numbers).
// Parsers either throw Error(invalid_argument) or return a value that formats and parses back
// to itself; normalisers are idempotent.
#include <cstdlib>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include "crmkit/customer.hpp"
#include "crmkit/error.hpp"
#include "crmkit/money.hpp"
#include "crmkit/time.hpp"
#if __has_include("crmkit/csv.hpp")
#include "crmkit/csv.hpp"
#define CRMKIT_HAVE_CSV 1
#endif
#if __has_include("crmkit/date_format.hpp")
#include "crmkit/date_format.hpp"
#define CRMKIT_HAVE_DATE_FORMAT 1
#endif

using namespace crmkit;

namespace {

void require(bool ok) {
  if (!ok) std::abort();
}

// read() either refuses the field (Error invalid_argument) or returns a value, which check()
// then gets outside the try: a round trip that throws is a bug, not a refusal of the input.
template <class Read, class Check>
void refused_or(Read&& read, Check&& check) {
  std::optional<decltype(read())> value;
  try {
    value = read();
  } catch (const Error& e) {
    require(e.code() == Errc::invalid_argument);
    return;
  }
  check(*value);
}

void parse_field(std::string_view field) {
  for (const char* currency : {"USD", "JPY", "BHD"}) {
    refused_or([&] { return parse_amount(field, currency); },
               [&](std::int64_t minor) { require(parse_amount(format_amount(minor, currency), currency) == minor); });
  }
  refused_or([&] { return parse_date(field); },
             [&](Day d) { require(parse_date(format_date(d)) == d); });
  refused_or([&] { return parse_instant(field); },
             [&](Instant t) { require(parse_instant(format_instant(t)) == t); });
  const std::string text(field);
  refused_or([&] { return normalize_email(text); },
             [&](const std::string& e) { require(normalize_email(e) == e); });
  // A number read with any default region is E.164, which every region (or none) reads back
  // unchanged: one key per number whatever the store's region.
  for (const char* region : {"GB", "IT", "US", ""}) {
    refused_or([&] { return normalize_phone(text, region); },
               [&](const std::string& p) {
                 require(p.size() > 1 && p[0] == '+');
                 require(normalize_phone(p, region) == p);
                 require(normalize_phone(p, "") == p);
               });
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
#ifdef CRMKIT_HAVE_DATE_FORMAT
  // --date-format: the first line is the pattern, the others are cells. A pattern or a cell is
  // refused with invalid_argument, or the cell gives an instant parse_instant can read back.
  {
    const std::size_t eol = text.find('\n');
    refused_or([&] { return io::DateFormat(text.substr(0, eol)); },
               [&](const io::DateFormat& format) {
                 std::size_t start = eol == std::string::npos ? text.size() : eol + 1;
                 while (start < text.size()) {
                   std::size_t end = text.find('\n', start);
                   if (end == std::string::npos) end = text.size();
                   const std::string cell = text.substr(start, end - start);
                   refused_or([&] { return format.parse(cell, "occurred_at"); },
                              [&](Instant t) { require(parse_instant(format_instant(t)) == t); });
                   start = end + 1;
                 }
               });
  }
#endif
#ifdef CRMKIT_HAVE_CSV
  // Small limits, so that the fuzzer reaches them: fields and records stay within them, the
  // reader's memory stays bounded, records start on strictly increasing lines, and after an
  // over-long field the next record starts no earlier than the line the message announces.
  {
    std::istringstream small_in(text);
    io::CsvLimits limits;
    limits.max_field_bytes = 16;
    limits.max_record_bytes = 40;
    limits.max_fields = 4;
    io::CsvReader small(small_in, ',', limits);
    std::size_t previous_line = 0, resume_line = 0;
    for (int records = 0; records < 10'000; ++records) {
      auto status = small.next();
      require(small.held_bytes() <= (1u << 16) + 4 * 64 + 4096);
      if (status == io::CsvReader::Status::end) break;
      require(small.line() > previous_line && small.line() >= resume_line);
      previous_line = small.line();
      if (status == io::CsvReader::Status::error) {
        const std::string& m = small.error_message();
        const std::string mark = "reading resumes on line ";
        auto at = m.find(mark);
        if (at != std::string::npos) resume_line = std::stoull(m.substr(at + mark.size()));
        continue;
      }
      require(small.size() <= limits.max_fields);
      std::size_t bytes = 0;
      for (auto f : small.fields()) {
        require(f.size() <= limits.max_field_bytes);
        bytes += f.size();
      }
      require(bytes <= limits.max_record_bytes);
    }
  }
  std::istringstream in(text);
  io::CsvReader reader(in);
  for (int records = 0; records < 10'000; ++records) {
    auto status = reader.next();
    if (status == io::CsvReader::Status::end) break;
    if (status == io::CsvReader::Status::error) {
      require(!reader.error_message().empty());
      continue;
    }
    auto fields = reader.fields();
    require(fields.size() == reader.size());
    for (auto f : fields) parse_field(f);
    // The writer's fields read back as they were (io::csv_field, used by every CSV written).
    // A lone empty field would be a blank line, and a leading byte-order mark is dropped on
    // reading: neither is written by the library's exports.
    if ((fields.size() == 1 && fields[0].empty()) || (!fields.empty() && fields[0].rfind("\xEF\xBB\xBF", 0) == 0))
      continue;
    std::string line;
    for (std::size_t i = 0; i < fields.size(); ++i) line += (i ? "," : "") + io::csv_field(fields[i]);
    std::istringstream back_in(line + "\r\n");
    io::CsvReader back(back_in);
    require(back.next() == io::CsvReader::Status::record && back.size() == fields.size());
    for (std::size_t i = 0; i < fields.size(); ++i) require(back.field(i) == fields[i]);
    require(back.next() == io::CsvReader::Status::end);
  }
#else
  std::size_t start = 0;
  for (std::size_t k = 0; k <= text.size(); ++k) {
    if (k == text.size() || text[k] == ',' || text[k] == '\n') {
      parse_field(std::string_view(text).substr(start, k - start));
      start = k + 1;
    }
  }
#endif
  return 0;
}
