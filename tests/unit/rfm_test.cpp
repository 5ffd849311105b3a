// RFM, pure layer: measures, the four scoring methods and the segment maps, checked against the
// R package rfm 0.3.0 and python/SQLite oracle files (shared data, rfm/).
#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <fstream>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "analytics/rfm.hpp"
#include "crmkit/error.hpp"
#include "crmkit/rfm.hpp"
#include "crmkit/time.hpp"
#include "value_test_data.hpp"
#include "test_paths.hpp"  // CRMKIT_SHARED_DATA, CRMKIT_CLI, CRMKIT_CHILD (generated)

using namespace crmkit;

namespace {

const std::string kRfmDir = std::string(CRMKIT_SHARED_DATA) + "/rfm/";

// Whether the shared reference data is there; without it the calling test is skipped, with a
// warning.
bool have_rfm_data() {
  std::ifstream f(kRfmDir + "rfm_data_orders.csv");
  if (f.good()) return true;
  WARN("skipped: " << kRfmDir << " not found (shared reference data)");
  return false;
}

// The sample: customer names mapped to ids in byte order, so "ORDER BY value, customer_id"
// in the oracles is "ORDER BY value, id" here.
struct Sample {
  std::vector<std::string> names;          // index = id - 1
  std::map<std::string, std::int64_t> id;  // name -> id
  std::vector<RfmPurchase> purchases;
};

const Sample& sample() {
  static const Sample s = [] {
    Sample s;
    auto rows = test_csv::read(kRfmDir + "rfm_data_orders.csv");
    std::vector<std::string> names;
    for (std::size_t i = 1; i < rows.size(); ++i) names.push_back(rows[i][0]);
    std::sort(names.begin(), names.end());
    names.erase(std::unique(names.begin(), names.end()), names.end());
    s.names = names;
    for (std::size_t i = 0; i < names.size(); ++i) s.id[names[i]] = static_cast<std::int64_t>(i + 1);
    for (std::size_t i = 1; i < rows.size(); ++i)
      s.purchases.push_back(RfmPurchase{s.id.at(rows[i][0]), start_of_day(parse_date(rows[i][1])), std::stod(rows[i][2])});
    return s;
  }();
  return s;
}

Instant analysis_date() { return end_of_day(parse_date("2006-12-31")); }

std::map<std::string, std::vector<std::string>> oracle(const std::string& file) {
  auto rows = test_csv::read(kRfmDir + file);
  std::map<std::string, std::vector<std::string>> out;
  for (std::size_t i = 1; i < rows.size(); ++i) out[rows[i][0]] = rows[i];
  return out;
}

}  // namespace

TEST_CASE("rfm measures: recency by UTC day, frequency as rows or days, monetary sum", "[rfm]") {
  const Instant d1 = start_of_day(parse_date("2024-03-01"));
  std::vector<RfmPurchase> p{
      {7, d1 + 3'600'000, 10.0},            // 2024-03-01 01:00
      {7, d1 + 20 * 3'600'000, 5.5},        // same day
      {7, d1 + 2 * kMillisPerDay, 1.0},     // 2024-03-03
      {3, d1 + 4 * kMillisPerDay - 1, 2.0}, // 2024-03-04 23:59:59.999
      {3, d1 + 4 * kMillisPerDay, 99.0},    // 2024-03-05 00:00: not before as_of
  };
  const Instant as_of = end_of_day(parse_date("2024-03-04"));
  auto m = rfm_measures(p, as_of);
  REQUIRE(m.size() == 2);
  CHECK(m[0].customer_id == 3);
  CHECK(m[0].recency_days == 0);  // a purchase on the analysis date has recency 0
  CHECK(m[0].frequency == 1);
  CHECK(m[0].monetary == 2.0);
  CHECK(m[1].customer_id == 7);
  CHECK(m[1].recency_days == 1);
  CHECK(m[1].frequency == 3);
  CHECK(m[1].monetary == 16.5);
  auto days = rfm_measures(p, as_of, RfmFrequency::days);
  CHECK(days[1].frequency == 2);
  // An as_of inside a day counts that day as the analysis day.
  auto noon = rfm_measures(p, start_of_day(parse_date("2024-03-03")) + 12 * 3'600'000);
  REQUIRE(noon.size() == 1);
  CHECK(noon[0].recency_days == 0);
  CHECK(noon[0].frequency == 3);
}

TEST_CASE("rfm scores: ntile sizes, ties broken by id, fewer customers than bins", "[rfm]") {
  // SQLite NTILE(5) over (10,20,20,20,30,40,50) ordered by value then id: (1,1,2,2,3,4,5).
  std::vector<RfmMeasures> m;
  double values[] = {10, 20, 20, 20, 30, 40, 50};
  for (int i = 0; i < 7; ++i) m.push_back(RfmMeasures{i + 1, 0, 1, values[i]});
  auto s = score_rfm(m);
  std::vector<int> ms;
  for (auto& x : s) ms.push_back(x.m);
  CHECK(ms == std::vector<int>{1, 1, 2, 2, 3, 4, 5});
  // Recency reversed: low days -> 5.
  for (int i = 0; i < 7; ++i) m[static_cast<std::size_t>(i)].recency_days = i;
  s = score_rfm(m);
  CHECK(s[0].r == 5);
  CHECK(s[6].r == 1);
  // Three customers, five bins: 1..3 (and recency 5..3).
  std::vector<RfmMeasures> few{{1, 9, 1, 5.0}, {2, 1, 2, 1.0}, {3, 5, 3, 3.0}};
  s = score_rfm(few);
  CHECK(s[0].m == 3);
  CHECK(s[1].m == 1);
  CHECK(s[2].m == 2);
  CHECK(s[1].r == 5);
  CHECK(s[0].r == 3);
  CHECK(score_rfm({}).empty());
}

TEST_CASE("rfm scores: all values equal", "[rfm]") {
  std::vector<RfmMeasures> m;
  for (int i = 0; i < 10; ++i) m.push_back(RfmMeasures{i + 1, 30, 2, 50.0});
  RfmScoring q;
  q.method = RfmMethod::quantile;
  for (auto& s : score_rfm(m, q)) {  // R package: everybody F = M = 1 and R = 5
    CHECK(s.r == 5);
    CHECK(s.f == 1);
    CHECK(s.m == 1);
  }
  auto nt = score_rfm(m);  // NTILE: 1..5 by the id tie-break
  CHECK(nt[0].m == 1);
  CHECK(nt[9].m == 5);
  CHECK(nt[0].r == 5);
  RfmScoring qc;
  qc.method = RfmMethod::qcut;  // duplicate edges -> rank order, as ntile here
  auto qs = score_rfm(m, qc);
  CHECK(qs[0].f == 1);
  CHECK(qs[9].f == 5);
  auto one = score_rfm({RfmMeasures{1, 3, 1, 1.0}}, qc);
  CHECK(one[0].f == 1);
  CHECK(one[0].r == 5);
}

TEST_CASE("rfm scores: custom cut points and bad scoring input", "[rfm]") {
  std::vector<RfmMeasures> m{{1, 10, 1, 5.0}, {2, 100, 3, 50.0}, {3, 400, 10, 500.0}};
  RfmScoring c;
  c.method = RfmMethod::custom;
  c.cuts.recency = {30, 180};        // <30 -> 3, <180 -> 2, else 1
  c.cuts.frequency = {2, 5};         // 1 -> 1, 2..4 -> 2, >=5 -> 3
  c.cuts.monetary = {10, 100, 1000}; // 4 levels
  auto s = score_rfm(m, c);
  CHECK(s[0].r == 3);
  CHECK(s[1].r == 2);
  CHECK(s[2].r == 1);
  CHECK(s[0].f == 1);
  CHECK(s[1].f == 2);
  CHECK(s[2].f == 3);
  CHECK(s[0].m == 1);
  CHECK(s[1].m == 2);
  CHECK(s[2].m == 3);
  c.cuts.frequency = {5, 2};
  check_error([&] { score_rfm(m, c); }, Errc::invalid_argument, "frequency cut points");
  c.cuts.frequency = {2, std::nan("")};
  CHECK_THROWS_AS(score_rfm(m, c), Error);
  RfmScoring bad;
  bad.bins = 0;
  CHECK_THROWS_AS(score_rfm(m, bad), Error);
  bad.bins = 10;
  CHECK_THROWS_AS(score_rfm(m, bad), Error);
  m[0].monetary = std::nan("");
  CHECK_THROWS_AS(score_rfm(m), Error);
  CHECK(parse_rfm_method("quantile") == RfmMethod::quantile);
  CHECK_THROWS_AS(parse_rfm_method("deciles"), Error);
}

TEST_CASE("rfm on the R package sample: measures and scores match rfm 0.3.0", "[rfm][oracle]") {
  if (!have_rfm_data()) return;
  const auto& s = sample();
  auto measures = rfm_measures(s.purchases, analysis_date());
  REQUIRE(measures.size() == 995);
  RfmScoring q;
  q.method = RfmMethod::quantile;
  auto scores = score_rfm(measures, q);
  auto expected = oracle("oracle_rfm_scores_r_rfm_0.3.0.csv");
  REQUIRE(expected.size() == 995);
  int mismatches = 0;
  for (std::size_t i = 0; i < measures.size(); ++i) {
    const auto& row = expected.at(s.names[static_cast<std::size_t>(measures[i].customer_id - 1)]);
    // customer_id, recency_days, transaction_count, amount, R, F, M, rfm_score
    bool ok = measures[i].recency_days == std::stoll(row[1]) && measures[i].frequency == std::stoll(row[2]) &&
              measures[i].monetary == std::stod(row[3]) && scores[i].r == std::stoi(row[4]) &&
              scores[i].f == std::stoi(row[5]) && scores[i].m == std::stoi(row[6]) &&
              scores[i].combined() == std::stoi(row[7]);
    if (!ok) ++mismatches;
  }
  CHECK(mismatches == 0);
  // The package's thresholds on this sample (METRICS.md 1.2(a)).
  std::vector<double> rec, fr, mo;
  for (auto& m : measures) {
    rec.push_back(static_cast<double>(m.recency_days));
    fr.push_back(static_cast<double>(m.frequency));
    mo.push_back(m.monetary);
  }
  auto rc = rfm_quantile_cuts(rec, 5);
  REQUIRE(rc.size() == 4);
  CHECK(rc[0] == 115);
  CHECK(rc[1] == 181);
  CHECK(rc[2] == Approx(297.4).epsilon(1e-12));
  CHECK(rc[3] == 482);
  CHECK(rfm_quantile_cuts(fr, 5) == std::vector<double>{4, 5, 6, 8});
  auto mc = rfm_quantile_cuts(mo, 5);
  CHECK(mc[0] == Approx(255.8));
  CHECK(mc[1] == 382);
  CHECK(mc[2] == Approx(506.4));
  CHECK(mc[3] == 666);
  // Frequency counts per score on the sample: 268/187/176/244/120.
  int counts[6] = {0};
  for (auto& x : scores) counts[x.f]++;
  CHECK(counts[1] == 268);
  CHECK(counts[2] == 187);
  CHECK(counts[3] == 176);
  CHECK(counts[4] == 244);
  CHECK(counts[5] == 120);
}

TEST_CASE("rfm on the R package sample: both R rule sets match rfm_segment", "[rfm][oracle]") {
  if (!have_rfm_data()) return;
  const auto& s = sample();
  auto measures = rfm_measures(s.purchases, analysis_date());
  RfmScoring q;
  q.method = RfmMethod::quantile;
  auto scores = score_rfm(measures, q);
  auto expected = oracle("oracle_rfm_segments_r_rfm_0.3.0.csv");
  const auto& readme = builtin_segment_map("rfm_readme");
  const auto& tests = builtin_segment_map("rfm_tests");
  analytics::CompiledSegmentMap compiled(tests);
  std::vector<std::string> seg_readme, seg_tests;
  int bad_readme = 0, bad_tests = 0, bad_compiled = 0;
  for (std::size_t i = 0; i < measures.size(); ++i) {
    const auto& row = expected.at(s.names[static_cast<std::size_t>(measures[i].customer_id - 1)]);
    seg_readme.push_back(assign_segment(readme, scores[i]));
    seg_tests.push_back(assign_segment(tests, scores[i]));
    if (seg_readme.back() != row[1]) ++bad_readme;
    if (seg_tests.back() != row[2]) ++bad_tests;
    if (compiled.name(scores[i]) != row[2]) ++bad_compiled;
  }
  CHECK(bad_readme == 0);
  CHECK(bad_tests == 0);
  CHECK(bad_compiled == 0);
  // The package's own test: Champions = 158 customers, 1,234 orders, revenue 120,178.
  auto sum_tests = summarize_segments(measures, seg_tests);
  auto find = [](const std::vector<SegmentSummary>& v, const std::string& n) {
    for (auto& x : v)
      if (x.segment == n) return x;
    return SegmentSummary{};
  };
  auto champions = find(sum_tests, "Champions");
  CHECK(champions.customers == 158);
  CHECK(champions.orders == 1234);
  CHECK(champions.revenue == 120178);
  // README set summary (customers/orders/revenue).
  auto sum = summarize_segments(measures, seg_readme);
  struct Row { const char* n; std::int64_t c, o; double r; };
  const Row rows[] = {{"Potential Loyalist", 342, 2211, 204856}, {"Loyal Customers", 170, 799, 76562},
                      {"Lost", 148, 393, 35324},                 {"New Customers", 104, 329, 28837},
                      {"About To Sleep", 102, 283, 23449},       {"Can't Lose Them", 47, 274, 32446},
                      {"Champions", 35, 316, 31646},             {"At Risk", 28, 216, 22227},
                      {"Need Attention", 10, 57, 4562},          {"Promising", 9, 28, 4249}};
  REQUIRE(sum.size() == 10);
  for (std::size_t i = 0; i < 10; ++i) {
    INFO(rows[i].n);
    CHECK(sum[i].segment == rows[i].n);  // ordered by size, as the summary lists them
    CHECK(sum[i].customers == rows[i].c);
    CHECK(sum[i].orders == rows[i].o);
    CHECK(sum[i].revenue == rows[i].r);
  }
}

TEST_CASE("rfm on the R package sample: qcut, NTILE, RF grid and R-vs-FM match the python/SQLite oracle",
          "[rfm][oracle]") {
  if (!have_rfm_data()) return;
  const auto& s = sample();
  auto measures = rfm_measures(s.purchases, analysis_date());
  auto nt = score_rfm(measures);  // default: ntile
  RfmScoring qc;
  qc.method = RfmMethod::qcut;
  auto qs = score_rfm(measures, qc);
  auto expected = oracle("oracle_rfm_python_sqlite_variants.csv");
  const auto& grid = builtin_segment_map("rf_grid");
  const auto& b = builtin_segment_map("r_vs_fm");
  // customer_id,recency,frequency,monetary,R_qcut,F_qcut_rankfirst,M_qcut,segment_RF_regex,
  // R_ntile,F_ntile,M_ntile,segment_R_vs_FMavg
  int bad[8] = {0};
  for (std::size_t i = 0; i < measures.size(); ++i) {
    const auto& row = expected.at(s.names[static_cast<std::size_t>(measures[i].customer_id - 1)]);
    if (measures[i].recency_days != std::stoll(row[1]) || measures[i].frequency != std::stoll(row[2]) ||
        measures[i].monetary != std::stod(row[3]))
      ++bad[0];
    if (qs[i].r != std::stoi(row[4])) ++bad[1];
    if (qs[i].f != std::stoi(row[5])) ++bad[2];
    if (qs[i].m != std::stoi(row[6])) ++bad[3];
    if (assign_segment(grid, qs[i]) != row[7]) ++bad[4];
    if (nt[i].r != std::stoi(row[8]) || nt[i].f != std::stoi(row[9]) || nt[i].m != std::stoi(row[10])) ++bad[5];
    if (assign_segment(b, nt[i]) != row[11]) ++bad[6];
  }
  for (int k = 0; k < 7; ++k) {
    INFO("column group " << k);
    CHECK(bad[k] == 0);
  }
}

TEST_CASE("segment maps: built-ins are complete where documented", "[rfm][maps]") {
  const auto& c = builtin_segment_map("rfm_cells");
  CHECK(c.cells.size() == 125);
  // The RF grid is a complete partition of the 25 (R, F) cells.
  const auto& grid = builtin_segment_map("rf_grid");
  for (int r = 1; r <= 5; ++r)
    for (int f = 1; f <= 5; ++f) CHECK(assign_segment(grid, RfmScore{r, f, 3}) != "Others");
  CHECK(assign_segment(grid, RfmScore{5, 5, 1}) == "Champions");
  CHECK(assign_segment(grid, RfmScore{1, 5, 1}) == "Can't Lose Them");
  CHECK(assign_segment(c, RfmScore{2, 3, 1}) == "About To Sleep");
  CHECK(assign_segment(c, RfmScore{1, 1, 1}) == "Lost");
  // Map B: four segments can never be assigned with scores >= 1.
  const auto& b = builtin_segment_map("r_vs_fm");
  std::set<std::string> seen;
  for (int r = 1; r <= 5; ++r)
    for (int f = 1; f <= 5; ++f)
      for (int m = 1; m <= 5; ++m) seen.insert(assign_segment(b, RfmScore{r, f, m}));
  CHECK(seen.size() == 7);
  CHECK(seen.count("Lost") == 0);
  check_error([] { builtin_segment_map("nope"); }, Errc::not_found, "rf_grid");
}

TEST_CASE("segment maps: custom JSON maps, round trip and malformed input", "[rfm][maps]") {
  auto m = parse_segment_map(R"([{"name":"Top","r":[4,5],"f":[4,5]},{"name":"Rest","r":[1,5]}])");
  CHECK_THAT(m.name, Catch::StartsWith("custom-"));  // named by content
  CHECK(parse_segment_map(R"([{"name":"Top","r":[4,5],"f":[4,5]},{"name":"Rest","r":[1,5]}])").name == m.name);
  CHECK(parse_segment_map(R"([{"name":"Top","r":[3,5],"f":[4,5]},{"name":"Rest","r":[1,5]}])").name != m.name);
  CHECK(m.rules.size() == 2);
  CHECK(assign_segment(m, RfmScore{5, 4, 1}) == "Top");
  CHECK(assign_segment(m, RfmScore{3, 4, 1}) == "Rest");
  CHECK(assign_segment(m, RfmScore{6, 4, 1}) == "Others");
  auto obj = parse_segment_map(R"({"name":"mine","version":3,"unmatched":"Unknown",
                                   "rules":[{"name":"A","m":5}]})");
  CHECK(obj.version == 3);
  CHECK(assign_segment(obj, RfmScore{1, 1, 4}) == "Unknown");
  CHECK(assign_segment(obj, RfmScore{1, 1, 5}) == "A");
  auto cells = parse_segment_map(R"({"name":"t","cells":{"Best":["555",554],"Worst":["111"]}})");
  CHECK(assign_segment(cells, RfmScore{5, 5, 4}) == "Best");
  CHECK(assign_segment(cells, RfmScore{2, 2, 2}) == "Others");
  // Every built-in survives a JSON round trip with the same assignments.
  for (const auto& b : builtin_segment_maps()) {
    auto again = parse_segment_map(to_json(b));
    CHECK(again.name == b.name);
    for (int r = 1; r <= 5; ++r)
      for (int f = 1; f <= 5; ++f)
        for (int x = 1; x <= 5; ++x)
          CHECK(assign_segment(again, RfmScore{r, f, x}) == assign_segment(b, RfmScore{r, f, x}));
  }
  auto bad = [](const std::string& json, const std::string& needle) {
    INFO(json);
    try {
      parse_segment_map(json);
      FAIL("accepted");
    } catch (const Error& e) {
      CHECK(e.code() == Errc::invalid_argument);
      CHECK_THAT(e.what(), Catch::Contains(needle));
    }
  };
  bad("{", "malformed JSON");
  bad("[]", "no rules and no cells");
  bad(R"([{"r":[1,2]}])", "rule 1 has no name");
  bad(R"([{"name":"x","r":[3,2]}])", "lo 3 > hi 2");
  bad(R"([{"name":"x","r":[1]}])", "[lo, hi]");
  bad(R"([{"name":"x","q":[1,2]}])", "unknown field 'q'");
  bad(R"({"cells":{"A":["55"]}})", "three digits");
  bad(R"({"cells":{"A":["555"],"B":["555"]}})", "listed twice");
  bad(R"({"cells":{"A":["505"]}})", "outside 1..9");
  bad(R"({"rules":[{"name":"a"}],"cells":{"A":["555"]}})", "both rules and cells");
  bad(R"({"version":0,"rules":[{"name":"a"}]})", "version");
  bad("42", "array of rules");
}
