// The chart calls: owned SVG text, the options handle, NULL and count checks, refusals that
// name the value, and out_svg NULL after every failure.
#include <cmath>
#include <limits>
#include <string>
#include <vector>

#include "core_fixture.hpp"

namespace {

const double kCdnow[4] = {0.243, 4.414, 0.793, 2.426};  // BG/NBD on CDNOW, weeks
constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

std::size_t count(const std::string& s, const std::string& needle) {
  std::size_t n = 0;
  for (auto p = s.find(needle); p != std::string::npos; p = s.find(needle, p + 1)) ++n;
  return n;
}

// A failed call: the status, out_svg NULL, and the message naming the problem.
template <class F>
void refused(F&& call, int status, const char* needle) {
  char* out = reinterpret_cast<char*>(1);
  CHECK(call(&out) == status);
  CHECK(out == nullptr);
  INFO(crmkit_last_error_message());
  CHECK(message_has(needle));
}

}  // namespace

TEST_CASE("plot: CLV matrices from a named model and its parameters", "[capi][plot]") {
  char* out = nullptr;
  REQUIRE(crmkit_plot_expected_purchases_matrix(&out, "bg_nbd", kCdnow, 39, 10, 20, "week", nullptr) ==
          CRMKIT_OK);
  const std::string svg = take(out);
  CHECK(svg.rfind("<svg xmlns=\"http://www.w3.org/2000/svg\"", 0) == 0);
  CHECK(count(svg, "class=\"cell\"") + count(svg, "class=\"cell-missing\"") == 11 * 21);
  CHECK(svg.find("t_x (weeks)") != std::string::npos);

  REQUIRE(crmkit_plot_p_alive_matrix(&out, "pareto_nbd", kCdnow, 5, 10, "day", nullptr) == CRMKIT_OK);
  CHECK(take(out).find("Probability that a customer is alive") != std::string::npos);

  refused(
      [](char** o) { return crmkit_plot_p_alive_matrix(o, "bg_nbd", kCdnow, 5, 10, "fortnight", nullptr); },
      CRMKIT_EINVALID, "fortnight");
  refused([](char** o) { return crmkit_plot_p_alive_matrix(o, "gamma", kCdnow, 5, 10, "day", nullptr); },
          CRMKIT_EINVALID, "gamma");
  refused([](char** o) { return crmkit_plot_p_alive_matrix(o, "bg_nbd", nullptr, 5, 10, "day", nullptr); },
          CRMKIT_EINVALID, "params is NULL");
  const double bad[4] = {0.243, kNaN, 0.793, 2.426};
  refused([&](char** o) { return crmkit_plot_p_alive_matrix(o, "bg_nbd", bad, 5, 10, "day", nullptr); },
          CRMKIT_EINVALID, "alpha");
  refused(
      [](char** o) {
        return crmkit_plot_expected_purchases_matrix(o, "bg_nbd", kCdnow, kNaN, 5, 10, "day", nullptr);
      },
      CRMKIT_EINVALID, "horizon is NaN");
  CHECK(crmkit_plot_p_alive_matrix(nullptr, "bg_nbd", kCdnow, 5, 10, "day", nullptr) == CRMKIT_EINVALID);
  CHECK(message_has("out_svg is NULL"));
}

TEST_CASE("plot: the options handle sets size and title, checked by the chart", "[capi][plot]") {
  crmkit_plot_options* o = nullptr;
  REQUIRE(crmkit_plot_options_new(&o) == CRMKIT_OK);
  REQUIRE(crmkit_plot_options_set_size(o, 900, 500) == CRMKIT_OK);
  REQUIRE(crmkit_plot_options_set_title(o, "Q3 <segments> & more") == CRMKIT_OK);
  const char* names[] = {"Champions", "Lost"};
  const int64_t customers[] = {12, 30};
  char* out = nullptr;
  REQUIRE(crmkit_plot_segment_bars(&out, names, customers, 2, o) == CRMKIT_OK);
  const std::string svg = take(out);
  CHECK(svg.find("width=\"900\" height=\"500\"") != std::string::npos);
  CHECK(svg.find("<title>Q3 &lt;segments&gt; &amp; more</title>") != std::string::npos);
  CHECK(count(svg, "class=\"bar\"") == 2);

  REQUIRE(crmkit_plot_options_set_size(o, 100, 500) == CRMKIT_OK);  // checked where it is used
  refused([&](char** p) { return crmkit_plot_segment_bars(p, names, customers, 2, o); }, CRMKIT_EINVALID,
          "options.width 100 is outside 240..4000");
  REQUIRE(crmkit_plot_options_set_size(o, 720, 440) == CRMKIT_OK);
  CHECK(crmkit_plot_options_set_title(o, "\xff") == CRMKIT_EINVALID);
  REQUIRE(crmkit_plot_options_set_title(o, nullptr) == CRMKIT_OK);  // back to the chart's own
  REQUIRE(crmkit_plot_options_set_period(o, "2024") == CRMKIT_OK);
  REQUIRE(crmkit_plot_segment_bars(&out, names, customers, 2, o) == CRMKIT_OK);
  const std::string own = take(out);
  CHECK(own.find("<title>Customers per RFM segment</title>") != std::string::npos);
  CHECK(own.find("Period: 2024.") != std::string::npos);
  CHECK(crmkit_plot_options_set_size(nullptr, 1, 1) == CRMKIT_EINVALID);
  crmkit_plot_options_free(o);
  crmkit_plot_options_free(nullptr);
}

TEST_CASE("plot: calibration vs holdout and purchases over time from arrays", "[capi][plot]") {
  const double freq[] = {0, 1, 1, 2, 3};
  double actual[] = {0, 1, 2, 2, 4};
  const double predicted[] = {0.1, 0.8, 0.8, 1.7, 2.5};
  char* out = nullptr;
  REQUIRE(crmkit_plot_calibration_holdout(&out, freq, actual, predicted, 5, 39, "week", 7, nullptr) ==
          CRMKIT_OK);
  const std::string svg = take(out);
  CHECK(count(svg, "class=\"series\"") == 2);
  CHECK(count(svg, "class=\"dot\"") == 8);

  actual[2] = kNaN;
  refused(
      [&](char** o) {
        return crmkit_plot_calibration_holdout(o, freq, actual, predicted, 5, 39, "week", 7, nullptr);
      },
      CRMKIT_EINVALID, "actual_holdout[2] is NaN");
  actual[2] = std::numeric_limits<double>::infinity();
  refused(
      [&](char** o) {
        return crmkit_plot_calibration_holdout(o, freq, actual, predicted, 5, 39, "week", 7, nullptr);
      },
      CRMKIT_EINVALID, "actual_holdout[2] is +infinite");
  refused(
      [&](char** o) {
        return crmkit_plot_calibration_holdout(o, freq, nullptr, predicted, 5, 39, "week", 7, nullptr);
      },
      CRMKIT_EINVALID, "actual_holdout is NULL");
  refused(
      [&](char** o) {
        return crmkit_plot_calibration_holdout(o, freq, actual, predicted, -1, 39, "week", 7, nullptr);
      },
      CRMKIT_EINVALID, "count -1 is negative");

  const double t[] = {1, 2, 3}, a[] = {5, 6, 7}, e[] = {5.5, 6, 6.5};
  REQUIRE(crmkit_plot_repeat_purchases(&out, t, a, e, 3, 2, 1, "week", nullptr) == CRMKIT_OK);
  CHECK(take(out).find("Cumulative") != std::string::npos);
  refused([&](char** o) { return crmkit_plot_repeat_purchases(o, t, a, e, 3, 2, 2, "week", nullptr); },
          CRMKIT_EINVALID, "cumulative 2 must be 0 or 1");

  const double purchases[] = {0, 3, 7};
  REQUIRE(crmkit_plot_p_alive_history(&out, "bg_nbd", kCdnow, purchases, 3, 40, "week", nullptr) ==
          CRMKIT_OK);
  CHECK(count(take(out), "class=\"rug-tick\"") == 3);
  refused(
      [&](char** o) {
        return crmkit_plot_p_alive_history(o, "bg_nbd", kCdnow, purchases, 0, 40, "week", nullptr);
      },
      CRMKIT_EINVALID, "purchase_times is empty");
}

TEST_CASE("plot: RFM heatmap, histogram and scatter from columns", "[capi][plot]") {
  std::vector<int> r, f;
  std::vector<double> money, recency, frequency;
  for (int i = 0; i < 200; ++i) {
    r.push_back(1 + i % 5);
    f.push_back(1 + (i / 5) % 4);
    money.push_back(10.0 + i);
    recency.push_back(i % 90);
    frequency.push_back(1 + i % 7);
  }
  char* out = nullptr;
  REQUIRE(crmkit_plot_rfm_heatmap(&out, r.data(), f.data(), money.data(), 200, nullptr) == CRMKIT_OK);
  CHECK(count(take(out), "class=\"cell\"") == 20);
  REQUIRE(crmkit_plot_rfm_histogram(&out, "recency", recency.data(), 200, nullptr) == CRMKIT_OK);
  CHECK(take(out).find("recency (days since the last purchase)") != std::string::npos);
  REQUIRE(crmkit_plot_rfm_scatter(&out, "frequency", frequency.data(), "monetary", money.data(), 200,
                                  nullptr) == CRMKIT_OK);
  CHECK(count(take(out), "class=\"point\"") == 200);

  recency[4] = 2.5;
  refused([&](char** o) { return crmkit_plot_rfm_histogram(o, "recency", recency.data(), 200, nullptr); },
          CRMKIT_EINVALID, "values[4] is not a whole number of days");
  refused([&](char** o) { return crmkit_plot_rfm_histogram(o, "spend", money.data(), 200, nullptr); },
          CRMKIT_EINVALID, "spend");
  refused(
      [&](char** o) {
        return crmkit_plot_rfm_scatter(o, "monetary", money.data(), "monetary", money.data(), 200, nullptr);
      },
      CRMKIT_EINVALID, "two different measures");
  r[7] = 10;
  refused(
      [&](char** o) { return crmkit_plot_rfm_heatmap(o, r.data(), f.data(), money.data(), 200, nullptr); },
      CRMKIT_EINVALID, "scores[7].r = 10 is outside 1..9");
}

TEST_CASE("plot: cohort retention from labels, sizes and a row-major share matrix", "[capi][plot]") {
  const char* cohorts[] = {"2024-01", "2024-02", "2024-03"};
  const int64_t sizes[] = {100, 80, 60};
  const double retention[] = {1, 0.4, 0.3, 1, 0.5, kNaN, 1, kNaN, kNaN};  // unobserved cells unread
  const int observed[] = {3, 2, 1};
  char* out = nullptr;
  REQUIRE(crmkit_plot_cohort_retention(&out, "month", 0, cohorts, sizes, retention, observed, 3, 3,
                                       nullptr) == CRMKIT_OK);
  const std::string svg = take(out);
  CHECK(count(svg, "class=\"cell\"") == 6);
  CHECK(count(svg, "class=\"cell-missing\"") == 3);
  const int too_many[] = {3, 3, 1};
  refused(
      [&](char** o) {
        return crmkit_plot_cohort_retention(o, "month", 0, cohorts, sizes, retention, too_many, 3, 3,
                                            nullptr);
      },
      CRMKIT_EINVALID, "rows[1].retention[2] is NaN");
  const int beyond[] = {4, 2, 1};
  refused(
      [&](char** o) {
        return crmkit_plot_cohort_retention(o, "month", 0, cohorts, sizes, retention, beyond, 3, 3, nullptr);
      },
      CRMKIT_EINVALID, "observed[0] = 4 is outside 0..3");
  refused(
      [&](char** o) {
        return crmkit_plot_cohort_retention(o, "year", 0, cohorts, sizes, retention, observed, 3, 3, nullptr);
      },
      CRMKIT_EINVALID, "year");
}

TEST_CASE("plot: hostile counts and texts are refused before anything is read", "[capi][plot]") {
  const double one[] = {1.0};
  refused([&](char** o) { return crmkit_plot_rfm_histogram(o, "monetary", one, INT64_MAX, nullptr); },
          CRMKIT_EINVALID, "is over the limit of 100000000 values");
  refused([&](char** o) { return crmkit_plot_rfm_histogram(o, "monetary", one, INT64_MIN, nullptr); },
          CRMKIT_EINVALID, "is negative");
  refused([&](char** o) { return crmkit_plot_rfm_histogram(o, "monetary", nullptr, 0, nullptr); },
          CRMKIT_EINVALID, "measures is empty");
  refused([&](char** o) { return crmkit_plot_rfm_histogram(o, nullptr, one, 1, nullptr); }, CRMKIT_EINVALID,
          "measure is NULL");
  const char* names[] = {"ok", nullptr};
  const char* bad_utf8[] = {"ok", "\xc3\x28"};
  const char* markup[] = {"<script>alert(1)</script>", "]]><x/>"};
  const int64_t counts[] = {1, 2};
  refused([&](char** o) { return crmkit_plot_segment_bars(o, names, counts, 2, nullptr); }, CRMKIT_EINVALID,
          "segments[1] is NULL");
  refused([&](char** o) { return crmkit_plot_segment_bars(o, bad_utf8, counts, 2, nullptr); }, CRMKIT_EINVALID,
          "segments[1]");
  char* out = nullptr;
  REQUIRE(crmkit_plot_segment_bars(&out, markup, counts, 2, nullptr) == CRMKIT_OK);  // text, escaped
  const std::string svg = take(out);
  CHECK(svg.find("<script>") == std::string::npos);
  CHECK(svg.find("&lt;script&gt;alert(1)&lt;/script&gt;") != std::string::npos);
  CHECK(svg.find("]]&gt;&lt;x/&gt;") != std::string::npos);
  const double params[4] = {1e308, 1e308, 1e308, 1e308};
  REQUIRE(crmkit_plot_p_alive_matrix(&out, "bg_nbd", params, 3, 5, "week", nullptr) == CRMKIT_OK);
  CHECK(take(out).find("</svg>") != std::string::npos);
}

TEST_CASE("plot: a million values give a bounded document", "[capi][plot]") {
  std::vector<double> x, y;
  for (int i = 0; i < 1'000'000; ++i) {
    x.push_back(i % 365);
    y.push_back(std::fmod(i * 7.31, 1000.0));
  }
  char* out = nullptr;
  REQUIRE(crmkit_plot_rfm_scatter(&out, "recency", x.data(), "monetary", y.data(), 1'000'000, nullptr) ==
          CRMKIT_OK);
  const std::string svg = take(out);
  CHECK(svg.size() < 300'000);
  CHECK(count(svg, "class=\"point\"") == 0);
  REQUIRE(crmkit_plot_rfm_histogram(&out, "monetary", y.data(), 1'000'000, nullptr) == CRMKIT_OK);
  CHECK(take(out).size() < 30'000);
}
