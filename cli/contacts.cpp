// crmkit contact list|add|find|primary|label|verify|bounce|remove: a customer's contact points.
#include <cstdio>

#include <fmt/format.h>

#include "commands.hpp"
#include "common.hpp"
#include "crmkit/contact_point.hpp"
#include "crmkit/customer.hpp"

namespace crmkit::cli {
namespace {

struct ContactOpts {
  std::string db = kDefaultDb;
  std::int64_t customer = 0;
  std::string external_id;
  std::int64_t contact = 0;
  std::string type, value, label;
  bool primary = false, hard = false, clear = false, json = false;
  TimeArg at;
};

std::string time_or_dash(const std::optional<Instant>& t) { return t ? format_instant(*t) : "-"; }

void print_points(const std::vector<ContactPoint>& points, bool json, const std::string& heading) {
  if (json) {
    print_json(nlohmann::json::parse(to_json(points)));
    return;
  }
  std::string out = heading + "\n";
  if (points.empty()) {
    out += "  none\n";
  } else {
    Table t({"id", "customer", "type", "value", "label", "primary", "verified", "invalid since", "bounces"},
            "rrlllllll");
    for (const auto& p : points)
      t.row({std::to_string(p.id), std::to_string(p.customer_id), to_string(p.type), p.normalized,
             p.label.value_or("-"), p.primary ? "yes" : "", time_or_dash(p.verified_at), time_or_dash(p.invalid_since),
             std::to_string(p.bounce_count)});
    t.render(out);
  }
  std::fwrite(out.data(), 1, out.size(), stdout);
}

void say(const std::string& what) { std::printf("%s\n", what.c_str()); }

CLI::Option* at_option(CLI::App* cmd, ContactOpts& o) {
  return add_time_option(cmd, o.at, "--at", DateMeans::first_instant, "when it happened (default: now)");
}

}  // namespace

void add_contact_commands(CLI::App& root) {
  auto* contact = root.add_subcommand("contact", "A customer's emails, phones, addresses, URLs and social handles");
  contact->require_subcommand(1);
  const std::string types = "email, phone, address, url or social";

  {
    auto o = std::make_shared<ContactOpts>();
    auto* c = contact->add_subcommand("list", "A customer's contact points, primary first");
    c->add_option("customer", o->customer, "customer id");
    c->add_option("--external-id", o->external_id, "the customer's external id instead of CUSTOMER");
    add_db_option(c, o->db);
    c->add_flag("--json", o->json, "JSON on stdout");
    c->callback([o] {
      Store s = open_store(o->db, StoreUse::read);
      const std::int64_t id = resolve_customer(s, o->customer, o->external_id);
      print_points(ContactPoints(s).list(id), o->json, "Contact points of customer " + std::to_string(id));
    });
  }
  {
    auto o = std::make_shared<ContactOpts>();
    auto* c = contact->add_subcommand("add", "Add a contact point to a customer");
    c->add_option("customer", o->customer, "customer id");
    c->add_option("--external-id", o->external_id, "the customer's external id instead of CUSTOMER");
    c->add_option("--type", o->type, types)->required();
    c->add_option("--value", o->value, "the address, number, URL or network:handle")->required();
    c->add_option("--label", o->label, "a label such as work or home");
    c->add_flag("--primary", o->primary, "make it the primary of its type");
    at_option(c, *o);
    add_db_option(c, o->db);
    c->callback([o] {
      Store s = open_store(o->db, StoreUse::write);
      const std::int64_t id = resolve_customer(s, o->customer, o->external_id);
      NewContactPoint p;
      p.type = parse_contact_type(o->type, "--type");
      p.value = o->value;
      if (!o->label.empty()) p.label = o->label;
      p.primary = o->primary;
      ContactPoints cp(s);
      const auto point = cp.get(cp.add(id, p, given_or_now(o->at)));
      say(fmt::format("added {} {} to customer {} as contact point {}{}", to_string(point.type), point.normalized, id,
                      point.id, point.primary ? " (primary)" : ""));
    });
  }
  {
    auto o = std::make_shared<ContactOpts>();
    auto* c = contact->add_subcommand("find", "Every customer reachable at a value (compared by match key)");
    c->add_option("value", o->value, "the address, number, URL or network:handle")->required();
    c->add_option("--type", o->type, types)->required();
    add_db_option(c, o->db);
    c->add_flag("--json", o->json, "JSON on stdout");
    c->callback([o] {
      Store s = open_store(o->db, StoreUse::read);
      const ContactType type = parse_contact_type(o->type, "--type");
      print_points(ContactPoints(s).find(type, o->value), o->json,
                   fmt::format("Customers with {} {}", to_string(type), o->value));
    });
  }
  // The commands that change one contact point, named by its id.
  struct Change {
    const char* name;
    const char* help;
    void (*run)(ContactPoints&, const ContactOpts&, Instant);
    const char* done;
  };
  static const Change changes[] = {
      {"primary", "Make a contact point the primary of its type",
       [](ContactPoints& cp, const ContactOpts& o, Instant at) { cp.set_primary(o.contact, at); }, "is primary"},
      {"verify", "Record that the person proved they receive it",
       [](ContactPoints& cp, const ContactOpts& o, Instant at) { cp.mark_verified(o.contact, at); }, "is verified"},
      {"bounce", "Record a failed delivery (--hard: the address does not exist)",
       [](ContactPoints& cp, const ContactOpts& o, Instant at) { cp.record_bounce(o.contact, o.hard, at); },
       "bounced"},
      {"label", "Set a contact point's label (--clear removes it)",
       [](ContactPoints& cp, const ContactOpts& o, Instant at) {
         if (o.clear == !o.label.empty())
           throw Error(Errc::invalid_argument, "give either a LABEL or --clear");
         cp.set_label(o.contact, o.clear ? std::nullopt : std::optional<std::string>(o.label), at);
       },
       "is labelled"},
      {"remove", "Delete a contact point", [](ContactPoints& cp, const ContactOpts& o, Instant at) { cp.remove(o.contact, at); },
       "is removed"},
  };
  for (const auto& change : changes) {
    auto o = std::make_shared<ContactOpts>();
    auto* c = contact->add_subcommand(change.name, change.help);
    c->add_option("contact", o->contact, "contact point id")->required();
    if (std::string(change.name) == "label") {
      c->add_option("label", o->label, "the new label");
      c->add_flag("--clear", o->clear, "remove the label");
    }
    if (std::string(change.name) == "bounce") c->add_flag("--hard", o->hard, "the address or number does not exist");
    at_option(c, *o);
    add_db_option(c, o->db);
    const Change* ch = &change;
    c->callback([o, ch] {
      Store s = open_store(o->db, StoreUse::write);
      ContactPoints cp(s);
      ch->run(cp, *o, given_or_now(o->at));
      say(fmt::format("contact point {} {}", o->contact, ch->done));
    });
  }
}

}  // namespace crmkit::cli
