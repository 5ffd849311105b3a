// The suppression list's table inside the customer area: the customer area's own writes refuse
// a suppressed email or phone (refuse_suppressed, called where contact points are inserted or a
// primary's value is replaced), and the identity area's Suppressions (crmkit/consent.hpp) keeps
// the list through the functions below. docs/PRIVACY.md.
#pragma once

#include <optional>
#include <string>

#include "crmkit/consent.hpp"
#include "store/connection.hpp"

namespace crmkit::detail {

// HMAC-SHA-256 of a contact point's match key under the store's salt (made by migration 0016):
// what the list stores instead of the value. Throws corrupt when the store has no salt.
std::string suppression_hash(Connection& conn, const std::string& match_key);

// The row for that match key, or std::nullopt. Types other than email and phone are never
// suppressed.
std::optional<Suppression> find_suppression(Connection& conn, ContactType type, const std::string& match_key);

// Throws Error(conflict) "<type> is suppressed (<reason> <date>)" when the match key is on the
// list; the message names the reason and when, never the value. The one check every write that
// gives a customer an email or phone goes through.
void refuse_suppressed(Connection& conn, ContactType type, const std::string& match_key);

// Inserts a row unless one exists for the key (the first is kept); returns the stored row.
Suppression insert_suppression(Connection& conn, ContactType type, const std::string& match_key,
                               SuppressionReason reason, Instant at);
// Deletes the row for the key; false when there was none.
bool delete_suppression(Connection& conn, ContactType type, const std::string& match_key);

}  // namespace crmkit::detail
