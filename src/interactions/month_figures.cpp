#include "interactions/month_figures.hpp"

#include <sqlite3.h>

#include <array>
#include <map>
#include <tuple>

#include <fmt/format.h>

#include "crmkit/error.hpp"
#include "store/connection.hpp"
#include "store/stored.hpp"

namespace crmkit::detail {

namespace {

// One row's part of a cell's amount (see migration 0009): amount = high * 2^32 + low.
constexpr std::int64_t kLowMask = 0xFFFFFFFF;

// The cells of a set of interactions, as the migration and the rebuild compute them: the month
// expression comes from the dialect, then the WHERE clause on interactions.
std::string cells_sql(const Connection& conn, const std::string& where) {
  return fmt::format(
      "SELECT {}, kind, channel, coalesce(currency, ''), count(*), coalesce(sum(amount >> 32), 0), "
      "coalesce(sum(amount & 4294967295), 0) FROM (SELECT occurred_at AS t, kind, "
      "channel, currency, amount FROM interactions {}) AS cells GROUP BY 1, 2, 3, 4",
      conn.dialect().month_index("t"), where);
}

struct CellSum {
  std::int64_t count = 0, high = 0, low = 0;
};

MonthCell read_cell(detail::Statement& st, const char* table) {
  const StoredRow r(st, table, -1);
  MonthCell c;
  r.columns(0, c.month, c.kind, c.channel, c.currency, c.interactions);
  c.amount = static_cast<MoneySum>(r.int64(5)) * (MoneySum(1) << 32) + r.int64(6);
  return c;
}

}  // namespace

std::int64_t month_of(Instant t) noexcept {
  const CivilDate d = civil_from_day(day_of(t));
  return static_cast<std::int64_t>(d.year) * 12 + d.month - 1;
}

Instant month_start(std::int64_t month) noexcept {
  const auto year = static_cast<int>(month >= 0 ? month / 12 : (month - 11) / 12);
  return start_of_day(day_from_civil({year, static_cast<int>(month - static_cast<std::int64_t>(year) * 12) + 1, 1}));
}

void apply_month_figures(Connection& conn, const std::vector<RecordedInteraction>& rows) {
  // A batch spans few cells: summed in memory, written once per cell.
  using Key = std::tuple<std::int64_t, InteractionKind, Channel, std::array<char, 4>>;
  std::map<Key, CellSum> cells;
  for (const auto& r : rows) {
    CellSum& c = cells[Key{month_of(r.occurred_at), r.kind, r.source->channel, r.currency}];
    ++c.count;
    if (r.has_amount) {
      c.high = checked_add(c.high, r.amount >> 32, "a month's interaction amounts");
      c.low = checked_add(c.low, r.amount & kLowMask, "a month's interaction amounts");
    }
  }
  auto& st = conn.prepare(
      "INSERT INTO interaction_months(month, kind, channel, currency, interaction_count, amount_high, amount_low) "
      "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7) ON CONFLICT(month, kind, channel, currency) DO UPDATE SET "
      "interaction_count = interaction_months.interaction_count + ?5, "
      "amount_high = interaction_months.amount_high + ?6, amount_low = interaction_months.amount_low + ?7");
  for (const auto& [key, c] : cells) {
    st.reset();
    st.bind(1, static_cast<int64_t>(std::get<0>(key)));
    st.bindNoCopy(2, to_string(std::get<1>(key)));
    st.bindNoCopy(3, to_string(std::get<2>(key)));
    st.bindNoCopy(4, std::get<3>(key).data());
    st.bind(5, static_cast<int64_t>(c.count));
    st.bind(6, static_cast<int64_t>(c.high));
    st.bind(7, static_cast<int64_t>(c.low));
    try {
      st.exec();
    } catch (const SqlError& e) {
      // SQLite turns an overflowing integer sum into a REAL, which the STRICT table refuses;
      // PostgreSQL refuses the bigint overflow itself.
      if (e.code() != SqlCode::datatype) throw;
      st.tryReset();
      throw Error(Errc::invalid_argument,
                  fmt::format("month {:04}-{:02}: the count or amount sum of its {} {} interactions would overflow "
                              "the int64 range",
                              std::get<0>(key) / 12, std::get<0>(key) % 12 + 1, to_string(std::get<2>(key)),
                              to_string(std::get<1>(key))));
    }
  }
  st.reset();
}

void rebuild_month_figures(Connection& conn) {
  conn.db.exec("DELETE FROM interaction_months");
  conn.db.exec(fmt::format(
      "INSERT INTO interaction_months(month, kind, channel, currency, interaction_count, amount_high, amount_low) {}",
      cells_sql(conn, "")));
}

void for_each_month_cell(Connection& conn, Instant as_of, const std::function<void(const MonthCell&)>& f) {
  const std::int64_t cut = month_of(as_of);
  // The month as_of falls in is whole in the kept table when no fact lies at or after as_of in it.
  bool partial = false;
  if (as_of != month_start(cut)) {
    auto& st = conn.prepare("SELECT EXISTS (SELECT 1 FROM interactions WHERE occurred_at >= ?1 AND occurred_at < ?2)");
    StatementReset done(st);
    st.bind(1, static_cast<int64_t>(as_of));
    st.bind(2, static_cast<int64_t>(month_start(cut + 1)));
    st.executeStep();
    partial = st.getColumn(0).getInt() != 0;
  }
  {
    auto& st = conn.prepare(
        "SELECT month, kind, channel, currency, interaction_count, amount_high, amount_low FROM interaction_months "
        "WHERE month < ?1 ORDER BY month, kind, channel, currency");
    StatementReset done(st);
    st.bind(1, static_cast<int64_t>(partial || as_of == month_start(cut) ? cut : cut + 1));
    while (st.executeStep()) f(read_cell(st, "interaction_months"));
  }
  if (!partial) return;
  auto& st = conn.prepare(cells_sql(conn, "WHERE occurred_at >= ?1 AND occurred_at < ?2"));
  StatementReset done(st);
  st.bind(1, static_cast<int64_t>(month_start(cut)));
  st.bind(2, static_cast<int64_t>(as_of));
  while (st.executeStep()) f(read_cell(st, "interactions"));
}

}  // namespace crmkit::detail
