// C API: R `rfm`'s entry points on plain data (columns in, columns out; no store). Converts and
// guards; the rules live in crmkit/rfm.hpp (src/analytics/rfm_table.cpp).
#include <cmath>
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "crmkit/rfm.hpp"
#include "handle.hpp"

using namespace crmkit;
using crmkit::capi::call;
using crmkit::capi::need;

struct crmkit_rfm_options {
  // R rfm's defaults: quantile cut points, 5 bins per measure.
  RfmScoring scoring{RfmMethod::quantile, 5, {}};
};

namespace {

// Column arrays may be NULL only when there are no rows.
template <class T>
const T* column(const T* p, std::size_t count, const char* name) {
  if (!p && count > 0) throw Error(Errc::invalid_argument, std::string(name) + " is NULL");
  return p;
}

void check_count(std::size_t count, const char* name) {
  // Bounded before anything is allocated; 2^31 rows is far beyond any in-memory table.
  if (count > (std::size_t{1} << 31))
    throw Error(Errc::invalid_argument, fmt::format("{} {} is more than 2^31 rows", name, count));
}

// Writes the table's columns; each out array may be NULL (not wanted).
void write_rows(const std::vector<RfmTableRow>& rows, int64_t* out_customer_id, int64_t* out_recency_days,
                int64_t* out_orders, double* out_revenue, int* out_r, int* out_f, int* out_m, int* out_rfm_score) {
  for (std::size_t i = 0; i < rows.size(); ++i) {
    const auto& x = rows[i];
    if (out_customer_id) out_customer_id[i] = x.measures.customer_id;
    if (out_recency_days) out_recency_days[i] = x.measures.recency_days;
    if (out_orders) out_orders[i] = x.measures.frequency;
    if (out_revenue) out_revenue[i] = x.measures.monetary;
    if (out_r) out_r[i] = x.score.r;
    if (out_f) out_f[i] = x.score.f;
    if (out_m) out_m[i] = x.score.m;
    if (out_rfm_score) out_rfm_score[i] = x.score.combined();
  }
}

const RfmScoring& scoring_of(const crmkit_rfm_options* options) {
  static const crmkit_rfm_options defaults;
  return (options ? *options : defaults).scoring;
}

std::vector<ScoreRange> ranges(const double* lower, const double* upper, std::size_t n) {
  std::vector<ScoreRange> out(n);
  for (std::size_t i = 0; i < n; ++i) {
    if (lower) out[i].lo = lower[i];
    if (upper) out[i].hi = upper[i];
  }
  return out;
}

}  // namespace

extern "C" {

int crmkit_rfm_options_new(crmkit_rfm_options** out) { return capi::new_handle(out); }

void crmkit_rfm_options_free(crmkit_rfm_options* options) { delete options; }

int crmkit_rfm_options_set_method(crmkit_rfm_options* options, const char* method) {
  return capi::set_option(options, [&](crmkit_rfm_options& o) {
    o.scoring.method = parse_rfm_method(capi::text_arg(method, "method", 20), "method");
  });
}

int crmkit_rfm_options_set_bins(crmkit_rfm_options* options, int bins) {
  return capi::set_option(options, [&](crmkit_rfm_options& o) { o.scoring.bins = bins; });
}

int crmkit_rfm_options_set_cuts(crmkit_rfm_options* options, const char* measure, const double* cuts,
                                size_t count) {
  return capi::set_option(options, [&](crmkit_rfm_options& o) {
    const std::string m = capi::text_arg(measure, "measure", 20);
    std::vector<double>* target = m == "recency"     ? &o.scoring.cuts.recency
                                  : m == "frequency" ? &o.scoring.cuts.frequency
                                  : m == "monetary"  ? &o.scoring.cuts.monetary
                                                     : nullptr;
    if (!target)
      throw Error(Errc::invalid_argument,
                  fmt::format("measure '{}' is not recency, frequency or monetary", m));
    // More than 8 is refused when scoring, with the other checks; a bound here keeps the copy small.
    if (count > 64) throw Error(Errc::invalid_argument, fmt::format("{} has {} cut points; at most 8", m, count));
    column(cuts, count, "cuts");
    target->assign(cuts, cuts + count);
    // Setting cut points is asking for R's custom thresholds.
    o.scoring.method = RfmMethod::custom;
  });
}

int crmkit_rfm_table_orders(size_t* out_count, int64_t* out_customer_id, int64_t* out_recency_days,
                            int64_t* out_orders, double* out_revenue, int* out_r, int* out_f, int* out_m,
                            int* out_rfm_score, size_t capacity, const int64_t* customer_ids,
                            const int64_t* ordered_at, const double* revenue, size_t count, int64_t as_of,
                            const crmkit_rfm_options* options) {
  if (out_count) *out_count = 0;
  return call(nullptr, [&] {
    need(out_count, "out_count");
    check_count(count, "count");
    column(customer_ids, count, "customer_ids");
    column(ordered_at, count, "ordered_at");
    column(revenue, count, "revenue");
    std::vector<RfmPurchase> orders(count);
    for (std::size_t i = 0; i < count; ++i) orders[i] = RfmPurchase{customer_ids[i], ordered_at[i], revenue[i]};
    const auto rows = rfm_table_orders(orders, as_of, scoring_of(options));
    if (rows.size() > capacity)
      throw Error(Errc::invalid_argument,
                  fmt::format("capacity {} is less than the {} customers (capacity = count always suffices)",
                              capacity, rows.size()));
    write_rows(rows, out_customer_id, out_recency_days, out_orders, out_revenue, out_r, out_f, out_m, out_rfm_score);
    *out_count = rows.size();
    return CRMKIT_OK;
  });
}

int crmkit_rfm_table_customers(int* out_r, int* out_f, int* out_m, int* out_rfm_score, const int64_t* customer_ids,
                               const int64_t* orders, const int64_t* recency_days, const double* revenue,
                               size_t count, const crmkit_rfm_options* options) {
  return call(nullptr, [&] {
    check_count(count, "count");
    column(customer_ids, count, "customer_ids");
    column(orders, count, "orders");
    column(recency_days, count, "recency_days");
    column(revenue, count, "revenue");
    std::vector<RfmMeasures> customers(count);
    for (std::size_t i = 0; i < count; ++i)
      customers[i] = RfmMeasures{customer_ids[i], recency_days[i], orders[i], revenue[i]};
    const auto rows = rfm_table_customers(customers, scoring_of(options));
    write_rows(rows, nullptr, nullptr, nullptr, nullptr, out_r, out_f, out_m, out_rfm_score);
    return CRMKIT_OK;
  });
}

int crmkit_rfm_segment(int* out_segment, const int* r, const int* f, const int* m, size_t count,
                       const char* const* names, const double* recency_lower, const double* recency_upper,
                       const double* frequency_lower, const double* frequency_upper, const double* monetary_lower,
                       const double* monetary_upper, size_t segments) {
  return call(nullptr, [&] {
    need(out_segment, "out_segment");
    check_count(count, "count");
    column(r, count, "r");
    column(f, count, "f");
    column(m, count, "m");
    if (segments > 1000) throw Error(Errc::invalid_argument, fmt::format("{} segments; at most 1000", segments));
    column(names, segments, "names");
    std::vector<std::string> list(segments);
    for (std::size_t i = 0; i < segments; ++i) list[i] = capi::text_arg(names[i], "segment name", 200);
    const SegmentMap map = rfm_segment_rules(list, ranges(recency_lower, recency_upper, segments),
                                             ranges(frequency_lower, frequency_upper, segments),
                                             ranges(monetary_lower, monetary_upper, segments));
    for (std::size_t i = 0; i < count; ++i) out_segment[i] = rfm_segment_index(map, RfmScore{r[i], f[i], m[i]});
    return CRMKIT_OK;
  });
}

int crmkit_rfm_segment_summary(size_t* out_count, size_t* out_first_row, int64_t* out_customers, int64_t* out_orders,
                               double* out_revenue, double* out_average_order_value, double* out_customer_share,
                               double* out_order_share, double* out_revenue_share, size_t capacity,
                               const char* const* segments, const int64_t* orders, const double* revenue,
                               const char* const* currencies, size_t count) {
  if (out_count) *out_count = 0;
  return call(nullptr, [&] {
    need(out_count, "out_count");
    check_count(count, "count");
    column(segments, count, "segments");
    column(orders, count, "orders");
    column(revenue, count, "revenue");
    std::vector<std::string> seg(count), cur(currencies ? count : 0);
    std::map<std::pair<std::string, std::string>, std::size_t> first_row;
    for (std::size_t i = 0; i < count; ++i) {
      seg[i] = capi::text_arg(segments[i], "segment", 200);
      if (currencies) cur[i] = capi::text_arg(currencies[i], "currency", 20);
      first_row.emplace(std::make_pair(currencies ? cur[i] : std::string(), seg[i]), i);
    }
    const auto rows = summarize_segment_shares(seg, std::vector<std::int64_t>(orders, orders + count),
                                               std::vector<double>(revenue, revenue + count), cur);
    if (rows.size() > capacity)
      throw Error(Errc::invalid_argument,
                  fmt::format("capacity {} is less than the {} segments (capacity = count always suffices)",
                              capacity, rows.size()));
    for (std::size_t i = 0; i < rows.size(); ++i) {
      const auto& s = rows[i];
      if (out_first_row) out_first_row[i] = first_row.at({s.currency, s.segment});
      if (out_customers) out_customers[i] = s.customers;
      if (out_orders) out_orders[i] = s.orders;
      if (out_revenue) out_revenue[i] = s.revenue;
      if (out_average_order_value) out_average_order_value[i] = s.average_order_value;
      if (out_customer_share) out_customer_share[i] = s.customer_share;
      if (out_order_share) out_order_share[i] = s.order_share;
      if (out_revenue_share) out_revenue_share[i] = s.revenue_share;
    }
    *out_count = rows.size();
    return CRMKIT_OK;
  });
}

}  // extern "C"
