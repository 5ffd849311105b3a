// crmkit/consent.hpp: the consent ledger (who agreed to be contacted, for what, on which
// channel, on what lawful basis, with what evidence), the state derived from it at any
// instant, and the suppression list of emails and phones that may not be added again.
// docs/PRIVACY.md.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "crmkit/contact_point.hpp"
#include "crmkit/json_form.hpp"
#include "crmkit/store.hpp"
#include "crmkit/time.hpp"

namespace crmkit {

// The channel an event is about; `all` covers every other one.
enum class ConsentChannel { email, sms, phone, post, push, all };
// GDPR article 6(1)'s six lawful bases.
enum class LawfulBasis { consent, contract, legal_obligation, vital_interest, public_interest, legitimate_interest };
enum class ConsentAction { grant, withdraw, request_double_opt_in, confirm, expire };
// What a (customer, channel, purpose) is at an instant. none: no event yet; pending: a double
// opt-in was asked and not yet confirmed; expired: a grant's expires_at, a double opt-in's TTL
// or an `expire` event has passed.
enum class ConsentState { none, granted, pending, withdrawn, expired };
enum class SuppressionReason { erased, bounced, complaint, manual };

const char* to_string(ConsentChannel c) noexcept;  // "email", "sms", "phone", "post", "push", "all"
const char* to_string(LawfulBasis b) noexcept;     // "consent", "contract", ... "legitimate_interest"
const char* to_string(ConsentAction a) noexcept;   // "grant", "withdraw", "request_double_opt_in", "confirm", "expire"
const char* to_string(ConsentState s) noexcept;    // "none", "granted", "pending", "withdrawn", "expired"
const char* to_string(SuppressionReason r) noexcept;  // "erased", "bounced", "complaint", "manual"
// Each throws Error(invalid_argument) "<field> '<text>' is not one of <names>"; names are exact.
ConsentChannel parse_consent_channel(const std::string& text, const char* field = "channel");
LawfulBasis parse_lawful_basis(const std::string& text, const char* field = "lawful_basis");
ConsentAction parse_consent_action(const std::string& text, const char* field = "action");
ConsentState parse_consent_state(const std::string& text, const char* field = "state");
SuppressionReason parse_suppression_reason(const std::string& text, const char* field = "reason");

// What the person saw and where they were: each optional, 1..1000 bytes of one line when given.
struct ConsentEvidence {
  std::optional<std::string> form;          // the form or page ("signup-footer")
  std::optional<std::string> text_version;  // the version of the wording they agreed to
  std::optional<std::string> ip;
  std::optional<std::string> user_agent;
};

// What record() appends.
struct NewConsentEvent {
  std::int64_t customer_id = 0;
  std::optional<std::int64_t> contact_point_id;  // one of the customer's points, of the channel's type
  ConsentChannel channel = ConsentChannel::email;
  std::string purpose;  // "marketing", "profiling", "transactional" or a registered purpose
  LawfulBasis lawful_basis = LawfulBasis::consent;
  ConsentAction action = ConsentAction::grant;
  std::string source;  // who or what recorded it ("web-signup", "agent:42"): 1..200 bytes
  ConsentEvidence evidence;
  Instant at = 0;
  // grant and confirm: the consent lapses then; request_double_opt_in: the request lapses then
  // instead of after the store's TTL. Later than `at`; refused on withdraw and expire.
  std::optional<Instant> expires_at;
};

// An event as stored: never changed after it was recorded.
struct ConsentEvent : NewConsentEvent {
  std::int64_t id = 0;
};

// {"id", "customer_id", "contact_point_id", "channel", "purpose", "lawful_basis", "action",
//  "source", "evidence": {"form", "text_version", "ip", "user_agent"}, "at", "expires_at"}.
std::string to_json(const ConsentEvent& e, JsonForm form = JsonForm::readable);
std::string to_json(const std::vector<ConsentEvent>& list, JsonForm form = JsonForm::readable);

// The state of one (customer, channel, purpose) at `as_of`, and the event that decided it
// (none when the state is none), so that every answer can be explained.
struct EffectiveConsent {
  std::int64_t customer_id = 0;
  ConsentChannel channel = ConsentChannel::email;
  std::string purpose;
  ConsentState state = ConsentState::none;
  std::optional<ConsentEvent> deciding;
  // granted or pending: when it lapses (expires_at, or a request's `at` + TTL), if it does;
  // expired: when it lapsed (absent for an `expire` event, which is the time itself).
  std::optional<Instant> until;
  Instant as_of = 0;
};

// {"customer_id", "channel", "purpose", "state", "deciding": event or null, "until", "as_of"}.
std::string to_json(const EffectiveConsent& s, JsonForm form = JsonForm::readable);
std::string to_json(const std::vector<EffectiveConsent>& list, JsonForm form = JsonForm::readable);

// How many customers are in one state for one (channel, purpose) at an instant.
struct ConsentStateCount {
  ConsentChannel channel = ConsentChannel::email;
  std::string purpose;
  ConsentState state = ConsentState::none;
  std::int64_t customers = 0;
};

// A purpose events may name.
struct ConsentPurpose {
  std::string name;
  std::optional<std::string> description;
  bool built_in = false;  // marketing, profiling, transactional
  Instant created_at = 0;
};
// {"name", "description", "built_in", "created_at"}.
std::string to_json(const std::vector<ConsentPurpose>& list, JsonForm form = JsonForm::readable);

// The consent ledger. Rows are only ever appended: nothing here updates or deletes one.
//
// How the state is derived (docs/PRIVACY.md has the table): of the customer's events for the
// purpose on the channel itself or on `all`, at or before as_of, the latest decides; at equal
// instants a withdraw wins over any other action, then the later recorded. grant -> granted
// (expired from its expires_at on); withdraw -> withdrawn; request_double_opt_in -> pending
// until its expires_at or `at` + the store's double opt-in TTL, then expired; confirm ->
// granted (expired from its expires_at on); expire -> expired.
class Consent {
 public:
  explicit Consent(Store& store) : store_(store) {}

  // Appends an event; returns its id. Throws not_found for a missing customer or contact point;
  // invalid_argument naming the field for an unregistered purpose ("purpose 'x' is not
  // registered: ..."), a contact point of another customer or of a type the channel does not
  // reach (email: email; sms, phone: phone; post: address; never with `all`), an empty or long
  // source or evidence or one with a control character, a bad instant, expires_at not after `at` or on withdraw/expire;
  // conflict for a confirm when nothing is pending at its `at` (the message names the state).
  // Nothing is written on failure.
  std::int64_t record(const NewConsentEvent& event);

  ConsentEvent get(std::int64_t id);  // throws not_found
  // The customer's events, by `at` then id. not_found for a missing customer.
  std::vector<ConsentEvent> events(std::int64_t customer_id);

  // The state at as_of. channel may not be `all` (ask about the channel a message goes out on);
  // invalid_argument for it, an unregistered purpose or a bad instant; not_found for a missing
  // customer.
  EffectiveConsent state(std::int64_t customer_id, ConsentChannel channel, const std::string& purpose, Instant as_of);
  // Every state the customer's events at or before as_of decide: for each purpose with an
  // event, each channel with an event of its own, and every channel when there is one on
  // `all`. By purpose name, then channel in enumeration order.
  std::vector<EffectiveConsent> states(std::int64_t customer_id, Instant as_of);
  // Over every customer with an event at or before as_of: how many are in each state that
  // states() would list, per (channel, purpose); by purpose, channel, then state in enumeration
  // order, counts of zero left out. One pass over the ledger in customer order (memory bounded by
  // one customer's events), for the report. invalid_argument for a bad instant.
  std::vector<ConsentStateCount> state_counts(Instant as_of);

  // Registers a purpose: a name of 1..64 characters from a-z, 0-9 and '_', starting with a
  // letter; description 1..1000 bytes or none. Registering it again with the same description
  // is a no-op; with another, conflict. invalid_argument for a bad name or description.
  void add_purpose(const std::string& name, const std::optional<std::string>& description, Instant at);
  std::vector<ConsentPurpose> purposes();  // the built-in ones first, then by name

  // How long a double opt-in request stays pending, in ms (default 7 days).
  std::int64_t double_opt_in_ttl();
  // Sets it: 1 minute to 366 days, else invalid_argument. Applies to every derivation from then
  // on, past requests included (the TTL is a policy, not a fact of the request).
  void set_double_opt_in_ttl(std::int64_t ms);

 private:
  Store store_;
};

// A suppressed email or phone, as stored: only its hash can be read back.
struct Suppression {
  ContactType type = ContactType::email;
  std::string hash;  // HMAC-SHA-256(store salt, match key), 64 hexadecimal digits
  SuppressionReason reason = SuppressionReason::manual;
  Instant at = 0;
};
// {"type", "hash", "reason", "at"}.
std::string to_json(const Suppression& s, JsonForm form = JsonForm::readable);

// The suppression list: emails and phones that no customer may be given again (Customers'
// create, upsert and update, ContactPoints::add refuse them with conflict naming the reason and
// date, never the value). A value is read as its contact point would be (the same match key,
// phones with the store's default region) and kept only as a salted hash.
class Suppressions {
 public:
  explicit Suppressions(Store& store) : store_(store) {}

  // Suppresses the value (type email or phone). Returns the stored row: when the value was
  // already suppressed, the first row, unchanged (its reason and time are kept). Throws
  // invalid_argument for another type, a value that is not an email or phone, a bad instant.
  Suppression suppress(ContactType type, const std::string& value, SuppressionReason reason, Instant at);
  // The row for the value, or std::nullopt when it is not suppressed.
  std::optional<Suppression> find(ContactType type, const std::string& value);
  bool is_suppressed(ContactType type, const std::string& value) { return find(type, value).has_value(); }
  // Lifts a suppression, only one made with reason manual (an erasure, a bounce or a complaint
  // is a fact the list must keep): not_found when the value is not suppressed, conflict naming
  // the reason otherwise.
  void unsuppress(ContactType type, const std::string& value);

 private:
  Store store_;
};

}  // namespace crmkit
