// Interactions: validation, idempotency, batches (all-or-nothing and skip_invalid), timeline.
#include <catch2/catch.hpp>

#include <algorithm>
#include <functional>
#include <string>

#include "test_store.hpp"
#include "crmkit/batch_error.hpp"
#include "crmkit/customer.hpp"
#include "crmkit/interaction.hpp"
#include "expect_error.hpp"
#include "store_checksum.hpp"

using namespace crmkit;

namespace {

std::int64_t new_customer(Store& s, const std::string& ext) {
  CustomerFields f;
  f.external_id = ext;
  f.created_at = 0;
  return Customers(s).create(f);
}

Interaction purchase(std::int64_t customer, Instant at, std::int64_t amount, const char* currency = "EUR") {
  Interaction i;
  i.customer_id = customer;
  i.occurred_at = at;
  i.channel = Channel::web;
  i.kind = InteractionKind::purchase;
  i.direction = Direction::inbound;
  i.amount = Money{amount, currency};
  return i;
}

Interaction note(std::int64_t customer, Instant at) {
  Interaction i;
  i.customer_id = customer;
  i.occurred_at = at;
  i.channel = Channel::phone;
  i.kind = InteractionKind::note;
  return i;
}

// What most tests start from: a fresh store with customer "c" (and "d") and its interactions.
struct CustomerLog {
  Store s = test_store();
  std::int64_t c = new_customer(s, "c");
  Interactions in{s};
};
struct TwoCustomerLog : CustomerLog {
  std::int64_t d = new_customer(s, "d");
};

}  // namespace

TEST_CASE_METHOD(CustomerLog, "an interaction round trips with every field", "[interactions]") {
  Interaction i = purchase(c, 1'700'000'000'123, 1999, "JPY");
  i.external_id = "order-1";
  i.margin = -50;
  i.subject = "Bestellung für Müller";
  i.notes = std::string(5000, 'n');
  i.attributes = R"({"sku": ["A", "B"], "coupon": null})";
  std::int64_t id = in.record(i);
  Interaction g = in.get(id);
  CHECK(g.id == id);
  CHECK(g.customer_id == c);
  CHECK(g.external_id == i.external_id);
  CHECK(g.occurred_at == i.occurred_at);
  CHECK(g.channel == Channel::web);
  CHECK(g.kind == InteractionKind::purchase);
  CHECK(g.direction == Direction::inbound);
  REQUIRE(g.amount);
  CHECK(g.amount->minor == 1999);
  CHECK(g.amount->currency == "JPY");
  CHECK(g.margin == std::optional<std::int64_t>(-50));
  CHECK(g.subject == i.subject);
  CHECK(g.notes == i.notes);
  CHECK(g.attributes == std::optional<std::string>(R"({"coupon":null,"sku":["A","B"]})"));
  expect_error([&] { in.get(id + 1); }, Errc::not_found, "interaction");
}

TEST_CASE("enum names of interactions round trip", "[interactions]") {
  for (int k = 0; k <= static_cast<int>(Channel::other); ++k)
    CHECK(parse_channel(to_string(static_cast<Channel>(k))) == static_cast<Channel>(k));
  for (int k = 0; k <= static_cast<int>(InteractionKind::other); ++k)
    CHECK(parse_interaction_kind(to_string(static_cast<InteractionKind>(k))) == static_cast<InteractionKind>(k));
  for (int k = 0; k <= static_cast<int>(Direction::none); ++k)
    CHECK(parse_direction(to_string(static_cast<Direction>(k))) == static_cast<Direction>(k));
  expect_error([] { parse_channel("fax"); }, Errc::invalid_argument, "channel 'fax' is not one of email");
  expect_error([] { parse_interaction_kind("Purchases"); }, Errc::invalid_argument, "kind 'Purchases'");
  expect_error([] { parse_direction(""); }, Errc::invalid_argument, "direction ''");
}

TEST_CASE_METHOD(CustomerLog, "invalid interactions are refused naming the field, nothing is written", "[interactions]") {
  in.record(purchase(c, 10, 100));
  const std::string before = store_checksum(s);
  struct Case {
    const char* needle;
    std::function<void(Interaction&)> spoil;
    Errc code = Errc::invalid_argument;
  };
  std::vector<Case> cases = {
      {"customer_id 0", [](Interaction& i) { i.customer_id = 0; }},
      {"customer_id 424242 does not exist", [](Interaction& i) { i.customer_id = 424242; }, Errc::not_found},
      {"external_id is empty", [](Interaction& i) { i.external_id = ""; }},
      {"external_id is not valid UTF-8", [](Interaction& i) { i.external_id = "\xff"; }},
      {"occurred_at", [](Interaction& i) { i.occurred_at = INT64_MAX; }},
      {"occurred_at", [](Interaction& i) { i.occurred_at = INT64_MIN; }},
      {"channel 99", [](Interaction& i) { i.channel = static_cast<Channel>(99); }},
      {"kind -1", [](Interaction& i) { i.kind = static_cast<InteractionKind>(-1); }},
      {"direction 3", [](Interaction& i) { i.direction = static_cast<Direction>(3); }},
      {"amount -1 is negative", [](Interaction& i) { i.amount->minor = -1; }},
      {"amount is required for a purchase", [](Interaction& i) { i.amount.reset(); }},
      {"currency 'eur'", [](Interaction& i) { i.amount->currency = "eur"; }},
      {"currency 'EURO'", [](Interaction& i) { i.amount->currency = "EURO"; }},
      {"amount 5 is positive", [](Interaction& i) { i.kind = InteractionKind::refund; i.amount->minor = 5; }},
      {"amount is required for a refund", [](Interaction& i) { i.kind = InteractionKind::refund; i.amount.reset(); }},
      {"amount is only allowed", [](Interaction& i) { i.kind = InteractionKind::visit; }},
      {"margin is only allowed", [](Interaction& i) { i.kind = InteractionKind::visit; i.amount.reset(); i.margin = 3; }},
      {"subject", [](Interaction& i) { i.subject = std::string(1001, 's'); }},
      {"notes", [](Interaction& i) { i.notes = std::string(1'000'001, 'n'); }},
      {"notes is not valid UTF-8", [](Interaction& i) { i.notes = "ok \xe2\x82"; }},
      {"attributes must be a JSON object", [](Interaction& i) { i.attributes = "\"text\""; }},
      {"attributes is not valid JSON", [](Interaction& i) { i.attributes = "{'a': 1}"; }},
      {"attributes nests 40 levels", [](Interaction& i) {
         i.attributes = "{\"a\":" + std::string(39, '[') + std::string(39, ']') + "}";
       }},
  };
  for (auto& k : cases) {
    INFO(k.needle);
    Interaction i = purchase(c, 20, 100);
    k.spoil(i);
    expect_error([&] { in.record(i); }, k.code, k.needle);
    CHECK(store_checksum(s) == before);
    // The same row inside a batch: refused with its index, nothing written.
    std::vector<Interaction> batch = {purchase(c, 30, 1), purchase(c, 31, 2), i};
    expect_error([&] { in.record_batch(batch); }, k.code, "row 2: ");
    CHECK(store_checksum(s) == before);
  }
  // Zero amounts are fine both ways; refunds take margins too.
  CHECK_NOTHROW(in.record(purchase(c, 40, 0)));
  Interaction r = purchase(c, 41, 0);
  r.kind = InteractionKind::refund;
  r.margin = -10;
  CHECK_NOTHROW(in.record(r));
}

TEST_CASE_METHOD(TwoCustomerLog, "external_id makes recording idempotent, different content conflicts", "[interactions]") {
  Interaction i = purchase(c, 1000, 500);
  i.external_id = "o-1";
  i.attributes = R"({"b":1,"a":2})";
  std::int64_t id = in.record(i);
  const std::string before = store_checksum(s);
  Interaction same = i;
  same.attributes = R"({ "a": 2, "b": 1 })";  // the same object spelled differently
  CHECK(in.record(same) == id);
  CHECK(store_checksum(s) == before);
  CHECK(in.figures(c).purchase_count == 1);

  struct Case {
    const char* field;
    std::function<void(Interaction&)> change;
  };
  std::vector<Case> cases = {
      {"customer_id", [&](Interaction& x) { x.customer_id = d; }},
      {"occurred_at", [](Interaction& x) { x.occurred_at += 1; }},
      {"channel", [](Interaction& x) { x.channel = Channel::store; }},
      {"kind", [](Interaction& x) { x.kind = InteractionKind::refund; x.amount->minor = -500; }},
      {"direction", [](Interaction& x) { x.direction = Direction::outbound; }},
      {"amount", [](Interaction& x) { x.amount->minor = 501; }},
      {"currency", [](Interaction& x) { x.amount->currency = "USD"; }},
      {"margin", [](Interaction& x) { x.margin = 1; }},
      {"subject", [](Interaction& x) { x.subject = "s"; }},
      {"notes", [](Interaction& x) { x.notes = "n"; }},
      {"attributes", [](Interaction& x) { x.attributes = "{}"; }},
  };
  for (auto& k : cases) {
    INFO(k.field);
    Interaction x = i;
    k.change(x);
    expect_error([&] { in.record(x); }, Errc::conflict, std::string("with a different ") + k.field);
    CHECK(store_checksum(s) == before);
  }
  // In a batch: the duplicate is counted, not inserted.
  Interaction fresh = purchase(c, 2000, 100);
  fresh.external_id = "o-2";
  BatchResult r = in.record_batch({same, fresh, fresh});
  CHECK(r.inserted == 1);
  CHECK(r.duplicates == 2);
  CHECK(r.ids[0] == id);
  CHECK(r.ids[1] == r.ids[2]);
  CHECK(in.figures(c).purchase_count == 2);
}

TEST_CASE_METHOD(CustomerLog, "skip_invalid commits the valid rows and lists the others", "[interactions]") {
  Interaction dup = purchase(c, 5, 10);
  dup.external_id = "x";
  in.record(dup);
  Interaction clash = dup;
  clash.occurred_at = 6;
  Interaction bad = purchase(c, 7, -3);
  Interaction ghost = note(999, 8);
  std::vector<Interaction> batch = {note(c, 1), bad, ghost, dup, clash, purchase(c, 9, 20)};
  BatchOptions o;
  o.skip_invalid = true;
  BatchResult r = in.record_batch(batch, o);
  CHECK(r.inserted == 2);
  CHECK(r.duplicates == 1);
  REQUIRE(r.errors.size() == 3);
  CHECK(r.errors[0].index == 1);
  CHECK(r.errors[0].code == Errc::invalid_argument);
  CHECK(r.errors[0].message.find("amount -3") != std::string::npos);
  CHECK(r.errors[1].index == 2);
  CHECK(r.errors[1].code == Errc::not_found);
  CHECK(r.errors[2].index == 4);
  CHECK(r.errors[2].code == Errc::conflict);
  CHECK(r.ids[1] == 0);
  CHECK(r.ids[2] == 0);
  CHECK(r.ids[4] == 0);
  CHECK(r.ids[3] > 0);
  CHECK(r.ids[0] > 0);
  CHECK(r.ids[5] > r.ids[0]);
  CustomerFigures f = in.figures(c);
  CHECK(f.interaction_count == 3);
  CHECK(f.purchase_count == 2);
  REQUIRE(f.money.size() == 1);
  CHECK(f.money[0].purchase_total == 30);

  // An empty batch is fine.
  BatchResult e = in.record_batch({});
  CHECK(e.inserted == 0);
  CHECK(e.ids.empty());
}

TEST_CASE_METHOD(CustomerLog, "a batch joins the caller's transaction", "[interactions]") {
  const std::string before = store_checksum(s);
  {
    Transaction t(s);
    BatchResult r = in.record_batch({purchase(c, 1, 1), purchase(c, 2, 2)});
    CHECK(r.inserted == 2);
    CHECK(s.in_transaction());
    in.record(note(c, 3));
    CHECK(in.figures(c).interaction_count == 3);
    // A failing batch inside the transaction undoes only itself.
    expect_error([&] { in.record_batch({purchase(c, 4, 4), note(77, 5)}); }, Errc::not_found, "row 1");
    CHECK(in.figures(c).interaction_count == 3);
    CHECK(s.in_transaction());
    t.rollback();
  }
  CHECK(store_checksum(s) == before);
  {
    Transaction t(s);
    in.record_batch({purchase(c, 1, 1)});
    t.commit();
  }
  CHECK(in.figures(c).purchase_count == 1);
}

TEST_CASE("timeline is newest first with keyset pages and filters", "[interactions]") {
  Store s = test_store();
  std::int64_t c = new_customer(s, "c");
  std::int64_t other = new_customer(s, "o");
  Interactions in(s);
  std::vector<Interaction> batch;
  for (int k = 0; k < 30; ++k) {
    // Pairs share a timestamp, so the id must break ties; arrival order is scrambled.
    Instant at = 1000 * ((k * 7) % 15);
    batch.push_back(k % 3 == 0 ? purchase(c, at, k) : note(c, at));
  }
  batch.push_back(note(other, 500));
  BatchOptions repeats;  // the notes that share a timestamp are alike: repeats on purpose
  repeats.allow_repeats = true;
  in.record_batch(batch, repeats);
  std::vector<std::pair<Instant, std::int64_t>> all;
  TimelinePage p = in.timeline(c, {}, 7);
  int pages = 1;
  for (;;) {
    for (auto& i : p.interactions) all.emplace_back(i.occurred_at, i.id);
    if (!p.has_more) break;
    p = in.timeline(c, {}, 7, p.next_before_time, p.next_before_id);
    ++pages;
  }
  CHECK(pages == 5);
  REQUIRE(all.size() == 30);
  for (std::size_t k = 1; k < all.size(); ++k) CHECK(all[k] < all[k - 1]);

  TimelineFilter purchases;
  purchases.kind = InteractionKind::purchase;
  TimelinePage pp = in.timeline(c, purchases, 100);
  CHECK(pp.interactions.size() == 10);
  CHECK(!pp.has_more);
  for (auto& i : pp.interactions) CHECK(i.kind == InteractionKind::purchase);
  TimelineFilter phone;
  phone.channel = Channel::phone;
  phone.from = 3000;
  phone.to = 6000;
  TimelinePage ph = in.timeline(c, phone, 100);
  for (auto& i : ph.interactions) {
    CHECK(i.channel == Channel::phone);
    CHECK(i.occurred_at >= 3000);
    CHECK(i.occurred_at < 6000);
  }
  CHECK(ph.interactions.size() == 4);  // 2 per timestamp 3000..5000, minus purchases (k%3==0)
  // before_time alone is a strict bound on time.
  TimelinePage older = in.timeline(c, {}, 100, Instant{2000});
  for (auto& i : older.interactions) CHECK(i.occurred_at < 2000);
  CHECK(older.interactions.size() == 4);
  expect_error([&] { in.timeline(9999); }, Errc::not_found, "customer 9999");
  expect_error([&] { in.timeline(c, {}, 0); }, Errc::invalid_argument, "limit 0");
  expect_error([&] { in.timeline(c, {}, 10, std::nullopt, 5); }, Errc::invalid_argument, "before_id needs");
}

// ---- idempotent batches without external_id: the natural key ------------------------------

TEST_CASE_METHOD(CustomerLog, "a batch without external_ids recorded twice records each fact once", "[interactions]") {
  Interaction with_subject = purchase(c, 3000, 700);
  with_subject.subject = "order";
  with_subject.attributes = R"({"b":1,"a":2})";
  const std::vector<Interaction> batch = {purchase(c, 1000, 500), note(c, 2000), with_subject};
  BatchResult first = in.record_batch(batch);
  CHECK(first.inserted == 3);
  CHECK(first.duplicates == 0);
  const std::string before = store_checksum(s);

  // The attributes spelled differently are the same object: the same fact.
  std::vector<Interaction> again = batch;
  again[2].attributes = R"({ "a": 2, "b": 1 })";
  BatchResult second = in.record_batch(again);
  CHECK(second.inserted == 0);
  CHECK(second.duplicates == 3);
  CHECK(second.duplicate_natural_keys == 3);
  CHECK(second.duplicate_external_ids == 0);
  CHECK(second.ids == first.ids);
  CHECK(store_checksum(s) == before);
  CHECK(in.figures(c).purchase_count == 2);
  CHECK(in.figures(c).money.at(0).purchase_total == 1200);

  // skip_invalid takes the same path.
  BatchOptions skip;
  skip.skip_invalid = true;
  CHECK(in.record_batch(again, skip).duplicate_natural_keys == 3);
  CHECK(store_checksum(s) == before);
}

TEST_CASE_METHOD(TwoCustomerLog, "a change in any field of a row without external_id makes it another fact", "[interactions]") {
  Interaction base = purchase(c, 1000, 500);
  base.subject = "s";
  REQUIRE(in.record_batch({base}).inserted == 1);
  std::vector<std::function<void(Interaction&)>> changes = {
      [&](Interaction& x) { x.customer_id = d; },
      [](Interaction& x) { x.occurred_at += 1; },
      [](Interaction& x) { x.channel = Channel::store; },
      [](Interaction& x) { x.direction = Direction::outbound; },
      [](Interaction& x) { x.amount->minor = 501; },
      [](Interaction& x) { x.amount->currency = "USD"; },
      [](Interaction& x) { x.margin = 1; },
      [](Interaction& x) { x.subject = "t"; },
      [](Interaction& x) { x.subject.reset(); },
      [](Interaction& x) { x.subject = ""; },  // an empty subject is not an absent one
      [](Interaction& x) { x.notes = "s"; },    // the same text in another field
      [](Interaction& x) { x.attributes = "{}"; },
  };
  std::size_t k = 0;
  for (auto& change : changes) {
    INFO("change " << k++);
    Interaction x = base;
    change(x);
    BatchResult r = in.record_batch({x});
    CHECK(r.inserted == 1);
    CHECK(r.duplicates == 0);
  }
}

TEST_CASE_METHOD(CustomerLog, "identical rows without external_id: duplicates unless allow_repeats", "[interactions]") {
  const Interaction coffee = purchase(c, 1000, 350);

  // Within one batch the second identical row is the first one again.
  BatchResult r = in.record_batch({coffee, coffee});
  CHECK(r.inserted == 1);
  CHECK(r.duplicate_natural_keys == 1);
  CHECK(r.ids[0] == r.ids[1]);

  // allow_repeats records true repeats, within the batch and against earlier ones.
  BatchOptions repeats;
  repeats.allow_repeats = true;
  BatchResult two = in.record_batch({coffee, coffee}, repeats);
  CHECK(two.inserted == 2);
  CHECK(two.duplicates == 0);
  CHECK(two.ids[0] != two.ids[1]);
  CHECK(in.figures(c).purchase_count == 3);

  // external_id still identifies a row with allow_repeats.
  Interaction keyed = coffee;
  keyed.external_id = "o-1";
  CHECK(in.record_batch({keyed}, repeats).inserted == 1);
  BatchResult dup = in.record_batch({keyed, keyed}, repeats);
  CHECK(dup.duplicate_external_ids == 2);
  CHECK(dup.duplicate_natural_keys == 0);

  // record() records what it is given: one call is one fact.
  CHECK(in.record(coffee) != in.record(coffee));
  CHECK(in.figures(c).purchase_count == 6);
}

// ---- values as people write them ---------------------------------------------------------

TEST_CASE("channel kind direction and currency text are taken in any ASCII case and kept canonical", "[interactions]") {
  CHECK(parse_channel("Web") == Channel::web);
  CHECK(parse_channel("STORE") == Channel::store);
  CHECK(parse_interaction_kind("Email_Open") == InteractionKind::email_open);
  CHECK(parse_direction("InBound") == Direction::inbound);
  CHECK(std::string(to_string(parse_channel("eMaIl"))) == "email");
  // Only case is forgiven: other spellings are still refused, naming the field.
  expect_error([] { parse_channel(" web"); }, Errc::invalid_argument, "channel ' web' is not one of");
  expect_error([] { parse_interaction_kind("purchases"); }, Errc::invalid_argument, "kind 'purchases'");
  CHECK(currency_code("usd") == "USD");
  CHECK(currency_code("Eur") == "EUR");
  CHECK(currency_code("u$d") == "U$D");  // left for is_currency_code to refuse
  CHECK(!is_currency_code(currency_code("u$d")));
}

// On PostgreSQL a batch goes through pipelined passes of 256 statements and falls back to the
// row-by-row path for anything unusual; on SQLite it is the row path. Either way the outcome of
// every row must be the same: these batches are longer than a pass and mix every kind of row.
TEST_CASE_METHOD(TwoCustomerLog, "long mixed batches: new rows, both kinds of repeats, a conflict, a missing customer",
                 "[interactions]") {
  auto order = [&](int k) {
    Interaction i = purchase(k % 2 ? c : d, 1'000'000 + k * 1000, 100 + k);
    if (k % 3 == 0) i.external_id = "o-" + std::to_string(k);
    return i;
  };
  std::vector<Interaction> first;
  for (int k = 0; k < 600; ++k) first.push_back(order(k));
  const BatchResult r1 = in.record_batch(first);
  CHECK(r1.inserted == 600);
  CHECK(in.figures(c).purchase_count == 300);
  CHECK(in.figures(d).money.at(0).purchase_total == [] {
    std::int64_t t = 0;
    for (int k = 0; k < 600; k += 2) t += 100 + k;
    return t;
  }());

  // The first 600 again (both kinds of duplicates) and 300 new ones, rotated.
  std::vector<Interaction> second;
  for (int k = 0; k < 900; ++k) second.push_back(order(k));
  std::rotate(second.begin(), second.begin() + 450, second.end());
  const BatchResult r2 = in.record_batch(second);
  CHECK(r2.inserted == 300);
  CHECK(r2.duplicates == 600);
  CHECK(r2.duplicate_external_ids == 200);
  CHECK(r2.duplicate_natural_keys == 400);
  for (std::size_t i = 0; i < second.size(); ++i) {
    const int k = static_cast<int>((i + 450) % 900);
    if (k < 600) CHECK(r2.ids[i] == r1.ids[static_cast<std::size_t>(k)]);
  }
  CHECK(in.figures(c).purchase_count == 450);
  const std::string before = store_checksum(s);

  // One changed fact under a recorded external_id: the whole batch refused, naming the row.
  std::vector<Interaction> third = second;
  third.push_back(order(900));
  REQUIRE(third[600].external_id == std::string("o-150"));  // recorded by the first batch
  third[600].amount = Money{1, "EUR"};
  try {
    in.record_batch(third);
    FAIL("a changed fact was recorded");
  } catch (const BatchRowError& e) {
    CHECK(e.row() == 600);
    CHECK(e.code() == Errc::conflict);
  }
  CHECK(store_checksum(s) == before);

  // With skip_invalid: the conflicting row and a row of a missing customer are listed, the rest kept.
  BatchOptions skip;
  skip.skip_invalid = true;
  third.push_back(purchase(999'999, 5, 5));
  const BatchResult r3 = in.record_batch(third, skip);
  REQUIRE(r3.errors.size() == 2);
  CHECK(r3.errors[0].index == 600);
  CHECK(r3.errors[0].code == Errc::conflict);
  CHECK(r3.errors[1].index == third.size() - 1);
  CHECK(r3.errors[1].code == Errc::not_found);
  CHECK(r3.inserted == 1);  // order(900)
  CHECK(r3.duplicates == third.size() - 3);
}
