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

  const auto cq =
      newest_cohorts(store, CohortPeriod::month, r.options.cohort_months, r.options.cohort_periods, r.as_of);
  if (!cq) return;
  l.has_cohorts = true;
  l.cohorts_from = *cq->from;
  l.cohorts_to = *cq->to;
  l.cohorts = RetentionMetrics(store).cohorts(*cq);
}

std::optional<CohortQuery> newest_cohorts(Store& store, CohortPeriod by, int cohorts, int periods,
                                          std::optional<Instant> as_of) {
  // The newest cohorts that exist: the periods up to the last first purchase before as_of.
  // (The calendar's last months may hold no first purchase at all, as on CDNOW, whose
  // customers all first bought in early 1997.)
  auto& st = detail::connection_of(store).prepare(
      "SELECT max(first_purchase_at) FROM customer_figures WHERE CAST(?1 AS BIGINT) IS NULL OR first_purchase_at < ?1");
  detail::StatementReset reset(st);
  detail::bind_all(st, as_of);
  st.executeStep();
  if (st.getColumn(0).isNull()) return std::nullopt;
  const Instant last = st.getColumn(0).getInt64();
  CohortQuery cq;
  cq.by = by;
  cq.periods = periods;
  if (by == CohortPeriod::month) {
    cq.to = month_start(last, 1);
    cq.from = month_start(last, 1 - cohorts);
  } else {
    // Weeks start on Monday (UTC): day 0 (1970-01-01) was a Thursday, so Monday is day % 7 == 4.
    const Day d = day_of(last);
    const Day monday = d - (((d - 4) % 7) + 7) % 7;
    cq.to = start_of_day(monday + 7);
    cq.from = start_of_day(monday + 7 - 7 * static_cast<Day>(cohorts));
  }
  cq.as_of = as_of;
  return cq;
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
