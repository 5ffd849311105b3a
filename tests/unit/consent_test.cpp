// The consent ledger and the suppression list: state derivation (double opt-in pending,
// confirmed and expired, the `all` channel, a withdraw winning a tie, grants that lapse),
// refusals that write nothing, and suppressed emails and phones refused on create, update,
// upsert and add.
#include <catch2/catch.hpp>

#include <map>
#include <set>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "crmkit/consent.hpp"
#include "crmkit/customer.hpp"
#include "crmkit/segment.hpp"
#include "expect_error.hpp"
#include "store_checksum.hpp"
#include "test_store.hpp"

using namespace crmkit;

namespace {

constexpr Instant kT0 = 1'700'000'000'000;
constexpr Instant kDay = 86'400'000;

std::int64_t customer(Store& s, const std::string& ext, std::optional<std::string> email = std::nullopt,
                      std::optional<std::string> phone = std::nullopt) {
  CustomerFields f;
  f.external_id = ext;
  f.created_at = kT0;
  f.email = std::move(email);
  f.phone = std::move(phone);
  return Customers(s).create(f);
}

NewConsentEvent event(std::int64_t c, ConsentAction action, Instant at, ConsentChannel channel = ConsentChannel::email,
                      const std::string& purpose = "marketing") {
  NewConsentEvent e;
  e.customer_id = c;
  e.channel = channel;
  e.purpose = purpose;
  e.action = action;
  e.source = "web-signup";
  e.at = at;
  return e;
}

ConsentState state_at(Consent& consent, std::int64_t c, Instant as_of, ConsentChannel channel = ConsentChannel::email,
                      const std::string& purpose = "marketing") {
  return consent.state(c, channel, purpose, as_of).state;
}

std::vector<std::string> detail_state_names() { return {"none", "granted", "pending", "withdrawn", "expired"}; }

}  // namespace

namespace segments {
// {"field": "consent.<channel>.marketing", "op": "eq", "value": state}
std::string rule_json_for_test(ConsentChannel channel, const std::string& state) {
  return nlohmann::json{{"field", std::string("consent.") + to_string(channel) + ".marketing"},
                        {"op", "eq"},
                        {"value", state}}
      .dump();
}
}  // namespace segments

TEST_CASE("no event is none, a grant is granted from its instant on, with the deciding event", "[consent]") {
  Store s = test_store();
  const auto c = customer(s, "a");
  Consent consent(s);
  CHECK(state_at(consent, c, kT0) == ConsentState::none);
  auto e = event(c, ConsentAction::grant, kT0);
  e.lawful_basis = LawfulBasis::consent;
  e.evidence.form = "footer";
  e.evidence.text_version = "v3";
  e.evidence.ip = "203.0.113.9";
  e.evidence.user_agent = "Mozilla/5.0";
  const auto id = consent.record(e);
  CHECK(state_at(consent, c, kT0 - 1) == ConsentState::none);
  const auto st = consent.state(c, ConsentChannel::email, "marketing", kT0);
  CHECK(st.state == ConsentState::granted);
  REQUIRE(st.deciding);
  CHECK(st.deciding->id == id);
  CHECK(st.deciding->evidence.text_version == std::optional<std::string>("v3"));
  CHECK(!st.until);
  // Another channel and another purpose are untouched.
  CHECK(state_at(consent, c, kT0, ConsentChannel::sms) == ConsentState::none);
  CHECK(state_at(consent, c, kT0, ConsentChannel::email, "profiling") == ConsentState::none);
  const auto j = nlohmann::json::parse(to_json(st, JsonForm::exact));
  CHECK(j["state"] == "granted");
  CHECK(j["deciding"]["evidence"]["ip"] == "203.0.113.9");
  CHECK(j["until"].is_null());
  CHECK(consent.get(id).source == "web-signup");
}

TEST_CASE("double opt-in: pending until confirmed, expired after the TTL", "[consent]") {
  Store s = test_store();
  const auto c = customer(s, "a");
  Consent consent(s);
  CHECK(consent.double_opt_in_ttl() == 7 * kDay);
  consent.record(event(c, ConsentAction::request_double_opt_in, kT0));
  const auto pending = consent.state(c, ConsentChannel::email, "marketing", kT0 + kDay);
  CHECK(pending.state == ConsentState::pending);
  CHECK(pending.until == std::optional<Instant>(kT0 + 7 * kDay));
  CHECK(state_at(consent, c, kT0 + 7 * kDay - 1) == ConsentState::pending);
  CHECK(state_at(consent, c, kT0 + 7 * kDay) == ConsentState::expired);

  SECTION("confirmed in time: granted") {
    consent.record(event(c, ConsentAction::confirm, kT0 + 2 * kDay));
    CHECK(state_at(consent, c, kT0 + kDay) == ConsentState::pending);
    CHECK(state_at(consent, c, kT0 + 2 * kDay) == ConsentState::granted);
    CHECK(state_at(consent, c, kT0 + 30 * kDay) == ConsentState::granted);
  }
  SECTION("a confirm after the TTL confirms nothing") {
    const std::string before = store_checksum(s);
    expect_error([&] { consent.record(event(c, ConsentAction::confirm, kT0 + 8 * kDay)); }, Errc::conflict,
                 "nothing to confirm: customer " + std::to_string(c) + "'s marketing consent on email is expired");
    CHECK(store_checksum(s) == before);
  }
  SECTION("the TTL is a store setting, read at each derivation") {
    consent.set_double_opt_in_ttl(kDay);
    CHECK(consent.double_opt_in_ttl() == kDay);
    CHECK(state_at(consent, c, kT0 + kDay) == ConsentState::expired);
    expect_error([&] { consent.set_double_opt_in_ttl(0); }, Errc::invalid_argument, "outside 60000");
  }
  SECTION("a request's own expires_at replaces the TTL") {
    const auto other = customer(s, "b");
    auto e = event(other, ConsentAction::request_double_opt_in, kT0);
    e.expires_at = kT0 + 3600'000;
    consent.record(e);
    CHECK(state_at(consent, other, kT0 + 3600'000 - 1) == ConsentState::pending);
    CHECK(state_at(consent, other, kT0 + 3600'000) == ConsentState::expired);
  }
}

TEST_CASE("a confirm without a pending request is refused", "[consent]") {
  Store s = test_store();
  const auto c = customer(s, "a");
  Consent consent(s);
  const std::string before = store_checksum(s);
  expect_error([&] { consent.record(event(c, ConsentAction::confirm, kT0)); }, Errc::conflict,
               "nothing to confirm: customer " + std::to_string(c) + "'s marketing consent on email is none");
  CHECK(store_checksum(s) == before);
}

TEST_CASE("a grant with expires_at lapses, an expire event ends it", "[consent]") {
  Store s = test_store();
  const auto c = customer(s, "a");
  Consent consent(s);
  auto g = event(c, ConsentAction::grant, kT0);
  g.expires_at = kT0 + 10 * kDay;
  consent.record(g);
  CHECK(state_at(consent, c, kT0 + 10 * kDay - 1) == ConsentState::granted);
  const auto lapsed = consent.state(c, ConsentChannel::email, "marketing", kT0 + 10 * kDay);
  CHECK(lapsed.state == ConsentState::expired);
  CHECK(lapsed.until == std::optional<Instant>(kT0 + 10 * kDay));
  consent.record(event(c, ConsentAction::grant, kT0 + 20 * kDay));
  CHECK(state_at(consent, c, kT0 + 20 * kDay) == ConsentState::granted);
  consent.record(event(c, ConsentAction::expire, kT0 + 30 * kDay));
  CHECK(state_at(consent, c, kT0 + 30 * kDay) == ConsentState::expired);
}

TEST_CASE("the all channel applies to every channel, the latest of specific and all wins", "[consent]") {
  Store s = test_store();
  const auto c = customer(s, "a");
  Consent consent(s);
  consent.record(event(c, ConsentAction::grant, kT0, ConsentChannel::all));
  for (auto ch : {ConsentChannel::email, ConsentChannel::sms, ConsentChannel::phone, ConsentChannel::post,
                  ConsentChannel::push})
    CHECK(state_at(consent, c, kT0, ch) == ConsentState::granted);
  consent.record(event(c, ConsentAction::withdraw, kT0 + kDay, ConsentChannel::sms));
  CHECK(state_at(consent, c, kT0 + kDay, ConsentChannel::sms) == ConsentState::withdrawn);
  CHECK(state_at(consent, c, kT0 + kDay, ConsentChannel::email) == ConsentState::granted);
  // A later withdraw on all covers every channel ...
  consent.record(event(c, ConsentAction::withdraw, kT0 + 2 * kDay, ConsentChannel::all));
  CHECK(state_at(consent, c, kT0 + 2 * kDay, ConsentChannel::email) == ConsentState::withdrawn);
  // ... until a later grant on one channel.
  consent.record(event(c, ConsentAction::grant, kT0 + 3 * kDay, ConsentChannel::email));
  CHECK(state_at(consent, c, kT0 + 3 * kDay, ConsentChannel::email) == ConsentState::granted);
  CHECK(state_at(consent, c, kT0 + 3 * kDay, ConsentChannel::post) == ConsentState::withdrawn);
  // The history stays answerable.
  CHECK(state_at(consent, c, kT0 + kDay, ConsentChannel::post) == ConsentState::granted);

  const auto all = consent.states(c, kT0 + 3 * kDay);
  REQUIRE(all.size() == 5);
  CHECK(all[0].channel == ConsentChannel::email);
  CHECK(all[0].state == ConsentState::granted);
  CHECK(all[1].channel == ConsentChannel::sms);
  CHECK(all[1].state == ConsentState::withdrawn);
  CHECK(consent.events(c).size() == 4);
  expect_error([&] { consent.state(c, ConsentChannel::all, "marketing", kT0); }, Errc::invalid_argument,
               "not 'all'");
}

TEST_CASE("at equal instants a withdraw wins, whatever the order recorded", "[consent]") {
  Store s = test_store();
  Consent consent(s);
  const auto a = customer(s, "a");
  consent.record(event(a, ConsentAction::withdraw, kT0));
  consent.record(event(a, ConsentAction::grant, kT0));
  CHECK(state_at(consent, a, kT0) == ConsentState::withdrawn);
  const auto b = customer(s, "b");
  consent.record(event(b, ConsentAction::grant, kT0, ConsentChannel::email));
  consent.record(event(b, ConsentAction::withdraw, kT0, ConsentChannel::all));
  CHECK(state_at(consent, b, kT0) == ConsentState::withdrawn);
  CHECK(state_at(consent, b, kT0 + 1) == ConsentState::withdrawn);
}

TEST_CASE("purposes: built in, registered, and an unknown one refused by name", "[consent]") {
  Store s = test_store();
  const auto c = customer(s, "a");
  Consent consent(s);
  const std::string before = store_checksum(s);
  expect_error([&] { consent.record(event(c, ConsentAction::grant, kT0, ConsentChannel::email, "newsletter")); },
               Errc::invalid_argument,
               "purpose 'newsletter' is not registered (registered: marketing, profiling, transactional;");
  expect_error([&] { consent.state(c, ConsentChannel::email, "newsletter", kT0); }, Errc::invalid_argument,
               "purpose 'newsletter' is not registered");
  CHECK(store_checksum(s) == before);
  consent.add_purpose("newsletter", std::string("the weekly letter"), kT0);
  consent.add_purpose("newsletter", std::string("the weekly letter"), kT0 + 1);  // the same again: a no-op
  expect_error([&] { consent.add_purpose("newsletter", std::nullopt, kT0); }, Errc::conflict,
               "already registered with another description");
  expect_error([&] { consent.add_purpose("News Letter", std::nullopt, kT0); }, Errc::invalid_argument,
               "purpose 'News Letter' must be 1..64 characters");
  consent.record(event(c, ConsentAction::grant, kT0, ConsentChannel::email, "newsletter"));
  CHECK(state_at(consent, c, kT0, ConsentChannel::email, "newsletter") == ConsentState::granted);
  const auto list = consent.purposes();
  REQUIRE(list.size() == 4);
  CHECK(list[0].built_in);
  CHECK(list[3].name == "newsletter");
  CHECK_FALSE(list[3].built_in);
}

TEST_CASE("bad events are refused by field and write nothing", "[consent]") {
  Store s = test_store();
  const auto c = customer(s, "a", std::string("a@example.com"), std::string("+14155550100"));
  const auto other = customer(s, "b", std::string("b@example.com"));
  ContactPoints cp(s);
  const auto email = cp.list(c)[0].id;
  const auto other_email = cp.list(other)[0].id;
  Consent consent(s);
  const std::string before = store_checksum(s);
  auto with = [&](auto change) {
    auto e = event(c, ConsentAction::grant, kT0);
    change(e);
    return [&consent, e] { consent.record(e); };
  };
  expect_error(with([](auto& e) { e.customer_id = 99999; }), Errc::not_found, "customer 99999 does not exist");
  expect_error(with([](auto& e) { e.source = " "; }), Errc::invalid_argument, "source is empty");
  expect_error(with([](auto& e) { e.source = std::string(201, 'x'); }), Errc::invalid_argument, "source");
  expect_error(with([](auto& e) { e.evidence.ip = ""; }), Errc::invalid_argument, "evidence ip is empty");
  expect_error(with([](auto& e) { e.at = INT64_MAX; }), Errc::invalid_argument, "at");
  expect_error(with([](auto& e) { e.expires_at = e.at; }), Errc::invalid_argument, "is not after at");
  expect_error(with([](auto& e) {
                 e.action = ConsentAction::withdraw;
                 e.expires_at = e.at + 1;
               }),
               Errc::invalid_argument, "expires_at is only for grant, confirm and request_double_opt_in");
  expect_error(with([&](auto& e) { e.contact_point_id = 424242; }), Errc::not_found,
               "contact point 424242 does not exist");
  expect_error(with([&](auto& e) { e.contact_point_id = other_email; }), Errc::invalid_argument,
               "belongs to customer " + std::to_string(other));
  expect_error(with([&](auto& e) {
                 e.contact_point_id = email;
                 e.channel = ConsentChannel::sms;
               }),
               Errc::invalid_argument, "which channel 'sms' does not reach");
  expect_error(with([&](auto& e) {
                 e.contact_point_id = email;
                 e.channel = ConsentChannel::all;
               }),
               Errc::invalid_argument, "other than 'all'");
  CHECK(store_checksum(s) == before);
  auto ok = event(c, ConsentAction::grant, kT0);
  ok.contact_point_id = email;
  CHECK(consent.get(consent.record(ok)).contact_point_id == std::optional<std::int64_t>(email));
}

TEST_CASE("suppression keeps a salted hash, never the value", "[consent][suppression]") {
  Store s = test_store();
  Suppressions list(s);
  CHECK_FALSE(list.is_suppressed(ContactType::email, "gone@example.com"));
  const auto row = list.suppress(ContactType::email, " Gone@Example.COM ", SuppressionReason::erased, kT0);
  CHECK(row.hash.size() == 64);
  CHECK(row.hash.find("gone") == std::string::npos);
  CHECK(list.is_suppressed(ContactType::email, "gone@example.com"));
  // Suppressing again keeps the first row.
  const auto again = list.suppress(ContactType::email, "gone@example.com", SuppressionReason::manual, kT0 + 1);
  CHECK(again.reason == SuppressionReason::erased);
  CHECK(again.at == kT0);
  // Another store has another salt: the same address hashes differently.
  Store t = test_store();
  CHECK(Suppressions(t).suppress(ContactType::email, "gone@example.com", SuppressionReason::erased, kT0).hash !=
        row.hash);
  expect_error([&] { list.suppress(ContactType::address, "1 Main St", SuppressionReason::manual, kT0); },
               Errc::invalid_argument, "type 'address' cannot be suppressed");
  expect_error([&] { list.unsuppress(ContactType::email, "gone@example.com"); }, Errc::conflict,
               "suppressed as erased");
  expect_error([&] { list.unsuppress(ContactType::email, "never@example.com"); }, Errc::not_found,
               "that email is not suppressed");
  list.suppress(ContactType::phone, "+1 415 555 0199", SuppressionReason::manual, kT0);
  CHECK(list.is_suppressed(ContactType::phone, "+14155550199"));
  list.unsuppress(ContactType::phone, "+14155550199");
  CHECK_FALSE(list.is_suppressed(ContactType::phone, "+14155550199"));
}

TEST_CASE("a suppressed email or phone is refused on create, upsert, update and add, nothing written",
          "[consent][suppression]") {
  Store s = test_store();
  Suppressions(s).suppress(ContactType::email, "gone@example.com", SuppressionReason::erased, kT0);
  Suppressions(s).suppress(ContactType::phone, "+14155550199", SuppressionReason::complaint, kT0);
  const auto c = customer(s, "a", std::string("a@example.com"));
  Customers customers(s);
  ContactPoints cp(s);
  const std::string before = store_checksum(s);
  const std::string erased = "email is suppressed (erased 2023-11-14T22:13:20.000Z)";

  CustomerFields create;
  create.external_id = "new";
  create.created_at = kT0;
  create.email = "GONE@example.com";
  expect_error([&] { customers.create(create); }, Errc::conflict, erased);
  expect_error([&] { customers.upsert(create); }, Errc::conflict, erased);
  CustomerFields phone = create;
  phone.email.reset();
  phone.phone = "+1 415 555 0199";
  expect_error([&] { customers.create(phone); }, Errc::conflict, "phone is suppressed (complaint");

  CustomerFields update;
  update.email = "gone@example.com";
  expect_error([&] { customers.update(c, update, kT0 + 1); }, Errc::conflict, erased);

  NewContactPoint p;
  p.type = ContactType::email;
  p.value = "gone@EXAMPLE.com";
  expect_error([&] { cp.add(c, p, kT0 + 1); }, Errc::conflict, erased);
  try {
    cp.add(c, p, kT0 + 1);
  } catch (const Error& e) {
    CHECK(std::string(e.what()).find("gone") == std::string::npos);  // the reason, never the value
  }
  CHECK(store_checksum(s) == before);

  // Someone who already has the address keeps it through updates of other fields.
  const auto had = customer(s, "b", std::string("kept@example.com"));
  Suppressions(s).suppress(ContactType::email, "kept@example.com", SuppressionReason::bounced, kT0);
  CustomerFields rename;
  rename.display_name = "B";
  rename.email = "kept@example.com";
  customers.update(had, rename, kT0 + 1);
  CHECK(customers.get(had).email == std::optional<std::string>("kept@example.com"));
}

TEST_CASE("segments filter on consent, membership agrees with Consent::state at every instant",
          "[consent][segments]") {
  Store s = test_store();
  Consent consent(s);
  consent.set_double_opt_in_ttl(2 * kDay);
  // One customer per history; the states at the instants below cover all five.
  const auto none = customer(s, "none");
  const auto granted = customer(s, "granted");
  consent.record(event(granted, ConsentAction::grant, kT0));
  const auto blanket = customer(s, "blanket");  // granted on all, then withdrawn on sms only
  consent.record(event(blanket, ConsentAction::grant, kT0, ConsentChannel::all));
  consent.record(event(blanket, ConsentAction::withdraw, kT0 + kDay, ConsentChannel::sms));
  const auto tie = customer(s, "tie");
  consent.record(event(tie, ConsentAction::withdraw, kT0 + kDay));
  consent.record(event(tie, ConsentAction::grant, kT0 + kDay, ConsentChannel::all));
  const auto opt_in = customer(s, "opt_in");  // pending, then expired by the TTL
  consent.record(event(opt_in, ConsentAction::request_double_opt_in, kT0));
  const auto confirmed = customer(s, "confirmed");
  consent.record(event(confirmed, ConsentAction::request_double_opt_in, kT0));
  consent.record(event(confirmed, ConsentAction::confirm, kT0 + kDay));
  const auto lapsing = customer(s, "lapsing");
  auto g = event(lapsing, ConsentAction::grant, kT0);
  g.expires_at = kT0 + kDay;
  consent.record(g);
  const auto ended = customer(s, "ended");
  consent.record(event(ended, ConsentAction::grant, kT0));
  consent.record(event(ended, ConsentAction::expire, kT0 + 2 * kDay));
  const std::vector<std::int64_t> all{none, granted, blanket, tie, opt_in, confirmed, lapsing, ended};

  Segments segments(s);
  std::set<ConsentState> seen;
  for (Instant as_of : {kT0 - 1, kT0, kT0 + kDay - 1, kT0 + kDay, kT0 + 2 * kDay, kT0 + 3 * kDay})
    for (auto channel : {ConsentChannel::email, ConsentChannel::sms})
      for (const auto& st : detail_state_names()) {
        const std::string rule = segments::rule_json_for_test(channel, st);
        std::vector<std::int64_t> want;
        for (auto c : all) {
          const auto now = consent.state(c, channel, "marketing", as_of).state;
          seen.insert(now);
          if (to_string(now) == st) want.push_back(c);
        }
        INFO("as_of " << as_of << ", " << rule);
        CHECK(segments.evaluate(rule, as_of) == want);
      }
  CHECK(seen.size() == 5);

  // The text form, a list, a negative; refusals name the part at fault.
  const std::string may_email = rule_from_text("consent.email.marketing = \"granted\"");
  CHECK(segments.evaluate(may_email, kT0) == std::vector<std::int64_t>{granted, blanket, lapsing, ended});
  CHECK(rule_to_text(may_email) == "consent.email.marketing = \"granted\"");
  // On sms the tie's email withdraw does not apply: its grant on all does.
  CHECK(segments.evaluate(rule_from_text("consent.sms.marketing not in [\"none\", \"granted\"]"), kT0 + kDay) ==
        std::vector<std::int64_t>{blanket});
  CHECK(segments.evaluate(rule_from_text("consent.email.marketing != \"granted\""), kT0 + kDay) ==
        std::vector<std::int64_t>{none, tie, opt_in, lapsing});
  expect_error([&] { segments.evaluate(rule_from_text("consent.email.marketing = \"maybe\""), kT0); },
               Errc::invalid_argument, "'maybe' is not a consent state (none, granted, pending, withdrawn, expired)");
  expect_error([&] { segments.evaluate(rule_from_text("consent.all.marketing = \"granted\""), kT0); },
               Errc::invalid_argument, "names no channel");
  expect_error([&] { segments.evaluate(rule_from_text("consent.email = \"granted\""), kT0); },
               Errc::invalid_argument, "names no purpose");
  expect_error([&] { segments.evaluate(rule_from_text("consent.email.newsletter = \"granted\""), kT0); },
               Errc::invalid_argument, "purpose 'newsletter' is not registered");
  expect_error([&] { segments.evaluate(rule_from_text("consent.email.marketing contains \"gr\""), kT0); },
               Errc::invalid_argument, "operator contains does not apply to consent field");
}

TEST_CASE("state_counts are the states of every customer summed, at every instant", "[consent]") {
  Store s = test_store();
  Consent consent(s);
  std::vector<std::int64_t> ids;
  for (int i = 0; i < 12; ++i) ids.push_back(customer(s, "c" + std::to_string(i)));
  // A mix of actions, channels and purposes, some on `all`, recorded out of time order.
  const ConsentAction actions[] = {ConsentAction::grant, ConsentAction::withdraw, ConsentAction::request_double_opt_in,
                                   ConsentAction::grant, ConsentAction::expire};
  const ConsentChannel channels[] = {ConsentChannel::email, ConsentChannel::sms, ConsentChannel::all};
  for (int k = 0; k < 40; ++k) {
    const std::int64_t c = ids[static_cast<std::size_t>((k * 7) % 12)];
    const Instant at = kT0 + ((k * 13) % 20) * kDay;
    const ConsentAction a = actions[k % 5];
    if (a == ConsentAction::expire) continue;  // an expire needs something to end; keep the mix simple
    consent.record(event(c, a, at, channels[k % 3], k % 4 == 0 ? "profiling" : "marketing"));
  }
  for (int day : {0, 3, 9, 15, 30}) {
    const Instant as_of = kT0 + day * kDay;
    INFO(day);
    std::map<std::string, std::int64_t> want, got;
    for (auto c : ids)
      for (const auto& st : consent.states(c, as_of))
        ++want[st.purpose + " " + to_string(st.channel) + " " + to_string(st.state)];
    for (const auto& n : consent.state_counts(as_of))
      got[n.purpose + " " + to_string(n.channel) + " " + to_string(n.state)] += n.customers;
    CHECK(got == want);
    if (day >= 15) CHECK(want.size() >= 4);  // the grid reaches several states
  }
  expect_error([&] { consent.state_counts(-62'135'596'800'001); }, Errc::invalid_argument, "as_of");
}
