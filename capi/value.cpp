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

using namespace crmkit;
using crmkit::capi::call;
using crmkit::capi::need;

struct crmkit_rfm_iter {
  std::shared_ptr<crmkit::capi::Session> session;  // keeps the database alive
  RfmResult result;
  std::size_t next = 0;             // index of the next row to return
  const CustomerRfm* row = nullptr; // the current row, after a successful _next
};

namespace {

RfmRequest rfm_request(crmkit_db* db, int64_t as_of, const char* method, const char* map_name,
                       const char* map_json) {
  (void)db;
  RfmRequest r;
  r.as_of = as_of;
  if (auto m = capi::optional_text(method, "method")) r.scoring.method = parse_rfm_method(*m);
  if (r.scoring.method == RfmMethod::custom)
    throw Error(Errc::invalid_argument, "method custom needs cut points: use crmkit_value_rfm_options_json");
  auto name = capi::optional_text(map_name, "map_name");
  auto json = capi::optional_text(map_json, "map_json", detail::kMaxJsonText);
  if (name && json) throw Error(Errc::invalid_argument, "give map_name or map_json, not both");
  if (name) r.map_name = *name;
  if (json) r.custom_map = parse_segment_map(*json);
  return r;
}

std::vector<double> cut_list(const nlohmann::json& j, const char* what) {
  std::vector<double> out;
  if (!j.is_array()) throw Error(Errc::invalid_argument, std::string("cuts.") + what + " must be an array of numbers");
  for (const auto& v : j) {
    if (!v.is_number()) throw Error(Errc::invalid_argument, std::string("cuts.") + what + " must hold numbers");
    out.push_back(v.get<double>());
  }
  return out;
}

// Options object of crmkit_value_rfm_options_json (documented in crmkit.h).
RfmRequest rfm_options(int64_t as_of, const std::string& text, bool* with_customers) {
  nlohmann::json j;
  try {
    j = nlohmann::json::parse(text);
  } catch (const nlohmann::json::exception& e) {
    throw Error(Errc::invalid_argument, std::string("options_json is malformed JSON: ") + e.what());
  }
  if (!j.is_object()) throw Error(Errc::invalid_argument, "options_json must be a JSON object");
  RfmRequest r;
  r.as_of = as_of;
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
  if (!it->row) throw Error(Errc::misuse, "the RFM iterator is not on a row (call crmkit_rfm_iter_next)");
  return *it->row;
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
    return value.model(model_id).to_json();
  });
}

int crmkit_value_models_json(char** out_json, crmkit_db* db) {
  return capi::json_out(out_json, db, "out_json", [&] {
    CustomerValue value(db->session->store);
    std::string s = "[";
    bool first = true;
    for (const auto& m : value.models()) {
      if (!first) s += ",";
      s += m.to_json();
      first = false;
    }
    s += "]";
    return s;
  });
}

namespace {

ScoreRequest score_request(int64_t spend_model_id, double horizon, const char* horizon_unit, int64_t as_of,
                           double monthly_discount_rate, double margin_rate) {
  ScoreRequest r;
  if (spend_model_id < 0) throw Error(Errc::invalid_argument, "spend_model_id must be >= 0 (0 = none)");
  if (spend_model_id > 0) r.spend_model_id = spend_model_id;
  r.horizon = horizon;
  r.horizon_unit = parse_horizon_unit(capi::text_arg(horizon_unit, "horizon_unit"));
  r.as_of = as_of;
  r.monthly_discount_rate = monthly_discount_rate;
  r.margin_rate = margin_rate;
  return r;
}

}  // namespace

int crmkit_value_score(int64_t* out_scored, crmkit_db* db, int64_t transaction_model_id, int64_t spend_model_id,
                       double horizon, const char* horizon_unit, int64_t as_of, double monthly_discount_rate,
                       double margin_rate) {
  CRMKIT_NEED_DB(db);
  return call(capi::session_of(db), [&] {
    if (out_scored) *out_scored = 0;
    ScoreRequest r = score_request(spend_model_id, horizon, horizon_unit, as_of, monthly_discount_rate, margin_rate);
    r.transaction_model_id = transaction_model_id;
    CustomerValue value(db->session->store);
    auto sum = value.score(r);
    if (out_scored) *out_scored = sum.scored;
    return CRMKIT_OK;
  });
}

int crmkit_value_predict_json(char** out_json, crmkit_db* db, const char* model, int64_t spend_model_id,
                              double horizon, const char* horizon_unit, int64_t as_of, double monthly_discount_rate,
                              double margin_rate) {
  return capi::json_out(out_json, db, "out_json", [&] {
    ScoreRequest r = score_request(spend_model_id, horizon, horizon_unit, as_of, monthly_discount_rate, margin_rate);
    if (auto text = capi::optional_text(model, "model", 100)) {
      const ModelChoice choice = parse_model_choice(*text, "model");
      r.transaction_model_id = choice.id;
      r.transaction_model_kind = choice.kind;
    }
    CustomerValue value(db->session->store);
    return value.score(r).to_json();
  });
}

int crmkit_value_customer_scores_json(char** out_json, crmkit_db* db, int64_t customer_id) {
  return capi::json_out(out_json, db, "out_json", [&] {
    CustomerValue value(db->session->store);
    return value.customer_score(customer_id).to_json();
  });
}

int crmkit_value_validate_json(char** out_json, crmkit_db* db, int64_t model_id, int64_t holdout_end) {
  return capi::json_out(out_json, db, "out_json", [&] {
    CustomerValue value(db->session->store);
    auto v = value.validate(model_id, holdout_end);
    nlohmann::json j;
    j["holdout_length"] = v.holdout_length;
    j["actual_total"] = v.actual_total;
    j["predicted_total"] = v.predicted_total;
    j["bins"] = nlohmann::json::array();
    for (const auto& b : v.bins)
      j["bins"].push_back({{"frequency", b.label}, {"customers", b.customers}, {"actual_mean", b.actual_mean},
                           {"predicted_mean", b.predicted_mean}});
    return j.dump();
  });
}

int crmkit_value_rfm_json(char** out_json, crmkit_db* db, int64_t as_of, const char* method,
                          const char* map_name, const char* map_json, int with_customers) {
  return capi::json_out(out_json, db, "out_json", [&] {
    RfmRequest r = rfm_request(db, as_of, method, map_name, map_json);
    CustomerValue value(db->session->store);
    return value.rfm(r).to_json(with_customers != 0);
  });
}

int crmkit_value_rfm_options_json(char** out_json, crmkit_db* db, int64_t as_of, const char* options_json) {
  return capi::json_out(out_json, db, "out_json", [&] {
    bool with_customers = true;
    RfmRequest r = rfm_options(as_of, capi::text_arg(options_json, "options_json", detail::kMaxJsonText),
                               &with_customers);
    CustomerValue value(db->session->store);
    return value.rfm(r).to_json(with_customers);
  });
}

int crmkit_value_rfm(crmkit_rfm_iter** out, crmkit_db* db, int64_t as_of, const char* method, const char* map_name,
                     const char* map_json) {
  if (out) *out = nullptr;
  CRMKIT_NEED_DB(db);
  return call(capi::session_of(db), [&] {
    need(out, "out");
    RfmRequest r = rfm_request(db, as_of, method, map_name, map_json);
    CustomerValue value(db->session->store);
    auto it = std::make_unique<crmkit_rfm_iter>();
    it->session = db->session;
    it->result = value.rfm(r);
    *out = it.release();
    return CRMKIT_OK;
  });
}

int crmkit_rfm_iter_next(crmkit_rfm_iter* it) {
  return call(nullptr, [&] {
    need(it, "it");
    if (it->next >= it->result.customers.size()) {
      it->row = nullptr;
      return CRMKIT_DONE;
    }
    it->row = &it->result.customers[it->next++];
    return CRMKIT_OK;
  });
}

int64_t crmkit_rfm_iter_customer_id(const crmkit_rfm_iter* it) { return it && it->row ? it->row->customer_id : 0; }
int64_t crmkit_rfm_iter_recency_days(const crmkit_rfm_iter* it) { return it && it->row ? it->row->recency_days : 0; }
int64_t crmkit_rfm_iter_frequency(const crmkit_rfm_iter* it) { return it && it->row ? it->row->frequency : 0; }
int64_t crmkit_rfm_iter_monetary(const crmkit_rfm_iter* it) { return it && it->row ? it->row->monetary : 0; }
int crmkit_rfm_iter_r(const crmkit_rfm_iter* it) { return it && it->row ? it->row->score.r : 0; }
int crmkit_rfm_iter_f(const crmkit_rfm_iter* it) { return it && it->row ? it->row->score.f : 0; }
int crmkit_rfm_iter_m(const crmkit_rfm_iter* it) { return it && it->row ? it->row->score.m : 0; }
const char* crmkit_rfm_iter_segment(const crmkit_rfm_iter* it) {
  return it && it->row ? it->row->segment.c_str() : "";
}
const char* crmkit_rfm_iter_currency(const crmkit_rfm_iter* it) { return it ? it->result.currency.c_str() : ""; }

int crmkit_rfm_iter_json(char** out_json, const crmkit_rfm_iter* it) {
  return call(nullptr, [&] {
    need(out_json, "out_json");
    *out_json = nullptr;
    *out_json = capi::owned_string(current(it).to_json());
    return CRMKIT_OK;
  });
}

void crmkit_rfm_iter_free(crmkit_rfm_iter* it) { delete it; }

int crmkit_value_customer_rfm_json(char** out_json, crmkit_db* db, int64_t customer_id) {
  return capi::json_out(out_json, db, "out_json", [&] {
    CustomerValue value(db->session->store);
    auto r = value.customer_rfm(customer_id);
    if (!r) throw Error(Errc::not_found, "customer " + std::to_string(customer_id) + " has no RFM assignment");
    return r->to_json();
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
      s += segment_map_to_json(m);
      first = false;
    }
    s += "]";
    *out_json = capi::owned_string(s);
    return CRMKIT_OK;
  });
}

}  // extern "C"
