#include "store/migration_steps.hpp"

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "base/digest.hpp"
#include "base/idn.hpp"
#include "store/audit_trail.hpp"
#include "store/connection.hpp"

namespace crmkit::detail {

namespace {

// 0014 made every stored email a contact point keyed by its text; an internationalised domain's
// key is its ASCII form (crmkit/contact_point.hpp). A domain IDNA refuses (one stored before
// crmkit checked it) keeps its text as its key: it can only match itself, and refusing to open
// the store over it would lose more than it protects.
void ascii_email_keys(Connection& c) {
  std::vector<std::pair<std::int64_t, std::string>> keys;
  {
    auto& st = c.prepare("SELECT id, value_norm FROM contact_points WHERE type = 'email' ORDER BY id");
    StatementReset done(st);
    while (st.executeStep()) {
      std::string email = st.getColumn(1).getString();
      const auto at = email.find('@');
      bool ascii = true;
      for (unsigned char ch : email) ascii = ascii && ch < 0x80;
      if (ascii || at == std::string::npos) continue;
      if (auto domain = domain_to_ascii(std::string_view(email).substr(at + 1)))
        keys.emplace_back(st.getColumn(0).getInt64(), email.substr(0, at + 1) + *domain);
    }
  }
  auto& update = c.prepare("UPDATE contact_points SET match_key = ? WHERE id = ?");
  for (const auto& [id, key] : keys) {
    StatementReset done(update);
    bind_all(update, key, id);
    update.exec();
  }
}

// 0017: the store's own salt for the suppression list's hashes (docs/PRIVACY.md). Made here, in
// the migration's transaction, rather than on first use: every store at version 16 has exactly
// one from then on, so reads (is a value suppressed?) never write and work on a read-only
// store, and two processes cannot race to make two. 32 random bytes, as hexadecimal text.
void suppression_salt(Connection& c) {
  auto& st = c.prepare("INSERT INTO store_settings(key, value) VALUES ('suppression_salt', ?)");
  bind_all(st, random_hex(32));
  st.exec();
}

}  // namespace

void after_migration(Connection& c, int version) {
  if (version == 14) ascii_email_keys(c);
  if (version == 17) suppression_salt(c);
  // 0019: a chain hashed over values could not survive redaction; it is re-hashed over digests.
  if (version == 19) rehash_audit_chain(c);
}

}  // namespace crmkit::detail
