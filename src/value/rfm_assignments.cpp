// RFM over the store: measures from customer_figures (fast path) or from the interactions,
// scores and segments (analytics/rfm), saved to customer_rfm with the map's name and version.
#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "analytics/rfm.hpp"
#include "crmkit/value.hpp"
#include "store/connection.hpp"
#include "value/common.hpp"

namespace crmkit {

namespace {

struct RawRfm {
  std::int64_t customer_id;
  Instant last_purchase;
  std::int64_t orders;
  std::int64_t days;
  std::int64_t monetary;  // minor units of the chosen currency
};

// When as_of is after the last recorded purchase, customer_figures already hold every number.
bool figures_cover(detail::Connection& c, Instant as_of) {
  auto& st = c.prepare("SELECT max(last_purchase_at) FROM customer_figures");
  detail::StatementReset reset_st(st);
  if (!st.executeStep() || st.getColumn(0).isNull()) return true;  // no purchases at all
  return st.getColumn(0).getInt64() < as_of;
}

std::vector<RawRfm> from_figures(detail::Connection& c, const std::string& currency) {
  auto& st = c.prepare(
      "SELECT f.customer_id, f.last_purchase_at, f.purchase_count, f.purchase_days, coalesce(m.purchase_total, 0) "
      "FROM customer_figures f LEFT JOIN customer_money m ON m.customer_id = f.customer_id AND m.currency = ?1 "
      "WHERE f.purchase_count > 0 ORDER BY f.customer_id");
  detail::StatementReset reset_st(st);
  st.bind(1, currency);
  std::vector<RawRfm> out;
  while (st.executeStep())
    out.push_back(RawRfm{st.getColumn(0).getInt64(), st.getColumn(1).getInt64(), st.getColumn(2).getInt64(),
                         st.getColumn(3).getInt64(), st.getColumn(4).getInt64()});
  return out;
}

std::vector<RawRfm> from_interactions(detail::Connection& c, const std::string& currency, Instant as_of) {
  auto& st = c.prepare(
      "SELECT customer_id, occurred_at, amount, currency = ?1 FROM interactions "
      "WHERE kind = 'purchase' AND occurred_at < ?2 ORDER BY customer_id, occurred_at");
  detail::StatementReset reset_st(st);
  st.bind(1, currency);
  st.bind(2, static_cast<std::int64_t>(as_of));
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
  const std::string def = segment_map_to_json(map);
  auto& get = c.prepare("SELECT definition FROM rfm_maps WHERE name = ?1 AND version = ?2");
  detail::StatementReset reset_get(get);
  get.bind(1, map.name);
  get.bind(2, static_cast<std::int64_t>(map.version));
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
  ins.bind(1, map.name);
  ins.bind(2, static_cast<std::int64_t>(map.version));
  ins.bind(3, def);
  ins.bind(4, builtin ? 1 : 0);
  ins.exec();
}

nlohmann::json customer_json(const CustomerRfm& r) {
  nlohmann::json j;
  j["customer_id"] = r.customer_id;
  j["as_of"] = r.as_of;
  j["recency_days"] = r.recency_days;
  j["frequency"] = r.frequency;
  j["monetary"] = format_amount(r.monetary, r.currency);
  j["monetary_minor"] = r.monetary;
  j["currency"] = r.currency;
  j["r"] = r.score.r;
  j["f"] = r.score.f;
  j["m"] = r.score.m;
  j["rfm_score"] = r.score.combined();
  j["segment"] = r.segment;
  j["map_name"] = r.map_name;
  j["map_version"] = r.map_version;
  return j;
}

}  // namespace

std::string CustomerRfm::to_json() const { return customer_json(*this).dump(); }

std::string RfmResult::to_json(bool with_customers) const {
  nlohmann::json j;
  j["as_of"] = as_of;
  j["as_of_iso"] = format_instant(as_of);
  j["method"] = to_string(method);
  j["map_name"] = map_name;
  j["map_version"] = map_version;
  j["currency"] = currency;
  j["from_figures"] = from_figures;
  j["segments"] = nlohmann::json::array();
  for (const auto& s : segments)
    j["segments"].push_back({{"segment", s.segment}, {"customers", s.customers}, {"orders", s.orders},
                             {"revenue", s.revenue}});
  if (with_customers) {
    j["customers"] = nlohmann::json::array();
    for (const auto& c : customers) j["customers"].push_back(customer_json(c));
  }
  return j.dump();
}

RfmResult CustomerValue::rfm(const RfmRequest& r) {
  detail::require_writable(store_.connection());
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
    auto& c = store_.connection();
    RfmResult out;
    out.as_of = r.as_of;
    out.method = r.scoring.method;
    out.map_name = map->name;
    out.map_version = map->version;
    out.currency = value_detail::currency_or_default(store_, r.currency);
    out.from_figures = r.allow_figures && figures_cover(c, r.as_of);
    const auto raw = out.from_figures ? from_figures(c, out.currency) : from_interactions(c, out.currency, r.as_of);

    const Day as_of_day = day_of(r.as_of - 1);
    std::vector<RfmMeasures> measures(raw.size());
    for (std::size_t i = 0; i < raw.size(); ++i) {
      measures[i].customer_id = raw[i].customer_id;
      measures[i].recency_days = as_of_day - day_of(raw[i].last_purchase);
      measures[i].frequency = r.frequency == RfmFrequency::days ? raw[i].days : raw[i].orders;
      measures[i].monetary = to_major(raw[i].monetary, out.currency);
    }
    const auto scores = score_rfm(measures, r.scoring);

    detail::WriteScope scope(c);
    register_map(c, *map, builtin);
    c.db.exec("DELETE FROM customer_rfm");
    auto& ins = c.prepare(
        "INSERT INTO customer_rfm(customer_id, as_of, recency_days, frequency, monetary, r_score, f_score, m_score, "
        "rfm_score, segment, map_name, map_version, currency, method) "
        "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14)");
    detail::StatementReset reset_ins(ins);
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
      ins.reset();
      ins.clearBindings();
      ins.bind(1, cr.customer_id);
      ins.bind(2, static_cast<std::int64_t>(cr.as_of));
      ins.bind(3, cr.recency_days);
      ins.bind(4, cr.frequency);
      ins.bind(5, cr.monetary);
      ins.bind(6, cr.score.r);
      ins.bind(7, cr.score.f);
      ins.bind(8, cr.score.m);
      ins.bind(9, cr.score.combined());
      ins.bind(10, cr.segment);
      ins.bind(11, cr.map_name);
      ins.bind(12, static_cast<std::int64_t>(cr.map_version));
      ins.bind(13, cr.currency);
      ins.bind(14, method);
      ins.exec();
      names.push_back(cr.segment);
      out.customers.push_back(std::move(cr));
    }
    scope.commit();
    out.segments = summarize_segments(measures, names);
    return out;
  });
}

std::optional<CustomerRfm> CustomerValue::customer_rfm(std::int64_t customer_id) {
  return detail::guard([&]() -> std::optional<CustomerRfm> {
    auto& st = store_.connection().prepare(
        "SELECT customer_id, as_of, recency_days, frequency, monetary, r_score, f_score, m_score, segment, map_name, "
        "map_version, currency FROM customer_rfm WHERE customer_id = ?1");
    detail::StatementReset reset_st(st);
    st.bind(1, static_cast<std::int64_t>(customer_id));
    if (!st.executeStep()) return std::nullopt;
    CustomerRfm r;
    r.customer_id = st.getColumn(0).getInt64();
    r.as_of = st.getColumn(1).getInt64();
    r.recency_days = st.getColumn(2).getInt64();
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
