// crmkit consent grant|withdraw|request|confirm|show and crmkit suppress add|check|remove: the
// consent ledger and the suppression list (docs/PRIVACY.md).
#include <cstdio>

#include <fmt/format.h>

#include "commands.hpp"
#include "common.hpp"
#include "crmkit/consent.hpp"
#include "crmkit/customer.hpp"

namespace crmkit::cli {
namespace {

struct ConsentOpts {
  std::string db = kDefaultDb;
  std::int64_t customer = 0;
  std::string external_id;
  std::string channel = "email", purpose = "marketing", basis = "consent", source = "cli";
  std::string form, text_version, ip, user_agent;
  std::int64_t contact = 0;
  bool json = false;
  TimeArg at, expires;
};

std::string or_dash(const std::optional<std::string>& s) { return s ? *s : "-"; }

void say(const std::string& what) { std::printf("%s\n", what.c_str()); }

std::optional<std::string> given(const std::string& s) {
  return s.empty() ? std::nullopt : std::optional<std::string>(s);
}

void print_show(const std::vector<EffectiveConsent>& states, const std::vector<ConsentEvent>& events,
                std::int64_t customer, Instant as_of, bool json) {
  if (json) {
    nlohmann::json j{{"customer_id", customer},
                     {"as_of", format_instant(as_of)},
                     {"states", nlohmann::json::parse(to_json(states))},
                     {"events", nlohmann::json::parse(to_json(events))}};
    print_json(j);
    return;
  }
  std::string out = fmt::format("Consent of customer {} at {}\n", customer, format_instant(as_of));
  if (states.empty()) {
    out += "  none\n";
  } else {
    Table t({"purpose", "channel", "state", "until", "decided by", "at", "basis"}, "lllllll");
    for (const auto& s : states)
      t.row({s.purpose, to_string(s.channel), to_string(s.state), s.until ? format_instant(*s.until) : "-",
             s.deciding ? fmt::format("event {} ({} on {})", s.deciding->id, to_string(s.deciding->action),
                                      to_string(s.deciding->channel))
                        : "-",
             s.deciding ? format_instant(s.deciding->at) : "-",
             s.deciding ? to_string(s.deciding->lawful_basis) : "-"});
    t.render(out);
  }
  out += "\nEvents\n";
  if (events.empty()) {
    out += "  none\n";
  } else {
    Table t({"id", "at", "action", "channel", "purpose", "basis", "source", "form", "text"}, "rllllllll");
    for (const auto& e : events)
      t.row({std::to_string(e.id), format_instant(e.at), to_string(e.action), to_string(e.channel), e.purpose,
             to_string(e.lawful_basis), e.source, or_dash(e.evidence.form), or_dash(e.evidence.text_version)});
    t.render(out);
  }
  std::fwrite(out.data(), 1, out.size(), stdout);
}

void add_record_command(CLI::App* consent, const char* name, const char* help, ConsentAction action) {
  auto o = std::make_shared<ConsentOpts>();
  auto* c = consent->add_subcommand(name, help);
  c->add_option("customer", o->customer, "customer id");
  c->add_option("--external-id", o->external_id, "the customer's external id instead of CUSTOMER");
  c->add_option("--channel", o->channel, "email, sms, phone, post, push or all (default email)");
  c->add_option("--purpose", o->purpose, "marketing, profiling, transactional or a registered one (default marketing)");
  c->add_option("--basis", o->basis,
                "consent, contract, legal_obligation, vital_interest, public_interest or legitimate_interest "
                "(default consent)");
  c->add_option("--source", o->source, "who or what recorded it (default cli)");
  c->add_option("--contact", o->contact, "the contact point it is about (id)");
  c->add_option("--form", o->form, "evidence: the form or page");
  c->add_option("--text-version", o->text_version, "evidence: the version of the wording agreed to");
  c->add_option("--ip", o->ip, "evidence: the IP address");
  c->add_option("--user-agent", o->user_agent, "evidence: the browser's user agent");
  add_time_option(c, o->at, "--at", DateMeans::first_instant, "when it happened (default: now)");
  if (action == ConsentAction::grant || action == ConsentAction::confirm ||
      action == ConsentAction::request_double_opt_in)
    add_time_option(c, o->expires, "--expires", DateMeans::first_instant, "when it lapses");
  add_db_option(c, o->db);
  c->callback([o, action] {
    Store s = open_store(o->db, StoreUse::write);
    NewConsentEvent e;
    e.customer_id = resolve_customer(s, o->customer, o->external_id);
    e.channel = parse_consent_channel(o->channel, "--channel");
    e.purpose = o->purpose;
    e.lawful_basis = parse_lawful_basis(o->basis, "--basis");
    e.action = action;
    e.source = o->source;
    if (o->contact != 0) e.contact_point_id = o->contact;
    e.evidence = {given(o->form), given(o->text_version), given(o->ip), given(o->user_agent)};
    e.at = given_or_now(o->at);
    e.expires_at = o->expires.instant_if_given();
    Consent consent(s);
    const std::int64_t id = consent.record(e);
    say(fmt::format("recorded consent event {}: {} {} on {} for customer {}", id, to_string(action), e.purpose,
                    to_string(e.channel), e.customer_id));
  });
}

}  // namespace

void add_consent_commands(CLI::App& root) {
  auto* consent = root.add_subcommand("consent", "The consent ledger: grants, withdrawals, double opt-in, state");
  consent->require_subcommand(1);
  add_record_command(consent, "grant", "Record that a customer agreed to be contacted", ConsentAction::grant);
  add_record_command(consent, "withdraw", "Record that a customer withdrew consent (wins at once)",
                     ConsentAction::withdraw);
  add_record_command(consent, "request", "Record that a double opt-in confirmation was sent",
                     ConsentAction::request_double_opt_in);
  add_record_command(consent, "confirm", "Record that a double opt-in was confirmed", ConsentAction::confirm);
  {
    auto o = std::make_shared<ConsentOpts>();
    auto* c = consent->add_subcommand("show", "A customer's consent states and events");
    c->add_option("customer", o->customer, "customer id");
    c->add_option("--external-id", o->external_id, "the customer's external id instead of CUSTOMER");
    add_time_option(c, o->at, "--as-of", DateMeans::end_of_day, "the state at this time (default: now)");
    add_db_option(c, o->db);
    c->add_flag("--json", o->json, "JSON on stdout");
    c->callback([o] {
      Store s = open_store(o->db, StoreUse::read);
      const std::int64_t id = resolve_customer(s, o->customer, o->external_id);
      const Instant as_of = given_or_now(o->at);
      Consent consent(s);
      print_show(consent.states(id, as_of), consent.events(id), id, as_of, o->json);
    });
  }

  auto* suppress = root.add_subcommand("suppress", "The suppression list: emails and phones never to be added again");
  suppress->require_subcommand(1);
  struct SuppressOpts {
    std::string db = kDefaultDb;
    std::string type = "email", value, reason = "manual";
    TimeArg at;
  };
  {
    auto o = std::make_shared<SuppressOpts>();
    auto* c = suppress->add_subcommand("add", "Suppress an email or phone (kept as a salted hash)");
    c->add_option("value", o->value, "the email or phone")->required();
    c->add_option("--type", o->type, "email or phone (default email)");
    c->add_option("--reason", o->reason, "erased, bounced, complaint or manual (default manual)");
    add_time_option(c, o->at, "--at", DateMeans::first_instant, "when (default: now)");
    add_db_option(c, o->db);
    c->callback([o] {
      Store s = open_store(o->db, StoreUse::write);
      const auto row = Suppressions(s).suppress(parse_contact_type(o->type, "--type"), o->value,
                                                parse_suppression_reason(o->reason, "--reason"), given_or_now(o->at));
      say(fmt::format("{} suppressed ({} {})", to_string(row.type), to_string(row.reason), format_instant(row.at)));
    });
  }
  {
    auto o = std::make_shared<SuppressOpts>();
    auto* c = suppress->add_subcommand("check", "Whether an email or phone is suppressed (exit status 1 if so)");
    c->add_option("value", o->value, "the email or phone")->required();
    c->add_option("--type", o->type, "email or phone (default email)");
    add_db_option(c, o->db);
    c->callback([o] {
      Store s = open_store(o->db, StoreUse::read);
      const auto row = Suppressions(s).find(parse_contact_type(o->type, "--type"), o->value);
      if (!row) {
        say(fmt::format("{} is not suppressed", o->type));
        return;
      }
      say(fmt::format("{} is suppressed ({} {})", to_string(row->type), to_string(row->reason),
                      format_instant(row->at)));
      exit_code() = 1;
    });
  }
  {
    auto o = std::make_shared<SuppressOpts>();
    auto* c = suppress->add_subcommand("remove", "Lift a manual suppression");
    c->add_option("value", o->value, "the email or phone")->required();
    c->add_option("--type", o->type, "email or phone (default email)");
    add_db_option(c, o->db);
    c->callback([o] {
      Store s = open_store(o->db, StoreUse::write);
      Suppressions(s).unsuppress(parse_contact_type(o->type, "--type"), o->value);
      say(fmt::format("{} is no longer suppressed", o->type));
    });
  }
}

}  // namespace crmkit::cli
