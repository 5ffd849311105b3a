// The audit trail: its writer, its listing and its JSON.
#include "store/audit_trail.hpp"

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "base/checks.hpp"
#include "base/digest.hpp"
#include "base/enums.hpp"
#include "base/json_form.hpp"
#include "base/text.hpp"
#include "store/stored.hpp"

namespace crmkit {

namespace {

constexpr const char* kColumns =
    "id, entity, entity_id, field, old_value, new_value, actor, reason, request_id, at, redacted";

std::optional<std::string> given(const std::string& s) {
  return s.empty() ? std::nullopt : std::optional<std::string>(s);
}

AuditEntry read_entry(detail::Statement& st) {
  const detail::StoredRow r(st, "audit_entries");
  AuditEntry e;
  e.id = r.int64(0);
  e.entity = r.parse(1, [](const std::string& t) { return parse_audit_entity(t); });
  r.columns(2, e.entity_id, e.field, e.old_value, e.new_value, e.actor, e.reason, e.request_id, e.at);
  e.redacted = r.flag(10);
  return e;
}

nlohmann::json entry_json(const AuditEntry& e, JsonForm form) {
  auto value = [](const std::optional<std::string>& v) {
    return v ? nlohmann::json::parse(*v) : nlohmann::json(nullptr);
  };
  return {{"id", e.id},
          {"entity", to_string(e.entity)},
          {"entity_id", e.entity_id},
          {"field", e.field},
          {"old", value(e.old_value)},
          {"new", value(e.new_value)},
          {"actor", detail::optional_json(e.actor)},
          {"reason", detail::optional_json(e.reason)},
          {"request_id", detail::optional_json(e.request_id)},
          {"at", detail::instant_json(e.at, form)},
          {"redacted", e.redacted}};
}

// The store's salt (made by migration 0017, shared with the suppression list): the key of the
// value digests below, so a digest left by redaction cannot be tested against a guessed value
// without the store itself.
std::string store_salt(detail::Connection& conn) {
  auto& st = conn.prepare("SELECT value FROM store_settings WHERE key = 'suppression_salt'");
  auto salt = detail::one_row(st, [](detail::Statement& s) { return s.getColumn(0).getString(); });
  if (!salt || salt->size() < 32)
    throw Error(Errc::corrupt, "the store's salt is missing or damaged (store_settings.suppression_salt)");
  return *salt;
}

// The keyed digest of one value, as the chain commits to it; "audit-value" keeps it apart from
// the suppression list's digests of the same key.
std::optional<std::string> value_digest(const std::string& salt, const std::optional<std::string>& value) {
  if (!value) return std::nullopt;
  return detail::hmac_sha256_hex(salt, "audit-value\n" + *value);
}

// The fields a chained entry's hash covers, in one canonical text: a JSON array, so no field's
// text can run into the next. The values enter as their digests, which redaction keeps: an
// erased value leaves the entry, its digest stays, and the chain still verifies.
std::string chained_text(const std::string& entity, std::int64_t entity_id, const std::string& field,
                         const std::optional<std::string>& old_digest, const std::optional<std::string>& new_digest,
                         const std::optional<std::string>& actor, const std::optional<std::string>& reason,
                         const std::optional<std::string>& request_id, Instant at) {
  auto opt = [](const std::optional<std::string>& v) { return v ? nlohmann::json(*v) : nlohmann::json(nullptr); };
  return nlohmann::json::array({entity, entity_id, field, opt(old_digest), opt(new_digest), opt(actor), opt(reason),
                                opt(request_id), at})
      .dump();
}

// The text version 1 hashed (schema 16 to 18): the values themselves. Read only by the 0019
// step that re-hashes a chain over digests.
std::string chained_text_v1(const std::string& entity, std::int64_t entity_id, const std::string& field,
                            const std::optional<std::string>& old_value, const std::optional<std::string>& new_value,
                            const std::optional<std::string>& actor, const std::optional<std::string>& reason,
                            const std::optional<std::string>& request_id, Instant at) {
  return chained_text(entity, entity_id, field, old_value, new_value, actor, reason, request_id, at);
}

bool chained(detail::Connection& conn) {
  // Read once per SQLite write transaction (1,000 audited updates in one transaction read it
  // once); every time on PostgreSQL, where another connection's commit is seen at once.
  const bool keep = conn.backend() == detail::Backend::sqlite && conn.in_transaction() && conn.write_transactions > 0;
  if (keep && conn.audit_chain_read_in == conn.write_transactions) return conn.audit_chained;
  auto& st = conn.prepare("SELECT value FROM store_settings WHERE key = 'audit_chain'");
  const bool on =
      detail::one_row(st, [](detail::Statement& s) { return s.getColumn(0).getString() == "on"; }).value_or(false);
  if (keep) {
    conn.audit_chained = on;
    conn.audit_chain_read_in = conn.write_transactions;
  }
  return on;
}

// The newest chained entry's hash: the key of the next one's ("" before the first).
std::string chain_head(detail::Connection& conn) {
  auto& st = conn.prepare("SELECT hash FROM audit_entries WHERE hash IS NOT NULL ORDER BY id DESC LIMIT 1");
  return detail::one_row(st, [](detail::Statement& s) { return s.getColumn(0).getString(); }).value_or("");
}

}  // namespace

namespace detail {

void record_change(Connection& conn, AuditEntity entity, std::int64_t id, const std::string& field,
                   const std::optional<std::string>& old_value, const std::optional<std::string>& new_value,
                   Instant at) {
  if (!conn.audit_trail) return;
  const AuditContext& who = conn.audit_context;
  std::optional<std::string> hash;
  if (chained(conn)) {
    const std::string salt = store_salt(conn);
    hash = hmac_sha256_hex(chain_head(conn),
                           chained_text(to_string(entity), id, field, value_digest(salt, old_value),
                                        value_digest(salt, new_value), given(who.actor), given(who.reason),
                                        given(who.request_id), at));
  }
  auto& st = conn.prepare(
      "INSERT INTO audit_entries(entity, entity_id, field, old_value, new_value, actor, reason, request_id, at, hash) "
      "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
  bind_all(st, to_string(entity), id, field, old_value, new_value, given(who.actor), given(who.reason),
           given(who.request_id), at, hash);
  st.exec();
}

std::int64_t redact_audit_entries(Connection& conn, AuditEntity entity, std::int64_t id) {
  struct Entry {
    std::int64_t id;
    std::optional<std::string> old_value, new_value, hash;
  };
  auto& read = conn.prepare(
      "SELECT id, old_value, new_value, hash FROM audit_entries WHERE entity = ? AND entity_id = ? AND redacted = 0 "
      "ORDER BY id");
  const auto entries = all_rows(
      read,
      [](Statement& s) {
        const StoredRow r(s, "audit_entries");
        return Entry{r.int64(0), r.opt_text(1), r.opt_text(2), r.opt_text(3)};
      },
      to_string(entity), id);
  if (entries.empty()) return 0;
  std::optional<std::string> salt;
  auto& write = conn.prepare(
      "UPDATE audit_entries SET old_value = ?, new_value = ?, old_digest = ?, new_digest = ?, redacted = 1 WHERE id = ?");
  for (const auto& e : entries) {
    // Only a chained entry needs its digests kept; an unchained one keeps nothing of the values.
    std::optional<std::string> old_digest, new_digest;
    if (e.hash) {
      if (!salt) salt = store_salt(conn);
      old_digest = value_digest(*salt, e.old_value);
      new_digest = value_digest(*salt, e.new_value);
    }
    auto marker = [](const std::optional<std::string>& v) {
      return v ? std::optional<std::string>(kAuditRedactionMarker) : std::nullopt;
    };
    StatementReset done(write);
    bind_all(write, marker(e.old_value), marker(e.new_value), old_digest, new_digest, e.id);
    write.exec();
  }
  return static_cast<std::int64_t>(entries.size());
}

std::vector<std::int64_t> audited_contact_points_of(Connection& conn, std::int64_t customer_id) {
  const auto& d = conn.dialect();
  auto& st = conn.prepare(fmt::format(
      "SELECT DISTINCT entity_id FROM audit_entries WHERE entity = 'contact_point' AND (field = 'created' OR "
      "field = 'deleted') AND (CAST({} AS BIGINT) = ?1 OR CAST({} AS BIGINT) = ?1) ORDER BY entity_id",
      d.json_text("new_value", "'$.customer_id'"), d.json_text("old_value", "'$.customer_id'")));
  return all_rows(st, [](Statement& s) { return s.getColumn(0).getInt64(); }, customer_id);
}

void rehash_audit_chain(Connection& conn) {
  if (!chained(conn)) return;
  const std::string salt = store_salt(conn);
  struct Entry {
    std::int64_t id;
    std::string entity, field;
    std::int64_t entity_id, at;
    std::optional<std::string> old_value, new_value, actor, reason, request_id, hash;
  };
  auto& read = conn.prepare(
      "SELECT id, entity, entity_id, field, old_value, new_value, actor, reason, request_id, at, hash FROM "
      "audit_entries WHERE id >= (SELECT min(id) FROM audit_entries WHERE hash IS NOT NULL) ORDER BY id");
  const auto entries = all_rows(read, [](Statement& s) {
    const StoredRow r(s, "audit_entries");
    return Entry{r.int64(0), r.text(1), r.text(3), r.int64(2), r.int64(9), r.opt_text(4), r.opt_text(5),
                 r.opt_text(6), r.opt_text(7), r.opt_text(8), r.opt_text(10)};
  });
  auto& write = conn.prepare("UPDATE audit_entries SET hash = ? WHERE id = ?");
  // Each entry is checked under the old text before it is re-hashed: the intact prefix moves to
  // the new text, and the first entry that did not verify keeps its hash (as do all after it),
  // so verify() names the same first broken entry as before the upgrade.
  std::string old_previous, new_previous;
  for (const auto& e : entries) {
    const std::string old_want =
        hmac_sha256_hex(old_previous, chained_text_v1(e.entity, e.entity_id, e.field, e.old_value, e.new_value,
                                                      e.actor, e.reason, e.request_id, e.at));
    if (!e.hash || *e.hash != old_want) return;
    const std::string new_hash =
        hmac_sha256_hex(new_previous, chained_text(e.entity, e.entity_id, e.field, value_digest(salt, e.old_value),
                                                   value_digest(salt, e.new_value), e.actor, e.reason, e.request_id,
                                                   e.at));
    StatementReset done(write);
    bind_all(write, new_hash, e.id);
    write.exec();
    old_previous = *e.hash;
    new_previous = new_hash;
  }
}

}  // namespace detail

const char* to_string(AuditEntity e) noexcept { return detail::enum_name(detail::kAuditEntityNames, e); }

AuditEntity parse_audit_entity(const std::string& text, const char* field) {
  return detail::parse_enum(detail::kAuditEntityNames, text, field);
}

std::string to_json(const AuditEntry& entry, JsonForm form) { return entry_json(entry, form).dump(); }

std::string to_json(const AuditPage& page, JsonForm form) {
  nlohmann::json list = nlohmann::json::array();
  for (const auto& e : page.entries) list.push_back(entry_json(e, form));
  return nlohmann::json{{"entries", list}, {"next_after", page.next_after}}.dump();
}

AuditPage AuditTrail::list(const AuditQuery& q, std::int64_t after, int limit) {
  if (limit < 1 || limit > 10'000)
    throw Error(Errc::invalid_argument, fmt::format("limit {} is out of range 1..10000", limit));
  if (after < 0) throw Error(Errc::invalid_argument, fmt::format("after {} is negative", after));
  if (q.entity_id && !q.entity) throw Error(Errc::invalid_argument, "entity_id is given without entity");
  if (q.entity && !*to_string(*q.entity))
    throw Error(Errc::invalid_argument, fmt::format("entity {} is not an audited entity", static_cast<int>(*q.entity)));
  if (q.from) detail::check_instant("from", *q.from);
  if (q.to) detail::check_instant("to", *q.to);
  if (q.actor) detail::check_text("actor", *q.actor, 200);
  // The filters given pick fixed fragments of the statement (at most 32 texts, each prepared
  // once); no input is spliced into SQL.
  std::string where = "id > ?";
  if (q.entity) where += " AND entity = ?";
  if (q.entity_id) where += " AND entity_id = ?";
  if (q.actor) where += " AND actor = ?";
  if (q.from) where += " AND at >= ?";
  if (q.to) where += " AND at < ?";
  return detail::guard([&] {
    auto& st = detail::connection_of(store_).prepare(
        fmt::format("SELECT {} FROM audit_entries WHERE {} ORDER BY id LIMIT ?", kColumns, where));
    detail::StatementReset done(st);
    int i = 1;
    detail::bind_value(st, i++, after);
    if (q.entity) detail::bind_value(st, i++, to_string(*q.entity));
    if (q.entity_id) detail::bind_value(st, i++, *q.entity_id);
    if (q.actor) detail::bind_value(st, i++, *q.actor);
    if (q.from) detail::bind_value(st, i++, *q.from);
    if (q.to) detail::bind_value(st, i++, *q.to);
    detail::bind_value(st, i, static_cast<std::int64_t>(limit) + 1);
    AuditPage page;
    while (st.executeStep()) page.entries.push_back(read_entry(st));
    if (page.entries.size() > static_cast<std::size_t>(limit)) {
      page.entries.pop_back();
      page.next_after = page.entries.back().id;
    }
    return page;
  });
}

void AuditTrail::start_chain() {
  detail::guard([&] {
    auto& conn = detail::connection_of(store_);
    detail::WriteScope scope(conn);
    auto& st = conn.prepare(
        "INSERT INTO store_settings(key, value) VALUES ('audit_chain', 'on') ON CONFLICT (key) DO NOTHING");
    st.exec();
    conn.audit_chain_read_in = 0;  // read again by the next entry, in this transaction too
    scope.commit();
  });
}

AuditVerification AuditTrail::verify() {
  return detail::guard([&] {
    auto& conn = detail::connection_of(store_);
    AuditVerification v;
    v.chained = chained(conn);
    if (!v.chained) return v;
    // From the first chained entry on, every entry must carry the hash that follows from the
    // one before it and its own fields.
    auto& first = conn.prepare("SELECT min(id) FROM audit_entries WHERE hash IS NOT NULL");
    const auto start = detail::one_row(first, [](detail::Statement& s) {
      return s.getColumn(0).isNull() ? std::optional<std::int64_t>() : s.getColumn(0).getInt64();
    });
    if (!start || !*start) return v;
    const std::string salt = store_salt(conn);
    auto& st = conn.prepare(
        "SELECT id, entity, entity_id, field, old_value, new_value, actor, reason, request_id, at, hash, redacted, "
        "old_digest, new_digest FROM audit_entries WHERE id >= ? ORDER BY id");
    detail::StatementReset done(st);
    detail::bind_all(st, **start);
    std::string previous;
    while (st.executeStep()) {
      const detail::StoredRow r(st, "audit_entries");
      const std::int64_t id = r.int64(0);
      const auto hash = r.opt_text(10);
      // A redacted entry's values are the marker; its digests are what the hash covered.
      const bool redacted = r.flag(11);
      const auto old_digest = redacted ? r.opt_text(12) : value_digest(salt, r.opt_text(4));
      const auto new_digest = redacted ? r.opt_text(13) : value_digest(salt, r.opt_text(5));
      const std::string want =
          detail::hmac_sha256_hex(previous, chained_text(r.text(1), r.int64(2), r.text(3), old_digest, new_digest,
                                                         r.opt_text(6), r.opt_text(7), r.opt_text(8), r.int64(9)));
      ++v.checked;
      if (!hash || *hash != want) {
        v.first_broken = id;
        v.reason = !hash ? fmt::format("entry {} has no hash after the chain began", id)
                         : fmt::format("entry {}'s hash does not follow from its fields and the entry before it "
                                       "(it, or an entry before it, was changed, removed or reordered)", id);
        break;
      }
      previous = *hash;
    }
    return v;
  });
}

std::string to_json(const AuditVerification& v) {
  return nlohmann::json{{"chained", v.chained}, {"checked", v.checked}, {"first_broken", v.first_broken},
                        {"reason", v.reason}}
      .dump();
}

}  // namespace crmkit
