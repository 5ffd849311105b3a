// Results for every customer out of the C API in bulk (crmkit.h only): the score and model
// input iterators, row by row and by columns, across the iterator's page boundary, against the
// per-customer JSON; and their answers without a row and to bad arguments.
#include <catch2/catch.hpp>

#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <vector>

#include "capi/test_db.hpp"
#include "crmkit.h"
#include "options_fixture.hpp"

namespace {

constexpr int64_t kDay = 86'400'000;
constexpr int64_t kStart = 19'000 * kDay;
constexpr int64_t kEnd = kStart + 400 * kDay;
constexpr int kCustomers = 2'345;  // more than one page of the score iterator (2,000 rows)

double json_number(const std::string& json, const std::string& key) {
  auto p = json.find("\"" + key + "\":");
  REQUIRE(p != std::string::npos);
  if (json.compare(p + key.size() + 3, 4, "null") == 0) return std::nan("");
  return std::strtod(json.c_str() + p + key.size() + 3, nullptr);
}

bool same(double a, double b) { return (std::isnan(a) && std::isnan(b)) || a == b; }

// Customers 1..N; most buy on a few distinct days (deterministic), every seventh never buys.
crmkit_db* shop() {
  crmkit_db* db = nullptr;
  REQUIRE(open_test_db(&db) == CRMKIT_OK);
  crmkit_customer* c = nullptr;
  REQUIRE(crmkit_customer_new(&c) == CRMKIT_OK);
  crmkit_interaction* rec = nullptr;
  REQUIRE(crmkit_interaction_new(&rec) == CRMKIT_OK);
  crmkit_batch* batch = nullptr;
  REQUIRE(crmkit_batch_new(&batch) == CRMKIT_OK);
  for (int i = 1; i <= kCustomers; ++i) {
    REQUIRE(crmkit_customer_set_text(c, "external_id", ("c" + std::to_string(i)).c_str()) == CRMKIT_OK);
    REQUIRE(crmkit_customer_set_created_at(c, kStart) == CRMKIT_OK);
    int64_t id = 0;
    REQUIRE(crmkit_customer_create(&id, db, c) == CRMKIT_OK);
    if (i % 7 == 0) continue;
    const int purchases = 1 + (i * 37) % 5;
    for (int k = 0; k < purchases; ++k) {
      crmkit_interaction_set_customer_id(rec, id);
      crmkit_interaction_set_occurred_at(rec, kStart + ((i * 13 + k * 61) % 390) * kDay + k);
      crmkit_interaction_set_kind(rec, "purchase");
      crmkit_interaction_set_amount(rec, 500 + (i * k * 97) % 9000, "USD");
      REQUIRE(crmkit_batch_add(batch, rec) == CRMKIT_OK);
    }
  }
  crmkit_batch_result* res = nullptr;
  REQUIRE(crmkit_batch_commit(&res, db, batch) == CRMKIT_OK);
  crmkit_batch_result_free(res);
  crmkit_batch_free(batch);
  crmkit_interaction_free(rec);
  crmkit_customer_free(c);
  return db;
}

}  // namespace

TEST_CASE("bulk C API: every stored score by row and by columns, as the per-customer JSON says", "[capi][value][bulk]") {
  crmkit_db* db = shop();
  int64_t bg = 0, gg = 0, scored = 0;
  REQUIRE(crmkit_value_fit(&bg, db, "bgnbd", "week", kEnd, kEnd, nullptr) == CRMKIT_OK);
  REQUIRE(crmkit_value_fit(&gg, db, "gg", "week", kEnd, kEnd, nullptr) == CRMKIT_OK);
  REQUIRE(capi_test::score(&scored, db, kEnd, capi_test::ScoreSpec{std::to_string(bg).c_str(), gg, 12, "month", 0.01,
                                                                   1.0}) == CRMKIT_OK);
  CHECK(scored == kCustomers - kCustomers / 7);

  // Row by row, each row equal to the customer's JSON.
  crmkit_score_iter* it = nullptr;
  REQUIRE(crmkit_score_iter_new(&it, db, 0) == CRMKIT_OK);
  CHECK(crmkit_score_iter_customer_id(it) == 0);
  CHECK(std::isnan(crmkit_score_iter_p_alive(it)));  // no row yet
  char* j = nullptr;
  CHECK(crmkit_score_iter_json(&j, it) == CRMKIT_EMISUSE);
  std::vector<int64_t> ids;
  std::vector<double> clv;
  int64_t with_predictions = 0;
  while (crmkit_score_iter_next(it) == CRMKIT_OK) {
    const int64_t id = crmkit_score_iter_customer_id(it);
    ids.push_back(id);
    clv.push_back(crmkit_score_iter_predicted_clv(it));
    REQUIRE(crmkit_value_customer_scores_json(&j, db, id) == CRMKIT_OK);
    const std::string row(j);
    crmkit_free(j);
    INFO("customer " << id << ": " << row);
    CHECK(same(crmkit_score_iter_p_alive(it), json_number(row, "p_alive")));
    CHECK(same(crmkit_score_iter_expected_purchases(it), json_number(row, "expected_purchases")));
    CHECK(same(crmkit_score_iter_expected_spend(it), json_number(row, "expected_spend")));
    CHECK(same(crmkit_score_iter_predicted_clv(it), json_number(row, "predicted_clv")));
    CHECK(crmkit_score_iter_scored_at(it) == kEnd);
    if (!std::isnan(crmkit_score_iter_p_alive(it))) {
      ++with_predictions;
      CHECK(crmkit_score_iter_model_id(it) == bg);
      CHECK(crmkit_score_iter_spend_model_id(it) == gg);
      CHECK(std::string(crmkit_score_iter_horizon_unit(it)) == "month");
      CHECK(crmkit_score_iter_horizon(it) == 12);
      CHECK(std::string(crmkit_score_iter_currency(it)) == "USD");
    }
    REQUIRE(crmkit_score_iter_json(&j, it) == CRMKIT_OK);
    CHECK(std::string(j) == row);
    crmkit_free(j);
  }
  CHECK(crmkit_score_iter_next(it) == CRMKIT_DONE);
  CHECK(crmkit_score_iter_customer_id(it) == 0);
  CHECK(crmkit_score_iter_currency(it) == nullptr);
  crmkit_score_iter_free(it);
  REQUIRE(ids.size() == static_cast<std::size_t>(kCustomers));  // every customer, in id order
  for (std::size_t k = 0; k < ids.size(); ++k) CHECK(ids[k] == static_cast<int64_t>(k) + 1);
  CHECK(with_predictions == scored);

  // By columns, 333 rows a call (pages of the iterator are 2,000): the same values.
  REQUIRE(crmkit_score_iter_new(&it, db, 0) == CRMKIT_OK);
  std::vector<int64_t> col_ids(333);
  std::vector<double> col_clv(333);
  std::size_t seen = 0;
  int64_t rows = -1;
  int rc = 0;
  while ((rc = crmkit_score_iter_columns(&rows, it, 333, col_ids.data(), nullptr, nullptr, nullptr, col_clv.data())) ==
         CRMKIT_OK) {
    REQUIRE(rows > 0);
    for (int64_t k = 0; k < rows; ++k, ++seen) {
      CHECK(col_ids[static_cast<std::size_t>(k)] == ids[seen]);
      CHECK(same(col_clv[static_cast<std::size_t>(k)], clv[seen]));
    }
    // On the last row written; past the end once the rows ran out.
    CHECK(crmkit_score_iter_customer_id(it) == (rows == 333 ? ids[seen - 1] : 0));
  }
  CHECK(rc == CRMKIT_DONE);
  CHECK(rows == 0);
  CHECK(seen == ids.size());
  crmkit_score_iter_free(it);

  // Starting after a customer id.
  REQUIRE(crmkit_score_iter_new(&it, db, 2000) == CRMKIT_OK);
  REQUIRE(crmkit_score_iter_next(it) == CRMKIT_OK);
  CHECK(crmkit_score_iter_customer_id(it) == 2001);
  crmkit_score_iter_free(it);

  // Bad arguments.
  it = reinterpret_cast<crmkit_score_iter*>(0x1);
  CHECK(crmkit_score_iter_new(&it, db, -1) == CRMKIT_EINVALID);
  CHECK(it == nullptr);
  CHECK(crmkit_score_iter_new(&it, nullptr, 0) == CRMKIT_EINVALID);
  CHECK(crmkit_score_iter_new(nullptr, db, 0) == CRMKIT_EINVALID);
  CHECK(crmkit_score_iter_next(nullptr) == CRMKIT_EINVALID);
  CHECK(std::isnan(crmkit_score_iter_predicted_clv(nullptr)));
  REQUIRE(crmkit_score_iter_new(&it, db, 0) == CRMKIT_OK);
  rows = 7;
  CHECK(crmkit_score_iter_columns(&rows, it, -1, nullptr, nullptr, nullptr, nullptr, nullptr) == CRMKIT_EINVALID);
  CHECK(rows == 0);
  CHECK(crmkit_score_iter_columns(nullptr, it, 10, nullptr, nullptr, nullptr, nullptr, nullptr) == CRMKIT_EINVALID);
  CHECK(crmkit_score_iter_columns(&rows, nullptr, 10, nullptr, nullptr, nullptr, nullptr, nullptr) ==
        CRMKIT_EINVALID);
  CHECK(crmkit_score_iter_columns(&rows, it, 0, nullptr, nullptr, nullptr, nullptr, nullptr) == CRMKIT_OK);
  CHECK(rows == 0);
  CHECK(crmkit_score_iter_customer_id(it) == 0);  // capacity 0 moved nothing
  crmkit_score_iter_free(it);
  crmkit_score_iter_free(nullptr);
  crmkit_db_close(db);
}

TEST_CASE("bulk C API: model inputs by row and by columns", "[capi][value][bulk]") {
  crmkit_db* db = shop();
  crmkit_model_input_iter* it = nullptr;
  REQUIRE(crmkit_model_input_iter_new(&it, db, kEnd, "day", nullptr) == CRMKIT_OK);
  CHECK(crmkit_model_input_iter_customer_id(it) == 0);
  std::vector<int64_t> ids;
  std::vector<double> x, t_x, T, spend;
  while (crmkit_model_input_iter_next(it) == CRMKIT_OK) {
    ids.push_back(crmkit_model_input_iter_customer_id(it));
    x.push_back(crmkit_model_input_iter_x(it));
    t_x.push_back(crmkit_model_input_iter_t_x(it));
    T.push_back(crmkit_model_input_iter_T(it));
    spend.push_back(crmkit_model_input_iter_mean_spend(it));
    INFO("customer " << ids.back());
    CHECK(crmkit_model_input_iter_first_purchase(it) <= crmkit_model_input_iter_last_purchase(it));
    CHECK(t_x.back() <= T.back());
    CHECK((x.back() == 0) == (spend.back() == 0));
  }
  CHECK(crmkit_model_input_iter_x(it) == 0);
  crmkit_model_input_iter_free(it);
  CHECK(ids.size() == static_cast<std::size_t>(kCustomers - kCustomers / 7));  // the buyers

  // Weeks: the same customers, t_x and T divided by 7, by columns.
  REQUIRE(crmkit_model_input_iter_new(&it, db, kEnd, "week", "USD") == CRMKIT_OK);
  std::vector<int64_t> c_ids(1000);
  std::vector<double> c_x(1000), c_tx(1000), c_T(1000), c_spend(1000);
  std::size_t seen = 0;
  int64_t rows = 0;
  while (crmkit_model_input_iter_columns(&rows, it, 1000, c_ids.data(), c_x.data(), c_tx.data(), c_T.data(),
                                         c_spend.data()) == CRMKIT_OK) {
    for (int64_t k = 0; k < rows; ++k, ++seen) {
      const auto i = static_cast<std::size_t>(k);
      CHECK(c_ids[i] == ids[seen]);
      CHECK(c_x[i] == x[seen]);
      CHECK(c_tx[i] == Approx(t_x[seen] / 7));
      CHECK(c_T[i] == Approx(T[seen] / 7));
      CHECK(c_spend[i] == spend[seen]);
    }
  }
  CHECK(seen == ids.size());
  crmkit_model_input_iter_free(it);

  it = reinterpret_cast<crmkit_model_input_iter*>(0x1);
  CHECK(crmkit_model_input_iter_new(&it, db, kEnd, "month", nullptr) == CRMKIT_EINVALID);
  CHECK(it == nullptr);
  CHECK(std::string(crmkit_last_error_message()).find("month") != std::string::npos);
  CHECK(crmkit_model_input_iter_new(&it, db, kEnd, nullptr, nullptr) == CRMKIT_EINVALID);
  CHECK(crmkit_model_input_iter_new(&it, db, kEnd, "day", "usd") == CRMKIT_EINVALID);
  CHECK(crmkit_model_input_iter_new(nullptr, db, kEnd, "day", nullptr) == CRMKIT_EINVALID);
  CHECK(crmkit_model_input_iter_next(nullptr) == CRMKIT_EINVALID);
  crmkit_model_input_iter_free(nullptr);
  crmkit_db_close(db);
}
