// Rule validation: any JSON in, the canonical rule out, or an error naming the node path.
#include "segments/rule.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <set>

#include "base/checks.hpp"
#include "base/enums.hpp"
#include "base/text.hpp"
#include "crmkit/error.hpp"
#include "segments/fields.hpp"
#include "segments/rule_detail.hpp"

namespace crmkit::segments {

namespace {

const char* type_name(const json& v) {
  switch (v.type()) {
    case json::value_t::null: return "null";
    case json::value_t::boolean: return "boolean";
    case json::value_t::number_integer:
    case json::value_t::number_unsigned:
    case json::value_t::number_float: return "number";
    case json::value_t::string: return "string";
    case json::value_t::array: return "array";
    case json::value_t::object: return "object";
    default: return "value";
  }
}

const char* field_type_name(FieldType t) {
  switch (t) {
    case FieldType::text: return "text";
    case FieldType::number: return "number";
    case FieldType::money: return "money";
    case FieldType::instant: return "time";
    case FieldType::date: return "date";
    case FieldType::tags: return "tags";
    case FieldType::attribute: return "attribute";
    case FieldType::consent: return "consent";
  }
  return "?";
}

struct Checker {
  int leaves = 0;

  json node(const json& n, const std::string& path, int depth) {
    if (depth > kMaxDepth) fail(path, fmt::format("rule nests deeper than {} levels", kMaxDepth));
    if (!n.is_object()) fail(path, fmt::format("expected an object, got {}", type_name(n)));
    static const char* const kinds[] = {"all", "any", "not", "field", "agg", "segment"};
    const char* kind = nullptr;
    for (const char* k : kinds)
      if (n.contains(k)) {
        if (kind) fail(path, fmt::format("a node has either '{}' or '{}', not both", kind, k));
        kind = k;
      }
    if (!kind)
      fail(path, "expected a group (all, any, not) or a leaf (field, agg, segment)");
    std::string k = kind;
    if (k == "all" || k == "any") {
      only_keys(n, path, {k.c_str()});
      const json& list = n.at(k);
      const std::string p = path + "." + k;
      if (!list.is_array()) fail(p, fmt::format("expected an array of rules, got {}", type_name(list)));
      if (list.size() > static_cast<std::size_t>(kMaxLeaves))
        fail(p, fmt::format("more than {} children", kMaxLeaves));
      json out = json::array();
      for (std::size_t i = 0; i < list.size(); ++i)
        out.push_back(node(list[i], fmt::format("{}[{}]", p, i), depth + 1));
      return json{{k, std::move(out)}};
    }
    if (k == "not") {
      only_keys(n, path, {"not"});
      return json{{"not", node(n.at("not"), path + ".not", depth + 1)}};
    }
    if (++leaves > kMaxLeaves) fail(path, fmt::format("rule has more than {} leaves", kMaxLeaves));
    if (k == "field") return field_leaf(n, path);
    if (k == "agg") return agg_leaf(n, path);
    return segment_leaf(n, path);
  }

  static void only_keys(const json& n, const std::string& path, std::initializer_list<const char*> allowed) {
    for (auto it = n.begin(); it != n.end(); ++it) {
      bool ok = false;
      for (const char* a : allowed)
        if (it.key() == a) ok = true;
      if (!ok) fail(path, fmt::format("unknown key '{}'", detail::printable(it.key())));
    }
  }

  static std::string string_value(const json& v, const std::string& path, const char* what,
                                  std::size_t max_bytes = kMaxStringBytes) {
    if (!v.is_string()) fail(path, fmt::format("expected {} (a string), got {}", what, type_name(v)));
    const auto& s = v.get_ref<const std::string&>();
    if (s.size() > max_bytes) fail(path, fmt::format("{} is longer than {} bytes", what, max_bytes));
    if (!detail::is_valid_utf8(s)) fail(path, fmt::format("{} is not valid UTF-8 or contains NUL", what));
    return s;
  }

  static Op op_of(const json& n, const std::string& path) {
    if (!n.contains("op")) fail(path + ".op", "missing operator");
    const json& o = n.at("op");
    if (!o.is_string()) fail(path + ".op", fmt::format("expected an operator name, got {}", type_name(o)));
    Op op;
    if (!parse_op(o.get_ref<const std::string&>(), &op))
      fail(path + ".op", fmt::format("unknown operator '{}'", detail::printable(o.get_ref<const std::string&>())));
    return op;
  }

  // One scalar of the field's type.
  static void scalar(const json& v, FieldType t, Op op, const std::string& path, std::string_view field) {
    auto wrong = [&](const char* expected) {
      fail(path, fmt::format("expected {} for {} field {}, got {}", expected, field_type_name(t), field,
                             type_name(v)));
    };
    switch (t) {
      case FieldType::text:
        if (!v.is_string()) wrong("a string");
        string_value(v, path, "value");
        return;
      case FieldType::number:
        if (!v.is_number()) wrong("a number");
        if (!std::isfinite(v.get<double>())) fail(path, "number is not finite");
        return;
      case FieldType::money:
        if (v.is_number()) {
          if (!std::isfinite(v.get<double>())) fail(path, "number is not finite");
          return;
        }
        if (!v.is_string()) wrong("an amount (number or decimal string)");
        check_decimal(string_value(v, path, "amount", 40), path);
        return;
      case FieldType::instant: {
        if (!v.is_string()) wrong("a date \"YYYY-MM-DD\" or an ISO-8601 instant");
        std::string s = string_value(v, path, "time", 64);
        time_interval(s, path);
        return;
      }
      case FieldType::date: {
        if (!v.is_string()) wrong("a date \"YYYY-MM-DD\"");
        std::string s = string_value(v, path, "date", 64);
        try {
          parse_date(s, "date");
        } catch (const Error& e) {
          fail(path, e.what());
        }
        return;
      }
      case FieldType::tags: {
        if (!v.is_string()) wrong("a tag (string)");
        std::string s = string_value(v, path, "tag", 100);
        if (s.empty()) fail(path, "tag is empty");
        return;
      }
      case FieldType::consent: {
        if (!v.is_string()) wrong("a consent state (string)");
        const std::string s = string_value(v, path, "consent state", 64);
        for (const auto& e : detail::kConsentStateNames)
          if (s == e.name) return;
        fail(path, fmt::format("'{}' is not a consent state ({})", detail::printable(s),
                               detail::enum_names(detail::kConsentStateNames)));
      }
      case FieldType::attribute:
        if (op == Op::contains || op == Op::not_contains || op == Op::starts_with || op == Op::ends_with) {
          if (!v.is_string()) wrong("a string");
        } else if (!v.is_string() && !v.is_number() && !v.is_boolean()) {
          wrong("a string, number or boolean");
        }
        if (v.is_string()) string_value(v, path, "value");
        if (v.is_number() && !std::isfinite(v.get<double>())) fail(path, "number is not finite");
        return;
    }
  }

  static void check_decimal(const std::string& s, const std::string& path) {
    // -?digits(.digits)? : the exponent is checked against the currency when compiling.
    std::size_t i = 0;
    if (i < s.size() && s[i] == '-') ++i;
    std::size_t digits = 0, dots = 0;
    for (; i < s.size(); ++i) {
      if (s[i] >= '0' && s[i] <= '9')
        ++digits;
      else if (s[i] == '.' && dots == 0)
        ++dots;
      else
        digits = 0, i = s.size();
    }
    if (digits == 0 || s.back() == '.' || s.front() == '.')
      fail(path, fmt::format("'{}' is not a decimal amount", detail::printable(s)));
  }

  static void check_value(const json& n, FieldType t, Op op, const std::string& path, std::string_view field) {
    const std::string vp = path + ".value";
    if (!op_allowed(t, op))
      fail(path + ".op", fmt::format("operator {} does not apply to {} field {}", op_name(op),
                                     field_type_name(t), field));
    if (op == Op::is_set || op == Op::is_not_set) {
      if (n.contains("value")) fail(vp, fmt::format("operator {} takes no value", op_name(op)));
      return;
    }
    if (!n.contains("value")) fail(vp, fmt::format("operator {} needs a value", op_name(op)));
    const json& v = n.at("value");
    if (op == Op::between || op == Op::not_between) {
      if (!v.is_array() || v.size() != 2)
        fail(vp, fmt::format("operator {} needs a list of two values [low, high]", op_name(op)));
      scalar(v[0], t, op, vp + "[0]", field);
      scalar(v[1], t, op, vp + "[1]", field);
      if (t == FieldType::attribute && (v[0].is_string() != v[1].is_string()))
        fail(vp, "between bounds must both be strings or both numbers");
      return;
    }
    if (op == Op::in || op == Op::not_in) {
      if (!v.is_array()) fail(vp, fmt::format("operator {} needs a list of values, got {}", op_name(op), type_name(v)));
      if (v.size() > kMaxListSize) fail(vp, fmt::format("list has more than {} values", kMaxListSize));
      for (std::size_t i = 0; i < v.size(); ++i) scalar(v[i], t, op, fmt::format("{}[{}]", vp, i), field);
      return;
    }
    scalar(v, t, op, vp, field);
  }

  json field_leaf(const json& n, const std::string& path) {
    only_keys(n, path, {"field", "op", "value"});
    const std::string name = string_value(n.at("field"), path + ".field", "field name", 200);
    Op op = op_of(n, path);
    FieldType t;
    if (name.rfind("attributes.", 0) == 0) {
      attribute_path(name, path + ".field");
      t = FieldType::attribute;
    } else if (name.rfind("consent.", 0) == 0) {
      consent_field(name, path + ".field");
      t = FieldType::consent;
    } else {
      const FieldInfo* f = find_field(name);
      if (!f) fail(path + ".field", fmt::format("unknown field '{}'", detail::printable(name)));
      t = f->type;
    }
    check_value(n, t, op, path, name);
    json out{{"field", name}, {"op", op_name(op)}};
    if (n.contains("value")) out["value"] = n.at("value");
    return out;
  }

  json agg_leaf(const json& n, const std::string& path) {
    only_keys(n, path, {"agg", "of", "where", "window", "op", "value"});
    const std::string agg = string_value(n.at("agg"), path + ".agg", "aggregate", 10);
    if (agg != "count" && agg != "sum" && agg != "avg" && agg != "min" && agg != "max")
      fail(path + ".agg", fmt::format("unknown aggregate '{}' (count, sum, avg, min, max)", detail::printable(agg)));
    json out{{"agg", agg}};
    if (agg == "count") {
      if (n.contains("of")) fail(path + ".of", "count takes no 'of'");
    } else {
      if (!n.contains("of")) fail(path + ".of", fmt::format("{} needs \"of\": \"amount\"", agg));
      std::string of = string_value(n.at("of"), path + ".of", "measure", 20);
      if (of != "amount") fail(path + ".of", fmt::format("unknown measure '{}' (amount)", detail::printable(of)));
      out["of"] = of;
    }
    if (n.contains("where")) {
      json w = where(n.at("where"), path + ".where");
      if (!w.empty()) out["where"] = std::move(w);
    }
    if (n.contains("window")) out["window"] = window(n.at("window"), path + ".window");
    Op op = op_of(n, path);
    check_value(n, agg == "count" ? FieldType::number : FieldType::money, op, path, agg);
    out["op"] = op_name(op);
    if (n.contains("value")) out["value"] = n.at("value");
    return out;
  }

  static json where(const json& w, const std::string& path) {
    if (!w.is_object()) fail(path, fmt::format("expected an object, got {}", type_name(w)));
    only_keys(w, path, {"kind", "channel", "direction"});
    json out = json::object();
    for (auto it = w.begin(); it != w.end(); ++it) {
      const std::string p = path + "." + it.key();
      const auto& allowed = it.key() == "kind" ? interaction_kinds()
                            : it.key() == "channel" ? interaction_channels()
                                                   : interaction_directions();
      auto one = [&](const json& v, const std::string& vp) {
        std::string s = string_value(v, vp, it.key().c_str(), 40);
        if (std::find(allowed.begin(), allowed.end(), s) == allowed.end())
          fail(vp, fmt::format("unknown {} '{}'", it.key(), detail::printable(s)));
      };
      if (it->is_array()) {
        if (it->size() > kMaxListSize) fail(p, fmt::format("list has more than {} values", kMaxListSize));
        for (std::size_t i = 0; i < it->size(); ++i) one((*it)[i], fmt::format("{}[{}]", p, i));
      } else {
        one(*it, p);
      }
      out[it.key()] = *it;
    }
    return out;
  }

  static json window(const json& w, const std::string& path) {
    if (!w.is_object()) fail(path, fmt::format("expected an object, got {}", type_name(w)));
    if (w.contains("last")) {
      only_keys(w, path, {"last", "unit"});
      const json& n = w.at("last");
      if (!n.is_number_integer() && !n.is_number_unsigned())
        fail(path + ".last", fmt::format("expected a whole number, got {}", type_name(n)));
      if (!w.contains("unit")) fail(path + ".unit", "missing unit (day, week, month, year)");
      std::string unit = string_value(w.at("unit"), path + ".unit", "unit", 10);
      window_last(n, unit, path);
      return json{{"last", n}, {"unit", unit}};
    }
    if (w.contains("from") || w.contains("to")) {
      only_keys(w, path, {"from", "to"});
      if (!w.contains("from") || !w.contains("to")) fail(path, "a date window needs both 'from' and 'to'");
      Day a = window_date(w.at("from"), path + ".from");
      Day b = window_date(w.at("to"), path + ".to");
      if (a > b) fail(path, "'from' is after 'to'");
      return json{{"from", w.at("from")}, {"to", w.at("to")}};
    }
    fail(path, "expected {\"last\": N, \"unit\": U} or {\"from\": date, \"to\": date}");
  }

  static Day window_date(const json& v, const std::string& path) {
    std::string s = string_value(v, path, "date", 20);
    try {
      return parse_date(s, "date");
    } catch (const Error& e) {
      fail(path, e.what());
    }
  }

  json segment_leaf(const json& n, const std::string& path) {
    only_keys(n, path, {"segment", "op"});
    std::string name = string_value(n.at("segment"), path + ".segment", "segment name", 200);
    if (name.empty()) fail(path + ".segment", "segment name is empty");
    Op op = op_of(n, path);
    if (op != Op::in && op != Op::not_in)
      fail(path + ".op", fmt::format("operator {} does not apply to a segment (in, not_in)", op_name(op)));
    return json{{"segment", name}, {"op", op_name(op)}};
  }
};

void collect_refs(const json& n, std::set<std::string>& out) {
  if (n.contains("all")) {
    for (const auto& c : n.at("all")) collect_refs(c, out);
  } else if (n.contains("any")) {
    for (const auto& c : n.at("any")) collect_refs(c, out);
  } else if (n.contains("not")) {
    collect_refs(n.at("not"), out);
  } else if (n.contains("segment")) {
    out.insert(n.at("segment").get<std::string>());
  }
}

}  // namespace

[[noreturn]] void fail(const std::string& path, const std::string& reason) {
  throw Error(Errc::invalid_argument, path + ": " + reason);
}

const std::vector<std::string>& interaction_kinds() {
  static const std::vector<std::string> v = detail::enum_name_list(detail::kInteractionKindNames);
  return v;
}
const std::vector<std::string>& interaction_channels() {
  static const std::vector<std::string> v = detail::enum_name_list(detail::kChannelNames);
  return v;
}
const std::vector<std::string>& interaction_directions() {
  static const std::vector<std::string> v = detail::enum_name_list(detail::kDirectionNames);
  return v;
}

std::vector<std::string> attribute_path(const std::string& field, const std::string& path) {
  std::string rest = field.substr(std::string("attributes.").size());
  std::vector<std::string> parts;
  std::size_t start = 0;
  while (true) {
    std::size_t dot = rest.find('.', start);
    std::string part = rest.substr(start, dot == std::string::npos ? std::string::npos : dot - start);
    bool ok = !part.empty() && part.size() <= kMaxAttributeKey &&
              !(part[0] >= '0' && part[0] <= '9');
    for (char ch : part)
      if (!((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') || ch == '_'))
        ok = false;
    if (!ok)
      fail(path, fmt::format("attribute path '{}' is not dot-separated names of letters, digits and _ "
                             "(each 1..{} bytes, not starting with a digit)",
                             detail::printable(field), kMaxAttributeKey));
    parts.push_back(part);
    if (parts.size() > kMaxAttributePath)
      fail(path, fmt::format("attribute path has more than {} parts", kMaxAttributePath));
    if (dot == std::string::npos) break;
    start = dot + 1;
  }
  return parts;
}

ConsentField consent_field(const std::string& field, const std::string& path) {
  const std::string rest = field.substr(std::string("consent.").size());
  const auto dot = rest.find('.');
  ConsentField f{rest.substr(0, dot), dot == std::string::npos ? std::string() : rest.substr(dot + 1)};
  bool channel = false;
  for (const auto& e : detail::kConsentChannelNames)
    channel = channel || (f.channel == e.name && e.value != ConsentChannel::all);
  if (!channel)
    fail(path, fmt::format("'{}' names no channel: consent.<channel>.<purpose> with channel email, sms, phone, "
                           "post or push", detail::printable(field)));
  bool ok = !f.purpose.empty() && f.purpose.size() <= 64 && f.purpose[0] >= 'a' && f.purpose[0] <= 'z';
  for (char ch : f.purpose) ok = ok && ((ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9') || ch == '_');
  if (!ok)
    fail(path, fmt::format("'{}' names no purpose: consent.<channel>.<purpose> with a purpose of a-z, 0-9 and _",
                           detail::printable(field)));
  return f;
}

TimeInterval time_interval(const std::string& s, const std::string& path) {
  // Dates and ISO instants only: a bare number would be ambiguous (ms? a year?).
  if (s.size() < 10 || s[4] != '-')
    fail(path, fmt::format("'{}' is not a date \"YYYY-MM-DD\" or an ISO-8601 instant", detail::printable(s)));
  try {
    if (s.size() == 10) {
      Day d = parse_date(s, "date");
      return {start_of_day(d), start_of_day(d + 1)};
    }
    Instant t = parse_instant(s, "time");
    return {t, t + 1};
  } catch (const Error& e) {
    fail(path, e.what());
  }
}

std::int64_t window_last(const json& n, const std::string& unit, const std::string& path) {
  std::int64_t max = 0;
  if (unit == "day") max = 100'000;
  else if (unit == "week") max = 10'000;
  else if (unit == "month") max = 10'000;
  else if (unit == "year") max = 1'000;
  else fail(path + ".unit", fmt::format("unknown unit '{}' (day, week, month, year)", detail::printable(unit)));
  const bool too_big = n.is_number_unsigned() && n.get<std::uint64_t>() > static_cast<std::uint64_t>(max);
  if (too_big || n.get<std::int64_t>() < 1 || n.get<std::int64_t>() > max)
    fail(path + ".last", fmt::format("must be between 1 and {} for unit {}", max, unit));
  return n.get<std::int64_t>();
}

json canonical_rule(const json& rule) {
  Checker c;
  return c.node(rule, "rule", 0);
}

json parse_rule(std::string_view text) {
  if (text.size() > kMaxRuleBytes)
    fail("rule", fmt::format("rule text is longer than {} bytes", kMaxRuleBytes));
  if (!detail::is_valid_utf8(text)) fail("rule", "rule text is not valid UTF-8 or contains NUL");
  // Depth is limited while parsing so that hostile nesting cannot exhaust the stack.
  int depth = 0;
  bool too_deep = false;
  json::parser_callback_t cb = [&](int d, json::parse_event_t ev, json&) {
    if (ev == json::parse_event_t::object_start || ev == json::parse_event_t::array_start) {
      depth = d;
      if (d > 2 * kMaxDepth + 8) too_deep = true;
    }
    return !too_deep;
  };
  json j;
  try {
    j = json::parse(text.begin(), text.end(), cb);
  } catch (const json::exception& e) {
    std::string m = e.what();
    fail("rule", "not valid JSON (" + m.substr(m.find(']') == std::string::npos ? 0 : m.find(']') + 2) + ")");
  }
  (void)depth;
  if (too_deep) fail("rule", fmt::format("rule nests deeper than {} levels", kMaxDepth));
  // A value the canonical rule would hold rounded is refused, not saved changed.
  detail::check_exact_numbers("rule", text);
  return canonical_rule(j);
}

std::vector<std::string> referenced_segments(const json& canonical) {
  std::set<std::string> s;
  collect_refs(canonical, s);
  return {s.begin(), s.end()};
}

}  // namespace crmkit::segments
