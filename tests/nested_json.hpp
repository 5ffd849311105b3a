// Deeply nested JSON for the hostile-input and size-limit tests, which feed it to the parsers
// to check their depth limits.
#pragma once

#include <string>

// `core` wrapped in `levels` objects, each opened by `opening` (such as {"a": or {"not":).
inline std::string nest_json(const std::string& opening, const std::string& core, int levels) {
  std::string s;
  for (int k = 0; k < levels; ++k) s += opening;
  s += core;
  for (int k = 0; k < levels; ++k) s += "}";
  return s;
}

// An object `depth` levels deep: {"a":{"a":...{}}} (depth 1 is {}).
inline std::string json_of_depth(int depth) { return nest_json("{\"a\":", "{}", depth - 1); }
