// R rfm's entry points on plain data (rfm_table_order, rfm_table_customer, rfm_segment with
// bound lists, rfm_segment_summary per currency), checked against the R package's outputs
// (shared data, rfm/) and on small hand-made cases.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <fstream>
#include <limits>
#include <map>
#include <string>
#include <vector>

#include "crmkit/error.hpp"
#include "crmkit/rfm.hpp"
#include "crmkit/time.hpp"
#include "value_test_data.hpp"
#include "test_paths.hpp"  // CRMKIT_SHARED_DATA, CRMKIT_CLI, CRMKIT_CHILD (generated)

using namespace crmkit;

namespace {

const std::string kDir = std::string(CRMKIT_SHARED_DATA) + "/rfm/";

bool have_data() {
  std::ifstream f(kDir + "rfm_data_orders.csv");
  if (f.good()) return true;
  WARN("skipped: " << kDir << " not found (shared reference data of the R package rfm)");
  return false;
}

// Names -> ids in byte order; orders as R reads them; the R table by name.
struct RSample {
  std::map<std::string, std::int64_t> id;
  std::vector<std::string> name;  // index id - 1
  std::vector<RfmPurchase> orders;
  std::map<std::string, std::vector<std::string>> scores, segments;
};

const RSample& r_sample() {
  static const RSample s = [] {
    RSample s;
    auto rows = test_csv::read(kDir + "rfm_data_orders.csv");
    for (std::size_t i = 1; i < rows.size(); ++i) s.name.push_back(rows[i][0]);
    std::sort(s.name.begin(), s.name.end());
    s.name.erase(std::unique(s.name.begin(), s.name.end()), s.name.end());
    for (std::size_t i = 0; i < s.name.size(); ++i) s.id[s.name[i]] = static_cast<std::int64_t>(i + 1);
    for (std::size_t i = 1; i < rows.size(); ++i)
      s.orders.push_back({s.id.at(rows[i][0]), start_of_day(parse_date(rows[i][1])), std::stod(rows[i][2])});
    auto sc = test_csv::read(kDir + "oracle_rfm_scores_r_rfm_0.3.0.csv");
    for (std::size_t i = 1; i < sc.size(); ++i) s.scores[sc[i][0]] = sc[i];
    auto sg = test_csv::read(kDir + "oracle_rfm_segments_r_rfm_0.3.0.csv");
    for (std::size_t i = 1; i < sg.size(); ++i) s.segments[sg[i][0]] = sg[i];
    return s;
  }();
  return s;
}

// R's analysis_date 2006-12-31: its end.
Instant analysis_end() { return end_of_day(parse_date("2006-12-31")); }

RfmScoring r_defaults() { return RfmScoring{RfmMethod::quantile, 5, {}}; }

// Mismatches of a table against the R table (recency, count, amount, R, F, M, rfm_score).
int mismatches(const std::vector<RfmTableRow>& rows) {
  const auto& s = r_sample();
  int bad = 0;
  for (const auto& x : rows) {
    const auto& o = s.scores.at(s.name.at(static_cast<std::size_t>(x.measures.customer_id - 1)));
    if (x.measures.recency_days != std::stoll(o[1]) || x.measures.frequency != std::stoll(o[2]) ||
        x.measures.monetary != std::stod(o[3]) || x.score.r != std::stoi(o[4]) || x.score.f != std::stoi(o[5]) ||
        x.score.m != std::stoi(o[6]) || x.score.combined() != std::stoi(o[7]))
      ++bad;
  }
  return bad;
}

// The README rule set of R rfm_segment, as the bound lists R takes.
const std::vector<std::string> kNames{"Champions",      "Potential Loyalist", "Loyal Customers", "Promising",
                                      "New Customers",  "Can't Lose Them",    "At Risk",         "Need Attention",
                                      "About To Sleep", "Lost"};
std::vector<ScoreRange> bounds(std::vector<double> lo, std::vector<double> hi) {
  std::vector<ScoreRange> out;
  for (std::size_t i = 0; i < lo.size(); ++i) out.push_back(ScoreRange{lo[i], hi[i]});
  return out;
}
SegmentMap readme_rules() {
  return rfm_segment_rules(kNames, bounds({5, 3, 2, 3, 4, 1, 1, 1, 2, 1}, {5, 5, 4, 4, 5, 2, 2, 3, 3, 1}),
                           bounds({5, 3, 2, 1, 1, 3, 2, 3, 1, 1}, {5, 5, 4, 3, 3, 4, 5, 5, 3, 5}),
                           bounds({5, 2, 2, 3, 1, 4, 4, 3, 1, 1}, {5, 5, 4, 5, 5, 5, 5, 5, 4, 5}));
}

}  // namespace

TEST_CASE("rfm_table_orders equals R rfm_table_order on the package sample", "[rfm][plain][oracle]") {
  if (!have_data()) return;
  const auto rows = rfm_table_orders(r_sample().orders, analysis_end(), r_defaults());
  REQUIRE(rows.size() == 995);
  CHECK(std::is_sorted(rows.begin(), rows.end(), [](const RfmTableRow& a, const RfmTableRow& b) {
    return a.measures.customer_id < b.measures.customer_id;
  }));
  CHECK(mismatches(rows) == 0);
}

TEST_CASE("rfm_table_orders with R's custom thresholds equals R where they are R's own cut points",
          "[rfm][plain][oracle]") {
  if (!have_data()) return;
  // R: recency_bins = c(115, 181, 297.4, 482) etc. are its quantile cut points on this sample,
  // so custom scores must equal the default table exactly.
  RfmScoring custom{RfmMethod::custom, 5, {{115, 181, 297.4, 482}, {4, 5, 6, 8}, {255.8, 382, 506.4, 666}}};
  const auto rows = rfm_table_orders(r_sample().orders, analysis_end(), custom);
  CHECK(mismatches(rows) == 0);
  // And other cut points move customers: everyone at or above 8 orders is F 5, below 4 is F 1.
  RfmScoring two{RfmMethod::custom, 5, {{100}, {5}, {500}}};
  for (const auto& x : rfm_table_orders(r_sample().orders, analysis_end(), two)) {
    CHECK(x.score.r == (x.measures.recency_days >= 100 ? 1 : 2));
    CHECK(x.score.f == (x.measures.frequency >= 5 ? 2 : 1));
    CHECK(x.score.m == (x.measures.monetary >= 500 ? 2 : 1));
  }
}

TEST_CASE("rfm_table_customers on R's aggregated columns equals R rfm_table_customer", "[rfm][plain][oracle]") {
  if (!have_data()) return;
  const auto& s = r_sample();
  std::vector<RfmMeasures> customers;
  // Reversed order: the scores must follow the rows given, not the ids.
  for (auto it = s.scores.rbegin(); it != s.scores.rend(); ++it)
    customers.push_back({s.id.at(it->first), std::stoll(it->second[1]), std::stoll(it->second[2]), std::stod(it->second[3])});
  const auto rows = rfm_table_customers(customers, r_defaults());
  REQUIRE(rows.size() == 995);
  CHECK(rows.front().measures.customer_id == customers.front().customer_id);
  CHECK(mismatches(rows) == 0);
}

TEST_CASE("rfm_segment_rules from R's bound lists equals R rfm_segment and its summary", "[rfm][plain][oracle]") {
  if (!have_data()) return;
  const auto& s = r_sample();
  const auto rows = rfm_table_orders(s.orders, analysis_end(), r_defaults());
  const auto map = readme_rules();
  std::vector<std::string> seg;
  std::vector<std::int64_t> orders;
  std::vector<double> revenue;
  int bad = 0;
  for (const auto& x : rows) {
    seg.push_back(assign_segment(map, x.score));
    const int i = rfm_segment_index(map, x.score);
    CHECK((i < 0 ? std::string("Others") : kNames[static_cast<std::size_t>(i)]) == seg.back());
    if (seg.back() != s.segments.at(s.name[static_cast<std::size_t>(x.measures.customer_id - 1)])[1]) ++bad;
    orders.push_back(x.measures.frequency);
    revenue.push_back(x.measures.monetary);
  }
  CHECK(bad == 0);
  // R rfm_segment_summary of the README set: customers, orders, revenue; aov = revenue / orders.
  const auto sum = summarize_segment_shares(seg, orders, revenue, {});
  struct Row { const char* n; std::int64_t c, o; double r; };
  const Row expected[] = {{"Potential Loyalist", 342, 2211, 204856}, {"Loyal Customers", 170, 799, 76562},
                          {"Lost", 148, 393, 35324},                 {"New Customers", 104, 329, 28837},
                          {"About To Sleep", 102, 283, 23449},       {"Can't Lose Them", 47, 274, 32446},
                          {"Champions", 35, 316, 31646},             {"At Risk", 28, 216, 22227},
                          {"Need Attention", 10, 57, 4562},          {"Promising", 9, 28, 4249}};
  REQUIRE(sum.size() == 10);
  double total_revenue = 0;
  for (const auto& e : expected) total_revenue += e.r;
  for (std::size_t i = 0; i < 10; ++i) {
    INFO(expected[i].n);
    CHECK(sum[i].currency.empty());
    CHECK(sum[i].segment == expected[i].n);
    CHECK(sum[i].customers == expected[i].c);
    CHECK(sum[i].orders == expected[i].o);
    CHECK(sum[i].revenue == expected[i].r);
    CHECK(sum[i].average_order_value == Approx(expected[i].r / static_cast<double>(expected[i].o)).epsilon(1e-15));
    CHECK(sum[i].customer_share == Approx(expected[i].c / 995.0).epsilon(1e-15));
    CHECK(sum[i].order_share == Approx(expected[i].o / 4906.0).epsilon(1e-15));
    CHECK(sum[i].revenue_share == Approx(expected[i].r / total_revenue).epsilon(1e-15));
  }
}

TEST_CASE("rfm_segment_rules: first match wins, Others otherwise, a rule named Others is told apart", "[rfm][plain]") {
  const auto map = rfm_segment_rules({"Top", "Any R5", "Others"}, bounds({5, 5, 1}, {5, 5, 1}),
                                     bounds({5, 1, 1}, {5, 5, 5}), bounds({4, 1, 1}, {5, 5, 5}));
  CHECK(rfm_segment_index(map, {5, 5, 5}) == 0);  // both the first and second hold: the first
  CHECK(assign_segment(map, {5, 5, 5}) == "Top");
  CHECK(rfm_segment_index(map, {5, 5, 3}) == 1);
  CHECK(rfm_segment_index(map, {1, 2, 2}) == 2);  // the rule named Others
  CHECK(rfm_segment_index(map, {3, 3, 3}) == -1);  // no rule: unmatched
  CHECK(assign_segment(map, {3, 3, 3}) == "Others");
}

TEST_CASE("rfm_segment_summary per currency never mixes currencies", "[rfm][plain]") {
  const auto sum = summarize_segment_shares({"A", "A", "B", "A", "B"}, {2, 3, 1, 4, 0}, {20, 30, 5, 1000, 0},
                                            {"USD", "USD", "USD", "EUR", "EUR"});
  REQUIRE(sum.size() == 4);
  CHECK(sum[0].currency == "EUR");  // by currency, then customers descending, then name
  CHECK(sum[0].segment == "A");
  CHECK(sum[0].revenue == 1000);
  CHECK(sum[0].customer_share == 0.5);
  CHECK(sum[0].order_share == 1.0);
  CHECK(sum[0].revenue_share == 1.0);
  CHECK(sum[1].currency == "EUR");
  CHECK(sum[1].segment == "B");
  CHECK(sum[1].average_order_value == 0);  // no orders: 0, not NaN
  CHECK(sum[2].currency == "USD");
  CHECK(sum[2].segment == "A");
  CHECK(sum[2].customers == 2);
  CHECK(sum[2].orders == 5);
  CHECK(sum[2].revenue == 50);
  CHECK(sum[2].average_order_value == 10);
  CHECK(sum[2].customer_share == Approx(2.0 / 3));
  CHECK(sum[2].order_share == Approx(5.0 / 6));
  CHECK(sum[2].revenue_share == Approx(50.0 / 55));
  CHECK(sum[3].segment == "B");
  CHECK(sum[3].revenue == 5);
}

TEST_CASE("rfm plain entry points refuse bad input naming the problem", "[rfm][plain]") {
  const Instant as_of = end_of_day(parse_date("2024-01-31"));
  const double nan = std::numeric_limits<double>::quiet_NaN();
  const RfmScoring q = r_defaults();
  check_error([&] { rfm_table_orders({{1, 0, 5}, {2, 0, nan}}, as_of, q); }, Errc::invalid_argument,
              "order row 2 (customer 2): revenue is not a finite number");
  check_error([&] { rfm_table_customers({{1, 3, -1, 5}}, q); }, Errc::invalid_argument,
              "customer row 1 (customer 1): number of orders is negative");
  check_error([&] { rfm_table_customers({{1, -3, 1, 5}}, q); }, Errc::invalid_argument, "recency days are negative");
  check_error([&] { rfm_table_customers({{1, 3, 1, INFINITY}}, q); }, Errc::invalid_argument,
              "revenue is not a finite number");
  check_error([&] { rfm_table_customers({{1, 3, 1, 5}, {1, 4, 1, 5}}, q); }, Errc::invalid_argument,
              "customer row 2 (customer 1): customer id given twice");
  RfmScoring unsorted{RfmMethod::custom, 5, {{10, 5}, {}, {}}};
  check_error([&] { rfm_table_customers({{1, 3, 1, 5}}, unsorted); }, Errc::invalid_argument,
              "recency cut points must be strictly ascending (10 then 5)");
  check_error([&] { rfm_table_orders({}, as_of, RfmScoring{RfmMethod::quantile, 10, {}}); }, Errc::invalid_argument,
              "bins 10 is out of range 1..9");
  check_error([&] { rfm_segment_rules({"A", "B"}, bounds({1}, {5}), bounds({1}, {5}), bounds({1}, {5})); },
              Errc::invalid_argument, "2 segment names but 1 recency, 1 frequency and 1 monetary ranges");
  check_error([&] { rfm_segment_rules({"A"}, bounds({4}, {2}), bounds({1}, {5}), bounds({1}, {5})); },
              Errc::invalid_argument, "rule 1 ('A') has a range with lo 4 > hi 2");
  check_error([&] { rfm_segment_rules({""}, bounds({1}, {2}), bounds({1}, {5}), bounds({1}, {5})); },
              Errc::invalid_argument, "rule 1 has an empty name");
  check_error([&] { summarize_segment_shares({"A"}, {-1}, {1}, {}); }, Errc::invalid_argument,
              "segment summary row 1: number of orders is negative");
  check_error([&] { summarize_segment_shares({"A"}, {1}, {nan}, {}); }, Errc::invalid_argument,
              "segment summary row 1: revenue is not a finite number");
  check_error([&] { summarize_segment_shares({"A"}, {1}, {1}, {"USD", "EUR"}); }, Errc::invalid_argument,
              "1 segments but 1 orders, 1 revenues and 2 currencies");
  // Empty in, empty out.
  CHECK(rfm_table_orders({}, as_of, q).empty());
  CHECK(rfm_table_customers({}, q).empty());
  CHECK(summarize_segment_shares({}, {}, {}, {}).empty());
}
