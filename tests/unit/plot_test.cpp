// The SVG charts: well-formed XML whatever the labels, nice ticks, a monotone colour scale,
// heatmaps of rows x columns cells, bounded size for a million customers, and refusals.
#include "crmkit/plot.hpp"

#include <catch2/catch.hpp>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <limits>
#include <random>
#include <string>
#include <vector>

#include "expect_error.hpp"
#include "plots/charts.hpp"
#include "plots/colour.hpp"
#include "plots/svg.hpp"
#include "plots/ticks.hpp"

using namespace crmkit;

namespace {

// A strict enough XML check for what the writer emits: tags nest and close, attribute values
// are quoted without '<', and every '&' starts one of XML's five entities.
std::string xml_problem(const std::string& s) {
  std::vector<std::string> open;
  auto entity_ok = [&](std::size_t i) {
    for (const char* e : {"&lt;", "&gt;", "&amp;", "&quot;", "&apos;"})
      if (s.compare(i, std::strlen(e), e) == 0) return true;
    return false;
  };
  std::size_t i = 0;
  while (i < s.size()) {
    if (s[i] == '&' && !entity_ok(i)) return "bare & at " + std::to_string(i);
    if (s[i] != '<') {
      ++i;
      continue;
    }
    const bool closing = s[i + 1] == '/';
    std::size_t j = i + 1 + closing;
    std::size_t name_end = s.find_first_of(" />\n", j);
    const std::string name = s.substr(j, name_end - j);
    if (name.empty()) return "empty tag name at " + std::to_string(i);
    j = name_end;
    char quote = 0;
    for (; j < s.size(); ++j) {
      if (quote) {
        if (s[j] == '<') return "< inside an attribute at " + std::to_string(j);
        if (s[j] == '&' && !entity_ok(j)) return "bare & in an attribute at " + std::to_string(j);
        if (s[j] == quote) quote = 0;
      } else if (s[j] == '"' || s[j] == '\'') {
        quote = s[j];
      } else if (s[j] == '>') {
        break;
      }
    }
    if (j >= s.size()) return "unterminated tag " + name;
    const bool self_closing = s[j - 1] == '/';
    if (closing) {
      if (open.empty() || open.back() != name)
        return "</" + name + "> closes " + (open.empty() ? "nothing" : open.back());
      open.pop_back();
    } else if (!self_closing) {
      open.push_back(name);
    }
    i = j + 1;
  }
  if (!open.empty()) return "<" + open.back() + "> never closed";
  return "";
}

std::size_t count(const std::string& s, const std::string& needle) {
  std::size_t n = 0;
  for (auto p = s.find(needle); p != std::string::npos; p = s.find(needle, p + 1)) ++n;
  return n;
}

const clv::PurchaseModel kCdnow = clv::BgNbdParams{0.243, 4.414, 0.793, 2.426};  // FHL (2005), weeks

std::vector<RfmMeasures> customers(std::size_t n, unsigned seed = 7) {
  std::mt19937_64 rng(seed);
  std::exponential_distribution<double> spend(0.01);
  std::geometric_distribution<int> orders(0.4);
  std::uniform_int_distribution<int> days(0, 700);
  std::vector<RfmMeasures> out(n);
  for (std::size_t i = 0; i < n; ++i)
    out[i] = {static_cast<std::int64_t>(i + 1), days(rng), 1 + orders(rng), spend(rng)};
  return out;
}

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
constexpr double kInf = std::numeric_limits<double>::infinity();

}  // namespace

TEST_CASE("svg writer escapes every special character in text and attributes", "[plot][svg]") {
  CHECK(plots::escaped("<a & b \"c\" 'd'>") == "&lt;a &amp; b &quot;c&quot; &apos;d&apos;&gt;");
  plots::SvgDocument doc(300, 200, "R&D <\"top\">", "caption & more");
  doc.text(1, 2, "x < y & \"z\"");
  doc.rect(0, 0, 1, 1, "#fff", "cell", "tip <&>");
  const std::string svg = doc.finish();
  CHECK(xml_problem(svg).empty());
  CHECK(svg.find("<title>R&amp;D &lt;&quot;top&quot;&gt;</title>") != std::string::npos);
  CHECK(svg.find("x &lt; y &amp; &quot;z&quot;") != std::string::npos);

  plot::Options o;
  o.title = "Mean <spend> & \"value\"";
  const std::string chart = plot::segment_bars({{"A&B <best>", 3, 0, 0}, {"C\"D'", 1, 0, 0}}, o);
  INFO(xml_problem(chart));
  CHECK(xml_problem(chart).empty());
  CHECK(chart.find("Mean &lt;spend&gt; &amp; &quot;value&quot;") != std::string::npos);
  CHECK(chart.find("A&amp;B &lt;best&gt;") != std::string::npos);
}

TEST_CASE("the xml check itself refuses what a parser refuses", "[plot][svg]") {
  CHECK(!xml_problem("<a><b></a>").empty());
  CHECK(!xml_problem("<a>x & y</a>").empty());
  CHECK(!xml_problem("<a t=\"<\"/>").empty());
  CHECK(xml_problem("<a t=\"&amp;\"><b/>&lt;</a>").empty());
}

TEST_CASE("numbers are compact and never -0", "[plot][svg]") {
  CHECK(plots::number_text(12.0) == "12");
  CHECK(plots::number_text(12.25, 1) == "12.2");  // printf rounding to even on the binary value
  CHECK(plots::number_text(-0.01) == "0");
  CHECK(plots::number_text(3.14159, 2) == "3.14");
  CHECK_THROWS(plots::number_text(kNaN));
}

TEST_CASE("ticks fall on 1, 2, 5 steps and cover the data", "[plot][ticks]") {
  CHECK(plots::nice_step(10, 5) == Approx(2));
  CHECK(plots::nice_step(1, 5) == Approx(0.2));
  CHECK(plots::nice_step(0.3, 3) == Approx(0.1));
  CHECK(plots::nice_step(97, 5) == Approx(20));
  CHECK(plots::nice_step(26, 5) == Approx(10));
  CHECK(plots::nice_step(1e6, 4) == Approx(5e5));

  const auto t = plots::nice_ticks(3, 97, 5);
  CHECK(t.step == Approx(20));
  CHECK(t.first == Approx(0));
  CHECK(t.last == Approx(100));
  CHECK(t.values.size() == 6);
  CHECK(t.decimals == 0);

  const auto exact = plots::nice_ticks(0, 1, 5);  // bounds on ticks add no extra step
  CHECK(exact.first == Approx(0));
  CHECK(exact.last == Approx(1));
  CHECK(exact.values.size() == 6);
  CHECK(exact.decimals == 1);

  const auto negative = plots::nice_ticks(-7, 12, 4);
  CHECK(negative.first <= -7);
  CHECK(negative.last >= 12);
  CHECK(negative.step == Approx(5));

  const auto flat = plots::nice_ticks(3, 3, 5);
  CHECK(flat.first < 3);
  CHECK(flat.last > 3);

  CHECK(plots::tick_label(1500, 0) == "1500");
  CHECK(plots::tick_label(0.1 + 0.2, 1) == "0.3");
  CHECK(plots::tick_label(-0.0, 1) == "0.0");
  CHECK(plots::tick_label(-0.04, 1) == "0.0");
  using Labels = std::vector<std::string>;
  // One notation per axis: never "8000" beside "10k".
  CHECK(plots::tick_labels(plots::nice_ticks(0, 9500, 5)) == Labels{"0", "2k", "4k", "6k", "8k", "10k"});
  CHECK(plots::tick_labels(plots::nice_ticks(0, 2.4e6, 5)) == Labels{"0", "0.5M", "1M", "1.5M", "2M", "2.5M"});
  CHECK(plots::tick_labels(plots::nice_ticks(0, 5000, 5)) == Labels{"0", "1000", "2000", "3000", "4000", "5000"});
  CHECK(plots::tick_labels(plots::nice_ticks(0, 1, 2)) == Labels{"0.0", "0.5", "1.0"});
}

TEST_CASE("the colour scale darkens monotonically", "[plot][colour]") {
  double previous = 2;
  for (int i = 0; i <= 100; ++i) {
    const plots::Rgb c = plots::colour_at(i / 100.0);
    const double l = plots::luminance(c);
    CHECK(l <= previous);
    previous = l;
  }
  CHECK(plots::luminance(plots::colour_at(0)) > 0.9);
  CHECK(plots::luminance(plots::colour_at(1)) < 0.05);
  CHECK(plots::hex(plots::colour_at(0)) == "#f7fbff");
  CHECK(std::string(plots::text_colour_on(plots::colour_at(1))) == "#ffffff");
  CHECK(std::string(plots::text_colour_on(plots::colour_at(0))) == "#222222");
}

TEST_CASE("a heatmap has rows x columns cells and a legend", "[plot][heatmap]") {
  plots::HeatmapData d;
  d.row_labels = {"a", "b", "c"};
  d.column_labels = {"1", "2", "3", "4"};
  for (int i = 0; i < 12; ++i) d.values.push_back(i == 5 ? std::nullopt : std::optional<double>(i));
  const std::string svg = plots::heatmap(d, {"T", "x (u)", "y (u)", "caption"}, {});
  CHECK(xml_problem(svg).empty());
  CHECK(count(svg, "class=\"cell\"") == 11);
  CHECK(count(svg, "class=\"cell-missing\"") == 1);
  CHECK(count(svg, "class=\"swatch\"") == 5);
  // The highest value gets the darkest colour, the lowest the lightest.
  CHECK(svg.find("fill=\"" + plots::hex(plots::colour_at(1)) + "\"><title>c, 4: 11") != std::string::npos);
  CHECK(svg.find("fill=\"" + plots::hex(plots::colour_at(0)) + "\"><title>a, 1: 0") != std::string::npos);
}

TEST_CASE("the frequency/recency matrices are the model's values on the grid", "[plot][clv]") {
  const std::string svg = plot::expected_purchases_matrix(kCdnow, 39, 10, 20, clv::TimeUnit::week);
  CHECK(xml_problem(svg).empty());
  CHECK(count(svg, "class=\"cell\"") + count(svg, "class=\"cell-missing\"") == 11 * 21);
  CHECK(count(svg, "class=\"cell-missing\"") == 20);  // x = 0 with t_x > 0 cannot happen
  CHECK(svg.find("recency: time of the last purchase after the first, t_x (weeks)") != std::string::npos);
  CHECK(svg.find("frequency: repeat purchases, x (count)") != std::string::npos);
  CHECK(svg.find("in the next 39 weeks") != std::string::npos);
  const double v = clv::conditional_expected_purchases(kCdnow, 39, 5, 12, 20);
  CHECK(svg.find("<title>x 5, t_x 12: " + plots::number_text(v, 2) + "</title>") != std::string::npos);

  const std::string alive = plot::p_alive_matrix(kCdnow, 10, 20, clv::TimeUnit::week);
  const double p = clv::p_alive(kCdnow, 3, 4, 20);
  CHECK(alive.find("<title>x 3, t_x 4: " + plots::number_text(p * 100, 0) + "%</title>") != std::string::npos);

  // A long history is stepped, not drawn one column per day.
  const std::string wide = plot::p_alive_matrix(kCdnow, 500, 3000, clv::TimeUnit::day);
  const std::size_t cells = count(wide, "class=\"cell\"") + count(wide, "class=\"cell-missing\"");
  CHECK(cells <= 40 * 60);
  CHECK(wide.find("The grid steps by") != std::string::npos);
  CHECK(wide.size() < 400'000);
}

TEST_CASE("calibration vs holdout draws per-frequency means of actual and predicted", "[plot][clv]") {
  plot::CalibrationHoldout d;
  d.frequency_cal = {0, 0, 1, 1, 2, 9};
  d.actual_holdout = {0, 1, 2, 0, 3, 4};
  d.predicted_holdout = {0.2, 0.2, 0.9, 0.9, 1.8, 5};
  const std::string svg = plot::calibration_vs_holdout(d, 39, clv::TimeUnit::week, 7);
  CHECK(xml_problem(svg).empty());
  CHECK(count(svg, "class=\"series\"") == 2);
  CHECK(count(svg, "class=\"dot\"") == 6);  // frequencies 0, 1, 2 for both lines
  CHECK(svg.find("mean purchases in the holdout period (39 weeks)") != std::string::npos);
  CHECK(svg.find("1 with more than 7 repeat purchases not drawn") != std::string::npos);

  d.actual_holdout[3] = kNaN;
  expect_error([&] { plot::calibration_vs_holdout(d, 39, clv::TimeUnit::week); }, Errc::invalid_argument,
               "actual_holdout[3] is NaN");
  d.actual_holdout[3] = 0;
  d.predicted_holdout[1] = -kInf;
  expect_error([&] { plot::calibration_vs_holdout(d, 39, clv::TimeUnit::week); }, Errc::invalid_argument,
               "predicted_holdout[1] is -infinite");
  d.predicted_holdout[1] = 0.2;
  d.frequency_cal[2] = 1.5;
  expect_error([&] { plot::calibration_vs_holdout(d, 39, clv::TimeUnit::week); }, Errc::invalid_argument,
               "frequency_cal[2] = 1.5 is not a whole number");
  d.frequency_cal[2] = 1;
  d.actual_holdout.pop_back();
  expect_error([&] { plot::calibration_vs_holdout(d, 39, clv::TimeUnit::week); }, Errc::invalid_argument,
               "actual_holdout has 5 values but frequency_cal has 6");
}

TEST_CASE("repeat purchases over time: per period or cumulated, calibration end marked", "[plot][clv]") {
  plot::RepeatPurchasesOverTime s{{1, 2, 3, 4}, {10, 12, 9, 11}, {11, 11, 10, 10}, 2.5, true};
  const std::string svg = plot::repeat_purchases_over_time(s, clv::TimeUnit::week);
  CHECK(xml_problem(svg).empty());
  CHECK(svg.find("Cumulative repeat purchases") != std::string::npos);
  CHECK(count(svg, "class=\"marker-line\"") == 1);
  s.time[2] = 2;
  expect_error([&] { plot::repeat_purchases_over_time(s, clv::TimeUnit::week); }, Errc::invalid_argument,
               "time[2] = 2 does not follow time[1] = 2");
  s.time[2] = 3;
  s.expected[3] = -1;
  expect_error([&] { plot::repeat_purchases_over_time(s, clv::TimeUnit::week); }, Errc::invalid_argument,
               "expected[3] = -1 is negative");
  s.expected[3] = 10;
  s.calibration_end = kNaN;
  expect_error([&] { plot::repeat_purchases_over_time(s, clv::TimeUnit::week); }, Errc::invalid_argument,
               "calibration_end is NaN");
}

TEST_CASE("one customer's P(alive) history stays in [0, 1] and marks the purchases", "[plot][clv]") {
  const std::string svg = plot::p_alive_history(kCdnow, {10, 12, 12, 20, 31}, 78, clv::TimeUnit::week);
  CHECK(xml_problem(svg).empty());
  CHECK(count(svg, "class=\"rug-tick\"") == 4);  // 12 twice is one tick
  CHECK(svg.find("P(alive) (probability)") != std::string::npos);
  expect_error(
      [&] {
        plot::p_alive_history(kCdnow, {3, 1}, 10, clv::TimeUnit::week);
      },
      Errc::invalid_argument, "purchase times must ascend");
  expect_error(
      [&] {
        plot::p_alive_history(kCdnow, {1, 3}, 2, clv::TimeUnit::week);
      },
      Errc::invalid_argument, "end 2 is before the last purchase 3");
  expect_error(
      [&] {
        plot::p_alive_history(clv::BgNbdParams{0.2, kNaN, 1, 1}, {1}, 2, clv::TimeUnit::week);
      },
      Errc::invalid_argument, "alpha");
}

TEST_CASE("RFM heatmap, histograms and scatters", "[plot][rfm]") {
  const std::vector<RfmMeasures> m = customers(500);
  const std::vector<RfmScore> s = score_rfm(m);
  const std::string heat = plot::rfm_heatmap(m, s);
  CHECK(xml_problem(heat).empty());
  CHECK(count(heat, "class=\"cell\"") + count(heat, "class=\"cell-missing\"") == 25);
  CHECK(heat.find("recency score (1 = longest ago)") != std::string::npos);

  const std::string hist = plot::rfm_histogram(m, plot::RfmMeasure::monetary);
  CHECK(xml_problem(hist).empty());
  CHECK(count(hist, "class=\"bar\"") >= 10);
  CHECK(count(hist, "class=\"bar\"") <= 22);
  CHECK(hist.find("monetary (sum of purchases, major currency units)") != std::string::npos);

  const std::string few = plot::rfm_scatter(m, plot::RfmMeasure::recency, plot::RfmMeasure::frequency);
  CHECK(xml_problem(few).empty());
  CHECK(count(few, "class=\"point\"") == 500);
  expect_error([&] { plot::rfm_scatter(m, plot::RfmMeasure::recency, plot::RfmMeasure::recency); },
               Errc::invalid_argument, "two different measures");

  std::vector<RfmScore> bad = s;
  bad[4].f = 0;
  expect_error([&] { plot::rfm_heatmap(m, bad); }, Errc::invalid_argument, "scores[4].f = 0 is outside 1..9");
  std::vector<RfmMeasures> nan = m;
  nan[9].monetary = kNaN;
  expect_error([&] { plot::rfm_histogram(nan, plot::RfmMeasure::recency); }, Errc::invalid_argument,
               "measures[9].monetary is NaN");
  CHECK(plot::parse_rfm_measure("frequency") == plot::RfmMeasure::frequency);
  expect_error([&] { plot::parse_rfm_measure("spend"); }, Errc::invalid_argument,
               "recency, frequency, monetary");
}

TEST_CASE("segment bars: one bar per segment, in order, with its count", "[plot][rfm]") {
  const std::string svg =
      plot::segment_bars({{"Champions", 120, 0, 0}, {"At risk", 80, 0, 0}, {"Lost", 3, 0, 0}});
  CHECK(xml_problem(svg).empty());
  CHECK(count(svg, "class=\"bar\"") == 3);
  CHECK(svg.find("Champions: 120") < svg.find("At risk: 80"));
  expect_error(
      [&] {
        plot::segment_bars({{"A\x01", 1, 0, 0}});
      },
      Errc::invalid_argument, "control character");
  expect_error(
      [&] {
        plot::segment_bars({{"A", -1, 0, 0}});
      },
      Errc::invalid_argument, "segments[0].customers -1 is negative");
  expect_error([&] { plot::segment_bars({}); }, Errc::invalid_argument, "segments is empty");
}

TEST_CASE("cohort retention heatmap: cohorts x periods, unobservable cells grey", "[plot][retention]") {
  CohortMatrix c;
  c.periods = 3;
  c.rows.push_back({"2024-01", 0, 100, {100, 40, 30}, {1.0, 0.4, 0.3}});
  c.rows.push_back({"2024-02", 0, 50, {50, 20, 0}, {1.0, 0.4, std::nullopt}});
  const std::string svg = plot::cohort_retention(c);
  CHECK(xml_problem(svg).empty());
  CHECK(count(svg, "class=\"cell\"") == 5);
  CHECK(count(svg, "class=\"cell-missing\"") == 1);
  CHECK(svg.find("2024-02 (50), k 1: 40%") != std::string::npos);
  CHECK(svg.find("Cohort retention by month") != std::string::npos);
  c.rows[1].retention[1] = 1.5;
  expect_error([&] { plot::cohort_retention(c); }, Errc::invalid_argument,
               "rows[1].retention[1] = 1.5 is outside 0..1");
  c.rows[1].retention[1] = kInf;
  expect_error([&] { plot::cohort_retention(c); }, Errc::invalid_argument,
               "rows[1].retention[1] is +infinite");
}

TEST_CASE("options: size and title are checked, the title replaces the chart's own", "[plot][options]") {
  const std::vector<RfmMeasures> m = customers(50);
  plot::Options o;
  o.width = 20;
  expect_error([&] { plot::rfm_histogram(m, plot::RfmMeasure::frequency, o); }, Errc::invalid_argument,
               "options.width 20 is outside 240..4000 pixels");
  o.width = 720;
  o.height = 5000;
  expect_error([&] { plot::rfm_histogram(m, plot::RfmMeasure::frequency, o); }, Errc::invalid_argument,
               "options.height 5000");
  o.height = 440;
  o.title = "tab\there";
  expect_error([&] { plot::rfm_histogram(m, plot::RfmMeasure::frequency, o); }, Errc::invalid_argument,
               "control character");
  o.title = "";
  o.period = "purchases before 2025-01-01";
  CHECK(plot::rfm_histogram(m, plot::RfmMeasure::frequency, o).find("Period: purchases before 2025-01-01.") !=
        std::string::npos);
  o.period = "bad\nperiod";
  expect_error([&] { plot::rfm_histogram(m, plot::RfmMeasure::frequency, o); }, Errc::invalid_argument,
               "options.period");
  o.period.clear();
  o.title = "Spend, Q3";
  o.width = 900;
  const std::string svg = plot::rfm_histogram(m, plot::RfmMeasure::frequency, o);
  CHECK(svg.find("<title>Spend, Q3</title>") != std::string::npos);
  CHECK(svg.find("width=\"900\"") != std::string::npos);
}

TEST_CASE("finite inputs whose range or sums overflow are refused, not drawn wrong", "[plot][overflow]") {
  std::vector<RfmMeasures> m = customers(3);
  m[0].monetary = -1e308;
  m[1].monetary = 1e308;
  expect_error([&] { plot::rfm_histogram(m, plot::RfmMeasure::monetary); }, Errc::invalid_argument,
               "overflows a double");
  m[0].monetary = 1e308;
  const std::vector<RfmScore> same(3, RfmScore{1, 1, 1});
  expect_error([&] { plot::rfm_heatmap(m, same); }, Errc::invalid_argument, "overflows a double");
  m = customers(3);
  for (auto& c : m) c.monetary = 1e300;  // one value at any magnitude has a bin and an axis
  CHECK(xml_problem(plot::rfm_histogram(m, plot::RfmMeasure::monetary)).empty());
  m[1].monetary = std::nextafter(1e300, 2e300);  // a range of one ulp: drawn, or refused by name
  std::string drawn;
  try {
    drawn = plot::rfm_histogram(m, plot::RfmMeasure::monetary);
  } catch (const Error& e) {
    CHECK(e.code() == Errc::invalid_argument);
    drawn = "<refused/>";
  }
  CHECK(xml_problem(drawn).empty());
  // Large but drawable values are written in full, not cut short.
  m = customers(3);
  m[2].monetary = 1e300;
  const std::string svg = plot::rfm_scatter(m, plot::RfmMeasure::recency, plot::RfmMeasure::monetary);
  CHECK(xml_problem(svg).empty());
}

TEST_CASE("random values at every magnitude: well-formed SVG or invalid_argument, nothing else", "[plot][random]") {
  std::mt19937_64 rng(2026);
  const double magnitudes[] = {0, 1e-300, 1e-9, 1, 7, 1e6, 1e15, 1e200, 1e300, 1e308};  // times up to 1.5: all finite
  auto value = [&] {
    const double m = magnitudes[rng() % 10];
    const double sign = rng() % 4 == 0 ? -1 : 1;
    return rng() % 5 == 0 ? sign * m : sign * m * std::uniform_real_distribution<double>(0.5, 1.5)(rng);
  };
  int drawn = 0, refused = 0;
  for (int trial = 0; trial < 400; ++trial) {
    const std::size_t n = 1 + rng() % (trial % 7 == 0 ? 5000 : 12);
    std::vector<RfmMeasures> m(n);
    std::vector<double> a(n), b(n), c(n);
    for (std::size_t i = 0; i < n; ++i) {
      m[i] = {static_cast<std::int64_t>(i), static_cast<std::int64_t>(rng() % 1000),
              static_cast<std::int64_t>(rng() % 50), value()};
      a[i] = std::floor(std::fabs(value())) > 1e6 ? static_cast<double>(rng() % 10) : std::floor(std::fabs(value()));
      b[i] = std::fabs(value());
      c[i] = std::fabs(value());
    }
    std::vector<double> time(n);
    const double step = std::min(1e300, std::max(1e-300, std::fabs(value())));
    for (std::size_t i = 0; i < n; ++i) time[i] = static_cast<double>(i) * step;
    const std::vector<std::function<std::string()>> charts = {
        [&] { return plot::rfm_histogram(m, plot::RfmMeasure::monetary); },
        [&] { return plot::rfm_scatter(m, plot::RfmMeasure::frequency, plot::RfmMeasure::monetary); },
        [&] { return plot::rfm_heatmap(m, score_rfm(m)); },
        [&] { return plot::calibration_vs_holdout({a, b, c}, 1 + std::fabs(value()), clv::TimeUnit::day); },
        [&] { return plot::repeat_purchases_over_time({time, b, c, value(), rng() % 2 == 0}, clv::TimeUnit::day); },
    };
    for (const auto& chart : charts) {
      std::string svg;
      try {
        svg = chart();
        ++drawn;
      } catch (const Error& e) {
        INFO(e.what());
        CHECK(e.code() == Errc::invalid_argument);
        if (std::getenv("PLOT_SWEEP")) std::fprintf(stderr, "%s\n", e.what());
        ++refused;
        continue;
      }
      const std::string problem = xml_problem(svg);
      INFO(problem);
      CHECK(problem.empty());
      CHECK(svg.size() < 400'000);
    }
  }
  CHECK(drawn > 2 * refused);  // the sweep draws most inputs: it is not only testing refusals
}

TEST_CASE("a million customers give charts of bounded size", "[plot][scale]") {
  const std::vector<RfmMeasures> m = customers(1'000'000, 11);
  const std::vector<RfmScore> s = score_rfm(m);
  const std::string scatter = plot::rfm_scatter(m, plot::RfmMeasure::frequency, plot::RfmMeasure::monetary);
  CHECK(xml_problem(scatter).empty());
  CHECK(count(scatter, "class=\"point\"") == 0);
  CHECK(count(scatter, "class=\"density-cell\"") <= 60 * 40);
  CHECK(scatter.find("1000000 customers, binned") != std::string::npos);
  CHECK(scatter.size() < 300'000);

  for (auto measure : {plot::RfmMeasure::recency, plot::RfmMeasure::frequency, plot::RfmMeasure::monetary}) {
    const std::string hist = plot::rfm_histogram(m, measure);
    CHECK(hist.size() < 30'000);
  }
  CHECK(plot::rfm_heatmap(m, s).size() < 30'000);

  plot::CalibrationHoldout d;
  for (const auto& c : m) {
    d.frequency_cal.push_back(static_cast<double>(c.frequency - 1));
    d.actual_holdout.push_back(static_cast<double>(c.frequency % 3));
    d.predicted_holdout.push_back(0.5 * c.frequency);
  }
  const std::string cal = plot::calibration_vs_holdout(d, 39, clv::TimeUnit::week);
  CHECK(xml_problem(cal).empty());
  CHECK(cal.size() < 30'000);
}
