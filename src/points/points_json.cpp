// JSON forms of the points area's values (nlohmann stays private to the library).
#include <fmt/format.h>

#include <nlohmann/json.hpp>

#include "base/json_form.hpp"
#include "base/text.hpp"
#include "crmkit/points.hpp"

namespace crmkit {

using nlohmann::json;

namespace {

json opt(const std::optional<std::string>& v) { return v ? json(*v) : json(nullptr); }
json opt(const std::optional<std::int64_t>& v) { return v ? json(*v) : json(nullptr); }

std::int64_t int_member(const json& j, const char* name) {
  return detail::json_int64(j, fmt::format("programme spec member '{}'", name));
}
int small_int(const json& j, const char* name) {
  std::int64_t v = int_member(j, name);
  if (v < -1'000'000 || v > 1'000'000)
    throw Error(Errc::invalid_argument, fmt::format("programme spec member '{}' {} is out of range", name, v));
  return static_cast<int>(v);
}
std::string text_member(const json& j, const char* name) {
  if (!j.is_string()) throw Error(Errc::invalid_argument, fmt::format("programme spec member '{}' must be a string", name));
  return j.get<std::string>();
}
std::vector<PointsMultiplier> multipliers(const json& j, const char* name) {
  if (!j.is_object())
    throw Error(Errc::invalid_argument,
                fmt::format("programme spec member '{}' must be an object of key: permille", name));
  std::vector<PointsMultiplier> out;
  for (auto it = j.begin(); it != j.end(); ++it) out.push_back({it.key(), int_member(it.value(), name)});
  return out;
}

}  // namespace

ProgrammeSpec parse_programme_spec(const std::string& text) {
  detail::check_text("programme spec", text, detail::kMaxJsonText);
  json j = json::parse(text, nullptr, false);
  if (j.is_discarded() || !j.is_object())
    throw Error(Errc::invalid_argument, "programme spec is not a JSON object");
  ProgrammeSpec s;
  bool has_name = false, has_currency = false, has_created = false;
  for (auto it = j.begin(); it != j.end(); ++it) {
    const std::string& k = it.key();
    const json& v = it.value();
    if (k == "name") s.name = text_member(v, "name"), has_name = true;
    else if (k == "currency") s.currency = text_member(v, "currency"), has_currency = true;
    else if (k == "created_at") {
      s.created_at = v.is_string() ? parse_instant(v.get<std::string>(), "created_at") : int_member(v, "created_at");
      has_created = true;
    } else if (k == "points_per_unit") s.points_per_unit = int_member(v, "points_per_unit");
    else if (k == "unit_minor") s.unit_minor = int_member(v, "unit_minor");
    else if (k == "points_per_order") s.points_per_order = int_member(v, "points_per_order");
    else if (k == "channel_multipliers") s.channel_multipliers = multipliers(v, "channel_multipliers");
    else if (k == "segment_multipliers") s.segment_multipliers = multipliers(v, "segment_multipliers");
    else if (k == "expiry_days") {
      if (!v.is_null()) s.expiry_days = small_int(v, "expiry_days");
    } else if (k == "consumption") s.consumption = parse_consumption(text_member(v, "consumption"));
    else if (k == "pending_days") s.pending_days = small_int(v, "pending_days");
    else if (k == "refund_policy") s.refund_policy = parse_refund_policy(text_member(v, "refund_policy"));
    else if (k == "value_per_1000_points") {
      if (!v.is_null()) s.value_per_1000_points = int_member(v, "value_per_1000_points");
    } else if (k == "tier_metric") s.tier_metric = parse_tier_metric(text_member(v, "tier_metric"));
    else if (k == "tier_window_days") s.tier_window_days = small_int(v, "tier_window_days");
    else if (k == "review_period_days") s.review_period_days = small_int(v, "review_period_days");
    else if (k == "grace_days") s.grace_days = small_int(v, "grace_days");
    else if (k == "tiers") {
      if (!v.is_array()) throw Error(Errc::invalid_argument, "programme spec member 'tiers' must be an array");
      for (const auto& t : v) {
        if (!t.is_object() || !t.contains("name") || !t.contains("threshold"))
          throw Error(Errc::invalid_argument, "each tier must be an object with name and threshold");
        TierDefinition d;
        d.name = text_member(t["name"], "tiers.name");
        d.threshold = int_member(t["threshold"], "tiers.threshold");
        if (t.contains("permille")) d.permille = int_member(t["permille"], "tiers.permille");
        for (auto m = t.begin(); m != t.end(); ++m)
          if (m.key() != "name" && m.key() != "threshold" && m.key() != "permille")
            throw Error(Errc::invalid_argument,
                        fmt::format("tier member '{}' is unknown", detail::printable(m.key())));
        s.tiers.push_back(std::move(d));
      }
    } else {
      throw Error(Errc::invalid_argument, fmt::format("programme spec member '{}' is unknown", detail::printable(k)));
    }
  }
  if (!has_name) throw Error(Errc::invalid_argument, "programme spec needs 'name'");
  if (!has_currency) throw Error(Errc::invalid_argument, "programme spec needs 'currency'");
  if (!has_created) throw Error(Errc::invalid_argument, "programme spec needs 'created_at' (no hidden clock)");
  return s;
}

std::string to_json(const Programme& p) {
  json ch = json::object(), seg = json::object(), tiers = json::array();
  for (const auto& m : p.channel_multipliers) ch[m.key] = m.permille;
  for (const auto& m : p.segment_multipliers) seg[m.key] = m.permille;
  for (const auto& t : p.tiers) tiers.push_back({{"name", t.name}, {"threshold", t.threshold}, {"permille", t.permille}});
  json j = {{"id", p.id},
            {"name", p.name},
            {"currency", p.currency},
            {"points_per_unit", p.points_per_unit},
            {"unit_minor", p.unit_minor},
            {"points_per_order", p.points_per_order},
            {"channel_multipliers", ch},
            {"segment_multipliers", seg},
            {"expiry_days", p.expiry_days ? json(*p.expiry_days) : json(nullptr)},
            {"consumption", to_string(p.consumption)},
            {"pending_days", p.pending_days},
            {"refund_policy", to_string(p.refund_policy)},
            {"value_per_1000_points", opt(p.value_per_1000_points)},
            {"tiers", tiers},
            {"tier_metric", to_string(p.tier_metric)},
            {"tier_window_days", p.tier_window_days},
            {"review_period_days", p.review_period_days},
            {"grace_days", p.grace_days},
            {"created_at", p.created_at}};
  return j.dump();
}

std::string to_json(const PointsResult& r) {
  return json({{"request_id", r.request_id}, {"entry_id", r.entry_id}, {"points", r.points}, {"replayed", r.replayed}})
      .dump();
}

std::string to_json(const PointsBalance& b) {
  return json({{"customer_id", b.customer_id},
               {"available", b.available},
               {"pending", b.pending},
               {"debt", b.debt},
               {"balance", b.balance},
               {"spendable", b.spendable},
               {"expiring_soon", b.expiring_soon},
               {"tier", opt(b.tier)}})
      .dump();
}

std::string to_json(const LedgerPage& page) {
  json entries = json::array();
  for (const auto& e : page.entries)
    entries.push_back({{"id", e.id},
                       {"customer_id", e.customer_id},
                       {"kind", to_string(e.kind)},
                       {"points", e.points},
                       {"created_at", e.created_at},
                       {"effective_at", e.effective_at},
                       {"expires_at", opt(e.expires_at)},
                       {"source_type", opt(e.source_type)},
                       {"source_id", opt(e.source_id)},
                       {"reason", opt(e.reason)},
                       {"external_id", e.external_id}});
  return json({{"entries", entries}, {"next_after", page.next_after}}).dump();
}

std::string to_json(const PointsLiability& l) {
  // Written by hand: the sums are 128-bit and JSON numbers have no size limit, but nlohmann's
  // stop at 64 bits. Integers, like every exact JSON form, so hosts that read big integers
  // (Python) get every digit.
  return fmt::format(
      R"({{"outstanding":{},"available":{},"pending":{},"debt":{},"members":{},"value_minor":{},"currency":{}}})",
      l.outstanding, l.available, l.pending, l.debt, l.members,
      l.value_minor ? fmt::format("{}", *l.value_minor) : std::string("null"), json(l.currency).dump());
}

std::string to_json(const TierReviewResult& r) {
  return json({{"reviewed", r.reviewed}, {"downgraded", r.downgraded}, {"upgraded", r.upgraded}}).dump();
}

std::string to_json(const std::vector<TierCount>& mix) {
  json a = json::array();
  for (const auto& t : mix) a.push_back({{"tier", opt(t.tier)}, {"members", t.members}});
  return a.dump();
}

std::string to_json(const std::vector<TierChange>& history) {
  json a = json::array();
  for (const auto& t : history)
    a.push_back({{"from", t.from},
                 {"to", opt(t.to)},
                 {"tier", opt(t.tier)},
                 {"previous", opt(t.previous)},
                 {"reason", t.reason}});
  return a.dump();
}

}  // namespace crmkit
