// crmkit customer show, crmkit timeline: one customer's profile, figures and interactions.
#include <cstdio>

#include <fmt/format.h>

#include "commands.hpp"
#include "common.hpp"
#include "crmkit/customer.hpp"
#include "crmkit/error.hpp"
#include "crmkit/interaction.hpp"
#include "crmkit/money.hpp"

namespace crmkit::cli {
namespace {

struct Who {
  std::string db = kDefaultDb;
  std::int64_t id = 0;
  std::string external_id;
  bool json = false;
};

void who_options(CLI::App* cmd, Who& w) {
  cmd->add_option("id", w.id, "customer id");
  cmd->add_option("--external-id", w.external_id, "the customer's external id instead of ID");
  add_db_option(cmd, w.db);
  cmd->add_flag("--json", w.json, "JSON on stdout");
}

// A readable JSON value as a table cell: "-" for unknown or empty, a list comma-separated,
// money as its amount and currency.
std::string cell_text(const nlohmann::json& v) {
  if (v.is_null() || v.empty()) return "-";
  if (v.is_string()) return v.get<std::string>();
  if (v.is_boolean()) return v.get<bool>() ? "yes" : "no";
  if (v.is_array()) {
    std::string list;
    for (const auto& item : v) list += (list.empty() ? "" : ", ") + cell_text(item);
    return list;
  }
  if (v.is_object() && v.size() == 2 && v.contains("amount") && v.contains("currency"))
    return cell_text(v["amount"]) + " " + cell_text(v["currency"]);
  return v.dump();
}
std::string time_or_dash(const std::optional<Instant>& t) { return t ? format_instant(*t) : "-"; }

void show(const Who& w) {
  Store store = open_store(w.db, StoreUse::read);
  std::int64_t id = resolve_customer(store, w.id, w.external_id);
  Customer c = Customers(store).get(id);
  CustomerFigures f = Interactions(store).figures(id);
  if (w.json) {
    nlohmann::json j = nlohmann::json::parse(to_json(c));
    j["figures"] = nlohmann::json::parse(to_json(f));
    print_json(j);
    return;
  }
  std::string out;
  std::string name = c.display_name ? *c.display_name : "";
  if (name.empty() && (c.given_name || c.family_name))
    name = c.given_name.value_or("") + (c.given_name && c.family_name ? " " : "") + c.family_name.value_or("");
  out += "Customer " + std::to_string(c.id) + (name.empty() ? "" : ": " + name) + "\n";
  // One row per field, in the library's order, each value in its readable JSON form; the id
  // is in the heading.
  const nlohmann::json profile = nlohmann::json::parse(to_json(c));
  Table t({"field", "value"});
  for (const auto& field : customer_fields())
    if (field.type != CustomerFieldType::integer) t.row({field.name, cell_text(profile.at(field.name))});
  t.render(out);
  out += "\nFigures\n";
  Table g({"figure", "value"}, "lr");
  g.row({"interactions", grouped(f.interaction_count)});
  g.row({"last interaction", time_or_dash(f.last_interaction_at)});
  g.row({"purchases", grouped(f.purchase_count)});
  g.row({"purchase days", grouped(f.purchase_days)});
  g.row({"refunds", grouped(f.refund_count)});
  g.row({"first purchase", time_or_dash(f.first_purchase_at)});
  g.row({"last purchase", time_or_dash(f.last_purchase_at)});
  for (const auto& m : f.money) {
    g.row({"spent (" + m.currency + ")", grouped_amount(m.purchase_total, m.currency)});
    if (m.refund_total) g.row({"refunded (" + m.currency + ")", grouped_amount(m.refund_total, m.currency)});
    if (m.margin_total) g.row({"margin (" + m.currency + ")", grouped_amount(m.margin_total, m.currency)});
  }
  g.render(out);
  std::fwrite(out.data(), 1, out.size(), stdout);
}

struct TimelineOpts : Who {
  int limit = 50;
  std::string kind, channel;
};

void timeline(const TimelineOpts& o) {
  Store store = open_store(o.db, StoreUse::read);
  std::int64_t id = resolve_customer(store, o.id, o.external_id);
  Customers(store).get(id);  // not_found for an unknown id rather than an empty timeline
  TimelineFilter filter;
  if (!o.kind.empty()) filter.kind = parse_interaction_kind(o.kind, "--kind");
  if (!o.channel.empty()) filter.channel = parse_channel(o.channel, "--channel");
  if (o.limit < 0) throw Error(Errc::invalid_argument, "--limit " + std::to_string(o.limit) + " is negative (0 means all)");
  Interactions interactions(store);
  std::vector<Interaction> all;
  std::optional<Instant> before_time;
  std::optional<std::int64_t> before_id;
  bool more = false;
  for (;;) {
    int want = o.limit == 0 ? 1000 : std::min(1000, o.limit - static_cast<int>(all.size()));
    TimelinePage p = interactions.timeline(id, filter, want, before_time, before_id);
    for (auto& i : p.interactions) all.push_back(std::move(i));
    more = p.has_more;
    if (!p.has_more || (o.limit && static_cast<int>(all.size()) >= o.limit)) break;
    before_time = p.next_before_time;
    before_id = p.next_before_id;
  }
  if (o.json) {
    nlohmann::json arr = nlohmann::json::array();
    for (const auto& i : all) arr.push_back(nlohmann::json::parse(to_json(i)));
    print_json({{"customer_id", id}, {"interactions", arr}, {"has_more", more}});
    return;
  }
  std::string out = "Timeline of customer " + std::to_string(id) + " (newest first)\n";
  Table t({"when", "channel", "kind", "dir", "amount", "subject"}, "llllrl");
  for (const auto& i : all) {
    std::string when = format_instant(i.occurred_at).substr(0, 16);
    when[10] = ' ';
    std::string amount = i.amount ? grouped_amount(i.amount->minor, i.amount->currency) + " " + i.amount->currency : "";
    t.row({when, to_string(i.channel), to_string(i.kind), to_string(i.direction), amount, i.subject.value_or("")});
  }
  t.render(out);
  if (more) out += "  ... more (use --limit 0 for all)\n";
  std::fwrite(out.data(), 1, out.size(), stdout);
}

// ---- crmkit customer lifecycle --------------------------------------------------------------------

struct LifecycleOpts {
  std::string db = kDefaultDb, rule;
  TimeArg as_of;
  int window_days = 0;
  double threshold = 0;
  bool window_given = false, threshold_given = false;  // set from the options' counts
  bool override_manual = false, json = false;
};

void lifecycle(const LifecycleOpts& o) {
  Store store = open_store(o.db, StoreUse::write);
  const Instant as_of = o.as_of.instant();
  Customers customers(store);
  // A rule change and its application commit together: a refused run leaves the old rule.
  Transaction tx(store);
  LifecycleRule rule = customers.lifecycle_rule();
  if (!o.rule.empty()) rule.churn = parse_churn_rule(o.rule, "--rule");
  if (o.window_given) rule.window_days = o.window_days;
  if (o.threshold_given) rule.p_alive_threshold = o.threshold;
  if (!o.rule.empty() || o.window_given || o.threshold_given) customers.set_lifecycle_rule(rule);
  LifecycleOptions options;
  options.override_manual = o.override_manual;
  const LifecycleUpdate u = customers.update_lifecycle(as_of, options);
  tx.commit();
  if (o.json) {
    print_json(nlohmann::json::parse(to_json(u)));
    return;
  }
  std::string out = fmt::format(
      "Lifecycle as of {}: churn rule {} ({}), {} customers with purchases evaluated{}\n",
      format_date(day_of(as_of - 1)), to_string(u.rule.churn),
      u.rule.churn == ChurnRule::no_purchase ? fmt::format("no purchase in {} days", u.rule.window_days)
                                             : fmt::format("P(alive) < {}", u.rule.p_alive_threshold),
      grouped(u.evaluated), o.override_manual ? ", stages set by hand included" : "");
  if (u.moves.empty()) {
    out += "  nobody moved\n";
  } else {
    Table t({"from", "to", "customers"}, "llr");
    for (const auto& m : u.moves) t.row({to_string(m.from), to_string(m.to), grouped(m.customers)});
    t.render(out);
  }
  std::fwrite(out.data(), 1, out.size(), stdout);
}

}  // namespace

void add_customer_commands(CLI::App& root) {
  auto* customer = root.add_subcommand("customer", "Look at customers");
  customer->require_subcommand(1);
  auto w = std::make_shared<Who>();
  auto* s = customer->add_subcommand("show", "A customer's profile and figures");
  who_options(s, *w);
  s->callback([w] { show(*w); });

  auto lo = std::make_shared<LifecycleOpts>();
  auto* lc = customer->add_subcommand(
      "lifecycle", "Apply the churn rule at --as-of: customers with purchases become customer or churned");
  add_db_option(lc, lo->db);
  add_time_option(lc, lo->as_of, "--as-of", DateMeans::end_of_day, "evaluate as of this time")->required();
  lc->add_option("--rule", lo->rule, "save this churn rule first: no_purchase or p_alive");
  auto* window = add_days_option(lc, lo->window_days, "--window-days", "save this no_purchase window first (1..36500)");
  auto* threshold = lc->add_option("--threshold", lo->threshold, "save this p_alive threshold first (0..1)");
  lc->add_flag("--override-manual", lo->override_manual, "also move customers whose stage was set by hand");
  lc->add_flag("--json", lo->json, "JSON on stdout");
  lc->callback([lo, window, threshold] {
    lo->window_given = window->count() > 0;
    lo->threshold_given = threshold->count() > 0;
    lifecycle(*lo);
  });

  auto o = std::make_shared<TimelineOpts>();
  auto* t = root.add_subcommand("timeline", "A customer's interactions, newest first");
  who_options(t, *o);
  t->add_option("--limit", o->limit, "at most this many (0: all)")->capture_default_str();
  t->add_option("--kind", o->kind, "only this kind (purchase, refund, inquiry, ...)");
  t->add_option("--channel", o->channel, "only this channel (email, phone, web, store, ...)");
  t->callback([o] { timeline(*o); });
}

}  // namespace crmkit::cli
