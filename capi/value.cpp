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

}  // namespace

extern "C" {

int crmkit_value_fit(int64_t* out_model_id, crmkit_db* db, const char* kind, const char* unit, int64_t calibration_end,
                     int64_t fitted_at, const char* currency) {
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

using crmkit::capi::current_field;
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
