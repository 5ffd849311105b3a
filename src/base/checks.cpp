#include "base/checks.hpp"

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
  std::string out = j.dump();
  if (out.size() > kMaxJsonText)
    throw Error(Errc::invalid_argument,
                fmt::format("{} is {} bytes long; the limit is {}", field, out.size(), kMaxJsonText));
  return out;
}

std::size_t code_points(std::string_view s) noexcept {
  std::size_t n = 0;
  for (unsigned char c : s)
    if ((c & 0xC0) != 0x80) ++n;
  return n;
}

}  // namespace crmkit::detail
