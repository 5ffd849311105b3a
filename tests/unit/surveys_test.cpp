// Recording survey responses: validation, idempotency, atomic batches, append-only storage.
#include <catch2/catch.hpp>

#include <cmath>
#include <limits>

#include "crmkit/survey.hpp"
#include "loyalty_fixture.hpp"
#include "temp_dir.hpp"

using namespace crmkit;

namespace {
SurveyResponse nps(std::int64_t customer, double score, Instant at = day(2026, 3, 1)) {
  SurveyResponse r;
  r.customer_id = customer;
  r.kind = SurveyKind::nps;
  r.score = score;
  r.occurred_at = at;
  r.channel = Channel::email;
  return r;
}
void require_error(Errc code, const std::string& fragment, const std::function<void()>& f) {
  try {
    f();
    FAIL("no error thrown; expected " << errc_name(code));
  } catch (const Error& e) {
    CHECK(e.code() == code);
    CHECK_THAT(e.what(), Catch::Matchers::Contains(fragment));
  }
}

// What most tests start from: customer C1 and the surveys service on a fresh store.
struct CustomerSurveys {
  LoyaltyStore s;
  std::int64_t c = s.customer("C1");
  Surveys surveys{s.store};
};
}  // namespace

TEST_CASE("a response is recorded and read back", "[surveys]") {
  LoyaltyStore s;
  auto c = s.customer("C1");
  auto i = s.interaction(c, day(2026, 2, 28), "purchase", 1999);
  Surveys surveys(s.store);
  auto r = nps(c, 9);
  r.interaction_id = i;
  r.comment = "très bien 👍";
  r.external_id = "S-1";
  auto id = surveys.record(r);
  auto back = surveys.get(id);
  CHECK(back.customer_id == c);
  CHECK(back.kind == SurveyKind::nps);
  CHECK(back.score == 9);
  CHECK(back.interaction_id == i);
  CHECK(back.comment == r.comment);
  CHECK(back.external_id == std::optional<std::string>("S-1"));
  CHECK_FALSE(back.scale);
  CHECK(surveys.for_customer(c).size() == 1);
  CHECK(surveys.count({SurveyKind::csat, std::nullopt, std::nullopt}) == 0);
}

TEST_CASE_METHOD(CustomerSurveys, "scores outside the kind's scale, NaN and fractions are refused, nothing written", "[surveys]") {
  require_error(Errc::invalid_argument, "score 11 is out of range 0..10 for kind nps", [&] { surveys.record(nps(c, 11)); });
  require_error(Errc::invalid_argument, "out of range", [&] { surveys.record(nps(c, -1)); });
  require_error(Errc::invalid_argument, "NaN", [&] { surveys.record(nps(c, std::nan(""))); });
  require_error(Errc::invalid_argument, "out of range",
                [&] { surveys.record(nps(c, std::numeric_limits<double>::infinity())); });
  require_error(Errc::invalid_argument, "not an integer", [&] { surveys.record(nps(c, 8.5)); });
  auto csat = nps(c, 0);
  csat.kind = SurveyKind::csat;
  require_error(Errc::invalid_argument, "score 0 is out of range 1..5 for kind csat", [&] { surveys.record(csat); });
  auto ces = nps(c, 8);
  ces.kind = SurveyKind::ces;
  require_error(Errc::invalid_argument, "1..7", [&] { surveys.record(ces); });
  ces.score = 7;
  ces.scale = SurveyScale{1, 5, ScaleDirection::lower_is_better};
  require_error(Errc::invalid_argument, "fixed scale", [&] { surveys.record(ces); });
  CHECK(s.count("survey_responses") == 0);
}

TEST_CASE_METHOD(CustomerSurveys, "custom scales carry min, max and direction", "[surveys]") {
  auto r = nps(c, 2.5);
  r.kind = SurveyKind::custom;
  require_error(Errc::invalid_argument, "scale is required", [&] { surveys.record(r); });
  r.scale = SurveyScale{5, 1, ScaleDirection::higher_is_better};
  require_error(Errc::invalid_argument, "min < max", [&] { surveys.record(r); });
  r.scale = SurveyScale{1, 5, ScaleDirection::lower_is_better};  // CES 1.0: 1 = very easy
  auto id = surveys.record(r);
  auto back = surveys.get(id);
  REQUIRE(back.scale);
  CHECK(back.scale->min == 1);
  CHECK(back.scale->max == 5);
  CHECK(back.scale->direction == ScaleDirection::lower_is_better);
  CHECK(back.score == 2.5);
  r.score = 5.5;
  require_error(Errc::invalid_argument, "out of range 1..5 for kind custom", [&] { surveys.record(r); });
}

TEST_CASE("unknown customer, unknown interaction, another customer's interaction", "[surveys]") {
  LoyaltyStore s;
  auto a = s.customer("A");
  auto b = s.customer("B");
  auto ib = s.interaction(b, day(2026, 1, 1), "support");
  Surveys surveys(s.store);
  require_error(Errc::not_found, "customer_id 999 does not exist", [&] { surveys.record(nps(999, 5)); });
  auto r = nps(a, 5);
  r.interaction_id = 12345;
  require_error(Errc::not_found, "interaction_id 12345 does not exist", [&] { surveys.record(r); });
  r.interaction_id = ib;
  require_error(Errc::conflict, "belongs to customer", [&] { surveys.record(r); });
  CHECK(s.count("survey_responses") == 0);
}

TEST_CASE_METHOD(CustomerSurveys, "comments: UTF-8 and size limit", "[surveys]") {
  auto r = nps(c, 5);
  r.comment = std::string("bad \xff byte");
  require_error(Errc::invalid_argument, "comment", [&] { surveys.record(r); });
  r.comment = std::string(kMaxSurveyComment + 1, 'x');
  require_error(Errc::invalid_argument, "comment", [&] { surveys.record(r); });
  r.comment = std::string(kMaxSurveyComment, 'x');
  CHECK(surveys.record(r) > 0);
}

TEST_CASE_METHOD(CustomerSurveys, "survey external_id makes recording idempotent, different content conflicts", "[surveys]") {
  auto r = nps(c, 7);
  r.external_id = "resp-1";
  auto id = surveys.record(r);
  CHECK(surveys.record(r) == id);
  CHECK(s.count("survey_responses") == 1);
  r.score = 8;
  require_error(Errc::conflict, "resp-1", [&] { surveys.record(r); });
  CHECK(surveys.get(id).score == 7);
}

TEST_CASE_METHOD(CustomerSurveys, "batches are atomic, or skip invalid rows when asked", "[surveys]") {
  std::vector<SurveyResponse> batch{nps(c, 10), nps(c, 3), nps(c, 42), nps(c, 8)};
  batch[0].external_id = "x";
  require_error(Errc::invalid_argument, "row 2: score 42", [&] { surveys.record_batch(batch); });
  CHECK(s.count("survey_responses") == 0);

  BatchOptions skip;
  skip.skip_invalid = true;
  auto res = surveys.record_batch(batch, skip);
  CHECK(res.inserted == 3);
  REQUIRE(res.errors.size() == 1);
  CHECK(res.errors[0].index == 2);
  CHECK(res.errors[0].code == Errc::invalid_argument);
  CHECK(res.ids[2] == 0);
  CHECK(s.count("survey_responses") == 3);
  // Re-running: the external_id row is a duplicate; the others have no key and are new.
  auto again = surveys.record_batch({batch[0]});
  CHECK(again.duplicates == 1);
  CHECK(again.ids[0] == res.ids[0]);
}

TEST_CASE_METHOD(CustomerSurveys, "survey responses are append-only", "[surveys]") {
  auto id = surveys.record(nps(c, 9));
  CHECK_THROWS(s.db().exec("UPDATE survey_responses SET score = 0 WHERE id = " + std::to_string(id)));
  CHECK_THROWS(s.db().exec("DELETE FROM survey_responses"));
  CHECK(surveys.get(id).score == 9);
}

TEST_CASE("kind names parse strictly", "[surveys]") {
  CHECK(parse_survey_kind("ces") == SurveyKind::ces);
  require_error(Errc::invalid_argument, "kind 'NPS' is not one of nps, csat, ces, custom",
                [] { parse_survey_kind("NPS"); });
  require_error(Errc::invalid_argument, "higher_is_better", [] { parse_scale_direction("up"); });
}

TEST_CASE_METHOD(CustomerSurveys, "survey times outside years 1..9999 are refused", "[surveys]") {
  require_error(Errc::invalid_argument, "occurred_at",
                [&] { surveys.record(nps(c, 5, std::numeric_limits<std::int64_t>::max())); });
  require_error(Errc::invalid_argument, "occurred_at",
                [&] { surveys.record(nps(c, 5, std::numeric_limits<std::int64_t>::min())); });
  CHECK(s.count("survey_responses") == 0);
}

TEST_CASE("two connections take turns recording and reading responses", "[surveys]") {
  TempDir dir;
  Store a = Store::open(dir.file("two.db"));
  crmkit::detail::connection_of(a).db.exec("INSERT INTO customers(id, external_id, created_at, updated_at) VALUES (1, 'A', 0, 0)");
  Store b = Store::open(dir.file("two.db"));
  Surveys sa(a), sb(b);
  auto r = nps(1, 9);
  r.external_id = "k1";
  sa.record(r);
  CHECK(sa.count() == 1);
  CHECK(sa.get(1).score == 9);
  r.external_id = "k2";
  sb.record(r);              // a's statements stepped once must not hold a stale snapshot
  CHECK(sa.count() == 2);    // a sees b's write
  r.external_id = "k3";
  sa.record(r);              // and can write after it
  CHECK(sb.count() == 3);
  CHECK(SurveyMetrics(a).nps().groups[0].responses == 3);
}
