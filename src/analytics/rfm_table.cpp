// R `rfm`'s entry points on plain data: tables from orders or aggregated customers, rules from
// bound lists, and the per-currency segment summary. Definitions: crmkit/rfm.hpp.
#include <algorithm>
#include <cmath>
#include <map>
#include <set>
#include <tuple>

#include <fmt/format.h>

#include "crmkit/error.hpp"
#include "crmkit/rfm.hpp"

namespace crmkit {

namespace {

std::vector<RfmTableRow> scored(std::vector<RfmMeasures> measures, const RfmScoring& scoring) {
  const auto scores = score_rfm(measures, scoring);
  std::vector<RfmTableRow> out(measures.size());
  for (std::size_t i = 0; i < measures.size(); ++i) out[i] = RfmTableRow{measures[i], scores[i]};
  return out;
}

}  // namespace

std::vector<RfmTableRow> rfm_table_orders(const std::vector<RfmPurchase>& orders, Instant as_of,
                                          const RfmScoring& scoring) {
  // Checked here, row by row, so the message names the caller's row rather than a customer.
  for (std::size_t i = 0; i < orders.size(); ++i)
    if (!std::isfinite(orders[i].amount))
      throw Error(Errc::invalid_argument,
                  fmt::format("order row {} (customer {}): revenue is not a finite number", i + 1,
                              orders[i].customer_id));
  return scored(rfm_measures(orders, as_of, RfmFrequency::orders), scoring);
}

std::vector<RfmTableRow> rfm_table_customers(const std::vector<RfmMeasures>& customers,
                                             const RfmScoring& scoring) {
  std::set<std::int64_t> seen;
  for (std::size_t i = 0; i < customers.size(); ++i) {
    const auto& c = customers[i];
    const auto row = [&](const char* problem) {
      return Error(Errc::invalid_argument, fmt::format("customer row {} (customer {}): {}", i + 1, c.customer_id, problem));
    };
    if (c.frequency < 0) throw row("number of orders is negative");
    if (c.recency_days < 0) throw row("recency days are negative");
    if (!std::isfinite(c.monetary)) throw row("revenue is not a finite number");
    // A customer twice would be scored twice and counted twice in every summary.
    if (!seen.insert(c.customer_id).second) throw row("customer id given twice");
  }
  return scored(customers, scoring);
}

SegmentMap rfm_segment_rules(const std::vector<std::string>& names, const std::vector<ScoreRange>& recency,
                             const std::vector<ScoreRange>& frequency, const std::vector<ScoreRange>& monetary) {
  if (recency.size() != names.size() || frequency.size() != names.size() || monetary.size() != names.size())
    throw Error(Errc::invalid_argument,
                fmt::format("segment rules: {} segment names but {} recency, {} frequency and {} monetary ranges "
                            "(one of each per name, in the names' order)",
                            names.size(), recency.size(), frequency.size(), monetary.size()));
  if (names.empty()) throw Error(Errc::invalid_argument, "segment rules: no segment names");
  SegmentMap map;
  map.name = "rfm_segment";
  map.description = "rules given as R rfm_segment's bound lists";
  for (std::size_t i = 0; i < names.size(); ++i) {
    SegmentRule rule;
    rule.name = names[i];
    rule.r = recency[i];
    rule.f = frequency[i];
    rule.m = monetary[i];
    map.rules.push_back(std::move(rule));
  }
  validate_segment_map(map);
  return map;
}

int rfm_segment_index(const SegmentMap& map, const RfmScore& score) noexcept {
  const double fm = (score.f + score.m) / 2.0;
  for (std::size_t i = 0; i < map.rules.size(); ++i) {
    const auto& rule = map.rules[i];
    if (rule.r.contains(score.r) && rule.f.contains(score.f) && rule.m.contains(score.m) && rule.fm.contains(fm))
      return static_cast<int>(i);
  }
  return -1;
}

std::vector<RfmSegmentShare> summarize_segment_shares(const std::vector<std::string>& segments,
                                                      const std::vector<std::int64_t>& orders,
                                                      const std::vector<double>& revenue,
                                                      const std::vector<std::string>& currencies) {
  const std::size_t n = segments.size();
  if (orders.size() != n || revenue.size() != n || (!currencies.empty() && currencies.size() != n))
    throw Error(Errc::invalid_argument,
                fmt::format("segment summary: {} segments but {} orders, {} revenues and {} currencies", n,
                            orders.size(), revenue.size(), currencies.size()));
  static const std::string kNone;
  std::map<std::pair<std::string, std::string>, RfmSegmentShare> by;
  std::map<std::string, RfmSegmentShare> totals;  // per currency
  for (std::size_t i = 0; i < n; ++i) {
    if (orders[i] < 0)
      throw Error(Errc::invalid_argument, fmt::format("segment summary row {}: number of orders is negative", i + 1));
    if (!std::isfinite(revenue[i]))
      throw Error(Errc::invalid_argument, fmt::format("segment summary row {}: revenue is not a finite number", i + 1));
    const std::string& cur = currencies.empty() ? kNone : currencies[i];
    for (auto* s : {&by[{cur, segments[i]}], &totals[cur]}) {
      s->currency = cur;
      s->segment = segments[i];
      s->customers += 1;
      if (__builtin_add_overflow(s->orders, orders[i], &s->orders))
        throw Error(Errc::invalid_argument, "segment summary: the number of orders passes the int64 range");
      s->revenue += revenue[i];
    }
  }
  std::vector<RfmSegmentShare> out;
  for (auto& [key, s] : by) {
    const auto& t = totals.at(key.first);
    s.average_order_value = s.orders > 0 ? s.revenue / static_cast<double>(s.orders) : 0;
    s.customer_share = static_cast<double>(s.customers) / static_cast<double>(t.customers);
    s.order_share = t.orders > 0 ? static_cast<double>(s.orders) / static_cast<double>(t.orders) : 0;
    s.revenue_share = t.revenue != 0 ? s.revenue / t.revenue : 0;
    out.push_back(std::move(s));
  }
  std::stable_sort(out.begin(), out.end(), [](const RfmSegmentShare& a, const RfmSegmentShare& b) {
    return std::forward_as_tuple(a.currency, b.customers, a.segment) <
           std::forward_as_tuple(b.currency, a.customers, b.segment);
  });
  return out;
}

}  // namespace crmkit
