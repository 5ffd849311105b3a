// Generic purchase-model plumbing: time units, model kinds, dispatch over PurchaseModel and
// the vectorised entry points.
#include <algorithm>
#include <cmath>
#include <functional>
#include <unordered_map>

#include <fmt/format.h>

#include "analytics/clv_fit.hpp"
#include "analytics/clv_kernels.hpp"
#include "crmkit/clv.hpp"

namespace crmkit::clv {

double units_per_month(TimeUnit unit) noexcept {
  switch (unit) {
    case TimeUnit::hour: return 720.0;
    case TimeUnit::day: return 30.0;
    case TimeUnit::week: return 4.345;
    case TimeUnit::month: return 1.0;
  }
  return 1.0;
}

PurchaseModelKind kind_of(const PurchaseModel& m) noexcept {
  if (std::holds_alternative<BgNbdParams>(m)) return PurchaseModelKind::bg_nbd;
  if (std::holds_alternative<MbgNbdParams>(m)) return PurchaseModelKind::mbg_nbd;
  return PurchaseModelKind::pareto_nbd;
}

std::array<const char*, 4> parameter_names(PurchaseModelKind kind) noexcept {
  if (kind == PurchaseModelKind::pareto_nbd) return {"r", "alpha", "s", "beta"};
  return {"r", "alpha", "a", "b"};
}

std::array<double, 4> parameters(const PurchaseModel& m) noexcept {
  if (auto p = std::get_if<BgNbdParams>(&m)) return {p->r, p->alpha, p->a, p->b};
  if (auto p = std::get_if<MbgNbdParams>(&m)) return {p->r, p->alpha, p->a, p->b};
  auto& p = std::get<ParetoNbdParams>(m);
  return {p.r, p.alpha, p.s, p.beta};
}

PurchaseModel make_purchase_model(PurchaseModelKind kind, const std::array<double, 4>& v) {
  auto names = parameter_names(kind);
  analytics::check_positive(to_string(kind), {v[0], v[1], v[2], v[3]},
                            {names[0], names[1], names[2], names[3]});
  switch (kind) {
    case PurchaseModelKind::bg_nbd: return BgNbdParams{v[0], v[1], v[2], v[3]};
    case PurchaseModelKind::mbg_nbd: return MbgNbdParams{v[0], v[1], v[2], v[3]};
    case PurchaseModelKind::pareto_nbd: break;
  }
  return ParetoNbdParams{v[0], v[1], v[2], v[3]};
}

PurchaseModelFit fit_purchase_model(PurchaseModelKind kind, const Histories& data, const FitOptions& options) {
  switch (kind) {
    case PurchaseModelKind::bg_nbd: {
      auto f = fit_bg_nbd(data, options);
      return {f.params, f.report};
    }
    case PurchaseModelKind::mbg_nbd: {
      auto f = fit_mbg_nbd(data, options);
      return {f.params, f.report};
    }
    case PurchaseModelKind::pareto_nbd: break;
  }
  auto f = fit_pareto_nbd(data, options);
  return {f.params, f.report};
}

double log_likelihood(const PurchaseModel& m, double x, double t_x, double T) {
  return std::visit([&](const auto& p) { return log_likelihood(p, x, t_x, T); }, m);
}
double log_likelihood(const PurchaseModel& m, const Histories& data) {
  return std::visit([&](const auto& p) { return log_likelihood(p, data); }, m);
}
double p_alive(const PurchaseModel& m, double x, double t_x, double T) {
  return std::visit([&](const auto& p) { return p_alive(p, x, t_x, T); }, m);
}
double expected_purchases(const PurchaseModel& m, double t) {
  return std::visit([&](const auto& p) { return expected_purchases(p, t); }, m);
}
double conditional_expected_purchases(const PurchaseModel& m, double t, double x, double t_x, double T) {
  return std::visit([&](const auto& p) { return conditional_expected_purchases(p, t, x, t_x, T); }, m);
}

double probability_of_purchases(const PurchaseModel& m, double t, int n) {
  return std::visit([&](const auto& p) { return probability_of_purchases(p, t, n); }, m);
}
double conditional_probability_of_purchases(const PurchaseModel& m, double t, int n, double x, double t_x, double T) {
  return std::visit([&](const auto& p) { return conditional_probability_of_purchases(p, t, n, x, t_x, T); }, m);
}

namespace detail {

void check_model(const PurchaseModel& m) {
  auto v = parameters(m);
  auto names = parameter_names(kind_of(m));
  analytics::check_positive(to_string(kind_of(m)), {v[0], v[1], v[2], v[3]},
                            {names[0], names[1], names[2], names[3]});
}

namespace {
double p_alive_k(const BgNbdParams& m, double x, double t_x, double T) { return bg_p_alive_unchecked(m, x, t_x, T); }
double p_alive_k(const MbgNbdParams& m, double x, double t_x, double T) { return bg_p_alive_unchecked(m, x, t_x, T); }
double p_alive_k(const ParetoNbdParams& m, double x, double t_x, double T) { return pareto_p_alive_unchecked(m, x, t_x, T); }
double cond_k(const BgNbdParams& m, double t, double x, double t_x, double T) { return bg_cond_unchecked(m, t, x, t_x, T); }
double cond_k(const MbgNbdParams& m, double t, double x, double t_x, double T) { return bg_cond_unchecked(m, t, x, t_x, T); }
double cond_k(const ParetoNbdParams& m, double t, double x, double t_x, double T) { return pareto_cond_unchecked(m, t, x, t_x, T); }
}  // namespace

}  // namespace detail

std::vector<double> p_alive(const PurchaseModel& m, const Histories& data) {
  detail::check_model(m);
  analytics::check_histories(data, false);
  std::vector<double> out(data.size());
  std::visit(
      [&](const auto& p) {
        for (std::size_t i = 0; i < data.size(); ++i) out[i] = detail::p_alive_k(p, data.x[i], data.t_x[i], data.T[i]);
      },
      m);
  return out;
}

namespace {

// Calls f(x, t_x, T) once per distinct history and copies the value to every row sharing it.
template <class F>
std::vector<double> per_history(const Histories& d, F&& f) {
  const analytics::DistinctHistories h = analytics::distinct_histories(d);
  std::vector<double> value(h.unique.size());
  for (std::size_t u = 0; u < value.size(); ++u) value[u] = f(h.unique.x[u], h.unique.t_x[u], h.unique.T[u]);
  std::vector<double> out(d.size());
  for (std::size_t i = 0; i < out.size(); ++i) out[i] = value[h.of[i]];
  return out;
}

}  // namespace

std::vector<double> conditional_expected_purchases(const PurchaseModel& m, double t, const Histories& data) {
  detail::check_model(m);
  if (!std::isfinite(t) || t < 0) throw Error(Errc::invalid_argument, fmt::format("horizon t = {} must be finite and >= 0", t));
  analytics::check_histories(data, false);
  return std::visit(
      [&](const auto& p) {
        return per_history(data, [&](double x, double t_x, double T) { return detail::cond_k(p, t, x, t_x, T); });
      },
      m);
}

// ---- customer lifetime value ----------------------------------------------------------------

namespace {

void check_horizon(const MonthlyHorizon& h) {
  if (h.unit != TimeUnit::hour && h.unit != TimeUnit::day && h.unit != TimeUnit::week && h.unit != TimeUnit::month)
    throw Error(Errc::invalid_argument, "horizon unit is not a TimeUnit value");
  if (h.months < 1 || h.months > 1200)
    throw Error(Errc::invalid_argument, fmt::format("horizon months = {} is out of range 1..1200", h.months));
  if (!std::isfinite(h.monthly_discount_rate) || h.monthly_discount_rate < 0)
    throw Error(Errc::invalid_argument,
                fmt::format("monthly_discount_rate = {} must be finite and >= 0", h.monthly_discount_rate));
}

// The discounted sum over the months of the increments of e(t): lifetimes' convention, each
// month's expected purchases discounted at the end of that month.
template <class E>
double discounted_months(const MonthlyHorizon& h, E&& e) {
  const double f = units_per_month(h.unit);
  double total = 0, prev = 0, discount = 1;
  for (int k = 1; k <= h.months; ++k) {
    const double cur = e(k * f);
    discount /= (1 + h.monthly_discount_rate);
    total += (cur - prev) * discount;
    prev = cur;
  }
  return total;
}

// The BG family's E[Y(t) | x, t_x, T] is P(alive | x, t_x, T) U(t, x, T): a history's
// discounted purchases are its P(alive) times a sum that depends on (x, T) only, so the series
// in U run once per (x, T), of which a store has far fewer than histories.
template <class P>
double discounted_unconditional(const P& p, const MonthlyHorizon& h, double x, double T) {
  return discounted_months(h, [&](double t) { return detail::bg_unconditional_unchecked(p, t, x, T); });
}

double dcf(const ParetoNbdParams& p, const MonthlyHorizon& h, double x, double t_x, double T) {
  return discounted_months(h, [&](double t) { return detail::cond_k(p, t, x, t_x, T); });
}
template <class P>
double dcf(const P& p, const MonthlyHorizon& h, double x, double t_x, double T) {
  return detail::p_alive_k(p, x, t_x, T) * discounted_unconditional(p, h, x, T);
}

// Discounted purchases per row, once per distinct history (and, in the BG family, the series
// once per (x, T)).
std::vector<double> discounted_purchases(const ParetoNbdParams& p, const MonthlyHorizon& h, const Histories& d) {
  return per_history(d, [&](double x, double t_x, double T) { return dcf(p, h, x, t_x, T); });
}
template <class P>
std::vector<double> discounted_purchases(const P& p, const MonthlyHorizon& h, const Histories& d) {
  struct Key {
    double x, T;
    bool operator==(const Key& o) const { return x == o.x && T == o.T; }
  };
  struct Hash {
    std::size_t operator()(const Key& k) const noexcept {
      return std::hash<double>()(k.x) * 31 + std::hash<double>()(k.T);
    }
  };
  std::unordered_map<Key, double, Hash> series;
  return per_history(d, [&](double x, double t_x, double T) {
    auto [it, fresh] = series.try_emplace(Key{x, T}, 0.0);
    if (fresh) it->second = discounted_unconditional(p, h, x, T);
    return detail::p_alive_k(p, x, t_x, T) * it->second;
  });
}

}  // namespace

double customer_lifetime_value(const PurchaseModel& m, const MonthlyHorizon& h, double x, double t_x,
                               double T, double expected_margin) {
  detail::check_model(m);
  check_horizon(h);
  Histories one{{x}, {t_x}, {T}, {}};
  analytics::check_histories(one, false);
  if (!std::isfinite(expected_margin))
    throw Error(Errc::invalid_argument, fmt::format("expected_margin = {} must be finite", expected_margin));
  return expected_margin * std::visit([&](const auto& p) { return dcf(p, h, x, t_x, T); }, m);
}

std::vector<double> customer_lifetime_value(const PurchaseModel& m, const MonthlyHorizon& h,
                                            const Histories& data, const std::vector<double>& margin) {
  detail::check_model(m);
  check_horizon(h);
  analytics::check_histories(data, false);
  if (margin.size() != data.size())
    throw Error(Errc::invalid_argument, fmt::format("expected_margin has {} values for {} customers",
                                                    margin.size(), data.size()));
  for (std::size_t i = 0; i < margin.size(); ++i)
    if (!std::isfinite(margin[i]))
      throw Error(Errc::invalid_argument, fmt::format("expected_margin[{}] = {} must be finite", i, margin[i]));
  // The cash flow is linear in the margin: discount each distinct history's purchases once.
  std::vector<double> out = std::visit([&](const auto& p) { return discounted_purchases(p, h, data); }, m);
  for (std::size_t i = 0; i < out.size(); ++i) out[i] *= margin[i];
  return out;
}

double continuous_discount_rate(double annual_rate, TimeUnit unit) {
  if (!std::isfinite(annual_rate) || annual_rate <= -1)
    throw Error(Errc::invalid_argument, fmt::format("annual_rate = {} must be finite and > -1", annual_rate));
  double per_year = 52.0;
  switch (unit) {
    case TimeUnit::hour: per_year = 8760.0; break;
    case TimeUnit::day: per_year = 365.0; break;
    case TimeUnit::week: per_year = 52.0; break;
    case TimeUnit::month: per_year = 12.0; break;
  }
  return std::log1p(annual_rate) / per_year;
}

// ---- closed forms ---------------------------------------------------------------------------

namespace {
void check_finite(const char* name, double v) {
  if (!std::isfinite(v)) throw Error(Errc::invalid_argument, fmt::format("{} = {} must be finite", name, v));
}
void check_retention(double margin, double r, double d, bool infinite) {
  check_finite("margin", margin);
  check_finite("discount", d);
  check_finite("retention", r);
  if (d < 0) throw Error(Errc::invalid_argument, fmt::format("discount = {} must be >= 0", d));
  if (r < 0) throw Error(Errc::invalid_argument, fmt::format("retention = {} must be >= 0", r));
  if (infinite && !(r < 1 + d))
    throw Error(Errc::invalid_argument,
                fmt::format("retention = {} must be below 1 + discount = {} for an infinite horizon "
                            "(the sum diverges)", r, 1 + d));
}
// sum_{t=from}^{from+periods-1} q^t
double geometric(double q, int from, int periods) {
  if (q == 1.0) return periods;
  return std::pow(q, from) * (1 - std::pow(q, periods)) / (1 - q);
}
}  // namespace

double simple_lifetime_value(double annual_revenue, double margin_rate, double retention_years,
                             double acquisition_cost) {
  check_finite("annual_revenue", annual_revenue);
  check_finite("margin_rate", margin_rate);
  check_finite("retention_years", retention_years);
  check_finite("acquisition_cost", acquisition_cost);
  if (retention_years < 0)
    throw Error(Errc::invalid_argument, fmt::format("retention_years = {} must be >= 0", retention_years));
  return annual_revenue * margin_rate * retention_years - acquisition_cost;
}

double retention_value_margin_at_start(double m, double r, double d) {
  check_retention(m, r, d, true);
  return m * (1 + d) / (1 + d - r);
}

double retention_value_margin_at_end(double m, double r, double d) {
  check_retention(m, r, d, true);
  return m * r / (1 + d - r);
}

double retention_value_margin_at_start(double m, double r, double d, int periods) {
  check_retention(m, r, d, false);
  if (periods < 0) throw Error(Errc::invalid_argument, fmt::format("periods = {} must be >= 0", periods));
  return m * geometric(r / (1 + d), 0, periods);
}

double retention_value_margin_at_end(double m, double r, double d, int periods) {
  check_retention(m, r, d, false);
  if (periods < 0) throw Error(Errc::invalid_argument, fmt::format("periods = {} must be >= 0", periods));
  return m * geometric(r / (1 + d), 1, periods);
}

}  // namespace crmkit::clv
