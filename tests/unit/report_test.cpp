// build_report on a small store whose every figure is known: each section's exact content,
// the as_of cut, the options' refusals, exact totals past int64, and the at-risk ranking.
#include <catch2/catch.hpp>

#include <cstdint>
#include <limits>
#include <string>

#include <nlohmann/json.hpp>

#include "test_store.hpp"
#include "crmkit/audit.hpp"
#include "crmkit/consent.hpp"
#include "crmkit/contact_point.hpp"
#include "crmkit/customer.hpp"
#include "crmkit/error.hpp"
#include "crmkit/interaction.hpp"
#include "crmkit/report.hpp"
#include "crmkit/value.hpp"
#include "store/connection.hpp"

using namespace crmkit;

namespace {

Instant at(const char* iso) { return parse_instant(iso); }

std::int64_t customer(Store& s, const std::string& ext, std::optional<std::string> country) {
  CustomerFields f;
  f.external_id = ext;
  f.country = std::move(country);
  f.created_at = at("2024-01-01T00:00:00Z");
  return Customers(s).create(f);
}

void fact(Store& s, std::int64_t c, const char* when, InteractionKind kind, std::optional<Money> amount = {}) {
  Interaction i;
  i.customer_id = c;
  i.occurred_at = at(when);
  i.kind = kind;
  i.channel = Channel::web;
  i.amount = std::move(amount);
  Interactions(s).record(i);
}

struct Shop {
  Store s = test_store();
  std::int64_t a, b, c, d;
  Shop() {
    a = customer(s, "A", "DE");
    b = customer(s, "B", "FR");
    c = customer(s, "C", std::nullopt);
    d = customer(s, "D", "DE");
    fact(s, a, "2024-01-10T10:00:00Z", InteractionKind::purchase, Money{10000, "EUR"});
    fact(s, a, "2024-02-05T10:00:00Z", InteractionKind::purchase, Money{5000, "EUR"});
    fact(s, a, "2024-02-06T10:00:00Z", InteractionKind::refund, Money{-1000, "EUR"});
    fact(s, b, "2024-01-20T10:00:00Z", InteractionKind::purchase, Money{3000, "EUR"});
    fact(s, b, "2024-02-01T12:00:00Z", InteractionKind::purchase, Money{2000, "USD"});
    fact(s, c, "2024-02-10T09:00:00Z", InteractionKind::email_open);
    fact(s, d, "2024-01-25T10:00:00Z", InteractionKind::purchase, Money{30000, "EUR"});
  }
};

}  // namespace

TEST_CASE("report: every section of a small store, exactly", "[report]") {
  Shop shop;
  ReportOptions o;
  o.top = 1;
  Report r = build_report(shop.s, o);
  CHECK(r.as_of == at("2024-02-11T00:00:00Z"));  // the end of the last day with a fact

  const ReportOverview& ov = r.overview;
  CHECK(ov.customers == 4);
  CHECK(ov.interactions == 7);
  CHECK(ov.purchases == 5);
  CHECK(ov.refunds == 1);
  REQUIRE(ov.revenue.size() == 2);
  CHECK(ov.revenue[0].currency == "EUR");
  CHECK(ov.revenue[0].amount == "480.00");
  CHECK(ov.refunded[0].amount == "-10.00");
  CHECK(ov.net[0].amount == "470.00");
  CHECK(ov.revenue[1].currency == "USD");
  CHECK(ov.revenue[1].amount == "20.00");
  CHECK(ov.refunded[1].amount == "0.00");
  REQUIRE(ov.by_country.size() == 3);
  CHECK(ov.by_country[0].name == "DE");
  CHECK(ov.by_country[0].customers == 2);
  CHECK(ov.by_country[1].name == "(unknown)");
  CHECK(ov.by_country[2].name == "FR");
  std::int64_t staged = 0;
  for (const auto& st : ov.by_stage) staged += st.customers;
  CHECK(staged == 4);

  REQUIRE(r.revenue_by_month.size() == 3);
  CHECK(r.revenue_by_month[0].currency == "EUR");
  CHECK(r.revenue_by_month[0].month == "2024-01");
  CHECK(r.revenue_by_month[0].purchases == 3);
  CHECK(r.revenue_by_month[0].revenue == "430.00");
  CHECK(r.revenue_by_month[1].month == "2024-02");
  CHECK(r.revenue_by_month[1].revenue == "50.00");
  CHECK(r.revenue_by_month[2].currency == "USD");
  CHECK(r.revenue_by_month[2].revenue == "20.00");

  REQUIRE(r.top_customers.size() == 2);  // top 1 per currency
  CHECK(r.top_customers[0].currency == "EUR");
  CHECK(r.top_customers[0].customer_id == shop.d);
  CHECK(r.top_customers[0].external_id == "D");
  CHECK(r.top_customers[0].revenue == "300.00");
  CHECK(r.top_customers[1].currency == "USD");
  CHECK(r.top_customers[1].customer_id == shop.b);

  CHECK_FALSE(r.value.scored);
  CHECK(r.at_risk.empty());
  CHECK(r.segments.empty());
  CHECK_FALSE(r.rfm.assigned);
  CHECK(r.points.empty());

  // Cohorts: the newest 12 months up to the last first purchase (January 2024).
  REQUIRE(r.loyalty.has_cohorts);
  CHECK(r.loyalty.cohorts_from == at("2023-02-01T00:00:00Z"));
  CHECK(r.loyalty.cohorts_to == at("2024-02-01T00:00:00Z"));
  auto cohorts = nlohmann::json::parse(to_json(r.loyalty.cohorts))["cohorts"];
  REQUIRE(cohorts.size() == 1);
  CHECK(cohorts[0]["cohort"] == "2024-01");
  CHECK(cohorts[0]["size"] == 3);

  // The JSON: sections in the library's order, money as exact text.
  auto j = nlohmann::json::parse(to_json(r));
  CHECK(j["as_of"] == "2024-02-11T00:00:00.000Z");
  CHECK(j["overview"]["revenue"][0] == nlohmann::json({{"currency", "EUR"}, {"amount", "480.00"}}));
  std::vector<std::string> keys;
  for (const auto& k : report_section_keys()) keys.push_back(k);
  CHECK(keys == std::vector<std::string>{"overview", "revenue_by_month", "top_customers", "value", "at_risk",
                                         "segments", "rfm", "loyalty", "points", "identity"});
}

TEST_CASE("report: as_of before the last fact counts only the facts before it", "[report]") {
  Shop shop;
  ReportOptions o;
  o.as_of = at("2024-02-01T00:00:00Z");
  Report r = build_report(shop.s, o);
  CHECK(r.overview.interactions == 3);
  CHECK(r.overview.purchases == 3);
  REQUIRE(r.overview.revenue.size() == 1);  // B's USD purchase is on 2024-02-01
  CHECK(r.overview.revenue[0].amount == "430.00");
  CHECK(r.overview.refunded[0].amount == "0.00");
  REQUIRE(r.top_customers.size() == 3);  // default top 10
  CHECK(r.top_customers[0].customer_id == shop.d);
  CHECK(r.top_customers[1].customer_id == shop.a);
  CHECK(r.top_customers[1].revenue == "100.00");
}

TEST_CASE("report: the currency option keeps that currency's money only", "[report]") {
  Shop shop;
  ReportOptions o;
  o.currency = "USD";
  Report r = build_report(shop.s, o);
  REQUIRE(r.overview.revenue.size() == 1);
  CHECK(r.overview.revenue[0].amount == "20.00");
  REQUIRE(r.revenue_by_month.size() == 1);
  CHECK(r.revenue_by_month[0].currency == "USD");
}

TEST_CASE("report: bad options are refused, naming the option", "[report]") {
  Shop shop;
  auto refused = [&](ReportOptions o, const std::string& word) {
    try {
      build_report(shop.s, o);
      FAIL("accepted");
    } catch (const Error& e) {
      CHECK(e.code() == Errc::invalid_argument);
      CHECK(std::string(e.what()).find(word) != std::string::npos);
    }
  };
  ReportOptions o;
  o.top = -1;
  refused(o, "top");
  o = {};
  o.at_risk_below = 1.5;
  refused(o, "at_risk_below");
  o = {};
  o.lost_floor = 0.6;  // above at_risk_below
  refused(o, "lost_floor");
  o = {};
  o.currency = "euro";
  refused(o, "currency");
  o = {};
  o.as_of = std::numeric_limits<Instant>::max();
  refused(o, "as_of");
}

TEST_CASE("report: a revenue total past int64 minor units is exact", "[report]") {
  Store s = test_store();
  const std::int64_t big = 6'000'000'000'000'000'000;  // each customer's total fits int64
  for (const char* ext : {"X", "Y"}) {
    std::int64_t c = customer(s, ext, std::nullopt);
    fact(s, c, "2024-01-10T10:00:00Z", InteractionKind::purchase, Money{big, "EUR"});
  }
  Report r = build_report(s, {});
  REQUIRE(r.overview.revenue.size() == 1);
  CHECK(r.overview.revenue[0].amount == "120000000000000000.00");
  CHECK(r.overview.net[0].amount == "120000000000000000.00");
  REQUIRE(r.revenue_by_month.size() == 1);
  CHECK(r.revenue_by_month[0].revenue == "120000000000000000.00");
}

TEST_CASE("report: most at risk excludes the lost and ranks by value at risk", "[report]") {
  Shop shop;
  auto& db = crmkit::detail::connection_of(shop.s).db;
  db.exec("INSERT INTO value_models(id, kind, params, fitted_at) VALUES (1, 'bgnbd', '{}', 0), (2, 'gg', '{}', 0)");
  db.exec("INSERT INTO score_run(id, model_id, scored_at, horizon, horizon_unit, currency, spend_model_id, "
          "discount_rate) VALUES (1, 1, " + std::to_string(at("2024-02-11T00:00:00Z")) + ", 12, 'month', 'EUR', 2, 0.01)");
  auto score = [&](std::int64_t id, double p_alive, double clv) {
    db.exec("INSERT INTO customer_score_values(customer_id, p_alive, predicted_clv) VALUES (" + std::to_string(id) +
            ", " + std::to_string(p_alive) + ", " + std::to_string(clv) + ")");
  };
  score(shop.a, 0.2, 10);    // 150.00 x 0.8 = 120
  score(shop.b, 0.001, 1);   // below the lost floor: already lost
  score(shop.c, 0.9, 5);     // alive
  score(shop.d, 0.4, 20);    // 300.00 x 0.6 = 180
  Report r = build_report(shop.s, {});
  REQUIRE(r.value.scored);
  CHECK(r.value.transaction_model == "bgnbd");
  CHECK(r.value.spend_model == "gg");
  CHECK(r.value.horizon == 12);
  CHECK(r.value.horizon_unit == "month");
  CHECK(r.value.monthly_discount_rate == 0.01);
  CHECK(r.value.currency == "EUR");
  CHECK(r.value.customers == 4);
  CHECK(r.value.total == 36);
  CHECK(r.value.quantiles.back() == std::make_pair(std::string("max"), 20.0));
  REQUIRE(r.at_risk.size() == 2);
  CHECK(r.at_risk[0].customer_id == shop.d);
  CHECK(r.at_risk[0].value_at_risk == Approx(180));
  CHECK(r.at_risk[0].past_spend == "300.00");
  CHECK(r.at_risk[1].customer_id == shop.a);
  CHECK(r.at_risk[1].value_at_risk == Approx(120));
  // Without the floor the lost customer comes back (its value at risk is 30 x 0.999).
  ReportOptions o;
  o.lost_floor = 0;
  CHECK(build_report(shop.s, o).at_risk.size() == 3);
}

TEST_CASE("report: RFM segments say frequency over every currency and revenue in the run's", "[report]") {
  Shop shop;
  RfmRequest q;
  q.as_of = at("2024-02-11T00:00:00Z");
  q.currency = "EUR";
  CustomerValue(shop.s).rfm(q);
  Report r = build_report(shop.s, {});
  REQUIRE(r.rfm.assigned);
  CHECK(r.rfm.currency == "EUR");
  std::int64_t customers = 0, frequency = 0;
  double revenue = 0;
  for (const auto& sg : r.rfm.segments) {
    customers += sg.customers;
    frequency += sg.orders;
    revenue += std::stod(sg.revenue);
  }
  CHECK(customers == 3);   // A, B, D bought
  CHECK(frequency == 5);   // B's USD purchase counts in F
  CHECK(revenue == 480.0); // but only EUR in M
}

TEST_CASE("report: an empty store gives an empty report, not an error", "[report]") {
  Store s = test_store();
  Report r = build_report(s, {});
  CHECK(r.as_of == 0);
  CHECK(r.overview.customers == 0);
  CHECK(r.overview.revenue.empty());
  CHECK(r.revenue_by_month.empty());
  CHECK(r.top_customers.empty());
  CHECK_FALSE(r.loyalty.has_cohorts);
  CHECK(nlohmann::json::parse(to_json(r))["loyalty"]["cohorts"].is_null());
}

// ------------------------------------------------------------------------------- HTML form --

namespace {
std::size_t count_of(const std::string& text, const std::string& what) {
  std::size_t n = 0;
  for (auto at = text.find(what); at != std::string::npos; at = text.find(what, at + 1)) ++n;
  return n;
}
}  // namespace

TEST_CASE("report HTML: every section, its charts inline, nothing fetched, text escaped", "[report][html]") {
  Shop shop;
  CustomerFields f;
  f.external_id = "E<1>";
  f.display_name = "<script>alert('x')</script> & Co";
  f.created_at = at("2024-01-01T00:00:00Z");
  const std::int64_t e = Customers(shop.s).create(f);
  fact(shop.s, e, "2024-02-12T10:00:00Z", InteractionKind::purchase, Money{99000, "EUR"});
  const Report r = build_report(shop.s, {});
  const std::string page = to_html(r);

  CHECK(page.rfind("<!DOCTYPE html>", 0) == 0);
  CHECK(page.find("Content-Security-Policy\" content=\"default-src 'none'") != std::string::npos);
  for (const std::string& key : report_section_keys())
    CHECK(page.find("<section id=\"" + key + "\">") != std::string::npos);
  CHECK(count_of(page, "<section id=") == report_section_keys().size());
  // Host text is escaped wherever it appears; nothing in the page runs or loads anything.
  CHECK(page.find("<script") == std::string::npos);
  CHECK(page.find("&lt;script&gt;alert(&apos;x&apos;)&lt;/script&gt; &amp; Co") != std::string::npos);
  CHECK(page.find("E&lt;1&gt;") != std::string::npos);
  for (const char* reference : {"https:", " src=", " href=\"http", "@import", "url("})
    CHECK(page.find(reference) == std::string::npos);
  // The one "http:" is each SVG's namespace name, which is never fetched.
  CHECK(count_of(page, "http:") == count_of(page, "<svg xmlns=\"http://www.w3.org/2000/svg\""));
  // Charts are inline SVG without their XML declaration, each in a figure with a caption: the
  // stages, the countries, channel x kind, revenue by month and the cohorts for this store (no
  // scores, RFM, segments or points yet, which say so in words).
  CHECK(page.find("<?xml") == std::string::npos);
  CHECK(count_of(page, "<figure class=\"chart\"><svg") == 5);
  CHECK(count_of(page, "<figcaption>") == 5);
  CHECK(page.find("figure class=\"chart missing\"") == std::string::npos);
  CHECK(page.find("No scoring run is saved") != std::string::npos);
  // Exact amounts stay exact in the tables (the chart draws the same months).
  CHECK(page.find("<td class=\"txt\">2024-02</td><td class=\"txt\">EUR</td><td class=\"num\">2</td>"
                  "<td class=\"num\">1040.00</td>") != std::string::npos);
}

TEST_CASE("report HTML: the page's size follows months, not customers", "[report][html]") {
  Store s = test_store();
  auto page_for = [&](int customers) {
    for (int i = 0; i < customers; ++i) {
      const std::int64_t c = customer(s, "x" + std::to_string(i) + "-" + std::to_string(customers), "DE");
      fact(s, c, "2024-03-05T10:00:00Z", InteractionKind::purchase, Money{1000 + i, "EUR"});
    }
    ReportOptions o;
    o.top = 5;
    return to_html(build_report(s, o)).size();
  };
  const std::size_t small = page_for(20), large = page_for(2000);
  CHECK(large < small + 4096);  // 100x the customers: the same cells and bars, wider numbers
}

TEST_CASE("report HTML: an empty store gives a page that says so", "[report][html]") {
  Store s = test_store();
  const std::string page = to_html(build_report(s, {}));
  CHECK(count_of(page, "<section id=") == report_section_keys().size());
  CHECK(page.find("No purchases before the report") != std::string::npos);
  CHECK(page.find("<figure") == std::string::npos);
}

TEST_CASE("report: the identity and privacy section counts contact points, consent, suppressions and the trail",
          "[report][identity]") {
  Shop shop;
  Store& s = shop.s;
  const Instant t = at("2024-01-15T00:00:00Z");
  ContactPoints points(s);
  // A has two emails and a phone, B one email and two phones, C one email, D none.
  points.add(shop.a, {ContactType::email, "a1@example.com", std::nullopt, true, std::nullopt}, t);
  points.add(shop.a, {ContactType::email, "a2@example.com", std::nullopt, false, std::nullopt}, t);
  points.add(shop.a, {ContactType::phone, "+44 20 7946 0958", std::nullopt, true, std::nullopt}, t);
  points.add(shop.b, {ContactType::email, "b@example.com", std::nullopt, true, std::nullopt}, t);
  points.add(shop.b, {ContactType::phone, "+44 20 7946 0959", std::nullopt, true, std::nullopt}, t);
  points.add(shop.b, {ContactType::phone, "+44 20 7946 0960", std::nullopt, false, std::nullopt}, t);
  points.add(shop.c, {ContactType::email, "c@example.com", std::nullopt, true, std::nullopt}, t);
  // Made after the report's instant: not counted.
  points.add(shop.d, {ContactType::url, "https://d.example.com", std::nullopt, true, std::nullopt},
             at("2024-03-01T00:00:00Z"));
  Consent consent(s);
  auto event = [&](std::int64_t c, ConsentChannel ch, ConsentAction a, const char* when) {
    NewConsentEvent e;
    e.customer_id = c;
    e.channel = ch;
    e.purpose = "marketing";
    e.action = a;
    e.source = "test";
    e.at = at(when);
    consent.record(e);
  };
  event(shop.a, ConsentChannel::email, ConsentAction::grant, "2024-01-16T00:00:00Z");
  event(shop.b, ConsentChannel::email, ConsentAction::grant, "2024-01-16T00:00:00Z");
  event(shop.b, ConsentChannel::email, ConsentAction::withdraw, "2024-01-20T00:00:00Z");
  event(shop.c, ConsentChannel::sms, ConsentAction::grant, "2024-01-16T00:00:00Z");
  event(shop.d, ConsentChannel::email, ConsentAction::grant, "2024-03-01T00:00:00Z");  // after as_of
  Suppressions(s).suppress(ContactType::email, "gone@example.com", SuppressionReason::bounced, t);
  AuditTrail(s).start_chain();
  CustomerFields change;
  change.city = "Oslo";
  Customers(s).update(shop.d, change, at("2024-01-30T00:00:00Z"));  // one chained entry
  std::int64_t entries = 0;
  {
    auto& st = detail::connection_of(s).prepare("SELECT count(*) FROM audit_entries");
    detail::StatementReset reset(st);
    st.executeStep();
    entries = st.getColumn(0).getInt64();
  }

  ReportOptions o;
  o.as_of = at("2024-02-11T00:00:00Z");
  const ReportIdentity id = build_report(s, o).identity;
  REQUIRE(id.contact_points.size() == 5);
  CHECK(id.contact_points[0].type == "email");
  CHECK(id.contact_points[0].points == 4);
  CHECK(id.contact_points[0].customers == 3);
  CHECK(id.contact_points[0].customers_with_several == 1);
  CHECK(id.contact_points[1].type == "phone");
  CHECK(id.contact_points[1].points == 3);
  CHECK(id.contact_points[1].customers == 2);
  CHECK(id.contact_points[1].customers_with_several == 1);
  CHECK(id.contact_points[3].type == "url");
  CHECK(id.contact_points[3].points == 0);

  std::vector<std::string> states;
  for (const auto& c : id.consent)
    states.push_back(c.purpose + " " + c.channel + " " + c.state + " " + std::to_string(c.customers));
  CHECK(states == std::vector<std::string>{"marketing email granted 1", "marketing email withdrawn 1",
                                           "marketing sms granted 1"});
  CHECK(id.suppressions == 1);
  CHECK(id.audit_chained);
  CHECK(id.audit_entries == entries);
  CHECK(entries > 1);
  CHECK(id.audit_chained_entries == 1);

  const auto j = nlohmann::json::parse(to_json(build_report(s, o)))["identity"];
  CHECK(j["contact_points"][0] == nlohmann::json({{"type", "email"}, {"points", 4}, {"customers", 3},
                                                   {"customers_with_several", 1}}));
  CHECK(j["consent"][1]["state"] == "withdrawn");
  CHECK(j["suppressions"] == 1);
  CHECK(j["audit"]["chained"] == true);
  CHECK(j["audit"]["chained_entries"] == 1);
  const std::string html = to_html(build_report(s, o));
  CHECK(html.find("<section id=\"identity\"") != std::string::npos);
  CHECK(html.find("Identity and privacy") != std::string::npos);
}
