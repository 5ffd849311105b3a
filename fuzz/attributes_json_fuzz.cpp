// Fuzzes attribute JSON through the public API: customer create/update and interaction
// record. Whatever the bytes, the outcome is a stored canonical object or Error(invalid_argument);
// acceptance agrees with the validator, canonical text is a fixed point, what is read back
// is what was accepted, and every number read back has exactly the decimal value it was given
// (none rounded: an inexact one must have been refused).
#include <algorithm>
#include <cstdlib>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "base/checks.hpp"
#include "crmkit/customer.hpp"
#include "crmkit/interaction.hpp"
#include "crmkit/store.hpp"

using namespace crmkit;

namespace {
void require(bool ok) {
  if (!ok) std::abort();
}

// The exact decimal values of every number in valid JSON text, sorted. Integers arrive as
// values (exact), everything else with its text.
struct NumberValues {
  using json = nlohmann::json;
  std::vector<std::string> values;
  bool null() { return true; }
  bool boolean(bool) { return true; }
  bool number_integer(json::number_integer_t v) { return add(std::to_string(v)); }
  bool number_unsigned(json::number_unsigned_t v) { return add(std::to_string(v)); }
  bool number_float(json::number_float_t, const std::string& text) { return add(text); }
  bool string(std::string&) { return true; }
  bool binary(json::binary_t&) { return true; }
  bool start_object(std::size_t) { return true; }
  bool key(std::string&) { return true; }
  bool end_object() { return true; }
  bool start_array(std::size_t) { return true; }
  bool end_array() { return true; }
  bool parse_error(std::size_t, const std::string&, const nlohmann::detail::exception&) { return false; }
  bool add(const std::string& lexeme) {
    values.push_back(detail::decimal_value(lexeme));
    return true;
  }
};

std::vector<std::string> number_values(const std::string& text) {
  NumberValues n;
  require(nlohmann::json::sax_parse(text, &n));
  std::sort(n.values.begin(), n.values.end());
  return n.values;
}
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static Store store = Store::open(":memory:");
  static std::int64_t customer = [] {
    CustomerFields f;
    f.external_id = "anchor";
    f.created_at = 0;
    return Customers(store).create(f);
  }();
  const std::string text(reinterpret_cast<const char*>(data), size);
  std::optional<std::string> canonical;
  try {
    canonical = detail::canonical_json_object("attributes", text);
    require(detail::canonical_json_object("attributes", *canonical) == *canonical);
    // Every number kept is one that was given, with the same value (a duplicate key may drop
    // one: the canonical numbers are a sub-multiset of the input's).
    const auto given = number_values(text), kept = number_values(*canonical);
    require(std::includes(given.begin(), given.end(), kept.begin(), kept.end()));
  } catch (const Error& e) {
    require(e.code() == Errc::invalid_argument);
  }
  Transaction tx(store);  // rolled back: the store stays small
  Customers customers(store);
  CustomerFields f;
  f.created_at = 1;
  f.attributes = text;
  try {
    std::int64_t id = customers.create(f);
    require(canonical.has_value());
    require(customers.get(id).attributes == *canonical);
  } catch (const Error& e) {
    require(e.code() == Errc::invalid_argument && !canonical);
  }
  CustomerFields u;
  u.attributes = text;
  try {
    customers.update(customer, u, 2);
    require(canonical && customers.get(customer).attributes == *canonical);
  } catch (const Error& e) {
    require(e.code() == Errc::invalid_argument && !canonical);
  }
  Interaction i;
  i.customer_id = customer;
  i.occurred_at = 3;
  i.kind = InteractionKind::note;
  i.attributes = text;
  Interactions interactions(store);
  try {
    std::int64_t id = interactions.record(i);
    require(canonical && interactions.get(id).attributes == canonical);
  } catch (const Error& e) {
    require(e.code() == Errc::invalid_argument && !canonical);
  }
  return 0;
}
