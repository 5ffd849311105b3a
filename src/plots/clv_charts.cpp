// The customer-value charts: lifetimes' matrices, calibration/holdout check, purchases over
// time and one customer's P(alive) history, on a fitted model and plain vectors.
#include <algorithm>
#include <cmath>

#include "crmkit/error.hpp"
#include "crmkit/plot.hpp"
#include "plots/charts.hpp"
#include "plots/checks.hpp"
#include "plots/units.hpp"

namespace crmkit::plots {

std::string units_text(clv::TimeUnit unit) { return std::string(clv::to_string(unit)) + "s"; }

std::string amount_of(double value, clv::TimeUnit unit) {
  return value_label(value, 2) + " " + (value == 1 ? std::string(clv::to_string(unit)) : units_text(unit));
}

}  // namespace crmkit::plots

namespace crmkit::plot {

using namespace crmkit::plots;

namespace {

[[noreturn]] void refuse(const std::string& message) { throw Error(Errc::invalid_argument, message); }

void check_unit(clv::TimeUnit unit) {
  if (unit != clv::TimeUnit::hour && unit != clv::TimeUnit::day && unit != clv::TimeUnit::week &&
      unit != clv::TimeUnit::month)
    refuse("unit is not a TimeUnit value");
}

// The model's parameters, refused unless finite and > 0 (make_purchase_model names them).
void check_model(const clv::PurchaseModel& model) {
  clv::make_purchase_model(clv::kind_of(model), clv::parameters(model));
}

std::string model_name(const clv::PurchaseModel& model) {
  switch (clv::kind_of(model)) {
    case clv::PurchaseModelKind::bg_nbd:
      return "BG/NBD";
    case clv::PurchaseModelKind::mbg_nbd:
      return "MBG/NBD";
    case clv::PurchaseModelKind::pareto_nbd:
      return "Pareto/NBD";
  }
  return "model";
}

// Grid values 0, step, 2 step, ... <= max with at most `cells` of them.
std::vector<int> grid(int max, int cells, int& step) {
  step = (max + 1 + cells - 1) / cells;
  std::vector<int> values;
  for (long v = 0; v <= max; v += step) values.push_back(static_cast<int>(v));
  return values;
}

template <class Cell>
std::string frequency_recency_matrix(const clv::PurchaseModel& model, int max_frequency, int max_recency,
                                     clv::TimeUnit unit, const Options& options, ChartText text,
                                     HeatmapData data, Cell cell) {
  check_model(model);
  check_unit(unit);
  if (max_frequency < 0 || max_frequency > 100'000)
    refuse("max_frequency " + std::to_string(max_frequency) + " is outside 0..100000");
  if (max_recency < 1 || max_recency > 1'000'000)
    refuse("max_recency " + std::to_string(max_recency) + " is outside 1..1000000");
  const Size size = checked_size(options);
  int f_step = 1, r_step = 1;
  std::vector<int> frequencies = grid(max_frequency, 40, f_step);
  const std::vector<int> recencies = grid(max_recency, 60, r_step);
  std::reverse(frequencies.begin(), frequencies.end());  // the most frequent buyers on top
  for (int f : frequencies) data.row_labels.push_back(std::to_string(f));
  for (int r : recencies) data.column_labels.push_back(std::to_string(r));
  for (int f : frequencies)
    for (int r : recencies)
      // Without a repeat purchase the last purchase is the first: recency is 0.
      data.values.push_back(f == 0 && r > 0 ? std::nullopt : std::optional<double>(cell(f, r)));
  data.missing_text = "impossible: no repeat purchase means recency 0";
  data.row_name = "x";
  data.column_name = "t_x";
  if (f_step > 1 || r_step > 1)
    text.caption += " The grid steps by " + std::to_string(f_step) + " purchase" + (f_step > 1 ? "s" : "") +
                    " and " + amount_of(r_step, unit) + ".";
  text.title = title_or(options, text.title);
  text.caption = with_period(options, std::move(text.caption));
  return heatmap(data, text, size);
}

}  // namespace

std::string expected_purchases_matrix(const clv::PurchaseModel& model, double horizon, int max_frequency,
                                      int max_recency, clv::TimeUnit unit, const Options& options) {
  check_finite(horizon, "horizon");
  if (!(horizon > 0)) refuse("horizon " + value_label(horizon, 6) + " must be > 0");
  check_unit(unit);
  const std::string u = units_text(unit);
  ChartText text{
      "Expected purchases in the next " + amount_of(horizon, unit) + ", by frequency and recency",
      "recency: time of the last purchase after the first, t_x (" + u + ")",
      "frequency: repeat purchases, x (count)",
      "Each cell: expected repeat purchases in the next " + amount_of(horizon, unit) + " (" +
          model_name(model) + " model) of a customer with x repeat purchases, the last one t_x " + u +
          " after the first, observed for T = " + amount_of(max_recency, unit) +
          " since the first purchase. Recent, frequent buyers (top right) are expected to buy most."};
  HeatmapData data;
  data.legend_label = "purchases";
  data.decimals = 2;
  return frequency_recency_matrix(
      model, max_frequency, max_recency, unit, options, text, data,
      [&](int f, int r) { return clv::conditional_expected_purchases(model, horizon, f, r, max_recency); });
}

std::string p_alive_matrix(const clv::PurchaseModel& model, int max_frequency, int max_recency,
                           clv::TimeUnit unit, const Options& options) {
  check_unit(unit);
  const std::string u = units_text(unit);
  ChartText text{"Probability that a customer is alive, by frequency and recency",
                 "recency: time of the last purchase after the first, t_x (" + u + ")",
                 "frequency: repeat purchases, x (count)",
                 "Each cell: P(alive) (" + model_name(model) +
                     " model), the probability that a customer with x "
                     "repeat purchases, the last one t_x " +
                     u + " after the first, is still a customer at T = " + amount_of(max_recency, unit) +
                     " since the first purchase. Frequent buyers who have not bought "
                     "for a long time (left) are the likeliest to have left."};
  HeatmapData data;
  data.legend_label = "P(alive)";
  data.percent = true;
  data.decimals = 0;
  data.scale_min = 0;
  data.scale_max = 1;
  return frequency_recency_matrix(model, max_frequency, max_recency, unit, options, text, data,
                                  [&](int f, int r) { return clv::p_alive(model, f, r, max_recency); });
}

std::string calibration_vs_holdout(const CalibrationHoldout& data, double holdout_length, clv::TimeUnit unit,
                                   int max_frequency, const Options& options) {
  const std::size_t n = data.frequency_cal.size();
  check_same_size(data.actual_holdout.size(), "actual_holdout", n, "frequency_cal");
  check_same_size(data.predicted_holdout.size(), "predicted_holdout", n, "frequency_cal");
  check_finite(data.frequency_cal, "frequency_cal");
  check_finite(data.actual_holdout, "actual_holdout");
  check_finite(data.predicted_holdout, "predicted_holdout");
  check_finite(holdout_length, "holdout_length");
  check_unit(unit);
  if (!(holdout_length > 0)) refuse("holdout_length " + value_label(holdout_length, 6) + " must be > 0");
  if (max_frequency < 1 || max_frequency > 1000)
    refuse("max_frequency " + std::to_string(max_frequency) + " is outside 1..1000");
  const Size size = checked_size(options);
  std::vector<double> customers(max_frequency + 1, 0), actual(max_frequency + 1, 0),
      predicted(max_frequency + 1, 0);
  std::size_t above = 0;
  for (std::size_t i = 0; i < n; ++i) {
    const double f = data.frequency_cal[i];
    const std::string at = "[" + std::to_string(i) + "]";
    if (f < 0 || f != std::floor(f))
      refuse("frequency_cal" + at + " = " + value_label(f, 6) + " is not a whole number >= 0");
    if (data.actual_holdout[i] < 0)
      refuse("actual_holdout" + at + " = " + value_label(data.actual_holdout[i], 6) + " is negative");
    if (data.predicted_holdout[i] < 0)
      refuse("predicted_holdout" + at + " = " + value_label(data.predicted_holdout[i], 6) + " is negative");
    if (f > max_frequency) {
      ++above;
      continue;
    }
    const auto k = static_cast<std::size_t>(f);
    customers[k] += 1;
    actual[k] += data.actual_holdout[i];
    predicted[k] += data.predicted_holdout[i];
  }
  Series a{"actual", {}, {}, false}, p{"model", {}, {}, true};
  for (int k = 0; k <= max_frequency; ++k) {
    if (customers[k] == 0) continue;  // no customer made k purchases: there is no mean to draw
    a.x.push_back(k);
    a.y.push_back(actual[k] / customers[k]);
    p.x.push_back(k);
    p.y.push_back(predicted[k] / customers[k]);
  }
  if (a.x.empty()) refuse("no customer has frequency_cal <= max_frequency " + std::to_string(max_frequency));
  const std::string h = amount_of(holdout_length, unit);
  ChartText text{
      title_or(options, "Actual vs predicted purchases in the holdout period"),
      "repeat purchases in the calibration period (count)",
      "mean purchases in the holdout period (" + h + ")",
      "For the customers with each number of calibration-period repeat purchases: the mean number of "
      "purchases they made in the " +
          h +
          " holdout period (actual) and the model's mean prediction "
          "for it. The lines should agree before the model is trusted. " +
          std::to_string(n - above) + " customers drawn" +
          (above ? ", " + std::to_string(above) + " with more than " + std::to_string(max_frequency) +
                       " repeat purchases not drawn"
                 : std::string()) +
          "."};
  LineOptions lo;
  lo.dots = true;
  lo.y_min = 0;
  text.caption = with_period(options, std::move(text.caption));
  return lines({a, p}, text, size, lo);
}

std::string repeat_purchases_over_time(const RepeatPurchasesOverTime& s, clv::TimeUnit unit,
                                       const Options& options) {
  check_same_size(s.actual.size(), "actual", s.time.size(), "time");
  check_same_size(s.expected.size(), "expected", s.time.size(), "time");
  if (s.time.empty()) refuse("time is empty: a chart over time needs at least one period");
  check_finite(s.time, "time");
  check_finite(s.actual, "actual");
  check_finite(s.expected, "expected");
  check_finite(s.calibration_end, "calibration_end");
  check_unit(unit);
  for (const auto& [values, name] : {std::pair{&s.actual, "actual"}, std::pair{&s.expected, "expected"}})
    for (std::size_t i = 0; i < values->size(); ++i)
      if ((*values)[i] < 0)
        refuse(std::string(name) + "[" + std::to_string(i) + "] = " + value_label((*values)[i], 6) +
               " is negative (purchases are counted)");
  for (std::size_t i = 1; i < s.time.size(); ++i)
    if (!(s.time[i] > s.time[i - 1]))
      refuse("time[" + std::to_string(i) + "] = " + value_label(s.time[i], 6) + " does not follow time[" +
             std::to_string(i - 1) + "] = " + value_label(s.time[i - 1], 6) + " (time must ascend)");
  const Size size = checked_size(options);
  Series a{"actual", s.time, s.actual, false}, e{"model", s.time, s.expected, true};
  if (s.cumulative) {
    for (std::size_t i = 1; i < s.time.size(); ++i) {
      a.y[i] += a.y[i - 1];
      e.y[i] += e.y[i - 1];
    }
  }
  const std::string u = units_text(unit);
  ChartText text{
      title_or(options, s.cumulative ? "Cumulative repeat purchases: actual vs model"
                                     : "Repeat purchases per period: actual vs model"),
      "time since the start of the calibration period (" + u + ")",
      std::string(s.cumulative ? "cumulative repeat purchases" : "repeat purchases per period") + " (count)",
      std::string(s.cumulative ? "Running total of" : "Per period:") +
          " the repeat purchases customers made (actual) and the fitted model's expectation (model). "
          "The dashed line marks the end of the calibration period (" +
          amount_of(s.calibration_end, unit) +
          "); to its right the model predicts data it was not fitted on."};
  LineOptions lo;
  lo.marker = VerticalMarker{s.calibration_end, "end of calibration"};
  lo.y_min = 0;
  lo.dots = s.time.size() <= 60;
  text.caption = with_period(options, std::move(text.caption));
  return lines({a, e}, text, size, lo);
}

std::string p_alive_history(const clv::PurchaseModel& model, const std::vector<double>& purchase_times,
                            double end, clv::TimeUnit unit, const Options& options) {
  check_model(model);
  check_unit(unit);
  if (purchase_times.empty()) refuse("purchase_times is empty: the history starts at the first purchase");
  check_finite(purchase_times, "purchase_times");
  check_finite(end, "end");
  for (std::size_t i = 1; i < purchase_times.size(); ++i)
    if (purchase_times[i] < purchase_times[i - 1])
      refuse("purchase_times[" + std::to_string(i) + "] is before purchase_times[" + std::to_string(i - 1) +
             "] (purchase times must ascend)");
  if (purchase_times.size() > 5000)
    refuse("purchase_times has " + std::to_string(purchase_times.size()) +
           " purchases; at most 5000 are drawn");
  const double first = purchase_times.front(), last = purchase_times.back();
  if (end < last)
    refuse("end " + value_label(end, 6) + " is before the last purchase " + value_label(last, 6));
  const Size size = checked_size(options);

  // Evaluated on an even grid plus at each purchase, so that every jump is drawn where it is.
  std::vector<double> at;
  constexpr int kSteps = 300;
  for (int k = 0; k <= kSteps; ++k) at.push_back((end - first) * k / kSteps);
  for (double p : purchase_times) at.push_back(p - first);
  std::sort(at.begin(), at.end());
  at.erase(std::unique(at.begin(), at.end()), at.end());
  // Repeat purchases: distinct instants after the first (purchases at one instant count once,
  // as the summary table merges same-period purchases).
  std::vector<double> repeats;
  for (double p : purchase_times)
    if (p > first && (repeats.empty() || p - first > repeats.back())) repeats.push_back(p - first);
  Series s{"P(alive)", {}, {}, false};
  for (double t : at) {
    const auto seen = std::upper_bound(repeats.begin(), repeats.end(), t) - repeats.begin();
    const double x = static_cast<double>(seen), t_x = seen > 0 ? repeats[seen - 1] : 0.0;
    s.x.push_back(t);
    s.y.push_back(clv::p_alive(model, x, t_x, t));
  }
  std::vector<double> rug;
  for (double p : purchase_times) rug.push_back(p - first);
  const std::string u = units_text(unit);
  ChartText text{title_or(options, "P(alive) history of one customer"),
                 "time since the first purchase (" + u + ")", "P(alive) (probability)",
                 "The probability (" + model_name(model) +
                     " model) that the customer is still a customer, "
                     "re-evaluated at each instant from the purchases made until then; red ticks mark the " +
                     std::to_string(purchase_times.size()) +
                     " purchases. It falls while the customer is silent "
                     "and recovers at each purchase. Period: " +
                     amount_of(end - first, unit) + " from the first purchase."};
  LineOptions lo;
  lo.y_min = 0;
  lo.y_max = 1;
  lo.rug = std::move(rug);
  text.caption = with_period(options, std::move(text.caption));
  return lines({s}, text, size, lo);
}

}  // namespace crmkit::plot
