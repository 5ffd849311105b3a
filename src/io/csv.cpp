#include "crmkit/csv.hpp"

namespace crmkit::io {

std::string csv_field(std::string_view text) {
  if (text.find_first_of(",\"\r\n") == std::string_view::npos) return std::string(text);
  std::string out = "\"";
  for (char ch : text) {
    if (ch == '"') out += '"';
    out += ch;
  }
  return out + "\"";
}

CsvReader::CsvReader(std::istream& in, char separator, CsvLimits limits)
    : in_(in), sep_(separator), limits_(limits), buf_(1 << 16) {}

std::size_t CsvReader::held_bytes() const noexcept {
  std::size_t n = buf_.capacity() + fields_.capacity() * sizeof(std::string);
  for (const auto& f : fields_) n += f.capacity();
  return n;
}

int CsvReader::get() {
  if (pos_ == len_) {
    if (eof_) return -1;
    in_.read(buf_.data(), static_cast<std::streamsize>(buf_.size()));
    const auto n = static_cast<std::size_t>(in_.gcount());
    if (n == 0) {
      // The buffer keeps its bytes at the end of the input, so the byte-order-mark check can
      // still put back what it read (an input of just "\xEF\xBB").
      eof_ = true;
      return -1;
    }
    consumed_ += len_;
    len_ = n;
    pos_ = 0;
  }
  return static_cast<unsigned char>(buf_[pos_++]);
}

int CsvReader::peek() {
  int c = get();
  if (c >= 0) --pos_;  // get() just made buf_[pos_-1] current; step back
  return c;
}

std::string* CsvReader::begin_field() {
  if (count_ == limits_.max_fields) return nullptr;
  if (count_ == fields_.size()) fields_.emplace_back();
  std::string& f = fields_[count_++];
  f.clear();
  return &f;
}

void CsvReader::skip_rest_of_line() {
  for (int c = get(); c >= 0; c = get()) {
    if (c == '\n') {
      ++line_;
      return;
    }
    if (c == '\r') {
      if (peek() == '\n') get();
      ++line_;
      return;
    }
  }
}

void CsvReader::release_spare_buffers() {
  static const std::size_t inline_capacity = std::string().capacity();
  std::size_t held = 0;
  for (const auto& f : fields_) held += f.capacity() > inline_capacity ? f.capacity() : 0;
  if (held <= 2 * limits_.max_record_bytes) return;
  // Long fields of past records would otherwise keep their capacity in every position.
  for (auto& f : fields_) std::string().swap(f);
}

CsvReader::Status CsvReader::refuse_rest_of_line(std::string message) {
  skip_rest_of_line();
  error_ = std::move(message);
  count_ = 0;
  return Status::error;
}

std::vector<std::string_view> CsvReader::fields() const {
  std::vector<std::string_view> out;
  out.reserve(count_);
  for (std::size_t i = 0; i < count_; ++i) out.emplace_back(fields_[i]);
  return out;
}

CsvReader::Status CsvReader::next() {
  count_ = 0;
  record_bytes_ = 0;
  error_.clear();
  release_spare_buffers();
  if (!started_) {
    started_ = true;
    // A UTF-8 byte-order mark (spreadsheet exports) is not part of the first field.
    if (peek() == 0xEF) {
      get();
      if (peek() == 0xBB) {
        get();
        if (peek() == 0xBF) get();
        else pos_ -= 2;  // not a BOM: put both bytes back (same buffer, first read)
      } else {
        --pos_;
      }
    }
  }
  // Skip blank lines.
  int c = peek();
  while (c == '\n' || c == '\r') {
    get();
    if (c == '\r' && peek() == '\n') get();
    ++line_;
    c = peek();
  }
  if (c < 0) return Status::end;
  record_line_ = line_;

  // An over-long field or record: refused, and reading resumes after the next line break
  // (`at_break`: the byte that passed the limit was that line break, already counted).
  auto too_long = [this](bool at_break) {
    const bool field = fields_[count_ - 1].size() == limits_.max_field_bytes;
    if (!at_break) skip_rest_of_line();
    error_ = field ? "field " + std::to_string(count_) + " is longer than the limit of " +
                         std::to_string(limits_.max_field_bytes) + " bytes (a quote left open?)"
                   : "the record's fields hold more than the limit of " +
                         std::to_string(limits_.max_record_bytes) + " bytes";
    error_ += "; reading resumes on line " + std::to_string(line_);
    count_ = 0;
    return Status::error;
  };
  // Whether one more byte would pass a limit; counts the byte otherwise.
  auto full = [this](const std::string& f) {
    if (f.size() == limits_.max_field_bytes || record_bytes_ == limits_.max_record_bytes) return true;
    ++record_bytes_;
    return false;
  };
  for (;;) {  // one field per iteration
    std::string* field = begin_field();
    if (!field)
      return refuse_rest_of_line("the record has more than " + std::to_string(limits_.max_fields) + " fields");
    std::string& f = *field;
    c = get();
    if (c == '"') {
      for (;;) {  // quoted field
        c = get();
        if (c < 0) {
          error_ = "a quoted field is not closed before the end of the input";
          count_ = 0;
          return Status::error;
        }
        if (c == '"') {
          if (peek() == '"') {
            get();
            if (full(f)) return too_long(false);
            f.push_back('"');
            continue;
          }
          break;
        }
        if (c == '\n') ++line_;
        else if (c == '\r' && peek() != '\n') ++line_;
        if (full(f)) return too_long(c == '\n' || (c == '\r' && peek() != '\n'));
        f.push_back(static_cast<char>(c));
      }
      c = get();
      if (c != sep_ && c != '\n' && c != '\r' && c >= 0)
        return refuse_rest_of_line("unexpected text after a closing quote (field " + std::to_string(count_) + ")");
    } else {
      while (c >= 0 && c != sep_ && c != '\n' && c != '\r') {
        if (c == '"')
          return refuse_rest_of_line("a quote inside an unquoted field (field " + std::to_string(count_) +
                                     "); quote the whole field and double the quote");
        if (full(f)) return too_long(false);
        f.push_back(static_cast<char>(c));
        c = get();
      }
    }
    if (c == sep_) continue;
    if (c == '\r' && peek() == '\n') get();
    if (c == '\n' || c == '\r') ++line_;
    return Status::record;  // end of line or end of input
  }
}

}  // namespace crmkit::io
