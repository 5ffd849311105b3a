#include "interactions/figures.hpp"

#include <algorithm>
#include <cstring>
#include <limits>
#include <unordered_map>

#include <sqlite3.h>

#include <fmt/format.h>

#include "crmkit/money.hpp"
#include "store/connection.hpp"
#include "store/stored.hpp"

namespace crmkit::detail {

namespace {

constexpr Instant kNone = std::numeric_limits<Instant>::min();
constexpr Instant kNoneHigh = std::numeric_limits<Instant>::max();

struct MoneyDelta {
  std::array<char, 4> currency{};
  std::int64_t purchase = 0, refund = 0, margin = 0;
  // The purchases among these rows: their span, and what was spent on their first day.
  bool has_purchase = false;
  Instant first_purchase = 0, last_purchase = 0;
  Day first_day = 0;
  std::int64_t first_day_amount = 0;
};

struct Delta {
  std::int64_t customer_id = 0;
  std::int64_t interactions = 0;
  Instant last_interaction = kNone;
  std::int64_t purchases = 0, refunds = 0;
  Instant first_purchase = kNoneHigh, last_purchase = kNone;
  std::vector<MoneyDelta> money;  // few currencies per customer: a linear search is fastest
};

// A purchase day of a customer; `currency` is 0 for the count across currencies, else the
// code's bytes (a per-currency count, for the purchase histories).
struct DayKey {
  std::int64_t customer_id;
  std::uint32_t currency;
  Day day;
  bool operator<(const DayKey& o) const {
    if (customer_id != o.customer_id) return customer_id < o.customer_id;
    return currency != o.currency ? currency < o.currency : day < o.day;
  }
  bool operator==(const DayKey& o) const {
    return customer_id == o.customer_id && currency == o.currency && day == o.day;
  }
};

std::uint32_t currency_key(const std::array<char, 4>& code) {
  std::uint32_t k = 0;
  for (int i = 0; i < 3; ++i) k = (k << 8) | static_cast<unsigned char>(code[static_cast<std::size_t>(i)]);
  return k;
}

void add_money(Delta& d, const RecordedInteraction& r) {
  MoneyDelta* m = nullptr;
  for (auto& x : d.money)
    if (x.currency == r.currency) m = &x;
  if (!m) {
    d.money.push_back(MoneyDelta{r.currency});
    m = &d.money.back();
  }
  if (r.kind == InteractionKind::purchase) {
    m->purchase = checked_add(m->purchase, r.amount, "purchase total");
    const Day day = day_of(r.occurred_at);
    if (!m->has_purchase || day < m->first_day) {
      m->first_day = day;
      m->first_day_amount = r.amount;
    } else if (day == m->first_day) {
      m->first_day_amount = checked_add(m->first_day_amount, r.amount, "first-day spend");
    }
    m->first_purchase = m->has_purchase ? std::min(m->first_purchase, r.occurred_at) : r.occurred_at;
    m->last_purchase = m->has_purchase ? std::max(m->last_purchase, r.occurred_at) : r.occurred_at;
    m->has_purchase = true;
  } else {
    m->refund = checked_add(m->refund, r.amount, "refund total");
  }
  if (r.has_margin) m->margin = checked_add(m->margin, r.margin, "margin total");
}

MoneyFigures read_money(detail::Statement& st) {
  const StoredRow r(st, "customer_money", -1);
  return {r.text(0), r.int64(1), r.int64(2), r.int64(3)};  // a braced list reads left to right
}

}  // namespace

void apply_figures(Connection& conn, const std::vector<RecordedInteraction>& rows) {
  auto& kept = conn.kept_model_inputs;
  if (kept.inputs)
    for (const auto& r : rows)
      if (r.kind == InteractionKind::purchase && r.occurred_at < kept.scan_end && kept.currency == r.currency.data()) {
        kept = {};
        break;
      }
  std::vector<Delta> deltas;
  std::unordered_map<std::int64_t, std::size_t> index;
  index.reserve(rows.size() < 1024 ? rows.size() : rows.size() / 4);
  std::vector<DayKey> days;
  std::int64_t min_new_id = std::numeric_limits<std::int64_t>::max();
  for (const auto& r : rows) {
    min_new_id = std::min(min_new_id, r.id);
    auto [it, fresh] = index.try_emplace(r.customer_id, deltas.size());
    if (fresh) {
      deltas.emplace_back();
      deltas.back().customer_id = r.customer_id;
    }
    Delta& d = deltas[it->second];
    ++d.interactions;
    d.last_interaction = std::max(d.last_interaction, r.occurred_at);
    if (r.kind == InteractionKind::purchase) {
      ++d.purchases;
      d.first_purchase = std::min(d.first_purchase, r.occurred_at);
      d.last_purchase = std::max(d.last_purchase, r.occurred_at);
      days.push_back({r.customer_id, 0, day_of(r.occurred_at)});
      if (r.has_amount) days.push_back({r.customer_id, currency_key(r.currency), day_of(r.occurred_at)});
    } else if (r.kind == InteractionKind::refund) {
      ++d.refunds;
    }
    if (r.has_amount) add_money(d, r);
  }
  std::sort(deltas.begin(), deltas.end(),
            [](const Delta& a, const Delta& b) { return a.customer_id < b.customer_id; });
  std::sort(days.begin(), days.end());
  days.erase(std::unique(days.begin(), days.end()), days.end());

  auto& read = conn.prepare(
      "SELECT interaction_count, last_interaction_at, purchase_count, purchase_days, refund_count, "
      "first_purchase_at, last_purchase_at FROM customer_figures WHERE customer_id = ?");
  auto& day_seen = conn.prepare(
      "SELECT 1 FROM interactions WHERE customer_id = ?1 AND occurred_at >= ?2 AND occurred_at < ?3 "
      "AND id < ?4 AND kind = 'purchase' LIMIT 1");
  auto& day_seen_in = conn.prepare(
      "SELECT 1 FROM interactions WHERE customer_id = ?1 AND occurred_at >= ?2 AND occurred_at < ?3 "
      "AND id < ?4 AND kind = 'purchase' AND currency = ?5 LIMIT 1");
  auto& write = conn.prepare(
      "INSERT INTO customer_figures(customer_id, interaction_count, last_interaction_at, purchase_count, "
      "purchase_days, refund_count, first_purchase_at, last_purchase_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8) "
      "ON CONFLICT(customer_id) DO UPDATE SET interaction_count = ?2, last_interaction_at = ?3, "
      "purchase_count = ?4, purchase_days = ?5, refund_count = ?6, first_purchase_at = ?7, last_purchase_at = ?8");
  auto& money_read = conn.prepare(
      "SELECT first_purchase_at, last_purchase_at, purchase_days, first_day_total FROM customer_money "
      "WHERE customer_id = ?1 AND currency = ?2");
  // Not one upsert: SQLite checks the CHECKs of the row to insert before it sees the conflict,
  // and a first-day total can exceed the new rows' sum. Totals are added in SQL so that an
  // overflowing sum is refused by the table (see below).
  auto& money_insert = conn.prepare(
      "INSERT INTO customer_money(customer_id, currency, purchase_total, refund_total, margin_total, "
      "first_purchase_at, last_purchase_at, purchase_days, first_day_total) "
      "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)");
  auto& money_update = conn.prepare(
      "UPDATE customer_money SET purchase_total = purchase_total + ?3, refund_total = refund_total + ?4, "
      "margin_total = margin_total + ?5, first_purchase_at = ?6, last_purchase_at = ?7, purchase_days = ?8, "
      "first_day_total = ?9 WHERE customer_id = ?1 AND currency = ?2");

  // Counts the new purchase days of one customer (in one currency, or in all for key 0) that no
  // earlier purchase fell on. Only days inside the existing purchase span can have one, so
  // in-order arrivals never query.
  auto new_days = [&](std::int64_t customer_id, const std::array<char, 4>* currency, bool had_purchases,
                      Instant first, Instant last) {
    const std::uint32_t key = currency ? currency_key(*currency) : 0;
    auto range = std::equal_range(days.begin(), days.end(), DayKey{customer_id, key, 0},
                                  [](const DayKey& a, const DayKey& b) {
                                    return a.customer_id != b.customer_id ? a.customer_id < b.customer_id
                                                                          : a.currency < b.currency;
                                  });
    // Without earlier purchases `first` and `last` are sentinels (the int64 range's ends):
    // never turned into days.
    const Day first_day = had_purchases ? day_of(first) : 0, last_day = had_purchases ? day_of(last) : -1;
    std::int64_t n = 0;
    for (auto it = range.first; it != range.second; ++it) {
      bool seen = false;
      if (had_purchases && it->day >= first_day && it->day <= last_day) {
        auto& st = currency ? day_seen_in : day_seen;
        StatementReset seen_done(st);
        if (currency) bind_all(st, customer_id, start_of_day(it->day), start_of_day(it->day + 1), min_new_id,
                               currency->data());
        else bind_all(st, customer_id, start_of_day(it->day), start_of_day(it->day + 1), min_new_id);
        seen = st.executeStep();
      }
      if (!seen) ++n;
    }
    return n;
  };

  // In passes, each statement run for every customer at once (Statement::run_each: one round
  // trip per pass on PostgreSQL instead of one per customer and statement): the stored figures
  // read, the new purchase days counted, the figures written; then the same for the money rows.
  struct Stored {
    std::int64_t interactions = 0, purchases = 0, purchase_days = 0, refunds = 0;
    Instant last_interaction = kNone, first_purchase = kNoneHigh, last_purchase = kNone;
  };
  std::vector<Stored> stored(deltas.size());
  {
    StatementReset read_done(read);
    read.run_each(
        deltas.size(), [&](std::size_t i) { bind_all(read, deltas[i].customer_id); },
        [&](std::size_t i, bool found) {
          if (!found) return;
          const StoredRow r(read, "customer_figures", -1);
          Stored& f = stored[i];
          f.interactions = r.int64(0);
          f.last_interaction = r.opt_int64(1).value_or(kNone);
          f.purchases = r.int64(2);
          f.purchase_days = r.int64(3);
          f.refunds = r.int64(4);
          f.first_purchase = r.opt_int64(5).value_or(kNoneHigh);
          f.last_purchase = r.opt_int64(6).value_or(kNone);
        });
  }
  for (std::size_t i = 0; i < deltas.size(); ++i) {
    const Delta& d = deltas[i];
    Stored& f = stored[i];
    f.purchase_days += new_days(d.customer_id, nullptr, f.purchases > 0, f.first_purchase, f.last_purchase);
    f.interactions += d.interactions;
    f.last_interaction = std::max(f.last_interaction, d.last_interaction);
    f.purchases += d.purchases;
    f.refunds += d.refunds;
    f.first_purchase = std::min(f.first_purchase, d.first_purchase);
    f.last_purchase = std::max(f.last_purchase, d.last_purchase);
  }
  {
    StatementReset write_done(write);
    write.run_each(
        deltas.size(),
        [&](std::size_t i) {
          const Stored& f = stored[i];
          std::optional<Instant> first, last;  // NULL until the customer has a purchase
          if (f.purchases > 0) {
            first = f.first_purchase;
            last = f.last_purchase;
          }
          bind_all(write, deltas[i].customer_id, f.interactions, f.last_interaction, f.purchases, f.purchase_days,
                   f.refunds, first, last);
        });
  }

  // The purchase history in each currency: stored, then these rows merged in.
  struct Money {
    Money(const Delta* delta, const MoneyDelta* money) : d(delta), m(money) {}
    const Delta* d;
    const MoneyDelta* m;
    bool stored = false;
    std::optional<Instant> first, last;
    std::int64_t days = 0, first_day_total = 0;
  };
  std::vector<Money> money;
  for (const Delta& d : deltas)
    for (const auto& m : d.money) money.emplace_back(&d, &m);
  {
    StatementReset read_done(money_read);
    money_read.run_each(
        money.size(), [&](std::size_t i) { bind_all(money_read, money[i].d->customer_id, money[i].m->currency.data()); },
        [&](std::size_t i, bool found) {
          if (!(money[i].stored = found)) return;
          const StoredRow r(money_read, "customer_money", -1);
          money[i].first = r.opt_int64(0);
          money[i].last = r.opt_int64(1);
          money[i].days = r.int64(2);
          money[i].first_day_total = r.int64(3);
        });
  }
  std::vector<std::size_t> inserts, updates;
  for (std::size_t i = 0; i < money.size(); ++i) {
    Money& x = money[i];
    const MoneyDelta& m = *x.m;
    if (m.has_purchase) {
      x.days += x.first ? new_days(x.d->customer_id, &m.currency, true, *x.first, *x.last)
                        : new_days(x.d->customer_id, &m.currency, false, 0, 0);
      const Day stored_first_day = x.first ? day_of(*x.first) : m.first_day;
      if (!x.first || m.first_day < stored_first_day) x.first_day_total = m.first_day_amount;
      else if (m.first_day == stored_first_day)
        x.first_day_total = checked_add(x.first_day_total, m.first_day_amount, "first-day spend");
      x.first = x.first ? std::min(*x.first, m.first_purchase) : m.first_purchase;
      x.last = x.last ? std::max(*x.last, m.last_purchase) : m.last_purchase;
    }
    (x.stored ? updates : inserts).push_back(i);
  }
  for (auto* list : {&inserts, &updates}) {
    auto& st = list == &inserts ? money_insert : money_update;
    StatementReset money_done(st);
    try {
      st.run_each(
          list->size(),
          [&](std::size_t i) {
            const Money& x = money[(*list)[i]];
            bind_all(st, x.d->customer_id, x.m->currency.data(), x.m->purchase, x.m->refund, x.m->margin, x.first,
                     x.last, x.days, x.first_day_total);
          });
    } catch (const SqlRunError& e) {
      // SQLite turns an overflowing integer sum into a REAL, which the STRICT column refuses;
      // PostgreSQL refuses the bigint overflow itself.
      if (e.code() != SqlCode::datatype) throw;
      const Money& x = money[(*list)[e.index()]];
      throw Error(Errc::invalid_argument, fmt::format("the {} totals of customer {} would overflow the int64 range",
                                                      x.m->currency.data(), x.d->customer_id));
    }
  }
}

CustomerFigures read_figures(Connection& conn, std::int64_t customer_id) {
  CustomerFigures f;
  f.customer_id = customer_id;
  {
    auto& st = conn.prepare(
        "SELECT interaction_count, last_interaction_at, purchase_count, purchase_days, refund_count, "
        "first_purchase_at, last_purchase_at FROM customer_figures WHERE customer_id = ?");
    StatementReset done(st);
    detail::bind_all(st, customer_id);
    if (st.executeStep()) {
      const StoredRow r(st, "customer_figures", -1);
      r.columns(0, f.interaction_count, f.last_interaction_at, f.purchase_count, f.purchase_days, f.refund_count,
                f.first_purchase_at, f.last_purchase_at);
    }
  }
  auto& st = conn.prepare(
      "SELECT currency, purchase_total, refund_total, margin_total FROM customer_money WHERE customer_id = ? "
      "ORDER BY currency");
  f.money = all_rows(st, read_money, customer_id);
  return f;
}

namespace {

// Both tables recomputed for the customers `in` names (an SQL IN list), or for all when empty.
void rebuild(Connection& conn, const std::string& in) {
  conn.kept_model_inputs = {};
  const std::string of = in.empty() ? "" : " WHERE customer_id IN (" + in + ")";
  const std::string and_of = in.empty() ? "" : " AND customer_id IN (" + in + ")";
  conn.db.exec("DELETE FROM customer_money" + of);
  conn.db.exec("DELETE FROM customer_figures" + of);
  // UTC day number with floor division, also before 1970.
  conn.db.exec(
      "INSERT INTO customer_figures(customer_id, interaction_count, last_interaction_at, purchase_count, "
      "purchase_days, refund_count, first_purchase_at, last_purchase_at) "
      "SELECT customer_id, count(*), max(occurred_at), sum(CASE WHEN kind = 'purchase' THEN 1 ELSE 0 END), "
      "count(DISTINCT CASE WHEN kind = 'purchase' THEN "
      "(occurred_at - ((occurred_at % 86400000) + 86400000) % 86400000) / 86400000 END), "
      "sum(CASE WHEN kind = 'refund' THEN 1 ELSE 0 END), min(CASE WHEN kind = 'purchase' THEN occurred_at END), "
      "max(CASE WHEN kind = 'purchase' THEN occurred_at END) "
      "FROM interactions" + of + " GROUP BY customer_id");
  conn.db.exec(
      "INSERT INTO customer_money(customer_id, currency, purchase_total, refund_total, margin_total) "
      "SELECT customer_id, currency, sum(CASE WHEN kind = 'purchase' THEN amount ELSE 0 END), "
      "sum(CASE WHEN kind = 'refund' THEN amount ELSE 0 END), coalesce(sum(margin), 0) "
      "FROM interactions WHERE currency IS NOT NULL" + and_of + " GROUP BY customer_id, currency");
  // The same statement as migration 0010's (PostgreSQL's twin: every column of s grouped).
  conn.db.exec(
      "WITH p AS (SELECT customer_id, currency, occurred_at, amount, "
      "(occurred_at - ((occurred_at % 86400000) + 86400000) % 86400000) / 86400000 AS day "
      "FROM interactions WHERE kind = 'purchase'" + and_of + "), "
      "s AS (SELECT customer_id, currency, min(occurred_at) AS first_at, max(occurred_at) AS last_at, "
      "count(DISTINCT day) AS days, min(day) AS first_day FROM p GROUP BY customer_id, currency), "
      "f AS (SELECT s.customer_id, s.currency, s.first_at, s.last_at, s.days, sum(p.amount) AS first_total "
      "FROM s JOIN p ON p.customer_id = s.customer_id AND p.currency = s.currency AND p.day = s.first_day "
      "GROUP BY s.customer_id, s.currency, s.first_at, s.last_at, s.days) "
      "UPDATE customer_money SET first_purchase_at = f.first_at, last_purchase_at = f.last_at, "
      "purchase_days = f.days, first_day_total = f.first_total FROM f "
      "WHERE customer_money.customer_id = f.customer_id AND customer_money.currency = f.currency");
}

}  // namespace

void rebuild_figures(Connection& conn) { rebuild(conn, ""); }

void rebuild_figures_of(Connection& conn, const std::vector<std::int64_t>& customer_ids) {
  if (customer_ids.empty()) return;
  std::string in;
  for (auto id : customer_ids) in += (in.empty() ? "" : ",") + std::to_string(id);
  rebuild(conn, in);
}

}  // namespace crmkit::detail
