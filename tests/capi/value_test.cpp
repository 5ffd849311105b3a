// The customer-value C API (crmkit.h only): CDNOW loaded through the customers/interactions C
// API, model fit/JSON, scores, holdout, RFM (JSON, options, iterator), built-in maps, and bad
// input (specific codes, nothing written).
#include <catch2/catch.hpp>

#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "capi/test_db.hpp"
#include "crmkit.h"
#include "options_fixture.hpp"
#include "test_paths.hpp"  // CRMKIT_SHARED_DATA, CRMKIT_CLI, CRMKIT_CHILD (generated)

namespace {

using capi_test::ScoreSpec;

std::string take_owned(char* s) {
  std::string out = s ? s : "<NULL>";
  crmkit_free(s);
  return out;
}

bool last_has(const char* needle) { return std::string(crmkit_last_error_message()).find(needle) != std::string::npos; }

// A number after "key": in a flat JSON text (enough for the checks here; the test links only
// crmkit.h, so no JSON library).
double json_number(const std::string& json, const std::string& key) {
  auto p = json.find("\"" + key + "\":");
  REQUIRE(p != std::string::npos);
  return std::strtod(json.c_str() + p + key.size() + 3, nullptr);
}

const int64_t kDay = 86'400'000;

// Days since 1970-01-01 of a proleptic Gregorian date (the test has no crmkit C++ headers).
int64_t days_from_civil(int y, int m, int d) {
  y -= m <= 2;
  const int64_t era = (y >= 0 ? y : y - 399) / 400;
  const int64_t yoe = y - era * 400;
  const int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + doe - 719468;
}

int64_t end_of(int y, int m, int d) { return (days_from_civil(y, m, d) + 1) * kDay; }

bool have_cdnow() {
  std::ifstream f(std::string(CRMKIT_SHARED_DATA) + "/cdnow/CDNOW_sample.txt");
  return f.good();
}

// CDNOW sample through the C API: customer i (sample id) created i-th, one USD purchase a row.
void load_cdnow(crmkit_db* db) {
  std::ifstream in(std::string(CRMKIT_SHARED_DATA) + "/cdnow/CDNOW_sample.txt");
  std::vector<std::vector<std::string>> rows;
  std::string line;
  int max_id = 0;
  while (std::getline(in, line)) {
    std::istringstream ls(line);
    std::vector<std::string> r;
    std::string f;
    while (ls >> f) r.push_back(f);
    if (r.size() < 5) continue;
    max_id = std::max(max_id, std::stoi(r[1]));
    rows.push_back(r);
  }
  REQUIRE(crmkit_db_begin(db) == CRMKIT_OK);
  std::vector<int64_t> ids(static_cast<std::size_t>(max_id) + 1);
  for (int i = 1; i <= max_id; ++i) {
    crmkit_customer* c = nullptr;
    REQUIRE(crmkit_customer_new(&c) == CRMKIT_OK);
    REQUIRE(crmkit_customer_set_text(c, "external_id", ("cdnow-" + std::to_string(i)).c_str()) == CRMKIT_OK);
    REQUIRE(crmkit_customer_set_created_at(c, 0) == CRMKIT_OK);
    REQUIRE(crmkit_customer_create(&ids[static_cast<std::size_t>(i)], db, c) == CRMKIT_OK);
    crmkit_customer_free(c);
  }
  crmkit_batch* batch = nullptr;
  REQUIRE(crmkit_batch_new(&batch) == CRMKIT_OK);
  // The sample has no transaction ids and counts identical rows as separate purchases.
  REQUIRE(crmkit_batch_set_allow_repeats(batch, 1) == CRMKIT_OK);
  crmkit_interaction* rec = nullptr;
  REQUIRE(crmkit_interaction_new(&rec) == CRMKIT_OK);
  REQUIRE(crmkit_interaction_set_kind(rec, "purchase") == CRMKIT_OK);
  REQUIRE(crmkit_interaction_set_channel(rec, "web") == CRMKIT_OK);
  for (const auto& r : rows) {
    const std::string& d = r[2];
    int64_t day = days_from_civil(std::stoi(d.substr(0, 4)), std::stoi(d.substr(4, 2)), std::stoi(d.substr(6, 2)));
    int64_t cents = std::llround(std::stod(r[4]) * 100);
    REQUIRE(crmkit_interaction_set_customer_id(rec, ids[static_cast<std::size_t>(std::stoi(r[1]))]) == CRMKIT_OK);
    REQUIRE(crmkit_interaction_set_occurred_at(rec, day * kDay) == CRMKIT_OK);
    REQUIRE(crmkit_interaction_set_amount(rec, cents, "USD") == CRMKIT_OK);
    REQUIRE(crmkit_batch_add(batch, rec) == CRMKIT_OK);
  }
  crmkit_batch_result* res = nullptr;
  REQUIRE(crmkit_batch_commit(&res, db, batch) == CRMKIT_OK);
  CHECK(crmkit_batch_result_inserted(res) == 6919);
  crmkit_batch_result_free(res);
  crmkit_interaction_free(rec);
  crmkit_batch_free(batch);
  REQUIRE(crmkit_db_commit(db) == CRMKIT_OK);
}

std::string models_json(crmkit_db* db) {
  char* j = nullptr;
  REQUIRE(crmkit_value_models_json(&j, db) == CRMKIT_OK);
  return take_owned(j);
}

}  // namespace

TEST_CASE("value C API: fit, model JSON, score, scores JSON and holdout on CDNOW", "[capi][value]") {
  if (!have_cdnow()) {
    WARN("skipped: shared data cdnow/ not found at " << CRMKIT_SHARED_DATA);
    return;
  }
  crmkit_db* db = nullptr;
  REQUIRE(open_test_db(&db) == CRMKIT_OK);
  load_cdnow(db);
  const int64_t cal_end = end_of(1997, 9, 30);

  int64_t bg = 0, gg = 0;
  REQUIRE(crmkit_value_fit(&bg, db, "bgnbd", "week", cal_end, 1234, nullptr) == CRMKIT_OK);
  REQUIRE(crmkit_value_fit(&gg, db, "gg", "week", cal_end, 1234, "USD") == CRMKIT_OK);
  CHECK(bg > 0);
  CHECK(gg > bg);
  char* j = nullptr;
  REQUIRE(crmkit_value_model_json(&j, db, bg) == CRMKIT_OK);
  std::string model = take_owned(j);
  // params as name -> value; published MLE (Fader, Hardie & Lee 2005).
  CHECK(json_number(model, "r") == Approx(0.24259).epsilon(1e-3));
  CHECK(json_number(model, "alpha") == Approx(4.41353).epsilon(1e-3));
  CHECK(json_number(model, "a") == Approx(0.79289).epsilon(1e-3));
  CHECK(json_number(model, "b") == Approx(2.42576).epsilon(1e-3));
  CHECK(json_number(model, "log_likelihood") == Approx(-9582.43).margin(0.01));
  CHECK(json_number(model, "customers") == 2357);
  CHECK(model.find("\"converged\":true") != std::string::npos);
  CHECK(model.find("\"std_errors\":{") != std::string::npos);
  CHECK(json_number(model, "fitted_at") == 1234);

  int64_t scored = -1;
  REQUIRE(capi_test::score(&scored, db, cal_end, ScoreSpec{std::to_string(bg).c_str(), gg, 39, "week", 0.0, 1.0}) == CRMKIT_OK);
  CHECK(scored == 2357);
  // Customer 1: P(alive) 0.7266, E[Y(39)] 1.226 (CLV_MODELS.md section 5 / 3.1).
  REQUIRE(crmkit_value_customer_scores_json(&j, db, 1) == CRMKIT_OK);
  std::string s1 = take_owned(j);
  CHECK(json_number(s1, "p_alive") == Approx(0.7266).margin(5e-4));
  CHECK(json_number(s1, "expected_purchases") == Approx(1.226).margin(2e-3));
  CHECK(json_number(s1, "predicted_clv") > 0);

  REQUIRE(crmkit_value_validate_json(&j, db, bg, end_of(1998, 6, 30)) == CRMKIT_OK);
  std::string v = take_owned(j);
  CHECK(json_number(v, "holdout_length") == 39);
  CHECK(v.find("\"frequency\":\"7+\"") != std::string::npos);
  CHECK(json_number(v, "actual_mean") == Approx(0.237).margin(5e-4));  // first bin (x = 0)

  // Bad input: specific codes, nothing written.
  const std::string before = models_json(db);
  int64_t id = 77;
  CHECK(crmkit_value_fit(&id, db, "bgbb", "week", cal_end, 0, nullptr) == CRMKIT_EINVALID);
  CHECK(id == 0);
  CHECK(last_has("kind 'bgbb'"));
  CHECK(crmkit_value_fit(&id, db, "bgnbd", "fortnight", cal_end, 0, nullptr) == CRMKIT_EINVALID);
  CHECK(last_has("unit 'fortnight'"));
  CHECK(crmkit_value_fit(&id, db, nullptr, "week", cal_end, 0, nullptr) == CRMKIT_EINVALID);
  CHECK(last_has("kind is NULL"));
  CHECK(crmkit_value_fit(&id, db, "bgnbd", "week", cal_end, 0, "usd") == CRMKIT_EINVALID);
  CHECK(crmkit_value_fit(&id, db, "bgnbd", "week", end_of(1996, 1, 1), 0, nullptr) == CRMKIT_EINVALID);
  CHECK(last_has("nothing to fit"));
  CHECK(crmkit_value_fit(nullptr, db, "bgnbd", "week", cal_end, 0, nullptr) == CRMKIT_EINVALID);
  CHECK(models_json(db) == before);

  REQUIRE(crmkit_value_customer_scores_json(&j, db, 1) == CRMKIT_OK);
  const std::string scores_before = take_owned(j);
  CHECK(capi_test::score(nullptr, db, cal_end, ScoreSpec{std::to_string(bg).c_str(), gg, std::nan(""), "week", 0.01, 1.0}) == CRMKIT_EINVALID);
  CHECK(last_has("horizon"));
  CHECK(capi_test::score(nullptr, db, cal_end, ScoreSpec{std::to_string(bg).c_str(), gg, -5, "week", 0.01, 1.0}) == CRMKIT_EINVALID);
  CHECK(capi_test::score(nullptr, db, cal_end, ScoreSpec{std::to_string(bg).c_str(), gg, INFINITY, "week", 0.01, 1.0}) == CRMKIT_EINVALID);
  CHECK(capi_test::score(nullptr, db, cal_end, ScoreSpec{std::to_string(bg).c_str(), gg, 5, "year", 0.01, 1.0}) == CRMKIT_EINVALID);
  CHECK(last_has("horizon_unit 'year'"));
  CHECK(capi_test::score(nullptr, db, cal_end, ScoreSpec{std::to_string(bg).c_str(), gg, 5, "week", -0.1, 1.0}) == CRMKIT_EINVALID);
  CHECK(capi_test::score(nullptr, db, cal_end, ScoreSpec{std::to_string(bg).c_str(), gg, 5, "week", 0.01, 1.5}) == CRMKIT_EINVALID);
  CHECK(capi_test::score(nullptr, db, cal_end, ScoreSpec{std::to_string(gg).c_str(), 0, 5, "week", 0.01, 1.0}) == CRMKIT_EINVALID);
  CHECK(capi_test::score(nullptr, db, cal_end, ScoreSpec{std::to_string(bg).c_str(), bg, 5, "week", 0.01, 1.0}) == CRMKIT_EINVALID);
  CHECK(capi_test::score(nullptr, db, cal_end, ScoreSpec{"9999", 0, 5, "week", 0.01, 1.0}) == CRMKIT_ENOTFOUND);
  CHECK(capi_test::score(nullptr, db, cal_end, ScoreSpec{std::to_string(bg).c_str(), -1, 5, "week", 0.01, 1.0}) == CRMKIT_EINVALID);
  REQUIRE(crmkit_value_customer_scores_json(&j, db, 1) == CRMKIT_OK);
  CHECK(take_owned(j) == scores_before);

  CHECK(crmkit_value_model_json(&j, db, 9999) == CRMKIT_ENOTFOUND);
  CHECK(j == nullptr);
  CHECK(crmkit_value_customer_scores_json(&j, db, 99999) == CRMKIT_ENOTFOUND);
  CHECK(crmkit_value_validate_json(&j, db, gg, end_of(1998, 6, 30)) == CRMKIT_EINVALID);
  CHECK(crmkit_value_validate_json(&j, db, bg, cal_end) == CRMKIT_EINVALID);
  CHECK(crmkit_value_fit(&id, nullptr, "bgnbd", "week", cal_end, 0, nullptr) == CRMKIT_EINVALID);
  crmkit_db_close(db);
}

TEST_CASE("value C API: RFM JSON, options, iterator and maps, bad maps change nothing", "[capi][value]") {
  crmkit_db* db = nullptr;
  REQUIRE(open_test_db(&db) == CRMKIT_OK);
  // Ten customers, customer i buys i times (one a day from 2024-01-01) for 10 USD each.
  const int64_t start = days_from_civil(2024, 1, 1) * kDay;
  for (int i = 1; i <= 10; ++i) {
    crmkit_customer* c = nullptr;
    REQUIRE(crmkit_customer_new(&c) == CRMKIT_OK);
    REQUIRE(crmkit_customer_set_text(c, "external_id", ("c" + std::to_string(i)).c_str()) == CRMKIT_OK);
    REQUIRE(crmkit_customer_set_created_at(c, 0) == CRMKIT_OK);
    int64_t id = 0;
    REQUIRE(crmkit_customer_create(&id, db, c) == CRMKIT_OK);
    crmkit_customer_free(c);
    for (int k = 0; k < i; ++k) {
      crmkit_interaction* rec = nullptr;
      REQUIRE(crmkit_interaction_new(&rec) == CRMKIT_OK);
      crmkit_interaction_set_customer_id(rec, id);
      crmkit_interaction_set_kind(rec, "purchase");
      crmkit_interaction_set_channel(rec, "store");
      crmkit_interaction_set_occurred_at(rec, start + k * kDay);
      crmkit_interaction_set_amount(rec, 1000, "USD");
      int64_t iid = 0;
      REQUIRE(crmkit_interaction_record(&iid, db, rec) == CRMKIT_OK);
      crmkit_interaction_free(rec);
    }
  }
  const int64_t as_of = end_of(2024, 1, 10);

  crmkit_rfm_iter* it = nullptr;
  REQUIRE(crmkit_rfm_iter_new(&it, db, as_of, "{\"method\":\"ntile\",\"map\":\"rf_grid\"}") == CRMKIT_OK);
  CHECK(crmkit_rfm_iter_customer_id(it) == 0);  // not on a row yet
  char* j = nullptr;
  CHECK(crmkit_rfm_iter_json(&j, it) == CRMKIT_EMISUSE);
  int rows = 0;
  while (crmkit_rfm_iter_next(it) == CRMKIT_OK) {
    ++rows;
    const int64_t id = crmkit_rfm_iter_customer_id(it);
    CHECK(crmkit_rfm_iter_frequency(it) == id);
    CHECK(crmkit_rfm_iter_monetary(it) == 1000 * id);
    CHECK(crmkit_rfm_iter_recency_days(it) == 10 - id);
    // Two customers per bucket: F = M = ceil(id / 2); recency reversed.
    CHECK(crmkit_rfm_iter_f(it) == (id + 1) / 2);
    CHECK(crmkit_rfm_iter_m(it) == (id + 1) / 2);
    CHECK(crmkit_rfm_iter_r(it) == (id + 1) / 2);
    CHECK(std::string(crmkit_rfm_iter_currency(it)) == "USD");
    if (id == 10) CHECK(std::string(crmkit_rfm_iter_segment(it)) == "Champions");
    if (id == 1) CHECK(std::string(crmkit_rfm_iter_segment(it)) == "Hibernating");
  }
  CHECK(rows == 10);
  CHECK(crmkit_rfm_iter_next(it) == CRMKIT_DONE);
  CHECK(crmkit_rfm_iter_currency(it) == nullptr);  // no current row

  // The iterator outlives the database handle.
  crmkit_rfm_iter* late = nullptr;
  REQUIRE(crmkit_rfm_iter_new(&late, db, as_of, "{\"map\":\"rfm_cells\"}") == CRMKIT_OK);

  REQUIRE(crmkit_value_customer_rfm_json(&j, db, 10) == CRMKIT_OK);
  const std::string stored = take_owned(j);
  CHECK(stored.find("\"map_name\":\"rfm_cells\"") != std::string::npos);
  CHECK(stored.find("\"segment\":\"Champions\"") != std::string::npos);

  // Refusals: specific codes, customer_rfm unchanged.
  crmkit_rfm_iter* bad = reinterpret_cast<crmkit_rfm_iter*>(0x1);
  CHECK(crmkit_rfm_iter_new(&bad, db, as_of, "{\"method\":\"deciles\"}") == CRMKIT_EINVALID);
  CHECK(bad == nullptr);
  CHECK(last_has("method 'deciles'"));
  CHECK(crmkit_value_rfm_assign_json(&j, db, as_of, "{\"map\":\"nope\"}") == CRMKIT_ENOTFOUND);
  CHECK(last_has("not a built-in map"));
  CHECK(crmkit_value_rfm_assign_json(&j, db, as_of, "{\"custom_map\":[{\"name\":}") == CRMKIT_EINVALID);
  CHECK(last_has("malformed JSON"));
  CHECK(crmkit_value_rfm_assign_json(&j, db, as_of, "{\"custom_map\":[{\"name\":\"x\",\"r\":[5,1]}]}") ==
        CRMKIT_EINVALID);
  CHECK(crmkit_value_rfm_assign_json(&j, db, as_of, "{\"map\":\"rf_grid\",\"custom_map\":[{\"name\":\"x\"}]}") == CRMKIT_EINVALID);
  CHECK(crmkit_value_rfm_assign_json(&j, db, as_of,
                                     "{\"custom_map\":{\"name\":\"rf_grid\",\"rules\":[{\"name\":\"x\"}]}}") == CRMKIT_ECONFLICT);
  CHECK(crmkit_value_rfm_assign_json(&j, db, as_of, "{\"method\":\"custom\"}") == CRMKIT_EINVALID);
  CHECK(crmkit_value_rfm_assign_json(&j, db, as_of, "{\"bins\":0}") == CRMKIT_EINVALID);
  CHECK(crmkit_value_rfm_assign_json(&j, db, as_of, "{\"colour\":1}") == CRMKIT_EINVALID);
  CHECK(last_has("unknown member 'colour'"));
  CHECK(crmkit_value_rfm_assign_json(&j, db, as_of, "{\"method\":\"custom\",\"cuts\":{\"frequency\":[5,2]}}") ==
        CRMKIT_EINVALID);
  CHECK(crmkit_value_rfm_assign_json(nullptr, db, as_of, nullptr) == CRMKIT_EINVALID);
  REQUIRE(crmkit_value_customer_rfm_json(&j, db, 10) == CRMKIT_OK);
  CHECK(take_owned(j) == stored);

  // JSON forms.
  REQUIRE(crmkit_value_rfm_assign_json(&j, db, as_of, "{\"method\":\"quantile\",\"map\":\"rfm_tests\"}") == CRMKIT_OK);
  std::string all = take_owned(j);
  CHECK(all.find("\"map_name\":\"rfm_tests\"") != std::string::npos);
  CHECK(all.find("\"customers\":[") != std::string::npos);
  REQUIRE(crmkit_value_rfm_assign_json(
              &j, db,
              as_of,
              "{\"method\":\"custom\",\"cuts\":{\"recency\":[3],\"frequency\":[5],\"monetary\":[50]},"
              "\"custom_map\":{\"name\":\"split\",\"rules\":[{\"name\":\"Big\",\"f\":[2,2]}],\"unmatched\":\"Small\"},"
              "\"customers\":false}") == CRMKIT_OK);
  std::string split = take_owned(j);
  CHECK(split.find("\"customers\":[") == std::string::npos);
  CHECK(split.find("{\"customers\":6,\"orders\":45,\"revenue\":450.0,\"segment\":\"Big\"}") != std::string::npos);
  REQUIRE(crmkit_value_customer_rfm_json(&j, db, 3) == CRMKIT_OK);
  CHECK(take_owned(j).find("\"segment\":\"Small\"") != std::string::npos);

  REQUIRE(crmkit_value_rfm_maps_json(&j) == CRMKIT_OK);
  std::string maps = take_owned(j);
  for (const char* n : {"rf_grid", "rfm_readme", "rfm_tests", "rfm_cells", "r_vs_fm"})
    CHECK(maps.find(std::string("\"name\":\"") + n + "\"") != std::string::npos);
  CHECK(crmkit_value_rfm_maps_json(nullptr) == CRMKIT_EINVALID);
  CHECK(crmkit_value_customer_rfm_json(&j, db, 424242) == CRMKIT_ENOTFOUND);

  crmkit_db_close(db);
  int n = 0;
  while (crmkit_rfm_iter_next(late) == CRMKIT_OK) ++n;
  CHECK(n == 10);
  crmkit_rfm_iter_free(late);
  crmkit_rfm_iter_free(it);
  crmkit_rfm_iter_free(nullptr);
}

// ---- issue #11: predictions say which model made them; lifecycle stages ----------------------

namespace {

int64_t new_customer(crmkit_db* db, const std::string& ext, const char* stage = nullptr) {
  crmkit_customer* c = nullptr;
  REQUIRE(crmkit_customer_new(&c) == CRMKIT_OK);
  REQUIRE(crmkit_customer_set_text(c, "external_id", ext.c_str()) == CRMKIT_OK);
  if (stage) REQUIRE(crmkit_customer_set_text(c, "lifecycle_stage", stage) == CRMKIT_OK);
  REQUIRE(crmkit_customer_set_created_at(c, 0) == CRMKIT_OK);
  int64_t id = 0;
  REQUIRE(crmkit_customer_create(&id, db, c) == CRMKIT_OK);
  crmkit_customer_free(c);
  return id;
}

void record(crmkit_db* db, int64_t customer, int64_t at, const char* kind, int64_t minor) {
  crmkit_interaction* rec = nullptr;
  REQUIRE(crmkit_interaction_new(&rec) == CRMKIT_OK);
  REQUIRE(crmkit_interaction_set_kind(rec, kind) == CRMKIT_OK);
  REQUIRE(crmkit_interaction_set_channel(rec, "web") == CRMKIT_OK);
  REQUIRE(crmkit_interaction_set_customer_id(rec, customer) == CRMKIT_OK);
  REQUIRE(crmkit_interaction_set_occurred_at(rec, at) == CRMKIT_OK);
  if (minor) REQUIRE(crmkit_interaction_set_amount(rec, minor, "USD") == CRMKIT_OK);
  int64_t id = 0;
  REQUIRE(crmkit_interaction_record(&id, db, rec) == CRMKIT_OK);
  crmkit_interaction_free(rec);
}

// 40 customers with 1..5 purchase days in the first half of 2024.
void small_shop(crmkit_db* db) {
  const int64_t d0 = days_from_civil(2024, 1, 1) * kDay;
  for (int i = 0; i < 40; ++i) {
    int64_t id = new_customer(db, "c" + std::to_string(i));
    for (int k = 0; k <= i % 5; ++k) record(db, id, d0 + (i + 7 * k * (1 + i % 3)) * kDay, "purchase", 1000 + 100 * k);
  }
}

std::string customer_json(crmkit_db* db, int64_t id) {
  char* j = nullptr;
  REQUIRE(crmkit_customer_get_json(&j, db, id) == CRMKIT_OK);
  return take_owned(j);
}

std::string predict(crmkit_db* db, const char* model, int64_t as_of) {
  char* j = nullptr;
  const int rc = capi_test::score_json(&j, db, as_of, ScoreSpec{model, 0, 30, "day", 0.01, 1.0});
  if (rc != CRMKIT_OK) return "error " + std::to_string(rc) + ": " + crmkit_last_error_message();
  return take_owned(j);
}

}  // namespace

TEST_CASE("value C API: predict uses the best log-likelihood, names the model, warns", "[capi][value][predict]") {
  crmkit_db* db = nullptr;
  REQUIRE(open_test_db(&db) == CRMKIT_OK);
  small_shop(db);
  const int64_t cal = end_of(2024, 6, 30);
  const char* kinds[] = {"bgnbd", "pnbd", "mbgnbd"};
  int64_t ids[3];
  double ll[3];
  for (int k = 0; k < 3; ++k) {
    REQUIRE(crmkit_value_fit(&ids[k], db, kinds[k], "day", cal, 100 + k, nullptr) == CRMKIT_OK);
    char* j = nullptr;
    REQUIRE(crmkit_value_model_json(&j, db, ids[k]) == CRMKIT_OK);
    ll[k] = json_number(take_owned(j), "log_likelihood");
  }
  int best = 0, worst = 0;
  for (int k = 1; k < 3; ++k) {
    if (ll[k] > ll[best]) best = k;
    if (ll[k] < ll[worst]) worst = k;
  }
  REQUIRE(ll[worst] < ll[best]);
  // Refit the worst kind last: the newest fit is now the worst one, and must not be chosen.
  int64_t newest = 0;
  REQUIRE(crmkit_value_fit(&newest, db, kinds[worst], "day", cal, 500, nullptr) == CRMKIT_OK);

  std::string out = predict(db, nullptr, cal);
  CHECK(json_number(out, "id") == ids[best]);
  CHECK(out.find("\"kind\":\"" + std::string(kinds[best]) + "\"") != std::string::npos);
  CHECK(out.find("\"calibration_end\":" + std::to_string(cal)) != std::string::npos);
  CHECK(out.find("\"params\":{") != std::string::npos);
  CHECK(out.find("\"warnings\":[]") != std::string::npos);
  char* sj = nullptr;
  REQUIRE(crmkit_value_customer_scores_json(&sj, db, 1) == CRMKIT_OK);
  CHECK(json_number(take_owned(sj), "model_id") == ids[best]);
  // crmkit_value_score with model id 0 makes the same choice.
  int64_t scored = 0;
  REQUIRE(capi_test::score(&scored, db, cal, ScoreSpec{nullptr, 0, 30, "day", 0.01, 1.0}) == CRMKIT_OK);
  CHECK(scored == 40);

  // Named: a kind (its own best), an id.
  CHECK(json_number(predict(db, kinds[worst], cal), "id") == newest);  // a tie in LL goes to the latest fit
  CHECK(json_number(predict(db, std::to_string(ids[best]).c_str(), cal), "id") == ids[best]);

  // Before the calibration end: a warning in the result.
  out = predict(db, nullptr, end_of(2024, 6, 1));
  CHECK(out.find("\"code\":\"before_calibration_end\"") != std::string::npos);

  // Refusals: specific codes, scores unchanged.
  char* j = nullptr;
  CHECK(capi_test::score_json(&j, db, cal, ScoreSpec{"gg", 0, 30, "day", 0.01, 1.0}) == CRMKIT_EINVALID);
  CHECK(last_has("spend model"));
  CHECK(capi_test::score_json(&j, db, cal, ScoreSpec{"12x", 0, 30, "day", 0.01, 1.0}) == CRMKIT_EINVALID);
  CHECK(last_has("model '12x' is not one of bgnbd, pnbd, mbgnbd or a model id"));
  CHECK(capi_test::score_json(&j, db, cal, ScoreSpec{"999", 0, 30, "day", 0.01, 1.0}) == CRMKIT_ENOTFOUND);
  CHECK(capi_test::score_json(&j, db, cal, ScoreSpec{nullptr, 0, -1, "day", 0.01, 1.0}) == CRMKIT_EINVALID);
  CHECK(capi_test::score_json(nullptr, db, cal, ScoreSpec{nullptr, 0, 30, "day", 0.01, 1.0}) == CRMKIT_EINVALID);
  CHECK(j == nullptr);
  crmkit_db_close(db);

  // An empty store: no model to choose.
  REQUIRE(open_test_db(&db) == CRMKIT_OK);
  CHECK(capi_test::score_json(&j, db, cal, ScoreSpec{nullptr, 0, 30, "day", 0.01, 1.0}) == CRMKIT_ENOTFOUND);
  CHECK(last_has("no transaction model is saved"));
  crmkit_db_close(db);
}

TEST_CASE("customers C API: lifecycle stages follow purchases and the churn rule", "[capi][customers][lifecycle]") {
  crmkit_db* db = nullptr;
  REQUIRE(open_test_db(&db) == CRMKIT_OK);
  const int64_t d0 = days_from_civil(2024, 1, 1) * kDay;
  const int64_t a = new_customer(db, "a");
  const int64_t b = new_customer(db, "b");
  const int64_t pinned = new_customer(db, "pinned", "prospect");
  record(db, a, d0, "support", 0);
  CHECK(customer_json(db, a).find("\"lifecycle_stage\":\"lead\"") != std::string::npos);
  record(db, a, d0, "purchase", 500);
  record(db, b, d0 + 60 * kDay, "purchase", 500);
  record(db, pinned, d0, "purchase", 500);
  CHECK(customer_json(db, a).find("\"lifecycle_stage\":\"customer\"") != std::string::npos);
  CHECK(customer_json(db, a).find("\"lifecycle_manual\":false") != std::string::npos);
  CHECK(customer_json(db, pinned).find("\"lifecycle_stage\":\"prospect\"") != std::string::npos);
  CHECK(customer_json(db, pinned).find("\"lifecycle_manual\":true") != std::string::npos);

  char* j = nullptr;
  REQUIRE(crmkit_customer_lifecycle_rule_json(&j, db) == CRMKIT_OK);
  CHECK(take_owned(j) == "{\"churn_rule\":\"no_purchase\",\"p_alive_threshold\":0.5,\"window_days\":180}");
  REQUIRE(crmkit_customer_set_lifecycle_rule(db, "no_purchase", 45, 0.5) == CRMKIT_OK);
  // as_of 2024-03-31: a (2024-01-01) lapsed, b (2024-03-01) inside the 45 days, pinned skipped.
  REQUIRE(crmkit_customer_update_lifecycle_json(&j, db, end_of(2024, 3, 31), 0) == CRMKIT_OK);
  std::string u = take_owned(j);
  CHECK(json_number(u, "evaluated") == 2);
  CHECK(u.find("\"moves\":[{\"customers\":1,\"from\":\"customer\",\"to\":\"churned\"}]") != std::string::npos);
  REQUIRE(crmkit_customer_update_lifecycle_json(&j, db, end_of(2024, 3, 31), 0) == CRMKIT_OK);
  CHECK(take_owned(j).find("\"moves\":[]") != std::string::npos);  // idempotent
  REQUIRE(crmkit_customer_update_lifecycle_json(&j, db, end_of(2024, 3, 31), 1) == CRMKIT_OK);
  u = take_owned(j);
  CHECK(u.find("{\"customers\":1,\"from\":\"prospect\",\"to\":\"churned\"}") != std::string::npos);

  // Bad input: named, nothing saved.
  CHECK(crmkit_customer_set_lifecycle_rule(db, "sometimes", 45, 0.5) == CRMKIT_EINVALID);
  CHECK(last_has("churn_rule 'sometimes'"));
  CHECK(crmkit_customer_set_lifecycle_rule(db, "no_purchase", int64_t(1) << 33, 0.5) == CRMKIT_EINVALID);
  CHECK(last_has("window_days 8589934592 is out of range"));  // refused, not narrowed to int
  CHECK(crmkit_customer_set_lifecycle_rule(db, "p_alive", 45, std::nan("")) == CRMKIT_EINVALID);
  CHECK(crmkit_customer_set_lifecycle_rule(db, nullptr, 45, 0.5) == CRMKIT_EINVALID);
  CHECK(crmkit_customer_update_lifecycle_json(&j, db, end_of(2024, 3, 31), 2) == CRMKIT_EINVALID);
  CHECK(crmkit_customer_update_lifecycle_json(&j, db, INT64_MAX, 0) == CRMKIT_EINVALID);
  REQUIRE(crmkit_customer_lifecycle_rule_json(&j, db) == CRMKIT_OK);
  CHECK(take_owned(j) == "{\"churn_rule\":\"no_purchase\",\"p_alive_threshold\":0.5,\"window_days\":45}");
  REQUIRE(crmkit_customer_set_lifecycle_rule(db, "p_alive", 45, 0.5) == CRMKIT_OK);
  CHECK(crmkit_customer_update_lifecycle_json(&j, db, end_of(2024, 3, 31), 0) == CRMKIT_EINVALID);
  CHECK(last_has("none are stored"));
  // The JSON upsert refuses the flag the store keeps.
  int64_t id = 0;
  CHECK(crmkit_customer_upsert_json(&id, nullptr, db, "{\"external_id\":\"a\",\"created_at\":1,\"lifecycle_manual\":true}") ==
        CRMKIT_EINVALID);
  CHECK(last_has("lifecycle_manual"));
  crmkit_db_close(db);
}
