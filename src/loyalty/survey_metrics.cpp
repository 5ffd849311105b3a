// Survey metrics over stored responses: score histograms per group loaded with one GROUP BY
// query, figures computed by analytics/survey_metrics.
#include <fmt/format.h>

#include <array>
#include <limits>
#include <map>

#include "analytics/retention_metrics.hpp"
#include "analytics/survey_metrics.hpp"
#include "base/text.hpp"
#include "crmkit/survey.hpp"
#include "loyalty/bounds.hpp"
#include "store/connection.hpp"

namespace crmkit {

namespace {

using Histogram = std::array<std::int64_t, 11>;
struct Group {
  std::string key;
  Histogram counts{};
};

std::string month_label(std::int64_t m) {
  CivilDate d = civil_from_day(analytics::month_start(m));
  return fmt::format("{:04}-{:02}", d.year, d.month);
}

// Score histograms of one kind per group, every group of the grouping listed (empty ones too).
std::vector<Group> load_groups(detail::Connection& c, SurveyKind kind, const SurveyMetricQuery& q) {
  if (q.from) loyalty::check_bound("from", *q.from);
  if (q.to) loyalty::check_bound("to", *q.to);
  if (q.from && q.to && *q.from >= *q.to)
    throw Error(Errc::invalid_argument, "period is empty: from must be before to");
  analytics::normal_z(q.confidence);  // refuse a bad level before any work
  const std::int64_t from = q.from.value_or(std::numeric_limits<std::int64_t>::min());
  const std::int64_t to = q.to.value_or(std::numeric_limits<std::int64_t>::max());
  std::vector<Group> groups;
  std::map<std::string, std::size_t> index;
  auto add_group = [&](std::string key) {
    index.emplace(key, groups.size());
    groups.push_back({std::move(key), {}});
  };
  auto add_count = [&](const std::string& key, std::int64_t score, std::int64_t n) {
    auto it = index.find(key);
    if (it == index.end() || score < 0 || score > 10) return;
    groups[it->second].counts[static_cast<std::size_t>(score)] += n;
  };
  const char* where = "r.kind = :kind AND r.occurred_at >= :from AND r.occurred_at < :to";
  auto bind = [&](detail::Statement& s) {
    detail::bind_value(s, ":kind", kind);
    detail::bind_value(s, ":from", from);
    detail::bind_value(s, ":to", to);
  };

  switch (q.by) {
    case MetricGrouping::none: {
      add_group("all");
      auto& s = c.prepare(fmt::format(
          "SELECT CAST(r.score AS INTEGER), count(*) FROM survey_responses r WHERE {} GROUP BY 1", where));
      detail::StatementReset reset_s(s);
      bind(s);
      while (s.executeStep()) add_count("all", s.getColumn(0).getInt64(), s.getColumn(1).getInt64());
      break;
    }
    case MetricGrouping::channel: {
      for (int ch = 0; ch <= static_cast<int>(Channel::other); ++ch) add_group(to_string(static_cast<Channel>(ch)));
      auto& s = c.prepare(fmt::format(
          "SELECT r.channel, CAST(r.score AS INTEGER), count(*) FROM survey_responses r WHERE {} GROUP BY 1, 2",
          where));
      detail::StatementReset reset_s(s);
      bind(s);
      while (s.executeStep())
        add_count(s.getColumn(0).getString(), s.getColumn(1).getInt64(), s.getColumn(2).getInt64());
      break;
    }
    case MetricGrouping::month: {
      // Month index computed in SQL from the UTC calendar: (year − 1970)·12 + month − 1.
      auto& s = c.prepare(fmt::format(
          "SELECT {} - 1970 * 12 AS m, CAST(r.score AS INTEGER), count(*) FROM survey_responses r WHERE {} "
          "GROUP BY 1, 2",
          c.dialect().month_index("r.occurred_at"), where));
      detail::StatementReset reset_s(s);
      bind(s);
      struct Row { std::int64_t m, score, n; };
      std::vector<Row> rows;
      while (s.executeStep())
        rows.push_back({s.getColumn(0).getInt64(), s.getColumn(1).getInt64(), s.getColumn(2).getInt64()});
      std::int64_t lo = std::numeric_limits<std::int64_t>::max(), hi = std::numeric_limits<std::int64_t>::min();
      for (const auto& r : rows) { lo = std::min(lo, r.m); hi = std::max(hi, r.m); }
      if (q.from) lo = analytics::month_index(day_of(*q.from));
      if (q.to) hi = analytics::month_index(day_of(*q.to - 1));
      if (lo <= hi) {
        for (std::int64_t m = lo; m <= hi; ++m) add_group(month_label(m));
      }
      for (const auto& r : rows) add_count(month_label(r.m), r.score, r.n);
      break;
    }
    case MetricGrouping::segment: {
      // Segments keyed by id (names may repeat); labels are names.
      std::vector<std::pair<std::int64_t, std::string>> segs;
      {
        auto& s = c.prepare("SELECT id, name FROM segments ORDER BY name, id");
        detail::StatementReset reset_s(s);
        while (s.executeStep()) segs.emplace_back(s.getColumn(0).getInt64(), s.getColumn(1).getString());
      }
      std::map<std::int64_t, std::size_t> by_id;
      for (const auto& [id, name] : segs) {
        by_id.emplace(id, groups.size());
        groups.push_back({name, {}});
      }
      // A response counts in the segments the customer belonged to when it was given.
      auto& s = c.prepare(fmt::format(
          "SELECT m.segment_id, CAST(r.score AS INTEGER), count(*) FROM survey_responses r "
          "JOIN segment_membership m ON m.customer_id = r.customer_id AND m.entered_at <= r.occurred_at "
          " AND (m.left_at IS NULL OR m.left_at > r.occurred_at) "
          "WHERE {} GROUP BY 1, 2",
          where));
      detail::StatementReset reset_s(s);
      bind(s);
      while (s.executeStep()) {
        auto it = by_id.find(s.getColumn(0).getInt64());
        std::int64_t score = s.getColumn(1).getInt64();
        if (it == by_id.end() || score < 0 || score > 10) continue;
        groups[it->second].counts[static_cast<std::size_t>(score)] += s.getColumn(2).getInt64();
      }
      break;
    }
  }
  return groups;
}

// The table of one survey kind: a row per group, made by `row` from the group's histogram.
template <class Table, class Row>
Table survey_table(const Store& store, SurveyKind kind, const SurveyMetricQuery& query, Row row) {
  return detail::guard([&] {
    Table out{query, {}};
    for (const auto& g : load_groups(detail::connection_of(store), kind, query)) out.groups.push_back(row(g));
    return out;
  });
}

// Scores 1..N-1 of a group's histogram: CSAT and CES have no score 0 (index 0 stays 0).
template <class Counts>
Counts counts_from_one(const Group& g) {
  Counts counts{};
  for (std::size_t s = 1; s < counts.size(); ++s) counts[s] = g.counts[s];
  return counts;
}

}  // namespace

NpsTable SurveyMetrics::nps(const SurveyMetricQuery& query) {
  return survey_table<NpsTable>(store_, SurveyKind::nps, query, [&](const Group& g) {
    analytics::NpsCounts counts{};
    std::copy(g.counts.begin(), g.counts.end(), counts.begin());
    auto f = analytics::nps_from_counts(counts, query.confidence);
    return NpsResult{g.key, f.n, f.promoters, f.passives, f.detractors, f.nps, f.standard_error, f.ci_low, f.ci_high};
  });
}

CsatTable SurveyMetrics::csat(const SurveyMetricQuery& query) {
  return survey_table<CsatTable>(store_, SurveyKind::csat, query, [](const Group& g) {
    auto f = analytics::csat_from_counts(counts_from_one<analytics::CsatCounts>(g));
    return CsatResult{g.key, f.n, f.satisfied, f.csat_percent, f.mean_score};
  });
}

CesTable SurveyMetrics::ces(const SurveyMetricQuery& query) {
  return survey_table<CesTable>(store_, SurveyKind::ces, query, [](const Group& g) {
    auto f = analytics::ces_from_counts(counts_from_one<analytics::CesCounts>(g));
    return CesResult{g.key, f.n, f.low, f.agree, f.high, f.mean_score, f.index, f.percent_agree};
  });
}

}  // namespace crmkit
