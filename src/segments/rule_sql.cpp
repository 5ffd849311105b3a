// The rule compiler: a canonical rule -> one parameterised SELECT. Every field goes through the
// whitelist to a fixed SQL expression and every value is a bound parameter, so no text of the
// rule ever reaches the SQL.
#include <algorithm>

#include <fmt/format.h>

#include "crmkit/error.hpp"
#include "crmkit/money.hpp"
#include "segments/fields.hpp"
#include "segments/rule.hpp"
#include "segments/rule_detail.hpp"

namespace crmkit::segments {

TimeInterval window_bounds(const json& w, Instant as_of) {
  if (w.contains("from")) {
    Day a = parse_date(w.at("from").get<std::string>(), "from");
    Day b = parse_date(w.at("to").get<std::string>(), "to");
    return {start_of_day(a), start_of_day(b + 1)};
  }
  const std::int64_t n = w.at("last").get<std::int64_t>();
  const std::string unit = w.at("unit").get<std::string>();
  if (unit == "day") return {as_of - n * kMillisPerDay, as_of};
  if (unit == "week") return {as_of - 7 * n * kMillisPerDay, as_of};
  // Calendar months, clamped to the target month's end (never SQLite's date() overflow); the
  // time of day is kept.
  const int months = static_cast<int>(unit == "year" ? 12 * n : n);
  const Day d = day_of(as_of);
  const Instant time_of_day = as_of - start_of_day(d);
  const CivilDate back = add_months(civil_from_day(d), -months);
  return {start_of_day(day_from_civil(back)) + time_of_day, as_of};
}

namespace {

class Compiler {
 public:
  explicit Compiler(const CompileContext& ctx) : ctx_(ctx), pg_(ctx.backend == detail::Backend::postgres) {
    // The calendar day "as of" refers to: the day of the last instant before as_of, so that a
    // date D given as as_of (the instant D+1 00:00) means day D.
    ref_day_ = day_of(ctx.as_of - 1);
  }

  CompiledRule run(const json& rule) {
    std::string where = node(rule, "rule");
    CompiledRule out;
    out.sql = "SELECT c.id FROM customers c";
    if (join_figures_) out.sql += " LEFT JOIN customer_figures f ON f.customer_id = c.id";
    if (!money_param_.empty())
      out.sql += " LEFT JOIN customer_money mo ON mo.customer_id = c.id AND mo.currency = " + money_param_;
    if (join_scores_) out.sql += " LEFT JOIN customer_scores s ON s.customer_id = c.id";
    if (join_rfm_) out.sql += " LEFT JOIN customer_rfm r ON r.customer_id = c.id";
    out.sql += " WHERE " + where;
    renumber(out);
    return out;
  }

  // C++ leaves the order of operands of + unspecified, so placeholders were numbered in
  // construction order; renumber them by first appearance so explain() reads ?1, ?2, ... The
  // SQL holds no user text, so every '?' is a placeholder.
  void renumber(CompiledRule& out) {
    std::vector<int> new_of(params_.size() + 1, 0);
    std::string sql;
    sql.reserve(out.sql.size());
    for (std::size_t i = 0; i < out.sql.size(); ++i) {
      if (out.sql[i] != '?') {
        sql += out.sql[i];
        continue;
      }
      std::size_t j = i + 1;
      int k = 0;
      while (j < out.sql.size() && out.sql[j] >= '0' && out.sql[j] <= '9') k = k * 10 + (out.sql[j++] - '0');
      if (k < 1 || k > static_cast<int>(params_.size())) fail("rule", "internal error: bad placeholder");
      if (!new_of[k]) {
        out.params.push_back(params_[static_cast<std::size_t>(k - 1)]);
        new_of[k] = static_cast<int>(out.params.size());
      }
      sql += fmt::format("?{}", new_of[k]);
      i = j - 1;
    }
    out.sql = std::move(sql);
  }

 private:
  const CompileContext& ctx_;
  // PostgreSQL: WHERE needs booleans (SQLite's nodes are 0, 1 or NULL), there is no
  // json_extract, instr or negative substr start, and text order must be binary (COLLATE "C"
  // whatever the database's collation). SQLite's output is unchanged.
  const bool pg_;
  Day ref_day_;
  std::vector<SqlParam> params_;
  std::string currency_param_, money_param_;
  bool join_figures_ = false, join_scores_ = false, join_rfm_ = false;

  std::string add(SqlParam p) {
    params_.push_back(std::move(p));
    return fmt::format("?{}", params_.size());
  }
  std::string integer(std::int64_t v) {
    SqlParam p;
    p.type = SqlParam::Type::integer;
    p.integer = v;
    return add(std::move(p));
  }
  std::string real(double v) {
    SqlParam p;
    p.type = SqlParam::Type::real;
    p.real = v;
    return add(std::move(p));
  }
  std::string text(const std::string& v) {
    SqlParam p;
    p.type = SqlParam::Type::text;
    p.text = v;
    return add(std::move(p));
  }
  // A constant truth value: 1 / 0 on SQLite, TRUE / FALSE on PostgreSQL.
  std::string truth(bool b) const { return pg_ ? (b ? "TRUE" : "FALSE") : (b ? "1" : "0"); }

  std::string currency() {
    if (currency_param_.empty()) currency_param_ = text(ctx_.currency);
    return currency_param_;
  }

  // SQLite's parser has a fixed stack (YYSTACKDEPTH 100 in the system library): every pending
  // "(", "NOT" or "x AND" holds entries until its operand is complete, so deep rules must be
  // compiled to SQL that leaves little pending. `need` estimates a node's stack use in those
  // units; a group puts its neediest child first, where only its "(" is pending (AND and OR are
  // commutative, in three-valued logic too), and `not` is a postfix test, pending nothing.
  struct Sql {
    std::string text;
    int need = 1;
  };

  std::string node(const json& n, const std::string& path) { return group_node(n, path).text; }

  Sql group_node(const json& n, const std::string& path) {
    if (n.contains("all") || n.contains("any")) {
      const bool all = n.contains("all");
      const json& list = n.at(all ? "all" : "any");
      if (list.empty()) return {truth(all), 1};
      std::vector<Sql> kids;
      for (std::size_t i = 0; i < list.size(); ++i)
        kids.push_back(group_node(list[i], fmt::format("{}.{}[{}]", path, all ? "all" : "any", i)));
      std::stable_sort(kids.begin(), kids.end(), [](const Sql& a, const Sql& b) { return a.need > b.need; });
      Sql s{"(", 0};
      for (std::size_t i = 0; i < kids.size(); ++i) {
        if (i) s.text += all ? " AND " : " OR ";
        s.text += kids[i].text;
        s.need = std::max(s.need, kids[i].need + (i ? 3 : 1));
      }
      s.text += ")";
      return s;
    }
    if (n.contains("not")) {
      Sql inner = group_node(n.at("not"), path + ".not");
      // Every compiled node is 0, 1 or NULL (a boolean on PostgreSQL). Strict: "= 0" is NOT (NULL
      // stays NULL). Lenient: a child that is unknown (NULL) counts as false, so `not` matches it.
      if (pg_ && ctx_.strict_nulls) return {"(NOT " + inner.text + ")", inner.need + 1};
      return {"(" + inner.text + (ctx_.strict_nulls ? " = 0)" : " IS NOT TRUE)"), inner.need + 1};
    }
    return {leaf(n, path), 1};
  }

  std::string leaf(const json& n, const std::string& path) {
    if (n.contains("segment")) {
      std::int64_t id = 0;
      if (ctx_.resolve_segment) {
        try {
          id = ctx_.resolve_segment(n.at("segment").get<std::string>());
        } catch (const Error& e) {
          throw Error(e.code(), path + ".segment: " + e.what());
        }
      }
      std::string s = "EXISTS (SELECT 1 FROM segment_membership m WHERE m.segment_id = " + integer(id) +
                      " AND m.customer_id = c.id AND m.left_at IS NULL)";
      return n.at("op") == "in" ? s : "(NOT " + s + ")";
    }
    Op op;
    parse_op(n.at("op").get<std::string>(), &op);
    if (n.contains("agg")) return agg(n, op, path);
    const std::string name = n.at("field").get<std::string>();
    if (name.rfind("attributes.", 0) == 0) {
      std::string jp = "$";
      const auto parts = attribute_path(name, path + ".field");
      if (pg_) return attribute_pg(parts, op, n, path);
      for (const auto& part : parts) jp += "." + part;
      return compare("json_extract(c.attributes, " + text(jp) + ")", FieldType::attribute, op, n, path);
    }
    if (name.rfind("consent.", 0) == 0) return compare(consent_state(name, path), FieldType::consent, op, n, path);
    const FieldInfo* f = find_field(name);
    if (!f) fail(path + ".field", "unknown field");
    if (f->type == FieldType::tags) return tags(op, n);
    return compare(field_sql(f->id), f->type, op, n, path);
  }

  // The consent state's name at as_of, as Consent::state derives it (src/identity/consent_state.cpp;
  // the two are one table, and tests/unit/consent_test.cpp compares them case by case): of the
  // customer's events for the purpose on the channel or on 'all' at or before as_of, the latest
  // decides, a withdraw first at equal instants, then the later recorded; 'none' without one.
  std::string consent_state(const std::string& name, const std::string& path) {
    const ConsentField f = consent_field(name, path + ".field");
    if (ctx_.known_purpose && !ctx_.known_purpose(f.purpose))
      fail(path + ".field", fmt::format("purpose '{}' is not registered", f.purpose));
    const std::string ttl =
        "(SELECT CAST(t.value AS BIGINT) FROM store_settings t WHERE t.key = 'consent_double_opt_in_ttl_ms')";
    return "COALESCE((SELECT CASE WHEN e.action = 'withdraw' THEN 'withdrawn' WHEN e.action = 'expire' THEN 'expired' "
           "WHEN e.action = 'request_double_opt_in' THEN (CASE WHEN " + integer(ctx_.as_of) +
           " >= COALESCE(e.expires_at, e.at + " + ttl + ") THEN 'expired' ELSE 'pending' END) "
           "WHEN e.expires_at IS NOT NULL AND " + integer(ctx_.as_of) + " >= e.expires_at THEN 'expired' "
           "ELSE 'granted' END FROM consent_events e WHERE e.customer_id = c.id AND e.purpose = " + text(f.purpose) +
           " AND (e.channel = " + text(f.channel) + " OR e.channel = 'all') AND e.at <= " + integer(ctx_.as_of) +
           " ORDER BY e.at DESC, (CASE WHEN e.action = 'withdraw' THEN 1 ELSE 0 END) DESC, e.id DESC LIMIT 1), "
           "'none')";
  }

  std::string figure(const char* col, bool zero_when_absent) {
    join_figures_ = true;
    return zero_when_absent ? fmt::format("coalesce(f.{}, 0)", col) : fmt::format("f.{}", col);
  }

  std::string field_sql(FieldId id) {
    switch (id) {
      case FieldId::id: return "c.id";
      case FieldId::external_id: return "c.external_id";
      case FieldId::kind: return "c.kind";
      case FieldId::display_name: return "c.display_name";
      case FieldId::given_name: return "c.given_name";
      case FieldId::family_name: return "c.family_name";
      case FieldId::email: return "c.email";
      case FieldId::phone: return "c.phone";
      case FieldId::gender: return "c.gender";
      case FieldId::country: return "c.country";
      case FieldId::region: return "c.region";
      case FieldId::city: return "c.city";
      case FieldId::postal_code: return "c.postal_code";
      case FieldId::lifecycle_stage: return "c.lifecycle_stage";
      case FieldId::acquisition_channel: return "c.acquisition_channel";
      case FieldId::acquisition_cost:
        return "(CASE WHEN c.acquisition_currency = " + currency() + " THEN c.acquisition_cost END)";
      case FieldId::created_at: return "c.created_at";
      case FieldId::updated_at: return "c.updated_at";
      case FieldId::birth_date: return "c.birth_date";
      case FieldId::erased_at: return "c.erased_at";
      case FieldId::age: {
        // Completed years on the reference day: the birthday counts on its day; a 29 February
        // birthday is reached on 1 March in common years ("MM-DD" text comparison).
        const CivilDate d = civil_from_day(ref_day_);
        if (pg_)
          return "(" + integer(d.year) + " - CAST(substr(c.birth_date, 1, 4) AS INTEGER) - CAST(substr(c.birth_date, 6, 5) " +
                 "COLLATE \"C\" > " + text(fmt::format("{:02}-{:02}", d.month, d.day)) + " AS INTEGER))";
        return "(" + integer(d.year) + " - CAST(substr(c.birth_date, 1, 4) AS INTEGER) - (substr(c.birth_date, 6, 5) > " +
               text(fmt::format("{:02}-{:02}", d.month, d.day)) + "))";
      }
      case FieldId::tags: return "";
      case FieldId::purchase_count: return figure("purchase_count", true);
      case FieldId::purchase_days: return figure("purchase_days", true);
      case FieldId::refund_count: return figure("refund_count", true);
      case FieldId::interaction_count: return figure("interaction_count", true);
      case FieldId::first_purchase_at: return figure("first_purchase_at", false);
      case FieldId::last_purchase_at: return figure("last_purchase_at", false);
      case FieldId::last_interaction_at: return figure("last_interaction_at", false);
      case FieldId::monetary_total:
        if (money_param_.empty()) money_param_ = currency();
        return "coalesce(mo.purchase_total + mo.refund_total, 0)";
      case FieldId::days_since_last_purchase:
        join_figures_ = true;
        // Difference of UTC day numbers (floor division, exact for times before 1970 too).
        return "(" + integer(ref_day_) +
               " - (f.last_purchase_at - ((f.last_purchase_at % 86400000) + 86400000) % 86400000) / 86400000)";
      case FieldId::p_alive: join_scores_ = true; return "s.p_alive";
      case FieldId::expected_purchases: join_scores_ = true; return "s.expected_purchases";
      case FieldId::predicted_clv: join_scores_ = true; return "s.predicted_clv";
      case FieldId::rfm_segment: join_rfm_ = true; return "r.segment";
      case FieldId::rfm_r: join_rfm_ = true; return "r.r_score";
      case FieldId::rfm_f: join_rfm_ = true; return "r.f_score";
      case FieldId::rfm_m: join_rfm_ = true; return "r.m_score";
      case FieldId::rfm_score: join_rfm_ = true; return "r.rfm_score";
      case FieldId::attribute: return "";
    }
    return "";
  }

  // A bound scalar of the field's type (money in minor units of the default currency).
  std::string value(const json& v, FieldType t, const std::string& path) {
    if (t == FieldType::money) {
      std::string s = v.is_string() ? v.get<std::string>() : v.dump();
      try {
        return integer(parse_amount(s, ctx_.currency, "amount"));
      } catch (const Error& e) {
        fail(path, fmt::format("{} (amounts are major units of {})", e.what(), ctx_.currency));
      }
    }
    if (v.is_boolean()) return integer(v.get<bool>() ? 1 : 0);  // json_extract gives 1 / 0
    if (v.is_number_integer()) return integer(v.get<std::int64_t>());
    if (v.is_number_unsigned()) {
      const auto u = v.get<std::uint64_t>();
      if (u <= static_cast<std::uint64_t>(INT64_MAX)) return integer(static_cast<std::int64_t>(u));
      return real(static_cast<double>(u));
    }
    if (v.is_number_float()) return real(v.get<double>());
    return text(v.get<std::string>());
  }

  std::string negative(const std::string& x, const std::string& cond) {
    return ctx_.strict_nulls ? "(" + cond + ")" : "(" + x + " IS NULL OR " + cond + ")";
  }

  std::string compare(const std::string& x, FieldType t, Op op, const json& n, const std::string& path) {
    const std::string vp = path + ".value";
    if (op == Op::is_set) return "(" + x + " IS NOT NULL)";
    if (op == Op::is_not_set) return "(" + x + " IS NULL)";
    const json& v = n.at("value");
    if (t == FieldType::instant) return compare_time(x, op, v, vp);
    // Text orders byte-wise on both: SQLite's BINARY, COLLATE "C" on PostgreSQL whatever the
    // database's collation.
    const std::string xo = pg_ && (t == FieldType::text || t == FieldType::date) ? x + " COLLATE \"C\"" : x;
    switch (op) {
      case Op::eq: return "(" + x + " = " + value(v, t, vp) + ")";
      case Op::ne: return negative(x, x + " <> " + value(v, t, vp));
      case Op::lt: return "(" + xo + " < " + value(v, t, vp) + ")";
      case Op::lte: return "(" + xo + " <= " + value(v, t, vp) + ")";
      case Op::gt: return "(" + xo + " > " + value(v, t, vp) + ")";
      case Op::gte: return "(" + xo + " >= " + value(v, t, vp) + ")";
      case Op::between:
        return "(" + xo + " BETWEEN " + value(v[0], t, vp + "[0]") + " AND " + value(v[1], t, vp + "[1]") + ")";
      case Op::not_between:
        return negative(x, xo + " NOT BETWEEN " + value(v[0], t, vp + "[0]") + " AND " + value(v[1], t, vp + "[1]"));
      case Op::in:
      case Op::not_in: {
        if (v.empty()) return truth(op != Op::in);
        std::string list;
        for (std::size_t i = 0; i < v.size(); ++i)
          list += (i ? ", " : "") + value(v[i], t, fmt::format("{}[{}]", vp, i));
        return op == Op::in ? "(" + x + " IN (" + list + "))" : negative(x, x + " NOT IN (" + list + ")");
      }
      case Op::contains: return "(" + position(x, value(v, t, vp)) + " > 0)";
      case Op::not_contains: return negative(x, position(x, value(v, t, vp)) + " = 0");
      case Op::starts_with:
      case Op::ends_with: return affix(x, op, v.get_ref<const std::string&>());
      default: break;
    }
    fail(path + ".op", "operator not supported here");
  }

  // Where `needle` first occurs in `x` (1-based, 0 if nowhere): instr on SQLite, strpos on
  // PostgreSQL.
  std::string position(const std::string& x, const std::string& needle) const {
    return (pg_ ? "strpos(" : "instr(") + x + ", " + needle + ")";
  }

  // starts_with / ends_with of a string value. substr and right count characters: the value's
  // length is bound in code points. SQLite takes the end as substr(x, -n), PostgreSQL as right().
  std::string affix(const std::string& x, Op op, const std::string& s) {
    if (s.empty()) return "(" + x + " IS NOT NULL)";
    std::int64_t chars = 0;
    for (unsigned char ch : s)
      if ((ch & 0xC0) != 0x80) ++chars;
    if (op == Op::starts_with) return "(substr(" + x + ", 1, " + integer(chars) + ") = " + text(s) + ")";
    const std::string length = "(length(" + x + ") >= " + integer(chars);
    const std::string tail = pg_ ? "right(" + x + ", " + integer(chars) + ")" : "substr(" + x + ", -" + integer(chars) + ")";
    return length + " AND " + tail + " = " + text(s) + ")";
  }

  // An attribute on PostgreSQL, with the results json_extract gives on SQLite: a JSON number
  // compares as a number, a boolean as 1 / 0, a string (or an object or array, as its JSON
  // text) as text, absent or JSON null is missing; across types SQLite's order holds (numbers
  // before text), and the text operators see a number as its text. The path is bound ('{a,b}').
  std::string attribute_pg(const std::vector<std::string>& parts, Op op, const json& n, const std::string& path) {
    std::string arr = "{";
    for (std::size_t i = 0; i < parts.size(); ++i) arr += (i ? "," : "") + parts[i];
    arr += "}";
    const std::string j = "(CAST(c.attributes AS jsonb) #> CAST(" + text(arr) + " AS text[]))";
    const std::string type = "jsonb_typeof(" + j + ")";
    const std::string x = "(" + j + " #>> '{}')";  // NULL when absent or JSON null
    if (op == Op::is_set) return "(" + x + " IS NOT NULL)";
    if (op == Op::is_not_set) return "(" + x + " IS NULL)";
    const std::string vp = path + ".value";
    const json& v = n.at("value");
    const std::string num = "(CASE " + x + " WHEN 'true' THEN 1 WHEN 'false' THEN 0 ELSE CAST(" + x + " AS numeric) END)";
    // x OP e; `sql_op` is one of = <> < <= > >=.
    auto cmp = [&](const std::string& sql_op, const json& e, const std::string& p) {
      const std::string val = value(e, FieldType::attribute, p);
      // The result when x's type is the other one: x before (a number, e text) or after e.
      const bool x_after = !e.is_string();
      bool other = sql_op == "<>";
      if (sql_op == "<" || sql_op == "<=") other = !x_after;
      if (sql_op == ">" || sql_op == ">=") other = x_after;
      if (e.is_string())
        return "(CASE WHEN " + type + " IN ('number', 'boolean') THEN " + truth(other) + " ELSE " + x +
               " COLLATE \"C\" " + sql_op + " " + val + " END)";
      return "(CASE WHEN " + type + " IN ('string', 'object', 'array') THEN " + truth(other) + " ELSE " + num + " " +
             sql_op + " " + val + " END)";
    };
    auto any_of = [&]() {
      std::string s = "(";
      for (std::size_t i = 0; i < v.size(); ++i) s += (i ? " OR " : "") + cmp("=", v[i], fmt::format("{}[{}]", vp, i));
      return s + ")";
    };
    // json_extract's value as text, as instr / substr / length read it (a boolean is 1 / 0).
    const std::string as_text = "(CASE WHEN " + type + " = 'boolean' THEN (CASE WHEN " + x +
                                " = 'true' THEN '1' ELSE '0' END) ELSE " + x + " END)";
    switch (op) {
      case Op::eq: return cmp("=", v, vp);
      case Op::ne: return negative(x, cmp("<>", v, vp));
      case Op::lt: return cmp("<", v, vp);
      case Op::lte: return cmp("<=", v, vp);
      case Op::gt: return cmp(">", v, vp);
      case Op::gte: return cmp(">=", v, vp);
      case Op::between: return "(" + cmp(">=", v[0], vp + "[0]") + " AND " + cmp("<=", v[1], vp + "[1]") + ")";
      case Op::not_between: return negative(x, cmp("<", v[0], vp + "[0]") + " OR " + cmp(">", v[1], vp + "[1]"));
      case Op::in: return v.empty() ? truth(false) : any_of();
      case Op::not_in: return v.empty() ? truth(true) : negative(x, "NOT " + any_of());
      case Op::contains: return "(" + position(as_text, text(v.get<std::string>())) + " > 0)";
      case Op::not_contains: return negative(x, position(as_text, text(v.get<std::string>())) + " = 0");
      case Op::starts_with:
      case Op::ends_with: return affix(as_text, op, v.get_ref<const std::string&>());
      default: break;
    }
    fail(path + ".op", "operator not supported here");
  }

  // Time values denote intervals [lo, hi): a date is its whole UTC day.
  std::string compare_time(const std::string& x, Op op, const json& v, const std::string& vp) {
    auto lo = [&](const json& e, const std::string& p) { return integer(time_interval(e.get<std::string>(), p).lo); };
    auto hi = [&](const json& e, const std::string& p) { return integer(time_interval(e.get<std::string>(), p).hi); };
    switch (op) {
      case Op::eq: return "(" + x + " >= " + lo(v, vp) + " AND " + x + " < " + hi(v, vp) + ")";
      case Op::ne: return negative(x, x + " < " + lo(v, vp) + " OR " + x + " >= " + hi(v, vp));
      case Op::lt: return "(" + x + " < " + lo(v, vp) + ")";
      case Op::lte: return "(" + x + " < " + hi(v, vp) + ")";
      case Op::gt: return "(" + x + " >= " + hi(v, vp) + ")";
      case Op::gte: return "(" + x + " >= " + lo(v, vp) + ")";
      case Op::between:
        return "(" + x + " >= " + lo(v[0], vp + "[0]") + " AND " + x + " < " + hi(v[1], vp + "[1]") + ")";
      case Op::not_between:
        return negative(x, x + " < " + lo(v[0], vp + "[0]") + " OR " + x + " >= " + hi(v[1], vp + "[1]"));
      default: break;
    }
    fail(vp, "operator not supported for time fields");
  }

  std::string tags(Op op, const json& n) {
    const std::string base = "SELECT 1 FROM customer_tags t WHERE t.customer_id = c.id";
    switch (op) {
      case Op::is_set: return "EXISTS (" + base + ")";
      case Op::is_not_set: return "(NOT EXISTS (" + base + "))";
      case Op::contains: return "EXISTS (" + base + " AND t.tag = " + text(n.at("value").get<std::string>()) + ")";
      case Op::not_contains:
        return "(NOT EXISTS (" + base + " AND t.tag = " + text(n.at("value").get<std::string>()) + "))";
      case Op::in:
      case Op::not_in: {
        const json& v = n.at("value");
        if (v.empty()) return truth(op != Op::in);
        std::string list;
        for (std::size_t i = 0; i < v.size(); ++i) list += (i ? ", " : "") + text(v[i].get<std::string>());
        std::string e = "EXISTS (" + base + " AND t.tag IN (" + list + "))";
        return op == Op::in ? e : "(NOT " + e + ")";
      }
      default: break;
    }
    fail("rule", "operator not supported for tags");
  }

  std::string where_list(const char* column, const json& v) {
    if (!v.is_array()) return fmt::format(" AND i.{} = ", column) + text(v.get<std::string>());
    if (v.empty()) return " AND " + truth(false);
    std::string list;
    for (std::size_t i = 0; i < v.size(); ++i) list += (i ? ", " : "") + text(v[i].get<std::string>());
    return fmt::format(" AND i.{} IN (", column) + list + ")";
  }

  std::string agg(const json& n, Op op, const std::string& path) {
    const std::string a = n.at("agg").get<std::string>();
    std::string s;
    if (a == "count") s = "(SELECT count(*)";
    else if (a == "sum") s = "(SELECT coalesce(sum(i.amount), 0)";
    else s = fmt::format("(SELECT {}(i.amount)", a);
    // Correlated on interactions_timeline (customer_id, occurred_at, id): a range scan per customer.
    s += " FROM interactions i WHERE i.customer_id = c.id";
    TimeInterval w{0, ctx_.as_of};
    if (n.contains("window")) {
      w = window_bounds(n.at("window"), ctx_.as_of);
      s += " AND i.occurred_at >= " + integer(w.lo);
    }
    s += " AND i.occurred_at < " + integer(w.hi);
    if (n.contains("where")) {
      const json& wh = n.at("where");
      if (wh.contains("kind")) s += where_list("kind", wh.at("kind"));
      if (wh.contains("channel")) s += where_list("channel", wh.at("channel"));
      if (wh.contains("direction")) s += where_list("direction", wh.at("direction"));
    }
    // Amounts: only the default currency's rows (currencies are never added together).
    if (a != "count") s += " AND i.currency = " + currency();
    s += ")";
    return compare(s, a == "count" ? FieldType::number : FieldType::money, op, n, path);
  }
};

}  // namespace

CompiledRule compile_rule(const json& canonical, const CompileContext& ctx) {
  // Years 0001..9999: keeps every window bound and day number far from int64 overflow.
  constexpr Instant kMin = -62'135'596'800'000, kMax = 253'402'300'800'000;
  if (ctx.as_of < kMin || ctx.as_of > kMax)
    throw Error(Errc::invalid_argument,
                fmt::format("as_of {} is outside the years 0001..9999", static_cast<long long>(ctx.as_of)));
  Compiler c(ctx);
  return c.run(canonical);
}

}  // namespace crmkit::segments
