// The two JSON forms of records (base/json_form.hpp): exact for the C API, readable for the CLI.
#include <catch2/catch.hpp>

#include "customers/customer_json.hpp"
#include "interactions/interaction_json.hpp"

using namespace crmkit;
using detail::JsonForm;

namespace {
Interaction purchase_with_margin() {
  Interaction i;
  i.id = 7;
  i.customer_id = 3;
  i.occurred_at = parse_instant("2025-01-20T12:30:00Z");
  i.kind = InteractionKind::purchase;
  i.amount = Money{4990, "USD"};
  i.margin = 1234;
  i.attributes = R"({"sku":"A-1"})";
  return i;
}
}  // namespace

TEST_CASE("interaction JSON: exact keeps ms and minor units, readable shows ISO and decimals", "[json]") {
  const Interaction i = purchase_with_margin();
  auto exact = detail::interaction_json(i, JsonForm::exact);
  CHECK(exact["occurred_at"] == i.occurred_at);
  CHECK(exact["amount"] == nlohmann::json{{"minor", 4990}, {"currency", "USD"}});
  CHECK(exact["margin"] == 1234);
  CHECK_FALSE(exact.contains("occurred_at_ms"));
  CHECK(exact["attributes"]["sku"] == "A-1");

  auto readable = detail::interaction_json(i, JsonForm::readable);
  CHECK(readable["occurred_at"] == "2025-01-20T12:30:00.000Z");
  CHECK(readable["occurred_at_ms"] == i.occurred_at);
  CHECK(readable["amount"] == nlohmann::json{{"amount", "49.90"}, {"currency", "USD"}});
  CHECK(readable["margin"] == "12.34");

  Interaction visit;
  visit.kind = InteractionKind::visit;
  CHECK(detail::interaction_json(visit, JsonForm::readable)["margin"].is_null());
  CHECK(detail::interaction_json(visit, JsonForm::exact)["amount"].is_null());
}

TEST_CASE("customer and figures JSON follow the same two forms", "[json]") {
  Customer c;
  c.id = 1;
  c.created_at = parse_instant("2025-01-15T10:00:00Z");
  c.updated_at = c.created_at;
  c.acquisition_cost = Money{250, "EUR"};
  c.attributes = "{}";
  CHECK(detail::customer_json(c, JsonForm::exact)["created_at"] == c.created_at);
  CHECK(detail::customer_json(c, JsonForm::readable)["created_at"] == "2025-01-15T10:00:00.000Z");
  CHECK(detail::customer_json(c, JsonForm::readable)["acquisition_cost"]["amount"] == "2.50");

  CustomerFigures f;
  f.customer_id = 1;
  f.money.push_back(MoneyFigures{"JPY", 1500, -200, 0});
  CHECK(detail::figures_json(f, JsonForm::exact)["money"][0]["purchase_total"] == 1500);
  CHECK(detail::figures_json(f, JsonForm::readable)["money"][0]["purchase_total"] == "1500");
  CHECK(detail::figures_json(f, JsonForm::readable)["last_purchase_at"].is_null());
}
