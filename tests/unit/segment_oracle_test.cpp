// The compiled SQL against an independent evaluator written here over plain structs, on a
// randomised population and many random rules (fixed seeds), in both null modes, at as-of
// instants on month ends and leap days. Also checks the text form round trip on every rule.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <utility>
#include <variant>

#include <nlohmann/json.hpp>

#include "crmkit/error.hpp"
#include "crmkit/segment.hpp"
#include "segment_world.hpp"
#include "segments/rule.hpp"

using nlohmann::json;
using segtest::Act;
using segtest::Person;

namespace {

// ---- the independent evaluator ---------------------------------------------------------------

using Val = std::variant<std::monostate, double, std::string>;  // missing / number / text

int days_in(int y, int m) {
  static const int d[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
  return m == 2 && leap ? 29 : d[m - 1];
}

// Day number <-> civil, written independently of the library (counting from 1970 by years).
std::int64_t days_from(int y, int m, int d) {
  std::int64_t n = 0;
  for (int yy = 1970; yy < y; ++yy) n += (days_in(yy, 2) == 29 ? 366 : 365);
  for (int yy = y; yy < 1970; ++yy) n -= (days_in(yy, 2) == 29 ? 366 : 365);
  for (int mm = 1; mm < m; ++mm) n += days_in(y, mm);
  return n + d - 1;
}
void civil(std::int64_t day, int& y, int& m, int& d) {
  y = 1970;
  while (true) {
    int len = days_in(y, 2) == 29 ? 366 : 365;
    if (day < 0) { --y; day += days_in(y, 2) == 29 ? 366 : 365; continue; }
    if (day >= len) { day -= len; ++y; continue; }
    break;
  }
  m = 1;
  while (day >= days_in(y, m)) day -= days_in(y, m++);
  d = static_cast<int>(day) + 1;
}
std::int64_t floor_div(std::int64_t a, std::int64_t b) { return a >= 0 ? a / b : -((-a + b - 1) / b); }
constexpr std::int64_t DAY = 86400000;

std::int64_t parse_day(const std::string& s) {
  return days_from(std::stoi(s.substr(0, 4)), std::stoi(s.substr(5, 2)), std::stoi(s.substr(8, 2)));
}

// Amount in a rule (number or decimal string) -> cents.
std::int64_t cents(const json& v) {
  std::string s = v.is_string() ? v.get<std::string>() : v.dump();
  bool neg = !s.empty() && s[0] == '-';
  if (neg) s = s.substr(1);
  auto dot = s.find('.');
  std::string whole = s.substr(0, dot), frac = dot == std::string::npos ? "" : s.substr(dot + 1);
  while (frac.size() < 2) frac += '0';
  std::int64_t c = std::stoll(whole) * 100 + std::stoll(frac);
  return neg ? -c : c;
}

struct Oracle {
  const std::vector<Person>& people;
  const std::map<std::string, std::set<std::int64_t>>& segs;
  std::int64_t as_of;
  bool strict;

  // 1 true, 0 false, -1 unknown (strict mode only).
  int node(const json& n, const Person& p) const {
    // A group is settled by the first child with its deciding value (false for all, true for
    // any); otherwise it is unknown when a child is, else the other value.
    static constexpr std::pair<const char*, int> kGroups[] = {{"all", 0}, {"any", 1}};
    for (const auto& [group, decisive] : kGroups) {
      if (!n.contains(group)) continue;
      int r = 1 - decisive;
      for (const auto& c : n[group]) {
        int v = node(c, p);
        if (v == decisive) return decisive;
        if (v < 0) r = -1;
      }
      return r;
    }
    if (n.contains("not")) {
      int v = node(n["not"], p);
      if (v < 0) return strict ? -1 : 1;
      return !v;
    }
    if (n.contains("segment")) {
      auto it = segs.find(n["segment"].get<std::string>());
      bool in = it != segs.end() && it->second.count(p.id);
      return n["op"] == "in" ? in : !in;
    }
    const std::string op = n["op"];
    if (n.contains("field") && n["field"] == "tags") return tags(op, n, p);
    Val x = n.contains("agg") ? agg(n, p) : field(n["field"], p);
    bool time = n.contains("field") && (n["field"] == "created_at" || n["field"] == "last_purchase_at" ||
                                        n["field"] == "first_purchase_at" || n["field"] == "last_interaction_at");
    bool money = (n.contains("agg") && n["agg"] != "count") ||
                 (n.contains("field") && (n["field"] == "monetary_total" || n["field"] == "acquisition_cost"));
    if (op == "is_set") return !std::holds_alternative<std::monostate>(x);
    if (op == "is_not_set") return std::holds_alternative<std::monostate>(x);
    const bool negative = op == "ne" || op == "not_between" || op == "not_in" || op == "not_contains";
    if (std::holds_alternative<std::monostate>(x)) {
      if (op == "in" && n["value"].empty()) return 0;
      if (op == "not_in" && n["value"].empty()) return 1;
      return strict ? -1 : (negative ? 1 : 0);
    }
    auto conv = [&](const json& v) -> Val {
      if (money) return static_cast<double>(cents(v));
      if (v.is_boolean()) return v.get<bool>() ? 1.0 : 0.0;
      if (v.is_number()) return v.get<double>();
      return v.get<std::string>();
    };
    auto cmp = [&](const Val& a, const Val& b) -> int {  // SQLite: numbers sort before text
      if (a.index() != b.index()) return a.index() < b.index() ? -1 : 1;
      if (std::holds_alternative<double>(a)) {
        double u = std::get<double>(a), v = std::get<double>(b);
        return u < v ? -1 : u > v ? 1 : 0;
      }
      int c = std::get<std::string>(a).compare(std::get<std::string>(b));
      return c < 0 ? -1 : c > 0 ? 1 : 0;
    };
    if (time) {
      // Time values are intervals: a date is its whole day, an instant one millisecond.
      double t = std::get<double>(x);
      auto iv = [](const json& v) {
        std::string s = v;
        if (s.size() == 10) {
          std::int64_t d = parse_day(s);
          return std::pair<double, double>(d * DAY, (d + 1) * DAY);
        }
        std::int64_t i = crmkit::parse_instant(s);
        return std::pair<double, double>(i, i + 1);
      };
      const json& v = n["value"];
      if (op == "eq") return iv(v).first <= t && t < iv(v).second;
      if (op == "ne") return !(iv(v).first <= t && t < iv(v).second);
      if (op == "lt") return t < iv(v).first;
      if (op == "lte") return t < iv(v).second;
      if (op == "gt") return t >= iv(v).second;
      if (op == "gte") return t >= iv(v).first;
      if (op == "between") return iv(v[0]).first <= t && t < iv(v[1]).second;
      if (op == "not_between") return !(iv(v[0]).first <= t && t < iv(v[1]).second);
      FAIL("time op " << op);
    }
    const json& v = n["value"];
    if (op == "eq") return cmp(x, conv(v)) == 0;
    if (op == "ne") return cmp(x, conv(v)) != 0;
    if (op == "lt") return cmp(x, conv(v)) < 0;
    if (op == "lte") return cmp(x, conv(v)) <= 0;
    if (op == "gt") return cmp(x, conv(v)) > 0;
    if (op == "gte") return cmp(x, conv(v)) >= 0;
    if (op == "between" || op == "not_between") {
      bool in = cmp(x, conv(v[0])) >= 0 && cmp(x, conv(v[1])) <= 0;
      return op == "between" ? in : !in;
    }
    if (op == "in" || op == "not_in") {
      bool in = false;
      for (const auto& e : v) in = in || cmp(x, conv(e)) == 0;
      return op == "in" ? in : !in;
    }
    const std::string& s = std::get<std::string>(x);
    const std::string w = v.get<std::string>();
    if (op == "contains") return s.find(w) != std::string::npos;
    if (op == "not_contains") return s.find(w) == std::string::npos;
    if (op == "starts_with") return s.size() >= w.size() && s.compare(0, w.size(), w) == 0;
    if (op == "ends_with") return s.size() >= w.size() && s.compare(s.size() - w.size(), w.size(), w) == 0;
    FAIL("op " << op);
    return 0;
  }

  int tags(const std::string& op, const json& n, const Person& p) const {
    if (op == "is_set") return !p.tags.empty();
    if (op == "is_not_set") return p.tags.empty();
    if (op == "contains") return p.tags.count(n["value"].get<std::string>()) > 0;
    if (op == "not_contains") return p.tags.count(n["value"].get<std::string>()) == 0;
    bool any = false;
    for (const auto& t : n["value"]) any = any || p.tags.count(t.get<std::string>());
    return op == "in" ? any : !any;
  }

  static Val opt(const std::optional<std::string>& s) { return s ? Val(*s) : Val(); }

  Val field(const std::string& f, const Person& p) const {
    std::int64_t purchases = 0, refunds = 0, net = 0;
    std::optional<std::int64_t> first, last, last_any;
    std::set<std::int64_t> days;
    for (const auto& a : p.acts) {
      last_any = std::max(last_any.value_or(a.at), a.at);
      if (a.kind == "purchase") {
        ++purchases;
        days.insert(floor_div(a.at, DAY));
        first = std::min(first.value_or(a.at), a.at);
        last = std::max(last.value_or(a.at), a.at);
      }
      if (a.kind == "refund") ++refunds;
      if (a.amount && a.currency == "USD") net += *a.amount;
    }
    if (f == "id") return static_cast<double>(p.id);
    if (f == "kind") return p.kind;
    if (f == "email") return opt(p.email);
    if (f == "gender") return opt(p.gender);
    if (f == "country") return opt(p.country);
    if (f == "city") return opt(p.city);
    if (f == "display_name") return opt(p.display_name);
    if (f == "lifecycle_stage") return p.lifecycle;
    if (f == "acquisition_cost")
      return p.acq_cost && p.acq_currency == "USD" ? Val(static_cast<double>(*p.acq_cost)) : Val();
    if (f == "created_at") return static_cast<double>(p.created_at);
    if (f == "birth_date") return opt(p.birth_date);
    if (f == "age") {
      if (!p.birth_date) return {};
      int y, m, d;
      civil(floor_div(as_of - 1, DAY), y, m, d);
      const std::string& b = *p.birth_date;
      int by = std::stoi(b.substr(0, 4)), bm = std::stoi(b.substr(5, 2)), bd = std::stoi(b.substr(8, 2));
      int age = y - by - ((m < bm || (m == bm && d < bd)) ? 1 : 0);
      return static_cast<double>(age);
    }
    if (f == "purchase_count") return static_cast<double>(purchases);
    if (f == "purchase_days") return static_cast<double>(days.size());
    if (f == "refund_count") return static_cast<double>(refunds);
    if (f == "interaction_count") return static_cast<double>(p.acts.size());
    if (f == "first_purchase_at") return first ? Val(static_cast<double>(*first)) : Val();
    if (f == "last_purchase_at") return last ? Val(static_cast<double>(*last)) : Val();
    if (f == "last_interaction_at") return last_any ? Val(static_cast<double>(*last_any)) : Val();
    if (f == "monetary_total") return static_cast<double>(net);
    if (f == "days_since_last_purchase") {
      if (!last) return {};
      return static_cast<double>(floor_div(as_of - 1, DAY) - floor_div(*last, DAY));
    }
    if (f == "p_alive") return p.p_alive ? Val(*p.p_alive) : Val();
    if (f == "rfm_segment") return opt(p.rfm_segment);
    if (f == "rfm_r") return p.rfm_r ? Val(static_cast<double>(*p.rfm_r)) : Val();
    if (f == "attributes.tier") return opt(p.tier);
    if (f == "attributes.score") return p.score ? Val(static_cast<double>(*p.score)) : Val();
    if (f == "attributes.vip") return p.vip ? Val(*p.vip ? 1.0 : 0.0) : Val();
    if (f == "attributes.missing.deep") return {};
    FAIL("field " << f);
    return {};
  }

  std::pair<std::int64_t, std::int64_t> window(const json& w) const {
    if (w.contains("from"))
      return {parse_day(w["from"]) * DAY, (parse_day(w["to"]) + 1) * DAY};
    std::int64_t n = w["last"];
    std::string u = w["unit"];
    if (u == "day") return {as_of - n * DAY, as_of};
    if (u == "week") return {as_of - 7 * n * DAY, as_of};
    std::int64_t months = u == "year" ? 12 * n : n;
    std::int64_t day = floor_div(as_of, DAY), tod = as_of - day * DAY;
    int y, m, d;
    civil(day, y, m, d);
    std::int64_t idx = y * 12LL + (m - 1) - months;
    int ny = static_cast<int>(floor_div(idx, 12)), nm = static_cast<int>(idx - ny * 12LL) + 1;
    int nd = std::min(d, days_in(ny, nm));
    return {days_from(ny, nm, nd) * DAY + tod, as_of};
  }

  static bool matches(const json& where, const char* key, const std::string& v) {
    if (!where.contains(key)) return true;
    const json& w = where[key];
    if (w.is_string()) return w == v;
    for (const auto& e : w)
      if (e == v) return true;
    return false;
  }

  Val agg(const json& n, const Person& p) const {
    std::pair<std::int64_t, std::int64_t> w{INT64_MIN, as_of};
    if (n.contains("window")) w = window(n["window"]);
    const json where = n.contains("where") ? n["where"] : json::object();
    const std::string a = n["agg"];
    std::int64_t count = 0, sum = 0, mn = INT64_MAX, mx = INT64_MIN;
    for (const Act& x : p.acts) {
      if (x.at < w.first || x.at >= w.second) continue;
      if (!matches(where, "kind", x.kind) || !matches(where, "channel", x.channel) ||
          !matches(where, "direction", x.direction))
        continue;
      if (a != "count" && !(x.amount && x.currency == "USD")) continue;
      ++count;
      if (x.amount) {
        sum += *x.amount;
        mn = std::min(mn, *x.amount);
        mx = std::max(mx, *x.amount);
      }
    }
    if (a == "count") return static_cast<double>(count);
    if (a == "sum") return static_cast<double>(sum);
    if (count == 0) return {};
    if (a == "avg") return static_cast<double>(sum) / static_cast<double>(count);
    return static_cast<double>(a == "min" ? mn : mx);
  }
};

// ---- the random rule generator (emits canonical rules) ----------------------------------------

struct Gen {
  std::mt19937_64 rng;
  int pick(int n) { return static_cast<int>(rng() % static_cast<std::uint64_t>(n)); }
  bool chance(int pct) { return pick(100) < pct; }
  template <class T>
  const T& one(const std::vector<T>& v) { return v[static_cast<std::size_t>(pick(static_cast<int>(v.size())))]; }

  json text_value(const std::string& f) {
    static const std::map<std::string, std::vector<std::string>> pools{
        {"gender", {"F", "M", "X", "f", ""}},
        {"country", {"DE", "FR", "US", "GB", "D", "ZZ"}},
        {"city", {"Berlin", "Paris", "New York", "Köln", "a%b_c", "O'Hara", "", "%", "_", "er", "Ber", "lin", "ö"}},
        {"email", {"user1@example.com", "@example.com", "user", "shop.de", "%", "user1"}},
        {"kind", {"person", "organization"}},
        {"display_name", {"Name 1", "Name", "1", "me 2"}},
        {"lifecycle_stage", {"lead", "prospect", "customer", "churned"}},
        {"rfm_segment", {"champions", "at_risk", "hibernating", "ch"}},
        {"attributes.tier", {"gold", "silver", "Gold", "bronze", "go", "ld"}},
        {"attributes.missing.deep", {"x", ""}},
    };
    return one(pools.at(f));
  }
  json number_value(const std::string& f) {
    if (f == "age") return 20 + pick(60);
    if (f == "id") return 1 + pick(300);
    if (f == "p_alive") return pick(1000) / 1000.0;
    if (f == "rfm_r" || f == "purchase_count" || f == "refund_count" || f == "purchase_days") return pick(6);
    if (f == "interaction_count") return pick(12);
    if (f == "days_since_last_purchase") return pick(900);
    if (f == "attributes.score") return chance(20) ? json(pick(100) + 0.5) : json(pick(100));
    if (f == "attributes.vip") return chance(50);
    return pick(10);
  }
  json money_value() {
    int c = pick(60000) - 5000;
    if (chance(30)) return c / 100;                        // whole units as a number
    if (chance(30)) return json(static_cast<double>(c / 10) / 10.0);  // one decimal as a number
    char buf[32];
    std::snprintf(buf, sizeof buf, "%s%d.%02d", c < 0 ? "-" : "", std::abs(c) / 100, std::abs(c) % 100);
    return std::string(buf);
  }
  json time_value() {
    static const std::vector<std::string> v{"2024-02-29", "2024-03-01", "2023-02-28", "2024-08-31", "2024-08-30",
                                            "2023-06-15", "2022-01-01", "2024-12-31", "2024-02-29T00:00:00Z",
                                            "2024-08-31T00:00:00.000Z", "2024-02-28T23:59:59.999Z",
                                            "2023-05-01T12:30:00+02:00"};
    return one(v);
  }
  json date_value() {
    static const std::vector<std::string> v{"2000-02-29", "1980-08-30", "1990-01-01", "1960-02-29", "2000-02-28",
                                            "1975-12-31", "2009-06-30"};
    return one(v);
  }

  json value_for(const std::string& type, const std::string& f) {
    if (type == "text") return text_value(f);
    if (type == "number") return number_value(f);
    if (type == "money") return money_value();
    if (type == "time") return time_value();
    return date_value();
  }

  json leaf() {
    int k = pick(100);
    if (k < 8) {
      static const std::vector<std::string> tags{"vip", "newsletter", "b2b", "50%", "x_y", "none"};
      json n{{"field", "tags"}};
      static const std::vector<std::string> ops{"contains", "not_contains", "in", "not_in", "is_set", "is_not_set"};
      std::string op = one(ops);
      n["op"] = op;
      if (op == "contains" || op == "not_contains") n["value"] = one(tags);
      if (op == "in" || op == "not_in") {
        json l = json::array();
        for (int i = pick(4); i > 0; --i) l.push_back(one(tags));
        n["value"] = l;
      }
      return n;
    }
    if (k < 12) return json{{"segment", chance(50) ? "club" : "blocked"}, {"op", chance(50) ? "in" : "not_in"}};
    if (k < 35) return agg_leaf();
    static const std::vector<std::pair<std::string, std::string>> fields{
        {"gender", "text"}, {"country", "text"}, {"city", "text"}, {"email", "text"}, {"kind", "text"},
        {"display_name", "text"}, {"lifecycle_stage", "text"}, {"rfm_segment", "text"}, {"attributes.tier", "text"},
        {"age", "number"}, {"id", "number"}, {"p_alive", "number"}, {"rfm_r", "number"}, {"purchase_count", "number"},
        {"refund_count", "number"}, {"purchase_days", "number"}, {"interaction_count", "number"},
        {"days_since_last_purchase", "number"}, {"attributes.score", "number"}, {"attributes.vip", "number"},
        {"monetary_total", "money"}, {"acquisition_cost", "money"},
        {"created_at", "time"}, {"last_purchase_at", "time"}, {"first_purchase_at", "time"},
        {"last_interaction_at", "time"}, {"birth_date", "date"}, {"attributes.missing.deep", "text"}};
    const auto& [f, type] = one(fields);
    std::vector<std::string> ops{"eq", "ne", "lt", "lte", "gt", "gte", "between", "not_between", "is_set", "is_not_set"};
    if (type == "text" || type == "number" || type == "money") {
      ops.push_back("in");
      ops.push_back("not_in");
    }
    if (type == "text")
      for (const char* o : {"contains", "not_contains", "starts_with", "ends_with"}) ops.push_back(o);
    if (f == "attributes.vip") ops = {"eq", "ne", "is_set", "is_not_set", "in", "not_in"};
    const std::string op = one(ops);
    json n{{"field", f}, {"op", op}};
    if (op == "between" || op == "not_between") {
      json a = value_for(type, f), b = value_for(type, f);
      n["value"] = json::array({a, b});
    } else if (op == "in" || op == "not_in") {
      json l = json::array();
      for (int i = pick(4); i > 0; --i) l.push_back(value_for(type, f));
      n["value"] = l;
    } else if (op != "is_set" && op != "is_not_set") {
      n["value"] = value_for(type, f);
    }
    return n;
  }

  json agg_leaf() {
    static const std::vector<std::string> aggs{"count", "count", "sum", "avg", "min", "max"};
    const std::string a = one(aggs);
    json n{{"agg", a}};
    if (a != "count") n["of"] = "amount";
    json where = json::object();
    if (chance(60)) {
      static const std::vector<std::string> kinds{"purchase", "refund", "visit", "email_open"};
      where["kind"] = chance(70) ? json(one(kinds)) : json::array({one(kinds), one(kinds)});
    }
    if (chance(25)) where["channel"] = chance(50) ? json("web") : json::array({"store", "email"});
    if (chance(15)) where["direction"] = chance(50) ? json("inbound") : json::array();
    if (!where.empty()) n["where"] = where;
    int w = pick(10);
    static const std::vector<std::string> units{"day", "week", "month", "year"};
    if (w < 6) {
      std::string u = one(units);
      n["window"] = json{{"last", 1 + pick(u == "day" ? 400 : u == "week" ? 60 : u == "month" ? 14 : 3)}, {"unit", u}};
    } else if (w < 9) {
      static const std::vector<std::pair<std::string, std::string>> ranges{
          {"2024-02-29", "2024-02-29"}, {"2024-02-01", "2024-02-29"}, {"2023-03-01", "2024-08-31"},
          {"2022-01-01", "2024-12-31"}, {"2024-08-31", "2024-09-01"}};
      const auto& r = one(ranges);
      n["window"] = json{{"from", r.first}, {"to", r.second}};
    }
    static const std::vector<std::string> ops{"eq", "ne", "lt", "lte", "gt", "gte", "between", "not_between",
                                              "in", "not_in", "is_set", "is_not_set"};
    const std::string op = one(ops);
    n["op"] = op;
    auto val = [&]() -> json { return a == "count" ? json(pick(5)) : money_value(); };
    if (op == "between" || op == "not_between") n["value"] = json::array({val(), val()});
    else if (op == "in" || op == "not_in") {
      json l = json::array();
      for (int i = pick(3); i > 0; --i) l.push_back(val());
      n["value"] = l;
    } else if (op != "is_set" && op != "is_not_set") n["value"] = val();
    return n;
  }

  json rule(int depth) {
    if (depth >= 3 || chance(35)) return leaf();
    int g = pick(10);
    if (g < 2) return json{{"not", rule(depth + 1)}};
    json list = json::array();
    for (int i = pick(4); i > 0; --i) list.push_back(rule(depth + 1));
    return json{{g < 6 ? "all" : "any", list}};
  }
};

std::vector<std::int64_t> oracle_ids(const Oracle& o, const json& rule) {
  std::vector<std::int64_t> ids;
  for (const auto& p : o.people)
    if (o.node(rule, p) == 1) ids.push_back(p.id);
  return ids;
}

}  // namespace

TEST_CASE("compiled rules agree with an independent evaluator on random data", "[segments][oracle]") {
  const auto world = segtest::World::make(20261123, 300, 14);
  crmkit::Store store = segtest::store_of(world);
  crmkit::Segments segs(store);
  for (const auto& [name, ids] : world.static_members) {
    segs.create(name, crmkit::SegmentKind::manual_static, "");
    segs.add_customers(name, {ids.begin(), ids.end()}, segtest::ms_of(2024, 1, 1));
  }
  // As-of instants: ends of days (dates given as as_of) at month ends and around leap days,
  // plus one instant in the middle of a day.
  const std::vector<crmkit::Instant> as_ofs{
      crmkit::end_of_day(crmkit::day_from_civil({2024, 8, 30})),   // 2024-08-31 00:00: -6 months = Feb 29
      crmkit::end_of_day(crmkit::day_from_civil({2024, 2, 28})),   // 2024-02-29 00:00: -12 months = 2023-02-28
      crmkit::end_of_day(crmkit::day_from_civil({2024, 2, 29})),   // 2024-03-01 00:00
      crmkit::end_of_day(crmkit::day_from_civil({2024, 5, 30})),   // 2024-05-31 00:00: -3 months = Feb 29
      crmkit::end_of_day(crmkit::day_from_civil({2024, 12, 30})),  // 2024-12-31 00:00
      crmkit::parse_instant("2024-07-31T13:45:10.5Z"),
  };
  Gen gen{std::mt19937_64(4242)};
  int checked = 0, nonempty = 0, partial = 0;
  for (int i = 0; i < 1500; ++i) {
    json rule = gen.rule(0);
    // The generator emits canonical rules: validation keeps them as they are ...
    json canonical = crmkit::segments::canonical_rule(rule);
    REQUIRE(canonical == rule);
    // ... and the text form round-trips.
    std::string text = crmkit::segments::rule_to_text(canonical);
    INFO("rule " << rule.dump() << "\ntext " << text);
    REQUIRE(crmkit::segments::rule_from_text(text) == canonical);
    REQUIRE(crmkit::segments::rule_to_text(crmkit::segments::rule_from_text(text)) == text);
    for (bool strict : {false, true}) {
      const crmkit::Instant as_of = as_ofs[static_cast<std::size_t>(i + (strict ? 3 : 0)) % as_ofs.size()];
      Oracle o{world.people, world.static_members, as_of, strict};
      crmkit::RuleOptions opt;
      opt.strict_nulls = strict;
      INFO("strict " << strict << " as_of " << crmkit::format_instant(as_of));
      auto got = segs.evaluate(rule.dump(), as_of, opt);
      auto want = oracle_ids(o, rule);
      REQUIRE(got == want);
      ++checked;
      if (!want.empty()) ++nonempty;
      if (!want.empty() && want.size() < world.people.size()) ++partial;
    }
  }
  // The rules were not trivially all-or-nothing.
  CHECK(checked == 3000);
  CHECK(partial > 1000);
}

TEST_CASE("every operator and window kind appears in the random rules", "[segments][oracle]") {
  Gen gen{std::mt19937_64(4242)};
  std::set<std::string> ops, windows, aggs;
  std::function<void(const json&)> walk = [&](const json& n) {
    if (n.contains("all")) for (const auto& c : n["all"]) walk(c);
    else if (n.contains("any")) for (const auto& c : n["any"]) walk(c);
    else if (n.contains("not")) walk(n["not"]);
    else {
      ops.insert(n["op"].get<std::string>());
      if (n.contains("agg")) aggs.insert(n["agg"].get<std::string>());
      if (n.contains("window")) windows.insert(n["window"].contains("from") ? "range" : n["window"]["unit"].get<std::string>());
    }
  };
  for (int i = 0; i < 1500; ++i) walk(gen.rule(0));
  CHECK(ops.size() == 16);
  CHECK(windows == std::set<std::string>{"day", "week", "month", "year", "range"});
  CHECK(aggs.size() == 5);
}
