// crmkit::customer_fields() against every place that names customer fields: the JSON form, the
// customers table, the export, the segment catalogue and the C API. A field added to one and not
// the others fails here.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cstdlib>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include <SQLiteCpp/Database.h>
#include <nlohmann/json.hpp>

#include "test_store.hpp"
#include "capi/test_db.hpp"
#include "crmkit.h"
#include "crmkit/customer.hpp"
#include "crmkit/error.hpp"
#include "crmkit/export.hpp"
#include "segments/fields.hpp"
#include "temp_dir.hpp"

using namespace crmkit;

namespace {

std::vector<std::string> names_where(bool (*keep)(const CustomerFieldInfo&)) {
  std::vector<std::string> v;
  for (const auto& f : customer_fields())
    if (keep(f)) v.emplace_back(f.name);
  return v;
}

std::vector<std::string> all_names() {
  return names_where([](const CustomerFieldInfo&) { return true; });
}

// A money field's amount and currency are two columns of the customers table.
std::string currency_column(const std::string& money_field) {
  return money_field.substr(0, money_field.rfind('_')) + "_currency";
}

Customer stored_customer(Store& s) {
  Customers cs(s);
  CustomerFields f;
  f.external_id = "A1";
  f.created_at = 1'700'000'000'000;
  f.email = "a@example.com";
  f.acquisition_cost = Money{250, "EUR"};
  f.tags = std::vector<std::string>{"vip"};
  return cs.get(cs.create(f));
}

}  // namespace

TEST_CASE("customer_fields names each field once and types it from its own table", "[customers][fields]") {
  std::set<std::string> seen;
  for (const auto& f : customer_fields()) {
    INFO(f.name);
    CHECK(seen.insert(f.name).second);
    CHECK(*to_string(f.type));
    CHECK(std::string(f.description).size() > 3);
    CHECK(f.choices.empty() == (f.type != CustomerFieldType::choice));
    if (f.clearable) CHECK(f.given);  // what cannot be given cannot be cleared either
  }
  for (const auto& f : customer_fields()) {
    if (std::string(f.name) == "kind") CHECK(f.choices == std::vector<std::string>{"person", "organization"});
    if (std::string(f.name) == "lifecycle_stage")
      CHECK(f.choices == std::vector<std::string>{"lead", "prospect", "customer", "churned"});
  }
}

TEST_CASE("a customer's JSON has exactly the fields of customer_fields", "[customers][fields]") {
  Store s = test_store();
  Customer c = stored_customer(s);
  auto j = nlohmann::json::parse(to_json(c));
  std::vector<std::string> keys;
  for (auto& [k, v] : j.items()) keys.push_back(k);
  auto names = all_names();
  std::sort(names.begin(), names.end());
  CHECK(keys == names);
  CHECK(j["acquisition_cost"]["amount"] == "2.50");
  CHECK(j["tags"] == nlohmann::json::array({"vip"}));
}

TEST_CASE("the customers table has a column for every stored field and no other", "[customers][fields]") {
  TempDir dir;
  const auto path = dir.file("fields.db");
  { Store s = Store::open(path); }
  SQLite::Database db(path, SQLite::OPEN_READONLY);
  std::vector<std::string> columns;
  SQLite::Statement q(db, "SELECT name FROM pragma_table_info('customers') ORDER BY cid");
  while (q.executeStep()) columns.push_back(q.getColumn(0).getString());
  std::vector<std::string> expected;
  for (const auto& f : customer_fields()) {
    if (f.type == CustomerFieldType::tags) continue;  // their own table, customer_tags
    expected.emplace_back(f.name);
    if (f.type == CustomerFieldType::money) expected.push_back(currency_column(f.name));
  }
  std::sort(columns.begin(), columns.end());
  std::sort(expected.begin(), expected.end());
  CHECK(columns == expected);
}

TEST_CASE("the customers export has a column for every field", "[customers][fields][export]") {
  Store s = test_store();
  stored_customer(s);
  std::ostringstream out;
  export_rows(s, ExportKind::customers, ExportFormat::csv, out);
  // CSV rows end in CRLF (RFC 4180).
  const std::string header = out.str().substr(0, out.str().find("\r\n"));
  std::vector<std::string> columns;
  std::istringstream cells(header);
  for (std::string cell; std::getline(cells, cell, ',');) columns.push_back(cell);
  std::vector<std::string> expected;
  for (const auto& f : customer_fields()) {
    const std::string name = f.name;
    if (f.type == CustomerFieldType::integer) expected.push_back("customer_" + name);
    else if (f.type == CustomerFieldType::money) expected.push_back(name + "_minor"), expected.push_back(currency_column(name));
    else expected.push_back(name);
  }
  CHECK(columns == expected);
}

TEST_CASE("the segment catalogue offers every customer field with its type", "[customers][fields][segments]") {
  using segments::FieldType;
  for (const auto& f : customer_fields()) {
    INFO(f.name);
    const auto* s = segments::find_field(f.name);
    switch (f.type) {
      case CustomerFieldType::flag: CHECK(s == nullptr); break;         // lifecycle_manual: not a rule's business
      case CustomerFieldType::json_object: CHECK(s == nullptr); break;  // attributes.<path> instead
      case CustomerFieldType::integer: REQUIRE(s); CHECK(s->type == FieldType::number); break;
      case CustomerFieldType::text:
      case CustomerFieldType::choice: REQUIRE(s); CHECK(s->type == FieldType::text); break;
      case CustomerFieldType::date: REQUIRE(s); CHECK(s->type == FieldType::date); break;
      case CustomerFieldType::money: REQUIRE(s); CHECK(s->type == FieldType::money); break;
      case CustomerFieldType::instant: REQUIRE(s); CHECK(s->type == FieldType::instant); break;
      case CustomerFieldType::tags: REQUIRE(s); CHECK(s->type == FieldType::tags); break;
    }
  }
  // The catalogue's customer columns (those before `age`, the first computed one) are all fields.
  for (auto id = 0; id < static_cast<int>(segments::FieldId::age); ++id) {
    bool found = false;
    for (const auto& f : customer_fields()) {
      const auto* s = segments::find_field(f.name);
      found = found || (s && static_cast<int>(s->id) == id);
    }
    INFO("segments::FieldId " << id);
    CHECK(found);
  }
}

TEST_CASE("set_text_field takes the text, date and choice fields and refuses the rest", "[customers][fields]") {
  for (const auto& f : customer_fields()) {
    INFO(f.name);
    CustomerFields fields;
    const bool text_like = f.type == CustomerFieldType::text || f.type == CustomerFieldType::date ||
                           f.type == CustomerFieldType::choice;
    const std::string value = f.choices.empty() ? "2001-02-03" : f.choices.back();
    if (text_like && f.given) {
      set_text_field(fields, f.name, value);
      CHECK(fields.clear.empty());
    } else {
      CHECK_THROWS_WITH(set_text_field(fields, f.name, value),
                        "field '" + std::string(f.name) + "' is not a customer text field");
    }
  }
  CustomerFields fields;
  set_text_field(fields, "lifecycle_stage", "churned");
  CHECK(fields.lifecycle_stage == LifecycleStage::churned);
  set_text_field(fields, "gender", "X");
  CHECK(fields.gender == "X");
  CHECK_THROWS_WITH(set_text_field(fields, "kind", "robot"), Catch::Contains("kind 'robot' is not one of"));
}

TEST_CASE("clear accepts exactly the clearable fields and makes each unknown", "[customers][fields]") {
  Store s = test_store();
  Customers cs(s);
  CustomerFields full;
  full.external_id = "A1";
  full.created_at = 1'700'000'000'000;
  for (const auto& f : customer_fields())
    if (f.type == CustomerFieldType::text && f.given) set_text_field(full, f.name, "x");
  full.email = "a@example.com";
  full.phone = "+390612345678";
  full.birth_date = "1990-05-06";
  full.gender = "F";
  full.country = "IT";
  full.acquisition_cost = Money{100, "EUR"};
  full.attributes = R"({"a":1})";
  full.tags = std::vector<std::string>{"t"};
  const std::int64_t id = cs.create(full);
  const auto before = nlohmann::json::parse(to_json(cs.get(id)));
  for (const auto& f : customer_fields()) {
    INFO(f.name);
    CustomerFields clear;
    clear.clear = {f.name};
    if (!f.clearable) {
      CHECK_THROWS_WITH(cs.update(id, clear, 1'700'000'000'001), Catch::Contains("not a field that can be cleared"));
      continue;
    }
    CHECK(before[f.name] != nlohmann::json(nullptr));
    cs.update(id, clear, 1'700'000'000'001);
    const auto after = nlohmann::json::parse(to_json(cs.get(id)));
    const auto& v = after[f.name];
    CHECK((v.is_null() || v == nlohmann::json::object() || v == nlohmann::json::array()));
  }
}

TEST_CASE("crmkit_customer_fields_json lists customer_fields as they are", "[capi][customers][fields]") {
  char* out = nullptr;
  REQUIRE(crmkit_customer_fields_json(&out) == CRMKIT_OK);
  const auto j = nlohmann::json::parse(out);
  crmkit_free(out);
  REQUIRE(j.size() == customer_fields().size());
  for (std::size_t i = 0; i < j.size(); ++i) {
    const auto& f = customer_fields()[i];
    CHECK(j[i]["name"] == f.name);
    CHECK(j[i]["type"] == to_string(f.type));
    CHECK(j[i]["given"] == f.given);
    CHECK(j[i]["clearable"] == f.clearable);
    CHECK(j[i]["choices"] == f.choices);
    CHECK(j[i]["description"] == f.description);
  }
  CHECK(crmkit_customer_fields_json(nullptr) == CRMKIT_EINVALID);
}

TEST_CASE("the C setters and the JSON upsert take every field the table says is given", "[capi][customers][fields]") {
  crmkit_customer* rec = nullptr;
  REQUIRE(crmkit_customer_new(&rec) == CRMKIT_OK);
  for (const auto& f : customer_fields()) {
    INFO(f.name);
    const bool text_like = f.type == CustomerFieldType::text || f.type == CustomerFieldType::date ||
                           f.type == CustomerFieldType::choice || f.type == CustomerFieldType::json_object;
    const std::string value = !f.choices.empty() ? f.choices.front() : f.type == CustomerFieldType::json_object ? "{}" : "x";
    CHECK((crmkit_customer_set_text(rec, f.name, value.c_str()) == CRMKIT_OK) == (text_like && f.given));
  }
  crmkit_customer_free(rec);

  crmkit_db* db = nullptr;
  REQUIRE(open_test_db(&db) == CRMKIT_OK);
  for (const auto& f : customer_fields()) {
    INFO(f.name);
    nlohmann::json j = {{"external_id", "J1"}, {"created_at", 1'700'000'000'000}};
    if (!j.contains(f.name)) j[f.name] = nullptr;  // every given field may be null (not given)
    std::int64_t id = 0;
    const int rc = crmkit_customer_upsert_json(&id, nullptr, db, j.dump().c_str());
    if (f.given) CHECK(rc == CRMKIT_OK);
    else CHECK(rc == CRMKIT_EINVALID);
  }
  crmkit_db_close(db);
}
