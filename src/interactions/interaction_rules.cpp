#include "interactions/interaction_rules.hpp"

#include <fmt/format.h>

#include "base/checks.hpp"
#include "base/text.hpp"
#include "crmkit/error.hpp"

namespace crmkit {

const char* to_string(Channel c) noexcept {
  switch (c) {
    case Channel::email: return "email";
    case Channel::phone: return "phone";
    case Channel::chat: return "chat";
    case Channel::sms: return "sms";
    case Channel::social: return "social";
    case Channel::web: return "web";
    case Channel::store: return "store";
    case Channel::other: return "other";
  }
  return "";
}

const char* to_string(InteractionKind k) noexcept {
  switch (k) {
    case InteractionKind::purchase: return "purchase";
    case InteractionKind::refund: return "refund";
    case InteractionKind::inquiry: return "inquiry";
    case InteractionKind::complaint: return "complaint";
    case InteractionKind::support: return "support";
    case InteractionKind::visit: return "visit";
    case InteractionKind::email_open: return "email_open";
    case InteractionKind::email_click: return "email_click";
    case InteractionKind::meeting: return "meeting";
    case InteractionKind::note: return "note";
    case InteractionKind::other: return "other";
  }
  return "";
}

const char* to_string(Direction d) noexcept {
  switch (d) {
    case Direction::inbound: return "inbound";
    case Direction::outbound: return "outbound";
    case Direction::none: return "none";
  }
  return "";
}

namespace {

// Names are matched without regard to ASCII case (`Web`, `PURCHASE`: what people and exports
// write); the enum, and so what is stored and printed, is the canonical lower-case name.
template <class E, std::size_t N>
E parse_enum(const std::string& text, const char* field, const E (&all)[N]) {
  std::string lower = text;
  for (char& c : lower)
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  for (E e : all)
    if (lower == to_string(e)) return e;
  std::string names;
  for (E e : all) names += (names.empty() ? "" : ", ") + std::string(to_string(e));
  throw Error(Errc::invalid_argument,
              fmt::format("{} '{}' is not one of {}", field, detail::printable(text), names));
}

constexpr Channel kChannels[] = {Channel::email, Channel::phone, Channel::chat,  Channel::sms,
                                 Channel::social, Channel::web,  Channel::store, Channel::other};
constexpr InteractionKind kKinds[] = {
    InteractionKind::purchase, InteractionKind::refund,    InteractionKind::inquiry,     InteractionKind::complaint,
    InteractionKind::support,  InteractionKind::visit,     InteractionKind::email_open,  InteractionKind::email_click,
    InteractionKind::meeting,  InteractionKind::note,      InteractionKind::other};
constexpr Direction kDirections[] = {Direction::inbound, Direction::outbound, Direction::none};

}  // namespace

Channel parse_channel(const std::string& text, const char* field) { return parse_enum(text, field, kChannels); }
InteractionKind parse_interaction_kind(const std::string& text, const char* field) {
  return parse_enum(text, field, kKinds);
}
Direction parse_direction(const std::string& text, const char* field) {
  return parse_enum(text, field, kDirections);
}

namespace detail {

std::optional<std::string> check_interaction(const Interaction& i) {
  if (i.customer_id <= 0)
    throw Error(Errc::invalid_argument, fmt::format("customer_id {} is not a customer id (must be > 0)", i.customer_id));
  if (i.external_id) {
    check_text("external_id", *i.external_id, kMaxShortText);
    if (i.external_id->empty()) throw Error(Errc::invalid_argument, "external_id is empty");
  }
  check_instant("occurred_at", i.occurred_at);
  if (!*to_string(i.channel))
    throw Error(Errc::invalid_argument, fmt::format("channel {} is not a channel", static_cast<int>(i.channel)));
  if (!*to_string(i.kind))
    throw Error(Errc::invalid_argument, fmt::format("kind {} is not an interaction kind", static_cast<int>(i.kind)));
  if (!*to_string(i.direction))
    throw Error(Errc::invalid_argument, fmt::format("direction {} is not a direction", static_cast<int>(i.direction)));
  const bool money_kind = i.kind == InteractionKind::purchase || i.kind == InteractionKind::refund;
  if (money_kind) {
    if (!i.amount)
      throw Error(Errc::invalid_argument, fmt::format("amount is required for a {}", to_string(i.kind)));
    check_text("currency", i.amount->currency, kMaxShortText);
    if (!is_currency_code(i.amount->currency))
      throw Error(Errc::invalid_argument, fmt::format("currency '{}' is not an ISO 4217 currency code",
                                                      printable(i.amount->currency)));
    if (i.kind == InteractionKind::purchase && i.amount->minor < 0)
      throw Error(Errc::invalid_argument,
                  fmt::format("amount {} is negative; a purchase amount must be >= 0", i.amount->minor));
    if (i.kind == InteractionKind::refund && i.amount->minor > 0)
      throw Error(Errc::invalid_argument,
                  fmt::format("amount {} is positive; a refund amount must be <= 0", i.amount->minor));
  } else {
    if (i.amount)
      throw Error(Errc::invalid_argument,
                  fmt::format("amount is only allowed for purchases and refunds, not for kind {}", to_string(i.kind)));
    if (i.margin)
      throw Error(Errc::invalid_argument,
                  fmt::format("margin is only allowed for purchases and refunds, not for kind {}", to_string(i.kind)));
  }
  if (i.subject) check_text("subject", *i.subject, kMaxShortText);
  if (i.notes) check_text("notes", *i.notes, kMaxLongText);
  if (i.attributes) return canonical_json_object("attributes", *i.attributes);
  return std::nullopt;
}

}  // namespace detail
}  // namespace crmkit
