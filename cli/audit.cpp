// crmkit audit list: the audit trail, newest changes last, with who and why.
#include <cstdio>

#include <fmt/format.h>

#include "commands.hpp"
#include "common.hpp"
#include "crmkit/audit.hpp"

namespace crmkit::cli {
namespace {

struct AuditOpts {
  std::string db = kDefaultDb;
  std::string entity, actor;
  std::int64_t id = 0;
  TimeArg from, to;
  int limit = 100;
  bool json = false;
};

std::string value_text(const std::optional<std::string>& v) {
  if (!v) return "-";
  const auto j = nlohmann::json::parse(*v);
  std::string t = j.is_string() ? j.get<std::string>() : j.dump();
  return t.size() > 60 ? t.substr(0, 57) + "..." : t;
}

void list(const AuditOpts& o) {
  Store s = open_store(o.db, StoreUse::read);
  AuditQuery q;
  if (!o.entity.empty()) q.entity = parse_audit_entity(o.entity, "--entity");
  if (o.id != 0) q.entity_id = o.id;
  if (!o.actor.empty()) q.actor = o.actor;
  q.from = o.from.instant_if_given();
  q.to = o.to.instant_if_given();
  if (o.limit < 0) throw Error(Errc::invalid_argument, "--limit " + std::to_string(o.limit) + " is negative (0 means all)");
  AuditTrail trail(s);
  std::vector<AuditEntry> entries;
  std::int64_t after = 0;
  bool more = false;
  do {
    const int want = o.limit == 0 ? 10'000 : std::min(10'000, o.limit - static_cast<int>(entries.size()));
    AuditPage page = trail.list(q, after, want);
    for (auto& e : page.entries) entries.push_back(std::move(e));
    after = page.next_after;
    more = after != 0;
  } while (more && (o.limit == 0 || static_cast<int>(entries.size()) < o.limit));
  if (o.json) {
    AuditPage all;
    all.entries = std::move(entries);
    all.next_after = more ? after : 0;
    return print_json(nlohmann::json::parse(to_json(all)));
  }
  std::string out = fmt::format("Audit trail: {} entries{}\n", entries.size(), more ? " (more: raise --limit)" : "");
  Table t({"id", "when", "entity", "field", "old", "new", "actor", "reason"}, "rlllllll");
  for (const auto& e : entries)
    t.row({std::to_string(e.id), format_instant(e.at), std::string(to_string(e.entity)) + " " + std::to_string(e.entity_id),
           e.field, value_text(e.old_value), value_text(e.new_value), e.actor.value_or("-"), e.reason.value_or("-")});
  t.render(out);
  std::fwrite(out.data(), 1, out.size(), stdout);
}

}  // namespace

void add_audit_commands(CLI::App& root) {
  auto* audit = root.add_subcommand("audit", "The audit trail: every change to customers and contact points");
  audit->require_subcommand(1);
  auto o = std::make_shared<AuditOpts>();
  auto* c = audit->add_subcommand("list", "Changes in the order they were made, with who and why");
  c->add_option("--entity", o->entity, "customer or contact_point");
  c->add_option("--id", o->id, "only this record (needs --entity)");
  c->add_option("--actor", o->actor, "only changes by this actor");
  add_time_option(c, o->from, "--from", DateMeans::first_instant, "changes at or after");
  add_time_option(c, o->to, "--to", DateMeans::end_of_day, "changes before");
  c->add_option("--limit", o->limit, "at most this many (0: all)")->capture_default_str();
  add_db_option(c, o->db);
  c->add_flag("--json", o->json, "JSON on stdout");
  c->callback([o] { list(*o); });

  auto chain_db = std::make_shared<std::string>(kDefaultDb);
  auto* chain = audit->add_subcommand("chain", "Chain every later entry to the one before it (tamper evidence)");
  add_db_option(chain, *chain_db);
  chain->callback([chain_db] {
    Store s = open_store(*chain_db, StoreUse::write);
    AuditTrail(s).start_chain();
    std::printf("the audit trail is chained from its next entry on\n");
  });
  auto v = std::make_shared<AuditOpts>();
  auto* verify = audit->add_subcommand("verify", "Recompute the chain; exit 1 when an entry was tampered with");
  add_db_option(verify, v->db);
  verify->add_flag("--json", v->json, "JSON on stdout");
  verify->callback([v] {
    Store s = open_store(v->db, StoreUse::read);
    const AuditVerification r = AuditTrail(s).verify();
    if (v->json) print_json(nlohmann::json::parse(to_json(r)));
    else if (!r.chained) std::printf("the audit trail is not chained (crmkit audit chain starts it)\n");
    else if (r.first_broken == 0) std::printf("audit chain intact: %lld entries checked\n", static_cast<long long>(r.checked));
    else std::printf("audit chain BROKEN at entry %lld: %s\n", static_cast<long long>(r.first_broken), r.reason.c_str());
    if (r.first_broken != 0) exit_code() = 1;
  });
}

}  // namespace crmkit::cli
