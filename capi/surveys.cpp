// C API: survey responses and survey metrics (converts and guards; rules live in src/loyalty).
#include <nlohmann/json.hpp>

#include "base/text.hpp"
#include "crmkit/batch_error.hpp"
#include "crmkit/survey.hpp"
#include "handle.hpp"
#include "loyalty/survey_json.hpp"

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

// The shape of both record calls: the response `make` builds is recorded under the guard.
template <class Make>
int record(int64_t* out_id, crmkit_db* db, Make&& make) {
  if (out_id) *out_id = 0;
  CRMKIT_NEED_DB(db);
  return call(capi::session_of(db), [&] {
    need(out_id, "out_id");
    *out_id = Surveys(db->session->store).record(make());
    return CRMKIT_OK;
  });
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
  return record(out_id, db, [&] {
    SurveyResponse r = base_response(customer_id, score, occurred_at, channel, interaction_id, comment, external_id);
    r.kind = parse_survey_kind(capi::text_arg(kind, "kind", 32));
    if (r.kind == SurveyKind::custom)
      throw Error(Errc::invalid_argument, "kind custom needs a scale: use crmkit_survey_record_custom");
    return r;
  });
}

int crmkit_survey_record_custom(int64_t* out_id, crmkit_db* db, int64_t customer_id, double scale_min,
                                double scale_max, const char* direction, double score, int64_t occurred_at,
                                const char* channel, int64_t interaction_id, const char* comment,
                                const char* external_id) {
  return record(out_id, db, [&] {
    SurveyResponse r = base_response(customer_id, score, occurred_at, channel, interaction_id, comment, external_id);
    r.kind = SurveyKind::custom;
    r.scale = SurveyScale{scale_min, scale_max, parse_scale_direction(capi::text_arg(direction, "direction", 32))};
    return r;
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
        rows.push_back(detail::survey_response_from_json(arr[i]));
        position.push_back(i);
      } catch (const Error& e) {
        if (!skip_invalid) throw BatchRowError(e.code(), i, e.what());
        errors.push_back({{"index", i}, {"status", crmkit_status_name(capi::status_of(e.code()))},
                          {"message", e.what()}});
      }
    }
    BatchOptions opts;
    opts.skip_invalid = skip_invalid != 0;
    BatchResult res;
    try {
      res = Surveys(db->session->store).record_batch(rows, opts);
    } catch (const BatchRowError& e) {
      throw BatchRowError(e.code(), position[e.row()], e.reason());  // the row's index in the input
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
    return detail::survey_response_json(Surveys(db->session->store).get(id)).dump();
  });
}

int crmkit_survey_nps_json(char** out_json, crmkit_db* db, const int64_t* from, const int64_t* to, const char* by,
                           double confidence) {
  return capi::json_out(out_json, db, "out_json", [&] {
    SurveyMetricQuery q = query_of(from, to, by);
    if (confidence != 0.0) q.confidence = confidence;  // 0 = default; NaN is refused by the service
    return crmkit::to_json(SurveyMetrics(db->session->store).nps(q));
  });
}

int crmkit_survey_csat_json(char** out_json, crmkit_db* db, const int64_t* from, const int64_t* to, const char* by) {
  return capi::json_out(out_json, db, "out_json", [&] {
    return crmkit::to_json(SurveyMetrics(db->session->store).csat(query_of(from, to, by)));
  });
}

int crmkit_survey_ces_json(char** out_json, crmkit_db* db, const int64_t* from, const int64_t* to, const char* by) {
  return capi::json_out(out_json, db, "out_json", [&] {
    return crmkit::to_json(SurveyMetrics(db->session->store).ces(query_of(from, to, by)));
  });
}

}  // extern "C"
