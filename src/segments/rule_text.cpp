// The rule language's text form: a recursive-descent parser to JSON and a printer back.
//   gender = "F" and age between 30 and 39 and count(purchase, last 6 months) >= 3
// Values are JSON literals (strings in double quotes with JSON escapes, numbers, true/false).
#include <fmt/format.h>

#include "base/checks.hpp"
#include "base/text.hpp"
#include "crmkit/error.hpp"
#include "segments/rule.hpp"
#include "segments/rule_detail.hpp"

namespace crmkit::segments {

namespace {

enum class Tok { end, ident, string, number, punct };

struct Token {
  Tok kind = Tok::end;
  std::string text;  // identifier / punctuation / raw literal
  std::size_t pos = 0;
};

[[noreturn]] void text_error(std::size_t pos, const std::string& why) {
  throw Error(Errc::invalid_argument, fmt::format("rule text at offset {}: {}", pos, why));
}

std::vector<Token> tokenize(std::string_view s) {
  std::vector<Token> out;
  std::size_t i = 0;
  auto is_ident_start = [](char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_'; };
  auto is_ident = [&](char c) { return is_ident_start(c) || (c >= '0' && c <= '9') || c == '.'; };
  while (i < s.size()) {
    const char c = s[i];
    if (c == ' ' || c == '\t' || c == '\n' || c == '\r') {
      ++i;
      continue;
    }
    Token t;
    t.pos = i;
    if (is_ident_start(c)) {
      std::size_t j = i;
      while (j < s.size() && is_ident(s[j])) ++j;
      t.kind = Tok::ident;
      t.text = std::string(s.substr(i, j - i));
      i = j;
    } else if (c == '"') {
      std::size_t j = i + 1;
      while (j < s.size() && s[j] != '"') j += s[j] == '\\' ? 2 : 1;
      if (j >= s.size()) text_error(i, "unterminated string");
      t.kind = Tok::string;
      t.text = std::string(s.substr(i, j + 1 - i));
      i = j + 1;
    } else if (c == '-' || (c >= '0' && c <= '9')) {
      std::size_t j = i + 1;
      while (j < s.size() && ((s[j] >= '0' && s[j] <= '9') || s[j] == '.' || s[j] == 'e' || s[j] == 'E' ||
                              ((s[j] == '+' || s[j] == '-') && (s[j - 1] == 'e' || s[j - 1] == 'E'))))
        ++j;
      t.kind = Tok::number;
      t.text = std::string(s.substr(i, j - i));
      i = j;
    } else if ((c == '!' || c == '<' || c == '>') && i + 1 < s.size() && s[i + 1] == '=') {
      t.kind = Tok::punct;
      t.text = std::string(s.substr(i, 2));
      i += 2;
    } else if (c == '(' || c == ')' || c == '[' || c == ']' || c == ',' || c == '=' || c == '<' || c == '>') {
      t.kind = Tok::punct;
      t.text = std::string(1, c);
      ++i;
    } else {
      text_error(i, fmt::format("unexpected character '{}'", detail::printable(s.substr(i, 1))));
    }
    out.push_back(std::move(t));
  }
  Token end;
  end.pos = s.size();
  out.push_back(end);
  return out;
}

bool is_agg(const std::string& s) { return s == "count" || s == "sum" || s == "avg" || s == "min" || s == "max"; }

class Parser {
 public:
  explicit Parser(std::string_view s) : toks_(tokenize(s)) {}

  json parse() {
    json r = expr(0);
    if (peek().kind != Tok::end) text_error(peek().pos, fmt::format("unexpected '{}'", detail::printable(peek().text)));
    return r;
  }

 private:
  std::vector<Token> toks_;
  std::size_t k_ = 0;

  const Token& peek(std::size_t ahead = 0) const {
    return toks_[std::min(k_ + ahead, toks_.size() - 1)];
  }
  bool is(const char* word, std::size_t ahead = 0) const {
    const Token& t = peek(ahead);
    return (t.kind == Tok::ident || t.kind == Tok::punct) && t.text == word;
  }
  bool accept(const char* word) {
    if (!is(word)) return false;
    ++k_;
    return true;
  }
  void expect(const char* word) {
    if (!accept(word))
      text_error(peek().pos, fmt::format("expected '{}', found {}", word, found()));
  }
  std::string found() const {
    return peek().kind == Tok::end ? "the end" : "'" + detail::printable(peek().text) + "'";
  }

  json expr(int depth) {
    if (depth > kMaxDepth) text_error(peek().pos, fmt::format("rule nests deeper than {} levels", kMaxDepth));
    return joined(depth, "or", "any", &Parser::conj);
  }

  json conj(int depth) { return joined(depth, "and", "all", &Parser::unary); }

  // operand (`word` operand)*: the operand alone, or {group: [operands]} when the word joins more.
  json joined(int depth, const char* word, const char* group, json (Parser::*operand)(int)) {
    json first = (this->*operand)(depth);
    if (!is(word)) return first;
    json list = json::array({std::move(first)});
    while (accept(word)) list.push_back((this->*operand)(depth));
    return json{{group, std::move(list)}};
  }

  json unary(int depth) {
    if (depth > kMaxDepth) text_error(peek().pos, fmt::format("rule nests deeper than {} levels", kMaxDepth));
    if (is("not") && is("in", 1) && is("segment", 2)) {
      k_ += 3;
      return json{{"segment", string_literal()}, {"op", "not_in"}};
    }
    if (accept("not")) return json{{"not", unary(depth + 1)}};
    if (is("in") && is("segment", 1)) {
      k_ += 2;
      return json{{"segment", string_literal()}, {"op", "in"}};
    }
    if (accept("(")) {
      json e = expr(depth + 1);
      expect(")");
      return e;
    }
    if ((is("all") || is("any")) && is("(", 1)) {
      std::string g = peek().text;
      k_ += 2;
      json list = json::array();
      if (!accept(")")) {
        do list.push_back(expr(depth + 1));
        while (accept(","));
        expect(")");
      }
      return json{{g, std::move(list)}};
    }
    const Token& t = peek();
    if (t.kind != Tok::ident) text_error(t.pos, fmt::format("expected a condition, found {}", found()));
    std::string name = t.text;
    ++k_;
    if (is_agg(name) && is("(")) return agg(name);
    json leaf{{"field", name}};
    comparison(leaf);
    return leaf;
  }

  void comparison(json& leaf) {
    static const std::pair<const char*, const char*> simple[] = {
        {"=", "eq"}, {"!=", "ne"}, {"<", "lt"}, {"<=", "lte"}, {">", "gt"}, {">=", "gte"}};
    for (const auto& [sym, op] : simple)
      if (accept(sym)) {
        leaf["op"] = op;
        leaf["value"] = literal();
        return;
      }
    bool neg = false;
    if (is("not") && (is("between", 1) || is("in", 1) || is("contains", 1))) {
      neg = true;
      ++k_;
    }
    if (accept("between")) {
      leaf["op"] = neg ? "not_between" : "between";
      json lo = literal();
      expect("and");
      leaf["value"] = json::array({std::move(lo), literal()});
      return;
    }
    if (accept("in")) {
      leaf["op"] = neg ? "not_in" : "in";
      leaf["value"] = list();
      return;
    }
    if (accept("contains")) {
      leaf["op"] = neg ? "not_contains" : "contains";
      leaf["value"] = literal();
      return;
    }
    if (is("starts") && is("with", 1)) {
      k_ += 2;
      leaf["op"] = "starts_with";
      leaf["value"] = literal();
      return;
    }
    if (is("ends") && is("with", 1)) {
      k_ += 2;
      leaf["op"] = "ends_with";
      leaf["value"] = literal();
      return;
    }
    if (accept("is")) {
      const bool not_set = accept("not");
      expect("set");
      leaf["op"] = not_set ? "is_not_set" : "is_set";
      return;
    }
    text_error(peek().pos, fmt::format("expected an operator (=, !=, <, <=, >, >=, between, in, contains, "
                                       "starts with, ends with, is set), found {}", found()));
  }

  std::string string_literal() {
    json v = literal();
    if (!v.is_string()) text_error(toks_[k_ - 1].pos, "expected a string in double quotes");
    return v.get<std::string>();
  }

  json literal() {
    const Token& t = peek();
    if (t.kind == Tok::string || t.kind == Tok::number) {
      ++k_;
      json v;
      try {
        v = json::parse(t.text);
        if (!v.is_string() && !v.is_number()) throw std::runtime_error("not a literal");
      } catch (const std::exception&) {
        text_error(t.pos, fmt::format("bad literal {}", detail::printable(t.text)));
      }
      // As in the JSON form: a number is kept as written or refused, never rounded.
      if (t.kind == Tok::number) {
        try {
          detail::check_exact_numbers("value", t.text);
        } catch (const Error& e) {
          text_error(t.pos, e.what());
        }
      }
      return v;
    }
    if (accept("true")) return true;
    if (accept("false")) return false;
    text_error(t.pos, fmt::format("expected a value (\"text\", number, true, false), found {}", found()));
  }

  json list() {
    expect("[");
    json v = json::array();
    if (accept("]")) return v;
    do {
      if (v.size() >= kMaxListSize) text_error(peek().pos, fmt::format("list has more than {} values", kMaxListSize));
      v.push_back(literal());
    } while (accept(","));
    expect("]");
    return v;
  }

  json agg(const std::string& name) {
    expect("(");
    json leaf{{"agg", name}};
    json where = json::object();
    bool first = true;
    if (!accept(")")) {
      do {
        const Token& t = peek();
        if (first && name != "count") {
          expect("amount");
          leaf["of"] = "amount";
          first = false;
          continue;
        }
        first = false;
        if (t.kind != Tok::ident) text_error(t.pos, fmt::format("expected a filter or window, found {}", found()));
        const std::string w = t.text;
        if (w == "last") {
          ++k_;
          if (leaf.contains("window")) text_error(t.pos, "a second window");
          const Token& n = peek();
          json num = literal();
          if (!num.is_number_integer() && !num.is_number_unsigned()) text_error(n.pos, "expected a whole number");
          const Token& u = peek();
          if (u.kind != Tok::ident) text_error(u.pos, "expected a unit (days, weeks, months, years)");
          std::string unit = u.text;
          ++k_;
          if (unit.size() > 1 && unit.back() == 's') unit.pop_back();
          leaf["window"] = json{{"last", num}, {"unit", unit}};
        } else if (w == "from") {
          ++k_;
          if (leaf.contains("window")) text_error(t.pos, "a second window");
          std::string a = string_literal();
          expect("to");
          leaf["window"] = json{{"from", a}, {"to", string_literal()}};
        } else if (w == "kind" || w == "channel" || w == "direction") {
          ++k_;
          if (where.contains(w)) text_error(t.pos, fmt::format("'{}' given twice", w));
          if (accept("=")) where[w] = string_literal();
          else if (accept("in")) where[w] = list();
          else text_error(peek().pos, fmt::format("expected '=' or 'in' after {}", w));
        } else {
          // A bare interaction kind: count(purchase, ...).
          ++k_;
          if (where.contains("kind")) text_error(t.pos, "'kind' given twice");
          where["kind"] = w;
        }
      } while (accept(","));
      expect(")");
    } else if (name != "count") {
      text_error(peek().pos, fmt::format("{} needs 'amount' as its first argument", name));
    }
    if (!where.empty()) leaf["where"] = std::move(where);
    comparison(leaf);
    return leaf;
  }
};

// ---- printer ------------------------------------------------------------------------------

std::string lit(const json& v) { return v.dump(); }

std::string comparison_text(const json& n) {
  const std::string op = n.at("op").get<std::string>();
  static const std::pair<const char*, const char*> simple[] = {
      {"eq", "="}, {"ne", "!="}, {"lt", "<"}, {"lte", "<="}, {"gt", ">"}, {"gte", ">="}};
  for (const auto& [name, sym] : simple)
    if (op == name) return std::string(sym) + " " + lit(n.at("value"));
  if (op == "between" || op == "not_between")
    return std::string(op == "between" ? "between " : "not between ") + lit(n.at("value")[0]) + " and " +
           lit(n.at("value")[1]);
  if (op == "in" || op == "not_in") {
    std::string s = op == "in" ? "in [" : "not in [";
    const json& v = n.at("value");
    for (std::size_t i = 0; i < v.size(); ++i) s += (i ? ", " : "") + lit(v[i]);
    return s + "]";
  }
  if (op == "contains") return "contains " + lit(n.at("value"));
  if (op == "not_contains") return "not contains " + lit(n.at("value"));
  if (op == "starts_with") return "starts with " + lit(n.at("value"));
  if (op == "ends_with") return "ends with " + lit(n.at("value"));
  if (op == "is_set") return "is set";
  return "is not set";
}

std::string list_text(const json& v) {
  std::string s = "[";
  for (std::size_t i = 0; i < v.size(); ++i) s += (i ? ", " : "") + lit(v[i]);
  return s + "]";
}

bool infix_group(const json& n) {
  return (n.contains("all") && n.at("all").size() >= 2) || (n.contains("any") && n.at("any").size() >= 2);
}

std::string print(const json& n) {
  for (const char* g : {"all", "any"}) {
    if (!n.contains(g)) continue;
    const json& list = n.at(g);
    std::string s;
    if (list.size() < 2) {  // function form keeps 0- and 1-child groups distinct
      s = std::string(g) + "(";
      if (!list.empty()) s += print(list[0]);
      return s + ")";
    }
    for (std::size_t i = 0; i < list.size(); ++i) {
      if (i) s += std::string(" ") + (g[1] == 'l' ? "and" : "or") + " ";
      s += infix_group(list[i]) ? "(" + print(list[i]) + ")" : print(list[i]);
    }
    return s;
  }
  if (n.contains("not")) {
    const json& c = n.at("not");
    // "not in segment" would read back as the not_in leaf: keep `not` of an `in` visible.
    const bool segment_in = c.contains("segment") && c.at("op") == "in";
    return infix_group(c) || segment_in ? "not (" + print(c) + ")" : "not " + print(c);
  }
  if (n.contains("segment"))
    return std::string(n.at("op") == "in" ? "in segment " : "not in segment ") + lit(n.at("segment"));
  if (n.contains("agg")) {
    std::vector<std::string> args;
    if (n.contains("of")) args.push_back(n.at("of").get<std::string>());
    if (n.contains("where")) {
      const json& w = n.at("where");
      if (w.contains("kind")) {
        const json& k = w.at("kind");
        args.push_back(k.is_string() ? k.get<std::string>() : "kind in " + list_text(k));
      }
      for (const char* key : {"channel", "direction"})
        if (w.contains(key)) {
          const json& v = w.at(key);
          args.push_back(std::string(key) + (v.is_string() ? " = " + lit(v) : " in " + list_text(v)));
        }
    }
    if (n.contains("window")) {
      const json& w = n.at("window");
      if (w.contains("last")) {
        const auto num = w.at("last").get<std::int64_t>();
        args.push_back(fmt::format("last {} {}{}", num, w.at("unit").get<std::string>(), num == 1 ? "" : "s"));
      } else {
        args.push_back("from " + lit(w.at("from")) + " to " + lit(w.at("to")));
      }
    }
    std::string s = n.at("agg").get<std::string>() + "(";
    for (std::size_t i = 0; i < args.size(); ++i) s += (i ? ", " : "") + args[i];
    return s + ") " + comparison_text(n);
  }
  return n.at("field").get<std::string>() + " " + comparison_text(n);
}

}  // namespace

json rule_from_text(std::string_view text) {
  if (text.size() > kMaxRuleBytes) fail("rule", fmt::format("rule text is longer than {} bytes", kMaxRuleBytes));
  if (!detail::is_valid_utf8(text)) fail("rule", "rule text is not valid UTF-8 or contains NUL");
  Parser p(text);
  return canonical_rule(p.parse());
}

std::string rule_to_text(const json& canonical) { return print(canonical); }

}  // namespace crmkit::segments
