#include "loyalty/survey_json.hpp"

#include <string>

#include "crmkit/error.hpp"

namespace crmkit::detail {

nlohmann::json survey_response_json(const SurveyResponse& r) {
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
  j["interaction_id"] = optional_json(r.interaction_id);
  j["comment"] = optional_json(r.comment);
  j["external_id"] = optional_json(r.external_id);
  return j;
}

SurveyResponse survey_response_from_json(const nlohmann::json& j) {
  if (!j.is_object()) throw Error(Errc::invalid_argument, "a response must be a JSON object");
  auto member = [&](const char* name) -> const nlohmann::json& {
    auto it = j.find(name);
    if (it == j.end() || it->is_null()) throw Error(Errc::invalid_argument, std::string(name) + " is missing");
    return *it;
  };
  auto integer = [&](const char* name) {
    return json_int64(member(name), name);
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

}  // namespace crmkit::detail
