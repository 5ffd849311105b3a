// Fitting CLV models on store data (through crmkit/clv.hpp) and saving / reading them.
#include <algorithm>
#include <cmath>
#include <string>
#include <tuple>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "crmkit/value.hpp"
#include "store/connection.hpp"
#include "value/common.hpp"
#include "store/stored.hpp"

namespace crmkit {

bool is_transaction_model(ValueModelKind kind) noexcept { return kind != ValueModelKind::gg; }

namespace value_detail {

clv::PurchaseModelKind purchase_kind(ValueModelKind k) {
  switch (k) {
    case ValueModelKind::bgnbd: return clv::PurchaseModelKind::bg_nbd;
    case ValueModelKind::pnbd: return clv::PurchaseModelKind::pareto_nbd;
    case ValueModelKind::mbgnbd: return clv::PurchaseModelKind::mbg_nbd;
    case ValueModelKind::gg: break;
  }
  throw Error(Errc::invalid_argument, "model kind gg is a spend model, not a transaction model");
}

clv::PurchaseModel purchase_model(const ValueModel& m) {
  const auto kind = purchase_kind(m.kind);
  const auto names = clv::parameter_names(kind);
  std::array<double, 4> values{};
  for (std::size_t i = 0; i < 4; ++i) values[i] = m.param(names[i]);
  return clv::make_purchase_model(kind, values);
}

clv::GammaGammaParams spend_model(const ValueModel& m) {
  if (m.kind != ValueModelKind::gg)
    throw Error(Errc::invalid_argument, fmt::format("model {} is {}, not a gg spend model", m.id, to_string(m.kind)));
  return clv::GammaGammaParams{m.param("p"), m.param("q"), m.param("gamma")};
}

}  // namespace value_detail

double ValueModel::param(const std::string& name) const {
  for (const auto& p : params)
    if (p.first == name) return p.second;
  throw Error(Errc::not_found, fmt::format("model {} ({}) has no parameter '{}'", id, to_string(kind), name));
}

namespace {

const char* kModelColumns =
    "SELECT id, kind, params, std_errors, log_likelihood, customers, time_unit, calibration_end, data_from, "
    "fitted_at, converged, currency, iterations, reason, penalizer_coef FROM value_models ";

std::vector<std::pair<std::string, double>> named_values(const std::string& json, const ValueModelKind kind) {
  std::vector<std::pair<std::string, double>> out;
  auto j = nlohmann::json::parse(json);
  // Model order, not JSON key order.
  std::vector<std::string> names;
  if (kind == ValueModelKind::gg) {
    names = {"p", "q", "gamma"};
  } else {
    for (const char* n : clv::parameter_names(value_detail::purchase_kind(kind))) names.emplace_back(n);
  }
  for (const auto& n : names)
    if (j.contains(n) && j[n].is_number()) out.emplace_back(n, j[n].get<double>());
  return out;
}

ValueModel read_model(detail::Statement& st) {
  const detail::StoredRow row(st, "value_models");
  ValueModel m;
  m.id = row.int64(0);
  m.kind = row.parse(1, [](const std::string& t) { return parse_value_model_kind(t); });
  m.params = row.parse(2, [&](const std::string& t) { return named_values(t, m.kind); });
  if (!st.getColumn(3).isNull()) m.std_errors = row.parse(3, [&](const std::string& t) { return named_values(t, m.kind); });
  m.log_likelihood = row.opt_real(4).value_or(0.0);
  m.customers = row.int64(5);
  m.unit = clv::TimeUnit::week;
  if (!st.getColumn(6).isNull()) m.unit = row.parse(6, [](const std::string& t) { return parse_model_time_unit(t); });
  row.columns(7, m.calibration_end, m.data_from, m.fitted_at);
  m.converged = row.int64(10) != 0;
  m.currency = row.opt_text(11).value_or(std::string());
  const std::int64_t iterations = row.int64(12);
  if (iterations < 0 || iterations > 2147483647) row.damaged(12, "out of range");
  m.iterations = static_cast<int>(iterations);
  m.reason = row.opt_text(13).value_or(std::string());
  m.penalizer_coef = row.opt_real(14).value_or(0.0);
  if (!(m.penalizer_coef >= 0) || !std::isfinite(m.penalizer_coef)) row.damaged(14, "not a finite number >= 0");
  return m;
}

std::string values_json(const std::vector<std::pair<std::string, double>>& v) {
  nlohmann::json j = nlohmann::json::object();
  for (const auto& p : v) j[p.first] = p.second;
  return j.dump();
}

bool all_finite(const std::vector<std::pair<std::string, double>>& v) {
  return std::all_of(v.begin(), v.end(), [](const auto& p) { return std::isfinite(p.second); });
}

}  // namespace

ValueModel CustomerValue::fit(const FitRequest& r) {
  detail::require_writable(detail::connection_of(store_));
  detail::check_instant("fitted_at", r.fitted_at);
  // Checked here, before any read, with the option's own name: the fit would refuse it only
  // after building the inputs, prefixed by the model's name.
  if (!std::isfinite(r.options.penalizer_coef) || r.options.penalizer_coef < 0)
    throw Error(Errc::invalid_argument,
                fmt::format("penalizer_coef {} must be a finite number >= 0", r.options.penalizer_coef));
  ModelInputOptions o;
  o.calibration_end = r.calibration_end;
  o.unit = r.unit;
  o.currency = r.currency;
  const auto shared = value_detail::shared_model_inputs(store_, o);
  const ModelInputs& in = *shared;
  const std::string window = fmt::format("{} purchases before {}", in.currency, format_instant(r.calibration_end));
  if (in.customers.empty())
    throw Error(Errc::invalid_argument, fmt::format("no customer has {}: nothing to fit", window));

  ValueModel m;
  m.kind = r.kind;
  m.unit = r.unit;
  m.calibration_end = r.calibration_end;
  m.fitted_at = r.fitted_at;
  m.currency = in.currency;
  Instant from = in.customers.front().first_purchase;
  for (const auto& c : in.customers) from = std::min(from, c.first_purchase);
  m.data_from = from;
  m.penalizer_coef = r.options.penalizer_coef;

  clv::FitReport report;
  if (is_transaction_model(r.kind)) {
    // The distinct histories, weighted by their customers: the same likelihood as every
    // customer's, and the scoring that usually follows reuses them.
    const auto distinct = value_detail::shared_distinct_histories(store_, shared);
    const clv::Histories& h = distinct->unique;
    const bool repeaters = std::any_of(h.x.begin(), h.x.end(), [](double x) { return x > 0; });
    const double max_T = *std::max_element(h.T.begin(), h.T.end());
    if (max_T <= 0)
      throw Error(Errc::invalid_argument,
                  fmt::format("every customer first bought on the calibration end day ({}): T = 0 for all, "
                              "so {} cannot be fitted",
                              window, to_string(r.kind)));
    if (!repeaters)
      throw Error(Errc::invalid_argument,
                  fmt::format("no repeat buyers among {} customers with {}: {} cannot be fitted",
                              in.customers.size(), window, to_string(r.kind)));
    // Pareto/NBD divides its penalty by the rows it is given (lifetimes divides by the mean
    // weight), so a penalised Pareto/NBD fit takes every customer's history, as a caller of
    // clv::fit_purchase_model with ModelInputs::histories() does; the grouped rows would
    // weaken the penalty by customers / patterns.
    const bool per_customer = r.options.penalizer_coef > 0 && r.kind == ValueModelKind::pnbd;
    auto fit = per_customer ? clv::fit_purchase_model(value_detail::purchase_kind(r.kind), in.histories(), r.options)
                            : clv::fit_purchase_model(value_detail::purchase_kind(r.kind), h, r.options);
    fit.report.customers = in.customers.size();
    const auto names = clv::parameter_names(value_detail::purchase_kind(r.kind));
    const auto values = clv::parameters(fit.model);
    for (std::size_t i = 0; i < 4; ++i) m.params.emplace_back(names[i], values[i]);
    report = fit.report;
    if (report.standard_errors.size() == 4)
      for (std::size_t i = 0; i < 4; ++i) m.std_errors.emplace_back(names[i], report.standard_errors[i]);
  } else {
    const auto s = in.repeat_spend();
    if (s.size() == 0)
      throw Error(Errc::invalid_argument,
                  fmt::format("no repeat buyer with positive repeat spend among {} customers with {}: gg cannot "
                              "be fitted",
                              in.customers.size(), window));
    auto fit = clv::fit_gamma_gamma(s, r.options);
    m.params = {{"p", fit.params.p}, {"q", fit.params.q}, {"gamma", fit.params.gamma}};
    report = fit.report;
    if (report.standard_errors.size() == 3) {
      const char* names[] = {"p", "q", "gamma"};
      for (std::size_t i = 0; i < 3; ++i) m.std_errors.emplace_back(names[i], report.standard_errors[i]);
    }
  }
  if (!all_finite(m.params) || !std::isfinite(report.log_likelihood))
    throw Error(Errc::invalid_argument,
                fmt::format("the {} fit on {} diverged (non-finite parameters); the data cannot identify the model",
                            to_string(r.kind), window));
  if (!all_finite(m.std_errors)) m.std_errors.clear();
  m.log_likelihood = report.log_likelihood;
  m.customers = static_cast<std::int64_t>(report.customers);
  m.converged = report.converged;
  m.iterations = report.iterations;
  m.reason = report.reason;

  return detail::guard([&] {
    auto& c = detail::connection_of(store_);
    detail::WriteScope scope(c);
    auto& st = detail::prepare_insert(c,
        "INSERT INTO value_models(kind, params, std_errors, log_likelihood, customers, time_unit, calibration_end, "
        "data_from, fitted_at, converged, currency, iterations, reason, penalizer_coef) "
        "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14)");
    detail::StatementReset reset_st(st);
    std::optional<std::string> std_errors;
    if (!m.std_errors.empty()) std_errors = values_json(m.std_errors);
    detail::bind_all(st, m.kind, values_json(m.params), std_errors, m.log_likelihood, m.customers, m.unit,
                     m.calibration_end, *m.data_from, m.fitted_at, m.converged, m.currency, m.iterations, m.reason,
                     m.penalizer_coef);
    m.id = detail::inserted_id(c, st).value();
    scope.commit();
    return m;
  });
}

ValueModel CustomerValue::model(std::int64_t id) {
  return detail::guard([&] {
    auto& st = detail::connection_of(store_).prepare(std::string(kModelColumns) + "WHERE id = ?1");
    return detail::required_row(st, read_model, [&] { return fmt::format("value model {} does not exist", id); }, id);
  });
}

std::vector<ValueModel> CustomerValue::models() {
  return detail::guard([&] {
    auto& st = detail::connection_of(store_).prepare(std::string(kModelColumns) + "ORDER BY fitted_at DESC, id DESC");
    return detail::all_rows(st, read_model);
  });
}

std::optional<ValueModel> CustomerValue::latest_model(std::optional<ValueModelKind> kind) {
  return detail::guard([&] {
    auto& st = detail::connection_of(store_).prepare(
        std::string(kModelColumns) +
        "WHERE (CAST(?1 AS TEXT) IS NULL AND kind <> 'gg') OR kind = ?1 ORDER BY fitted_at DESC, id DESC LIMIT 1");
    return detail::one_row(st, read_model, kind);
  });
}

ModelChoice parse_model_choice(const std::string& text, const char* field) {
  ModelChoice c;
  const bool digits = !text.empty() && text.find_first_not_of("0123456789") == std::string::npos;
  if (digits) {
    // 18 digits always fit an int64; longer text cannot be a row id we handed out.
    if (text.size() > 18)
      throw Error(Errc::invalid_argument, fmt::format("{} '{}' is too long for a model id", field, text));
    c.id = std::stoll(text);
    if (c.id <= 0) throw Error(Errc::invalid_argument, fmt::format("{} '{}' is not a model id (ids are >= 1)", field, text));
    return c;
  }
  if (text == "gg")
    throw Error(Errc::invalid_argument,
                fmt::format("{} 'gg' is a spend model; name bgnbd, pnbd, mbgnbd or a transaction model id", field));
  if (text != "bgnbd" && text != "pnbd" && text != "mbgnbd")
    throw Error(Errc::invalid_argument, fmt::format("{} '{}' is not one of bgnbd, pnbd, mbgnbd or a model id", field,
                                                    detail::printable(text)));
  c.kind = parse_value_model_kind(text, field);
  return c;
}

ValueModel CustomerValue::choose_model(std::optional<ValueModelKind> kind) {
  if (kind && !is_transaction_model(*kind))
    throw Error(Errc::invalid_argument,
                fmt::format("model kind {} is a spend model, not a transaction model", to_string(*kind)));
  std::vector<ValueModel> candidates;
  for (auto& m : models())
    if (is_transaction_model(m.kind) && (!kind || m.kind == *kind)) candidates.push_back(std::move(m));
  if (candidates.empty())
    throw Error(Errc::not_found, kind ? fmt::format("no {} model is saved (fit one first)", to_string(*kind))
                                      : std::string("no transaction model is saved (fit one first)"));
  // The most recent calibration: the latest calibration end, then the latest fit.
  const ValueModel* latest = &candidates.front();
  for (const auto& m : candidates)
    if (std::tie(m.calibration_end, m.fitted_at, m.id) > std::tie(latest->calibration_end, latest->fitted_at, latest->id))
      latest = &m;
  // Log-likelihoods compare only on the same data: same window, unit, currency and cohort.
  auto same_data = [&](const ValueModel& m) {
    return m.calibration_end == latest->calibration_end && m.unit == latest->unit &&
           m.currency == latest->currency && m.customers == latest->customers && m.data_from == latest->data_from;
  };
  const ValueModel* best = nullptr;
  for (const auto& m : candidates) {
    if (!same_data(m)) continue;
    if (!best || std::tie(m.log_likelihood, m.fitted_at, m.id) > std::tie(best->log_likelihood, best->fitted_at, best->id))
      best = &m;
  }
  return *best;
}

}  // namespace crmkit
