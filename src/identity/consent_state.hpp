// The consent state derived from a customer's events: pure, no store, no clock (the ledger's
// reader in consent.cpp loads the events and the TTL, and hands them here).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "crmkit/consent.hpp"

namespace crmkit::detail {

// The state of (customer, channel, purpose) at as_of from `events` (any order; those of other
// purposes, other channels or after as_of are skipped). channel `all` reads only the events on
// `all`; any other reads its own and those on `all`. The rules are Consent's (crmkit/consent.hpp).
EffectiveConsent derive_consent(std::int64_t customer_id, ConsentChannel channel, const std::string& purpose,
                                const std::vector<ConsentEvent>& events, Instant as_of, std::int64_t ttl_ms);

// Every state the events decide at as_of (Consent::states' rule and order).
std::vector<EffectiveConsent> derive_all_consent(std::int64_t customer_id, const std::vector<ConsentEvent>& events,
                                                 Instant as_of, std::int64_t ttl_ms);

}  // namespace crmkit::detail
