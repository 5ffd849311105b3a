// A streaming RFC 4180 CSV reader: quoted fields, doubled quotes, CRLF or LF line ends, line
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

class CsvReader {
 public:
  enum class Status { record, end, error };

  // Reads from `in` (not owned; must outlive the reader). `separator` is ',' for RFC 4180.
  explicit CsvReader(std::istream& in, char separator = ',');

  // Reads the next record. `error`: the record is malformed (a quote inside an unquoted field,
  // text after a closing quote, a quote left open at the end of input); error_message() says
  // why and the reader has skipped to the end of that record, so reading can go on. Blank lines
  // are skipped. A UTF-8 byte-order mark at the start is ignored.
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

 private:
  int get();        // next byte or -1 at end of input
  int peek();
  std::string& begin_field();
  void skip_rest_of_line();

  std::istream& in_;
  char sep_;
  std::vector<char> buf_;
  std::size_t pos_ = 0, len_ = 0;
  std::uint64_t consumed_ = 0;  // bytes of the buffers before the current one
  bool eof_ = false;
  bool started_ = false;
  std::vector<std::string> fields_;  // reused: strings keep their capacity
  std::size_t count_ = 0;
  std::size_t line_ = 1;             // current physical line
  std::size_t record_line_ = 0;
  std::string error_;
};

}  // namespace crmkit::io
