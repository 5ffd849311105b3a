// C API: R rfm's entry points on plain columns (crmkit_rfm_*), against the R package's outputs
// (shared data, rfm/) and on hand-made cases; every status the header lists.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "crmkit.h"
#include "test_paths.hpp"  // CRMKIT_SHARED_DATA, CRMKIT_CLI, CRMKIT_CHILD (generated)

namespace {

const std::string kDir = std::string(CRMKIT_SHARED_DATA) + "/rfm/";
constexpr std::int64_t kDayMs = 86'400'000;

// "2006-12-31" -> days since 1970-01-01 (civil calendar).
std::int64_t days_from_civil(int y, unsigned m, unsigned d) {
  y -= m <= 2;
  const int era = (y >= 0 ? y : y - 399) / 400;
  const unsigned yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097LL + static_cast<std::int64_t>(doe) - 719468;
}
std::int64_t day_ms(const std::string& iso) {
  return days_from_civil(std::stoi(iso.substr(0, 4)), static_cast<unsigned>(std::stoi(iso.substr(5, 2))),
                         static_cast<unsigned>(std::stoi(iso.substr(8, 2)))) * kDayMs;
}

// Fields of a CSV line with optional double quotes (no embedded commas in these files' quotes
// other than names, which have none).
std::vector<std::string> fields(const std::string& line) {
  std::vector<std::string> out;
  std::string f;
  bool quoted = false;
  for (char c : line) {
    if (c == '"') quoted = !quoted;
    else if (c == ',' && !quoted) { out.push_back(f); f.clear(); }
    else if (c != '\r') f += c;
  }
  out.push_back(f);
  return out;
}
std::vector<std::vector<std::string>> read_csv(const std::string& file) {
  std::ifstream in(kDir + file);
  std::vector<std::vector<std::string>> rows;
  std::string line;
  std::getline(in, line);  // header
  while (std::getline(in, line))
    if (!line.empty()) rows.push_back(fields(line));
  return rows;
}

bool have_data() {
  std::ifstream f(kDir + "rfm_data_orders.csv");
  if (f.good()) return true;
  WARN("skipped: " << kDir << " not found (shared reference data of the R package rfm)");
  return false;
}

struct Table {
  std::vector<std::int64_t> id, recency, orders;
  std::vector<double> revenue;
  std::vector<int> r, f, m, score;
  void resize(std::size_t n) {
    id.resize(n); recency.resize(n); orders.resize(n); revenue.resize(n);
    r.resize(n); f.resize(n); m.resize(n); score.resize(n);
  }
};

}  // namespace

TEST_CASE("C rfm: order and customer tables equal R rfm_table_order / rfm_table_customer", "[capi][rfm]") {
  if (!have_data()) return;
  auto orders = read_csv("rfm_data_orders.csv");
  std::vector<std::string> names;
  for (auto& o : orders) names.push_back(o[0]);
  std::sort(names.begin(), names.end());
  names.erase(std::unique(names.begin(), names.end()), names.end());
  std::map<std::string, std::int64_t> id;
  for (std::size_t i = 0; i < names.size(); ++i) id[names[i]] = static_cast<std::int64_t>(i + 1);
  std::vector<std::int64_t> cid, at;
  std::vector<double> rev;
  for (auto& o : orders) {
    cid.push_back(id.at(o[0]));
    at.push_back(day_ms(o[1]));
    rev.push_back(std::stod(o[2]));
  }
  const std::int64_t as_of = day_ms("2006-12-31") + kDayMs;  // the end of R's analysis date
  Table t;
  t.resize(cid.size());
  std::size_t n = 0;
  // NULL options: R's defaults (quantile, 5 bins).
  REQUIRE(crmkit_rfm_table_orders(&n, t.id.data(), t.recency.data(), t.orders.data(), t.revenue.data(), t.r.data(),
                                  t.f.data(), t.m.data(), t.score.data(), t.id.size(), cid.data(), at.data(),
                                  rev.data(), cid.size(), as_of, nullptr) == CRMKIT_OK);
  REQUIRE(n == 995);
  auto oracle = read_csv("oracle_rfm_scores_r_rfm_0.3.0.csv");
  REQUIRE(oracle.size() == 995);
  std::map<std::int64_t, std::vector<std::string>> by_id;
  for (auto& o : oracle) by_id[id.at(o[0])] = o;
  int bad = 0;
  for (std::size_t i = 0; i < n; ++i) {
    const auto& o = by_id.at(t.id[i]);
    if (t.recency[i] != std::stoll(o[1]) || t.orders[i] != std::stoll(o[2]) || t.revenue[i] != std::stod(o[3]) ||
        t.r[i] != std::stoi(o[4]) || t.f[i] != std::stoi(o[5]) || t.m[i] != std::stoi(o[6]) ||
        t.score[i] != std::stoi(o[7]))
      ++bad;
  }
  CHECK(bad == 0);

  // Customer level: R's aggregated columns in, the same scores out, at the rows' indexes.
  std::vector<std::int64_t> ids, cnt, rec;
  std::vector<double> amount;
  for (auto& o : oracle) {
    ids.push_back(id.at(o[0]));
    rec.push_back(std::stoll(o[1]));
    cnt.push_back(std::stoll(o[2]));
    amount.push_back(std::stod(o[3]));
  }
  std::vector<int> r(ids.size()), f(ids.size()), m(ids.size()), s(ids.size());
  REQUIRE(crmkit_rfm_table_customers(r.data(), f.data(), m.data(), s.data(), ids.data(), cnt.data(), rec.data(),
                                     amount.data(), ids.size(), nullptr) == CRMKIT_OK);
  bad = 0;
  for (std::size_t i = 0; i < ids.size(); ++i)
    if (r[i] != std::stoi(oracle[i][4]) || f[i] != std::stoi(oracle[i][5]) || m[i] != std::stoi(oracle[i][6]) ||
        s[i] != std::stoi(oracle[i][7]))
      ++bad;
  CHECK(bad == 0);

  // R's custom thresholds equal to its quantile cut points give R's scores again.
  crmkit_rfm_options* o = nullptr;
  REQUIRE(crmkit_rfm_options_new(&o) == CRMKIT_OK);
  const double rc[] = {115, 181, 297.4, 482}, fc[] = {4, 5, 6, 8}, mc[] = {255.8, 382, 506.4, 666};
  REQUIRE(crmkit_rfm_options_set_cuts(o, "recency", rc, 4) == CRMKIT_OK);
  REQUIRE(crmkit_rfm_options_set_cuts(o, "frequency", fc, 4) == CRMKIT_OK);
  REQUIRE(crmkit_rfm_options_set_cuts(o, "monetary", mc, 4) == CRMKIT_OK);
  std::vector<int> r2(ids.size()), f2(ids.size()), m2(ids.size());
  REQUIRE(crmkit_rfm_table_customers(r2.data(), f2.data(), m2.data(), nullptr, ids.data(), cnt.data(), rec.data(),
                                     amount.data(), ids.size(), o) == CRMKIT_OK);
  CHECK(r2 == r);
  CHECK(f2 == f);
  CHECK(m2 == m);
  // Other method: ntile changes some scores (ties split), so the option is really used.
  REQUIRE(crmkit_rfm_options_set_method(o, "ntile") == CRMKIT_OK);
  REQUIRE(crmkit_rfm_table_customers(nullptr, f2.data(), nullptr, nullptr, ids.data(), cnt.data(), rec.data(),
                                     amount.data(), ids.size(), o) == CRMKIT_OK);
  CHECK(f2 != f);
  crmkit_rfm_options_free(o);

  // R rfm_segment with the README bound lists, then the summary (R's figures).
  const char* seg_names[] = {"Champions", "Potential Loyalist", "Loyal Customers", "Promising", "New Customers",
                             "Can't Lose Them", "At Risk", "Need Attention", "About To Sleep", "Lost"};
  const double rl[] = {5, 3, 2, 3, 4, 1, 1, 1, 2, 1}, ru[] = {5, 5, 4, 4, 5, 2, 2, 3, 3, 1};
  const double fl[] = {5, 3, 2, 1, 1, 3, 2, 3, 1, 1}, fu[] = {5, 5, 4, 3, 3, 4, 5, 5, 3, 5};
  const double ml[] = {5, 2, 2, 3, 1, 4, 4, 3, 1, 1}, mu[] = {5, 5, 4, 5, 5, 5, 5, 5, 4, 5};
  std::vector<int> seg(ids.size());
  REQUIRE(crmkit_rfm_segment(seg.data(), r.data(), f.data(), m.data(), ids.size(), seg_names, rl, ru, fl, fu, ml, mu,
                             10) == CRMKIT_OK);
  auto segments = read_csv("oracle_rfm_segments_r_rfm_0.3.0.csv");
  std::map<std::string, std::string> expected;
  for (auto& x : segments) expected[x[0]] = x[1];
  std::vector<const char*> seg_text;
  bad = 0;
  for (std::size_t i = 0; i < ids.size(); ++i) {
    seg_text.push_back(seg[i] < 0 ? "Others" : seg_names[seg[i]]);
    if (expected.at(oracle[i][0]) != seg_text.back()) ++bad;
  }
  CHECK(bad == 0);
  std::vector<std::size_t> first(ids.size());
  std::vector<std::int64_t> customers(ids.size()), sum_orders(ids.size());
  std::vector<double> sum_revenue(ids.size()), aov(ids.size()), cs(ids.size()), os(ids.size()), rs(ids.size());
  std::size_t groups = 0;
  REQUIRE(crmkit_rfm_segment_summary(&groups, first.data(), customers.data(), sum_orders.data(), sum_revenue.data(),
                                     aov.data(), cs.data(), os.data(), rs.data(), ids.size(), seg_text.data(),
                                     cnt.data(), amount.data(), nullptr, ids.size()) == CRMKIT_OK);
  REQUIRE(groups == 10);
  CHECK(std::string(seg_text[first[0]]) == "Potential Loyalist");
  CHECK(customers[0] == 342);
  CHECK(sum_orders[0] == 2211);
  CHECK(sum_revenue[0] == 204856);
  CHECK(aov[0] == Approx(204856.0 / 2211).epsilon(1e-15));
  CHECK(cs[0] == Approx(342.0 / 995).epsilon(1e-15));
  CHECK(std::string(seg_text[first[9]]) == "Promising");
  CHECK(customers[9] == 9);
  CHECK(sum_revenue[9] == 4249);
  double share = 0;
  for (std::size_t i = 0; i < groups; ++i) share += rs[i];
  CHECK(share == Approx(1.0).epsilon(1e-12));
}

TEST_CASE("C rfm: summary per currency, first rule wins, capacity and every status", "[capi][rfm]") {
  const char* seg[] = {"A", "B", "A"};
  const std::int64_t orders[] = {2, 1, 4};
  const double revenue[] = {20, 5, 1000};
  const char* cur[] = {"USD", "USD", "EUR"};
  std::size_t n = 99, first[3];
  std::int64_t customers[3];
  double rev[3], share[3];
  REQUIRE(crmkit_rfm_segment_summary(&n, first, customers, nullptr, rev, nullptr, nullptr, nullptr, share, 3, seg,
                                     orders, revenue, cur, 3) == CRMKIT_OK);
  REQUIRE(n == 3);
  CHECK(first[0] == 2);  // EUR A: never added to USD A
  CHECK(rev[0] == 1000);
  CHECK(share[0] == 1.0);
  CHECK(first[1] == 0);
  CHECK(rev[1] == 20);
  CHECK(share[1] == Approx(20.0 / 25));
  // Too small a capacity: EINVALID naming it, count 0.
  CHECK(crmkit_rfm_segment_summary(&n, first, nullptr, nullptr, nullptr, nullptr, nullptr, nullptr, nullptr, 2, seg,
                                   orders, revenue, cur, 3) == CRMKIT_EINVALID);
  CHECK(n == 0);
  CHECK(std::string(crmkit_last_error_message()).find("capacity 2 is less than the 3 segments") != std::string::npos);

  // First rule wins; a NULL bound array is unbounded.
  const int r[] = {5, 5, 2}, f[] = {5, 1, 2}, m[] = {5, 1, 2};
  const char* names[] = {"Best", "Recent"};
  const double rl[] = {5, 5}, fl[] = {5, 1};
  int out[3];
  REQUIRE(crmkit_rfm_segment(out, r, f, m, 3, names, rl, nullptr, fl, nullptr, nullptr, nullptr, 2) == CRMKIT_OK);
  CHECK(out[0] == 0);
  CHECK(out[1] == 1);
  CHECK(out[2] == -1);

  // Order table: capacity below the customers.
  const std::int64_t ids[] = {1, 2, 1}, at[] = {0, 0, kDayMs};
  const double rv[] = {1, 2, 3};
  std::size_t count = 7;
  std::int64_t out_id[2], out_rec[2], out_orders[2];
  double out_rev[2];
  CHECK(crmkit_rfm_table_orders(&count, out_id, nullptr, nullptr, nullptr, nullptr, nullptr, nullptr, nullptr, 1, ids,
                                at, rv, 3, 3 * kDayMs, nullptr) == CRMKIT_EINVALID);
  CHECK(count == 0);
  REQUIRE(crmkit_rfm_table_orders(&count, out_id, out_rec, out_orders, out_rev, nullptr, nullptr, nullptr, nullptr, 2,
                                  ids, at, rv, 3, 3 * kDayMs, nullptr) == CRMKIT_OK);
  REQUIRE(count == 2);
  CHECK(out_id[0] == 1);
  CHECK(out_rec[0] == 1);  // last order on day 1, as_of the end of day 2
  CHECK(out_orders[0] == 2);
  CHECK(out_rev[0] == 4);
  CHECK(out_rec[1] == 2);

  // Statuses with their messages.
  struct Bad { int rc; const char* needle; };
  const double nan = std::nan("");
  const double rv_nan[] = {1, nan, 3};
  const std::int64_t neg[] = {-1};
  const std::int64_t one[] = {1};
  const double five[] = {5};
  int rr[1];
  crmkit_rfm_options* o = nullptr;
  REQUIRE(crmkit_rfm_options_new(&o) == CRMKIT_OK);
  const double unsorted[] = {10, 5};
  const Bad bad[] = {
      {crmkit_rfm_table_orders(nullptr, nullptr, nullptr, nullptr, nullptr, nullptr, nullptr, nullptr, nullptr, 3, ids,
                               at, rv, 3, 0, nullptr), "out_count is NULL"},
      {crmkit_rfm_table_orders(&count, nullptr, nullptr, nullptr, nullptr, nullptr, nullptr, nullptr, nullptr, 3, ids,
                               nullptr, rv, 3, 0, nullptr), "ordered_at is NULL"},
      {crmkit_rfm_table_orders(&count, nullptr, nullptr, nullptr, nullptr, nullptr, nullptr, nullptr, nullptr, 3, ids,
                               at, rv_nan, 3, 3 * kDayMs, nullptr), "order row 2 (customer 2): revenue is not a finite number"},
      {crmkit_rfm_table_customers(rr, nullptr, nullptr, nullptr, one, neg, one, five, 1, nullptr),
       "number of orders is negative"},
      {crmkit_rfm_options_set_cuts(o, "recency", unsorted, 2), ""},  // accepted here, refused when scoring
      {crmkit_rfm_table_customers(rr, nullptr, nullptr, nullptr, one, one, one, five, 1, o),
       "recency cut points must be strictly ascending (10 then 5)"},
      {crmkit_rfm_options_set_cuts(o, "loyalty", unsorted, 2), "measure 'loyalty' is not recency, frequency or monetary"},
      {crmkit_rfm_options_set_method(o, "magic"), "magic"},
      {crmkit_rfm_options_set_method(nullptr, "ntile"), "options is NULL"},
      {crmkit_rfm_options_set_bins(o, 12), ""},
      {crmkit_rfm_table_customers(rr, nullptr, nullptr, nullptr, one, one, one, five, 1, o), "out of range 1..9"},
      {crmkit_rfm_segment(nullptr, r, f, m, 3, names, rl, nullptr, fl, nullptr, nullptr, nullptr, 2),
       "out_segment is NULL"},
      {crmkit_rfm_segment(out, r, f, m, 3, names, rl, fl, nullptr, nullptr, nullptr, nullptr, 2),
       "rule 2 ('Recent') has a range with lo 5 > hi 1"},
      {crmkit_rfm_segment(out, r, f, m, 3, names, rl, nullptr, fl, nullptr, nullptr, nullptr, 0), "no segment names"},
      {crmkit_rfm_segment_summary(&n, nullptr, nullptr, nullptr, nullptr, nullptr, nullptr, nullptr, nullptr, 3, seg,
                                  neg, revenue, nullptr, 1), "segment summary row 1: number of orders is negative"},
  };
  crmkit_rfm_options_free(o);
  for (const auto& b : bad) {
    INFO(b.needle);
    if (*b.needle == 0) {
      CHECK(b.rc == CRMKIT_OK);
      continue;
    }
    CHECK(b.rc == CRMKIT_EINVALID);
  }
  // Messages: the last call's, checked once more for one of each kind.
  CHECK(crmkit_rfm_table_customers(rr, nullptr, nullptr, nullptr, one, neg, one, five, 1, nullptr) == CRMKIT_EINVALID);
  CHECK(std::string(crmkit_last_error_message()).find("customer row 1 (customer 1): number of orders is negative") !=
        std::string::npos);
  CHECK(crmkit_rfm_table_orders(&count, nullptr, nullptr, nullptr, nullptr, nullptr, nullptr, nullptr, nullptr, 3, ids,
                                at, rv_nan, 3, 3 * kDayMs, nullptr) == CRMKIT_EINVALID);
  CHECK(std::string(crmkit_last_error_message()).find("order row 2 (customer 2): revenue is not a finite number") !=
        std::string::npos);
  // Empty columns: OK, nothing written.
  CHECK(crmkit_rfm_table_orders(&count, nullptr, nullptr, nullptr, nullptr, nullptr, nullptr, nullptr, nullptr, 0,
                                nullptr, nullptr, nullptr, 0, 0, nullptr) == CRMKIT_OK);
  CHECK(count == 0);
}
