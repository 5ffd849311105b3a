// Every documented size limit (docs/RELIABILITY.md): at the limit accepted, one over refused
// with invalid_argument and nothing written. Also int64 overflow of money sums.
#include <catch2/catch.hpp>

#include <functional>
#include <limits>

#include "base/checks.hpp"
#include "base/text.hpp"
#include "crmkit/customer.hpp"
#include "crmkit/interaction.hpp"
#include "customers/customer_fields.hpp"
#include "store_checksum.hpp"
#include "verify.hpp"

using crmkit::Errc;
namespace d = crmkit::detail;

namespace {

struct Fixture {
  crmkit::Store store = crmkit::Store::open(":memory:");
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
std::string json_of_depth(int depth) {
  std::string s;
  for (int k = 1; k < depth; ++k) s += "{\"a\":";
  s += "{}";
  for (int k = 1; k < depth; ++k) s += "}";
  return s;
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
