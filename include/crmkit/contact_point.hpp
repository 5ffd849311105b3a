// crmkit/contact_point.hpp: the ways to reach a customer: several emails, phones, postal
// addresses, web addresses and social handles, each with the spelling the host gave, a
// canonical spelling and the match key that duplicate checks and suppression compare.
// docs/IDENTITY.md "Contact points".
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "crmkit/json_form.hpp"
#include "crmkit/store.hpp"
#include "crmkit/time.hpp"

namespace crmkit {

enum class ContactType { email, phone, address, url, social };
const char* to_string(ContactType t) noexcept;  // "email", "phone", "address", "url", "social"
ContactType parse_contact_type(const std::string& text, const char* field = "type");

// A value read three ways. Examples (docs/IDENTITY.md has the full rules):
//   email    " José@Café.FR "              -> "josé@café.fr"         key "josé@xn--caf-dma.fr"
//   phone    "06 1234 5678" (region IT)    -> "+390612345678"        key "+390612345678"
//   address  "12  Main St.\nSpringfield"   -> "12 Main St.\nSpringfield"  key "12 main st, springfield"
//   url      "HTTPS://WWW.Example.com/a/"  -> "https://www.example.com/a/"  key "example.com/a"
//   social   "Twitter:@Alice_B"            -> "twitter:@Alice_B"     key "twitter:alice_b"
struct ContactValue {
  std::string normalized;  // the canonical spelling: shown, exported, and kept in Customer's fields
  std::string match_key;   // equal keys are the same contact point, whoever spelled them
};

// Reads `value` as a contact point of `type`; phones with `default_region` (ISO 3166 alpha-2,
// "" = none: only "+" or "00" numbers). Throws Error(invalid_argument) naming the type and the
// problem. Pure: the same input always gives the same output.
ContactValue normalize_contact(ContactType type, const std::string& value, const std::string& default_region);

// A contact point as stored.
struct ContactPoint {
  std::int64_t id = 0;
  std::int64_t customer_id = 0;
  ContactType type = ContactType::email;
  std::string value;                     // as the host gave it, trimmed
  std::string normalized;                // ContactValue::normalized
  std::string match_key;                 // ContactValue::match_key; unique per customer and type
  std::optional<std::string> label;      // "work", "home", ... (free text, 1..100 bytes)
  bool primary = false;                  // at most one per customer and type
  std::optional<Instant> verified_at;    // when the person last proved they receive it
  std::optional<Instant> invalid_since;  // when it stopped working (a hard bounce, a dead number)
  std::int64_t bounce_count = 0;         // deliveries that failed
  Instant created_at = 0;
  Instant updated_at = 0;
};

// {"id", "customer_id", "type", "value", "normalized", "match_key", "label", "primary",
//  "verified_at", "invalid_since", "bounce_count", "created_at", "updated_at"}; absent
// optionals are null.
std::string to_json(const ContactPoint& c, JsonForm form = JsonForm::readable);
std::string to_json(const std::vector<ContactPoint>& list, JsonForm form = JsonForm::readable);

// What add() records.
struct NewContactPoint {
  ContactType type = ContactType::email;
  std::string value;
  std::optional<std::string> label;
  bool primary = false;  // true: becomes the customer's primary of its type (the old one stays, not primary)
  std::optional<Instant> verified_at;
};

// The primary email and phone are Customer::email and Customer::phone: the customer's row keeps
// the primary's normalized value, written in the same transaction as the contact point, so
// lists, segments and exports read one column. Setting Customer::email through Customers
// replaces the primary email's value (the row keeps its id and label; verification and bounces
// start again, as they were for the old address); clearing it deletes the primary email.
class ContactPoints {
 public:
  explicit ContactPoints(Store& store) : store_(store) {}

  // Adds a contact point to a customer at time `at`. Throws not_found for a missing customer,
  // conflict when the customer already has a contact point of that type with the same match key
  // (the message names its id), invalid_argument for a bad value or label.
  std::int64_t add(std::int64_t customer_id, const NewContactPoint& point, Instant at);

  ContactPoint get(std::int64_t id);                       // throws not_found
  std::vector<ContactPoint> list(std::int64_t customer_id);  // by type, primary first, then id; not_found for a missing customer
  // Every contact point, of any customer, whose match key equals `value`'s (normalised the way
  // add() would): who else can be reached there. Ordered by customer id.
  std::vector<ContactPoint> find(ContactType type, const std::string& value);

  // Makes the contact point its customer's primary of its type (the previous primary stays,
  // not primary). A no-op when it already is.
  void set_primary(std::int64_t id, Instant at);
  // Sets the label, or clears it with std::nullopt.
  void set_label(std::int64_t id, const std::optional<std::string>& label, Instant at);
  // The person proved they receive it: verified_at = at; invalid_since and the bounce count
  // are cleared (it works again).
  void mark_verified(std::int64_t id, Instant at);
  // A delivery failed. `hard` (the address or number does not exist) also sets invalid_since
  // (kept at the first time if already set).
  void record_bounce(std::int64_t id, bool hard, Instant at);
  // Deletes it; deleting the primary email or phone clears Customer::email or ::phone.
  void remove(std::int64_t id, Instant at);

 private:
  Store store_;
};

}  // namespace crmkit
