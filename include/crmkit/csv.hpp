// crmkit/csv.hpp: RFC 4180 fields out (csv_field), and a streaming CSV reader: quoted fields, doubled quotes, CRLF or LF line ends, line
// breaks inside quoted fields. Importers (the crmkit command, any area loading files) read one
// record at a time with bounded memory; field buffers are reused between records.
#pragma once

#include <cstddef>
#include <cstdint>
#include <istream>
#include <string>
#include <string_view>
#include <vector>

namespace crmkit::io {

// What one record may hold. Memory is bounded by them whatever the input: a quote left open
// cannot make a field swallow the rest of a file.
struct CsvLimits {
  std::size_t max_field_bytes = 1 << 20;   // 1 MiB: above every value the library accepts
  std::size_t max_record_bytes = 4 << 20;  // all the fields of one record together
  std::size_t max_fields = 1024;
};

// `text` as one RFC 4180 field: as it is when it holds no separator, quote or line break,
// otherwise in quotes with each quote doubled. Every CSV the library writes goes through it.
std::string csv_field(std::string_view text);

class CsvReader {
 public:
  enum class Status { record, end, error };

  // Reads from `in` (not owned; must outlive the reader). `separator` is ',' for RFC 4180.
  explicit CsvReader(std::istream& in, char separator = ',', CsvLimits limits = {});

  // Reads the next record. `error`: the record is malformed (a quote inside an unquoted field,
  // text after a closing quote, a quote left open at the end of input, a field longer than
  // max_field_bytes, a record whose fields hold more than max_record_bytes,
  // more than max_fields fields); error_message() says why and reading can go
  // on. Resynchronisation: after a malformed record the reader skips to the next line break
  // (LF, CR or CRLF) that follows the byte at which the fault was found, whatever quotes lie
  // in between, and the next record starts on the line after it. For an over-long field that
  // byte is the first one past the limit, so a quote left open loses at most max_field_bytes
  // of the following text, not the rest of the file; the message names the line where reading
  // resumes. Blank lines are skipped. A UTF-8 byte-order mark at the start is ignored.
  Status next();

  std::size_t size() const noexcept { return count_; }
  std::string_view field(std::size_t i) const noexcept { return fields_[i]; }
  // The fields of the last record, as views valid until the next call.
  std::vector<std::string_view> fields() const;

  // Physical line (1-based) on which the last record (or error) started.
  std::size_t line() const noexcept { return record_line_; }
  const std::string& error_message() const noexcept { return error_; }
  // Bytes consumed so far (for progress against a file size).
  std::uint64_t offset() const noexcept { return consumed_ + pos_; }
  // False when the stream failed for a reason other than reaching its end.
  bool stream_ok() const noexcept { return !in_.bad(); }
  // Bytes the reader holds (input buffer and field buffers): bounded by the limits (field
  // buffers kept from earlier records are released once they hold more than two records' worth).
  std::size_t held_bytes() const noexcept;

 private:
  int get();        // next byte or -1 at end of input
  int peek();
  std::string* begin_field();  // nullptr when the record already has max_fields fields
  void skip_rest_of_line();
  void release_spare_buffers();
  Status refuse_rest_of_line(std::string message);

  std::istream& in_;
  char sep_;
  CsvLimits limits_;
  std::vector<char> buf_;
  std::size_t pos_ = 0, len_ = 0;
  std::uint64_t consumed_ = 0;  // bytes of the buffers before the current one
  bool eof_ = false;
  bool started_ = false;
  std::vector<std::string> fields_;  // reused: strings keep their capacity
  std::size_t count_ = 0;
  std::size_t record_bytes_ = 0;     // bytes in the fields of the current record
  std::size_t line_ = 1;             // current physical line
  std::size_t record_line_ = 0;
  std::string error_;
};

}  // namespace crmkit::io
