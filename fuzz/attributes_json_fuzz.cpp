// Fuzzes attribute JSON through the public API: customer create/update and interaction
// record. Whatever the bytes, the outcome is a stored canonical object or Error(invalid_argument);
// acceptance agrees with the validator, canonical text is a fixed point, and what is read back
// is what was accepted.
#include <cstdlib>
#include <optional>
#include <string>

#include "base/checks.hpp"
#include "crmkit/customer.hpp"
#include "crmkit/interaction.hpp"
#include "crmkit/store.hpp"

using namespace crmkit;

namespace {
void require(bool ok) {
  if (!ok) std::abort();
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
