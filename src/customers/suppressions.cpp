// The suppressions table: salted hashes of match keys, looked up before a customer is given an
// email or phone.
#include "customers/suppressions.hpp"

#include <fmt/format.h>

#include "base/digest.hpp"
#include "base/enums.hpp"
#include "store/stored.hpp"

namespace crmkit::detail {

namespace {

bool suppressible(ContactType type) noexcept { return type == ContactType::email || type == ContactType::phone; }

Suppression read_row(Statement& st) {
  const StoredRow r(st, "suppressions", 1);
  Suppression s;
  s.type = r.parse(0, [](const std::string& t) { return parse_enum(kSuppressionTypeNames, t, "type"); });
  s.hash = r.text(1);
  s.reason = r.parse(2, [](const std::string& t) { return parse_suppression_reason(t); });
  r.columns(3, s.at);
  return s;
}

}  // namespace

std::string suppression_hash(Connection& conn, const std::string& match_key) {
  auto& st = conn.prepare("SELECT value FROM store_settings WHERE key = 'suppression_salt'");
  auto salt = one_row(st, [](Statement& s) { return StoredRow(s, "store_settings", -1).text(0); });
  if (!salt || salt->size() < 32)
    throw Error(Errc::corrupt, "the store's suppression salt is missing or damaged (store_settings.suppression_salt)");
  return hmac_sha256_hex(*salt, match_key);
}

std::optional<Suppression> find_suppression(Connection& conn, ContactType type, const std::string& match_key) {
  if (!suppressible(type)) return std::nullopt;
  auto& st = conn.prepare("SELECT type, hash, reason, at FROM suppressions WHERE type = ? AND hash = ?");
  return one_row(st, read_row, to_string(type), suppression_hash(conn, match_key));
}

void refuse_suppressed(Connection& conn, ContactType type, const std::string& match_key) {
  if (auto s = find_suppression(conn, type, match_key))
    throw Error(Errc::conflict, fmt::format("{} is suppressed ({} {})", to_string(type), to_string(s->reason),
                                            format_instant(s->at)));
}

Suppression insert_suppression(Connection& conn, ContactType type, const std::string& match_key,
                               SuppressionReason reason, Instant at) {
  // DO NOTHING keeps the first row also when another session inserted it since this one looked.
  auto& st = conn.prepare(
      "INSERT INTO suppressions(type, hash, reason, at) VALUES (?, ?, ?, ?) ON CONFLICT (type, hash) DO NOTHING");
  bind_all(st, to_string(type), suppression_hash(conn, match_key), reason, at);
  st.exec();
  if (auto s = find_suppression(conn, type, match_key)) return *s;
  throw Error(Errc::internal, "a suppression row inserted is not found");
}

bool delete_suppression(Connection& conn, ContactType type, const std::string& match_key) {
  if (!suppressible(type)) return false;
  auto& st = conn.prepare("DELETE FROM suppressions WHERE type = ? AND hash = ?");
  bind_all(st, to_string(type), suppression_hash(conn, match_key));
  return st.exec() > 0;
}

}  // namespace crmkit::detail
