// crmkit/survey.hpp: feedback survey responses (NPS, CSAT, CES, custom scales) and the survey
// metrics computed from them. Definitions and edge cases: docs/LOYALTY_METRICS.md.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "crmkit/interaction.hpp"
#include "crmkit/store.hpp"
#include "crmkit/time.hpp"

namespace crmkit {

// nps: 0..10 "how likely to recommend"; csat: 1..5 satisfaction; ces: 1..7 "easy to handle my
// issue" (CES 2.0, 7 = strongly agree); custom: any scale given with the response.
enum class SurveyKind { nps, csat, ces, custom };
enum class ScaleDirection { higher_is_better, lower_is_better };

const char* to_string(SurveyKind k) noexcept;
const char* to_string(ScaleDirection d) noexcept;
SurveyKind parse_survey_kind(const std::string& text, const char* field = "kind");
ScaleDirection parse_scale_direction(const std::string& text, const char* field = "direction");

// A closed scale [min, max]. Standard kinds have fixed scales (scale_of); custom responses
// carry theirs.
struct SurveyScale {
  double min = 0;
  double max = 0;
  ScaleDirection direction = ScaleDirection::higher_is_better;
};
// The fixed scale of nps/csat/ces; throws invalid_argument for custom.
SurveyScale scale_of(SurveyKind kind);

struct SurveyResponse {
  std::int64_t id = 0;                         // set by the store
  std::int64_t customer_id = 0;
  std::optional<std::string> external_id;      // idempotency key, unique
  SurveyKind kind = SurveyKind::nps;
  std::optional<SurveyScale> scale;            // required for custom; for standard kinds it
                                               // must be absent or equal to the fixed scale
  double score = 0;                            // an integer for nps/csat/ces; finite, in scale
  Instant occurred_at = 0;
  Channel channel = Channel::other;
  std::optional<std::int64_t> interaction_id;  // must exist and be the same customer's
  std::optional<std::string> comment;          // UTF-8, at most 10,000 bytes
};

// Maximum size of a response comment in bytes.
constexpr std::size_t kMaxSurveyComment = 10'000;

struct SurveyFilter {
  std::optional<SurveyKind> kind;
  std::optional<Instant> from;   // occurred_at >= from
  std::optional<Instant> to;     // occurred_at < to
};

class Surveys {
 public:
  explicit Surveys(Store& store) : store_(store) {}

  // Records one response (append-only). Throws invalid_argument (score out of range, NaN,
  // non-integer standard score, bad scale, comment too long or not UTF-8), not_found (customer
  // or interaction), conflict (interaction of another customer; external_id seen with
  // different content). The same external_id with the same content returns the existing id.
  std::int64_t record(const SurveyResponse& response);

  // Records many in one transaction (joins the caller's transaction if one is open); same
  // semantics as Interactions::record_batch.
  BatchResult record_batch(const std::vector<SurveyResponse>& batch, const BatchOptions& options = {});

  SurveyResponse get(std::int64_t id);
  // A customer's responses, oldest first.
  std::vector<SurveyResponse> for_customer(std::int64_t customer_id, const SurveyFilter& filter = {});
  std::int64_t count(const SurveyFilter& filter = {});

 private:
  Store store_;
};

// ---- survey metrics -----------------------------------------------------------------------

// How results are grouped. month: calendar months (UTC) of occurred_at, every month of the
// period listed even when empty; channel: every channel listed; segment: the segments whose
// membership interval contains the response's occurred_at (a customer in two segments counts
// in both); every segment listed.
enum class MetricGrouping { none, month, channel, segment };
const char* to_string(MetricGrouping g) noexcept;
MetricGrouping parse_metric_grouping(const std::string& text, const char* field = "by");

struct SurveyMetricQuery {
  std::optional<Instant> from;   // occurred_at >= from (none: from the first response)
  std::optional<Instant> to;     // occurred_at < to (none: through the last response)
  MetricGrouping by = MetricGrouping::none;
  double confidence = 0.95;      // level of NPS confidence intervals, in (0, 1)
};

// Undefined values (no responses, N < 2 for a standard error) are std::nullopt.
struct NpsResult {
  std::string group;             // "all", "2026-03", "email", or a segment name
  std::int64_t responses = 0;    // valid responses (0..10)
  std::int64_t promoters = 0;    // 9..10
  std::int64_t passives = 0;     // 7..8
  std::int64_t detractors = 0;   // 0..6
  std::optional<double> nps;     // 100·(P − D)/N, −100..100
  std::optional<double> standard_error;  // 100·sqrt((pP + pD − (pP − pD)²)/N), N >= 2
  std::optional<double> ci_low;  // nps ∓ z·SE (normal approximation), clamped to [−100, 100]
  std::optional<double> ci_high;
};

struct CsatResult {
  std::string group;
  std::int64_t responses = 0;    // valid responses (1..5)
  std::int64_t satisfied = 0;    // 4..5
  std::optional<double> csat_percent;   // 100·satisfied/responses (unrounded)
  std::optional<double> mean_score;     // the "mean score" variant, 1..5
};

struct CesResult {
  std::string group;
  std::int64_t responses = 0;    // valid responses (1..7)
  std::int64_t low = 0;          // 1..3 (disagree)
  std::int64_t agree = 0;        // 5..7
  std::int64_t high = 0;         // 6..7
  std::optional<double> mean_score;     // CES = mean score (the default), 1..7
  std::optional<double> index;          // %(6–7) − %(1–3), −100..100
  std::optional<double> percent_agree;  // %(5–7)
};

// A metric's groups with the query they answer (their JSON names the grouping and the period).
struct NpsTable {
  SurveyMetricQuery query;
  std::vector<NpsResult> groups;
};
struct CsatTable {
  SurveyMetricQuery query;
  std::vector<CsatResult> groups;
};
struct CesTable {
  SurveyMetricQuery query;
  std::vector<CesResult> groups;
};
// {"metric":"nps","by":"month","from":...,"to":...,"groups":[...]}, undefined values as null;
// NPS also gives its "confidence".
std::string to_json(const NpsTable& table);
std::string to_json(const CsatTable& table);
std::string to_json(const CesTable& table);

class SurveyMetrics {
 public:
  explicit SurveyMetrics(Store& store) : store_(store) {}
  NpsTable nps(const SurveyMetricQuery& query = {});
  CsatTable csat(const SurveyMetricQuery& query = {});
  CesTable ces(const SurveyMetricQuery& query = {});

 private:
  Store store_;
};

}  // namespace crmkit
