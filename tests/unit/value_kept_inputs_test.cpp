// The model inputs a connection keeps between a fit, a second fit and a scoring run: handed out
// again while the purchases under them are unchanged, rebuilt exactly when a purchase in their
// currency before their end is recorded (here, by another connection, or in a transaction that
// is rolled back), never kept from uncommitted facts.
#include <catch2/catch.hpp>

#include "crmkit/customer.hpp"
#include "crmkit/interaction.hpp"
#include "crmkit/value.hpp"
#include "temp_dir.hpp"
#include "value/common.hpp"

using namespace crmkit;

namespace {

constexpr Instant kDay = 86'400'000;

Interaction purchase(std::int64_t customer, Instant at, std::int64_t minor, const char* currency = "EUR") {
  Interaction i;
  i.customer_id = customer;
  i.occurred_at = at;
  i.kind = InteractionKind::purchase;
  i.channel = Channel::web;
  i.amount = Money{minor, currency};
  return i;
}

std::int64_t customer(Store& s, const std::string& ext) {
  CustomerFields f;
  f.external_id = ext;
  f.created_at = 0;
  return Customers(s).create(f);
}

ModelInputOptions at(Instant end) {
  ModelInputOptions o;
  o.calibration_end = end;
  o.unit = clv::TimeUnit::day;
  o.currency = "EUR";
  return o;
}

}  // namespace

TEST_CASE("kept model inputs: reused until a purchase under them is recorded", "[value][kept-inputs]") {
  TempDir dir;
  const std::string path = dir.file("shop.db");
  Store s = Store::open(path);
  const std::int64_t a = customer(s, "a"), b = customer(s, "b");
  Interactions in(s);
  in.record_batch({purchase(a, 2 * kDay, 1000), purchase(a, 5 * kDay, 300), purchase(b, 3 * kDay, 700)});
  const auto first = value_detail::shared_model_inputs(s, at(10 * kDay));
  REQUIRE(first->customers.size() == 2);
  CHECK(value_detail::shared_model_inputs(s, at(10 * kDay)) == first);  // the same object, not rebuilt

  // Purchases that cannot change them: another currency, at or after the end; other kinds.
  in.record(purchase(b, 4 * kDay, 50, "USD"));
  in.record(purchase(b, 10 * kDay, 50));
  Interaction visit;
  visit.customer_id = a;
  visit.occurred_at = 6 * kDay;
  visit.kind = InteractionKind::visit;
  visit.channel = Channel::web;
  in.record(visit);
  CHECK(value_detail::shared_model_inputs(s, at(10 * kDay)) == first);

  // Another key is another set (and replaces the kept one).
  const auto weeks = value_detail::shared_model_inputs(s, [] {
    auto o = at(10 * kDay);
    o.unit = clv::TimeUnit::week;
    return o;
  }());
  CHECK(weeks != first);
  CHECK(weeks->customers[0].T == Approx(first->customers[0].T / 7));

  // A purchase before the end in the currency: rebuilt, and it shows.
  const auto before = value_detail::shared_model_inputs(s, at(10 * kDay));
  in.record(purchase(b, 8 * kDay, 400));
  const auto after = value_detail::shared_model_inputs(s, at(10 * kDay));
  CHECK(after != before);
  CHECK(after->customers[1].x == 1);  // b bought on days 3 and 8
  CHECK(after->customers[1].mean_spend == Approx(4.0));
  CHECK(value_detail::shared_model_inputs(s, at(10 * kDay)) == after);

  SECTION("another connection's commit") {
    {
      Store other = Store::open(path);
      Interactions(other).record(purchase(a, 9 * kDay, 100));
    }
    const auto seen = value_detail::shared_model_inputs(s, at(10 * kDay));
    CHECK(seen != after);
    CHECK(seen->customers[0].x == 2);  // a: days 2, 5, 9
  }
  SECTION("a transaction: its purchases are seen inside it, and forgotten with its rollback") {
    {
      Transaction tx(s);
      in.record(purchase(a, 9 * kDay, 100));
      CHECK(CustomerValue(s).model_inputs(at(10 * kDay)).customers[0].x == 2);
    }  // rolled back
    const auto now = value_detail::shared_model_inputs(s, at(10 * kDay));
    CHECK(now->customers[0].x == 1);
    CHECK(now->customers[1].x == 1);
  }
  SECTION("a fit and a scoring run read the same set") {
    CustomerValue value(s);
    FitRequest f;
    f.kind = ValueModelKind::bgnbd;
    f.unit = clv::TimeUnit::day;
    f.calibration_end = 10 * kDay;
    f.currency = "EUR";
    value.fit(f);  // writes a model: not a purchase, so the inputs stay
    CHECK(value_detail::shared_model_inputs(s, at(10 * kDay)) == after);
  }
}
