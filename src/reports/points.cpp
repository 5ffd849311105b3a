// Points: per programme, the outstanding points and their value as of the report, and the
// members per tier.
#include <fmt/format.h>

#include "crmkit/money.hpp"
#include "crmkit/points.hpp"
#include "sections.hpp"

namespace crmkit::reports {

void read_points(Store& store, Report& r) {
  Points p(store);
  for (const auto& g : p.programmes()) {
    auto l = p.liability(g.id, r.as_of);
    ReportPoints row{g.name, g.currency, l.members, l.outstanding, l.available, l.pending, l.debt, std::nullopt, {}};
    if (l.value_minor) row.liability = format_amount_sum(*l.value_minor, l.currency);
    for (const auto& t : p.tier_mix(g.id)) row.tiers.push_back({t.tier.value_or("(no tier)"), t.members});
    r.points.push_back(std::move(row));
  }
}

namespace {

// Below 2^53 a JSON number; past it decimal text, so that no digit is lost.
nlohmann::ordered_json sum_json(PointsSum v) {
  constexpr PointsSum kExact = PointsSum(1) << 53;
  if (v < kExact && v > -kExact) return static_cast<std::int64_t>(v);
  return fmt::format("{}", v);
}

}  // namespace

nlohmann::ordered_json points_json(const Report& r) {
  nlohmann::ordered_json a = nlohmann::ordered_json::array();
  for (const auto& g : r.points) {
    nlohmann::ordered_json tiers = nlohmann::ordered_json::array();
    for (const auto& t : g.tiers) tiers.push_back({{"tier", t.name}, {"members", t.customers}});
    a.push_back({{"programme", g.programme},
                 {"members", g.members},
                 {"outstanding", sum_json(g.outstanding)},
                 {"available", sum_json(g.available)},
                 {"pending", sum_json(g.pending)},
                 {"debt", sum_json(g.debt)},
                 {"liability", g.liability ? amount_json(g.currency, *g.liability) : nlohmann::ordered_json()},
                 {"tiers", tiers}});
  }
  return a;
}

}  // namespace crmkit::reports
