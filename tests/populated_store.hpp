// A small store with a row in every kind of table the loaders read, and the stored values a
// test damages behind crmkit's back: shared by the SQLite file tests (tests/reliability) and
// the PostgreSQL tenant tests (tests/unit/postgres_store_test.cpp).
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "crmkit/customer.hpp"
#include "crmkit/interaction.hpp"
#include "crmkit/points.hpp"
#include "crmkit/segment.hpp"
#include "crmkit/store.hpp"
#include "crmkit/value.hpp"

namespace populated {

constexpr int kSweepCustomers = 24;
constexpr crmkit::Instant kDay = 86'400'000;
constexpr crmkit::Instant kSweepStart = 1'700'000'000'000;  // 2023-11-14

// Customers with attributes and tags, interactions with attributes, figures, a points
// programme with a ledger, a static and a dynamic segment, a fitted model with scores, and
// RFM assignments.
inline void populate(crmkit::Store& s) {
  crmkit::Customers customers(s);
  crmkit::Interactions interactions(s);
  std::vector<crmkit::Interaction> rows;
  for (int c = 1; c <= kSweepCustomers; ++c) {
    crmkit::CustomerFields f;
    f.external_id = "c" + std::to_string(c);
    f.created_at = kSweepStart;
    f.city = c % 2 ? "Berlin" : "Lyon";
    f.lifecycle_stage = crmkit::LifecycleStage::customer;
    f.attributes = R"({"tier":"gold","n":)" + std::to_string(c) + R"(,"note":"éè"})";
    f.tags = std::vector<std::string>{"vip", "t" + std::to_string(c % 3)};
    customers.create(f);
    for (int k = 0; k < 1 + c % 6; ++k) {
      crmkit::Interaction i;
      i.customer_id = c;
      i.external_id = "p" + std::to_string(c) + "-" + std::to_string(k);
      i.occurred_at = kSweepStart + (3 + 17 * k + c) * kDay;
      i.kind = crmkit::InteractionKind::purchase;
      i.channel = crmkit::Channel::web;
      i.amount = crmkit::Money{1000 + 137 * c + 11 * k, "USD"};
      i.attributes = R"({"sku":"A-)" + std::to_string(k) + R"("})";
      i.subject = "order";
      rows.push_back(i);
    }
    crmkit::Interaction note;
    note.customer_id = c;
    note.occurred_at = kSweepStart + 2 * kDay;
    note.kind = crmkit::InteractionKind::note;
    note.notes = "called back";
    rows.push_back(note);
  }
  interactions.record_batch(rows);

  crmkit::Points points(s);
  crmkit::ProgrammeSpec spec;
  spec.name = "club";
  spec.currency = "USD";
  spec.created_at = kSweepStart;
  const std::int64_t prog = points.create_programme(spec);
  for (int c = 1; c <= kSweepCustomers; ++c) points.enroll(prog, c, kSweepStart);
  points.earn_backfill(prog, kSweepStart, kSweepStart + 200 * kDay);
  points.redeem(prog, 1, 5, "r1", kSweepStart + 150 * kDay);

  crmkit::Segments segments(s);
  segments.create("vip", crmkit::SegmentKind::manual_static, "");
  segments.add_customers("vip", {1, 2, 3, 5, 8}, kSweepStart + kDay);
  segments.create("berliners", crmkit::SegmentKind::dynamic, R"({"field":"city","op":"eq","value":"Berlin"})");
  segments.refresh("berliners", kSweepStart + 10 * kDay);

  crmkit::CustomerValue value(s);
  crmkit::FitRequest fit;
  fit.calibration_end = kSweepStart + 200 * kDay;
  fit.fitted_at = fit.calibration_end;
  const auto model = value.fit(fit);
  crmkit::ScoreRequest score;
  score.transaction_model_id = model.id;
  score.as_of = fit.calibration_end;
  value.score(score);
  crmkit::RfmRequest rfm;
  rfm.as_of = fit.calibration_end;
  value.rfm(rfm);
}

// A stored value that fails its check: the UPDATE that writes it (with the tables' CHECKs off
// and the ledger's no-update trigger lifted), the table.column the refusal names, and a read
// that meets it.
struct Damage {
  const char* sql;
  const char* column;
  std::function<void(crmkit::Store&)> read;
  bool sqlite_only = false;  // text no PostgreSQL server stores (invalid UTF-8)
};

inline std::vector<Damage> damages() {
  return {
      {"UPDATE customers SET lifecycle_stage = 'gone' WHERE id = 4", "customers.lifecycle_stage of row 4",
       [](crmkit::Store& s) { crmkit::Customers(s).get(4); }},
      {"UPDATE customers SET kind = 'robot' WHERE id = 4", "customers.kind of row 4",
       [](crmkit::Store& s) { crmkit::Customers(s).list({}, 0, 100); }},
      {"UPDATE customers SET attributes = '{\"tier\":' WHERE id = 4", "customers.attributes of row 4",
       [](crmkit::Store& s) { crmkit::Customers(s).get_by_external_id("c4"); }},
      {"UPDATE customers SET display_name = CAST(x'c328' AS TEXT) WHERE id = 4", "customers.display_name of row 4",
       [](crmkit::Store& s) { crmkit::Customers(s).get(4); }, true},
      {"UPDATE interactions SET attributes = '[1,' WHERE customer_id = 4", "interactions.attributes",
       [](crmkit::Store& s) { crmkit::Interactions(s).timeline(4); }},
      {"UPDATE points_ledger SET kind = 'gift'", "points_ledger.kind",
       [](crmkit::Store& s) { crmkit::Points(s).ledger(1, 4); }},
      {"UPDATE points_programmes SET consumption = 'lifo'", "points_programmes.consumption",
       [](crmkit::Store& s) { crmkit::Points(s).programmes(); }},
      {"UPDATE segments SET kind = 'odd' WHERE name = 'vip'", "segments.kind",
       [](crmkit::Store& s) { crmkit::Segments(s).get("vip"); }},
      {"UPDATE value_models SET params = '{\"r\":'", "value_models.params",
       [](crmkit::Store& s) { crmkit::CustomerValue(s).models(); }},
      {"UPDATE score_run SET horizon_unit = 'fortnight'", "customer_scores.horizon_unit of row 4",
       [](crmkit::Store& s) { crmkit::CustomerValue(s).customer_score(4); }},
  };
}

}  // namespace populated
