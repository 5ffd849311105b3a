// Loyalty: NPS by month over the 12 months before as_of, retention over the 90 days before it,
// and the monthly cohort table of the newest cohorts (written with the metrics' own to_json).
#include "crmkit/retention.hpp"
#include "crmkit/survey.hpp"
#include "sections.hpp"

namespace crmkit::reports {
namespace {

Instant month_start(Instant t, int months_later) {
  CivilDate d = civil_from_day(day_of(t));
  return start_of_day(day_from_civil(add_months({d.year, d.month, 1}, months_later)));
}

}  // namespace

void read_loyalty(Store& store, Report& r) {
  ReportLoyalty& l = r.loyalty;
  const Instant last = r.as_of - 1;  // the last instant the report covers
  l.nps_from = month_start(last, -11);
  l.nps_to = r.as_of;
  SurveyMetricQuery q;
  q.from = l.nps_from;
  q.to = l.nps_to;
  q.by = MetricGrouping::month;
  l.nps = SurveyMetrics(store).nps(q);

  l.retention_from = r.as_of - 90 * kMillisPerDay;
  l.retention_to = r.as_of;
  RetentionQuery rq;
  rq.from = l.retention_from;
  rq.to = l.retention_to;
  rq.active_days = 90;
  if (r.options.currency) rq.currency = r.options.currency;
  l.retention = RetentionMetrics(store).retention(rq);

  // The newest cohorts that exist: the months up to the last first purchase before as_of.
  // (The calendar's last months may hold no first purchase at all, as on CDNOW, whose
  // customers all first bought in early 1997.)
  auto& st = detail::connection_of(store).prepare(
      "SELECT max(first_purchase_at) FROM customer_figures WHERE first_purchase_at < ?");
  detail::StatementReset reset(st);
  st.bind(1, static_cast<std::int64_t>(r.as_of));
  st.executeStep();
  if (st.getColumn(0).isNull()) return;
  l.has_cohorts = true;
  l.cohorts_to = month_start(st.getColumn(0).getInt64(), 1);
  l.cohorts_from = month_start(st.getColumn(0).getInt64(), 1 - r.options.cohort_months);
  CohortQuery cq;
  cq.periods = r.options.cohort_periods;
  cq.from = l.cohorts_from;
  cq.to = l.cohorts_to;
  cq.as_of = r.as_of;
  l.cohorts = RetentionMetrics(store).cohorts(cq);
}

nlohmann::ordered_json loyalty_json(const Report& r) {
  const ReportLoyalty& l = r.loyalty;
  auto window = [](Instant from, Instant to, const std::string& json) {
    return nlohmann::ordered_json{{"from", instant_text(from)}, {"to", instant_text(to)}, {"result", nlohmann::ordered_json::parse(json)}};
  };
  return {{"nps_by_month", window(l.nps_from, l.nps_to, to_json(l.nps))},
          {"retention", window(l.retention_from, l.retention_to, to_json(l.retention))},
          {"cohorts", l.has_cohorts ? window(l.cohorts_from, l.cohorts_to, to_json(l.cohorts)) : nlohmann::ordered_json()}};
}

}  // namespace crmkit::reports
