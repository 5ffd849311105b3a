// Model inputs (x, t_x, T, zbar) from the purchases in the store, and the holdout check.
#include <algorithm>
#include <optional>
#include <vector>

#include <fmt/format.h>

#include "crmkit/value.hpp"
#include "store/connection.hpp"
#include "store/stored.hpp"
#include "value/common.hpp"
#include "value/purchase_scan.hpp"

namespace crmkit {

namespace {

double unit_days(clv::TimeUnit unit) { return unit == clv::TimeUnit::week ? 7.0 : 1.0; }

// One customer's calibration purchases, as either path gathers them.
struct Purchases {
  std::int64_t customer_id = 0;
  Instant first_at = 0, last_at = 0;
  std::int64_t days = 0;             // distinct UTC purchase days
  std::int64_t first_day_minor = 0;  // spent on the first of them
  std::int64_t total_minor = 0;
};

CustomerHistory history_of(const Purchases& p, const ModelInputs& in, Day cal_day, double per) {
  CustomerHistory h;
  h.customer_id = p.customer_id;
  h.x = static_cast<double>(p.days - 1);
  h.t_x = static_cast<double>(day_of(p.last_at) - day_of(p.first_at)) / per;
  h.T = static_cast<double>(cal_day - day_of(p.first_at)) / per;
  h.mean_spend = p.days > 1 ? to_major(p.total_minor - p.first_day_minor, in.currency) / h.x : 0.0;
  h.first_purchase = p.first_at;
  h.last_purchase = p.last_at;
  return h;
}

// The kept histories (customer_money, migration 0010), when they are the answer: no purchase in
// the currency at or after the calibration end, so every stored purchase is a calibration one.
// One scan of customers instead of every purchase; nullopt sends the caller to the purchases.
std::optional<std::vector<CustomerHistory>> kept_histories(detail::Connection& c, const ModelInputs& in,
                                                           Day cal_day, double per) {
  {
    // The occurred_at index finds a later purchase without reading the earlier ones.
    auto& later = c.prepare(
        "SELECT 1 FROM interactions WHERE occurred_at >= ?1 AND kind = 'purchase' AND currency = ?2 LIMIT 1");
    detail::StatementReset done(later);
    detail::bind_all(later, in.calibration_end, in.currency);
    if (later.executeStep()) return std::nullopt;
  }
  auto& st = c.prepare(
      "SELECT customer_id, first_purchase_at, last_purchase_at, purchase_days, first_day_total, purchase_total "
      "FROM customer_money WHERE currency = ?1 AND first_purchase_at IS NOT NULL ORDER BY customer_id");
  detail::StatementReset done(st);
  detail::bind_all(st, in.currency);
  std::vector<CustomerHistory> out;
  {
    // Room for every customer up front (a count reads the smallest index: 20 ms at 1M):
    // growing a vector of a million histories by doubling copied it and faulted in fresh
    // pages a dozen times.
    auto& count = c.prepare("SELECT count(*) FROM customers");
    detail::StatementReset count_done(count);
    if (count.executeStep()) out.reserve(static_cast<std::size_t>(count.getColumn(0).getInt64()));
  }
  while (st.executeStep()) {
    const detail::StoredRow r(st, "customer_money", -1);
    Purchases p;
    r.columns(0, p.customer_id, p.first_at, p.last_at, p.days, p.first_day_minor, p.total_minor);
    if (p.last_at >= in.calibration_end) return std::nullopt;  // recorded since the check above
    out.push_back(history_of(p, in, cal_day, per));
  }
  return out;
}

// The inputs from the store: the kept histories when they answer, else a scan of the purchases.
ModelInputs build_inputs(detail::Connection& c, const ModelInputOptions& o, const std::string& currency) {
  {
    ModelInputs in;
    in.calibration_end = o.calibration_end;
    in.unit = o.unit;
    in.currency = currency;
    in.holdout_end = o.holdout_end;
    const double per = unit_days(o.unit);
    const Day cal_day = day_of(o.calibration_end - 1);  // the last calibration day (date D)
    if (o.holdout_end) in.holdout_length = static_cast<double>(day_of(*o.holdout_end - 1) - cal_day) / per;
    if (!o.holdout_end) {
      if (auto kept = kept_histories(c, in, cal_day, per)) {
        in.customers = std::move(*kept);
        return in;
      }
    }
    const Instant scan_end = o.holdout_end.value_or(o.calibration_end);

    // Streaming over (customer, time): memory is bounded by the number of customers.
    bool have = false;        // a customer is open
    bool in_cohort = false;   // it has a calibration purchase
    Purchases p;
    Day last_day = 0, last_holdout_day = 0;
    std::int64_t holdout_days = 0;

    auto flush = [&] {
      if (!have || !in_cohort) return;
      in.customers.push_back(history_of(p, in, cal_day, per));
      in.customers.back().holdout_purchases = holdout_days;
    };

    value_detail::each_purchase(c, in.currency, scan_end, [&](std::int64_t cid, Instant at, std::int64_t amount) {
      if (!have || cid != p.customer_id) {
        flush();
        have = true;
        in_cohort = false;
        p = Purchases{};
        p.customer_id = cid;
        holdout_days = 0;
      }
      const Day d = day_of(at);
      if (at < o.calibration_end) {
        if (!in_cohort) {
          in_cohort = true;
          last_day = d;
          p.first_at = at;
          p.days = 1;
        } else if (d != last_day) {
          ++p.days;
          last_day = d;
        }
        p.last_at = at;  // rows come in time order
        if (d == day_of(p.first_at)) p.first_day_minor = checked_add(p.first_day_minor, amount, "first-day spend");
        p.total_minor = checked_add(p.total_minor, amount, "calibration spend");
      } else if (in_cohort) {
        // Holdout: distinct purchase days after the calibration end (rows come in time order).
        if (holdout_days == 0 || d != last_holdout_day) {
          ++holdout_days;
          last_holdout_day = d;
        }
      }
    });
    flush();
    return in;
  }
}

}  // namespace

clv::Histories ModelInputs::histories() const {
  clv::Histories h;
  h.x.reserve(customers.size());
  h.t_x.reserve(customers.size());
  h.T.reserve(customers.size());
  for (const auto& c : customers) {
    h.x.push_back(c.x);
    h.t_x.push_back(c.t_x);
    h.T.push_back(c.T);
  }
  return h;
}

clv::SpendHistories ModelInputs::repeat_spend() const {
  clv::SpendHistories s;
  for (const auto& c : customers) {
    if (c.x > 0 && c.mean_spend > 0) {
      s.x.push_back(c.x);
      s.mean_spend.push_back(c.mean_spend);
    }
  }
  return s;
}

namespace value_detail {

std::shared_ptr<const ModelInputs> shared_model_inputs(Store& store, const ModelInputOptions& o) {
  // fit, score and validate all come through here: day counts are taken from these instants.
  detail::check_instant("calibration_end", o.calibration_end);
  if (o.holdout_end) detail::check_instant("holdout_end", *o.holdout_end);
  if (o.unit != clv::TimeUnit::day && o.unit != clv::TimeUnit::week)
    throw Error(Errc::invalid_argument,
                fmt::format("unit '{}' is not supported for model inputs (day or week)", clv::to_string(o.unit)));
  if (o.holdout_end && *o.holdout_end <= o.calibration_end)
    throw Error(Errc::invalid_argument,
                fmt::format("holdout_end {} must be after calibration_end {}", format_instant(*o.holdout_end),
                            format_instant(o.calibration_end)));
  return detail::guard([&]() -> std::shared_ptr<const ModelInputs> {
    auto& c = detail::connection_of(store);
    const std::string currency = currency_or_default(store, o.currency);
    const std::int64_t version = c.db.data_version();
    auto& kept = c.kept_model_inputs;
    if (kept.inputs && kept.data_version == version && kept.inputs->calibration_end == o.calibration_end &&
        kept.inputs->unit == o.unit && kept.inputs->currency == currency && kept.inputs->holdout_end == o.holdout_end)
      return kept.inputs;
    auto in = std::make_shared<ModelInputs>(build_inputs(c, o, currency));
    // Only what committed facts say is kept: a transaction may still roll its purchases back.
    if (!c.in_transaction()) kept = {in, currency, o.holdout_end.value_or(o.calibration_end), version, nullptr};
    return in;
  });
}

std::shared_ptr<const analytics::DistinctHistories> shared_distinct_histories(
    Store& store, const std::shared_ptr<const ModelInputs>& inputs) {
  auto& kept = detail::connection_of(store).kept_model_inputs;
  if (kept.inputs == inputs && kept.distinct) return kept.distinct;
  auto distinct = std::make_shared<const analytics::DistinctHistories>(analytics::distinct_histories(inputs->histories()));
  if (kept.inputs == inputs) kept.distinct = distinct;
  return distinct;
}

}  // namespace value_detail

ModelInputs CustomerValue::model_inputs(const ModelInputOptions& o) {
  return *value_detail::shared_model_inputs(store_, o);
}

HoldoutValidation validate_holdout(const ModelInputs& inputs, const clv::PurchaseModel& model) {
  if (!inputs.holdout_end)
    throw Error(Errc::invalid_argument, "the model inputs have no holdout (set holdout_end)");
  HoldoutValidation v;
  v.holdout_length = inputs.holdout_length;
  const auto h = inputs.histories();
  const auto predicted = clv::conditional_expected_purchases(model, inputs.holdout_length, h);
  constexpr int kBins = 8;  // 0..6 and 7+
  std::int64_t counts[kBins] = {0};
  double actual[kBins] = {0}, expected[kBins] = {0};
  v.customers.reserve(inputs.customers.size());
  for (std::size_t i = 0; i < inputs.customers.size(); ++i) {
    const auto& c = inputs.customers[i];
    const double a = static_cast<double>(c.holdout_purchases);
    v.customers.push_back(HoldoutCustomer{c.customer_id, c.x, a, predicted[i]});
    const int bin = std::min(static_cast<int>(c.x), kBins - 1);
    counts[bin] += 1;
    actual[bin] += a;
    expected[bin] += predicted[i];
    v.actual_total += a;
    v.predicted_total += predicted[i];
  }
  for (int b = 0; b < kBins; ++b) {
    HoldoutBin bin;
    bin.label = b == kBins - 1 ? "7+" : std::to_string(b);
    bin.customers = counts[b];
    if (counts[b] > 0) {
      bin.actual_mean = actual[b] / static_cast<double>(counts[b]);
      bin.predicted_mean = expected[b] / static_cast<double>(counts[b]);
    }
    v.bins.push_back(bin);
  }
  return v;
}

}  // namespace crmkit
