// Shared by the loyalty commands (cli/metrics.cpp, cli/surveys.cpp).
#pragma once

#include <CLI/CLI.hpp>
#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <optional>
#include <string>

#include "commands.hpp"
#include "crmkit/time.hpp"

namespace crmkit::cli::loyalty {

// Period bounds from the command line: a date D as --from is D 00:00 UTC (the period includes
// day D); as --to it is the end of day D (D+1 00:00), so --from 2026-01-01 --to 2026-03-31
// covers the first quarter. A full date-time is taken as given.
inline bool is_date(const std::string& text) { return text.size() == 10 && text[4] == '-' && text[7] == '-'; }
// An instant; a plain date is D 00:00 UTC. (Dates go through parse_date because parse_instant
// of the foundation takes "2026-02-01" for epoch milliseconds and refuses it.)
inline Instant instant_arg(const std::string& text, const char* what) {
  return is_date(text) ? start_of_day(parse_date(text, what)) : parse_instant(text, what);
}
inline std::optional<Instant> from_arg(const std::string& text) {
  if (text.empty()) return std::nullopt;
  return instant_arg(text, "--from");
}
inline std::optional<Instant> to_arg(const std::string& text) {
  if (text.empty()) return std::nullopt;
  if (is_date(text)) return end_of_day(parse_date(text, "--to"));
  return parse_instant(text, "--to");
}

// A JSON number or null as text: "null" values print as "-".
inline std::string num(const nlohmann::json& v, const char* spec = "{:.2f}") {
  if (v.is_null()) return "-";
  return fmt::format(fmt::runtime(spec), v.get<double>());
}

}  // namespace crmkit::cli::loyalty
