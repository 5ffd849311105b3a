// The plain-data CLV C API (crmkit.h only): the CDNOW sample log through the columnar summary
// and calibration/holdout split, fits with the penalizer and their JSON report, predictions,
// and bad input with its exact status and message.
#include <catch2/catch.hpp>

#include <cmath>
#include <cstdint>
#include <fstream>
#include <string>
#include <vector>

#include "crmkit.h"
#include "test_paths.hpp"  // CRMKIT_SHARED_DATA, CRMKIT_CLI, CRMKIT_CHILD (generated)

namespace {

std::string take(char* s) {
  std::string out = s ? s : "<NULL>";
  crmkit_free(s);
  return out;
}

bool last_has(const char* needle) { return std::string(crmkit_last_error_message()).find(needle) != std::string::npos; }

double number_after(const std::string& json, const std::string& key) {
  const auto at = json.find("\"" + key + "\":");
  REQUIRE(at != std::string::npos);
  return std::stod(json.substr(at + key.size() + 3));
}

// Days since 1970 of YYYYMMDD (proleptic Gregorian), for the log's instants.
int64_t day_number(int y, int m, int d) {
  y -= m <= 2;
  const int64_t era = (y >= 0 ? y : y - 399) / 400;
  const int64_t yoe = y - era * 400;
  const int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + doe - 719468;
}
int64_t ms(int y, int m, int d) { return day_number(y, m, d) * 86400000; }

struct Log {
  std::vector<int64_t> customer, at;
  std::vector<double> amount;
};

Log cdnow() {
  Log log;
  std::ifstream in(std::string(CRMKIT_SHARED_DATA) + "/cdnow/CDNOW_sample.txt");
  std::string master, sample, date;
  double cds = 0, dollars = 0;
  while (in >> master >> sample >> date >> cds >> dollars) {
    log.customer.push_back(std::stoll(sample));
    log.at.push_back(ms(std::stoi(date.substr(0, 4)), std::stoi(date.substr(4, 2)), std::stoi(date.substr(6, 2))));
    log.amount.push_back(dollars);
  }
  return log;
}

}  // namespace

TEST_CASE("C CLV: CDNOW summary, split and BG/NBD fit through the columns", "[capi][clv]") {
  const Log log = cdnow();
  if (log.customer.empty()) {
    WARN("skipped: CDNOW_sample.txt not found under " CRMKIT_SHARED_DATA);
    return;
  }
  crmkit_clv_summary_options* o = nullptr;
  REQUIRE(crmkit_clv_summary_options_new(&o) == CRMKIT_OK);
  REQUIRE(crmkit_clv_summary_options_set_period(o, "day", 7) == CRMKIT_OK);
  REQUIRE(crmkit_clv_summary_options_set_observation_end(o, ms(1998, 6, 30)) == CRMKIT_OK);
  crmkit_clv_summary* s = nullptr;
  REQUIRE(crmkit_clv_calibration_holdout(&s, log.customer.data(), log.at.data(), log.amount.data(),
                                         static_cast<int64_t>(log.customer.size()), ms(1997, 9, 30), o) == CRMKIT_OK);
  int64_t customers = 0, end = 0, left = -1;
  double duration = 0;
  REQUIRE(crmkit_clv_summary_facts(&customers, &end, &left, &duration, s) == CRMKIT_OK);
  CHECK(customers == 2357);
  CHECK(end == ms(1998, 6, 30));
  CHECK(left == 1959);  // the rows after 1997-09-30 (awk '$3 > 19970930' counts them)
  CHECK(duration == Approx(39.0));
  std::vector<int64_t> id(2357);
  std::vector<double> x(2357), t_x(2357), T(2357), m(2357), fh(2357), mh(2357);
  int64_t rows = 0;
  REQUIRE(crmkit_clv_summary_columns(&rows, s, 2357, id.data(), x.data(), t_x.data(), T.data(), m.data(), fh.data(),
                                     mh.data()) == CRMKIT_OK);
  CHECK(rows == 2357);
  // Customer 1 of the published summary: 2, 30.43, 38.86, zbar 22.35.
  CHECK(id[0] == 1);
  CHECK(x[0] == 2);
  CHECK(t_x[0] == Approx(30.43).margin(0.005));
  CHECK(T[0] == Approx(38.86).margin(0.005));
  CHECK(m[0] == Approx(22.35).margin(0.0051));
  // A partial page.
  std::vector<int64_t> first(3);
  REQUIRE(crmkit_clv_summary_columns(&rows, s, 3, first.data(), nullptr, nullptr, nullptr, nullptr, nullptr, nullptr) ==
          CRMKIT_OK);
  CHECK(rows == 3);
  CHECK(first == std::vector<int64_t>{1, 2, 3});
  crmkit_clv_summary_free(s);

  crmkit_clv_fit_options* f = nullptr;
  REQUIRE(crmkit_clv_fit_options_new(&f) == CRMKIT_OK);
  char* json = nullptr;
  REQUIRE(crmkit_clv_fit_json(&json, "bg_nbd", x.data(), t_x.data(), T.data(), nullptr, 2357, f) == CRMKIT_OK);
  const std::string plain = take(json);
  CHECK(std::round(number_after(plain, "r") * 1000) == 243);
  CHECK(std::round(number_after(plain, "alpha") * 1000) == 4414);
  CHECK(std::round(number_after(plain, "a") * 1000) == 793);
  CHECK(std::round(number_after(plain, "b") * 1000) == 2426);
  CHECK(number_after(plain, "aic") == Approx(8 + 2 * 9582.4256).margin(0.01));
  CHECK(number_after(plain, "observations") == 2357);
  CHECK(plain.find("\"summary\":\"BG/NBD fit (maximum likelihood)") != std::string::npos);
  REQUIRE(crmkit_clv_fit_options_set_penalizer(f, 0.1) == CRMKIT_OK);
  REQUIRE(crmkit_clv_fit_json(&json, "bg_nbd", x.data(), t_x.data(), T.data(), nullptr, 2357, f) == CRMKIT_OK);
  const std::string pen = take(json);
  CHECK(number_after(pen, "penalizer_coef") == 0.1);
  CHECK(number_after(pen, "log_likelihood") < number_after(plain, "log_likelihood") - 1);

  // Predictions with the fitted parameters.
  const double params[4] = {number_after(plain, "r"), number_after(plain, "alpha"), number_after(plain, "a"),
                            number_after(plain, "b")};
  std::vector<double> out(2357);
  REQUIRE(crmkit_clv_p_alive(out.data(), "bg_nbd", params, 4, x.data(), t_x.data(), T.data(), 2357) == CRMKIT_OK);
  for (double p : out) CHECK((p > 0 && p <= 1));
  REQUIRE(crmkit_clv_conditional_expected_purchases(out.data(), "bg_nbd", params, 4, 39, x.data(), t_x.data(),
                                                    T.data(), 2357) == CRMKIT_OK);
  CHECK(out[0] == Approx(1.226).margin(0.001));  // FHL 2005: E[Y(39) | 2, 30.43, 38.86]
  const double t52[1] = {52};
  double e52 = 0;
  REQUIRE(crmkit_clv_expected_purchases(&e52, "bg_nbd", params, 4, t52, 1) == CRMKIT_OK);
  CHECK(e52 == Approx(1.449).margin(0.01));
  const int64_t n[2] = {0, 1};
  double pn[2] = {0, 0};
  REQUIRE(crmkit_clv_probability_of_purchases(pn, "bg_nbd", params, 4, 39, n, 2) == CRMKIT_OK);
  CHECK((pn[0] > pn[1] && pn[1] > 0));
  CHECK(crmkit_clv_probability_of_purchases(pn, "nbd", params, 4, 39, n, 2) == CRMKIT_EINVALID);
  CHECK(last_has("nbd"));
  const double gg[3] = {6.25, 3.74, 15.44};
  const double gx[2] = {0, 2}, gm[2] = {0, 22.35};
  double profit[2] = {0, 0};
  REQUIRE(crmkit_clv_expected_average_profit(profit, gg, 3, gx, gm, 2) == CRMKIT_OK);
  CHECK(profit[0] == Approx(6.25 * 15.44 / 2.74));
  CHECK(profit[1] == Approx(6.25 * (15.44 + 2 * 22.35) / (6.25 * 2 + 2.74)));
  double clv = 0;
  REQUIRE(crmkit_clv_customer_lifetime_value(&clv, "bg_nbd", params, 4, "week", 12, 0.01, x.data(), t_x.data(),
                                             T.data(), &profit[1], 1) == CRMKIT_OK);
  CHECK(clv > 0);
  CHECK(crmkit_clv_customer_lifetime_value(&clv, "bg_nbd", params, 4, "fortnight", 12, 0.01, x.data(), t_x.data(),
                                           T.data(), &profit[1], 1) == CRMKIT_EINVALID);
  CHECK(last_has("fortnight"));
  crmkit_clv_fit_options_free(f);
  crmkit_clv_summary_options_free(o);
}

TEST_CASE("C CLV: fits of every kind report AIC/BIC, sBG and Gamma-Gamma included", "[capi][clv]") {
  const double alive[8] = {1000, 631, 468, 382, 326, 289, 262, 241};
  char* json = nullptr;
  REQUIRE(crmkit_clv_fit_retention_json(&json, alive, 8, nullptr) == CRMKIT_OK);
  const std::string s = take(json);
  CHECK(number_after(s, "observations") == 1000);
  CHECK(number_after(s, "parameters") == 2);
  CHECK(number_after(s, "bic") == Approx(2 * std::log(1000.0) - 2 * number_after(s, "log_likelihood")));
  const double bx[3] = {0, 1, 3}, btx[3] = {0, 1, 6}, bn[3] = {6, 6, 6}, bw[3] = {3464, 1203, 1512};
  REQUIRE(crmkit_clv_fit_json(&json, "bg_bb", bx, btx, bn, bw, 3, nullptr) == CRMKIT_OK);
  CHECK(take(json).find("\"model\":\"BG/BB\"") != std::string::npos);
  const double sx[4] = {1, 2, 3, 5}, sm[4] = {10, 20, 15, 30};
  REQUIRE(crmkit_clv_fit_spend_json(&json, sx, sm, nullptr, 4, nullptr) == CRMKIT_OK);
  CHECK(take(json).find("\"model\":\"Gamma-Gamma\"") != std::string::npos);
}

TEST_CASE("C CLV: bad input gets its status and a message naming it", "[capi][clv]") {
  const int64_t c[2] = {1, 2}, t[2] = {ms(2024, 1, 1), ms(2024, 1, 2)};
  const double a[2] = {5, -1};
  crmkit_clv_summary* s = reinterpret_cast<crmkit_clv_summary*>(1);
  CHECK(crmkit_clv_summarise(&s, c, t, a, 2, nullptr) == CRMKIT_EINVALID);
  CHECK(s == nullptr);
  CHECK(last_has("amount[1] = -1 is negative"));
  const double nan2[2] = {5, std::nan("")};
  CHECK(crmkit_clv_summarise(&s, c, t, nan2, 2, nullptr) == CRMKIT_EINVALID);
  CHECK(last_has("amount[1] is NaN"));
  const int64_t far[2] = {ms(2024, 1, 1), 253402300800000};
  CHECK(crmkit_clv_summarise(&s, c, far, nullptr, 2, nullptr) == CRMKIT_EINVALID);
  CHECK(last_has("at[1] = 253402300800000 is outside"));
  CHECK(crmkit_clv_summarise(&s, nullptr, t, nullptr, 2, nullptr) == CRMKIT_EINVALID);
  CHECK(last_has("customer is NULL"));
  CHECK(crmkit_clv_summarise(nullptr, c, t, nullptr, 2, nullptr) == CRMKIT_EINVALID);
  CHECK(last_has("out is NULL"));
  CHECK(crmkit_clv_summarise(&s, c, t, nullptr, -1, nullptr) == CRMKIT_EINVALID);
  CHECK(last_has("rows = -1"));
  CHECK(crmkit_clv_summarise(&s, c, t, nullptr, 0, nullptr) == CRMKIT_EINVALID);
  CHECK(last_has("no purchases"));
  crmkit_clv_summary_options* o = nullptr;
  REQUIRE(crmkit_clv_summary_options_new(&o) == CRMKIT_OK);
  CHECK(crmkit_clv_summary_options_set_period(o, "fortnight", 1) == CRMKIT_EINVALID);
  CHECK(last_has("fortnight"));
  CHECK(crmkit_clv_summary_options_set_period(nullptr, "day", 1) == CRMKIT_EINVALID);
  CHECK(last_has("options is NULL"));
  REQUIRE(crmkit_clv_summary_options_set_observation_end(o, ms(2023, 12, 31)) == CRMKIT_OK);
  CHECK(crmkit_clv_summarise(&s, c, t, nullptr, 2, o) == CRMKIT_EINVALID);
  CHECK(last_has("is before the first purchase"));
  REQUIRE(crmkit_clv_summary_options_set_observation_end(o, ms(2024, 1, 5)) == CRMKIT_OK);
  REQUIRE(crmkit_clv_summary_options_set_period(o, "week", 0) == CRMKIT_OK);
  CHECK(crmkit_clv_summarise(&s, c, t, nullptr, 2, o) == CRMKIT_EINVALID);
  CHECK(last_has("periods_per_unit = 0"));
  REQUIRE(crmkit_clv_summary_options_set_period(o, "week", 1) == CRMKIT_OK);
  REQUIRE(crmkit_clv_summary_options_set_include_first_purchase(o, 1) == CRMKIT_OK);
  REQUIRE(crmkit_clv_summarise(&s, c, t, nullptr, 2, o) == CRMKIT_OK);
  double freq[2] = {-1, -1}, money[2] = {0, 0}, hold[2] = {0, 0};
  int64_t rows = 0;
  double duration = 0;
  REQUIRE(crmkit_clv_summary_columns(&rows, s, 2, nullptr, freq, nullptr, nullptr, money, hold, nullptr) == CRMKIT_OK);
  CHECK(freq[0] == 1);  // the first purchase counts
  CHECK(std::isnan(money[0]));
  CHECK(std::isnan(hold[0]));
  CHECK(crmkit_clv_summary_columns(&rows, s, -1, nullptr, freq, nullptr, nullptr, nullptr, nullptr, nullptr) ==
        CRMKIT_EINVALID);
  CHECK(crmkit_clv_summary_columns(nullptr, s, 2, nullptr, freq, nullptr, nullptr, nullptr, nullptr, nullptr) ==
        CRMKIT_EINVALID);
  CHECK(last_has("out_rows is NULL"));
  REQUIRE(crmkit_clv_summary_facts(nullptr, nullptr, nullptr, &duration, s) == CRMKIT_OK);
  CHECK(std::isnan(duration));
  CHECK(crmkit_clv_summary_facts(nullptr, nullptr, nullptr, nullptr, nullptr) == CRMKIT_EINVALID);
  crmkit_clv_summary_free(s);
  crmkit_clv_summary_free(nullptr);
  crmkit_clv_summary_options_free(o);

  crmkit_clv_fit_options* f = nullptr;
  REQUIRE(crmkit_clv_fit_options_new(&f) == CRMKIT_OK);
  REQUIRE(crmkit_clv_fit_options_set_penalizer(f, -0.5) == CRMKIT_OK);  // checked by the fit
  const double x[2] = {1, 0}, tx[2] = {2, 0}, T[2] = {5, 5};
  char* json = reinterpret_cast<char*>(1);
  CHECK(crmkit_clv_fit_json(&json, "bg_nbd", x, tx, T, nullptr, 2, f) == CRMKIT_EINVALID);
  CHECK(json == nullptr);
  CHECK(last_has("penalizer_coef = -0.5"));
  CHECK(crmkit_clv_fit_json(&json, "cox", x, tx, T, nullptr, 2, nullptr) == CRMKIT_EINVALID);
  CHECK(last_has("cox"));
  const double bad_tx[2] = {9, 0};
  CHECK(crmkit_clv_fit_json(&json, "bg_nbd", x, bad_tx, T, nullptr, 2, nullptr) == CRMKIT_EINVALID);
  CHECK(last_has("t_x[0] = 9 is greater than T[0] = 5"));
  CHECK(crmkit_clv_fit_options_set_start(f, nullptr, 4) == CRMKIT_EINVALID);
  CHECK(last_has("start is NULL"));
  crmkit_clv_fit_options_free(f);
  const double params[4] = {0.24, 4.4, 0.79, 2.4};
  double out[2];
  CHECK(crmkit_clv_p_alive(out, "bg_nbd", params, 3, x, tx, T, 2) == CRMKIT_EINVALID);
  CHECK(last_has("takes 4 values, got 3"));
  CHECK(crmkit_clv_p_alive(out, "bg_nbd", params, 4, x, nullptr, T, 2) == CRMKIT_EINVALID);
  CHECK(last_has("t_x is NULL"));
  CHECK(crmkit_clv_p_alive(nullptr, "bg_nbd", params, 4, x, tx, T, 2) == CRMKIT_EINVALID);
  CHECK(last_has("out is NULL"));
  CHECK(crmkit_clv_p_alive(out, "nope", params, 4, x, tx, T, 0) == CRMKIT_EINVALID);
  const double gg[3] = {6, 0.5, 15};
  CHECK(crmkit_clv_expected_average_profit(out, gg, 3, x, tx, 0) == CRMKIT_EINVALID);
  CHECK(last_has("q"));
}

TEST_CASE("C CLV: probabilities of n purchases, BG/BB and sBG predictions", "[capi][clv]") {
  // Pareto/NBD at Fader & Hardie's CDNOW estimate: P(X(39) = n) sums to 1 with mean E[X(39)].
  const double pnbd[4] = {0.55, 10.58, 0.61, 11.67};
  std::vector<int64_t> n(600);
  for (int64_t k = 0; k < 600; ++k) n[k] = k;
  std::vector<double> p(600);
  REQUIRE(crmkit_clv_probability_of_purchases(p.data(), "pareto_nbd", pnbd, 4, 39, n.data(), 600) == CRMKIT_OK);
  double sum = 0, mean = 0;
  for (int k = 0; k < 600; ++k) sum += p[k], mean += k * p[k];
  const double t39[1] = {39};
  double e39 = 0;
  REQUIRE(crmkit_clv_expected_purchases(&e39, "pareto_nbd", pnbd, 4, t39, 1) == CRMKIT_OK);
  CHECK(sum == Approx(1.0).margin(1e-9));
  CHECK(mean == Approx(e39).epsilon(1e-8));
  // Given the history (2, 30.43, 38.86), for every model: sums to 1, mean = E[Y(52) | history].
  const double bg[4] = {0.243, 4.414, 0.793, 2.426};
  for (const char* model : {"pareto_nbd", "bg_nbd", "mbg_nbd"}) {
    const double* params = std::string(model) == "pareto_nbd" ? pnbd : bg;
    std::vector<double> x(600, 2), t_x(600, 30.43), T(600, 38.86);
    REQUIRE(crmkit_clv_conditional_probability_of_purchases(p.data(), model, params, 4, 52, n.data(), x.data(),
                                                            t_x.data(), T.data(), 600) == CRMKIT_OK);
    sum = mean = 0;
    for (int k = 0; k < 600; ++k) sum += p[k], mean += k * p[k];
    double want = 0;
    REQUIRE(crmkit_clv_conditional_expected_purchases(&want, model, params, 4, 52, x.data(), t_x.data(), T.data(), 1) ==
            CRMKIT_OK);
    INFO(model);
    CHECK(sum == Approx(1.0).margin(1e-9));
    CHECK(mean == Approx(want).epsilon(1e-8));
  }
  const int64_t minus[1] = {-1};
  const double x1[1] = {2}, tx1[1] = {30.43}, T1[1] = {38.86}, bad_T[1] = {20};
  CHECK(crmkit_clv_conditional_probability_of_purchases(p.data(), "pareto_nbd", pnbd, 4, 52, minus, x1, tx1, T1, 1) ==
        CRMKIT_EINVALID);
  CHECK(last_has("n[0] = -1 must be 0..1000000"));
  CHECK(crmkit_clv_conditional_probability_of_purchases(p.data(), "pareto_nbd", pnbd, 4, 52, n.data(), x1, tx1, bad_T,
                                                        1) == CRMKIT_EINVALID);
  CHECK(last_has("t_x"));
  CHECK(crmkit_clv_probability_of_purchases(p.data(), "pareto_nbd", pnbd, 4, std::nan(""), n.data(), 1) ==
        CRMKIT_EINVALID);
  CHECK(last_has("horizon t"));

  // BG/BB at the donations MLE: Hardie's spreadsheet counts 11104 P(X(6) = x), table 6's P(alive).
  const double bgbb[4] = {1.20352, 0.74972, 0.65672, 2.78344};
  double counts[7];
  REQUIRE(crmkit_clv_bg_bb_probability_of_transactions(counts, bgbb, 4, 6, n.data(), 7) == CRMKIT_OK);
  const double want_counts[7] = {3454.9, 1888.7, 1348.9, 1113.4, 1017.9, 1027.2, 1253.1};
  for (int k = 0; k < 7; ++k) CHECK(11104 * counts[k] == Approx(want_counts[k]).margin(0.1));
  const double bx[3] = {0, 2, 6}, btx[3] = {0, 4, 6}, bn[3] = {6, 6, 6};
  double alive[3];
  REQUIRE(crmkit_clv_bg_bb_p_alive(alive, bgbb, 4, 1, bx, btx, bn, 3) == CRMKIT_OK);
  CHECK(alive[0] == Approx(0.11).margin(0.01));
  CHECK(alive[1] == Approx(0.59).margin(0.01));
  CHECK(alive[2] == Approx(0.93).margin(0.01));
  const double walk[4] = {1.203528, 0.7497, 0.6568, 2.7838};  // BTYD walkthrough
  const double n10[1] = {10};
  double e10 = 0;
  REQUIRE(crmkit_clv_bg_bb_expected_transactions(&e10, walk, 4, n10, 1) == CRMKIT_OK);
  CHECK(e10 == Approx(3.179805).epsilon(1e-3));
  const double ax[2] = {0, 4}, atx[2] = {0, 5}, an[2] = {6, 6};
  double cond[2];
  REQUIRE(crmkit_clv_bg_bb_conditional_expected_transactions(cond, walk, 4, 10, ax, atx, an, 2) == CRMKIT_OK);
  CHECK(cond[0] == Approx(0.1302169).epsilon(1e-3));
  CHECK(cond[1] == Approx(3.627858).epsilon(1e-3));
  CHECK(crmkit_clv_bg_bb_p_alive(alive, bgbb, 3, 1, bx, btx, bn, 3) == CRMKIT_EINVALID);
  CHECK(last_has("BG/BB takes 4 values"));
  CHECK(crmkit_clv_bg_bb_p_alive(alive, bgbb, 4, -1, bx, btx, bn, 3) == CRMKIT_EINVALID);
  CHECK(last_has("m_ahead = -1"));
  CHECK(crmkit_clv_bg_bb_probability_of_transactions(counts, bgbb, 4, 6, &n[7], 1) == CRMKIT_EINVALID);
  CHECK(last_has("x[0] = 7 must be 0..6"));

  // sBG at Fader & Hardie's (2007) regular-customer estimate.
  const double sbg[2] = {0.7041, 1.1820};
  const int64_t years[3] = {0, 1, 7};
  double s[3], r[2];
  REQUIRE(crmkit_clv_sbg_survival(s, sbg, 2, years, 3) == CRMKIT_OK);
  CHECK(s[0] == 1.0);
  CHECK(s[1] == Approx(1.1820 / (0.7041 + 1.1820)));
  CHECK(s[2] == Approx(0.2390).margin(1e-4));
  REQUIRE(crmkit_clv_sbg_retention_rate(r, sbg, 2, &years[1], 2) == CRMKIT_OK);
  CHECK(r[0] == Approx(0.6267).margin(1e-4));
  CHECK(r[1] == Approx((1.1820 + 6) / (0.7041 + 1.1820 + 6)));
  CHECK(crmkit_clv_sbg_retention_rate(r, sbg, 2, years, 1) == CRMKIT_EINVALID);
  CHECK(last_has("t[0] = 0 must be 1..2147483647"));
  CHECK(crmkit_clv_sbg_survival(s, sbg, 2, nullptr, 1) == CRMKIT_EINVALID);
  CHECK(last_has("t is NULL"));
  CHECK(crmkit_clv_sbg_survival(nullptr, sbg, 0, nullptr, 0) == CRMKIT_EINVALID);
  CHECK(last_has("sBG takes 2 values"));
}
