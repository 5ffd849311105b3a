// crmkit segment ...: rule-based and static segments from the shell.
#include <cstdio>
#include <functional>

#include "commands.hpp"
#include "common.hpp"
#include "crmkit/error.hpp"
#include "crmkit/limits.hpp"
#include "crmkit/segment.hpp"

namespace crmkit::cli {
namespace {

using nlohmann::json;

struct SegmentArgs {
  std::string db, name, rule, description;
  TimeArg as_of, from, to, at;
  std::vector<std::int64_t> customers;
  std::int64_t customer = 0;
  std::int64_t limit = 20;
  bool json_out = false, strict = false, is_static = false;
};

// --rule takes JSON, the text form, or @FILE holding either; JSON starts with '{'.
std::string rule_json(const std::string& arg) {
  std::string text = arg;
  if (!arg.empty() && arg[0] == '@') text = file_text(arg.substr(1), kMaxRuleBytes, "rule file");
  std::size_t i = text.find_first_not_of(" \t\r\n");
  if (i != std::string::npos && text[i] == '{') return text;
  return rule_from_text(text);
}



json membership_json(const Membership& m) {
  return json{{"segment", m.segment_name},
              {"customer_id", m.customer_id},
              {"entered_at", format_instant(m.entered_at)},
              {"left_at", m.left_at ? json(format_instant(*m.left_at)) : json()},
              {"rule_version", m.rule_version ? json(*m.rule_version) : json()}};
}

json segment_json(const Segment& s) {
  return json{{"id", s.id},
              {"name", s.name},
              {"kind", to_string(s.kind)},
              {"description", s.description},
              {"rule_version", s.rule_version},
              {"rule", s.rule.empty() ? json() : json::parse(s.rule)},
              {"strict_nulls", s.strict_nulls},
              {"refreshed_at", s.refreshed_at ? json(format_instant(*s.refreshed_at)) : json()},
              {"member_count", s.member_count}};
}

void print_memberships(const std::vector<Membership>& rows, bool as_json) {
  if (as_json) {
    json all = json::array();
    for (const auto& m : rows) all.push_back(membership_json(m));
    std::printf("%s\n", all.dump(2).c_str());
    return;
  }
  for (const auto& m : rows)
    std::printf("%s\t%lld\t%s\t%s\n", m.segment_name.c_str(), static_cast<long long>(m.customer_id),
                format_instant(m.entered_at).c_str(), m.left_at ? format_instant(*m.left_at).c_str() : "-");
}

}  // namespace

void add_segment_commands(CLI::App& root) {
  auto a = std::make_shared<SegmentArgs>();
  CLI::App* seg = root.add_subcommand("segment", "Rule-based and static customer segments");
  seg->require_subcommand(1);
  auto db_opt = [&](CLI::App* c) { add_db_option(c, a->db); };
  auto rule_opt = [&](CLI::App* c, bool required) {
    auto* o = c->add_option("--rule", a->rule, "Rule: JSON, text form, or @FILE");
    if (required) o->required();
  };
  auto strict_opt = [&](CLI::App* c) {
    c->add_flag("--strict", a->strict, "SQL three-valued logic: missing values never match");
  };
  auto as_of_opt = [&](CLI::App* c) {
    add_time_option(c, a->as_of, "--as-of", DateMeans::end_of_day,
                    "evaluate as of this time (default: the end of the last day with data)");
  };
  auto opts = [a] {
    RuleOptions o;
    o.strict_nulls = a->strict;
    return o;
  };
  // count, preview and explain take --db, --rule and --as-of, their own options, then --strict,
  // and run on the rule (JSON) as of that time, on a store opened for reading.
  auto rule_input_opts = [&](CLI::App* c) {
    db_opt(c);
    rule_opt(c, true);
    as_of_opt(c);
  };
  auto evaluate_rule = [&](CLI::App* c, std::function<void(Segments&, const std::string& rule, Instant as_of)> run) {
    strict_opt(c);
    c->callback([a, run] {
      Store s = open_store(a->db, StoreUse::read);
      Segments segs(s);
      const std::string r = rule_json(a->rule);
      const Instant t = as_of_or_default(s, a->as_of);
      run(segs, r, t);
    });
  };
  // members, of and history: --json, then the membership rows `read` returns, from a store
  // opened for reading.
  auto list_memberships = [&](CLI::App* c, std::function<std::vector<Membership>(Segments&)> read) {
    c->add_flag("--json", a->json_out, "JSON output");
    c->callback([a, read] {
      Store s = open_store(a->db, StoreUse::read);
      Segments segs(s);
      print_memberships(read(segs), a->json_out);
    });
  };

  CLI::App* create = seg->add_subcommand("create", "Save a segment (dynamic with --rule, or --static)");
  create->add_option("name", a->name, "Segment name")->required();
  db_opt(create);
  rule_opt(create, false);
  create->add_flag("--static", a->is_static, "A static segment: members are added by hand");
  create->add_option("--description", a->description, "Free text");
  strict_opt(create);
  create->callback([a, opts] {
    Store s = open_store(a->db, StoreUse::write);
    if (a->is_static == !a->rule.empty())
      throw Error(Errc::invalid_argument, "give either --rule (dynamic) or --static");
    auto out = Segments(s).create(a->name, a->is_static ? SegmentKind::manual_static : SegmentKind::dynamic,
                                  a->is_static ? std::string() : rule_json(a->rule), a->description, opts());
    std::printf("created segment %s (id %lld, %s)\n", out.name.c_str(), static_cast<long long>(out.id),
                to_string(out.kind));
  });

  CLI::App* update = seg->add_subcommand("update", "Give a dynamic segment a new rule version");
  update->add_option("name", a->name, "Segment name")->required();
  db_opt(update);
  rule_opt(update, true);
  strict_opt(update);
  update->callback([a, opts] {
    Store s = open_store(a->db, StoreUse::write);
    auto out = Segments(s).update(a->name, rule_json(a->rule), opts());
    std::printf("segment %s is at rule version %d\n", out.name.c_str(), out.rule_version);
  });

  CLI::App* del = seg->add_subcommand("delete", "Delete a segment and its history");
  del->add_option("name", a->name, "Segment name")->required();
  db_opt(del);
  del->callback([a] {
    Store s = open_store(a->db, StoreUse::write);
    Segments(s).remove(a->name);
    std::printf("deleted segment %s\n", a->name.c_str());
  });

  CLI::App* count = seg->add_subcommand("count", "Count the customers a rule matches (nothing saved)");
  rule_input_opts(count);
  count->add_flag("--json", a->json_out, "Print {\"count\": N}");
  evaluate_rule(count, [a, opts](Segments& segs, const std::string& rule, Instant as_of) {
    auto n = segs.count(rule, as_of, opts());
    if (a->json_out) std::printf("%s\n", json{{"count", n}}.dump().c_str());
    else std::printf("%lld\n", static_cast<long long>(n));
  });

  CLI::App* sample = seg->add_subcommand("preview", "Count and a sample of matching customer ids");
  rule_input_opts(sample);
  sample->add_option("--limit", a->limit, "Sample size (default 20)");
  evaluate_rule(sample, [a, opts](Segments& segs, const std::string& rule, Instant as_of) {
    json out{{"count", segs.count(rule, as_of, opts())}, {"sample", segs.sample(rule, as_of, a->limit, opts())}};
    std::printf("%s\n", out.dump().c_str());
  });

  CLI::App* explain = seg->add_subcommand("explain", "Show the SQL a rule compiles to, with its parameters");
  rule_input_opts(explain);
  evaluate_rule(explain, [opts](Segments& segs, const std::string& rule, Instant as_of) {
    auto e = segs.explain(rule, as_of, opts());
    json params = json::array();
    for (const auto& p : e.params) {
      if (p.type == SqlParam::Type::integer) params.push_back(p.integer);
      else if (p.type == SqlParam::Type::real) params.push_back(p.real);
      else params.push_back(p.text);
    }
    json out{{"sql", e.sql}, {"params", params}, {"rule", json::parse(e.canonical_rule)},
             {"text", rule_to_text(e.canonical_rule)}};
    std::printf("%s\n", out.dump(2).c_str());
  });

  CLI::App* text = seg->add_subcommand("text", "Convert a rule between JSON and the text form");
  rule_opt(text, true);
  text->add_flag("--json", a->json_out, "Print canonical JSON instead of text");
  text->callback([a] {
    const std::string r = rule_json(a->rule);
    std::printf("%s\n", a->json_out ? canonical_rule(r).c_str() : rule_to_text(r).c_str());
  });

  CLI::App* refresh = seg->add_subcommand("refresh", "Evaluate a segment as of a time and record who entered/left");
  refresh->add_option("name", a->name, "Segment name")->required();
  db_opt(refresh);
  as_of_opt(refresh);
  refresh->add_flag("--json", a->json_out, "JSON output");
  refresh->callback([a] {
    Store s = open_store(a->db, StoreUse::write);
    auto r = Segments(s).refresh(a->name, as_of_or_default(s, a->as_of));
    if (a->json_out)
      std::printf("%s\n", json{{"entered", r.entered}, {"left", r.left}, {"members", r.members},
                               {"rule_version", r.rule_version}}.dump().c_str());
    else
      std::printf("%s: %lld entered, %lld left, %lld members (rule version %d)\n", a->name.c_str(),
                  static_cast<long long>(r.entered), static_cast<long long>(r.left),
                  static_cast<long long>(r.members), r.rule_version);
  });

  CLI::App* members = seg->add_subcommand("members", "Current members of a segment");
  members->add_option("name", a->name, "Segment name")->required();
  db_opt(members);
  list_memberships(members, [a](Segments& segs) { return segs.members(a->name); });

  CLI::App* of = seg->add_subcommand("of", "The segments a customer is in now");
  of->add_option("customer", a->customer, "Customer id")->required();
  db_opt(of);
  list_memberships(of, [a](Segments& segs) { return segs.segments_of(a->customer); });

  CLI::App* history = seg->add_subcommand("history", "Who entered or left a segment within [--from, --to]");
  history->add_option("name", a->name, "Segment name")->required();
  db_opt(history);
  add_time_option(history, a->from, "--from", DateMeans::first_instant,
                  "changes at or after this time; a date is the first as-of day included")->required();
  add_time_option(history, a->to, "--to", DateMeans::end_of_day,
                  "changes before this time; a date is the last as-of day included")->required();
  list_memberships(history, [a](Segments& segs) {
    // Changes are stamped with the as-of instant of the refresh, and a refresh as of day D is
    // stamped at D's end: the stamps of as-of days from..to are (from 00:00, to+1 00:00], which
    // is history's half-open [from, to) moved by 1 ms. Instants are taken as given.
    const Instant from = a->from.instant() + (a->from.is_date() ? 1 : 0);
    const Instant to = a->to.instant() + (a->to.is_date() ? 1 : 0);
    return segs.history(a->name, from, to);
  });

  CLI::App* list = seg->add_subcommand("list", "Saved segments");
  db_opt(list);
  list->add_flag("--json", a->json_out, "JSON output");
  list->callback([a] {
    Store s = open_store(a->db, StoreUse::read);
    auto all = Segments(s).list();
    if (a->json_out) {
      json out = json::array();
      for (const auto& x : all) out.push_back(segment_json(x));
      std::printf("%s\n", out.dump(2).c_str());
      return;
    }
    for (const auto& x : all)
      std::printf("%s\t%s\tv%d\t%lld members\n", x.name.c_str(), to_string(x.kind), x.rule_version,
                  static_cast<long long>(x.member_count));
  });

  for (const char* verb : {"add", "remove"}) {
    const bool add = verb[0] == 'a';
    CLI::App* c = seg->add_subcommand(verb, add ? "Add customers to a static segment" : "Remove customers from a static segment");
    c->add_option("name", a->name, "Segment name")->required();
    db_opt(c);
    c->add_option("--customer", a->customers, "Customer id (repeatable)")->required();
    add_time_option(c, a->at, "--at", DateMeans::end_of_day, "when the change happens")->required();
    c->callback([a, add] {
      Store s = open_store(a->db, StoreUse::write);
      Segments segs(s);
      const Instant at = a->at.instant();
      auto n = add ? segs.add_customers(a->name, a->customers, at) : segs.remove_customers(a->name, a->customers, at);
      std::printf("%lld customers %s\n", static_cast<long long>(n), add ? "added" : "removed");
    });
  }
}

// crmkit demo: a few typical segments over the demo population, refreshed at its end.
void demo_segments(Store& store, std::uint64_t, Instant, Instant end) {
  Segments segs(store);
  const std::pair<const char*, const char*> defs[] = {
      {"active_buyers", "count(purchase, last 6 months) >= 1"},
      {"lapsed_buyers", "purchase_count >= 1 and days_since_last_purchase > 180"},
      {"big_spenders", "sum(amount, purchase, last 1 year) > 500"},
      {"repeat_buyers", "purchase_days >= 2 and not in segment \"lapsed_buyers\""},
  };
  for (const auto& [name, text] : defs) {
    bool exists = false;
    for (const auto& s : segs.list()) exists = exists || s.name == name;
    if (!exists) segs.create(name, SegmentKind::dynamic, rule_from_text(text));
    segs.refresh(name, end);
  }
}
}  // namespace crmkit::cli
