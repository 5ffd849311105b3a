// A survey response as JSON (the exact form: epoch ms), its writer and its reader together; the
// C API uses both.
#pragma once

#include <nlohmann/json.hpp>

#include "base/json_form.hpp"
#include "crmkit/survey.hpp"

namespace crmkit::detail {

// Every field, with the kind's standard scale spelled out ("scale_min", "scale_max",
// "direction") so a reader needs no table.
nlohmann::json survey_response_json(const SurveyResponse& r);
// One response as a caller gives it: customer_id, kind, score, occurred_at and channel
// required; interaction_id, comment, external_id optional; a custom kind needs scale_min and
// scale_max (direction defaults to higher_is_better). Throws invalid_argument naming the member;
// the rules are checked by Surveys when it is recorded.
SurveyResponse survey_response_from_json(const nlohmann::json& j);

}  // namespace crmkit::detail
