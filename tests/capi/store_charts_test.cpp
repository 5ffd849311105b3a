// The store's fit with a penalizer (crmkit_value_fit_with) and the charts of a store
// (crmkit_db_chart), through crmkit.h only: a small shop recorded through the C API.
#include <catch2/catch.hpp>

#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <string>

#include "capi/test_db.hpp"
#include "crmkit.h"

namespace {

const int64_t kDay = 86'400'000;
const int64_t kJan2024 = 19723;  // 2024-01-01 in days since 1970-01-01

std::string take_owned(char* s) {
  std::string out = s ? s : "<NULL>";
  crmkit_free(s);
  return out;
}

bool last_has(const char* needle) { return std::string(crmkit_last_error_message()).find(needle) != std::string::npos; }

double json_number(const std::string& json, const std::string& key) {
  auto p = json.find("\"" + key + "\":");
  REQUIRE(p != std::string::npos);
  return std::strtod(json.c_str() + p + key.size() + 3, nullptr);
}

// 120 customers buying every 7..60 days (a fixed linear congruential sequence) through 2024.
struct Shop {
  crmkit_db* db = nullptr;
  Shop() {
    REQUIRE(open_test_db(&db) == CRMKIT_OK);
    REQUIRE(crmkit_db_begin(db) == CRMKIT_OK);
    uint64_t seed = 12345;
    auto next = [&] {
      seed = seed * 6364136223846793005ULL + 1442695040888963407ULL;
      return static_cast<int64_t>(seed >> 33);
    };
    crmkit_interaction* rec = nullptr;
    REQUIRE(crmkit_interaction_new(&rec) == CRMKIT_OK);
    REQUIRE(crmkit_interaction_set_kind(rec, "purchase") == CRMKIT_OK);
    REQUIRE(crmkit_interaction_set_channel(rec, "web") == CRMKIT_OK);
    for (int i = 0; i < 120; ++i) {
      crmkit_customer* c = nullptr;
      REQUIRE(crmkit_customer_new(&c) == CRMKIT_OK);
      REQUIRE(crmkit_customer_set_text(c, "external_id", ("c" + std::to_string(i)).c_str()) == CRMKIT_OK);
      REQUIRE(crmkit_customer_set_created_at(c, 0) == CRMKIT_OK);
      int64_t id = 0;
      REQUIRE(crmkit_customer_create(&id, db, c) == CRMKIT_OK);
      crmkit_customer_free(c);
      const int64_t gap = 7 + next() % 54, stop = kJan2024 + 30 + next() % 500;
      for (int64_t d = kJan2024 + next() % 120; d < kJan2024 + 540 && d < stop; d += gap + next() % 7) {
        REQUIRE(crmkit_interaction_set_customer_id(rec, id) == CRMKIT_OK);
        REQUIRE(crmkit_interaction_set_occurred_at(rec, d * kDay + 3600000) == CRMKIT_OK);
        REQUIRE(crmkit_interaction_set_amount(rec, 1000 + next() % 5000, "USD") == CRMKIT_OK);
        int64_t iid = 0;
        REQUIRE(crmkit_interaction_record(&iid, db, rec) == CRMKIT_OK);
      }
    }
    crmkit_interaction_free(rec);
    REQUIRE(crmkit_db_commit(db) == CRMKIT_OK);
  }
  ~Shop() { crmkit_db_close(db); }
  std::string models() {
    char* j = nullptr;
    REQUIRE(crmkit_value_models_json(&j, db) == CRMKIT_OK);
    return take_owned(j);
  }
};

const int64_t kCalibrationEnd = (kJan2024 + 366) * kDay;  // 2025-01-01 00:00: the end of 2024

}  // namespace

TEST_CASE("C API: the store's fit takes the penalizer and records it", "[capi][value][penalizer]") {
  Shop shop;
  crmkit_clv_fit_options* o = nullptr;
  REQUIRE(crmkit_clv_fit_options_new(&o) == CRMKIT_OK);
  int64_t plain = 0, penalised = 0;
  REQUIRE(crmkit_value_fit_with(&plain, shop.db, "bgnbd", "week", kCalibrationEnd, 0, nullptr, nullptr) == CRMKIT_OK);
  REQUIRE(crmkit_clv_fit_options_set_penalizer(o, 0.25) == CRMKIT_OK);
  REQUIRE(crmkit_value_fit_with(&penalised, shop.db, "bgnbd", "week", kCalibrationEnd, 0, nullptr, o) == CRMKIT_OK);
  char* j = nullptr;
  REQUIRE(crmkit_value_model_json(&j, shop.db, penalised) == CRMKIT_OK);
  const std::string pen = take_owned(j);
  REQUIRE(crmkit_value_model_json(&j, shop.db, plain) == CRMKIT_OK);
  const std::string pl = take_owned(j);
  CHECK(json_number(pen, "penalizer_coef") == 0.25);
  CHECK(json_number(pl, "penalizer_coef") == 0);
  CHECK(json_number(pen, "r") != json_number(pl, "r"));

  const std::string before = shop.models();
  for (double bad : {-1.0, std::nan(""), HUGE_VAL}) {
    REQUIRE(crmkit_clv_fit_options_set_penalizer(o, bad) == CRMKIT_OK);  // checked by the fit
    int64_t id = 7;
    CHECK(crmkit_value_fit_with(&id, shop.db, "bgnbd", "week", kCalibrationEnd, 0, nullptr, o) == CRMKIT_EINVALID);
    CHECK(last_has("penalizer_coef"));
    CHECK(id == 0);
  }
  CHECK(shop.models() == before);
  crmkit_clv_fit_options_free(o);
}

TEST_CASE("C API: charts of a store", "[capi][charts]") {
  Shop shop;
  char* svg = nullptr;
  SECTION("what the store lacks is named") {
    CHECK(crmkit_db_chart(&svg, shop.db, "p-alive", nullptr, nullptr) == CRMKIT_ENOTFOUND);
    CHECK(svg == nullptr);
    CHECK(last_has("no transaction model is saved"));
    CHECK(crmkit_db_chart(&svg, shop.db, "rfm-heatmap", nullptr, nullptr) == CRMKIT_ENOTFOUND);
    CHECK(last_has("no RFM run is saved"));
  }
  SECTION("the P(alive) matrix draws the stored model's parameters") {
    int64_t model = 0;
    REQUIRE(crmkit_value_fit(&model, shop.db, "bgnbd", "week", kCalibrationEnd, 0, nullptr) == CRMKIT_OK);
    char* j = nullptr;
    REQUIRE(crmkit_value_model_json(&j, shop.db, model) == CRMKIT_OK);
    const std::string m = take_owned(j);
    const double params[4] = {json_number(m, "r"), json_number(m, "alpha"), json_number(m, "a"), json_number(m, "b")};
    crmkit_chart_options* co = nullptr;
    crmkit_plot_options* po = nullptr;
    REQUIRE(crmkit_chart_options_new(&co) == CRMKIT_OK);
    REQUIRE(crmkit_plot_options_new(&po) == CRMKIT_OK);
    REQUIRE(crmkit_chart_options_set_model(co, model) == CRMKIT_OK);
    REQUIRE(crmkit_chart_options_set_grid(co, 1, 10, 30) == CRMKIT_OK);
    REQUIRE(crmkit_plot_options_set_period(po, "2024") == CRMKIT_OK);
    REQUIRE(crmkit_db_chart(&svg, shop.db, "p-alive", co, po) == CRMKIT_OK);
    const std::string got = take_owned(svg);
    char* want = nullptr;
    REQUIRE(crmkit_plot_p_alive_matrix(&want, "bg_nbd", params, 10, 30, "week", po) == CRMKIT_OK);
    // The JSON's shortest round-trip doubles are the stored parameters exactly.
    CHECK(got == take_owned(want));

    int64_t holdout = (kJan2024 + 540) * kDay;
    REQUIRE(crmkit_chart_options_set_holdout_end(co, &holdout) == CRMKIT_OK);
    REQUIRE(crmkit_db_chart(&svg, shop.db, "calibration-holdout", co, nullptr) == CRMKIT_OK);
    CHECK(take_owned(svg).rfind("<svg", 0) == 0);
    REQUIRE(crmkit_chart_options_set_cumulative(co, 1) == CRMKIT_OK);
    REQUIRE(crmkit_db_chart(&svg, shop.db, "repeat-purchases", co, nullptr) == CRMKIT_OK);
    CHECK(take_owned(svg).find("cumulative") != std::string::npos);
    CHECK(crmkit_chart_options_set_cumulative(co, 2) == CRMKIT_EINVALID);
    REQUIRE(crmkit_chart_options_set_customer(co, 999) == CRMKIT_OK);
    CHECK(crmkit_db_chart(&svg, shop.db, "p-alive-history", co, nullptr) == CRMKIT_ENOTFOUND);
    CHECK(last_has("customer 999 does not exist"));
    REQUIRE(crmkit_chart_options_set_customer(co, 1) == CRMKIT_OK);
    REQUIRE(crmkit_db_chart(&svg, shop.db, "p-alive-history", co, nullptr) == CRMKIT_OK);
    CHECK(take_owned(svg).find("P(alive) of customer 1: USD purchases") != std::string::npos);
    crmkit_chart_options_free(co);
    crmkit_plot_options_free(po);
  }
  SECTION("the RFM and cohort charts") {
    char* j = nullptr;
    REQUIRE(crmkit_value_rfm_assign_json(&j, shop.db, kCalibrationEnd, nullptr) == CRMKIT_OK);
    crmkit_free(j);
    for (const char* chart : {"rfm-heatmap", "rfm-segments", "recency-histogram", "frequency-histogram",
                              "monetary-histogram", "rf-scatter", "fm-scatter", "rm-scatter", "cohort-retention"}) {
      INFO(chart);
      REQUIRE(crmkit_db_chart(&svg, shop.db, chart, nullptr, nullptr) == CRMKIT_OK);
      const std::string s = take_owned(svg);
      CHECK(s.rfind("<svg", 0) == 0);
      CHECK(s.find("<desc>") != std::string::npos);
    }
  }
  SECTION("bad arguments") {
    CHECK(crmkit_db_chart(&svg, shop.db, "pie", nullptr, nullptr) == CRMKIT_EINVALID);
    CHECK(last_has("chart 'pie' is not one of"));
    CHECK(crmkit_db_chart(&svg, shop.db, nullptr, nullptr, nullptr) == CRMKIT_EINVALID);
    CHECK(crmkit_db_chart(&svg, nullptr, "p-alive", nullptr, nullptr) == CRMKIT_EINVALID);
    CHECK(crmkit_db_chart(nullptr, shop.db, "p-alive", nullptr, nullptr) == CRMKIT_EINVALID);
    crmkit_chart_options* co = nullptr;
    REQUIRE(crmkit_chart_options_new(&co) == CRMKIT_OK);
    CHECK(crmkit_chart_options_set_cohorts(co, "year", 12, 12) == CRMKIT_EINVALID);
    CHECK(crmkit_chart_options_set_cohorts(nullptr, "month", 12, 12) == CRMKIT_EINVALID);
    REQUIRE(crmkit_chart_options_set_cohorts(co, "month", 0, 12) == CRMKIT_OK);  // checked by the chart
    CHECK(crmkit_db_chart(&svg, shop.db, "cohort-retention", co, nullptr) == CRMKIT_EINVALID);
    CHECK(last_has("cohort_periods 0 is outside 1..400"));
    crmkit_chart_options_free(co);
  }
  char* list = nullptr;
  REQUIRE(crmkit_chart_list_json(&list) == CRMKIT_OK);
  CHECK(take_owned(list).find("\"name\":\"cohort-retention\"") != std::string::npos);
  CHECK(crmkit_chart_list_json(nullptr) == CRMKIT_EINVALID);
}
