// libFuzzer target: the segment rule parser (JSON and text forms), the canonical printer and the
// compiler. The first byte picks the form (even: JSON, odd: text); the rest is the rule.
// Invariants checked on every accepted rule:
//   - canonical_rule(rule) == rule, and the text form round-trips both ways;
//   - compilation gives SQL that SQLite prepares and runs, with exactly ?1..?n placeholders;
//   - only crmkit::Error ever escapes (anything else crashes the target).
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>


#include "crmkit/error.hpp"
#include "crmkit/store.hpp"
#include "segments/rule.hpp"
#include "store/connection.hpp"

namespace {

crmkit::Store& store() {
  static crmkit::Store s = [] {
    crmkit::Store st = crmkit::Store::open(":memory:");
    auto& db = crmkit::detail::connection_of(st).db;
    db.exec("CREATE TABLE IF NOT EXISTS customer_scores(customer_id INTEGER PRIMARY KEY, p_alive REAL, "
            "expected_purchases REAL, predicted_clv REAL)");
    db.exec("CREATE TABLE IF NOT EXISTS customer_rfm(customer_id INTEGER PRIMARY KEY, recency_days INTEGER, "
            "frequency INTEGER, monetary INTEGER, r_score INTEGER, f_score INTEGER, m_score INTEGER, "
            "rfm_score INTEGER, segment TEXT)");
    db.exec("INSERT INTO customers(id, created_at, updated_at, birth_date, city, attributes) VALUES "
            "(1, 0, 0, '2000-02-29', 'Berlin', '{\"a\":{\"b\":1},\"tier\":\"gold\"}'), (2, 5, 5, NULL, NULL, '{}')");
    db.exec("INSERT INTO interactions(customer_id, occurred_at, channel, kind, amount, currency) VALUES "
            "(1, 1709164800000, 'web', 'purchase', 1250, 'USD')");
    return st;
  }();
  return s;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  const std::string_view input(reinterpret_cast<const char*>(data) + 1, size - 1);
  namespace seg = crmkit::segments;
  seg::json rule;
  try {
    rule = (data[0] & 1) ? seg::rule_from_text(input) : seg::parse_rule(input);
  } catch (const crmkit::Error&) {
    return 0;
  }
  if (seg::canonical_rule(rule) != rule) std::abort();
  const std::string text = seg::rule_to_text(rule);
  const seg::json again = seg::rule_from_text(text);  // must not throw
  if (again != rule) std::abort();
  if (seg::rule_to_text(again) != text) std::abort();
  if (seg::parse_rule(rule.dump()) != rule) std::abort();

  for (bool strict : {false, true}) {
    seg::CompileContext ctx;
    ctx.as_of = 1725062400000;  // 2024-08-31 00:00 UTC
    ctx.strict_nulls = strict;
    ctx.resolve_segment = [](const std::string&) -> std::int64_t { return 1; };
    seg::CompiledRule c;
    try {
      c = seg::compile_rule(rule, ctx);
    } catch (const crmkit::Error&) {
      return 0;  // e.g. an amount with more decimals than the currency has
    }
    auto stp = crmkit::detail::connection_of(store()).db.statement("SELECT count(*) FROM (" + c.sql + ")");
    auto& st = *stp;
    if (st.getBindParameterCount() != static_cast<int>(c.params.size())) std::abort();
    for (std::size_t i = 0; i < c.params.size(); ++i) {
      const int k = static_cast<int>(i) + 1;
      const auto& p = c.params[i];
      if (p.type == crmkit::SqlParam::Type::integer) st.bind(k, static_cast<int64_t>(p.integer));
      else if (p.type == crmkit::SqlParam::Type::real) st.bind(k, p.real);
      else st.bind(k, p.text);
    }
    // Segment references need the membership table of migration 0003: present in the store.
    st.executeStep();
  }
  return 0;
}
