// NPS/CSAT/CES over stored responses: periods, grouping, empty groups as undefined.
#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include <limits>
#include <map>

#include "crmkit/survey.hpp"
#include "loyalty_fixture.hpp"

using namespace crmkit;
using Approx = Catch::Detail::Approx;

namespace {
struct Scenario {
  LoyaltyStore s;
  SurveyMetrics m{s.store};
  std::int64_t a, b, c;
  Scenario() {
    a = s.customer("A");
    b = s.customer("B");
    c = s.customer("C");
    Surveys sv(s.store);
    auto add = [&](std::int64_t who, SurveyKind k, int score, Instant at, Channel ch) {
      SurveyResponse r;
      r.customer_id = who;
      r.kind = k;
      r.score = score;
      r.occurred_at = at;
      r.channel = ch;
      sv.record(r);
    };
    add(a, SurveyKind::nps, 10, day(2026, 1, 5), Channel::email);
    add(b, SurveyKind::nps, 9, day(2026, 1, 6), Channel::web);
    add(c, SurveyKind::nps, 3, day(2026, 1, 7), Channel::web);
    add(a, SurveyKind::nps, 8, day(2026, 3, 2), Channel::email);
    add(b, SurveyKind::nps, 0, start_of_day(day_from_civil({2026, 4, 1})), Channel::web);  // == to: excluded
    add(a, SurveyKind::csat, 5, day(2026, 1, 9), Channel::chat);
    add(b, SurveyKind::csat, 3, day(2026, 1, 9), Channel::chat);
    add(c, SurveyKind::ces, 7, day(2026, 2, 9), Channel::phone);
    add(c, SurveyKind::ces, 2, day(2026, 2, 10), Channel::phone);
  }
  SurveyMetricQuery q1(MetricGrouping by) {
    SurveyMetricQuery q;
    q.from = start_of_day(day_from_civil({2026, 1, 1}));
    q.to = start_of_day(day_from_civil({2026, 4, 1}));
    q.by = by;
    return q;
  }
};
}  // namespace

TEST_CASE_METHOD(Scenario, "NPS over a period: from inclusive, to exclusive", "[surveys][metrics]") {
  auto all = m.nps(q1(MetricGrouping::none)).groups;
  REQUIRE(all.size() == 1);
  CHECK(all[0].group == "all");
  CHECK(all[0].responses == 4);  // the response at `to` is outside
  CHECK(all[0].promoters == 2);
  CHECK(all[0].passives == 1);
  CHECK(all[0].detractors == 1);
  CHECK(*all[0].nps == Approx(25.0));
  auto everything = m.nps().groups;
  CHECK(everything[0].responses == 5);
  CHECK(*everything[0].nps == Approx(0.0));
}

TEST_CASE_METHOD(Scenario, "NPS by month lists empty months as undefined", "[surveys][metrics]") {
  auto rows = m.nps(q1(MetricGrouping::month)).groups;
  REQUIRE(rows.size() == 3);
  CHECK(rows[0].group == "2026-01");
  CHECK(*rows[0].nps == Approx(100.0 / 3));
  CHECK(rows[1].group == "2026-02");
  CHECK(rows[1].responses == 0);
  CHECK_FALSE(rows[1].nps);
  CHECK(rows[2].group == "2026-03");
  CHECK(*rows[2].nps == Approx(0.0));
  CHECK_FALSE(rows[2].standard_error);  // a single response
  auto j = nlohmann::json::parse(to_json(m.nps(q1(MetricGrouping::month))));
  CHECK(j["groups"][1]["nps"].is_null());
  CHECK(j["groups"][1]["responses"] == 0);
  CHECK(j["by"] == "month");
}

TEST_CASE("NPS by month puts the last millisecond of a month in it, before 1970 too", "[surveys][metrics]") {
  LoyaltyStore s;
  const std::int64_t a = s.customer("A");
  Surveys sv(s.store);
  auto add = [&](int score, Instant at) {
    SurveyResponse r;
    r.customer_id = a;
    r.kind = SurveyKind::nps;
    r.score = score;
    r.occurred_at = at;
    sv.record(r);
  };
  const Instant feb_1900 = start_of_day(day_from_civil({1900, 3, 1})) - 1;  // 1900-02-28T23:59:59.999
  const Instant dec_1969 = -1;                                              // 1969-12-31T23:59:59.999
  const Instant jan_1970 = 0;
  const Instant feb_2024 = start_of_day(day_from_civil({2024, 3, 1})) - 1;  // a leap February's end
  const Instant mar_2024 = start_of_day(day_from_civil({2024, 3, 1}));
  add(10, feb_1900);
  add(10, dec_1969);
  add(0, jan_1970);
  add(9, feb_2024);
  add(3, mar_2024);
  SurveyMetrics m(s.store);
  SurveyMetricQuery q;
  q.by = MetricGrouping::month;
  std::map<std::string, std::pair<std::int64_t, double>> seen;  // month: responses, NPS
  for (const auto& g : m.nps(q).groups)
    if (g.responses) seen[g.group] = {g.responses, *g.nps};
  const std::map<std::string, std::pair<std::int64_t, double>> expected{
      {"1900-02", {1, 100.0}}, {"1969-12", {1, 100.0}}, {"1970-01", {1, -100.0}},
      {"2024-02", {1, 100.0}}, {"2024-03", {1, -100.0}}};
  CHECK(seen == expected);
}

TEST_CASE_METHOD(Scenario, "NPS by channel lists every channel", "[surveys][metrics]") {
  auto rows = m.nps(q1(MetricGrouping::channel)).groups;
  REQUIRE(rows.size() == 8);
  std::map<std::string, NpsResult> by;
  for (auto& r : rows) by[r.group] = r;
  CHECK(*by["email"].nps == Approx(50.0));
  CHECK(*by["web"].nps == Approx(0.0));
  CHECK_FALSE(by["chat"].nps);
}

TEST_CASE_METHOD(Scenario, "NPS by segment uses membership at the response's time", "[surveys][metrics]") {
  CHECK(m.nps(q1(MetricGrouping::segment)).groups.empty());  // no segments yet: no groups
  auto& db = s.db();
  db.exec("INSERT INTO segments(id, name, kind) VALUES (1, 'vip', 'static'), (2, 'new', 'static'), "
          "(3, 'empty', 'static')");
  s.segment_member(1, a, day(2025, 12, 1), day(2026, 2, 15));  // left before a's March answer
  s.segment_member(2, c, day(2026, 1, 1), std::nullopt);
  auto rows = m.nps(q1(MetricGrouping::segment)).groups;
  REQUIRE(rows.size() == 3);
  std::map<std::string, NpsResult> by;
  for (auto& r : rows) by[r.group] = r;
  CHECK(by["vip"].responses == 1);
  CHECK(*by["vip"].nps == Approx(100.0));
  CHECK(*by["new"].nps == Approx(-100.0));
  CHECK(by["empty"].responses == 0);
  CHECK_FALSE(by["empty"].nps);
}

TEST_CASE_METHOD(Scenario, "CSAT and CES over stored responses", "[surveys][metrics]") {
  auto cs = m.csat(q1(MetricGrouping::none)).groups;
  CHECK(cs[0].responses == 2);
  CHECK(*cs[0].csat_percent == Approx(50.0));
  CHECK(*cs[0].mean_score == Approx(4.0));
  auto ce = m.ces(q1(MetricGrouping::month)).groups;
  REQUIRE(ce.size() == 3);
  CHECK_FALSE(ce[0].mean_score);
  CHECK(*ce[1].mean_score == Approx(4.5));
  CHECK(*ce[1].index == Approx(0.0));       // one 6–7, one 1–3
  CHECK(*ce[1].percent_agree == Approx(50.0));
  auto j = nlohmann::json::parse(to_json(m.ces(q1(MetricGrouping::none))));
  CHECK(j["groups"][0]["mean_score"] == Approx(4.5));
}

TEST_CASE_METHOD(Scenario, "survey metric queries are validated", "[surveys][metrics]") {
  auto q = q1(MetricGrouping::none);
  q.confidence = 1.0;
  CHECK_THROWS_AS(m.nps(q), Error);
  q = q1(MetricGrouping::none);
  std::swap(q.from, q.to);
  CHECK_THROWS_AS(m.nps(q), Error);
  CHECK(parse_metric_grouping("segment") == MetricGrouping::segment);
  CHECK_THROWS_AS(parse_metric_grouping("week"), Error);
}

TEST_CASE_METHOD(Scenario, "survey metric bounds at the int64 limits are refused", "[surveys][metrics]") {
  SurveyMetricQuery q;
  q.to = std::numeric_limits<std::int64_t>::min();
  CHECK_THROWS_AS(m.nps(q), Error);
  q.to = std::nullopt;
  q.from = std::numeric_limits<std::int64_t>::min();
  q.by = MetricGrouping::month;
  CHECK_THROWS_AS(m.nps(q), Error);
  q.from = -62'135'596'800'000;   // 0001-01-01: 12 · 2026 months listed, most of them null
  q.to = start_of_day(day_from_civil({2026, 4, 1}));
  auto rows = m.nps(q).groups;
  CHECK(rows.size() == 2025u * 12 + 3);
  CHECK(rows.front().group == "0001-01");
  CHECK_FALSE(rows.front().nps);
}
