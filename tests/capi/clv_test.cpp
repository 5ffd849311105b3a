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
  CHECK(crmkit_clv_probability_of_purchases(pn, "pareto_nbd", params, 4, 39, n, 2) == CRMKIT_EINVALID);
  CHECK(last_has("bg_nbd and mbg_nbd"));
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
