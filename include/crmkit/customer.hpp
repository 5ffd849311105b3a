// crmkit/customer.hpp: customers (people and organisations) and their profile.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "crmkit/json_form.hpp"
#include "crmkit/money.hpp"
#include "crmkit/store.hpp"
#include "crmkit/time.hpp"

namespace crmkit {

enum class CustomerKind { person, organization };
enum class LifecycleStage { lead, prospect, customer, churned };
// Every stage in lifecycle order: the one list that parsing, messages and reports use.
inline constexpr LifecycleStage kLifecycleStages[] = {LifecycleStage::lead, LifecycleStage::prospect,
                                                      LifecycleStage::customer, LifecycleStage::churned};

const char* to_string(CustomerKind k) noexcept;
const char* to_string(LifecycleStage s) noexcept;
// Parse the names above; throw Error(invalid_argument) naming `field`.
CustomerKind parse_customer_kind(const std::string& text, const char* field = "kind");
LifecycleStage parse_lifecycle_stage(const std::string& text, const char* field = "lifecycle_stage");

// A customer as stored. Optional fields are std::nullopt when unknown.
struct Customer {
  std::int64_t id = 0;
  std::optional<std::string> external_id;   // the host's key, unique
  CustomerKind kind = CustomerKind::person;
  std::optional<std::string> display_name;
  std::optional<std::string> given_name;
  std::optional<std::string> family_name;
  std::optional<std::string> email;          // trimmed, lower-cased, syntax-checked
  std::optional<std::string> phone;          // "+<digits>" (E.164 style)
  std::optional<std::string> birth_date;     // "YYYY-MM-DD"
  std::optional<std::string> gender;         // "F", "M" or "X"
  std::optional<std::string> country;        // ISO 3166-1 alpha-2, upper case
  std::optional<std::string> region;
  std::optional<std::string> city;
  std::optional<std::string> postal_code;
  std::optional<std::string> acquisition_channel;
  std::optional<Money> acquisition_cost;
  LifecycleStage lifecycle_stage = LifecycleStage::lead;
  bool lifecycle_manual = false;             // the host gave the stage: automatic moves skip it
  Instant created_at = 0;
  Instant updated_at = 0;
  std::optional<Instant> erased_at;          // set once by erasure (crmkit/erasure.hpp); then read-only
  std::string attributes = "{}";             // a JSON object
  std::vector<std::string> tags;             // sorted, unique
};

// What a create, upsert or update sets. A field left std::nullopt is not touched by update
// and is unknown after create; `clear` names fields an update sets back to unknown.
struct CustomerFields {
  std::optional<std::string> external_id;
  std::optional<CustomerKind> kind;
  std::optional<std::string> display_name;
  std::optional<std::string> given_name;
  std::optional<std::string> family_name;
  std::optional<std::string> email;
  std::optional<std::string> phone;
  std::optional<std::string> birth_date;
  std::optional<std::string> gender;
  std::optional<std::string> country;
  std::optional<std::string> region;
  std::optional<std::string> city;
  std::optional<std::string> postal_code;
  std::optional<std::string> acquisition_channel;
  std::optional<Money> acquisition_cost;
  std::optional<LifecycleStage> lifecycle_stage;  // given: the stage is manual (docs/CORE.md)
  std::optional<Instant> created_at;          // required by create (no hidden clock)
  std::optional<std::string> attributes;      // a JSON object; replaces the whole object
  std::optional<std::vector<std::string>> tags;  // replaces the whole tag set
  std::vector<std::string> clear;             // field names to set unknown (update only)
};

// How a customer field's value is written, in JSON and in a CSV cell.
enum class CustomerFieldType {
  integer,      // a whole number (the id)
  text,         // free UTF-8 text
  date,         // "YYYY-MM-DD"
  choice,       // one name of an enumeration (CustomerFieldInfo::choices)
  money,        // an amount with its currency
  instant,      // a point in time (ms since the epoch; ISO-8601 in readable forms)
  flag,         // true or false
  json_object,  // a JSON object
  tags,         // a set of short texts
};
const char* to_string(CustomerFieldType t) noexcept;

// One field of a customer. customer_fields() is the one list of them, in the order of
// Customer's members: validation, clearing, the JSON form, the segment field catalogue, the
// CSV columns of the command line, the C API's and the Python binding's field lists are all
// derived from it or checked against it by a test.
struct CustomerFieldInfo {
  const char* name;
  CustomerFieldType type;
  bool given;                        // create, upsert and update take it; false: the store keeps it
  bool clearable;                    // an update's `clear` may name it
  std::vector<std::string> choices;  // a choice field's allowed names; empty otherwise
  const char* description;
};
const std::vector<CustomerFieldInfo>& customer_fields();

// Sets the text, date or choice field `name` of `fields` from its text (a choice's name is
// parsed; std::nullopt leaves the field not given), so a reader of named values (CSV columns,
// C setters) fills CustomerFields from the list above. Throws Error(invalid_argument) for any
// other name and for a name that is not one of a choice field's choices.
void set_text_field(CustomerFields& fields, std::string_view name, std::optional<std::string> value);

struct CustomerFilter {
  std::optional<Instant> created_from;        // created_at >= this
  std::optional<Instant> created_to;          // created_at < this
  std::optional<std::string> tag;
  std::optional<LifecycleStage> lifecycle_stage;
  std::optional<std::string> country;
};

// When a customer counts as churned (the store's rule, one per store; docs/CORE.md).
enum class ChurnRule {
  no_purchase,  // no purchase in [as_of - window_days, as_of)
  p_alive,      // the stored score's P(alive) < p_alive_threshold (scores made at as_of)
};
const char* to_string(ChurnRule r) noexcept;  // "no_purchase", "p_alive"
ChurnRule parse_churn_rule(const std::string& text, const char* field = "churn_rule");

struct LifecycleRule {
  ChurnRule churn = ChurnRule::no_purchase;
  int window_days = 180;           // 1..36500, for no_purchase
  double p_alive_threshold = 0.5;  // 0..1, for p_alive
};

struct LifecycleOptions {
  bool override_manual = false;  // also move customers whose stage the host set (and make it automatic)
};

// How many customers moved from one stage to another.
struct LifecycleMove {
  LifecycleStage from = LifecycleStage::lead;
  LifecycleStage to = LifecycleStage::customer;
  std::int64_t customers = 0;
};

struct LifecycleUpdate {
  Instant as_of = 0;
  LifecycleRule rule;
  std::int64_t evaluated = 0;        // customers with a purchase before as_of that the rule judged
  std::vector<LifecycleMove> moves;  // only transitions that happened, in lifecycle order
  std::int64_t moved(LifecycleStage from, LifecycleStage to) const noexcept;
};
// {"churn_rule", "window_days", "p_alive_threshold"}
std::string to_json(const LifecycleRule& rule);
// {"as_of", "rule": {...}, "evaluated", "moves": [{"from","to","customers"}]}
std::string to_json(const LifecycleUpdate& update);

// One page of a keyset-paginated listing, ordered by id. Pass next_after as `after` to
// continue; it is 0 when the listing is complete.
struct CustomerPage {
  std::vector<Customer> customers;
  std::int64_t next_after = 0;
};

// The customer as JSON text: readable (ISO-8601 instants, decimal amounts) is what the command
// line prints, exact what the C API returns (crmkit/json_form.hpp).
std::string to_json(const Customer& c, JsonForm form = JsonForm::readable);

class Customers {
 public:
  explicit Customers(Store& store) : store_(store) {}

  // Creates a customer; `fields.created_at` is required. Throws conflict when the
  // external_id exists. Returns the new id.
  std::int64_t create(const CustomerFields& fields);

  // Creates or updates the customer with fields.external_id (required). Idempotent: the same
  // fields twice change nothing the second time. Returns the id; *created says which happened.
  std::int64_t upsert(const CustomerFields& fields, bool* created = nullptr);

  Customer get(std::int64_t id);                        // throws not_found
  Customer get_by_external_id(const std::string& external_id);
  std::vector<Customer> find_by_email(const std::string& email);  // normalised before lookup
  std::optional<std::int64_t> find_id(const std::string& external_id);

  // Sets the fields given and clears those named in fields.clear; `updated_at` is required
  // (passed as fields.created_at is not allowed here). Throws not_found.
  void update(std::int64_t id, const CustomerFields& fields, Instant updated_at);

  // Deletes a customer with no interactions or other facts; conflict otherwise. The audit
  // trail's "deleted" entry keeps the record and is dated at its updated_at (no clock is read).
  void remove(std::int64_t id);

  CustomerPage list(const CustomerFilter& filter = {}, std::int64_t after = 0, int limit = 100);
  std::int64_t count(const CustomerFilter& filter = {});

  // Lifecycle stages. A recorded purchase moves a lead, prospect or churned customer to
  // `customer` in the recording transaction. update_lifecycle applies the churn rule at as_of
  // to every customer with a purchase before as_of: churned when the rule says so, otherwise
  // customer. Customers whose stage the host set are skipped unless options.override_manual.
  // Atomic; running it twice at the same as_of moves nobody the second time.
  LifecycleRule lifecycle_rule();
  void set_lifecycle_rule(const LifecycleRule& rule);  // invalid_argument names the bad field
  LifecycleUpdate update_lifecycle(Instant as_of, const LifecycleOptions& options = {});

 private:
  Store store_;
};

// Normalisers used by customers and importers; each throws Error(invalid_argument) naming the
// field. Email: trimmed, lower-cased, one '@', a dotted domain. Phone: parsed by libphonenumber
// with default_region (ISO 3166 alpha-2, "IT"; "" = none, then only "+" or "00" numbers are
// read), refused unless a valid number, returned in E.164 ("+390612345678"); digits, a
// leading '+', spaces, dots, dashes and parentheses only.
std::string normalize_email(const std::string& text);
std::string normalize_phone(const std::string& text, const std::string& default_region);

}  // namespace crmkit
