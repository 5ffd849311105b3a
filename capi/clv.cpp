// C API: the plain-data CLV layer (crmkit/clv.hpp) on the caller's columns: the summary table
// of a purchase log and its calibration/holdout split, fits with their report, predictions.
// Converts and guards; the maths and every check live in src/analytics/.
#include <cmath>
#include <cstdint>
#include <cstring>
#include <memory>
#include <optional>
#include <variant>
#include <vector>

#include "crmkit/clv.hpp"
#include "handle.hpp"
#include "option_handles.hpp"

using namespace crmkit;
using crmkit::capi::call;
using crmkit::capi::need;

struct crmkit_clv_summary_options {
  clv::SummaryOptions options;
};

struct crmkit_clv_summary {
  clv::CalibrationHoldout table;  // a plain summary leaves the holdout columns empty
  bool holdout = false;
};

namespace {

std::size_t row_count(int64_t rows) {
  if (rows < 0) throw Error(Errc::invalid_argument, "rows = " + std::to_string(rows) + " must be >= 0");
  return static_cast<std::size_t>(rows);
}

// A column of `rows` values; NULL is allowed only for an empty column.
template <class T>
std::vector<T> column(const T* p, std::size_t rows, const char* name) {
  if (rows == 0) return {};
  need(p, name);
  return std::vector<T>(p, p + rows);
}

clv::PurchaseLog purchase_log(const int64_t* customer, const int64_t* at, const double* amount, int64_t rows) {
  const std::size_t n = row_count(rows);
  clv::PurchaseLog log;
  log.customer = column(customer, n, "customer");
  log.at = column(at, n, "at");
  if (amount) log.amount = column(amount, n, "amount");
  return log;
}

const clv::SummaryOptions& summary_options(const crmkit_clv_summary_options* o) {
  static const clv::SummaryOptions defaults;
  return o ? o->options : defaults;
}
const clv::FitOptions& fit_options(const crmkit_clv_fit_options* o) {
  static const clv::FitOptions defaults;
  return o ? o->options : defaults;
}

clv::PurchaseModel purchase_model(const char* model, const double* params, int64_t n_params) {
  const clv::PurchaseModelKind kind = clv::parse_purchase_model_kind(capi::text_arg(model, "model", 100));
  if (n_params != 4) throw Error(Errc::invalid_argument, "params: a purchase model takes 4 values, got " + std::to_string(n_params));
  need(params, "params");
  return clv::make_purchase_model(kind, {params[0], params[1], params[2], params[3]});
}

// A count column value as the int the C++ API takes, refused (naming the row) outside lo..hi.
int count_at(const int64_t* v, std::size_t i, const char* name, int64_t lo, int64_t hi) {
  if (v[i] < lo || v[i] > hi)
    throw Error(Errc::invalid_argument, std::string(name) + "[" + std::to_string(i) + "] = " + std::to_string(v[i]) +
                                            " must be " + std::to_string(lo) + ".." + std::to_string(hi));
  return static_cast<int>(v[i]);
}

clv::BgBbParams bg_bb_params(const double* params, int64_t n_params) {
  if (n_params != 4)
    throw Error(Errc::invalid_argument, "params: BG/BB takes 4 values (alpha, beta, gamma, delta), got " + std::to_string(n_params));
  need(params, "params");
  const clv::BgBbParams m{params[0], params[1], params[2], params[3]};
  clv::expected_transactions(m, 0);  // checks the parameters before any row
  return m;
}

clv::ShiftedBetaGeometricParams sbg_params(const double* params, int64_t n_params) {
  if (n_params != 2) throw Error(Errc::invalid_argument, "params: sBG takes 2 values (alpha, beta), got " + std::to_string(n_params));
  need(params, "params");
  const clv::ShiftedBetaGeometricParams m{params[0], params[1]};
  clv::survival(m, 0);  // checks the parameters before any row
  return m;
}

// Checks the arguments with prepare() (even for 0 rows), then runs f(i) for every row into out[i].
template <class P, class F>
int each_row(double* out, int64_t rows, P&& prepare, F&& f) {
  return call(nullptr, [&] {
    const std::size_t n = row_count(rows);
    if (n > 0) need(out, "out");
    prepare(n);
    for (std::size_t i = 0; i < n; ++i) out[i] = f(i);
    return CRMKIT_OK;
  });
}

}  // namespace

extern "C" {

int crmkit_clv_summary_options_new(crmkit_clv_summary_options** out) { return capi::new_handle(out); }
void crmkit_clv_summary_options_free(crmkit_clv_summary_options* options) { delete options; }

int crmkit_clv_summary_options_set_period(crmkit_clv_summary_options* options, const char* period,
                                          double periods_per_unit) {
  return capi::set_option(options, [&](crmkit_clv_summary_options& o) {
    o.options.period = clv::parse_time_unit(capi::text_arg(period, "period", 100), "period");
    o.options.periods_per_unit = periods_per_unit;
  });
}

int crmkit_clv_summary_options_set_observation_end(crmkit_clv_summary_options* options, int64_t observation_end) {
  return capi::set_option(options, [&](crmkit_clv_summary_options& o) { o.options.observation_end = observation_end; });
}

int crmkit_clv_summary_options_set_include_first_purchase(crmkit_clv_summary_options* options, int include) {
  return capi::set_option(options, [&](crmkit_clv_summary_options& o) { o.options.include_first_purchase = include != 0; });
}

int crmkit_clv_summarise(crmkit_clv_summary** out, const int64_t* customer, const int64_t* at, const double* amount,
                         int64_t rows, const crmkit_clv_summary_options* options) {
  if (out) *out = nullptr;
  return call(nullptr, [&] {
    need(out, "out");
    auto s = std::make_unique<crmkit_clv_summary>();
    s->table.calibration = clv::summarise_purchases(purchase_log(customer, at, amount, rows), summary_options(options));
    s->table.observation_end = s->table.calibration.observation_end;
    *out = s.release();
    return CRMKIT_OK;
  });
}

int crmkit_clv_calibration_holdout(crmkit_clv_summary** out, const int64_t* customer, const int64_t* at,
                                   const double* amount, int64_t rows, int64_t calibration_end,
                                   const crmkit_clv_summary_options* options) {
  if (out) *out = nullptr;
  return call(nullptr, [&] {
    need(out, "out");
    auto s = std::make_unique<crmkit_clv_summary>();
    s->table = clv::calibration_and_holdout(purchase_log(customer, at, amount, rows), calibration_end,
                                            summary_options(options));
    s->holdout = true;
    *out = s.release();
    return CRMKIT_OK;
  });
}

int crmkit_clv_summary_facts(int64_t* out_customers, int64_t* out_observation_end, int64_t* out_left_out,
                             double* out_duration_holdout, const crmkit_clv_summary* summary) {
  return call(nullptr, [&] {
    need(summary, "summary");
    const auto& t = summary->table;
    if (out_customers) *out_customers = static_cast<int64_t>(t.size());
    if (out_observation_end) *out_observation_end = t.observation_end;
    if (out_left_out) *out_left_out = static_cast<int64_t>(t.calibration.purchases_left_out);
    if (out_duration_holdout) *out_duration_holdout = summary->holdout ? t.duration_holdout : std::nan("");
    return CRMKIT_OK;
  });
}

int crmkit_clv_summary_columns(int64_t* out_rows, const crmkit_clv_summary* summary, int64_t capacity,
                               int64_t* customer, double* frequency, double* recency, double* T,
                               double* monetary_value, double* frequency_holdout, double* monetary_value_holdout) {
  return call(nullptr, [&] {
    need(out_rows, "out_rows");
    *out_rows = 0;
    need(summary, "summary");
    if (capacity < 0) throw Error(Errc::invalid_argument, "capacity = " + std::to_string(capacity) + " must be >= 0");
    const auto& t = summary->table;
    const auto& c = t.calibration;
    const std::size_t n = std::min<std::size_t>(t.size(), static_cast<std::size_t>(capacity));
    const bool money = c.monetary_value.size() == c.size();
    for (std::size_t i = 0; i < n; ++i) {
      if (customer) customer[i] = c.customer[i];
      if (frequency) frequency[i] = c.frequency[i];
      if (recency) recency[i] = c.recency[i];
      if (T) T[i] = c.T[i];
      if (monetary_value) monetary_value[i] = money ? c.monetary_value[i] : std::nan("");
      if (frequency_holdout) frequency_holdout[i] = summary->holdout ? t.frequency_holdout[i] : std::nan("");
      if (monetary_value_holdout)
        monetary_value_holdout[i] = summary->holdout && money ? t.monetary_value_holdout[i] : std::nan("");
    }
    *out_rows = static_cast<int64_t>(n);
    return CRMKIT_OK;
  });
}

void crmkit_clv_summary_free(crmkit_clv_summary* summary) { delete summary; }

int crmkit_clv_fit_options_new(crmkit_clv_fit_options** out) { return capi::new_handle(out); }
void crmkit_clv_fit_options_free(crmkit_clv_fit_options* options) { delete options; }

int crmkit_clv_fit_options_set_penalizer(crmkit_clv_fit_options* options, double penalizer_coef) {
  return capi::set_option(options, [&](crmkit_clv_fit_options& o) { o.options.penalizer_coef = penalizer_coef; });
}

int crmkit_clv_fit_options_set_limits(crmkit_clv_fit_options* options, int max_iterations, double gradient_tolerance) {
  return capi::set_option(options, [&](crmkit_clv_fit_options& o) {
    o.options.max_iterations = max_iterations;
    o.options.gradient_tolerance = gradient_tolerance;
  });
}

int crmkit_clv_fit_options_set_start(crmkit_clv_fit_options* options, const double* start, int64_t count) {
  return capi::set_option(options, [&](crmkit_clv_fit_options& o) {
    if (count < 0 || count > 16) throw Error(Errc::invalid_argument, "count = " + std::to_string(count) + " must be 0..16");
    o.options.start = column(start, static_cast<std::size_t>(count), "start");
  });
}

int crmkit_clv_fit_json(char** out_json, const char* model, const double* x, const double* t_x, const double* T,
                        const double* weight, int64_t rows, const crmkit_clv_fit_options* options) {
  if (out_json) *out_json = nullptr;
  return call(nullptr, [&] {
    need(out_json, "out_json");
    const std::string kind = capi::text_arg(model, "model", 100);
    const std::size_t n = row_count(rows);
    const clv::FitOptions& o = fit_options(options);
    clv::FitReport report;
    if (kind == "bg_bb") {
      clv::OpportunityHistories h{column(x, n, "x"), column(t_x, n, "t_x"), column(T, n, "T"), {}};
      if (weight) h.weight = column(weight, n, "weight");
      report = clv::fit_bg_bb(h, o).report;
    } else {
      const clv::PurchaseModelKind k = clv::parse_purchase_model_kind(kind);
      clv::Histories h{column(x, n, "x"), column(t_x, n, "t_x"), column(T, n, "T"), {}};
      if (weight) h.weight = column(weight, n, "weight");
      report = clv::fit_purchase_model(k, h, o).report;
    }
    *out_json = capi::owned_string(clv::to_json(report));
    return CRMKIT_OK;
  });
}

int crmkit_clv_fit_spend_json(char** out_json, const double* x, const double* mean_spend, const double* weight,
                              int64_t rows, const crmkit_clv_fit_options* options) {
  if (out_json) *out_json = nullptr;
  return call(nullptr, [&] {
    need(out_json, "out_json");
    const std::size_t n = row_count(rows);
    clv::SpendHistories h{column(x, n, "x"), column(mean_spend, n, "mean_spend"), {}};
    if (weight) h.weight = column(weight, n, "weight");
    *out_json = capi::owned_string(clv::to_json(clv::fit_gamma_gamma(h, fit_options(options)).report));
    return CRMKIT_OK;
  });
}

int crmkit_clv_fit_retention_json(char** out_json, const double* alive, int64_t periods,
                                  const crmkit_clv_fit_options* options) {
  if (out_json) *out_json = nullptr;
  return call(nullptr, [&] {
    need(out_json, "out_json");
    const auto a = column(alive, row_count(periods), "alive");
    *out_json = capi::owned_string(clv::to_json(clv::fit_shifted_beta_geometric(a, fit_options(options)).report));
    return CRMKIT_OK;
  });
}

int crmkit_clv_p_alive(double* out, const char* model, const double* params, int64_t n_params, const double* x,
                       const double* t_x, const double* T, int64_t rows) {
  std::optional<clv::PurchaseModel> m;
  return each_row(out, rows, [&](std::size_t n) {
    m = purchase_model(model, params, n_params);
    if (n) need(x, "x"), need(t_x, "t_x"), need(T, "T");
  }, [&](std::size_t i) {
    return clv::p_alive(*m, x[i], t_x[i], T[i]);
  });
}

int crmkit_clv_conditional_expected_purchases(double* out, const char* model, const double* params,
                                              int64_t n_params, double t, const double* x, const double* t_x,
                                              const double* T, int64_t rows) {
  std::optional<clv::PurchaseModel> m;
  return each_row(out, rows, [&](std::size_t n) {
    m = purchase_model(model, params, n_params);
    if (n) need(x, "x"), need(t_x, "t_x"), need(T, "T");
  }, [&](std::size_t i) {
    return clv::conditional_expected_purchases(*m, t, x[i], t_x[i], T[i]);
  });
}

int crmkit_clv_expected_purchases(double* out, const char* model, const double* params, int64_t n_params,
                                  const double* t, int64_t rows) {
  std::optional<clv::PurchaseModel> m;
  return each_row(out, rows, [&](std::size_t n) {
    m = purchase_model(model, params, n_params);
    if (n) need(t, "t");
  }, [&](std::size_t i) {
    return clv::expected_purchases(*m, t[i]);
  });
}

int crmkit_clv_probability_of_purchases(double* out, const char* model, const double* params, int64_t n_params,
                                        double t, const int64_t* n, int64_t rows) {
  std::optional<clv::PurchaseModel> m;
  return each_row(out, rows, [&](std::size_t count) {
    m = purchase_model(model, params, n_params);
    if (count) need(n, "n");
  }, [&](std::size_t i) {
    return clv::probability_of_purchases(*m, t, count_at(n, i, "n", 0, 1'000'000));
  });
}

int crmkit_clv_conditional_probability_of_purchases(double* out, const char* model, const double* params,
                                                    int64_t n_params, double t, const int64_t* n, const double* x,
                                                    const double* t_x, const double* T, int64_t rows) {
  std::optional<clv::PurchaseModel> m;
  return each_row(out, rows, [&](std::size_t count) {
    m = purchase_model(model, params, n_params);
    if (count) need(n, "n"), need(x, "x"), need(t_x, "t_x"), need(T, "T");
  }, [&](std::size_t i) {
    return clv::conditional_probability_of_purchases(*m, t, count_at(n, i, "n", 0, 1'000'000), x[i], t_x[i], T[i]);
  });
}

int crmkit_clv_bg_bb_p_alive(double* out, const double* params, int64_t n_params, int64_t m_ahead, const double* x,
                             const double* t_x, const double* n, int64_t rows) {
  clv::BgBbParams m{};
  return each_row(out, rows, [&](std::size_t count) {
    m = bg_bb_params(params, n_params);
    if (m_ahead < 0 || m_ahead > 1'000'000)
      throw Error(Errc::invalid_argument, "m_ahead = " + std::to_string(m_ahead) + " must be 0..1000000");
    if (count) need(x, "x"), need(t_x, "t_x"), need(n, "n");
  }, [&](std::size_t i) {
    return clv::p_alive(m, x[i], t_x[i], n[i], static_cast<int>(m_ahead));
  });
}

int crmkit_clv_bg_bb_expected_transactions(double* out, const double* params, int64_t n_params, const double* n,
                                           int64_t rows) {
  clv::BgBbParams m{};
  return each_row(out, rows, [&](std::size_t count) {
    m = bg_bb_params(params, n_params);
    if (count) need(n, "n");
  }, [&](std::size_t i) {
    return clv::expected_transactions(m, n[i]);
  });
}

int crmkit_clv_bg_bb_conditional_expected_transactions(double* out, const double* params, int64_t n_params,
                                                       double n_star, const double* x, const double* t_x,
                                                       const double* n, int64_t rows) {
  clv::BgBbParams m{};
  return each_row(out, rows, [&](std::size_t count) {
    m = bg_bb_params(params, n_params);
    if (count) need(x, "x"), need(t_x, "t_x"), need(n, "n");
  }, [&](std::size_t i) {
    return clv::conditional_expected_transactions(m, n_star, x[i], t_x[i], n[i]);
  });
}

int crmkit_clv_bg_bb_probability_of_transactions(double* out, const double* params, int64_t n_params, int64_t n,
                                                 const int64_t* x, int64_t rows) {
  clv::BgBbParams m{};
  return each_row(out, rows, [&](std::size_t count) {
    m = bg_bb_params(params, n_params);
    if (n < 0 || n > 1'000'000) throw Error(Errc::invalid_argument, "n = " + std::to_string(n) + " must be 0..1000000");
    if (count) need(x, "x");
  }, [&](std::size_t i) {
    return clv::probability_of_transactions(m, static_cast<double>(n), count_at(x, i, "x", 0, n));
  });
}

int crmkit_clv_sbg_survival(double* out, const double* params, int64_t n_params, const int64_t* t, int64_t rows) {
  clv::ShiftedBetaGeometricParams m{};
  return each_row(out, rows, [&](std::size_t count) {
    m = sbg_params(params, n_params);
    if (count) need(t, "t");
  }, [&](std::size_t i) {
    return clv::survival(m, count_at(t, i, "t", 0, INT32_MAX));
  });
}

int crmkit_clv_sbg_retention_rate(double* out, const double* params, int64_t n_params, const int64_t* t,
                                  int64_t rows) {
  clv::ShiftedBetaGeometricParams m{};
  return each_row(out, rows, [&](std::size_t count) {
    m = sbg_params(params, n_params);
    if (count) need(t, "t");
  }, [&](std::size_t i) {
    return clv::retention_rate(m, count_at(t, i, "t", 1, INT32_MAX));
  });
}

int crmkit_clv_expected_average_profit(double* out, const double* params, int64_t n_params, const double* x,
                                       const double* mean_spend, int64_t rows) {
  clv::GammaGammaParams g{};
  return each_row(out, rows, [&](std::size_t n) {
    if (n_params != 3) throw Error(Errc::invalid_argument, "params: Gamma-Gamma takes 3 values (p, q, gamma), got " + std::to_string(n_params));
    need(params, "params");
    g = clv::GammaGammaParams{params[0], params[1], params[2]};
    clv::population_mean_spend(g);  // checks the parameters (q > 1) before any row
    if (n) need(x, "x"), need(mean_spend, "mean_spend");
  }, [&](std::size_t i) {
    return clv::conditional_expected_average_spend(g, x[i], mean_spend[i]);
  });
}

int crmkit_clv_customer_lifetime_value(double* out, const char* model, const double* params, int64_t n_params,
                                       const char* unit, int months, double monthly_discount_rate, const double* x,
                                       const double* t_x, const double* T, const double* expected_margin,
                                       int64_t rows) {
  std::optional<clv::PurchaseModel> m;
  std::optional<clv::MonthlyHorizon> h;
  return each_row(out, rows, [&](std::size_t n) {
    m = purchase_model(model, params, n_params);
    h.emplace(clv::parse_time_unit(capi::text_arg(unit, "unit", 100), "unit"), months, monthly_discount_rate);
    if (n) need(x, "x"), need(t_x, "t_x"), need(T, "T"), need(expected_margin, "expected_margin");
  }, [&](std::size_t i) {
    return clv::customer_lifetime_value(*m, *h, x[i], t_x[i], T[i], expected_margin[i]);
  });
}

}  // extern "C"
