// Every documented size limit (docs/RELIABILITY.md): at the limit accepted, one over refused
// with invalid_argument and nothing written. Also int64 overflow of money sums.
#include <catch2/catch.hpp>

#include <algorithm>
#include <functional>
#include <limits>

#include "base/checks.hpp"
#include "base/text.hpp"
#include "crmkit/customer.hpp"
#include "crmkit/interaction.hpp"
#include "crmkit/points.hpp"
#include "crmkit/retention.hpp"
#include "crmkit/segment.hpp"
#include "crmkit/value.hpp"
#include "customers/customer_fields.hpp"
#include "nested_json.hpp"
#include "store_checksum.hpp"
#include "test_store.hpp"
#include "verify.hpp"

using crmkit::Errc;
namespace d = crmkit::detail;

namespace {

struct Fixture {
  crmkit::Store store = test_store();  // SQLite in memory, or a tenant in the pg.limits variant
  crmkit::Customers customers{store};
  crmkit::Interactions interactions{store};
  std::int64_t customer = 0;
  Fixture() {
    crmkit::CustomerFields f;
    f.external_id = "anchor";
    f.created_at = 0;
    customer = customers.create(f);
  }
  // Runs f expecting a refusal with `code` that leaves every table as it was.
  void refused(const std::function<void()>& f, Errc code = Errc::invalid_argument) {
    const std::string before = store_checksum(store);
    try {
      f();
      FAIL("accepted");
    } catch (const crmkit::Error& e) {
      INFO(e.what());
      CHECK(e.code() == code);
    }
    CHECK(store_checksum(store) == before);
  }
  crmkit::Interaction note() {
    crmkit::Interaction i;
    i.customer_id = customer;
    i.occurred_at = 1;
    i.kind = crmkit::InteractionKind::note;
    return i;
  }
};

std::string json_of_size(std::size_t n) {  // {"a":"xxx"} exactly n bytes
  return "{\"a\":\"" + std::string(n - 8, 'x') + "\"}";
}

}  // namespace

TEST_CASE("short text fields: 1000 bytes accepted, 1001 refused", "[limits]") {
  Fixture fx;
  REQUIRE(d::kMaxShortText == 1000);
  const std::string at(d::kMaxShortText, 'a');
  std::string at_utf8;  // 500 two-byte characters: the limit is in bytes
  for (int k = 0; k < 500; ++k) at_utf8 += "\xc3\xa9";
  const std::string over = at + "a";
  crmkit::CustomerFields f;
  f.created_at = 0;
  f.display_name = at;
  f.city = at_utf8;
  f.external_id = at;
  CHECK(fx.customers.create(f) > 0);
  for (auto field : {&crmkit::CustomerFields::display_name, &crmkit::CustomerFields::external_id,
                     &crmkit::CustomerFields::city, &crmkit::CustomerFields::region,
                     &crmkit::CustomerFields::acquisition_channel}) {
    crmkit::CustomerFields g;
    g.created_at = 0;
    g.*field = over;
    fx.refused([&] { fx.customers.create(g); });
  }
  auto i = fx.note();
  i.subject = at;
  i.external_id = at;
  CHECK(fx.interactions.record(i) > 0);
  auto j = fx.note();
  j.subject = over;
  fx.refused([&] { fx.interactions.record(j); });
  auto k = fx.note();
  k.external_id = over;
  fx.refused([&] { fx.interactions.record(k); });
}

TEST_CASE("notes: 1,000,000 bytes accepted, one more refused", "[limits]") {
  Fixture fx;
  auto i = fx.note();
  i.notes = std::string(d::kMaxLongText, 'n');
  CHECK(fx.interactions.record(i) > 0);
  i.notes->push_back('n');
  fx.refused([&] { fx.interactions.record(i); });
}

TEST_CASE("attribute JSON: 1,000,000 bytes and 32 levels accepted, one more refused", "[limits]") {
  Fixture fx;
  REQUIRE(d::kMaxJsonText == 1'000'000);
  REQUIRE(d::kMaxJsonDepth == 32);
  crmkit::CustomerFields f;
  f.created_at = 0;
  f.attributes = json_of_size(d::kMaxJsonText);
  CHECK(fx.customers.create(f) > 0);
  f.attributes = json_of_size(d::kMaxJsonText + 1);
  fx.refused([&] { fx.customers.create(f); });
  f.attributes = json_of_depth(d::kMaxJsonDepth);
  CHECK(fx.customers.create(f) > 0);
  f.attributes = json_of_depth(d::kMaxJsonDepth + 1);
  fx.refused([&] { fx.customers.create(f); });
  f.attributes = json_of_depth(100'000);  // far over: refused before the parser recurses
  fx.refused([&] { fx.customers.create(f); });
  auto i = fx.note();
  i.attributes = json_of_depth(d::kMaxJsonDepth);
  CHECK(fx.interactions.record(i) > 0);
  i.attributes = json_of_depth(d::kMaxJsonDepth + 1);
  fx.refused([&] { fx.interactions.record(i); });
}

TEST_CASE("tags: 1000 per customer and 100 characters each accepted, one more refused", "[limits]") {
  Fixture fx;
  REQUIRE(d::kMaxTagsPerCustomer == 1000);
  REQUIRE(d::kMaxTagChars == 100);
  crmkit::CustomerFields f;
  f.created_at = 0;
  std::vector<std::string> tags;
  for (std::size_t k = 0; k < d::kMaxTagsPerCustomer; ++k) tags.push_back("t" + std::to_string(k));
  f.tags = tags;
  CHECK(fx.customers.create(f) > 0);
  tags.push_back("one-more");
  f.tags = tags;
  fx.refused([&] { fx.customers.create(f); });
  std::string long_tag;
  for (int k = 0; k < 100; ++k) long_tag += "\xc3\xa9";  // 100 characters, 200 bytes
  f.tags = std::vector<std::string>{long_tag};
  CHECK(fx.customers.create(f) > 0);
  f.tags = std::vector<std::string>{long_tag + "x"};
  fx.refused([&] { fx.customers.create(f); });
}

TEST_CASE("page sizes 1..10000 and instants 0001..9999 accepted, one beyond refused", "[limits]") {
  Fixture fx;
  CHECK_NOTHROW(fx.interactions.timeline(fx.customer, {}, 10'000));
  CHECK_NOTHROW(fx.interactions.timeline(fx.customer, {}, 1));
  fx.refused([&] { fx.interactions.timeline(fx.customer, {}, 10'001); });
  fx.refused([&] { fx.interactions.timeline(fx.customer, {}, 0); });
  CHECK_NOTHROW(fx.customers.list({}, 0, 10'000));
  fx.refused([&] { fx.customers.list({}, 0, 10'001); });
  fx.refused([&] { fx.customers.list({}, 0, 0); });
  auto i = fx.note();
  i.occurred_at = d::kMaxInstant;
  CHECK(fx.interactions.record(i) > 0);
  i.occurred_at = d::kMinInstant;
  CHECK(fx.interactions.record(i) > 0);
  i.occurred_at = d::kMaxInstant + 1;
  fx.refused([&] { fx.interactions.record(i); });
  i.occurred_at = d::kMinInstant - 1;
  fx.refused([&] { fx.interactions.record(i); });
  i.occurred_at = std::numeric_limits<std::int64_t>::min();
  fx.refused([&] { fx.interactions.record(i); });
}

TEST_CASE("money sums never wrap: an overflowing purchase total is refused", "[limits]") {
  Fixture fx;
  const std::int64_t half = std::numeric_limits<std::int64_t>::max() / 2 + 1;
  crmkit::Interaction p = fx.note();
  p.kind = crmkit::InteractionKind::purchase;
  p.amount = crmkit::Money{half, "USD"};
  CHECK(fx.interactions.record(p) > 0);
  // Separately: the stored total plus this one would pass INT64_MAX.
  fx.refused([&] { fx.interactions.record(p); });
  // In one batch: the in-memory sum overflows first.
  fx.refused([&] { fx.interactions.record_batch({p, p}); });
  // Margins, which may be negative, too.
  crmkit::Interaction m = p;
  m.amount = crmkit::Money{0, "EUR"};
  m.margin = std::numeric_limits<std::int64_t>::max();
  CHECK(fx.interactions.record(m) > 0);
  m.margin = 1;
  fx.refused([&] { fx.interactions.record(m); });
  auto f = fx.interactions.figures(fx.customer);
  REQUIRE(f.money.size() == 2);
  CHECK(f.money[1].purchase_total == half);  // USD sorted after EUR
  CHECK(f.money[1].currency == "USD");
  auto [kept, recomputed] = reliability::figures_and_recompute(fx.store);
  CHECK(kept == recomputed);
}

// ---- aggregate overflow: points totals and refunds --------------------------------------
namespace {

constexpr std::int64_t kPerRequest = std::int64_t(1) << 50;    // points one adjust may move
constexpr std::int64_t kPerMember = std::int64_t(1) << 61;     // a member's credits + negative adjusts

struct PointsFixture : Fixture {
  crmkit::Points points{store};
  std::int64_t programme = 0;
  PointsFixture() {
    crmkit::ProgrammeSpec s;
    s.name = "club";
    s.currency = "USD";
    s.value_per_1000_points = 1000;  // a point is worth one cent
    programme = points.create_programme(s);
  }
  std::int64_t member(const std::string& ext) {
    crmkit::CustomerFields f;
    f.external_id = ext;
    f.created_at = 0;
    std::int64_t id = customers.create(f);
    points.enroll(programme, id, 0);
    return id;
  }
  // Credits `total` points in adjustments of at most kPerRequest.
  void credit(std::int64_t customer, std::int64_t total, const std::string& key) {
    for (int k = 0; total > 0; ++k) {
      std::int64_t n = std::min(total, kPerRequest);
      points.adjust(programme, customer, n, "load", key + std::to_string(k), 1);
      total -= n;
    }
  }
};

}  // namespace

TEST_CASE("points: a member's total stops at 2^61, refused at the write, every read still works", "[limits]") {
  PointsFixture fx;
  const std::int64_t a = fx.member("a");
  fx.credit(a, kPerMember, "a");
  // One more point either way would pass the limit: refused, nothing written.
  fx.refused([&] { fx.points.adjust(fx.programme, a, 1, "one more", "over+", 2); });
  fx.refused([&] { fx.points.adjust(fx.programme, a, -1, "one less", "over-", 2); });
  try {
    fx.points.adjust(fx.programme, a, 1, "one more", "over+", 2);
  } catch (const crmkit::Error& e) {
    std::string m = e.what();
    CHECK(m.find("customer " + std::to_string(a)) != std::string::npos);
    CHECK(m.find(std::to_string(kPerMember + 1)) != std::string::npos);  // the total it would reach
  }
  // Every read works at the limit: balance, liability, the invariants, redeem.
  auto b = fx.points.balance(fx.programme, a, 3);
  CHECK(b.available == kPerMember);
  CHECK(b.balance == kPerMember);
  CHECK(fx.points.liability(fx.programme, 3).outstanding == kPerMember);
  CHECK_NOTHROW(fx.points.check_invariants(fx.programme));
  CHECK(fx.points.redeem(fx.programme, a, kPerRequest, "spend", 3).points == -kPerRequest);
  // A redemption is no credit: the member is still at the limit.
  fx.refused([&] { fx.points.adjust(fx.programme, a, 1, "one more", "over+", 4); });
  CHECK(fx.points.balance(fx.programme, a, 4).available == kPerMember - kPerRequest);
}

TEST_CASE("points: liability over members past int64 is summed exactly", "[limits]") {
  PointsFixture fx;
  // Five members at the limit: 5 * 2^61 points outstanding, past INT64_MAX (4 * 2^61 - 1).
  for (int m = 0; m < 5; ++m) fx.credit(fx.member("m" + std::to_string(m)), kPerMember, "m" + std::to_string(m) + "-");
  auto l = fx.points.liability(fx.programme, 3);
  const crmkit::PointsSum five = crmkit::PointsSum(5) * kPerMember;
  CHECK(l.available == five);
  CHECK(l.outstanding == five);
  CHECK(l.members == 5);
  REQUIRE(l.value_minor);
  CHECK(*l.value_minor == five);  // 1000 minor units per 1000 points
  // The JSON carries every digit as an integer: 5 * 2^61 = 11529215046068469760.
  CHECK(crmkit::to_json(l).find("\"outstanding\":11529215046068469760,") != std::string::npos);
}

TEST_CASE("points: refunds of one purchase that would total past int64 are refused", "[limits]") {
  PointsFixture fx;
  const std::int64_t a = fx.member("buyer");
  crmkit::Interaction p = fx.note();
  p.customer_id = a;
  p.kind = crmkit::InteractionKind::purchase;
  p.amount = crmkit::Money{10'000, "USD"};
  std::int64_t purchase = fx.interactions.record(p);  // earns 100 points automatically
  const std::int64_t kMax = std::numeric_limits<std::int64_t>::max();
  CHECK(fx.points.reverse_purchase(fx.programme, purchase, kMax - 5, "refund-1", 2).points == -100);
  // 6 more would make the stored refunds of the purchase total 2^63: every later reversal
  // would fail to sum them. Refused, nothing written.
  fx.refused([&] { fx.points.reverse_purchase(fx.programme, purchase, 6, "refund-2", 3); });
  // At the edge it is accepted (reverses nothing more), and the purchase stays reversible.
  CHECK(fx.points.reverse_purchase(fx.programme, purchase, 5, "refund-3", 3).points == 0);
  CHECK(fx.points.reverse_purchase(fx.programme, purchase, 5, "refund-3", 3).replayed);
  fx.refused([&] { fx.points.reverse_purchase(fx.programme, purchase, 1, "refund-4", 3); });
  CHECK_NOTHROW(fx.points.check_invariants(fx.programme));
}

TEST_CASE("points: instants outside 0001..9999 are refused, the message gives the instant as given", "[limits]") {
  PointsFixture fx;
  const std::int64_t a = fx.member("a");
  fx.credit(a, 10, "a");
  const std::int64_t kMaxI = d::kMaxInstant, kMinI = d::kMinInstant;
  for (std::int64_t t : {kMaxI + 1, kMinI - 1, std::numeric_limits<std::int64_t>::max(),
                         std::numeric_limits<std::int64_t>::min()}) {
    INFO("instant " << t);
    auto as_raw_ms = [&](const std::function<void()>& f) {
      fx.refused(f);
      try {
        f();
      } catch (const crmkit::Error& e) {
        CHECK(std::string(e.what()).find(std::to_string(t)) != std::string::npos);
      }
    };
    as_raw_ms([&] { fx.points.redeem(fx.programme, a, 1, "r", t); });
    as_raw_ms([&] { fx.points.adjust(fx.programme, a, 1, "x", "adj", t); });
    as_raw_ms([&] { fx.points.adjust(fx.programme, a, -1, "x", "adj-", t); });
    as_raw_ms([&] { fx.points.expire(fx.programme, t); });
    as_raw_ms([&] { fx.points.reverse_purchase(fx.programme, 999, 1, "rp", t); });
    as_raw_ms([&] { fx.points.reverse_redemption(fx.programme, "r", 0, "rr", t); });
    as_raw_ms([&] { fx.points.review_tiers(fx.programme, t); });
    as_raw_ms([&] { fx.points.enroll(fx.programme, fx.customer, t); });
    as_raw_ms([&] { fx.points.earn_backfill(fx.programme, t, kMaxI); });
    as_raw_ms([&] { fx.points.earn_backfill(fx.programme, kMinI, t); });
    as_raw_ms([&] { fx.points.balance(fx.programme, a, t); });
    as_raw_ms([&] { fx.points.liability(fx.programme, t); });
    as_raw_ms([&] { fx.points.tier_metric_value(fx.programme, a, t); });
    as_raw_ms([&] {
      crmkit::ProgrammeSpec s;
      s.name = "late";
      s.currency = "USD";
      s.created_at = t;
      fx.points.create_programme(s);
    });
  }
  // The bounds themselves are accepted.
  CHECK(fx.points.adjust(fx.programme, a, 1, "x", "at-max", kMaxI).points == 1);
  CHECK(fx.points.balance(fx.programme, a, kMinI).available == 0);
}

TEST_CASE("segments and value: instants outside 0001..9999 are refused like everywhere else", "[limits]") {
  Fixture fx;
  crmkit::Segments segs(fx.store);
  crmkit::CustomerValue value(fx.store);
  const std::string city = R"({"field":"city","op":"eq","value":"Berlin"})";
  segs.create("berliners", crmkit::SegmentKind::dynamic, city);
  segs.create("vip", crmkit::SegmentKind::manual_static, "");
  for (std::int64_t t : {d::kMaxInstant + 1, d::kMinInstant - 1, std::numeric_limits<std::int64_t>::max()}) {
    INFO("instant " << t);
    // (Rule evaluation, count and refresh, already refused these when compiling.)
    fx.refused([&] { segs.add_customers("vip", {fx.customer}, t); });
    fx.refused([&] { segs.remove_customers("vip", {fx.customer}, t); });
    crmkit::RfmRequest rfm;
    rfm.as_of = t;
    fx.refused([&] { value.rfm(rfm); });
    crmkit::ModelInputOptions in;  // fit, score and validate read their instants through this
    in.calibration_end = t;
    fx.refused([&] { value.model_inputs(in); });
  }
  CHECK(segs.count(city, d::kMaxInstant) == 0);
  CHECK(segs.add_customers("vip", {fx.customer}, d::kMaxInstant) == 1);
}

TEST_CASE("retention revenue across customers past int64 is summed exactly", "[limits]") {
  Fixture fx;
  // Three customers with a legal 2^62 cents each: 3 * 2^62 = 13835058055282163712 in all.
  for (int k = 0; k < 3; ++k) {
    crmkit::CustomerFields f;
    f.external_id = "r" + std::to_string(k);
    f.created_at = 0;
    crmkit::Interaction p = fx.note();
    p.customer_id = fx.customers.create(f);
    p.kind = crmkit::InteractionKind::purchase;
    p.amount = crmkit::Money{std::int64_t(1) << 62, "USD"};
    fx.interactions.record(p);
  }
  crmkit::RetentionMetrics metrics(fx.store);
  crmkit::RetentionQuery q;
  q.from = 0;
  q.to = 1000;
  q.currency = "USD";
  auto r = metrics.retention(q);
  CHECK(r.revenue_minor == crmkit::MoneySum(3) << 62);
  std::string json = to_json(metrics.retention(q));
  CHECK(json.find("\"revenue\":\"138350580552821637.12\"") != std::string::npos);
  CHECK(json.find("\"revenue_minor\":13835058055282163712") != std::string::npos);
}

TEST_CASE("points: an expiry run whose total would pass int64 is refused, not wrapped", "[limits]") {
  PointsFixture fx;
  crmkit::ProgrammeSpec s;
  s.name = "short";
  s.currency = "USD";
  s.expiry_days = 1;
  fx.programme = fx.points.create_programme(s);
  // Five members at the limit, every lot expiring after a day: 5 * 2^61 points in one run.
  for (int m = 0; m < 5; ++m) fx.credit(fx.member("e" + std::to_string(m)), kPerMember, "e" + std::to_string(m) + "-");
  const crmkit::Instant later = 10 * crmkit::kMillisPerDay;
  fx.refused([&] { fx.points.expire(fx.programme, later); });
  CHECK(fx.points.liability(fx.programme, 2).outstanding == crmkit::PointsSum(5) * kPerMember);
}
