// crmkit/value.hpp: customer value in the store: model inputs from purchases, fitted CLV models,
// materialised per-customer scores, and RFM assignments.
//
// The maths lives in crmkit/clv.hpp (models) and crmkit/rfm.hpp (RFM); this service reads
// purchases, calls them and saves the results. Nothing reads the clock: every call takes its
// instants (calibration end, as_of, fitted_at). Definitions: docs/VALUE.md.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "crmkit/clv.hpp"
#include "crmkit/rfm.hpp"
#include "crmkit/store.hpp"
#include "crmkit/time.hpp"

namespace crmkit {

// Stored model kinds (value_models.kind).
enum class ValueModelKind { bgnbd, pnbd, mbgnbd, gg };
const char* to_string(ValueModelKind kind) noexcept;  // "bgnbd", "pnbd", "mbgnbd", "gg"
ValueModelKind parse_value_model_kind(const std::string& text, const char* field = "kind");
bool is_transaction_model(ValueModelKind kind) noexcept;  // all but gg

// Model data time unit: day or week (a week is 7 days, t_x and T are not rounded).
clv::TimeUnit parse_model_time_unit(const std::string& text, const char* field = "unit");

// ---------------------------------------------------------------------------- model inputs --

// Purchases (kind 'purchase', in one currency) strictly before calibration_end are collapsed to
// one per UTC day (amounts summed), then per customer (the CDNOW / BTYD / lifetimes rule):
//   x          distinct purchase days - 1 (repeat purchases)
//   t_x        days from the first to the last purchase day, in `unit`
//   T          days from the first purchase day to the calibration end's day, in `unit`
//   mean_spend zbar: mean per-day spend over the repeat days (the first day excluded), major
//              units; 0 when x = 0
// calibration_end is an instant; a date D means end_of_day(D), so T counts to day D.
struct ModelInputOptions {
  Instant calibration_end = 0;
  clv::TimeUnit unit = clv::TimeUnit::week;   // day or week
  std::optional<std::string> currency;        // default: the store's default currency
  // Optional holdout: distinct purchase days in [calibration_end, holdout_end) per customer.
  std::optional<Instant> holdout_end;
};

struct CustomerHistory {
  std::int64_t customer_id = 0;
  double x = 0;
  double t_x = 0;
  double T = 0;
  double mean_spend = 0;
  Instant first_purchase = 0;          // the first purchase's instant as recorded
  Instant last_purchase = 0;           // the last purchase's instant before the calibration end
  std::int64_t holdout_purchases = 0;  // distinct days in the holdout (0 without one)
};

struct ModelInputs {
  Instant calibration_end = 0;
  clv::TimeUnit unit = clv::TimeUnit::week;
  std::string currency;
  std::optional<Instant> holdout_end;
  double holdout_length = 0;                 // (holdout_end day - calibration end day) in unit
  std::vector<CustomerHistory> customers;    // customers with a purchase before calibration_end,
                                             // by id
  clv::Histories histories() const;          // x, t_x, T as the models take them
  clv::SpendHistories repeat_spend() const;  // repeat buyers with mean_spend > 0
};

// ------------------------------------------------------------------------------------ models --

struct ValueModel {
  std::int64_t id = 0;
  ValueModelKind kind = ValueModelKind::bgnbd;
  std::vector<std::pair<std::string, double>> params;      // in model order: r, alpha, a, b ...
  std::vector<std::pair<std::string, double>> std_errors;  // empty when not available
  double log_likelihood = 0;
  std::int64_t customers = 0;
  clv::TimeUnit unit = clv::TimeUnit::week;
  Instant calibration_end = 0;
  std::optional<Instant> data_from;
  Instant fitted_at = 0;
  bool converged = false;
  std::string currency;
  int iterations = 0;
  std::string reason;
  // The L2 penalty the model was fitted with (FitRequest::options.penalizer_coef; 0 = plain
  // maximum likelihood, and every model saved before the penalty was recorded).
  double penalizer_coef = 0;

  double param(const std::string& name) const;  // throws not_found
};
// {"id","kind","params":{..},"std_errors":{..},...}
std::string to_json(const ValueModel& model);

struct FitRequest {
  ValueModelKind kind = ValueModelKind::bgnbd;
  clv::TimeUnit unit = clv::TimeUnit::week;
  Instant calibration_end = 0;
  Instant fitted_at = 0;                      // recorded as given; the library has no clock
  std::optional<std::string> currency;
  // The optimiser's settings, penalizer_coef among them (lifetimes' penalizer_coef, finite and
  // >= 0; docs/CLV.md, "Penalizer"). The saved model records the penalty. A penalised fit
  // minimises the same objective as clv::fit_purchase_model / clv::fit_gamma_gamma on the
  // inputs' per-customer histories (ModelInputs::histories() / repeat_spend()).
  clv::FitOptions options;
};

// --------------------------------------------------------------------------------- scoring --

enum class HorizonUnit { day, week, month };
const char* to_string(HorizonUnit unit) noexcept;
HorizonUnit parse_horizon_unit(const std::string& text, const char* field = "horizon_unit");

// Scores every customer as of `as_of` with a transaction model and, optionally, a Gamma-Gamma
// model (same currency). Per customer with history (x, t_x, T built as of as_of):
//   p_alive            P(alive | x, t_x, T)
//   expected_purchases E[Y(t) | x, t_x, T], t = horizon converted to the model's unit
//                      (month = units_per_month: 30 days, 4.345 weeks)
//   expected_spend     GG E[M | x, zbar] (population mean when x = 0)
//   predicted_clv      margin_rate * expected_spend through clv::customer_lifetime_value, the
//                      monthly DCF, over round(horizon in months) months (at least 1) at
//                      monthly_discount_rate; with a zero rate it is margin * expected_purchases
//                      over exactly the horizon.
//
// The transaction model: transaction_model_id when given (> 0); otherwise the default choice
// (CustomerValue::choose_model) among models of transaction_model_kind, or of every
// transaction kind when that is empty. Giving both is refused.
struct ScoreRequest {
  std::int64_t transaction_model_id = 0;      // 0: choose (see above)
  std::optional<ValueModelKind> transaction_model_kind;
  std::optional<std::int64_t> spend_model_id;
  double horizon = 12;
  HorizonUnit horizon_unit = HorizonUnit::month;
  Instant as_of = 0;
  double monthly_discount_rate = 0.01;
  double margin_rate = 1.0;                   // 0..1: share of spend that is margin
};

// A reason to doubt a scoring run's numbers; the run still happens.
//   before_calibration_end  as_of is before the model's calibration end: the model was fitted
//                           on purchases the scores cannot see.
//   far_beyond_data         the last purchase (model currency) before as_of is more days before
//                           as_of than the calibration period is long (calibration end's day -
//                           the model's data_from day): the model extrapolates past its data.
struct ScoreWarning {
  std::string code;
  std::string message;
};

struct ScoreSummary {
  std::int64_t customers = 0;        // rows written (every customer)
  std::int64_t scored = 0;           // rows with predictions (purchase history in the currency)
  double total_expected_purchases = 0;
  double total_predicted_clv = 0;    // 0 without a spend model
  std::string currency;
  Instant as_of = 0;
  ValueModel model;                  // the transaction model that scored: kind, id, calibration, params
  std::optional<ValueModel> spend_model;
  std::vector<ScoreWarning> warnings;
};
// {"as_of", "model": {...}, "spend_model": {...}|null, "customers", "scored",
//  "total_expected_purchases", "total_predicted_clv", "currency", "warnings": [{"code","message"}]}
std::string to_json(const ScoreSummary& summary);

// A model named by the user: "bgnbd", "pnbd", "mbgnbd" (the default choice among that kind) or
// a saved model's id in decimal digits. Throws invalid_argument naming `field`.
struct ModelChoice {
  std::optional<ValueModelKind> kind;
  std::int64_t id = 0;  // > 0 when an id was given
};
ModelChoice parse_model_choice(const std::string& text, const char* field = "model");

struct CustomerScore {
  std::int64_t customer_id = 0;
  std::optional<std::int64_t> model_id;
  std::optional<std::int64_t> spend_model_id;
  Instant scored_at = 0;
  std::optional<double> p_alive;
  std::optional<double> expected_purchases;
  std::optional<double> horizon;
  std::optional<HorizonUnit> horizon_unit;
  std::optional<double> expected_spend;
  std::optional<double> predicted_clv;
  std::optional<std::int64_t> repeat_purchases;
  std::string currency;
};
std::string to_json(const CustomerScore& score);

// A page of stored scores in customer id order (CustomerValue::scores).
struct ScorePage {
  std::vector<CustomerScore> scores;
  std::int64_t next_after = 0;  // `after` for the next page; 0 after the last page
};

// ------------------------------------------------------------------------------ validation --

// Holdout check of a transaction model: per customer, actual purchases (distinct days) in the
// holdout against the model's conditional expectation over the holdout length; aggregated by
// calibration frequency x = 0..6 and 7+ (the BTYD walkthrough table).
struct HoldoutCustomer {
  std::int64_t customer_id = 0;
  double x = 0;
  double actual = 0;
  double predicted = 0;
};
struct HoldoutBin {
  std::string label;        // "0".."6", "7+"
  std::int64_t customers = 0;
  double actual_mean = 0;
  double predicted_mean = 0;
};
struct HoldoutValidation {
  double holdout_length = 0;  // in the model's unit
  std::vector<HoldoutCustomer> customers;
  std::vector<HoldoutBin> bins;
  double actual_total = 0;
  double predicted_total = 0;
};
// {"holdout_length", "actual_total", "predicted_total", "bins": [{"frequency", "customers",
//  "actual_mean", "predicted_mean"}]}; the per-customer rows are not written.
std::string to_json(const HoldoutValidation& validation);
// Pure: from inputs built with a holdout, and any transaction model in the inputs' unit.
HoldoutValidation validate_holdout(const ModelInputs& inputs, const clv::PurchaseModel& model);

// ------------------------------------------------------------------------------------- RFM --

struct RfmRequest {
  Instant as_of = 0;
  RfmScoring scoring;                       // method ntile by default, 5 bins
  RfmFrequency frequency = RfmFrequency::orders;
  std::string map_name = "rf_grid";         // a built-in map, unless custom_map is set
  std::optional<SegmentMap> custom_map;     // its name must not be a built-in's
  std::optional<std::string> currency;      // monetary currency; default: the store default
  bool allow_figures = true;                // false: always scan interactions
};

struct CustomerRfm {
  std::int64_t customer_id = 0;
  Instant as_of = 0;
  std::int64_t recency_days = 0;
  std::int64_t frequency = 0;
  std::int64_t monetary = 0;   // minor units of currency
  RfmScore score;
  std::string segment;
  std::string map_name;
  int map_version = 0;
  std::string currency;
};
std::string to_json(const CustomerRfm& rfm);

struct RfmResult {
  Instant as_of = 0;
  RfmMethod method = RfmMethod::ntile;
  std::string map_name;
  int map_version = 0;
  std::string currency;
  bool from_figures = false;              // true: read from customer_figures (O(customers))
  std::vector<CustomerRfm> customers;     // by customer id
  std::vector<SegmentSummary> segments;   // revenue in major units
};
// with_customers false leaves out "customers" (a result of every customer can be large).
std::string to_json(const RfmResult& result, bool with_customers = true);

// ---------------------------------------------------------------------------------- service --

class CustomerValue {
 public:
  explicit CustomerValue(Store& store) : store_(store) {}

  // Model inputs from the store (read only).
  ModelInputs model_inputs(const ModelInputOptions& options);

  // Builds inputs as of request.calibration_end, fits the model (clv.hpp), saves it and returns
  // it. Gamma-Gamma is fitted on repeat buyers with positive mean spend. Throws
  // invalid_argument when the data cannot identify the model (no customers, no repeat buyers,
  // every purchase on one day, zero spend) with a message saying so, and for a
  // options.penalizer_coef that is negative or not finite (named "penalizer_coef", checked
  // before anything is read); nothing is written then.
  ValueModel fit(const FitRequest& request);

  ValueModel model(std::int64_t id);                       // throws not_found
  std::vector<ValueModel> models();                        // newest first (fitted_at, id)
  // The newest model of a kind, or of any transaction kind when kind is empty.
  std::optional<ValueModel> latest_model(std::optional<ValueModelKind> kind = std::nullopt);
  // The default transaction model (of `kind`, or of any transaction kind): among the models
  // fitted on the most recent calibration - the same (calibration end, unit, currency,
  // customers, data_from) as the model with the latest calibration end (then latest fitted_at,
  // then id) - the one with the best log-likelihood, ties broken by the latest fitted_at, then
  // the highest id. Not simply the newest fit: refitting with a worse result does not displace
  // a better model of the same data. Throws not_found when no such model is saved.
  ValueModel choose_model(std::optional<ValueModelKind> kind = std::nullopt);

  // Replaces customer_scores in one transaction (see ScoreRequest). The summary names the
  // model used and carries the warnings.
  ScoreSummary score(const ScoreRequest& request);
  CustomerScore customer_score(std::int64_t customer_id);  // throws not_found
  // Scored rows of customer_scores by predicted_clv (expected purchases without CLV) descending;
  // limit 0 = every scored row (as --top 0 means "all" in every crmkit command).
  std::vector<CustomerScore> top_scores(int limit);
  // Every stored score row (customer_scores, the last run) in customer id order, a page at a
  // time: up to `limit` (1..10000) rows after customer id `after` (0 = from the start). Memory
  // is bounded by the page, whatever the number of customers.
  ScorePage scores(std::int64_t after, int limit);

  // Holdout validation of a saved transaction model against purchases in
  // [model.calibration_end, holdout_end).
  HoldoutValidation validate(std::int64_t model_id, Instant holdout_end);

  // Computes RFM as of request.as_of for every customer with a purchase before it, replaces
  // customer_rfm (with the map's name and version) in one transaction, and returns the result.
  // When as_of is after every recorded purchase, the per-customer figures are read instead of
  // scanning interactions (same numbers, O(customers)).
  RfmResult rfm(const RfmRequest& request);
  std::optional<CustomerRfm> customer_rfm(std::int64_t customer_id);

 private:
  Store store_;
};

}  // namespace crmkit
