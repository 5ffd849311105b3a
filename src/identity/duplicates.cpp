// Duplicates in the store: customers read as MatchRecords, the real-time check through indexed
// look-ups, the batch scan through blocking, confirmed non-duplicates, and the stored rule set.
// The scoring itself is src/analytics/duplicate_scoring.hpp's.
#include <algorithm>
#include <cmath>
#include <map>
#include <set>
#include <utility>

#include <fmt/format.h>

#include "analytics/duplicate_scoring.hpp"
#include "analytics/fellegi_sunter.hpp"
#include "base/checks.hpp"
#include "crmkit/duplicates.hpp"
#include "customers/contact_points.hpp"
#include "customers/customer_exists.hpp"
#include "customers/customer_fields.hpp"
#include "store/connection.hpp"
#include "store/stored.hpp"

namespace crmkit {

namespace {

using detail::Connection;
using Pair = std::pair<std::int64_t, std::int64_t>;

// A key shared by more customers than this (a placeholder address, a switchboard number) says
// little about any two of them, and comparing all its pairs would make the work quadratic.
constexpr std::size_t kMaxSharedKey = 100;

// The columns a customer is compared on, and its primary email, phone and address keys.
constexpr const char* kRecordSelect =
    "SELECT c.id, c.kind, c.given_name, c.family_name, c.display_name, c.birth_date, c.city, c.postal_code, "
    "c.region, c.country, c.external_id, "
    "(SELECT p.match_key FROM contact_points p WHERE p.customer_id = c.id AND p.type = 'email' AND p.is_primary = 1), "
    "(SELECT p.match_key FROM contact_points p WHERE p.customer_id = c.id AND p.type = 'phone' AND p.is_primary = 1), "
    "(SELECT p.match_key FROM contact_points p WHERE p.customer_id = c.id AND p.type = 'address' AND p.is_primary = 1) "
    "FROM customers c";

MatchRecord read_record(detail::Statement& st) {
  const detail::StoredRow r(st, "customers");
  MatchRecord m;
  m.id = r.int64(0);
  auto set = [&](MatchField f, int col) {
    if (auto v = r.opt_text(col)) m[f] = *v;
  };
  set(MatchField::given_name, 2);
  set(MatchField::family_name, 3);
  set(MatchField::full_name, 4);
  // An organisation's display name is its name: the fuzzy-name rule's "same organisation".
  if (std::string(r.name(1)) == "organization") set(MatchField::organization, 4);
  set(MatchField::birth_date, 5);
  set(MatchField::city, 6);
  set(MatchField::postal_code, 7);
  set(MatchField::region, 8);
  set(MatchField::country, 9);
  set(MatchField::external_id, 10);
  set(MatchField::email, 11);
  set(MatchField::phone, 12);
  set(MatchField::street, 13);
  return m;
}

MatchRecord load_record(Connection& conn, std::int64_t id) {
  auto& st = conn.prepare(std::string(kRecordSelect) + " WHERE c.id = ?");
  return detail::required_row(st, read_record, [&] { return fmt::format("customer {} does not exist", id); }, id);
}

// The email and phone keys two customers share, primary or not: the pair is compared on them.
void compare_on_shared_keys(Connection& conn, MatchRecord& x, MatchRecord& y) {
  auto& st = conn.prepare(
      "SELECT a.type, a.match_key FROM contact_points a JOIN contact_points b ON b.type = a.type AND "
      "b.match_key = a.match_key WHERE a.customer_id = ? AND b.customer_id = ? AND (a.type = 'email' OR "
      "a.type = 'phone') ORDER BY a.type, a.match_key");
  auto shared = detail::all_rows(
      st,
      [](detail::Statement& s) {
        const detail::StoredRow r(s, "contact_points", -1);
        return std::make_pair(r.text(0), r.text(1));
      },
      x.id, y.id);
  for (const auto& [type, key] : shared) {
    const MatchField f = type == "email" ? MatchField::email : MatchField::phone;
    x[f] = y[f] = key;
  }
}

// The customer ids a look-up yields, at most kMaxSharedKey of them (its last parameter).
template <class... Values>
void add_candidates(std::set<std::int64_t>& into, detail::Statement& st, const Values&... values) {
  for (auto id : detail::all_rows(st, [](detail::Statement& s) { return s.getColumn(0).getInt64(); }, values...,
                                  static_cast<std::int64_t>(kMaxSharedKey)))
    into.insert(id);
}

Pair ordered(std::int64_t a, std::int64_t b) { return a < b ? Pair{a, b} : Pair{b, a}; }

bool is_ignored(Connection& conn, std::int64_t a, std::int64_t b) {
  const Pair p = ordered(a, b);
  auto& st = conn.prepare("SELECT 1 FROM duplicate_exceptions WHERE customer_a = ? AND customer_b = ?");
  return detail::one_row(st, [](detail::Statement&) { return true; }, p.first, p.second).has_value();
}

DuplicateRules load_rules(Connection& conn) {
  auto& st = conn.prepare("SELECT rules FROM duplicate_rules WHERE id = 1");
  auto stored = detail::one_row(st, [](detail::Statement& s) {
    const detail::StoredRow r(s, "duplicate_rules", -1);
    return r.parse(0, [](const std::string& t) { return duplicate_rules_from_json(t); });
  });
  return stored ? *stored : default_duplicate_rules();
}

void require_two(std::int64_t a, std::int64_t b) {
  if (a == b) throw Error(Errc::invalid_argument, fmt::format("a customer is not its own duplicate (both are {})", a));
}

bool ranked_before(const DuplicateCandidate& x, const DuplicateCandidate& y) {
  if (x.score != y.score) return x.score > y.score;
  if (x.a != y.a) return x.a < y.a;
  return x.b < y.b;
}

DuplicateCandidate score(const MatchRecord& x, const MatchRecord& y, const DuplicateRules& rules) {
  return analytics::score_pair(analytics::prepare(x), analytics::prepare(y), rules);
}

}  // namespace

DuplicateRules Duplicates::rules() {
  return detail::guard([&] { return load_rules(detail::connection_of(store_)); });
}

void Duplicates::set_rules(const DuplicateRules& rules, Instant at) {
  check_duplicate_rules(rules);
  detail::check_instant("at", at);
  const std::string text = to_json(rules);
  detail::guard([&] {
    auto& conn = detail::connection_of(store_);
    detail::WriteScope scope(conn);
    auto& st = conn.prepare(
        "INSERT INTO duplicate_rules(id, rules, updated_at) VALUES (1, ?, ?) ON CONFLICT (id) DO UPDATE SET "
        "rules = excluded.rules, updated_at = excluded.updated_at");
    detail::bind_all(st, text, at);
    st.exec();
    scope.commit();
  });
}

std::vector<DuplicateCandidate> Duplicates::check(std::int64_t customer_id) {
  return detail::guard([&] {
    auto& conn = detail::connection_of(store_);
    const DuplicateRules rules = load_rules(conn);
    const MatchRecord me = load_record(conn, customer_id);
    std::set<std::int64_t> others;
    {
      // Who shares an email or phone key: contact_points_by_key, one probe per key.
      auto& st = conn.prepare(
          "SELECT DISTINCT b.customer_id FROM contact_points a JOIN contact_points b ON b.type = a.type AND "
          "b.match_key = a.match_key WHERE a.customer_id = ? AND b.customer_id <> ? AND (a.type = 'email' OR "
          "a.type = 'phone') ORDER BY b.customer_id LIMIT ?");
      add_candidates(others, st, customer_id, customer_id);
    }
    if (!me[MatchField::family_name].empty() && !me[MatchField::given_name].empty()) {
      // The same names exactly: customers_names.
      auto& st = conn.prepare(
          "SELECT id FROM customers WHERE family_name = ? AND given_name = ? AND id <> ? ORDER BY id LIMIT ?");
      add_candidates(others, st, me[MatchField::family_name], me[MatchField::given_name], customer_id);
    }
    std::vector<DuplicateCandidate> out;
    for (std::int64_t other : others) {
      if (is_ignored(conn, customer_id, other)) continue;
      MatchRecord x = me, y = load_record(conn, other);
      compare_on_shared_keys(conn, x, y);
      DuplicateCandidate c = score(x, y, rules);
      if (c.score >= rules.suspect_from) out.push_back(std::move(c));
    }
    std::sort(out.begin(), out.end(), ranked_before);
    return out;
  });
}

std::vector<DuplicateCandidate> Duplicates::check(const CustomerFields& fields) {
  const CustomerFields n = detail::normalized_fields(fields, store_);
  MatchRecord me;  // id 0: not stored
  auto set = [&](MatchField f, const std::optional<std::string>& v) {
    if (v) me[f] = *v;
  };
  set(MatchField::given_name, n.given_name);
  set(MatchField::family_name, n.family_name);
  set(MatchField::full_name, n.display_name);
  if (n.kind == CustomerKind::organization) set(MatchField::organization, n.display_name);
  set(MatchField::birth_date, n.birth_date);
  set(MatchField::city, n.city);
  set(MatchField::postal_code, n.postal_code);
  set(MatchField::region, n.region);
  set(MatchField::country, n.country);
  set(MatchField::external_id, n.external_id);
  if (n.email) me[MatchField::email] = detail::reading_of_normalized(ContactType::email, *n.email).match_key;
  if (n.phone) me[MatchField::phone] = *n.phone;
  return detail::guard([&] {
    auto& conn = detail::connection_of(store_);
    const DuplicateRules rules = load_rules(conn);
    std::set<std::int64_t> others;
    auto ids = [&](detail::Statement& st, const auto&... values) { add_candidates(others, st, values...); };
    auto& by_key = conn.prepare(
        "SELECT DISTINCT customer_id FROM contact_points WHERE type = ? AND match_key = ? ORDER BY customer_id LIMIT ?");
    if (!me[MatchField::email].empty()) ids(by_key, std::string("email"), me[MatchField::email]);
    if (!me[MatchField::phone].empty()) ids(by_key, std::string("phone"), me[MatchField::phone]);
    if (!me[MatchField::external_id].empty())
      ids(conn.prepare("SELECT id FROM customers WHERE external_id = ? LIMIT ?"), me[MatchField::external_id]);
    if (!me[MatchField::family_name].empty() && !me[MatchField::given_name].empty())
      ids(conn.prepare("SELECT id FROM customers WHERE family_name = ? AND given_name = ? ORDER BY id LIMIT ?"),
          me[MatchField::family_name], me[MatchField::given_name]);
    auto& holds = conn.prepare("SELECT 1 FROM contact_points WHERE customer_id = ? AND type = ? AND match_key = ?");
    std::vector<DuplicateCandidate> out;
    for (std::int64_t other : others) {
      MatchRecord y = load_record(conn, other);
      // A secondary email or phone of the candidate that the new record has counts as shared.
      for (MatchField f : {MatchField::email, MatchField::phone})
        if (!me[f].empty() &&
            detail::one_row(holds, [](detail::Statement&) { return true; }, other,
                            std::string(f == MatchField::email ? "email" : "phone"), me[f]))
          y[f] = me[f];
      DuplicateCandidate c = score(me, y, rules);
      if (c.score >= rules.suspect_from) out.push_back(std::move(c));
    }
    std::sort(out.begin(), out.end(), ranked_before);
    return out;
  });
}

DuplicateScan Duplicates::scan() {
  return detail::guard([&] {
    auto& conn = detail::connection_of(store_);
    const DuplicateRules rules = load_rules(conn);
    std::vector<MatchRecord> records;
    {
      auto& st = conn.prepare(std::string(kRecordSelect) + " ORDER BY c.id");
      records = detail::all_rows(st, read_record);
    }
    analytics::DuplicateSearch found = analytics::find_duplicates(records, rules);
    DuplicateScan out;
    out.customers = found.records;
    out.pairs_compared = found.pairs_compared;
    out.all_pairs = found.all_pairs;
    out.blocks_skipped = found.blocks_skipped;
    std::map<Pair, DuplicateCandidate> by_pair;
    for (auto& c : found.candidates) by_pair.emplace(ordered(c.a, c.b), std::move(c));
    // Pairs that share a secondary email or phone: the records above hold the primaries only.
    std::map<std::int64_t, std::size_t> index;
    for (std::size_t i = 0; i < records.size(); ++i) index.emplace(records[i].id, i);
    std::set<Pair> shared;
    {
      auto& st = conn.prepare(
          "SELECT type, match_key, customer_id, is_primary FROM contact_points WHERE type = 'email' OR type = 'phone' "
          "ORDER BY type, match_key, customer_id");
      struct Row {
        std::string type, key;
        std::int64_t customer;
        bool primary;
      };
      auto rows = detail::all_rows(st, [](detail::Statement& s) {
        const detail::StoredRow r(s, "contact_points", -1);
        return Row{r.text(0), r.text(1), r.int64(2), r.flag(3)};
      });
      for (std::size_t i = 0; i < rows.size();) {
        std::size_t j = i;
        bool secondary = false;
        while (j < rows.size() && rows[j].type == rows[i].type && rows[j].key == rows[i].key) {
          secondary = secondary || !rows[j].primary;
          ++j;
        }
        if (j - i > kMaxSharedKey) {
          ++out.blocks_skipped;
        } else if (secondary) {
          for (std::size_t p = i; p < j; ++p)
            for (std::size_t q = p + 1; q < j; ++q)
              if (rows[p].customer != rows[q].customer) shared.insert(ordered(rows[p].customer, rows[q].customer));
        }
        i = j;
      }
    }
    for (const auto& [a, b] : shared) {
      MatchRecord x = records[index.at(a)], y = records[index.at(b)];
      compare_on_shared_keys(conn, x, y);
      DuplicateCandidate c = score(x, y, rules);
      ++out.pairs_compared;
      auto it = by_pair.find({a, b});
      if (c.score >= rules.suspect_from && (it == by_pair.end() || it->second.score < c.score))
        by_pair[{a, b}] = std::move(c);
    }
    std::set<Pair> exceptions;
    {
      auto& st = conn.prepare("SELECT customer_a, customer_b FROM duplicate_exceptions");
      for (const auto& p : detail::all_rows(st, [](detail::Statement& s) {
             return Pair{s.getColumn(0).getInt64(), s.getColumn(1).getInt64()};
           }))
        exceptions.insert(p);
    }
    for (auto& [pair, c] : by_pair) {
      if (exceptions.count(pair)) {
        ++out.ignored;
        continue;
      }
      out.candidates.push_back(std::move(c));
    }
    std::sort(out.candidates.begin(), out.candidates.end(), ranked_before);
    return out;
  });
}

FellegiSunterScan Duplicates::scan_fellegi_sunter(std::optional<double> threshold) {
  if (threshold && !std::isfinite(*threshold))
    throw Error(Errc::invalid_argument, "the Fellegi-Sunter threshold must be a finite weight");
  return detail::guard([&] {
    auto& conn = detail::connection_of(store_);
    std::vector<MatchRecord> records;
    {
      auto& st = conn.prepare(std::string(kRecordSelect) + " ORDER BY c.id");
      records = detail::all_rows(st, read_record);
    }
    using F = MatchField;
    // Threshold 1 where only equality should count: Jaro-Winkler reaches 1 on equal values alone,
    // so a differing email, phone or postal code is a disagreement, never partial.
    const std::vector<analytics::FsComparison> comparisons = {{F::given_name, 0.85}, {F::family_name, 0.85},
                                                               {F::birth_date, 0},   {F::email, 1},
                                                               {F::phone, 1},        {F::postal_code, 1},
                                                               {F::city, 0.9}};
    analytics::FsOptions options;
    options.threshold = threshold;
    FellegiSunterScan out;
    out.customers = static_cast<std::int64_t>(records.size());
    if (records.size() < 2) return out;
    const analytics::FsSearch found = analytics::fellegi_sunter_duplicates(records, comparisons, {}, options);
    for (std::size_t k = 0; k < comparisons.size(); ++k) {
      FellegiSunterField f;
      f.field = comparisons[k].field;
      f.partial_threshold = comparisons[k].partial_threshold;
      f.m = found.model.m[k];
      f.u = found.model.u[k];
      for (int l = 0; l < 3; ++l) f.weight[l] = found.model.weight(k, static_cast<analytics::FsLevel>(l));
      out.fields.push_back(f);
    }
    out.match_share = found.model.match_share;
    out.threshold = found.threshold;
    out.iterations = found.model.iterations;
    out.converged = found.model.converged;
    out.pairs_compared = found.pairs_compared;
    out.all_pairs = found.all_pairs;
    std::set<Pair> exceptions;
    {
      auto& st = conn.prepare("SELECT customer_a, customer_b FROM duplicate_exceptions");
      for (const auto& p : detail::all_rows(st, [](detail::Statement& s) {
             return Pair{s.getColumn(0).getInt64(), s.getColumn(1).getInt64()};
           }))
        exceptions.insert(p);
    }
    for (const auto& c : found.candidates) {
      if (exceptions.count(ordered(c.a, c.b))) {
        ++out.ignored;
        continue;
      }
      FellegiSunterPair p{c.a, c.b, c.weight, {}};
      for (const auto& part : c.parts) p.parts.push_back({part.field, analytics::to_string(part.level), part.weight});
      out.pairs.push_back(std::move(p));
    }
    return out;
  });
}

DuplicateCandidate Duplicates::explain(std::int64_t a, std::int64_t b) {
  require_two(a, b);
  return detail::guard([&] {
    auto& conn = detail::connection_of(store_);
    const DuplicateRules rules = load_rules(conn);
    MatchRecord x = load_record(conn, a), y = load_record(conn, b);
    compare_on_shared_keys(conn, x, y);
    return score(x, y, rules);
  });
}

void Duplicates::ignore(std::int64_t a, std::int64_t b, Instant at) {
  require_two(a, b);
  detail::check_instant("at", at);
  const Pair p = ordered(a, b);
  detail::guard([&] {
    auto& conn = detail::connection_of(store_);
    detail::WriteScope scope(conn);
    for (std::int64_t id : {a, b})
      if (id <= 0 || !detail::customer_exists(conn, id))
        throw Error(Errc::not_found, fmt::format("customer {} does not exist", id));
    auto& st = conn.prepare(
        "INSERT INTO duplicate_exceptions(customer_a, customer_b, at) VALUES (?, ?, ?) ON CONFLICT DO NOTHING");
    detail::bind_all(st, p.first, p.second, at);
    st.exec();
    scope.commit();
  });
}

bool Duplicates::ignored(std::int64_t a, std::int64_t b) {
  return detail::guard([&] { return a != b && is_ignored(detail::connection_of(store_), a, b); });
}

}  // namespace crmkit
