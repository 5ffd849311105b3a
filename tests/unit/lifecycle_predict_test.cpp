// Issue #11: predictions say which model made them (the default choice, named models, the
// returned model and warnings) and lifecycle stages that move with the facts.
#include <catch2/catch.hpp>

#include <cmath>

#include <nlohmann/json.hpp>

#include "test_store.hpp"
#include "crmkit/customer.hpp"
#include "crmkit/interaction.hpp"
#include "crmkit/value.hpp"
#include "store/connection.hpp"
#include "value_test_data.hpp"

using namespace crmkit;

namespace {

Instant end_of(const char* date) { return end_of_day(parse_date(date)); }
const Instant kDay0 = start_of_day(parse_date("2024-01-01"));

// 40 customers with 1..5 purchase days spread over the first half of 2024 (fits BG/NBD).
std::vector<std::int64_t> shop(Store& s) {
  std::vector<std::int64_t> ids;
  Interactions in(s);
  for (int i = 0; i < 40; ++i) {
    ids.push_back(value_test::add_customer(s, "c" + std::to_string(i)));
    for (int k = 0; k <= i % 5; ++k)
      in.record(value_test::purchase(ids.back(), kDay0 + (i + 7 * k * (1 + i % 3)) * kMillisPerDay, 1000 + 100 * k));
  }
  return ids;
}

FitRequest fit_request(ValueModelKind kind, Instant fitted_at) {
  FitRequest f;
  f.kind = kind;
  f.unit = clv::TimeUnit::day;
  f.calibration_end = end_of("2024-06-30");
  f.fitted_at = fitted_at;
  return f;
}

LifecycleStage stage(Store& s, std::int64_t id) { return Customers(s).get(id).lifecycle_stage; }

Interaction contact(std::int64_t customer, Instant at, InteractionKind kind) {
  Interaction i;
  i.customer_id = customer;
  i.occurred_at = at;
  i.kind = kind;
  i.channel = Channel::email;
  return i;
}

std::int64_t lead(Store& s, const std::string& ext, std::optional<LifecycleStage> given = std::nullopt) {
  CustomerFields f;
  f.external_id = ext;
  f.created_at = 0;
  f.lifecycle_stage = given;
  return Customers(s).create(f);
}

}  // namespace

// ------------------------------------------------------------------ which model scores --

TEST_CASE("predict: the default model is the best log-likelihood, not the newest fit", "[value][predict]") {
  Store s = test_store();
  shop(s);
  CustomerValue value(s);
  const ValueModel good = value.fit(fit_request(ValueModelKind::bgnbd, 1000));
  FitRequest rushed = fit_request(ValueModelKind::bgnbd, 2000);
  rushed.options.max_iterations = 1;  // stops early: the same data, a worse fit
  const ValueModel worse = value.fit(rushed);
  REQUIRE(worse.log_likelihood < good.log_likelihood);
  REQUIRE(value.latest_model()->id == worse.id);  // the newest fit is the worse one

  CHECK(value.choose_model().id == good.id);
  CHECK(value.choose_model(ValueModelKind::bgnbd).id == good.id);

  ScoreRequest r;
  r.as_of = end_of("2024-06-30");
  r.horizon = 30;
  r.horizon_unit = HorizonUnit::day;
  ScoreSummary sum = value.score(r);  // transaction_model_id 0: the default choice
  CHECK(sum.model.id == good.id);
  CHECK(value.customer_score(1).model_id == good.id);

  // The summary names the model, its calibration and parameters.
  CHECK(sum.model.kind == ValueModelKind::bgnbd);
  CHECK(sum.model.calibration_end == end_of("2024-06-30"));
  REQUIRE(sum.model.data_from);
  CHECK(*sum.model.data_from == kDay0);
  CHECK(sum.model.param("r") == good.param("r"));
  CHECK(sum.warnings.empty());
  auto j = nlohmann::json::parse(to_json(sum));
  CHECK(j["model"]["id"] == good.id);
  CHECK(j["model"]["kind"] == "bgnbd");
  CHECK(j["model"]["params"]["alpha"].get<double>() == good.param("alpha"));
  CHECK(j["model"]["calibration_end"] == end_of("2024-06-30"));
  CHECK(j["warnings"].empty());

  // A tie in log-likelihood goes to the latest fit.
  const ValueModel again = value.fit(fit_request(ValueModelKind::bgnbd, 3000));
  REQUIRE(again.log_likelihood == good.log_likelihood);
  CHECK(value.choose_model().id == again.id);
}

TEST_CASE("predict: across kinds the best fit of the most recent calibration wins", "[value][predict]") {
  Store s = test_store();
  shop(s);
  CustomerValue value(s);
  const ValueModel bg = value.fit(fit_request(ValueModelKind::bgnbd, 1));
  const ValueModel pn = value.fit(fit_request(ValueModelKind::pnbd, 2));
  const ValueModel mbg = value.fit(fit_request(ValueModelKind::mbgnbd, 3));
  const ValueModel* best = &bg;
  for (const ValueModel* m : {&pn, &mbg})
    if (m->log_likelihood >= best->log_likelihood) best = m;
  CHECK(value.choose_model().id == best->id);
  CHECK(value.choose_model(ValueModelKind::pnbd).id == pn.id);

  // An earlier calibration never wins on likelihood: its data are not the same.
  FitRequest earlier = fit_request(ValueModelKind::bgnbd, 4);
  earlier.calibration_end = end_of("2024-05-31");
  const ValueModel old = value.fit(earlier);
  CHECK(value.choose_model().id == best->id);
  CHECK(value.choose_model(ValueModelKind::bgnbd).id == bg.id);
  // A later calibration is the most recent one, whatever the likelihoods.
  FitRequest later = fit_request(ValueModelKind::pnbd, 0);
  later.calibration_end = end_of("2024-07-31");
  const ValueModel newest = value.fit(later);
  CHECK(value.choose_model().id == newest.id);
  CHECK(value.choose_model(ValueModelKind::bgnbd).id == bg.id);
  (void)old;

  // Named models: by id, by kind; a gg or unknown id refused.
  ScoreRequest r;
  r.as_of = end_of("2024-06-30");
  r.horizon = 30;
  r.horizon_unit = HorizonUnit::day;
  r.transaction_model_id = mbg.id;
  CHECK(value.score(r).model.id == mbg.id);
  r.transaction_model_id = 0;
  r.transaction_model_kind = ValueModelKind::bgnbd;
  CHECK(value.score(r).model.id == bg.id);
  r.transaction_model_id = bg.id;
  check_error([&] { value.score(r); }, Errc::invalid_argument, "not both");
  r.transaction_model_kind.reset();
  r.transaction_model_id = 9999;
  check_error([&] { value.score(r); }, Errc::not_found, "9999");
}

TEST_CASE("predict: parse_model_choice names a kind or an id and refuses the rest", "[value][predict]") {
  CHECK(parse_model_choice("pnbd").kind == ValueModelKind::pnbd);
  CHECK(parse_model_choice("pnbd").id == 0);
  CHECK(parse_model_choice("42").id == 42);
  CHECK_FALSE(parse_model_choice("42").kind);
  check_error([] { parse_model_choice("gg", "--model"); }, Errc::invalid_argument, "spend model");
  check_error([] { parse_model_choice("0"); }, Errc::invalid_argument, ">= 1");
  check_error([] { parse_model_choice("-3"); }, Errc::invalid_argument, "not one of");
  check_error([] { parse_model_choice(""); }, Errc::invalid_argument, "not one of");
  check_error([] { parse_model_choice("1234567890123456789"); }, Errc::invalid_argument, "too long");
  check_error([] { parse_model_choice("bgnbd "); }, Errc::invalid_argument, "not one of");
  Store s = test_store();
  check_error([&] { CustomerValue(s).choose_model(); }, Errc::not_found, "fit one first");
}

TEST_CASE("predict: warns when scoring before the calibration end or far beyond the data", "[value][predict]") {
  Store s = test_store();
  shop(s);  // data from 2024-01-01; the last purchase is read back below
  CustomerValue value(s);
  const ValueModel m = value.fit(fit_request(ValueModelKind::bgnbd, 1));
  ScoreRequest r;
  r.horizon = 30;
  r.horizon_unit = HorizonUnit::day;
  r.as_of = end_of("2024-06-29");  // one day before the calibration end
  auto sum = value.score(r);
  REQUIRE(sum.warnings.size() == 1);
  CHECK(sum.warnings[0].code == "before_calibration_end");
  CHECK_THAT(sum.warnings[0].message, Catch::Contains("2024-06-30"));
  r.as_of = end_of("2024-06-30");
  CHECK(value.score(r).warnings.empty());

  // "Far": more days between the last purchase and as_of than the calibration period is long.
  Instant last = 0;
  for (const auto& c : value.model_inputs({end_of("2024-06-30"), clv::TimeUnit::day, {}, {}}).customers)
    last = std::max(last, c.last_purchase);
  const std::int64_t calibration_days = parse_date("2024-06-30") - parse_date("2024-01-01");
  const Day edge = day_of(last) + calibration_days;  // as_of on this day: gap == calibration length
  r.as_of = end_of_day(edge);
  CHECK(value.score(r).warnings.empty());
  r.as_of = end_of_day(edge + 1);
  sum = value.score(r);
  REQUIRE(sum.warnings.size() == 1);
  CHECK(sum.warnings[0].code == "far_beyond_data");
  auto j = nlohmann::json::parse(to_json(sum));
  CHECK(j["warnings"][0]["code"] == "far_beyond_data");
  (void)m;
}

// -------------------------------------------------------------------- lifecycle stages --

TEST_CASE("lifecycle: a first purchase makes a lead or prospect a customer, other contacts do not",
          "[customers][lifecycle]") {
  Store s = test_store();
  Interactions in(s);
  const auto a = lead(s, "a");
  const auto b = lead(s, "b");
  CHECK(stage(s, a) == LifecycleStage::lead);
  CHECK_FALSE(Customers(s).get(a).lifecycle_manual);
  in.record(contact(a, kDay0, InteractionKind::support));
  in.record(contact(a, kDay0, InteractionKind::inquiry));
  Interaction refund = value_test::purchase(a, kDay0, -500);
  refund.kind = InteractionKind::refund;
  in.record(refund);
  CHECK(stage(s, a) == LifecycleStage::lead);
  in.record(value_test::purchase(a, kDay0 + kMillisPerDay, 1000));
  CHECK(stage(s, a) == LifecycleStage::customer);
  CHECK(stage(s, b) == LifecycleStage::lead);

  // A prospect (set by the host: manual) keeps its stage; an automatic prospect moves.
  const auto p = lead(s, "p", LifecycleStage::prospect);
  CHECK(Customers(s).get(p).lifecycle_manual);
  in.record(value_test::purchase(p, kDay0, 1000));
  CHECK(stage(s, p) == LifecycleStage::prospect);

  // Batch: the purchase rows move their customers in the same transaction; a failed batch
  // moves nobody.
  const auto c = lead(s, "c");
  const auto d = lead(s, "d");
  std::vector<Interaction> batch = {contact(c, kDay0, InteractionKind::visit), value_test::purchase(d, kDay0, 10),
                                    value_test::purchase(d, kDay0 + 1, 10)};
  in.record_batch(batch);
  CHECK(stage(s, c) == LifecycleStage::lead);
  CHECK(stage(s, d) == LifecycleStage::customer);
  const auto e = lead(s, "e");
  std::vector<Interaction> broken = {value_test::purchase(e, kDay0, 10), value_test::purchase(99999, kDay0, 10)};
  CHECK_THROWS_AS(in.record_batch(broken), Error);
  CHECK(stage(s, e) == LifecycleStage::lead);
}

TEST_CASE("lifecycle: the no_purchase rule at as_of, exact counts, idempotent, manual stages kept",
          "[customers][lifecycle]") {
  Store s = test_store();
  Customers customers(s);
  Interactions in(s);
  CHECK(customers.lifecycle_rule().churn == ChurnRule::no_purchase);
  CHECK(customers.lifecycle_rule().window_days == 180);
  CHECK(customers.lifecycle_rule().p_alive_threshold == 0.5);
  LifecycleRule rule;
  rule.window_days = 30;
  customers.set_lifecycle_rule(rule);
  const Instant as_of = end_of("2024-03-31");  // window [2024-03-02, 2024-04-01)
  const Instant in_window = start_of_day(parse_date("2024-03-02"));
  const auto recent = lead(s, "recent");
  const auto lapsed = lead(s, "lapsed");
  const auto lapsed2 = lead(s, "lapsed2");
  const auto returns_later = lead(s, "later");
  const auto pinned = lead(s, "pinned");
  const auto never = lead(s, "never");
  in.record(value_test::purchase(recent, in_window, 10));
  in.record(value_test::purchase(lapsed, in_window - 1, 10));
  in.record(value_test::purchase(lapsed2, kDay0, 10));
  in.record(value_test::purchase(returns_later, kDay0, 10));
  in.record(value_test::purchase(returns_later, as_of, 10));  // after as_of: does not count
  in.record(value_test::purchase(pinned, kDay0, 10));
  CustomerFields hand;
  hand.lifecycle_stage = LifecycleStage::customer;
  customers.update(pinned, hand, 1);
  REQUIRE(customers.get(pinned).lifecycle_manual);

  auto u = customers.update_lifecycle(as_of);
  CHECK(u.evaluated == 4);  // pinned is skipped, never has no purchase
  CHECK(u.moved(LifecycleStage::customer, LifecycleStage::churned) == 3);
  REQUIRE(u.moves.size() == 1);
  CHECK(stage(s, recent) == LifecycleStage::customer);
  CHECK(stage(s, lapsed) == LifecycleStage::churned);
  CHECK(stage(s, lapsed2) == LifecycleStage::churned);
  CHECK(stage(s, returns_later) == LifecycleStage::churned);
  CHECK(stage(s, pinned) == LifecycleStage::customer);
  CHECK(stage(s, never) == LifecycleStage::lead);

  // Rerun at the same as_of: nobody moves.
  auto again = customers.update_lifecycle(as_of);
  CHECK(again.moves.empty());
  CHECK(again.evaluated == 4);

  // The fact moves a churned customer back; the rule at a later as_of agrees.
  in.record(value_test::purchase(lapsed, as_of + kMillisPerDay, 10));
  CHECK(stage(s, lapsed) == LifecycleStage::customer);
  auto later = customers.update_lifecycle(end_of("2024-04-05"));
  CHECK(later.moved(LifecycleStage::churned, LifecycleStage::customer) == 1);  // returns_later
  CHECK(later.moved(LifecycleStage::customer, LifecycleStage::churned) == 1);  // recent (window moved on)
  CHECK(stage(s, returns_later) == LifecycleStage::customer);

  // override_manual: the pinned customer is judged too and its stage becomes automatic.
  LifecycleOptions o;
  o.override_manual = true;
  auto forced = customers.update_lifecycle(end_of("2024-04-05"), o);
  CHECK(forced.evaluated == 5);
  CHECK(forced.moved(LifecycleStage::customer, LifecycleStage::churned) == 1);
  CHECK(stage(s, pinned) == LifecycleStage::churned);
  CHECK_FALSE(customers.get(pinned).lifecycle_manual);

  // Bad rules are refused and change nothing.
  LifecycleRule bad = rule;
  bad.window_days = 0;
  check_error([&] { customers.set_lifecycle_rule(bad); }, Errc::invalid_argument, "window_days 0");
  bad = rule;
  bad.p_alive_threshold = 1.5;
  check_error([&] { customers.set_lifecycle_rule(bad); }, Errc::invalid_argument, "p_alive_threshold");
  bad.p_alive_threshold = std::nan("");
  check_error([&] { customers.set_lifecycle_rule(bad); }, Errc::invalid_argument, "p_alive_threshold");
  CHECK(customers.lifecycle_rule().window_days == 30);
  check_error([] { parse_churn_rule("never"); }, Errc::invalid_argument, "no_purchase, p_alive");
}

TEST_CASE("lifecycle: the p_alive rule reads the scores made at as_of", "[customers][lifecycle][value]") {
  Store s = test_store();
  const auto ids = shop(s);
  Customers customers(s);
  CustomerValue value(s);
  value.fit(fit_request(ValueModelKind::bgnbd, 1));
  LifecycleRule rule;
  rule.churn = ChurnRule::p_alive;
  rule.p_alive_threshold = 0.6;
  customers.set_lifecycle_rule(rule);
  const Instant as_of = end_of("2024-09-30");
  check_error([&] { customers.update_lifecycle(as_of); }, Errc::invalid_argument, "none are stored");
  ScoreRequest r;
  r.as_of = end_of("2024-06-30");
  r.horizon = 30;
  r.horizon_unit = HorizonUnit::day;
  value.score(r);
  check_error([&] { customers.update_lifecycle(as_of); }, Errc::invalid_argument, "not as_of");
  r.as_of = as_of;
  value.score(r);
  std::int64_t below = 0;
  for (auto id : ids) below += *value.customer_score(id).p_alive < 0.6;
  REQUIRE(below > 0);
  REQUIRE(below < static_cast<std::int64_t>(ids.size()));
  auto u = customers.update_lifecycle(as_of);
  CHECK(u.evaluated == static_cast<std::int64_t>(ids.size()));
  CHECK(u.moved(LifecycleStage::customer, LifecycleStage::churned) == below);
  std::int64_t churned = 0;
  for (auto id : ids) churned += stage(s, id) == LifecycleStage::churned;
  CHECK(churned == below);
  CHECK(customers.update_lifecycle(as_of).moves.empty());
  auto j = nlohmann::json::parse(to_json(u));
  CHECK(j["rule"]["churn_rule"] == "p_alive");
  CHECK(j["moves"][0]["from"] == "customer");
  CHECK(j["moves"][0]["to"] == "churned");
  CHECK(j["moves"][0]["customers"] == below);
}

TEST_CASE("lifecycle: one list of stages", "[customers][lifecycle]") {
  std::string names;
  for (auto st : kLifecycleStages) {
    CHECK(parse_lifecycle_stage(to_string(st)) == st);
    names += std::string(names.empty() ? "" : ", ") + to_string(st);
  }
  check_error([] { parse_lifecycle_stage("vip"); }, Errc::invalid_argument, names);
  // The database accepts exactly these names.
  Store s = test_store();
  for (auto st : kLifecycleStages) lead(s, std::string("x") + to_string(st), st);
  CHECK_THROWS(crmkit::detail::connection_of(s).db.exec("UPDATE customers SET lifecycle_stage = 'vip'"));
  CHECK_THROWS(crmkit::detail::connection_of(s).db.exec("UPDATE customers SET lifecycle_manual = 2"));
}
