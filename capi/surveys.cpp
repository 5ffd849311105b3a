// C API: survey responses and survey metrics (converts and guards; rules live in src/loyalty).
#include <nlohmann/json.hpp>

#include <cmath>

#include "base/json_form.hpp"
#include "base/text.hpp"
#include "crmkit/survey.hpp"
#include "handle.hpp"

using namespace crmkit;
using crmkit::capi::call;
using crmkit::capi::need;

namespace {

SurveyResponse base_response(std::int64_t customer_id, double score, std::int64_t occurred_at, const char* channel,
                             std::int64_t interaction_id, const char* comment, const char* external_id) {
  SurveyResponse r;
  r.customer_id = customer_id;
  r.score = score;
  r.occurred_at = occurred_at;
  r.channel = parse_channel(capi::text_arg(channel, "channel"));
  if (interaction_id < 0) throw Error(Errc::invalid_argument, "interaction_id must be 0 (none) or a positive id");
  if (interaction_id > 0) r.interaction_id = interaction_id;
  r.comment = capi::optional_text(comment, "comment", kMaxSurveyComment);
  r.external_id = capi::optional_text(external_id, "external_id", detail::kMaxShortText);
  return r;
}

nlohmann::json to_json(const SurveyResponse& r) {
  SurveyScale sc = r.scale ? *r.scale : scale_of(r.kind);
  nlohmann::json j{{"id", r.id},
                   {"customer_id", r.customer_id},
                   {"kind", to_string(r.kind)},
                   {"score", r.score},
                   {"scale_min", sc.min},
                   {"scale_max", sc.max},
                   {"direction", to_string(sc.direction)},
                   {"occurred_at", r.occurred_at},
                   {"channel", to_string(r.channel)}};
  j["interaction_id"] = r.interaction_id ? nlohmann::json(*r.interaction_id) : nlohmann::json(nullptr);
  j["comment"] = r.comment ? nlohmann::json(*r.comment) : nlohmann::json(nullptr);
  j["external_id"] = r.external_id ? nlohmann::json(*r.external_id) : nlohmann::json(nullptr);
  return j;
}

// One element of a batch; throws invalid_argument naming the member.
SurveyResponse from_json(const nlohmann::json& j) {
  if (!j.is_object()) throw Error(Errc::invalid_argument, "a response must be a JSON object");
  auto member = [&](const char* name) -> const nlohmann::json& {
    auto it = j.find(name);
    if (it == j.end() || it->is_null()) throw Error(Errc::invalid_argument, std::string(name) + " is missing");
    return *it;
  };
  auto integer = [&](const char* name) {
    return detail::json_int64(member(name), name);
  };
  auto number = [&](const char* name) {
    const auto& v = member(name);
    if (!v.is_number()) throw Error(Errc::invalid_argument, std::string(name) + " must be a number");
    return v.get<double>();
  };
  auto string = [&](const char* name) {
    const auto& v = member(name);
    if (!v.is_string()) throw Error(Errc::invalid_argument, std::string(name) + " must be a string");
    return v.get<std::string>();
  };
  SurveyResponse r;
  r.customer_id = integer("customer_id");
  r.kind = parse_survey_kind(string("kind"));
  r.score = number("score");
  r.occurred_at = integer("occurred_at");
  r.channel = parse_channel(string("channel"));
  if (j.contains("interaction_id") && !j["interaction_id"].is_null()) r.interaction_id = integer("interaction_id");
  if (j.contains("comment") && !j["comment"].is_null()) r.comment = string("comment");
  if (j.contains("external_id") && !j["external_id"].is_null()) r.external_id = string("external_id");
  if (r.kind == SurveyKind::custom) {
    r.scale = SurveyScale{number("scale_min"), number("scale_max"),
                          j.contains("direction") ? parse_scale_direction(string("direction"))
                                                  : ScaleDirection::higher_is_better};
  }
  return r;
}

SurveyMetricQuery query_of(const std::int64_t* from, const std::int64_t* to, const char* by) {
  SurveyMetricQuery q;
  if (from) q.from = *from;
  if (to) q.to = *to;
  if (by) q.by = parse_metric_grouping(capi::text_arg(by, "by", 32));
  return q;
}

}  // namespace

extern "C" {

int crmkit_survey_record(int64_t* out_id, crmkit_db* db, int64_t customer_id, const char* kind, double score,
                         int64_t occurred_at, const char* channel, int64_t interaction_id, const char* comment,
                         const char* external_id) {
  if (out_id) *out_id = 0;
  CRMKIT_NEED_DB(db);
  return call(capi::session_of(db), [&] {
    need(out_id, "out_id");
    SurveyResponse r = base_response(customer_id, score, occurred_at, channel, interaction_id, comment, external_id);
    r.kind = parse_survey_kind(capi::text_arg(kind, "kind", 32));
    if (r.kind == SurveyKind::custom)
      throw Error(Errc::invalid_argument, "kind custom needs a scale: use crmkit_survey_record_custom");
    *out_id = Surveys(db->session->store).record(r);
    return CRMKIT_OK;
  });
}

int crmkit_survey_record_custom(int64_t* out_id, crmkit_db* db, int64_t customer_id, double scale_min,
                                double scale_max, const char* direction, double score, int64_t occurred_at,
                                const char* channel, int64_t interaction_id, const char* comment,
                                const char* external_id) {
  if (out_id) *out_id = 0;
  CRMKIT_NEED_DB(db);
  return call(capi::session_of(db), [&] {
    need(out_id, "out_id");
    SurveyResponse r = base_response(customer_id, score, occurred_at, channel, interaction_id, comment, external_id);
    r.kind = SurveyKind::custom;
    r.scale = SurveyScale{scale_min, scale_max, parse_scale_direction(capi::text_arg(direction, "direction", 32))};
    *out_id = Surveys(db->session->store).record(r);
    return CRMKIT_OK;
  });
}

int crmkit_survey_record_batch_json(char** out_json, crmkit_db* db, const char* responses_json, int skip_invalid) {
  return capi::json_out(out_json, db, "out_json", [&] {
    std::string text = capi::text_arg(responses_json, "responses_json", 1'000'000'000);
    nlohmann::json arr = nlohmann::json::parse(text, nullptr, false);
    if (arr.is_discarded() || !arr.is_array())
      throw Error(Errc::invalid_argument, "responses_json is not a JSON array");
    // Rows that cannot even be converted are reported like rows the service refuses.
    std::vector<SurveyResponse> rows;
    std::vector<std::size_t> position;  // index in the input of each converted row
    nlohmann::json errors = nlohmann::json::array();
    for (std::size_t i = 0; i < arr.size(); ++i) {
      try {
        rows.push_back(from_json(arr[i]));
        position.push_back(i);
      } catch (const Error& e) {
        if (!skip_invalid) throw Error(e.code(), "row " + std::to_string(i) + ": " + e.what());
        errors.push_back({{"index", i}, {"status", crmkit_status_name(capi::status_of(e.code()))},
                          {"message", e.what()}});
      }
    }
    BatchOptions opts;
    opts.skip_invalid = skip_invalid != 0;
    BatchResult res;
    try {
      res = Surveys(db->session->store).record_batch(rows, opts);
    } catch (const Error& e) {
      // Re-number "row k" to the input's index.
      std::string msg = e.what();
      if (msg.rfind("row ", 0) == 0) {
        std::size_t k = std::stoul(msg.substr(4));
        if (k < position.size()) msg = "row " + std::to_string(position[k]) + msg.substr(msg.find(':'));
      }
      throw Error(e.code(), msg);
    }
    std::vector<std::int64_t> ids(arr.size(), 0);
    for (std::size_t k = 0; k < rows.size(); ++k) ids[position[k]] = res.ids[k];
    for (const auto& e : res.errors)
      errors.push_back({{"index", position[e.index]}, {"status", crmkit_status_name(capi::status_of(e.code))},
                        {"message", e.message}});
    nlohmann::json out{{"inserted", res.inserted}, {"duplicates", res.duplicates}, {"ids", ids}, {"errors", errors}};
    return out.dump();
  });
}

int crmkit_survey_get_json(char** out_json, crmkit_db* db, int64_t id) {
  return capi::json_out(out_json, db, "out_json", [&] {
    return to_json(Surveys(db->session->store).get(id)).dump();
  });
}

int crmkit_survey_nps_json(char** out_json, crmkit_db* db, const int64_t* from, const int64_t* to, const char* by,
                           double confidence) {
  return capi::json_out(out_json, db, "out_json", [&] {
    SurveyMetricQuery q = query_of(from, to, by);
    if (confidence != 0.0) q.confidence = confidence;  // 0 = default; NaN is refused by the service
    return SurveyMetrics(db->session->store).nps_json(q);
  });
}

int crmkit_survey_csat_json(char** out_json, crmkit_db* db, const int64_t* from, const int64_t* to, const char* by) {
  return capi::json_out(out_json, db, "out_json", [&] {
    return SurveyMetrics(db->session->store).csat_json(query_of(from, to, by));
  });
}

int crmkit_survey_ces_json(char** out_json, crmkit_db* db, const int64_t* from, const int64_t* to, const char* by) {
  return capi::json_out(out_json, db, "out_json", [&] {
    return SurveyMetrics(db->session->store).ces_json(query_of(from, to, by));
  });
}

}  // extern "C"
