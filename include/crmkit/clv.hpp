// crmkit/clv.hpp: probabilistic customer-value models on sufficient statistics.
//
// Pure maths: no store, no I/O, no clock. Hosts call these on their own arrays; the store
// integration (model inputs from the database, saved models, scores) is built on top.
//
// Data (non-contractual, continuous time), one entry per customer:
//   x    number of REPEAT purchases (purchases after the first; same-day purchases merged)
//   t_x  time from the first purchase to the last one        (0 when x = 0)
//   T    time from the first purchase to the end of calibration (t_x <= T)
// all three in ONE time unit of the caller's choice (days, weeks, ...). Fitted rate
// parameters (alpha, beta) and every prediction horizon t are in that same unit.
//
// Models (see docs/CLV.md for formulas and sources):
//   BG/NBD     Fader, Hardie & Lee (2005)          params r, alpha, a, b
//   MBG/NBD    Batislam et al. (2007)             params r, alpha, a, b
//   Pareto/NBD Schmittlein, Morrison & Colombo (1987) params r, alpha, s, beta
//   Gamma-Gamma spend, Fader & Hardie note 025     params p, q, gamma (lifetimes' "v")
//   BG/BB      discrete opportunities, Fader, Hardie & Shang (2010)  alpha, beta, gamma, delta
//   sBG        contractual retention, Fader & Hardie (2007)          alpha, beta
//
// Errors: invalid input throws crmkit::Error(Errc::invalid_argument, message naming the
// argument, e.g. "t_x[12] = 40 is greater than T[12] = 39"). Functions never return NaN.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "crmkit/error.hpp"

namespace crmkit::clv {

// ---- time units ---------------------------------------------------------------------------

// The unit the model's data (t_x, T) is measured in. Required wherever calendar months are
// converted to model time: there is deliberately no default (lifetimes defaults to days and
// silently mis-scales weekly data by ~7x).
enum class TimeUnit { hour, day, week, month };

// Model time units per calendar month, as lifetimes uses them: hour 720, day 30,
// week 4.345, month 1.
double units_per_month(TimeUnit unit) noexcept;
const char* to_string(TimeUnit unit) noexcept;  // "hour", "day", "week", "month"
TimeUnit parse_time_unit(const std::string& text, const char* field = "time_unit");

// ---- inputs ---------------------------------------------------------------------------------

// Purchase histories as a struct of arrays (equal lengths). `weight` is optional: empty means
// every row counts once; otherwise one non-negative finite weight per row (e.g. a count of
// identical customers). Values must be finite, x >= 0, 0 <= t_x <= T. x may be fractional
// for the likelihood and the expectations but is usually an integer count.
struct Histories {
  std::vector<double> x;
  std::vector<double> t_x;
  std::vector<double> T;
  std::vector<double> weight;
  std::size_t size() const noexcept { return x.size(); }
};

// Repeat-spend data for Gamma-Gamma: x = repeat purchases (> 0), mean_spend = mean value of
// those repeat purchases in major currency units (> 0). Optional weights as above.
struct SpendHistories {
  std::vector<double> x;
  std::vector<double> mean_spend;
  std::vector<double> weight;
  std::size_t size() const noexcept { return x.size(); }
};

// Discrete opportunities for BG/BB: n opportunities, x transactions (0 <= x <= n), t_x the
// opportunity of the last one (x = 0 -> t_x = 0; otherwise x <= t_x <= n). Integers.
struct OpportunityHistories {
  std::vector<double> x;
  std::vector<double> t_x;
  std::vector<double> n;
  std::vector<double> weight;
  std::size_t size() const noexcept { return x.size(); }
};

// ---- transaction logs: the summary table (lifetimes' summary_data_from_transaction_data) ----
//
// A purchase log as columns of equal length: customer id, instant (epoch ms UTC, within
// 0001-01-01 .. 9999-12-31) and, optionally, the amount in major currency units (finite,
// >= 0; empty = no monetary value). Rows may come in any order. Amounts are doubles: the
// summary's monetary value is a mean that feeds floating-point models, as in lifetimes.
struct PurchaseLog {
  std::vector<std::int64_t> customer;
  std::vector<std::int64_t> at;
  std::vector<double> amount;
  std::size_t size() const noexcept { return customer.size(); }
};

// lifetimes' options, by their names there:
//   period               freq: purchases are merged per calendar period (hour, day, week
//                        Monday..Sunday, calendar month; UTC); default day as lifetimes
//   periods_per_unit     freq_multiplier: recency and T are divided by it (period day with 7
//                        gives weeks measured between whole days, the CDNOW convention)
//   observation_end      observation_period_end: purchases in periods after the one holding
//                        it are left out (and counted); default the latest purchase
//   include_first_purchase  include_first_transaction: frequency counts every period and the
//                        monetary value averages every period's spend, the first included
struct SummaryOptions {
  TimeUnit period = TimeUnit::day;
  double periods_per_unit = 1;
  std::optional<std::int64_t> observation_end;
  bool include_first_purchase = false;
};

// One row per customer with a purchase up to the observation end, customers ascending.
//   frequency       distinct purchase periods - 1 (or the count, include_first_purchase)
//   recency         (last period start - first period start) / unit
//   T               (observation end's period start - first period start) / unit
//   monetary_value  mean spend per period over the repeat periods (every period with
//                   include_first_purchase); 0 when there is none; empty without amounts
// unit = one period (a month counts 30.436875 days, as pandas 1.x converts numpy's 'M')
// times periods_per_unit.
struct PurchaseSummary {
  std::vector<std::int64_t> customer;
  std::vector<double> frequency, recency, T, monetary_value;
  std::int64_t observation_end = 0;    // the instant used
  std::size_t purchases_left_out = 0;  // log rows in periods after the observation end
  std::size_t size() const noexcept { return customer.size(); }
  // (x, t_x, T) = (frequency, recency, T) for the purchase-model fits and predictions.
  Histories histories() const;
  // The rows with frequency > 0 and monetary_value > 0, for the Gamma-Gamma fit (which takes
  // repeat buyers only); `customer_of` (may be null) receives their customer ids.
  SpendHistories repeat_spend(std::vector<std::int64_t>* customer_of = nullptr) const;
};

// Throws invalid_argument naming the row and the problem: columns of different lengths, an
// empty log, an instant out of range, an amount that is negative or not finite, an observation
// end before the first purchase, periods_per_unit not finite and > 0.
PurchaseSummary summarise_purchases(const PurchaseLog& log, const SummaryOptions& options = {});

// lifetimes' calibration_and_holdout_data: the calibration summary of the purchases at or
// before calibration_end (its observation end is calibration_end), and per calibration
// customer the holdout purchases in (calibration_end, observation_end]:
//   frequency_holdout       distinct holdout periods (every one counts: no first purchase)
//   monetary_value_holdout  mean amount of the holdout log rows themselves (lifetimes averages
//                           rows here, not per-period sums); 0 without holdout purchases
//   duration_holdout        (period of observation_end - period of calibration_end) /
//                           periods_per_unit, in whole periods (calendar months for month)
// options.observation_end is the end of the holdout (default: the latest purchase);
// options.include_first_purchase applies to the calibration summary. Customers whose first
// purchase is in the holdout are not rows (as lifetimes). Throws invalid_argument as
// summarise_purchases, and when observation_end is not after calibration_end or no purchase
// falls in the holdout.
struct CalibrationHoldout {
  PurchaseSummary calibration;
  std::vector<double> frequency_holdout, monetary_value_holdout;
  double duration_holdout = 0;
  std::int64_t calibration_end = 0;
  std::int64_t observation_end = 0;
  std::size_t size() const noexcept { return calibration.size(); }
};
CalibrationHoldout calibration_and_holdout(const PurchaseLog& log, std::int64_t calibration_end,
                                           const SummaryOptions& options = {});

// ---- parameters -------------------------------------------------------------------------------
// All parameters are > 0. alpha and beta (the rate parameters of the continuous-time
// models) are in the data's time unit.

struct BgNbdParams { double r, alpha, a, b; };
struct MbgNbdParams { double r, alpha, a, b; };
struct ParetoNbdParams { double r, alpha, s, beta; };
struct GammaGammaParams { double p, q, gamma; };   // q > 1 for the expected-spend formulas
struct BgBbParams { double alpha, beta, gamma, delta; };
struct ShiftedBetaGeometricParams { double alpha, beta; };

// A fitted transaction-count model of any continuous-time kind, for code that stores or
// scores models generically.
enum class PurchaseModelKind { bg_nbd, mbg_nbd, pareto_nbd };
using PurchaseModel = std::variant<BgNbdParams, MbgNbdParams, ParetoNbdParams>;

const char* to_string(PurchaseModelKind kind) noexcept;  // "bg_nbd", "mbg_nbd", "pareto_nbd"
PurchaseModelKind parse_purchase_model_kind(const std::string& text, const char* field = "model");
PurchaseModelKind kind_of(const PurchaseModel& model) noexcept;
// Parameter names in storage order: {"r","alpha","a","b"} or {"r","alpha","s","beta"}.
std::array<const char*, 4> parameter_names(PurchaseModelKind kind) noexcept;
std::array<double, 4> parameters(const PurchaseModel& model) noexcept;
// Builds a model from stored values; throws invalid_argument unless every value is finite > 0.
PurchaseModel make_purchase_model(PurchaseModelKind kind, const std::array<double, 4>& values);

// ---- fitting ----------------------------------------------------------------------------------

struct FitOptions {
  // Starting point in natural parameters (model order), in the caller's units like the
  // result; empty = the model's default (BG/NBD and MBG/NBD (1,3,1,3), Pareto/NBD (1,1,1,1),
  // GG (p,q,gamma) = (1,2,1) (q > 1), BG/BB (1,1,1,1), sBG (1,1); the defaults' rates alpha,
  // beta are in time scaled so that max T = 1, GG gamma in spend scaled by the mean spend).
  std::vector<double> start;
  int max_iterations = 1000;          // hard cap: a fit never hangs
  double gradient_tolerance = 1e-7;   // on the per-unit-weight gradient in log-parameter space
  // L2 penalty as lifetimes 0.11.3's penalizer_coef (finite, >= 0; 0 = plain maximum
  // likelihood, every result unchanged). The fit minimises
  //   -LL / W + penalizer_coef * sum_i q_i^2
  // with W the total weight and q_i the parameters on lifetimes' own axis: BG/NBD, MBG/NBD and
  // Pareto/NBD on time scaled so that max T = 1 (alpha / max T, beta / max T), Gamma-Gamma,
  // BG/BB and sBG as reported. Pareto/NBD divides by the mean weight, as lifetimes does:
  //   -LL / (W / rows) + penalizer_coef * sum_i q_i^2   (rows = the caller's rows).
  // Larger values pull the parameters towards 0. docs/CLV.md, "Penalizer".
  double penalizer_coef = 0;
};

// What a fit did. log_likelihood is the weighted sum of per-customer log-likelihoods on the
// caller's (unscaled) time axis, comparable with published values.
struct FitReport {
  double log_likelihood = 0;
  int iterations = 0;
  int function_evaluations = 0;
  double gradient_norm = 0;       // final, log-parameter space, per unit weight
  bool converged = false;
  std::string reason;             // e.g. "gradient below tolerance", "iteration cap reached"
  std::size_t customers = 0;      // rows with weight > 0
  std::size_t patterns = 0;       // distinct input tuples actually evaluated
  double total_weight = 0;
  // Standard errors of the natural parameters (model order) from the inverse Hessian of the
  // negative log-likelihood (delta method from log space). Empty when the Hessian is not
  // positive definite at the optimum (e.g. a flat direction).
  std::vector<double> standard_errors;
  // What the summary prints: the model ("BG/NBD"), parameter names and values in model order.
  std::string model;
  std::vector<std::string> parameter_names;
  std::vector<double> parameter_values;
  double penalizer_coef = 0;
  // Information criteria from the (unpenalised) log-likelihood: k = parameters, n =
  // observations = total_weight (the customers, or sBG's cohort size):
  //   AIC = 2k - 2 LL,  BIC = k ln(n) - 2 LL.
  std::size_t parameters = 0;
  double observations = 0;
  double aic = 0;
  double bic = 0;
};

// A fit as readable text (parameters with standard errors, log-likelihood, AIC/BIC,
// observations, penalizer, convergence), the one summary the CLI and Python print.
std::string fit_summary(const FitReport& report);
// The report as JSON: {"model", "params": {name: value}, "standard_errors": {name: value} or
// null, "log_likelihood", "aic", "bic", "parameters", "observations", "customers", "patterns",
// "penalizer_coef", "converged", "reason", "iterations", "function_evaluations",
// "gradient_norm", "summary": fit_summary's text}. The C fit calls return exactly this.
std::string to_json(const FitReport& report);

struct BgNbdFit { BgNbdParams params; FitReport report; };
struct MbgNbdFit { MbgNbdParams params; FitReport report; };
struct ParetoNbdFit { ParetoNbdParams params; FitReport report; };
struct PurchaseModelFit { PurchaseModel model; FitReport report; };
struct GammaGammaFit { GammaGammaParams params; FitReport report; };
struct BgBbFit { BgBbParams params; FitReport report; };
struct ShiftedBetaGeometricFit { ShiftedBetaGeometricParams params; FitReport report; };

// Maximum-likelihood fits. Identical rows are grouped (cost grows with distinct patterns,
// not customers); time is rescaled internally so that max T = 1. Throw invalid_argument on
// empty or invalid data (and when max T = 0: every customer observed for zero time). A fit
// that stops at the iteration cap still returns its best point with converged = false.
BgNbdFit fit_bg_nbd(const Histories& data, const FitOptions& options = {});
MbgNbdFit fit_mbg_nbd(const Histories& data, const FitOptions& options = {});
ParetoNbdFit fit_pareto_nbd(const Histories& data, const FitOptions& options = {});
PurchaseModelFit fit_purchase_model(PurchaseModelKind kind, const Histories& data,
                                    const FitOptions& options = {});
// Repeat customers only: throws invalid_argument if any row has x <= 0 or mean_spend <= 0
// (filter them out first: a one-time buyer says nothing about spend variation).
GammaGammaFit fit_gamma_gamma(const SpendHistories& data, const FitOptions& options = {});
BgBbFit fit_bg_bb(const OpportunityHistories& data, const FitOptions& options = {});
// sBG on a cohort's survivor counts: alive[0] = cohort size, alive[t] = still active after
// period t (non-increasing). Customers still alive at the end are censored.
ShiftedBetaGeometricFit fit_shifted_beta_geometric(const std::vector<double>& alive,
                                                   const FitOptions& options = {});

// ---- log-likelihood ---------------------------------------------------------------------------
// One customer's log-likelihood, and the weighted sum over a data set.

double log_likelihood(const BgNbdParams& m, double x, double t_x, double T);
double log_likelihood(const MbgNbdParams& m, double x, double t_x, double T);
double log_likelihood(const ParetoNbdParams& m, double x, double t_x, double T);
double log_likelihood(const PurchaseModel& m, double x, double t_x, double T);
double log_likelihood(const BgNbdParams& m, const Histories& data);
double log_likelihood(const MbgNbdParams& m, const Histories& data);
double log_likelihood(const ParetoNbdParams& m, const Histories& data);
double log_likelihood(const PurchaseModel& m, const Histories& data);
// Gamma-Gamma marginal log-density of the mean spend m_x (note 025 eq. 1a).
double log_likelihood(const GammaGammaParams& m, double x, double mean_spend);
double log_likelihood(const GammaGammaParams& m, const SpendHistories& data);
double log_likelihood(const BgBbParams& m, double x, double t_x, double n);
double log_likelihood(const BgBbParams& m, const OpportunityHistories& data);

// ---- predictions (continuous-time purchase models) --------------------------------------------

// Probability that the customer is still alive at T. BG/NBD: 1 when x = 0.
double p_alive(const BgNbdParams& m, double x, double t_x, double T);
double p_alive(const MbgNbdParams& m, double x, double t_x, double T);
double p_alive(const ParetoNbdParams& m, double x, double t_x, double T);
double p_alive(const PurchaseModel& m, double x, double t_x, double T);

// Expected repeat purchases in (0, t] of a customer just acquired.
double expected_purchases(const BgNbdParams& m, double t);
double expected_purchases(const MbgNbdParams& m, double t);
double expected_purchases(const ParetoNbdParams& m, double t);   // needs s != 1 (limit used at 1)
double expected_purchases(const PurchaseModel& m, double t);

// Expected purchases in (T, T + t] given the history (x, t_x, T).
double conditional_expected_purchases(const BgNbdParams& m, double t, double x, double t_x, double T);
double conditional_expected_purchases(const MbgNbdParams& m, double t, double x, double t_x, double T);
double conditional_expected_purchases(const ParetoNbdParams& m, double t, double x, double t_x, double T);
double conditional_expected_purchases(const PurchaseModel& m, double t, double x, double t_x, double T);

// P(X(t) = n): probability that a new customer makes exactly n repeat purchases in (0, t].
// n >= 0. Pareto/NBD: Fader & Hardie note 012, "Deriving an Expression for P(X(t) = x) Under
// the Pareto/NBD Model" (docs/CLV.md, "Probability of n purchases"); throws invalid_argument
// for (n, t) whose series would need more than 10^6 terms (n ~ 10^6 at t ~ 10^6 rate units).
double probability_of_purchases(const BgNbdParams& m, double t, int n);
double probability_of_purchases(const MbgNbdParams& m, double t, int n);
double probability_of_purchases(const ParetoNbdParams& m, double t, int n);
double probability_of_purchases(const PurchaseModel& m, double t, int n);

// P(Y(t) = n | x, t_x, T): probability of exactly n purchases in (T, T + t] given the history
// (lifetimes' conditional_probability_of_n_purchases_up_to_time, there for Pareto/NBD only).
// = [n = 0] (1 - P(alive)) + P(alive) * P(X(t) = n) of a new customer whose parameters are
// the posterior at T: Pareto/NBD (r+x, alpha+T, s, beta+T); BG/NBD (r+x, alpha+T, a, b+x);
// MBG/NBD a BG/NBD customer with (r+x, alpha+T, a, b+x+1). Its mean is
// conditional_expected_purchases. Derivation in docs/CLV.md.
double conditional_probability_of_purchases(const BgNbdParams& m, double t, int n, double x, double t_x, double T);
double conditional_probability_of_purchases(const MbgNbdParams& m, double t, int n, double x, double t_x, double T);
double conditional_probability_of_purchases(const ParetoNbdParams& m, double t, int n, double x, double t_x,
                                            double T);
double conditional_probability_of_purchases(const PurchaseModel& m, double t, int n, double x, double t_x, double T);

// Vectorised forms: one value per row of `data` (weights ignored).
std::vector<double> p_alive(const PurchaseModel& m, const Histories& data);
std::vector<double> conditional_expected_purchases(const PurchaseModel& m, double t,
                                                   const Histories& data);

// ---- predictions (spend) ----------------------------------------------------------------------

// E[M | x, m_x] = p(gamma + m_x x) / (p x + q - 1): a weighted average of the population
// mean and the customer's own mean repeat spend. x = 0 gives the population mean. Needs q > 1.
double conditional_expected_average_spend(const GammaGammaParams& m, double x, double mean_spend);
std::vector<double> conditional_expected_average_spend(const GammaGammaParams& m,
                                                       const SpendHistories& data);
// p gamma / (q - 1). Needs q > 1.
double population_mean_spend(const GammaGammaParams& m);

// ---- predictions (discrete opportunities, BG/BB) ----------------------------------------------

// P(alive at opportunity n + m_ahead | x, t_x, n); m_ahead = 1 is "next period" as lifetimes.
double p_alive(const BgBbParams& m, double x, double t_x, double n, int m_ahead = 1);
// E[X(n)] for a new customer.
double expected_transactions(const BgBbParams& m, double n);
// E[X(n, n + n_star) | x, t_x, n].
double conditional_expected_transactions(const BgBbParams& m, double n_star, double x, double t_x,
                                         double n);
// P(X(n) = x): probability that a new customer makes exactly x transactions in the first n
// opportunities (Fader, Hardie & Shang 2010 eq. 7). n and x whole numbers, 0 <= x <= n <= 10^6
// (the sum has n - x terms).
double probability_of_transactions(const BgBbParams& m, double n, double x);

// ---- sBG (contractual retention) ------------------------------------------------------------

// S(t) = B(alpha, beta + t) / B(alpha, beta); retention rate r_t = (beta+t-1)/(alpha+beta+t-1).
double survival(const ShiftedBetaGeometricParams& m, int t);
double retention_rate(const ShiftedBetaGeometricParams& m, int t);

// ---- customer lifetime value ------------------------------------------------------------------

// Monthly discounted cash flow as lifetimes' customer_lifetime_value:
//   CLV = sum_{k=1..months} margin * (E[Y(k f)] - E[Y((k-1) f)]) / (1 + monthly_discount_rate)^k
// with f = units_per_month(unit). There is no default constructor: the unit must be named.
struct MonthlyHorizon {
  MonthlyHorizon(TimeUnit unit_, int months_, double monthly_discount_rate_)
      : unit(unit_), months(months_), monthly_discount_rate(monthly_discount_rate_) {}
  TimeUnit unit;                  // unit of the model's data (t_x, T, alpha)
  int months;                     // horizon, 1..1200
  double monthly_discount_rate;   // >= 0, e.g. 0.01 (about 12.7% a year)
};

// expected_margin is the value of one future purchase (usually the Gamma-Gamma conditional
// expected average spend times a margin rate).
double customer_lifetime_value(const PurchaseModel& m, const MonthlyHorizon& horizon, double x,
                               double t_x, double T, double expected_margin);
// Vectorised: expected_margin has one value per row of `data`.
std::vector<double> customer_lifetime_value(const PurchaseModel& m, const MonthlyHorizon& horizon,
                                            const Histories& data,
                                            const std::vector<double>& expected_margin);

// Pareto/NBD discounted expected residual transactions (FHL 2005 JMR eq. 2) with continuous
// discount rate delta > 0 per model time unit. CLV = expected margin * DERT.
double discounted_expected_residual_transactions(const ParetoNbdParams& m, double delta, double x,
                                                 double t_x, double T);
std::vector<double> discounted_expected_residual_transactions(const ParetoNbdParams& m,
                                                              double delta, const Histories& data);
// Continuous rate per model unit equivalent to an annual rate compounded yearly:
// ln(1 + annual_rate) / units_per_year (weeks: 52, days: 365, months: 12, hours: 8760).
double continuous_discount_rate(double annual_rate, TimeUnit unit);

// Closed forms (no model).
// average annual revenue x margin rate x expected retention years - acquisition cost.
double simple_lifetime_value(double annual_revenue, double margin_rate, double retention_years,
                             double acquisition_cost);
// Constant margin m per period, retention r, discount d per period, r in [0, 1 + d).
// First margin received now (t = 0):      m (1 + d) / (1 + d - r)
// First margin at the end of period 1 (Farris et al., "Marketing Metrics"):  m r / (1 + d - r)
double retention_value_margin_at_start(double margin, double retention, double discount);
double retention_value_margin_at_end(double margin, double retention, double discount);
// Finite horizon of `periods` margins: sum_{t=0}^{periods-1} m (r/(1+d))^t and
// sum_{t=1}^{periods} m (r/(1+d))^t respectively (any r >= 0 allowed here).
double retention_value_margin_at_start(double margin, double retention, double discount,
                                       int periods);
double retention_value_margin_at_end(double margin, double retention, double discount,
                                     int periods);

}  // namespace crmkit::clv
