#include "identity/consent_state.hpp"

#include <map>
#include <set>

namespace crmkit::detail {

namespace {

bool applies(const ConsentEvent& e, ConsentChannel channel, const std::string& purpose, Instant as_of) {
  if (e.purpose != purpose || e.at > as_of) return false;
  return e.channel == channel || (channel != ConsentChannel::all && e.channel == ConsentChannel::all);
}

// True when b decides over a: later, or at the same instant a withdraw over anything else
// (someone who said no must not be contacted on a tie), then the later recorded.
bool decides_over(const ConsentEvent& b, const ConsentEvent& a) {
  if (b.at != a.at) return b.at > a.at;
  const bool bw = b.action == ConsentAction::withdraw, aw = a.action == ConsentAction::withdraw;
  if (bw != aw) return bw;
  return b.id > a.id;
}

}  // namespace

EffectiveConsent derive_consent(std::int64_t customer_id, ConsentChannel channel, const std::string& purpose,
                                const std::vector<ConsentEvent>& events, Instant as_of, std::int64_t ttl_ms) {
  EffectiveConsent out;
  out.customer_id = customer_id;
  out.channel = channel;
  out.purpose = purpose;
  out.as_of = as_of;
  const ConsentEvent* last = nullptr;
  for (const auto& e : events)
    if (applies(e, channel, purpose, as_of) && (!last || decides_over(e, *last))) last = &e;
  if (!last) return out;
  out.deciding = *last;
  // A lapse at instant t means the state is expired from t on (as_of >= t).
  auto lapsing = [&](ConsentState live, std::optional<Instant> until) {
    out.until = until;
    out.state = until && as_of >= *until ? ConsentState::expired : live;
  };
  switch (last->action) {
    case ConsentAction::grant:
    case ConsentAction::confirm: lapsing(ConsentState::granted, last->expires_at); break;
    case ConsentAction::request_double_opt_in:
      lapsing(ConsentState::pending, last->expires_at ? *last->expires_at : last->at + ttl_ms);
      break;
    case ConsentAction::withdraw: out.state = ConsentState::withdrawn; break;
    case ConsentAction::expire: out.state = ConsentState::expired; break;
  }
  return out;
}

std::vector<EffectiveConsent> derive_all_consent(std::int64_t customer_id, const std::vector<ConsentEvent>& events,
                                                 Instant as_of, std::int64_t ttl_ms) {
  std::map<std::string, std::set<ConsentChannel>> asked;
  for (const auto& e : events) {
    if (e.at > as_of) continue;
    auto& channels = asked[e.purpose];
    if (e.channel != ConsentChannel::all) {
      channels.insert(e.channel);
      continue;
    }
    for (auto c : {ConsentChannel::email, ConsentChannel::sms, ConsentChannel::phone, ConsentChannel::post,
                   ConsentChannel::push})
      channels.insert(c);
  }
  std::vector<EffectiveConsent> out;
  for (const auto& [purpose, channels] : asked)
    for (auto c : channels) out.push_back(derive_consent(customer_id, c, purpose, events, as_of, ttl_ms));
  return out;
}

}  // namespace crmkit::detail
