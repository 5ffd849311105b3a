// C API: customer value (CLV models, scores, RFM). Converts and guards; the rules live in
// crmkit::CustomerValue (src/value/).
#include <cmath>
#include <memory>
#include <vector>

#include <nlohmann/json.hpp>

#include "crmkit/rfm.hpp"
#include "crmkit/value.hpp"
#include "base/json_form.hpp"
#include "base/text.hpp"
#include "handle.hpp"
#include "option_handles.hpp"
#include "pages.hpp"

using namespace crmkit;
using crmkit::capi::call;
using crmkit::capi::need;

struct crmkit_score_options {
  ScoreRequest request;  // as_of is the call's
};

struct crmkit_rfm_iter {
  crmkit::capi::Rows<CustomerRfm> rows;
};

struct crmkit_score_iter {
  crmkit::capi::Pages<CustomerScore> rows;
  std::int64_t after = 0;  // keyset cursor of the next page
};

struct crmkit_model_input_iter {
  crmkit::capi::Rows<CustomerHistory> rows;
};

namespace {

std::vector<double> cut_list(const nlohmann::json& j, const char* what) {
  std::vector<double> out;
  if (!j.is_array()) throw Error(Errc::invalid_argument, std::string("cuts.") + what + " must be an array of numbers");
  for (const auto& v : j) {
    if (!v.is_number()) throw Error(Errc::invalid_argument, std::string("cuts.") + what + " must hold numbers");
    out.push_back(v.get<double>());
  }
  return out;
}

// Options object of crmkit_value_rfm_assign_json (documented in crmkit.h); NULL: every default.
RfmRequest rfm_options(int64_t as_of, const char* options_json, bool* with_customers) {
  RfmRequest r;
  r.as_of = as_of;
  if (!options_json) return r;
  const std::string text = capi::text_arg(options_json, "options_json", detail::kMaxJsonText);
  nlohmann::json j;
  try {
    j = nlohmann::json::parse(text);
  } catch (const nlohmann::json::exception& e) {
    throw Error(Errc::invalid_argument, std::string("options_json is malformed JSON: ") + e.what());
  }
  if (!j.is_object()) throw Error(Errc::invalid_argument, "options_json must be a JSON object");
  for (auto it = j.begin(); it != j.end(); ++it) {
    const std::string& k = it.key();
    const auto& v = it.value();
    auto str = [&]() {
      if (!v.is_string()) throw Error(Errc::invalid_argument, "options_json." + k + " must be a string");
      return v.get<std::string>();
    };
    if (k == "method") {
      r.scoring.method = parse_rfm_method(str(), "options_json.method");
    } else if (k == "bins") {
      auto b = detail::json_int64(v, "options_json.bins");
      if (b < 1 || b > 9) throw Error(Errc::invalid_argument, "options_json.bins " + std::to_string(b) + " is out of range 1..9");
      r.scoring.bins = static_cast<int>(b);
    } else if (k == "frequency") {
      r.frequency = parse_rfm_frequency(str(), "options_json.frequency");
    } else if (k == "map") {
      if (j.contains("custom_map")) throw Error(Errc::invalid_argument, "give options_json.map or custom_map, not both");
      r.map_name = str();
    } else if (k == "custom_map") {
      r.custom_map = parse_segment_map(v.dump());
    } else if (k == "currency") {
      r.currency = str();
    } else if (k == "cuts") {
      if (!v.is_object()) throw Error(Errc::invalid_argument, "options_json.cuts must be an object");
      for (auto c = v.begin(); c != v.end(); ++c) {
        if (c.key() == "recency") r.scoring.cuts.recency = cut_list(c.value(), "recency");
        else if (c.key() == "frequency") r.scoring.cuts.frequency = cut_list(c.value(), "frequency");
        else if (c.key() == "monetary") r.scoring.cuts.monetary = cut_list(c.value(), "monetary");
        else throw Error(Errc::invalid_argument, "options_json.cuts has unknown member '" + detail::printable(c.key()) + "'");
      }
    } else if (k == "customers") {
      if (!v.is_boolean()) throw Error(Errc::invalid_argument, "options_json.customers must be true or false");
      *with_customers = v.get<bool>();
    } else if (k == "scan") {
      if (!v.is_boolean()) throw Error(Errc::invalid_argument, "options_json.scan must be true or false");
      r.allow_figures = !v.get<bool>();
    } else {
      throw Error(Errc::invalid_argument, "options_json has unknown member '" + detail::printable(k) +
                                              "' (method, bins, frequency, map, custom_map, currency, cuts, customers, scan)");
    }
  }
  if (r.scoring.method == RfmMethod::custom && r.scoring.cuts.recency.empty() && r.scoring.cuts.frequency.empty() &&
      r.scoring.cuts.monetary.empty())
    throw Error(Errc::invalid_argument, "method custom needs options_json.cuts");
  return r;
}

const CustomerRfm& current(const crmkit_rfm_iter* it) {
  need(it, "it");
  if (!it->rows.current()) throw Error(Errc::misuse, "the RFM iterator is not on a row (call crmkit_rfm_iter_next)");
  return *it->rows.current();
}

constexpr int kScorePage = 2000;

int next_score(crmkit_score_iter* it) {
  return capi::next_row(it, [&] {
    ScorePage p = CustomerValue(it->rows.session->store).scores(it->after, kScorePage);
    it->rows.page = std::move(p.scores);
    it->after = p.next_after;
    it->rows.more = p.next_after != 0;
  });
}

double or_nan(const std::optional<double>& v) { return v ? *v : std::nan(""); }

// Score doubles answer NaN, not 0, without a row or a value: 0 is a real prediction.
template <class Get>
double score_double(const crmkit_score_iter* it, Get get) {
  const auto* row = it ? it->rows.current() : nullptr;
  return row ? or_nan(get(*row)) : std::nan("");
}

}  // namespace

extern "C" {

int crmkit_value_fit(int64_t* out_model_id, crmkit_db* db, const char* kind, const char* unit, int64_t calibration_end,
                     int64_t fitted_at, const char* currency) {
  return crmkit_value_fit_with(out_model_id, db, kind, unit, calibration_end, fitted_at, currency, nullptr);
}

int crmkit_value_fit_with(int64_t* out_model_id, crmkit_db* db, const char* kind, const char* unit,
                          int64_t calibration_end, int64_t fitted_at, const char* currency,
                          const crmkit_clv_fit_options* options) {
  CRMKIT_NEED_DB(db);
  return call(capi::session_of(db), [&] {
    need(out_model_id, "out_model_id");
    *out_model_id = 0;
    FitRequest r;
    r.kind = parse_value_model_kind(capi::text_arg(kind, "kind"));
    r.unit = parse_model_time_unit(capi::text_arg(unit, "unit"));
    r.calibration_end = calibration_end;
    r.fitted_at = fitted_at;
    r.currency = capi::optional_text(currency, "currency");
    if (options) r.options = options->options;
    CustomerValue value(db->session->store);
    *out_model_id = value.fit(r).id;
    return CRMKIT_OK;
  });
}

int crmkit_value_model_json(char** out_json, crmkit_db* db, int64_t model_id) {
  return capi::json_out(out_json, db, "out_json", [&] {
    CustomerValue value(db->session->store);
    return to_json(value.model(model_id));
  });
}

int crmkit_value_models_json(char** out_json, crmkit_db* db) {
  return capi::json_out(out_json, db, "out_json", [&] {
    CustomerValue value(db->session->store);
    std::string s = "[";
    bool first = true;
    for (const auto& m : value.models()) {
      if (!first) s += ",";
      s += to_json(m);
      first = false;
    }
    s += "]";
    return s;
  });
}

int crmkit_score_options_new(crmkit_score_options** out) { return capi::new_handle(out); }

void crmkit_score_options_free(crmkit_score_options* options) { delete options; }

int crmkit_score_options_set_model(crmkit_score_options* options, const char* model) {
  return capi::set_option(options, [&](crmkit_score_options& o) {
    o.request.transaction_model_id = 0;
    o.request.transaction_model_kind.reset();
    if (auto text = capi::optional_text(model, "model", 100)) {
      const ModelChoice choice = parse_model_choice(*text, "model");
      o.request.transaction_model_id = choice.id;
      o.request.transaction_model_kind = choice.kind;
    }
  });
}

int crmkit_score_options_set_spend_model(crmkit_score_options* options, int64_t spend_model_id) {
  return capi::set_option(options, [&](crmkit_score_options& o) {
    if (spend_model_id < 0) throw Error(Errc::invalid_argument, "spend_model_id must be >= 0 (0 = none)");
    o.request.spend_model_id = spend_model_id > 0 ? std::optional<std::int64_t>(spend_model_id) : std::nullopt;
  });
}

int crmkit_score_options_set_horizon(crmkit_score_options* options, double horizon, const char* unit) {
  return capi::set_option(options, [&](crmkit_score_options& o) {
    const HorizonUnit u = parse_horizon_unit(capi::text_arg(unit, "unit"));
    o.request.horizon = horizon;
    o.request.horizon_unit = u;
  });
}

int crmkit_score_options_set_discount_rate(crmkit_score_options* options, double monthly_discount_rate) {
  return capi::set_option(options, [&](crmkit_score_options& o) {
    o.request.monthly_discount_rate = monthly_discount_rate;
  });
}

int crmkit_score_options_set_margin_rate(crmkit_score_options* options, double margin_rate) {
  return capi::set_option(options, [&](crmkit_score_options& o) { o.request.margin_rate = margin_rate; });
}

int crmkit_value_score(int64_t* out_scored, crmkit_db* db, int64_t as_of, const crmkit_score_options* options) {
  if (out_scored) *out_scored = 0;
  CRMKIT_NEED_DB(db);
  return call(capi::session_of(db), [&] {
    ScoreRequest r = options ? options->request : ScoreRequest{};
    r.as_of = as_of;
    const auto scored = CustomerValue(db->session->store).score(r).scored;
    if (out_scored) *out_scored = scored;
    return CRMKIT_OK;
  });
}

int crmkit_value_score_json(char** out_json, crmkit_db* db, int64_t as_of, const crmkit_score_options* options) {
  return capi::json_out(out_json, db, "out_json", [&] {
    ScoreRequest r = options ? options->request : ScoreRequest{};
    r.as_of = as_of;
    return to_json(CustomerValue(db->session->store).score(r));
  });
}

int crmkit_value_customer_scores_json(char** out_json, crmkit_db* db, int64_t customer_id) {
  return capi::json_out(out_json, db, "out_json", [&] {
    CustomerValue value(db->session->store);
    return to_json(value.customer_score(customer_id));
  });
}

int crmkit_score_iter_new(crmkit_score_iter** out, crmkit_db* db, int64_t after) {
  if (out) *out = nullptr;
  CRMKIT_NEED_DB(db);
  return call(capi::session_of(db), [&] {
    need(out, "out");
    if (after < 0) throw Error(Errc::invalid_argument, "after " + std::to_string(after) + " is negative");
    auto it = std::make_unique<crmkit_score_iter>();
    it->rows.session = db->session;
    it->after = after;
    *out = it.release();
    return CRMKIT_OK;
  });
}

int crmkit_score_iter_next(crmkit_score_iter* it) { return next_score(it); }

using crmkit::capi::current_field;
int64_t crmkit_score_iter_customer_id(const crmkit_score_iter* it) {
  return current_field<int64_t>(it, [](const CustomerScore& s) { return s.customer_id; });
}
int64_t crmkit_score_iter_model_id(const crmkit_score_iter* it) {
  return current_field<int64_t>(it, [](const CustomerScore& s) { return s.model_id.value_or(0); });
}
int64_t crmkit_score_iter_spend_model_id(const crmkit_score_iter* it) {
  return current_field<int64_t>(it, [](const CustomerScore& s) { return s.spend_model_id.value_or(0); });
}
int64_t crmkit_score_iter_scored_at(const crmkit_score_iter* it) {
  return current_field<int64_t>(it, [](const CustomerScore& s) { return s.scored_at; });
}
double crmkit_score_iter_p_alive(const crmkit_score_iter* it) {
  return score_double(it, [](const CustomerScore& s) { return s.p_alive; });
}
double crmkit_score_iter_expected_purchases(const crmkit_score_iter* it) {
  return score_double(it, [](const CustomerScore& s) { return s.expected_purchases; });
}
double crmkit_score_iter_horizon(const crmkit_score_iter* it) {
  return score_double(it, [](const CustomerScore& s) { return s.horizon; });
}
const char* crmkit_score_iter_horizon_unit(const crmkit_score_iter* it) {
  return current_field<const char*>(
      it, [](const CustomerScore& s) { return s.horizon_unit ? to_string(*s.horizon_unit) : nullptr; });
}
double crmkit_score_iter_expected_spend(const crmkit_score_iter* it) {
  return score_double(it, [](const CustomerScore& s) { return s.expected_spend; });
}
double crmkit_score_iter_predicted_clv(const crmkit_score_iter* it) {
  return score_double(it, [](const CustomerScore& s) { return s.predicted_clv; });
}
const char* crmkit_score_iter_currency(const crmkit_score_iter* it) {
  return current_field<const char*>(
      it, [](const CustomerScore& s) { return s.currency.empty() ? nullptr : s.currency.c_str(); });
}

int crmkit_score_iter_columns(int64_t* out_rows, crmkit_score_iter* it, int64_t capacity, int64_t* customer_id,
                              double* p_alive, double* expected_purchases, double* expected_spend,
                              double* predicted_clv) {
  return capi::read_columns(out_rows, it, capacity, [&] { return next_score(it); },
                            [&](const CustomerScore& s, std::size_t i) {
                              if (customer_id) customer_id[i] = s.customer_id;
                              if (p_alive) p_alive[i] = or_nan(s.p_alive);
                              if (expected_purchases) expected_purchases[i] = or_nan(s.expected_purchases);
                              if (expected_spend) expected_spend[i] = or_nan(s.expected_spend);
                              if (predicted_clv) predicted_clv[i] = or_nan(s.predicted_clv);
                            });
}

int crmkit_score_iter_json(char** out_json, const crmkit_score_iter* it) {
  return call(nullptr, [&] {
    need(it, "it");
    need(out_json, "out_json");
    *out_json = nullptr;
    const auto* row = it->rows.current();
    if (!row) throw Error(Errc::misuse, "the score iterator is not on a row (call crmkit_score_iter_next)");
    *out_json = capi::owned_string(to_json(*row));
    return CRMKIT_OK;
  });
}

void crmkit_score_iter_free(crmkit_score_iter* it) { delete it; }

int crmkit_model_input_iter_new(crmkit_model_input_iter** out, crmkit_db* db, int64_t calibration_end,
                                const char* unit, const char* currency) {
  if (out) *out = nullptr;
  CRMKIT_NEED_DB(db);
  return call(capi::session_of(db), [&] {
    need(out, "out");
    ModelInputOptions o;
    o.calibration_end = calibration_end;
    o.unit = parse_model_time_unit(capi::text_arg(unit, "unit"));
    o.currency = capi::optional_text(currency, "currency");
    auto it = std::make_unique<crmkit_model_input_iter>();
    it->rows.session = db->session;
    it->rows.rows = CustomerValue(db->session->store).model_inputs(o).customers;
    *out = it.release();
    return CRMKIT_OK;
  });
}

int crmkit_model_input_iter_next(crmkit_model_input_iter* it) { return capi::next_row(it); }

int64_t crmkit_model_input_iter_customer_id(const crmkit_model_input_iter* it) {
  return current_field<int64_t>(it, [](const CustomerHistory& h) { return h.customer_id; });
}
double crmkit_model_input_iter_x(const crmkit_model_input_iter* it) {
  return current_field<double>(it, [](const CustomerHistory& h) { return h.x; });
}
double crmkit_model_input_iter_t_x(const crmkit_model_input_iter* it) {
  return current_field<double>(it, [](const CustomerHistory& h) { return h.t_x; });
}
double crmkit_model_input_iter_T(const crmkit_model_input_iter* it) {
  return current_field<double>(it, [](const CustomerHistory& h) { return h.T; });
}
double crmkit_model_input_iter_mean_spend(const crmkit_model_input_iter* it) {
  return current_field<double>(it, [](const CustomerHistory& h) { return h.mean_spend; });
}
int64_t crmkit_model_input_iter_first_purchase(const crmkit_model_input_iter* it) {
  return current_field<int64_t>(it, [](const CustomerHistory& h) { return h.first_purchase; });
}
int64_t crmkit_model_input_iter_last_purchase(const crmkit_model_input_iter* it) {
  return current_field<int64_t>(it, [](const CustomerHistory& h) { return h.last_purchase; });
}

int crmkit_model_input_iter_columns(int64_t* out_rows, crmkit_model_input_iter* it, int64_t capacity,
                                    int64_t* customer_id, double* x, double* t_x, double* T, double* mean_spend) {
  return capi::read_columns(out_rows, it, capacity, [&] { return capi::next_row(it); },
                            [&](const CustomerHistory& h, std::size_t i) {
                              if (customer_id) customer_id[i] = h.customer_id;
                              if (x) x[i] = h.x;
                              if (t_x) t_x[i] = h.t_x;
                              if (T) T[i] = h.T;
                              if (mean_spend) mean_spend[i] = h.mean_spend;
                            });
}

void crmkit_model_input_iter_free(crmkit_model_input_iter* it) { delete it; }

int crmkit_value_validate_json(char** out_json, crmkit_db* db, int64_t model_id, int64_t holdout_end) {
  return capi::json_out(out_json, db, "out_json", [&] {
    CustomerValue value(db->session->store);
    return to_json(value.validate(model_id, holdout_end));
  });
}

int crmkit_value_rfm_assign_json(char** out_json, crmkit_db* db, int64_t as_of, const char* options_json) {
  return capi::json_out(out_json, db, "out_json", [&] {
    bool with_customers = true;
    RfmRequest r = rfm_options(as_of, options_json, &with_customers);
    CustomerValue value(db->session->store);
    return to_json(value.rfm(r), with_customers);
  });
}

int crmkit_rfm_iter_new(crmkit_rfm_iter** out, crmkit_db* db, int64_t as_of, const char* options_json) {
  if (out) *out = nullptr;
  CRMKIT_NEED_DB(db);
  return call(capi::session_of(db), [&] {
    need(out, "out");
    bool with_customers = true;  // the iterator's rows are the customers: the member changes nothing
    RfmRequest r = rfm_options(as_of, options_json, &with_customers);
    CustomerValue value(db->session->store);
    auto it = std::make_unique<crmkit_rfm_iter>();
    it->rows.session = db->session;
    it->rows.rows = value.rfm(r).customers;
    *out = it.release();
    return CRMKIT_OK;
  });
}

int crmkit_rfm_iter_next(crmkit_rfm_iter* it) {
  return capi::next_row(it);
}

int64_t crmkit_rfm_iter_customer_id(const crmkit_rfm_iter* it) {
  return current_field<int64_t>(it, [](const CustomerRfm& c) { return c.customer_id; });
}
int64_t crmkit_rfm_iter_recency_days(const crmkit_rfm_iter* it) {
  return current_field<int64_t>(it, [](const CustomerRfm& c) { return c.recency_days; });
}
int64_t crmkit_rfm_iter_frequency(const crmkit_rfm_iter* it) {
  return current_field<int64_t>(it, [](const CustomerRfm& c) { return c.frequency; });
}
int64_t crmkit_rfm_iter_monetary(const crmkit_rfm_iter* it) {
  return current_field<int64_t>(it, [](const CustomerRfm& c) { return c.monetary; });
}
int crmkit_rfm_iter_r(const crmkit_rfm_iter* it) {
  return current_field<int>(it, [](const CustomerRfm& c) { return c.score.r; });
}
int crmkit_rfm_iter_f(const crmkit_rfm_iter* it) {
  return current_field<int>(it, [](const CustomerRfm& c) { return c.score.f; });
}
int crmkit_rfm_iter_m(const crmkit_rfm_iter* it) {
  return current_field<int>(it, [](const CustomerRfm& c) { return c.score.m; });
}
const char* crmkit_rfm_iter_segment(const crmkit_rfm_iter* it) {
  return current_field<const char*>(it, [](const CustomerRfm& c) { return c.segment.c_str(); });
}
const char* crmkit_rfm_iter_currency(const crmkit_rfm_iter* it) {
  return current_field<const char*>(it, [](const CustomerRfm& c) { return c.currency.c_str(); });
}

int crmkit_rfm_iter_json(char** out_json, const crmkit_rfm_iter* it) {
  return call(nullptr, [&] {
    need(out_json, "out_json");
    *out_json = nullptr;
    *out_json = capi::owned_string(to_json(current(it)));
    return CRMKIT_OK;
  });
}

void crmkit_rfm_iter_free(crmkit_rfm_iter* it) { delete it; }

int crmkit_value_customer_rfm_json(char** out_json, crmkit_db* db, int64_t customer_id) {
  return capi::json_out(out_json, db, "out_json", [&] {
    CustomerValue value(db->session->store);
    auto r = value.customer_rfm(customer_id);
    if (!r) throw Error(Errc::not_found, "customer " + std::to_string(customer_id) + " has no RFM assignment");
    return to_json(*r);
  });
}

int crmkit_value_rfm_maps_json(char** out_json) {
  return call(nullptr, [&] {
    need(out_json, "out_json");
    *out_json = nullptr;
    std::string s = "[";
    bool first = true;
    for (const auto& m : builtin_segment_maps()) {
      if (!first) s += ",";
      s += to_json(m);
      first = false;
    }
    s += "]";
    *out_json = capi::owned_string(s);
    return CRMKIT_OK;
  });
}

}  // extern "C"
