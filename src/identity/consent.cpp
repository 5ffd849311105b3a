// The consent ledger: appending events (checked against the customer, its contact points and the
// registered purposes), reading them back, the registered purposes and the double opt-in TTL.
// The state itself is derived by consent_state.cpp.
#include <algorithm>
#include <cctype>
#include <map>
#include <tuple>

#include <fmt/format.h>

#include "base/checks.hpp"
#include "base/enums.hpp"
#include "base/text.hpp"
#include "crmkit/consent.hpp"
#include "customers/customer_exists.hpp"
#include "identity/consent_state.hpp"
#include "store/connection.hpp"
#include "store/stored.hpp"

namespace crmkit {

namespace {

using detail::Connection;

constexpr const char* kColumns =
    "id, customer_id, contact_point_id, channel, purpose, lawful_basis, action, source, evidence_form, "
    "evidence_text_version, evidence_ip, evidence_user_agent, at, expires_at";
constexpr const char* kTtlKey = "consent_double_opt_in_ttl_ms";
constexpr std::size_t kMaxSourceBytes = 200;
constexpr std::size_t kMaxEvidenceBytes = 1000;
constexpr std::size_t kMaxPurposeBytes = 64;
constexpr std::int64_t kMinTtl = 60'000;                      // 1 minute
constexpr std::int64_t kMaxTtl = 366LL * 24 * 3600 * 1000;    // 366 days

ConsentEvent read_event(detail::Statement& st) {
  const detail::StoredRow r(st, "consent_events");
  ConsentEvent e;
  r.columns(0, e.id, e.customer_id, e.contact_point_id);
  e.channel = r.parse(3, [](const std::string& t) { return parse_consent_channel(t); });
  e.purpose = r.text(4);
  e.lawful_basis = r.parse(5, [](const std::string& t) { return parse_lawful_basis(t); });
  e.action = r.parse(6, [](const std::string& t) { return parse_consent_action(t); });
  r.columns(7, e.source, e.evidence.form, e.evidence.text_version, e.evidence.ip, e.evidence.user_agent, e.at,
            e.expires_at);
  return e;
}

void require_customer(Connection& conn, std::int64_t customer) {
  if (customer <= 0 || !detail::customer_exists(conn, customer))
    throw Error(Errc::not_found, fmt::format("customer {} does not exist", customer));
}

std::vector<std::string> purpose_names(Connection& conn) {
  auto& st = conn.prepare("SELECT name FROM consent_purposes ORDER BY built_in DESC, name");
  return detail::all_rows(st, [](detail::Statement& s) { return detail::StoredRow(s, "consent_purposes").text(0); });
}

void require_purpose(Connection& conn, const std::string& purpose) {
  detail::check_text("purpose", purpose, kMaxPurposeBytes);
  auto& st = conn.prepare("SELECT name FROM consent_purposes WHERE name = ?");
  if (detail::one_row(st, [](detail::Statement&) { return true; }, purpose)) return;
  std::string known;
  for (const auto& n : purpose_names(conn)) known += (known.empty() ? "" : ", ") + n;
  throw Error(Errc::invalid_argument,
              fmt::format("purpose '{}' is not registered (registered: {}; add it with add_purpose first)",
                          detail::printable(purpose), known));
}

// Source and evidence are one line each, printed by the command and in subject exports: a
// control byte (an escape sequence, a line break) is refused rather than kept.
void check_line(const char* field, const std::string& v, std::size_t max_bytes) {
  detail::check_text(field, v, max_bytes);
  for (unsigned char c : v)
    if (c < 0x20 || c == 0x7f)
      throw Error(Errc::invalid_argument, fmt::format("{} has a control character (byte 0x{:02x})", field, c));
}

std::optional<std::string> checked_evidence(const char* field, const std::optional<std::string>& v) {
  if (!v) return std::nullopt;
  check_line(field, *v, kMaxEvidenceBytes);
  if (detail::trim(*v).empty()) throw Error(Errc::invalid_argument, fmt::format("{} is empty (give none instead)", field));
  return v;
}

// The contact point must be the customer's and reachable on the channel.
void check_contact_point(Connection& conn, const NewConsentEvent& e) {
  if (!e.contact_point_id) return;
  auto& st = conn.prepare("SELECT customer_id, type FROM contact_points WHERE id = ?");
  auto row = detail::one_row(
      st,
      [](detail::Statement& s) {
        const detail::StoredRow r(s, "contact_points", -1);
        return std::make_pair(r.int64(0), r.parse(1, [](const std::string& t) { return parse_contact_type(t); }));
      },
      *e.contact_point_id);
  if (!row) throw Error(Errc::not_found, fmt::format("contact point {} does not exist", *e.contact_point_id));
  if (row->first != e.customer_id)
    throw Error(Errc::invalid_argument, fmt::format("contact_point_id {} belongs to customer {}, not {}",
                                                    *e.contact_point_id, row->first, e.customer_id));
  const ContactType t = row->second;
  const bool reaches = (e.channel == ConsentChannel::email && t == ContactType::email) ||
                       ((e.channel == ConsentChannel::sms || e.channel == ConsentChannel::phone) &&
                        t == ContactType::phone) ||
                       (e.channel == ConsentChannel::post && t == ContactType::address);
  if (!reaches)
    throw Error(Errc::invalid_argument, fmt::format("contact_point_id {} is {} {}, which channel '{}' does not reach",
                                                    *e.contact_point_id, t == ContactType::address ? "an" : "a",
                                                    to_string(t), to_string(e.channel)));
}

std::vector<ConsentEvent> customer_events(Connection& conn, std::int64_t customer) {
  auto& st = conn.prepare(fmt::format("SELECT {} FROM consent_events WHERE customer_id = ? ORDER BY at, id", kColumns));
  return detail::all_rows(st, read_event, customer);
}

std::vector<ConsentEvent> purpose_events(Connection& conn, std::int64_t customer, const std::string& purpose,
                                         Instant as_of) {
  auto& st = conn.prepare(fmt::format(
      "SELECT {} FROM consent_events WHERE customer_id = ? AND purpose = ? AND at <= ? ORDER BY at, id", kColumns));
  return detail::all_rows(st, read_event, customer, purpose, as_of);
}

std::int64_t stored_ttl(Connection& conn) {
  auto& st = conn.prepare("SELECT value FROM store_settings WHERE key = ?");
  auto text = detail::one_row(st, [](detail::Statement& s) { return detail::StoredRow(s, "store_settings", -1).text(0); },
                              kTtlKey);
  std::int64_t ms = 0;
  bool ok = text && !text->empty() && text->size() <= 12 &&
            std::all_of(text->begin(), text->end(), [](unsigned char c) { return std::isdigit(c) != 0; });
  if (ok) ms = std::stoll(*text);
  if (!ok || ms < kMinTtl || ms > kMaxTtl)
    throw Error(Errc::corrupt, fmt::format("store setting {} is missing or damaged", kTtlKey));
  return ms;
}

void check_purpose_name(const std::string& name) {
  detail::check_text("purpose", name, kMaxPurposeBytes);
  const bool ok = !name.empty() && name[0] >= 'a' && name[0] <= 'z' &&
                  std::all_of(name.begin(), name.end(), [](char c) {
                    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_';
                  });
  if (!ok)
    throw Error(Errc::invalid_argument,
                fmt::format("purpose '{}' must be 1..64 characters of a-z, 0-9 and '_', starting with a letter",
                            detail::printable(name)));
}

}  // namespace

std::int64_t Consent::record(const NewConsentEvent& event) {
  if (!*detail::enum_name(detail::kConsentChannelNames, event.channel) ||
      !*detail::enum_name(detail::kLawfulBasisNames, event.lawful_basis) ||
      !*detail::enum_name(detail::kConsentActionNames, event.action))
    throw Error(Errc::invalid_argument, "channel, lawful_basis or action is not a value of its enumeration");
  detail::check_instant("at", event.at);
  if (event.expires_at) {
    detail::check_instant("expires_at", *event.expires_at);
    if (event.action == ConsentAction::withdraw || event.action == ConsentAction::expire)
      throw Error(Errc::invalid_argument,
                  fmt::format("expires_at is only for grant, confirm and request_double_opt_in, not {}",
                              to_string(event.action)));
    if (*event.expires_at <= event.at)
      throw Error(Errc::invalid_argument, fmt::format("expires_at {} is not after at {}",
                                                      format_instant(*event.expires_at), format_instant(event.at)));
  }
  if (event.contact_point_id && event.channel == ConsentChannel::all)
    throw Error(Errc::invalid_argument, "a contact point is reached on one channel: give a channel other than 'all'");
  check_line("source", event.source, kMaxSourceBytes);
  if (detail::trim(event.source).empty()) throw Error(Errc::invalid_argument, "source is empty");
  NewConsentEvent e = event;
  e.evidence.form = checked_evidence("evidence form", event.evidence.form);
  e.evidence.text_version = checked_evidence("evidence text_version", event.evidence.text_version);
  e.evidence.ip = checked_evidence("evidence ip", event.evidence.ip);
  e.evidence.user_agent = checked_evidence("evidence user_agent", event.evidence.user_agent);
  return detail::guard([&] {
    auto& conn = detail::connection_of(store_);
    detail::WriteScope scope(conn);
    require_customer(conn, e.customer_id);
    require_purpose(conn, e.purpose);
    check_contact_point(conn, e);
    if (e.action == ConsentAction::confirm) {
      const auto now = detail::derive_consent(e.customer_id, e.channel, e.purpose,
                                              purpose_events(conn, e.customer_id, e.purpose, e.at), e.at,
                                              stored_ttl(conn));
      if (now.state != ConsentState::pending)
        throw Error(Errc::conflict, fmt::format("nothing to confirm: customer {}'s {} consent on {} is {} at {}",
                                                e.customer_id, e.purpose, to_string(e.channel), to_string(now.state),
                                                format_instant(e.at)));
    }
    auto& st = detail::prepare_insert(
        conn,
        "INSERT INTO consent_events(customer_id, contact_point_id, channel, purpose, lawful_basis, action, source, "
        "evidence_form, evidence_text_version, evidence_ip, evidence_user_agent, at, expires_at) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
    detail::bind_all(st, e.customer_id, e.contact_point_id, e.channel, e.purpose, e.lawful_basis, e.action, e.source,
                     e.evidence.form, e.evidence.text_version, e.evidence.ip, e.evidence.user_agent, e.at,
                     e.expires_at);
    const std::int64_t id = detail::inserted_id(conn, st).value();
    scope.commit();
    return id;
  });
}

ConsentEvent Consent::get(std::int64_t id) {
  return detail::guard([&] {
    auto& st = detail::connection_of(store_).prepare(fmt::format("SELECT {} FROM consent_events WHERE id = ?", kColumns));
    return detail::required_row(st, read_event, [&] { return fmt::format("consent event {} does not exist", id); }, id);
  });
}

std::vector<ConsentEvent> Consent::events(std::int64_t customer_id) {
  return detail::guard([&] {
    auto& conn = detail::connection_of(store_);
    require_customer(conn, customer_id);
    return customer_events(conn, customer_id);
  });
}

EffectiveConsent Consent::state(std::int64_t customer_id, ConsentChannel channel, const std::string& purpose,
                                Instant as_of) {
  detail::check_instant("as_of", as_of);
  if (channel == ConsentChannel::all || !*detail::enum_name(detail::kConsentChannelNames, channel))
    throw Error(Errc::invalid_argument,
                "channel must be the one a message goes out on (email, sms, phone, post or push), not 'all'");
  return detail::guard([&] {
    auto& conn = detail::connection_of(store_);
    require_customer(conn, customer_id);
    require_purpose(conn, purpose);
    return detail::derive_consent(customer_id, channel, purpose, purpose_events(conn, customer_id, purpose, as_of),
                                  as_of, stored_ttl(conn));
  });
}

std::vector<EffectiveConsent> Consent::states(std::int64_t customer_id, Instant as_of) {
  detail::check_instant("as_of", as_of);
  return detail::guard([&] {
    auto& conn = detail::connection_of(store_);
    require_customer(conn, customer_id);
    return detail::derive_all_consent(customer_id, customer_events(conn, customer_id), as_of, stored_ttl(conn));
  });
}

std::vector<ConsentStateCount> Consent::state_counts(Instant as_of) {
  detail::check_instant("as_of", as_of);
  return detail::guard([&] {
    auto& conn = detail::connection_of(store_);
    const std::int64_t ttl = stored_ttl(conn);
    std::map<std::tuple<std::string, ConsentChannel, ConsentState>, std::int64_t> counts;
    auto& st = conn.prepare(
        fmt::format("SELECT {} FROM consent_events WHERE at <= ? ORDER BY customer_id, at, id", kColumns));
    detail::StatementReset done(st);
    detail::bind_all(st, as_of);
    std::vector<ConsentEvent> events;  // one customer's at a time
    auto flush = [&] {
      if (events.empty()) return;
      for (const auto& s : detail::derive_all_consent(events.front().customer_id, events, as_of, ttl))
        ++counts[{s.purpose, s.channel, s.state}];
      events.clear();
    };
    while (st.executeStep()) {
      ConsentEvent e = read_event(st);
      if (!events.empty() && events.front().customer_id != e.customer_id) flush();
      events.push_back(std::move(e));
    }
    flush();
    std::vector<ConsentStateCount> out;
    for (const auto& [key, n] : counts)
      out.push_back({std::get<1>(key), std::get<0>(key), std::get<2>(key), n});
    return out;
  });
}

void Consent::add_purpose(const std::string& name, const std::optional<std::string>& description, Instant at) {
  check_purpose_name(name);
  detail::check_instant("at", at);
  if (description) {
    detail::check_text("description", *description, kMaxEvidenceBytes);
    if (detail::trim(*description).empty())
      throw Error(Errc::invalid_argument, "description is empty (give none instead)");
  }
  detail::guard([&] {
    auto& conn = detail::connection_of(store_);
    detail::WriteScope scope(conn);
    auto& find = conn.prepare("SELECT description FROM consent_purposes WHERE name = ?");
    auto existing = detail::one_row(
        find, [](detail::Statement& s) { return detail::StoredRow(s, "consent_purposes", -1).opt_text(0); }, name);
    if (existing) {
      if (*existing == description) return;
      throw Error(Errc::conflict, fmt::format("purpose '{}' is already registered with another description", name));
    }
    auto& st = conn.prepare("INSERT INTO consent_purposes(name, description, built_in, created_at) VALUES (?, ?, 0, ?)");
    detail::bind_all(st, name, description, at);
    st.exec();
    scope.commit();
  });
}

std::vector<ConsentPurpose> Consent::purposes() {
  return detail::guard([&] {
    auto& st = detail::connection_of(store_).prepare(
        "SELECT name, description, built_in, created_at FROM consent_purposes ORDER BY built_in DESC, name");
    return detail::all_rows(st, [](detail::Statement& s) {
      const detail::StoredRow r(s, "consent_purposes");
      ConsentPurpose p;
      r.columns(0, p.name, p.description, p.built_in, p.created_at);
      return p;
    });
  });
}

std::int64_t Consent::double_opt_in_ttl() {
  return detail::guard([&] { return stored_ttl(detail::connection_of(store_)); });
}

void Consent::set_double_opt_in_ttl(std::int64_t ms) {
  if (ms < kMinTtl || ms > kMaxTtl)
    throw Error(Errc::invalid_argument,
                fmt::format("double opt-in TTL {} ms is outside 60000 (1 minute) .. {} (366 days)", ms, kMaxTtl));
  detail::guard([&] {
    auto& conn = detail::connection_of(store_);
    detail::WriteScope scope(conn);
    auto& st = conn.prepare("INSERT INTO store_settings(key, value) VALUES (?, ?) "
                            "ON CONFLICT(key) DO UPDATE SET value = excluded.value");
    detail::bind_all(st, kTtlKey, std::to_string(ms));
    st.exec();
    scope.commit();
  });
}

}  // namespace crmkit
