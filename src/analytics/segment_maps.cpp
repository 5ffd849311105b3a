// RFM segment maps as data: the built-ins, JSON form, validation and the compiled lookup.
// Sources of the built-ins: shared METRICS.md section 1.3 (and docs/VALUE.md).
#include <cmath>
#include <set>
#include <sstream>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "analytics/rfm.hpp"
#include "base/text.hpp"
#include "crmkit/error.hpp"

namespace crmkit {

namespace {

ScoreRange rng(double lo, double hi) { return ScoreRange{lo, hi}; }
const ScoreRange kAny{};

SegmentRule rule(const char* name, ScoreRange r, ScoreRange f, ScoreRange m, ScoreRange fm = kAny) {
  return SegmentRule{name, r, f, m, fm};
}

SegmentMap rf_grid() {
  // Map A: the RF 5x5 regex grid; a complete partition of the 25 (R, F) cells.
  SegmentMap m;
  m.name = "rf_grid";
  m.description = "RF 5x5 grid (10 segments on R and F only; Map A)";
  m.rules = {
      rule("Hibernating", rng(1, 2), rng(1, 2), kAny),
      rule("At Risk", rng(1, 2), rng(3, 4), kAny),
      rule("Can't Lose Them", rng(1, 2), rng(5, 5), kAny),
      rule("About To Sleep", rng(3, 3), rng(1, 2), kAny),
      rule("Need Attention", rng(3, 3), rng(3, 3), kAny),
      rule("Loyal Customers", rng(3, 4), rng(4, 5), kAny),
      rule("Promising", rng(4, 4), rng(1, 1), kAny),
      rule("New Customers", rng(5, 5), rng(1, 1), kAny),
      rule("Potential Loyalists", rng(4, 5), rng(2, 3), kAny),
      rule("Champions", rng(5, 5), rng(4, 5), kAny),
  };
  return m;
}

SegmentMap rfm_readme() {
  // R package rfm 0.3.0 README / vignette rule set, first match wins.
  SegmentMap m;
  m.name = "rfm_readme";
  m.description = "R package rfm 0.3.0 README rule set (10 segments, first match)";
  m.rules = {
      rule("Champions", rng(5, 5), rng(5, 5), rng(5, 5)),
      rule("Potential Loyalist", rng(3, 5), rng(3, 5), rng(2, 5)),
      rule("Loyal Customers", rng(2, 4), rng(2, 4), rng(2, 4)),
      rule("Promising", rng(3, 4), rng(1, 3), rng(3, 5)),
      rule("New Customers", rng(4, 5), rng(1, 3), rng(1, 5)),
      rule("Can't Lose Them", rng(1, 2), rng(3, 4), rng(4, 5)),
      rule("At Risk", rng(1, 2), rng(2, 5), rng(4, 5)),
      rule("Need Attention", rng(1, 3), rng(3, 5), rng(3, 5)),
      rule("About To Sleep", rng(2, 3), rng(1, 3), rng(1, 4)),
      rule("Lost", rng(1, 1), rng(1, 5), rng(1, 5)),
  };
  return m;
}

SegmentMap rfm_tests() {
  // R package rfm test-suite rule set (tests/testthat/test-rfm-segment.R), first match wins.
  SegmentMap m;
  m.name = "rfm_tests";
  m.description = "R package rfm test-suite rule set (10 segments, first match, else Others)";
  m.rules = {
      rule("Champions", rng(4, 5), rng(4, 5), rng(4, 5)),
      rule("Loyal Customers", rng(2, 5), rng(3, 5), rng(3, 5)),
      rule("Potential Loyalist", rng(3, 5), rng(1, 3), rng(1, 3)),
      rule("New Customers", rng(4, 5), rng(1, 1), rng(1, 1)),
      rule("Promising", rng(3, 4), rng(1, 1), rng(1, 1)),
      rule("Need Attention", rng(2, 3), rng(2, 3), rng(2, 3)),
      rule("About To Sleep", rng(2, 3), rng(1, 2), rng(1, 2)),
      rule("At Risk", rng(1, 2), rng(2, 5), rng(2, 5)),
      rule("Can't Lose Them", rng(1, 1), rng(4, 5), rng(4, 5)),
      rule("Lost", rng(1, 2), rng(1, 2), rng(1, 2)),
  };
  return m;
}

SegmentMap r_vs_fm() {
  // Map B: R against the average of F and M; the overlapping ranges make four segments
  // unreachable with scores >= 1 (kept as published).
  SegmentMap m;
  m.name = "r_vs_fm";
  m.description = "R score vs average of F and M (11 rules, first match; Map B)";
  m.rules = {
      rule("Champions", rng(4, 5), kAny, kAny, rng(4, 5)),
      rule("Loyal Customers", rng(2, 5), kAny, kAny, rng(3, 5)),
      rule("Potential Loyalist", rng(3, 5), kAny, kAny, rng(1, 3)),
      rule("Recent Customers", rng(4, 5), kAny, kAny, rng(0, 1)),
      rule("Promising", rng(3, 4), kAny, kAny, rng(0, 1)),
      rule("Customers Needing Attention", rng(2, 3), kAny, kAny, rng(2, 3)),
      rule("About To Sleep", rng(2, 3), kAny, kAny, rng(0, 2)),
      rule("At Risk", rng(0, 2), kAny, kAny, rng(2, 5)),
      rule("Can't Lose Them", rng(0, 1), kAny, kAny, rng(4, 5)),
      rule("Hibernating", rng(1, 2), kAny, kAny, rng(1, 2)),
      rule("Lost", rng(0, 2), kAny, kAny, rng(0, 2)),
  };
  return m;
}

void add_cells(SegmentMap& m, const char* name, const char* cells) {
  std::istringstream in(cells);
  std::string c;
  while (in >> c) m.cells.push_back(SegmentCell{c[0] - '0', c[1] - '0', c[2] - '0', name});
}

SegmentMap rfm_cells() {
  // Map C: the 125-cell table (a complete partition).
  SegmentMap m;
  m.name = "rfm_cells";
  m.description = "125-cell RFM table (11 segments, complete; Map C)";
  add_cells(m, "Champions", "555 554 544 545 454 455 445");
  add_cells(m, "Loyal", "543 444 435 355 354 345 344 335");
  add_cells(m, "Potential Loyalist",
            "553 551 552 541 542 533 532 531 452 451 442 441 431 453 433 432 423 353 352 351 342 341 333 323");
  add_cells(m, "New Customers", "512 511 422 421 412 411 311");
  add_cells(m, "Promising", "525 524 523 522 521 515 514 513 425 424 413 414 415 315 314 313");
  add_cells(m, "Need Attention", "535 534 443 434 343 334 325 324");
  add_cells(m, "About To Sleep", "331 321 312 221 213 231 241 251");
  add_cells(m, "At Risk", "255 254 245 244 253 252 243 242 235 234 225 224 153 152 145 143 142 135 134 133 125 124");
  add_cells(m, "Cannot Lose Them", "155 154 144 214 215 115 114 113");
  add_cells(m, "Hibernating", "332 322 233 232 223 222 132 123 122 212 211");
  add_cells(m, "Lost", "111 112 121 131 141 151");
  return m;
}

std::vector<SegmentMap> make_builtins() {
  std::vector<SegmentMap> all{rf_grid(), rfm_readme(), rfm_tests(), rfm_cells(), r_vs_fm()};
  for (auto& m : all) validate_segment_map(m);
  return all;
}

[[noreturn]] void bad_map(const std::string& what) {
  throw Error(Errc::invalid_argument, "segment map: " + what);
}

ScoreRange parse_range(const nlohmann::json& j, const std::string& where) {
  if (j.is_null()) return kAny;
  if (j.is_number()) return rng(j.get<double>(), j.get<double>());
  if (!j.is_array() || j.size() != 2 || !j[0].is_number() || !j[1].is_number())
    bad_map(where + " must be [lo, hi] (two numbers) or a number");
  return rng(j[0].get<double>(), j[1].get<double>());
}

std::string parse_name(const nlohmann::json& j, const std::string& where) {
  if (!j.is_string()) bad_map(where + " must be a string");
  auto s = j.get<std::string>();
  detail::check_text(where, s);
  return s;
}

void parse_rules(const nlohmann::json& arr, SegmentMap& m) {
  if (!arr.is_array()) bad_map("rules must be an array of {name, r, f, m}");
  for (std::size_t i = 0; i < arr.size(); ++i) {
    const auto& r = arr[i];
    const std::string where = fmt::format("rule {}", i + 1);
    if (!r.is_object()) bad_map(where + " must be an object");
    for (auto it = r.begin(); it != r.end(); ++it) {
      const auto& k = it.key();
      if (k != "name" && k != "r" && k != "f" && k != "m" && k != "fm")
        bad_map(fmt::format("{} has unknown field '{}' (expected name, r, f, m, fm)", where, detail::printable(k)));
    }
    if (!r.contains("name")) bad_map(where + " has no name");
    SegmentRule rule;
    rule.name = parse_name(r["name"], where + " name");
    auto get = [&](const char* k) { return r.contains(k) ? parse_range(r[k], where + " " + k) : kAny; };
    rule.r = get("r");
    rule.f = get("f");
    rule.m = get("m");
    rule.fm = get("fm");
    m.rules.push_back(std::move(rule));
  }
}

void parse_cells(const nlohmann::json& obj, SegmentMap& m) {
  if (!obj.is_object()) bad_map("cells must be an object {segment: [\"555\", ...]}");
  for (auto it = obj.begin(); it != obj.end(); ++it) {
    std::string name = it.key();
    detail::check_text("segment map cell segment name", name);
    if (!it.value().is_array()) bad_map(fmt::format("cells of '{}' must be an array", detail::printable(name)));
    for (const auto& c : it.value()) {
      std::string s;
      if (c.is_string()) s = c.get<std::string>();
      else if (c.is_number_integer()) s = c.dump();  // the digits as given (get<int64_t> wraps above INT64_MAX)
      else bad_map(fmt::format("a cell of '{}' is not a string like \"555\"", detail::printable(name)));
      if (s.size() != 3 || s.find_first_not_of("0123456789") != std::string::npos)
        bad_map(fmt::format("cell '{}' of '{}' is not three digits RFM", detail::printable(s), detail::printable(name)));
      m.cells.push_back(SegmentCell{s[0] - '0', s[1] - '0', s[2] - '0', name});
    }
  }
}

nlohmann::json range_json(const ScoreRange& r) {
  auto num = [](double v) -> nlohmann::json {
    if (std::isinf(v)) return nullptr;
    if (v == std::floor(v) && std::fabs(v) < 1e15) return static_cast<std::int64_t>(v);
    return v;
  };
  return nlohmann::json::array({num(r.lo), num(r.hi)});
}

bool is_any(const ScoreRange& r) { return std::isinf(r.lo) && r.lo < 0 && std::isinf(r.hi) && r.hi > 0; }

}  // namespace

const std::vector<SegmentMap>& builtin_segment_maps() {
  static const std::vector<SegmentMap> all = make_builtins();
  return all;
}

const SegmentMap& builtin_segment_map(const std::string& name) {
  std::string known;
  for (const auto& m : builtin_segment_maps()) {
    if (m.name == name) return m;
    known += (known.empty() ? "" : ", ") + m.name;
  }
  throw Error(Errc::not_found, fmt::format("segment map '{}' is not a built-in map ({})", detail::printable(name), known));
}

void validate_segment_map(const SegmentMap& m) {
  if (m.name.empty()) bad_map("name is empty");
  detail::check_text("segment map name", m.name);
  if (m.version < 1) bad_map(fmt::format("version {} must be >= 1", m.version));
  if (m.unmatched.empty()) bad_map("the unmatched segment name is empty");
  if (!m.rules.empty() && !m.cells.empty()) bad_map("has both rules and cells; use one");
  if (m.rules.empty() && m.cells.empty()) bad_map(fmt::format("'{}' has no rules and no cells", m.name));
  for (std::size_t i = 0; i < m.rules.size(); ++i) {
    const auto& r = m.rules[i];
    if (r.name.empty()) bad_map(fmt::format("rule {} has an empty name", i + 1));
    for (const auto* range : {&r.r, &r.f, &r.m, &r.fm}) {
      if (std::isnan(range->lo) || std::isnan(range->hi))
        bad_map(fmt::format("rule {} ('{}') has a NaN bound", i + 1, r.name));
      if (range->lo > range->hi)
        bad_map(fmt::format("rule {} ('{}') has a range with lo {} > hi {}", i + 1, r.name, range->lo, range->hi));
    }
  }
  std::set<int> seen;
  for (const auto& c : m.cells) {
    if (c.name.empty()) bad_map("a cell has an empty segment name");
    if (c.r < 1 || c.r > 9 || c.f < 1 || c.f > 9 || c.m < 1 || c.m > 9)
      bad_map(fmt::format("cell {}{}{} has a score outside 1..9", c.r, c.f, c.m));
    if (!seen.insert(100 * c.r + 10 * c.f + c.m).second)
      bad_map(fmt::format("cell {}{}{} is listed twice", c.r, c.f, c.m));
  }
}

SegmentMap parse_segment_map(const std::string& text) {
  detail::check_text("segment map JSON", text, detail::kMaxJsonText);
  nlohmann::json j;
  try {
    j = nlohmann::json::parse(text, nullptr, true, false);
  } catch (const nlohmann::json::exception& e) {
    bad_map(fmt::format("malformed JSON: {}", e.what()));
  }
  SegmentMap m;
  bool named = false;
  if (j.is_array()) {
    parse_rules(j, m);
  } else if (j.is_object()) {
    for (auto it = j.begin(); it != j.end(); ++it) {
      const auto& k = it.key();
      if (k != "name" && k != "version" && k != "description" && k != "unmatched" && k != "rules" && k != "cells")
        bad_map(fmt::format("unknown field '{}' (expected name, version, description, unmatched, rules, cells)",
                            detail::printable(k)));
    }
    if (j.contains("name")) {
      m.name = parse_name(j["name"], "name");
      named = true;
    }
    if (j.contains("version")) {
      if (!j["version"].is_number_integer() || j["version"].get<std::int64_t>() < 1 ||
          j["version"].get<std::int64_t>() > 1'000'000'000)
        bad_map("version must be a positive integer");
      m.version = static_cast<int>(j["version"].get<std::int64_t>());
    }
    if (j.contains("description")) m.description = parse_name(j["description"], "description");
    if (j.contains("unmatched")) m.unmatched = parse_name(j["unmatched"], "unmatched");
    if (j.contains("rules")) parse_rules(j["rules"], m);
    if (j.contains("cells")) parse_cells(j["cells"], m);
  } else {
    bad_map("JSON must be an array of rules or an object with rules or cells");
  }
  if (!named) {
    // An unnamed map is named by its content, so (name, version) still identifies one definition.
    m.name = "custom";
    std::uint64_t h = 1469598103934665603ull;  // FNV-1a 64
    for (unsigned char ch : to_json(m)) {
      h ^= ch;
      h *= 1099511628211ull;
    }
    m.name = fmt::format("custom-{:08x}", static_cast<std::uint32_t>(h ^ (h >> 32)));
  }
  validate_segment_map(m);
  return m;
}

std::string to_json(const SegmentMap& m) {
  nlohmann::json j;
  j["name"] = m.name;
  j["version"] = m.version;
  if (!m.description.empty()) j["description"] = m.description;
  j["unmatched"] = m.unmatched;
  if (!m.cells.empty()) {
    nlohmann::json cells = nlohmann::json::object();
    for (const auto& c : m.cells) cells[c.name].push_back(fmt::format("{}{}{}", c.r, c.f, c.m));
    j["cells"] = cells;
  } else {
    nlohmann::json rules = nlohmann::json::array();
    for (const auto& r : m.rules) {
      nlohmann::json o;
      o["name"] = r.name;
      if (!is_any(r.r)) o["r"] = range_json(r.r);
      if (!is_any(r.f)) o["f"] = range_json(r.f);
      if (!is_any(r.m)) o["m"] = range_json(r.m);
      if (!is_any(r.fm)) o["fm"] = range_json(r.fm);
      rules.push_back(o);
    }
    j["rules"] = rules;
  }
  return j.dump();
}

const std::string& assign_segment(const SegmentMap& m, const RfmScore& s) noexcept {
  if (!m.cells.empty()) {
    for (const auto& c : m.cells)
      if (c.r == s.r && c.f == s.f && c.m == s.m) return c.name;
    return m.unmatched;
  }
  const int i = rfm_segment_index(m, s);  // rules: the first that holds
  return i < 0 ? m.unmatched : m.rules[static_cast<std::size_t>(i)].name;
}

namespace analytics {

CompiledSegmentMap::CompiledSegmentMap(const SegmentMap& map) {
  validate_segment_map(map);
  auto index_of = [&](const std::string& name) {
    for (std::size_t i = 0; i < names_.size(); ++i)
      if (names_[i] == name) return static_cast<int>(i);
    names_.push_back(name);
    return static_cast<int>(names_.size() - 1);
  };
  for (const auto& r : map.rules) index_of(r.name);
  for (const auto& c : map.cells) index_of(c.name);
  unmatched_ = index_of(map.unmatched);
  for (int r = 0; r <= 9; ++r)
    for (int f = 0; f <= 9; ++f)
      for (int m = 0; m <= 9; ++m)
        table_[static_cast<std::size_t>(100 * r + 10 * f + m)] = index_of(assign_segment(map, RfmScore{r, f, m}));
}

}  // namespace analytics

}  // namespace crmkit
