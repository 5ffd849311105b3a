// crmkit merge: fold duplicate customers into a survivor, see the plan first (--dry-run), list
// a customer's merges (--history) and undo one (--undo).
#include <charconv>
#include <cstdio>

#include <fmt/format.h>

#include "commands.hpp"
#include "common.hpp"
#include "crmkit/merge.hpp"

namespace crmkit::cli {
namespace {

struct MergeOpts {
  std::string db = kDefaultDb;
  std::vector<std::int64_t> ids;
  std::vector<std::string> choose;
  std::int64_t undo = 0, history = 0;
  bool dry_run = false, force = false, json = false;
  TimeArg at;
};

// A field's value for people: text as it is, an instant (created_at) as ISO-8601.
std::string shown(const std::string& field, const std::optional<std::string>& json_value) {
  if (!json_value) return "-";
  const auto v = nlohmann::json::parse(*json_value);
  if (v.is_number_integer() && field.size() > 3 && field.compare(field.size() - 3, 3, "_at") == 0)
    return format_instant(v.get<Instant>());
  return v.is_string() ? v.get<std::string>() : v.dump();
}

void render_plan(const MergePlan& p, std::string& out) {
  if (p.fields.empty()) {
    out += "  The survivor's fields stay as they are.\n";
  } else {
    Table t({"field", "survivor had", "becomes", "from"}, "llll");
    for (const auto& f : p.fields) t.row({f.field, shown(f.field, f.old_value), shown(f.field, f.new_value), std::to_string(f.source)});
    t.render(out);
  }
  out += "\n";
  Table t({"table", "moved", "changed", "removed", "added", "recomputed"}, "lrrrrl");
  for (const auto& c : p.tables)
    t.row({c.table, grouped(c.moved), grouped(c.changed), grouped(c.removed), grouped(c.added),
           c.recomputed ? "yes" : ""});
  t.render(out);
  for (const auto& c : p.consent)
    out += fmt::format("  consent {}/{} withdrawn on the survivor: customer {} had withdrawn it\n", to_string(c.channel),
                       c.purpose, c.withdrawn_on);
  out += fmt::format("  {} rows in all\n", grouped(p.rows));
}

std::string when(const MergeRecord& r) {
  return format_instant(r.at) + (r.undone_at ? ", undone " + format_instant(*r.undone_at) : std::string());
}

void print(const std::string& out) { std::fwrite(out.data(), 1, out.size(), stdout); }

MergeRequest request_of(const MergeOpts& o) {
  if (o.ids.size() < 2) throw Error(Errc::invalid_argument, "give the survivor's id, then the id of each record it absorbs");
  MergeRequest r;
  r.survivor = o.ids.front();
  r.absorbed.assign(o.ids.begin() + 1, o.ids.end());
  for (const auto& c : o.choose) {
    const auto eq = c.find('=');
    if (eq == std::string::npos || eq == 0)
      throw Error(Errc::invalid_argument, fmt::format("--choose takes FIELD=CUSTOMER_ID, not '{}'", c));
    const std::string id = c.substr(eq + 1);
    std::int64_t v = 0;
    const auto [end, ec] = std::from_chars(id.data(), id.data() + id.size(), v);
    if (ec != std::errc() || end != id.data() + id.size() || id.empty())
      throw Error(Errc::invalid_argument, fmt::format("--choose {}: '{}' is not a customer id", c.substr(0, eq), id));
    r.field_choices[c.substr(0, eq)] = v;
  }
  return r;
}

}  // namespace

void add_merge_commands(CLI::App& root) {
  auto o = std::make_shared<MergeOpts>();
  auto* c = root.add_subcommand("merge",
                                "Merge duplicate customers into a survivor (SURVIVOR ABSORBED...); --dry-run shows the "
                                "plan, --undo ID puts a merge back");
  c->add_option("ids", o->ids, "the survivor's id, then each absorbed record's");
  c->add_option("--choose", o->choose, "FIELD=ID: take this field from that record (repeatable)");
  c->add_flag("--dry-run", o->dry_run, "show what the merge would do; write nothing");
  c->add_option("--undo", o->undo, "undo this merge (its id)");
  c->add_flag("--force", o->force, "with --undo: put back survivor fields changed since the merge");
  c->add_option("--history", o->history, "list the merges this customer holds");
  add_time_option(c, o->at, "--at", DateMeans::first_instant, "when it happens (default: now)");
  add_db_option(c, o->db);
  c->add_flag("--json", o->json, "JSON on stdout");
  c->callback([o] {
    std::string out;
    if (o->history) {
      Store s = open_store(o->db, StoreUse::read);
      const auto list = Merges(s).of_customer(o->history);
      if (o->json) return print_json(nlohmann::json::parse(to_json(list)));
      if (list.empty()) return print(fmt::format("customer {} holds no merges\n", o->history));
      Table t({"merge", "survivor", "absorbed", "rows", "when", "actor"}, "rrlrll");
      for (const auto& r : list) {
        std::string absorbed;
        for (auto a : r.absorbed) absorbed += (absorbed.empty() ? "" : " ") + std::to_string(a);
        t.row({std::to_string(r.id), std::to_string(r.survivor), absorbed, grouped(r.plan.rows), when(r),
               r.actor.value_or("-")});
      }
      t.render(out);
      return print(out);
    }
    if (o->undo) {
      if (!o->ids.empty()) throw Error(Errc::invalid_argument, "--undo takes the merge's id alone, not customer ids");
      Store s = open_store(o->db, StoreUse::write);
      const MergeRecord r = Merges(s).undo(o->undo, given_or_now(o->at), o->force);
      if (o->json) return print_json(nlohmann::json::parse(to_json(r)));
      std::string absorbed;
      for (auto a : r.absorbed) absorbed += (absorbed.empty() ? "" : ", ") + std::to_string(a);
      return print(fmt::format("merge {} undone: {} {} {} back beside customer {}, every row as it was\n", r.id,
                               r.absorbed.size() == 1 ? "customer" : "customers", absorbed,
                               r.absorbed.size() == 1 ? "is" : "are", r.survivor));
    }
    const MergeRequest request = request_of(*o);
    const Instant at = given_or_now(o->at);
    if (o->dry_run) {
      Store s = open_store(o->db, StoreUse::read);
      const MergePlan p = Merges(s).plan(request, at);
      if (o->json) return print_json(nlohmann::json::parse(to_json(p)));
      out = fmt::format("Dry run: merging {} into customer {} would do this (nothing written)\n\n",
                        p.absorbed.size() == 1 ? "1 record" : fmt::format("{} records", p.absorbed.size()), p.survivor);
      render_plan(p, out);
      return print(out);
    }
    Store s = open_store(o->db, StoreUse::write);
    const MergeRecord r = Merges(s).merge(request, at);
    if (o->json) return print_json(nlohmann::json::parse(to_json(r)));
    out = fmt::format("Merge {}: customer {} absorbed {}\n\n", r.id, r.survivor,
                      r.absorbed.size() == 1 ? fmt::format("customer {}", r.absorbed[0])
                                             : fmt::format("{} records", r.absorbed.size()));
    render_plan(r.plan, out);
    out += fmt::format("\nUndo with: crmkit merge --undo {}\n", r.id);
    print(out);
  });
}

}  // namespace crmkit::cli
