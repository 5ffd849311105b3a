// The suppression list's public side (crmkit/consent.hpp): a value is read as its contact point
// would be, then kept or looked up as a salted hash through customers/suppressions.hpp.
#include <fmt/format.h>

#include "base/checks.hpp"
#include "base/enums.hpp"
#include "crmkit/consent.hpp"
#include "customers/suppressions.hpp"
#include "store/connection.hpp"

namespace crmkit {

namespace {

// The value's match key, as ContactPoints::add would compute it.
std::string match_key(Store& store, ContactType type, const std::string& value) {
  if (type != ContactType::email && type != ContactType::phone)
    throw Error(Errc::invalid_argument,
                fmt::format("type '{}' cannot be suppressed (only email and phone)", to_string(type)));
  return normalize_contact(type, value, type == ContactType::phone ? store.default_region() : std::string()).match_key;
}

}  // namespace

Suppression Suppressions::suppress(ContactType type, const std::string& value, SuppressionReason reason, Instant at) {
  if (!*detail::enum_name(detail::kSuppressionReasonNames, reason))
    throw Error(Errc::invalid_argument, "reason is not a value of its enumeration");
  detail::check_instant("at", at);
  const std::string key = match_key(store_, type, value);
  return detail::guard([&] {
    auto& conn = detail::connection_of(store_);
    detail::WriteScope scope(conn);
    Suppression s = detail::insert_suppression(conn, type, key, reason, at);
    scope.commit();
    return s;
  });
}

std::optional<Suppression> Suppressions::find(ContactType type, const std::string& value) {
  const std::string key = match_key(store_, type, value);
  return detail::guard([&] { return detail::find_suppression(detail::connection_of(store_), type, key); });
}

void Suppressions::unsuppress(ContactType type, const std::string& value) {
  const std::string key = match_key(store_, type, value);
  detail::guard([&] {
    auto& conn = detail::connection_of(store_);
    detail::WriteScope scope(conn);
    auto s = detail::find_suppression(conn, type, key);
    if (!s) throw Error(Errc::not_found, fmt::format("that {} is not suppressed", to_string(type)));
    if (s->reason != SuppressionReason::manual)
      throw Error(Errc::conflict, fmt::format("that {} was suppressed as {} on {}; only a manual suppression is lifted",
                                              to_string(type), to_string(s->reason), format_instant(s->at)));
    detail::delete_suppression(conn, type, key);
    scope.commit();
  });
}

}  // namespace crmkit
