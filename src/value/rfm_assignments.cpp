// RFM over the store: measures from customer_figures (fast path) or from the interactions,
// scores and segments (analytics/rfm), saved to customer_rfm, with the run's as_of, map and
// currency in rfm_run.
#include <algorithm>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "analytics/rfm.hpp"
#include "crmkit/value.hpp"
#include "store/connection.hpp"
#include "value/common.hpp"
#include "value/stored_rfm.hpp"

namespace crmkit {

namespace {

struct RawRfm {
  std::int64_t customer_id;
  Instant last_purchase;
  std::int64_t orders;
  std::int64_t days;
  std::int64_t monetary;  // minor units of the chosen currency
};

// Two ordered scans merged here, rather than a join probing customer_money once per customer.
std::vector<RawRfm> from_figures(detail::Connection& c, const std::string& currency) {
  auto& figures = c.prepare(
      "SELECT customer_id, last_purchase_at, purchase_count, purchase_days FROM customer_figures "
      "WHERE purchase_count > 0 ORDER BY customer_id");
  detail::StatementReset reset_figures(figures);
  std::vector<RawRfm> out;
  // Customer ids are dense in practice: the largest one bounds the row count without a scan and
  // saves the vector's regrowth copies (which showed at a million customers).
  const std::int64_t max_id = c.db.execAndGet("SELECT coalesce(max(customer_id), 0) FROM customer_figures").getInt64();
  out.reserve(static_cast<std::size_t>(std::min<std::int64_t>(max_id, 50'000'000)));
  while (figures.executeStep())
    out.push_back(RawRfm{figures.getColumn(0).getInt64(), figures.getColumn(1).getInt64(),
                         figures.getColumn(2).getInt64(), figures.getColumn(3).getInt64(), 0});
  auto& money = c.prepare(
      "SELECT customer_id, purchase_total FROM customer_money WHERE currency = ?1 ORDER BY customer_id");
  detail::StatementReset reset_money(money);
  detail::bind_all(money, currency);
  auto it = out.begin();
  while (money.executeStep()) {
    const std::int64_t id = money.getColumn(0).getInt64();
    while (it != out.end() && it->customer_id < id) ++it;
    if (it == out.end()) break;
    if (it->customer_id == id) it->monetary = money.getColumn(1).getInt64();
  }
  return out;
}

std::vector<RawRfm> from_interactions(detail::Connection& c, const std::string& currency, Instant as_of) {
  auto& st = c.prepare(
      "SELECT customer_id, occurred_at, amount, currency = ?1 FROM interactions "
      "WHERE kind = 'purchase' AND occurred_at < ?2 ORDER BY customer_id, occurred_at");
  detail::StatementReset reset_st(st);
  detail::bind_all(st, currency, as_of);
  std::vector<RawRfm> out;
  Day last_day = 0;
  while (st.executeStep()) {
    const std::int64_t id = st.getColumn(0).getInt64();
    const Instant at = st.getColumn(1).getInt64();
    const Day d = day_of(at);
    if (out.empty() || out.back().customer_id != id) {
      out.push_back(RawRfm{id, at, 0, 1, 0});
      last_day = d;
    } else if (d != last_day) {
      out.back().days += 1;
      last_day = d;
    }
    auto& r = out.back();
    r.orders += 1;
    r.last_purchase = at;
    if (st.getColumn(3).getInt64() != 0) r.monetary = checked_add(r.monetary, st.getColumn(2).getInt64(), "monetary");
  }
  return out;
}

// Records the map under (name, version); the same pair with another definition is refused.
void register_map(detail::Connection& c, const SegmentMap& map, bool builtin) {
  const std::string def = to_json(map);
  auto& get = c.prepare("SELECT definition FROM rfm_maps WHERE name = ?1 AND version = ?2");
  detail::StatementReset reset_get(get);
  detail::bind_all(get, map.name, map.version);
  if (get.executeStep()) {
    if (get.getColumn(0).getString() != def)
      throw Error(Errc::conflict,
                  fmt::format("segment map '{}' version {} is already stored with a different definition; give the "
                              "changed map a new version",
                              detail::printable(map.name), map.version));
    return;
  }
  auto& ins = c.prepare("INSERT INTO rfm_maps(name, version, definition, builtin) VALUES (?1, ?2, ?3, ?4)");
  detail::StatementReset reset_ins(ins);
  detail::bind_all(ins, map.name, map.version, def, builtin);
  ins.exec();
}

// The run's settings, shared by every customer_rfm row: one row, replaced by each run.
void save_run(detail::Connection& c, const RfmResult& run, const char* method) {
  auto& st = c.prepare(
      "INSERT INTO rfm_run(id, as_of, map_name, map_version, currency, method) VALUES (1, ?1, ?2, ?3, ?4, ?5) "
      "ON CONFLICT(id) DO UPDATE SET as_of = excluded.as_of, map_name = excluded.map_name, "
      "map_version = excluded.map_version, currency = excluded.currency, method = excluded.method");
  detail::StatementReset reset_st(st);
  detail::bind_all(st, run.as_of, run.map_name, run.map_version, run.currency, method);
  st.exec();
}

// Writing a row costs more than scoring it, and a rerun changes few rows: recency is stored as
// the last purchase, so a later as_of alone changes nothing, and equal-count scores move only
// where facts moved. So the stored rows are compared with the new ones (both by customer id)
// and only differences are written.
void save_changed_rows(detail::Connection& c, const std::vector<CustomerRfm>& rows, const std::vector<RawRfm>& raw) {
  // First read only: which new rows differ from the stored ones and which stored rows are gone.
  std::vector<std::size_t> changed;
  std::vector<std::int64_t> gone;
  {
    auto& st = c.prepare(
        "SELECT customer_id, last_purchase_at, frequency, monetary, r_score, f_score, m_score, segment "
        "FROM customer_rfm ORDER BY customer_id");
    detail::StatementReset reset_st(st);
    std::size_t i = 0;
    while (st.executeStep()) {
      const std::int64_t id = st.getColumn(0).getInt64();
      for (; i < rows.size() && rows[i].customer_id < id; ++i) changed.push_back(i);
      if (i == rows.size() || rows[i].customer_id != id) {
        gone.push_back(id);
        continue;
      }
      const CustomerRfm& row = rows[i];
      const bool same = st.getColumn(1).getInt64() == raw[i].last_purchase &&
                        st.getColumn(2).getInt64() == row.frequency && st.getColumn(3).getInt64() == row.monetary &&
                        st.getColumn(4).getInt() == row.score.r && st.getColumn(5).getInt() == row.score.f &&
                        st.getColumn(6).getInt() == row.score.m && row.segment == st.getColumn(7).getText();
      if (!same) changed.push_back(i);
      ++i;
    }
    for (; i < rows.size(); ++i) changed.push_back(i);
  }
  // Each statement for all its rows at once (a round trip per pass on PostgreSQL).
  auto& remove = c.prepare("DELETE FROM customer_rfm WHERE customer_id = ?1");
  {
    detail::StatementReset done(remove);
    remove.run_each(gone.size(), [&](std::size_t k) { detail::bind_all(remove, gone[k]); });
  }
  auto& upsert = c.prepare(
      "INSERT INTO customer_rfm(customer_id, last_purchase_at, frequency, monetary, r_score, f_score, m_score, "
      "rfm_score, segment) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9) "
      "ON CONFLICT(customer_id) DO UPDATE SET last_purchase_at = excluded.last_purchase_at, "
      "frequency = excluded.frequency, monetary = excluded.monetary, r_score = excluded.r_score, "
      "f_score = excluded.f_score, m_score = excluded.m_score, rfm_score = excluded.rfm_score, "
      "segment = excluded.segment");
  detail::StatementReset done(upsert);
  upsert.run_each(
      changed.size(),
      [&](std::size_t k) {
        const std::size_t i = changed[k];
        const CustomerRfm& row = rows[i];
        detail::bind_all(upsert, row.customer_id, raw[i].last_purchase, row.frequency, row.monetary, row.score.r,
                         row.score.f, row.score.m, row.score.combined(), row.segment);
      });
}

}  // namespace

RfmResult CustomerValue::rfm(const RfmRequest& r) {
  detail::require_writable(detail::connection_of(store_));
  detail::check_instant("as_of", r.as_of);
  const SegmentMap* map = nullptr;
  bool builtin = true;
  if (r.custom_map) {
    validate_segment_map(*r.custom_map);
    for (const auto& b : builtin_segment_maps())
      if (b.name == r.custom_map->name)
        throw Error(Errc::conflict, fmt::format("custom segment map name '{}' is a built-in map's name; rename it",
                                                b.name));
    map = &*r.custom_map;
    builtin = false;
  } else {
    map = &builtin_segment_map(r.map_name);
  }
  const analytics::CompiledSegmentMap compiled(*map);
  // Check the scoring options before touching the store (score_rfm validates again on data).
  score_rfm({}, r.scoring);

  return detail::guard([&] {
    auto& c = detail::connection_of(store_);
    RfmResult out;
    out.as_of = r.as_of;
    out.method = r.scoring.method;
    out.map_name = map->name;
    out.map_version = map->version;
    out.currency = value_detail::currency_or_default(store_, r.currency);
    // The figures hold every number when as_of is after the last recorded purchase.
    std::vector<RawRfm> raw;
    if (r.allow_figures) raw = from_figures(c, out.currency);
    out.from_figures = r.allow_figures && std::all_of(raw.begin(), raw.end(), [&](const RawRfm& x) {
                         return x.last_purchase < r.as_of;
                       });
    if (!out.from_figures) raw = from_interactions(c, out.currency, r.as_of);

    const Day as_of_day = day_of(r.as_of - 1);
    std::vector<RfmMeasures> measures(raw.size());
    for (std::size_t i = 0; i < raw.size(); ++i) {
      measures[i].customer_id = raw[i].customer_id;
      measures[i].recency_days = as_of_day - day_of(raw[i].last_purchase);
      measures[i].frequency = r.frequency == RfmFrequency::days ? raw[i].days : raw[i].orders;
      measures[i].monetary = to_major(raw[i].monetary, out.currency);
    }
    const auto scores = score_rfm(measures, r.scoring);

    const char* method = to_string(r.scoring.method);
    std::vector<std::string> names;
    names.reserve(raw.size());
    out.customers.reserve(raw.size());
    for (std::size_t i = 0; i < raw.size(); ++i) {
      CustomerRfm cr;
      cr.customer_id = raw[i].customer_id;
      cr.as_of = r.as_of;
      cr.recency_days = measures[i].recency_days;
      cr.frequency = measures[i].frequency;
      cr.monetary = raw[i].monetary;
      cr.score = scores[i];
      cr.segment = compiled.name(scores[i]);
      cr.map_name = map->name;
      cr.map_version = map->version;
      cr.currency = out.currency;
      names.push_back(cr.segment);
      out.customers.push_back(std::move(cr));
    }

    detail::WriteScope scope(c);
    register_map(c, *map, builtin);
    save_run(c, out, method);
    save_changed_rows(c, out.customers, raw);
    scope.commit();
    out.segments = summarize_segments(measures, names);
    return out;
  });
}

std::optional<CustomerRfm> CustomerValue::customer_rfm(std::int64_t customer_id) {
  return detail::guard([&]() -> std::optional<CustomerRfm> {
    auto& st = detail::connection_of(store_).prepare(
        "SELECT r.customer_id, run.as_of, r.last_purchase_at, r.frequency, r.monetary, r.r_score, r.f_score, "
        "r.m_score, r.segment, run.map_name, run.map_version, run.currency "
        "FROM customer_rfm r CROSS JOIN rfm_run run WHERE r.customer_id = ?1");
    detail::StatementReset reset_st(st);
    detail::bind_all(st, customer_id);
    if (!st.executeStep()) return std::nullopt;
    CustomerRfm r;
    r.customer_id = st.getColumn(0).getInt64();
    r.as_of = st.getColumn(1).getInt64();
    r.recency_days = day_of(r.as_of - 1) - day_of(st.getColumn(2).getInt64());
    r.frequency = st.getColumn(3).getInt64();
    r.monetary = st.getColumn(4).getInt64();
    r.score = RfmScore{st.getColumn(5).getInt(), st.getColumn(6).getInt(), st.getColumn(7).getInt()};
    r.segment = st.getColumn(8).getString();
    r.map_name = st.getColumn(9).getString();
    r.map_version = st.getColumn(10).getInt();
    r.currency = st.getColumn(11).isNull() ? std::string() : st.getColumn(11).getString();
    return r;
  });
}

}  // namespace crmkit

namespace crmkit::value_detail {

std::optional<StoredRfmRun> stored_rfm_run(Store& store) {
  return detail::guard([&]() -> std::optional<StoredRfmRun> {
    auto& st = detail::connection_of(store).prepare(
        "SELECT as_of, map_name, map_version, coalesce(currency, '') FROM rfm_run WHERE id = 1");
    detail::StatementReset reset(st);
    if (!st.executeStep()) return std::nullopt;
    StoredRfmRun run;
    detail::get_columns(st, run.as_of, run.map_name, run.map_version, run.currency);
    return run;
  });
}

void each_stored_rfm(Store& store, const std::function<void(const StoredRfmRow&)>& row) {
  detail::guard([&] {
    auto& st = detail::connection_of(store).prepare(
        "SELECT customer_id, last_purchase_at, frequency, monetary, r_score, f_score, m_score, segment "
        "FROM customer_rfm ORDER BY customer_id");
    detail::StatementReset reset(st);
    StoredRfmRow r;
    while (st.executeStep()) {
      r.customer_id = st.getColumn(0).getInt64();
      r.last_purchase_at = st.getColumn(1).getInt64();
      r.frequency = st.getColumn(2).getInt64();
      r.monetary = st.getColumn(3).getInt64();
      r.score = RfmScore{st.getColumn(4).getInt(), st.getColumn(5).getInt(), st.getColumn(6).getInt()};
      r.segment = st.getColumn(7).getString();
      row(r);
    }
  });
}

}  // namespace crmkit::value_detail
