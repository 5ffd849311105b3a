#include "base/checks.hpp"
#include "crmkit/limits.hpp"

#include <algorithm>
#include <vector>

#include <fmt/format.h>

#include <nlohmann/json.hpp>

#include "base/text.hpp"
#include "crmkit/error.hpp"

namespace crmkit::detail {

void check_instant(std::string_view field, Instant t) {
  if (t < kMinInstant || t > kMaxInstant)
    throw Error(Errc::invalid_argument,
                fmt::format("{} {} is outside the supported range {}..{} (years 0001 to 9999)", field, t,
                            kMinInstant, kMaxInstant));
}

namespace {

// Nesting depth of JSON text, counted before parsing so that the parser's recursion is bounded.
int nesting_depth(std::string_view s) {
  int depth = 0, deepest = 0;
  bool in_string = false;
  for (std::size_t i = 0; i < s.size(); ++i) {
    char c = s[i];
    if (in_string) {
      if (c == '\\') ++i;
      else if (c == '"') in_string = false;
    } else if (c == '"') {
      in_string = true;
    } else if (c == '{' || c == '[') {
      if (++depth > deepest) deepest = depth;
    } else if (c == '}' || c == ']') {
      --depth;
    }
  }
  return deepest;
}

}  // namespace

// The exponent saturates far beyond any double's, where nothing can compare equal anyway.
std::string decimal_value(std::string_view lexeme) {
  bool negative = false;
  std::size_t i = 0;
  if (i < lexeme.size() && lexeme[i] == '-') negative = true, ++i;
  std::string digits;
  long long exponent = 0;
  bool fraction = false;
  for (; i < lexeme.size() && lexeme[i] != 'e' && lexeme[i] != 'E'; ++i) {
    if (lexeme[i] == '.') {
      fraction = true;
      continue;
    }
    digits += lexeme[i];
    if (fraction) --exponent;
  }
  if (i < lexeme.size()) {
    ++i;
    bool down = false;
    if (i < lexeme.size() && (lexeme[i] == '-' || lexeme[i] == '+')) down = lexeme[i++] == '-';
    long long e = 0;
    for (; i < lexeme.size(); ++i) e = std::min(e * 10 + (lexeme[i] - '0'), 1'000'000'000LL);
    exponent += down ? -e : e;
  }
  std::size_t first = digits.find_first_not_of('0');
  if (first == std::string::npos) return "0";
  digits.erase(0, first);
  while (digits.back() == '0') digits.pop_back(), ++exponent;
  return (negative ? "-" : "") + digits + "e" + std::to_string(exponent);
}

namespace {

// SAX pass over valid JSON that finds the first number the parser would not keep exactly:
// integers beyond the 64-bit ranges and decimals that a double cannot give back digit for digit
// both arrive as doubles with their text, and are compared by exact decimal value.
struct InexactNumber {
  using json = nlohmann::json;
  struct Level {
    bool array;
    std::size_t items;
    std::string key;
  };
  std::string root;
  std::vector<Level> levels;
  std::string found;  // "path: message" of the first inexact number

  std::string path() const {
    std::string p = root;
    for (const auto& l : levels)
      p += l.array ? fmt::format("[{}]", l.items - 1) : "." + printable(l.key);
    return p;
  }
  void value() {
    if (!levels.empty() && levels.back().array) ++levels.back().items;
  }
  bool null() { return value(), true; }
  bool boolean(bool) { return value(), true; }
  bool number_integer(json::number_integer_t) { return value(), true; }
  bool number_unsigned(json::number_unsigned_t) { return value(), true; }
  bool number_float(json::number_float_t v, const std::string& lexeme) {
    value();
    const std::string kept = json(v).dump();
    if (found.empty() && decimal_value(kept) != decimal_value(lexeme))
      found = fmt::format("{} is the number {}, which cannot be stored exactly (it would become {}); "
                          "store it as a string",
                          path(), printable(lexeme), kept);
    return true;
  }
  bool string(std::string&) { return value(), true; }
  bool binary(json::binary_t&) { return value(), true; }
  bool start_object(std::size_t) { return value(), levels.push_back({false, 0, {}}), true; }
  bool key(std::string& k) { return levels.back().key = k, true; }
  bool end_object() { return levels.pop_back(), true; }
  bool start_array(std::size_t) { return value(), levels.push_back({true, 0, {}}), true; }
  bool end_array() { return levels.pop_back(), true; }
  bool parse_error(std::size_t, const std::string&, const nlohmann::detail::exception&) { return false; }
};

}  // namespace

std::string canonical_json_object(std::string_view field, std::string_view text) {
  check_text(field, text, kMaxJsonText);
  int depth = nesting_depth(text);
  if (depth > kMaxJsonDepth)
    throw Error(Errc::invalid_argument,
                fmt::format("{} nests {} levels deep; the limit is {}", field, depth, kMaxJsonDepth));
  nlohmann::json j;
  try {
    j = nlohmann::json::parse(text.begin(), text.end());
  } catch (const nlohmann::json::exception& e) {
    throw Error(Errc::invalid_argument, fmt::format("{} is not valid JSON: {}", field, e.what()));
  }
  if (!j.is_object())
    throw Error(Errc::invalid_argument, fmt::format("{} must be a JSON object, not {}", field, j.type_name()));
  check_exact_numbers(field, text);
  std::string out = j.dump();
  if (out.size() > kMaxJsonText)
    throw Error(Errc::invalid_argument,
                fmt::format("{} is {} bytes long; the limit is {}", field, out.size(), kMaxJsonText));
  return out;
}

void check_exact_numbers(std::string_view field, std::string_view text) {
  InexactNumber check{std::string(field), {}, {}};
  nlohmann::json::sax_parse(text.begin(), text.end(), &check);
  if (!check.found.empty()) throw Error(Errc::invalid_argument, check.found);
}

std::size_t code_points(std::string_view s) noexcept {
  std::size_t n = 0;
  for (unsigned char c : s)
    if ((c & 0xC0) != 0x80) ++n;
  return n;
}

}  // namespace crmkit::detail

namespace crmkit {
void check_instant(std::string_view field, Instant t) { detail::check_instant(field, t); }
}  // namespace crmkit
