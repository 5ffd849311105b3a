#include "interactions/interaction_rules.hpp"

#include <fmt/format.h>

#include "base/checks.hpp"
#include "base/text.hpp"
#include "crmkit/error.hpp"

namespace crmkit {

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
