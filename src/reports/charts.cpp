// The charts of a store (crmkit/charts.hpp): each gathers its data through the reads the value,
// retention and report code already make, then draws the plain-data chart of plot.hpp. Only
// aggregates leave here: per-customer vectors are handed to the chart, which bins them.
#include "crmkit/charts.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <map>
#include <set>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "base/text.hpp"
#include "crmkit/error.hpp"
#include "crmkit/interaction.hpp"
#include "crmkit/money.hpp"
#include "crmkit/value.hpp"
#include "customers/customer_exists.hpp"
#include "sections.hpp"
#include "value/common.hpp"
#include "value/purchase_scan.hpp"
#include "value/stored_rfm.hpp"

namespace crmkit {

namespace {

const std::vector<StoreChartInfo> kCharts = {
    {StoreChart::expected_purchases, "expected-purchases", "a saved transaction model",
     "expected purchases in the next `horizon` units by frequency and recency"},
    {StoreChart::p_alive, "p-alive", "a saved transaction model", "P(alive) by frequency and recency"},
    {StoreChart::calibration_holdout, "calibration-holdout", "a saved transaction model and purchases after its "
     "calibration end", "mean actual vs predicted holdout purchases per calibration frequency"},
    {StoreChart::repeat_purchases, "repeat-purchases", "a saved transaction model and purchases",
     "actual vs expected repeat purchases per period of the model's cohort"},
    {StoreChart::p_alive_history, "p-alive-history", "a saved transaction model and the customer's purchases",
     "one customer's P(alive) from the first purchase, re-evaluated at each purchase"},
    {StoreChart::rfm_heatmap, "rfm-heatmap", "a stored RFM run", "mean monetary value per recency and frequency score"},
    {StoreChart::rfm_segments, "rfm-segments", "a stored RFM run", "customers per RFM segment"},
    {StoreChart::recency_histogram, "recency-histogram", "a stored RFM run", "distribution of recency (days)"},
    {StoreChart::frequency_histogram, "frequency-histogram", "a stored RFM run", "distribution of frequency"},
    {StoreChart::monetary_histogram, "monetary-histogram", "a stored RFM run", "distribution of monetary value"},
    {StoreChart::rf_scatter, "rf-scatter", "a stored RFM run", "frequency against recency"},
    {StoreChart::fm_scatter, "fm-scatter", "a stored RFM run", "monetary value against frequency"},
    {StoreChart::rm_scatter, "rm-scatter", "a stored RFM run", "monetary value against recency"},
    {StoreChart::cohort_retention, "cohort-retention", "purchases",
     "share of each cohort buying again k periods after its first"},
};

std::string last_day(Instant exclusive_end) { return format_date(day_of(exclusive_end - 1)); }

// The request's model: a saved transaction model, or the default one.
ValueModel transaction_model(CustomerValue& value, std::int64_t id) {
  if (id < 0)
    throw Error(Errc::invalid_argument,
                fmt::format("model_id {} is not a model id (>= 1, or 0 for the default model)", id));
  if (id == 0) return value.choose_model();
  ValueModel m = value.model(id);
  if (!is_transaction_model(m.kind))
    throw Error(Errc::invalid_argument, fmt::format("model {} is {}, a spend model: the chart needs a transaction "
                                                    "model (bgnbd, pnbd, mbgnbd)",
                                                    id, to_string(m.kind)));
  return m;
}

clv::PurchaseModel purchase_model_of(const ValueModel& m) {
  const auto kind = m.kind == ValueModelKind::pnbd     ? clv::PurchaseModelKind::pareto_nbd
                    : m.kind == ValueModelKind::mbgnbd ? clv::PurchaseModelKind::mbg_nbd
                                                       : clv::PurchaseModelKind::bg_nbd;
  const auto names = clv::parameter_names(kind);
  std::array<double, 4> values{};
  for (std::size_t i = 0; i < 4; ++i) values[i] = m.param(names[i]);
  return clv::make_purchase_model(kind, values);
}

std::string model_period(const ValueModel& m) {
  return fmt::format("model {} ({}), fitted on {} purchases {} to {}", m.id, to_string(m.kind), m.currency,
                     m.data_from ? format_date(day_of(*m.data_from)) : std::string("?"), last_day(m.calibration_end));
}

plot::Options with_period(plot::Options o, const std::string& period) {
  if (o.period.empty()) o.period = period;
  return o;
}

void check_grid_member(int v, const char* name) {
  if (v < -1)
    throw Error(Errc::invalid_argument,
                fmt::format("{} {} must be >= 0 (or -1: from the model's calibration data)", name, v));
}

// lifetimes' default grid: the largest repeat purchases and the longest observation in the data
// the model was fitted on.
std::pair<int, int> data_grid(Store& store, const ValueModel& m) {
  ModelInputOptions o;
  o.calibration_end = m.calibration_end;
  o.unit = m.unit;
  o.currency = m.currency;
  const auto in = value_detail::shared_model_inputs(store, o);
  double max_x = 0, max_T = 0;
  for (const auto& c : in->customers) {
    max_x = std::max(max_x, c.x);
    max_T = std::max(max_T, c.T);
  }
  // Bounded by the charts' own limits so that the chart, not an int conversion, refuses them.
  return {static_cast<int>(std::min(max_x, 1e7)), std::max(1, static_cast<int>(std::min(std::ceil(max_T), 1e8)))};
}

std::string matrix_chart(Store& store, const ChartRequest& r) {
  check_grid_member(r.max_frequency, "max_frequency");
  check_grid_member(r.max_recency, "max_recency");
  CustomerValue value(store);
  const ValueModel m = transaction_model(value, r.model_id);
  int max_frequency = r.max_frequency, max_recency = r.max_recency;
  if (max_frequency < 0 || max_recency < 0) {
    const auto [f, t] = data_grid(store, m);
    if (max_frequency < 0) max_frequency = f;
    if (max_recency < 0) max_recency = t;
  }
  const auto model = purchase_model_of(m);
  const plot::Options o = with_period(r.options, model_period(m));
  if (r.chart == StoreChart::p_alive) return plot::p_alive_matrix(model, max_frequency, max_recency, m.unit, o);
  return plot::expected_purchases_matrix(model, r.horizon, max_frequency, max_recency, m.unit, o);
}

std::string calibration_chart(Store& store, const ChartRequest& r) {
  if (!r.holdout_end)
    throw Error(Errc::invalid_argument, "holdout_end is required for calibration-holdout (the end of the holdout "
                                        "period after the model's calibration end)");
  check_grid_member(r.max_frequency, "max_frequency");
  CustomerValue value(store);
  const ValueModel m = transaction_model(value, r.model_id);
  if (*r.holdout_end <= m.calibration_end)
    throw Error(Errc::invalid_argument,
                fmt::format("holdout_end {} must be after model {}'s calibration end {}",
                            format_instant(*r.holdout_end), m.id, format_instant(m.calibration_end)));
  const HoldoutValidation v = value.validate(m.id, *r.holdout_end);
  plot::CalibrationHoldout data;
  for (const auto& c : v.customers) {
    data.frequency_cal.push_back(c.x);
    data.actual_holdout.push_back(c.actual);
    data.predicted_holdout.push_back(c.predicted);
  }
  const std::string period = fmt::format("{}; holdout {} to {}", model_period(m),
                                         format_date(day_of(m.calibration_end)), last_day(*r.holdout_end));
  return plot::calibration_vs_holdout(data, v.holdout_length, m.unit, r.max_frequency < 0 ? 7 : r.max_frequency,
                                      with_period(r.options, period));
}

// lifetimes' expected_cumulative_transactions on the store: the customers who first bought before
// the model's calibration end, their repeat purchase days per period of the model's unit from the
// first of them, and the model's expectation for the same customers, grouped by first-purchase
// day (cost: first days x periods, whatever the number of customers).
std::string repeat_chart(Store& store, const ChartRequest& r) {
  if (r.as_of) detail::check_instant("as_of", *r.as_of);
  CustomerValue value(store);
  const ValueModel m = transaction_model(value, r.model_id);
  const auto model = purchase_model_of(m);
  const Instant scan_end = r.as_of.value_or(std::numeric_limits<Instant>::max());
  const Day cal_day = day_of(m.calibration_end - 1);
  std::map<Day, std::int64_t> first_days;  // cohort customers per first purchase day
  std::map<Day, std::int64_t> repeat_days;  // the cohort's repeat purchase days, per day
  Day last_day = 0;
  bool any = false;
  std::int64_t customer = 0;
  Day previous = 0;
  bool in_cohort = false;
  value_detail::each_purchase(detail::connection_of(store), m.currency, scan_end,
                              [&](std::int64_t cid, Instant at, std::int64_t) {
                                const Day d = day_of(at);
                                if (!any || d > last_day) last_day = d;
                                if (!any || cid != customer) {
                                  any = true;
                                  customer = cid;
                                  previous = d;
                                  in_cohort = d <= cal_day;
                                  if (in_cohort) ++first_days[d];
                                  return;
                                }
                                if (!in_cohort || d == previous) return;
                                previous = d;
                                ++repeat_days[d];
                              });
  if (first_days.empty())
    throw Error(Errc::not_found,
                fmt::format("no customer bought in {} before model {}'s calibration end {}{}: no repeat purchases to draw",
                            m.currency, m.id, format_instant(m.calibration_end),
                            r.as_of ? " (purchases read before as_of " + format_instant(*r.as_of) + ")" : ""));
  const Day origin = first_days.begin()->first;
  const Day end_day = r.as_of ? day_of(*r.as_of - 1) : last_day;  // the last day drawn
  const std::int64_t per = m.unit == clv::TimeUnit::week ? 7 : 1;
  // end_day >= origin: the cohort's first purchase was read before as_of.
  const std::int64_t periods = (end_day - origin) / per + 1;
  if (periods > 5000)
    throw Error(Errc::invalid_argument,
                fmt::format("{} periods of a {} from {} to {}: more than 5000 to draw", periods,
                            clv::to_string(m.unit), format_date(origin), format_date(end_day)));
  // Expected repeat purchases of the cohort up to (and including) day b.
  auto expected_by = [&](Day b) {
    double sum = 0;
    for (const auto& [f, n] : first_days)
      if (b > f) sum += static_cast<double>(n) * clv::expected_purchases(model, static_cast<double>(b - f) / per);
    return sum;
  };
  plot::RepeatPurchasesOverTime series;
  series.cumulative = r.cumulative;
  series.calibration_end = static_cast<double>(cal_day + 1 - origin) / static_cast<double>(per);
  double before = 0;
  auto repeat = repeat_days.begin();
  for (std::int64_t k = 0; k < periods; ++k) {
    const Day last = std::min<Day>(origin + (k + 1) * per - 1, end_day);
    double actual = 0;
    for (; repeat != repeat_days.end() && repeat->first <= last; ++repeat)
      if (repeat->first >= origin + k * per) actual += static_cast<double>(repeat->second);
    const double upto = expected_by(last);
    series.time.push_back(static_cast<double>(last + 1 - origin) / static_cast<double>(per));
    series.actual.push_back(actual);
    // The running expectation only grows; max() keeps a last-bit rounding difference from
    // reading as a negative count.
    series.expected.push_back(std::max(0.0, upto - before));
    before = upto;
  }
  std::int64_t cohort = 0;
  for (const auto& fd : first_days) cohort += fd.second;
  const std::string period =
      fmt::format("{} customers first buying {} to {}, purchases to {}; {}", cohort, format_date(origin),
                  format_date(cal_day), format_date(end_day), model_period(m));
  return plot::repeat_purchases_over_time(series, m.unit, with_period(r.options, period));
}

std::string history_chart(Store& store, const ChartRequest& r) {
  if (r.customer_id <= 0)
    throw Error(Errc::invalid_argument,
                fmt::format("customer_id {} is not a customer id: p-alive-history needs one (>= 1)", r.customer_id));
  if (r.as_of) detail::check_instant("as_of", *r.as_of);
  if (!detail::guard([&] { return detail::customer_exists(detail::connection_of(store), r.customer_id); }))
    throw Error(Errc::not_found, fmt::format("customer {} does not exist", r.customer_id));
  CustomerValue value(store);
  const ValueModel m = transaction_model(value, r.model_id);
  const Instant end = r.as_of.value_or(m.calibration_end);
  // The customer's purchase days in the model's currency before `end`, as the model counts them
  // (one per UTC day); one customer's timeline, a page at a time.
  std::set<Day> days;
  Interactions interactions(store);
  TimelineFilter filter;
  filter.kind = InteractionKind::purchase;
  filter.to = end;
  std::optional<Instant> before_time;
  std::optional<std::int64_t> before_id;
  for (;;) {
    const TimelinePage page = interactions.timeline(r.customer_id, filter, 10'000, before_time, before_id);
    for (const auto& i : page.interactions)
      if (i.amount && i.amount->currency == m.currency) days.insert(day_of(i.occurred_at));
    if (!page.has_more) break;
    before_time = page.next_before_time;
    before_id = page.next_before_id;
  }
  if (days.empty())
    throw Error(Errc::not_found, fmt::format("customer {} has no {} purchase before {}: no P(alive) history to draw",
                                             r.customer_id, m.currency, format_instant(end)));
  const double per = m.unit == clv::TimeUnit::week ? 7.0 : 1.0;
  const Day first = *days.begin();
  std::vector<double> times;
  for (Day d : days) times.push_back(static_cast<double>(d - first) / per);
  const double last = static_cast<double>(day_of(end - 1) - first) / per;
  // The chart's caption states its own period (from the first purchase), so the store's facts go
  // into the default title rather than a second "Period:".
  plot::Options o = r.options;
  if (o.title.empty())
    o.title = fmt::format("P(alive) of customer {}: {} purchases to {}, model {} ({})", r.customer_id, m.currency,
                          last_day(end), m.id, to_string(m.kind));
  return plot::p_alive_history(purchase_model_of(m), times, last, m.unit, o);
}

std::string rfm_chart(Store& store, const ChartRequest& r) {
  const auto run = value_detail::stored_rfm_run(store);
  if (!run) throw Error(Errc::not_found, "no RFM run is saved (crmkit rfm, CustomerValue::rfm): no RFM chart to draw");
  const std::string currency = run->currency.empty() ? store.default_currency() : run->currency;
  // The measures as the run computed them: recency counted to the run's last day, monetary in
  // major units of its currency.
  const Day as_of_day = day_of(run->as_of - 1);
  std::vector<RfmMeasures> measures;
  std::vector<RfmScore> scores;
  std::vector<std::string> segments;
  const bool need_segments = r.chart == StoreChart::rfm_segments;
  value_detail::each_stored_rfm(store, [&](const value_detail::StoredRfmRow& row) {
    measures.push_back({row.customer_id, as_of_day - day_of(row.last_purchase_at), row.frequency,
                        to_major(row.monetary, currency)});
    scores.push_back(row.score);
    if (need_segments) segments.push_back(row.segment);
  });
  if (measures.empty())
    throw Error(Errc::not_found, "the saved RFM run assigned no customer: no RFM chart to draw");
  const plot::Options o = with_period(
      r.options, fmt::format("RFM run as of {}, map {} v{}, monetary in {}", last_day(run->as_of), run->map_name,
                             run->map_version, currency));
  using M = plot::RfmMeasure;
  switch (r.chart) {
    case StoreChart::rfm_heatmap: return plot::rfm_heatmap(measures, scores, o);
    case StoreChart::rfm_segments: return plot::segment_bars(summarize_segments(measures, segments), o);
    case StoreChart::recency_histogram: return plot::rfm_histogram(measures, M::recency, o);
    case StoreChart::frequency_histogram: return plot::rfm_histogram(measures, M::frequency, o);
    case StoreChart::monetary_histogram: return plot::rfm_histogram(measures, M::monetary, o);
    case StoreChart::rf_scatter: return plot::rfm_scatter(measures, M::recency, M::frequency, o);
    case StoreChart::fm_scatter: return plot::rfm_scatter(measures, M::frequency, M::monetary, o);
    case StoreChart::rm_scatter: return plot::rfm_scatter(measures, M::recency, M::monetary, o);
    default: break;
  }
  throw Error(Errc::invalid_argument, "not an RFM chart");
}

std::string cohort_chart(Store& store, const ChartRequest& r) {
  if (r.cohorts < 1 || r.cohorts > 400)
    throw Error(Errc::invalid_argument, fmt::format("cohorts {} is outside 1..400", r.cohorts));
  if (r.cohort_periods < 1 || r.cohort_periods > 400)
    throw Error(Errc::invalid_argument, fmt::format("cohort_periods {} is outside 1..400", r.cohort_periods));
  if (!*to_string(r.cohort_by)) throw Error(Errc::invalid_argument, "cohort_by is not a cohort period");
  if (r.as_of) detail::check_instant("as_of", *r.as_of);
  const auto q = reports::newest_cohorts(store, r.cohort_by, r.cohorts, r.cohort_periods, r.as_of);
  if (!q)
    throw Error(Errc::not_found,
                r.as_of ? fmt::format("no purchase before {}: no cohort to draw", format_instant(*r.as_of))
                        : std::string("no purchase is recorded: no cohort to draw"));
  // The cohort labels and the caption carry the period; the options are the caller's.
  return plot::cohort_retention(RetentionMetrics(store).cohorts(*q), r.options);
}

}  // namespace

const std::vector<StoreChartInfo>& store_charts() { return kCharts; }

const char* to_string(StoreChart chart) noexcept {
  for (const auto& c : kCharts)
    if (c.chart == chart) return c.name;
  return "";
}

StoreChart parse_store_chart(const std::string& text, const char* field) {
  for (const auto& c : kCharts)
    if (text == c.name) return c.chart;
  std::string names;
  for (const auto& c : kCharts) names += (names.empty() ? "" : ", ") + std::string(c.name);
  throw Error(Errc::invalid_argument,
              fmt::format("{} '{}' is not one of {}", field, detail::printable(text), names));
}

std::string store_charts_json() {
  nlohmann::ordered_json a = nlohmann::ordered_json::array();
  for (const auto& c : kCharts) a.push_back({{"name", c.name}, {"needs", c.needs}, {"draws", c.draws}});
  return nlohmann::ordered_json{{"charts", a}}.dump();
}

std::string chart(Store& store, const ChartRequest& r) {
  if (!*to_string(r.chart)) throw Error(Errc::invalid_argument, "chart is not a store chart");
  switch (r.chart) {
    case StoreChart::expected_purchases:
    case StoreChart::p_alive: return matrix_chart(store, r);
    case StoreChart::calibration_holdout: return calibration_chart(store, r);
    case StoreChart::repeat_purchases: return repeat_chart(store, r);
    case StoreChart::p_alive_history: return history_chart(store, r);
    case StoreChart::cohort_retention: return cohort_chart(store, r);
    default: return rfm_chart(store, r);
  }
}

}  // namespace crmkit
