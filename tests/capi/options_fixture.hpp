// Options handles filled in one call, for tests that try many option values. Each helper sets
// what it is given, runs the call and returns the first status other than CRMKIT_OK, so a
// value refused by a setter and one refused by the call are checked the same way.
#pragma once

#include <cstdint>

#include "crmkit.h"

namespace capi_test {

// Every scoring option; model NULL is the default choice.
struct ScoreSpec {
  const char* model = nullptr;
  std::int64_t spend_model = 0;
  double horizon = 12;
  const char* unit = "month";
  double discount_rate = 0.01;
  double margin_rate = 1;
};

template <class Call>
int with_score_options(const ScoreSpec& s, Call&& call) {
  crmkit_score_options* o = nullptr;
  int rc = crmkit_score_options_new(&o);
  if (rc == CRMKIT_OK) rc = crmkit_score_options_set_model(o, s.model);
  if (rc == CRMKIT_OK) rc = crmkit_score_options_set_spend_model(o, s.spend_model);
  if (rc == CRMKIT_OK) rc = crmkit_score_options_set_horizon(o, s.horizon, s.unit);
  if (rc == CRMKIT_OK) rc = crmkit_score_options_set_discount_rate(o, s.discount_rate);
  if (rc == CRMKIT_OK) rc = crmkit_score_options_set_margin_rate(o, s.margin_rate);
  if (rc == CRMKIT_OK) rc = call(o);
  crmkit_score_options_free(o);
  return rc;
}

inline int score(std::int64_t* out_scored, crmkit_db* db, std::int64_t as_of, const ScoreSpec& s) {
  return with_score_options(s, [&](crmkit_score_options* o) { return crmkit_value_score(out_scored, db, as_of, o); });
}

inline int score_json(char** out_json, crmkit_db* db, std::int64_t as_of, const ScoreSpec& s) {
  return with_score_options(s, [&](crmkit_score_options* o) { return crmkit_value_score_json(out_json, db, as_of, o); });
}

// Retention options; NULL texts and active_days 0 leave the default.
struct RetentionSpec {
  const char* activity = nullptr;
  int active_days = 0;
  double p_alive_threshold = 0.5;
  const char* order_unit = nullptr;
  const char* revenue = nullptr;
  const char* currency = nullptr;
};

inline int retention_json(char** out_json, crmkit_db* db, std::int64_t from, std::int64_t to, const RetentionSpec& s) {
  crmkit_retention_options* o = nullptr;
  int rc = crmkit_retention_options_new(&o);
  if (rc == CRMKIT_OK && s.activity) rc = crmkit_retention_options_set_activity(o, s.activity);
  if (rc == CRMKIT_OK && s.active_days != 0) rc = crmkit_retention_options_set_active_days(o, s.active_days);
  if (rc == CRMKIT_OK) rc = crmkit_retention_options_set_p_alive_threshold(o, s.p_alive_threshold);
  if (rc == CRMKIT_OK && s.order_unit) rc = crmkit_retention_options_set_order_unit(o, s.order_unit);
  if (rc == CRMKIT_OK && s.revenue) rc = crmkit_retention_options_set_revenue(o, s.revenue);
  if (rc == CRMKIT_OK) rc = crmkit_retention_options_set_currency(o, s.currency);
  if (rc == CRMKIT_OK) rc = crmkit_retention_json(out_json, db, from, to, o);
  crmkit_retention_options_free(o);
  return rc;
}

// Cohort options; by NULL leaves the default month.
inline int cohorts_json(char** out_json, crmkit_db* db, const char* by, int periods, int unbounded) {
  crmkit_cohort_options* o = nullptr;
  int rc = crmkit_cohort_options_new(&o);
  if (rc == CRMKIT_OK && by) rc = crmkit_cohort_options_set_by(o, by);
  if (rc == CRMKIT_OK) rc = crmkit_cohort_options_set_periods(o, periods);
  if (rc == CRMKIT_OK) rc = crmkit_cohort_options_set_unbounded(o, unbounded);
  if (rc == CRMKIT_OK) rc = crmkit_retention_cohorts_json(out_json, db, o);
  crmkit_cohort_options_free(o);
  return rc;
}

}  // namespace capi_test
