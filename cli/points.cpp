// `crmkit points ...`: loyalty points programmes from the shell; the demo step and the report
// section of the points area. A client of the public C++ API (crmkit/points.hpp).
#include <fmt/format.h>

#include <fstream>
#include <iostream>
#include <memory>
#include <random>
#include <sstream>

#include "commands.hpp"
#include "common.hpp"
#include "crmkit/customer.hpp"
#include "crmkit/limits.hpp"
#include "crmkit/points.hpp"

namespace crmkit::cli {
namespace {

struct Common {
  std::string db;
  std::string programme;
  std::string customer;  // the commands about one customer: an id or "ext:<external id>"
  bool json = false;
};

void add_db(CLI::App* cmd, Common& c) {
  add_db_option(cmd, c.db);
}
// A command that acts on one programme: --db, then --programme.
CLI::App* add_programme_command(CLI::App* points, const char* name, const char* what, Common& c) {
  auto* cmd = points->add_subcommand(name, what);
  add_db(cmd, c);
  cmd->add_option("--programme,-p", c.programme, "programme name")->required();
  return cmd;
}
CLI::Option* add_customer(CLI::App* cmd, Common& c, const char* what = "customer id or ext:<external id>") {
  return cmd->add_option("--customer,-c", c.customer, what);
}

Store open(const Common& c, bool write) { return open_store(c.db, write ? StoreUse::write : StoreUse::read); }

std::int64_t programme_id(Points& p, const Common& c) { return p.programme_by_name(c.programme).id; }

std::int64_t customer_id(Store& s, const std::string& ref) {
  // A customer is given by id, or by external id as "ext:<id>".
  if (ref.rfind("ext:", 0) == 0) {
    auto id = Customers(s).find_id(ref.substr(4));
    if (!id) throw Error(Errc::not_found, fmt::format("no customer with external id '{}'", ref.substr(4)));
    return *id;
  }
  try {
    std::size_t used = 0;
    long long v = std::stoll(ref, &used);
    if (used == ref.size() && v > 0) return v;
  } catch (const std::exception&) {
  }
  throw Error(Errc::invalid_argument, fmt::format("customer '{}' is neither an id nor ext:<external id>", ref));
}

void print_result(const PointsResult& r, bool json, const char* verb) {
  if (json) {
    std::cout << to_json(r) << "\n";
    return;
  }
  std::cout << fmt::format("{}: {:+} points{}{}\n", verb, r.points, r.entry_id ? fmt::format(" (entry {})", r.entry_id) : "",
                           r.replayed ? " [repeat: first result, nothing changed]" : "");
}

std::string programme_text(const Programme& p) {
  std::string t = fmt::format("{} (id {}): {} per {} {} spent + {} per order; expiry {}; pending {} days; {}; "
                              "refund policy {}\n",
                              p.name, p.id, p.points_per_unit, format_amount(p.unit_minor, p.currency), p.currency,
                              p.points_per_order, p.expiry_days ? fmt::format("{} days", *p.expiry_days) : "never",
                              p.pending_days, to_string(p.consumption), to_string(p.refund_policy));
  for (const auto& t2 : p.tiers)
    t += fmt::format("  tier {}: {} >= {} over {} days, earn x{:.3f}\n", t2.name, to_string(p.tier_metric),
                     t2.threshold, p.tier_window_days, t2.permille / 1000.0);
  return t;
}

}  // namespace

void add_points_commands(CLI::App& root) {
  auto* points = root.add_subcommand("points", "loyalty points programmes: earn, redeem, expire, tiers");
  points->require_subcommand(1);

  // programme create|list|show
  auto* prog = points->add_subcommand("programme", "create, list and show programmes");
  prog->require_subcommand(1);
  {
    auto c = std::make_shared<Common>();
    auto spec = std::make_shared<std::string>();
    auto* cmd = prog->add_subcommand("create", "create a programme from a JSON spec (docs/POINTS.md)");
    add_db(cmd, *c);
    cmd->add_option("--spec", *spec, "JSON object, or @file")->required();
    cmd->add_flag("--json", c->json, "print JSON");
    cmd->callback([c, spec] {
      std::string text = *spec;
      if (!text.empty() && text[0] == '@') text = file_text(text.substr(1), kMaxJsonText, "--spec file");
      Store s = open(*c, true);
      Points p(s);
      auto id = p.create_programme(parse_programme_spec(text));
      if (c->json) std::cout << to_json(p.programme(id)) << "\n";
      else std::cout << "created " << programme_text(p.programme(id));
    });
  }
  {
    auto c = std::make_shared<Common>();
    auto* cmd = prog->add_subcommand("list", "list programmes");
    add_db(cmd, *c);
    cmd->add_flag("--json", c->json, "print JSON");
    cmd->callback([c] {
      Store s = open(*c, false);
      Points p(s);
      std::string arr = "[";
      for (const auto& g : p.programmes()) {
        if (c->json) arr += (arr.size() > 1 ? "," : "") + to_json(g);
        else std::cout << programme_text(g);
      }
      if (c->json) std::cout << arr << "]\n";
    });
  }
  {
    auto c = std::make_shared<Common>();
    auto* cmd = prog->add_subcommand("show", "show a programme");
    add_db(cmd, *c);
    cmd->add_option("name", c->programme, "programme name")->required();
    cmd->add_flag("--json", c->json, "print JSON");
    cmd->callback([c] {
      Store s = open(*c, false);
      Points p(s);
      auto g = p.programme_by_name(c->programme);
      std::cout << (c->json ? to_json(g) + "\n" : programme_text(g));
    });
  }

  // enroll
  {
    auto c = std::make_shared<Common>();
    auto at = std::make_shared<TimeArg>();
    auto* cmd = add_programme_command(points, "enroll", "enrol a customer", *c);
    add_customer(cmd, *c)->required();
    add_time_option(cmd, *at, "--at", DateMeans::end_of_day, "enrolment time")->required();
    cmd->callback([c, at] {
      Store s = open(*c, true);
      Points p(s);
      auto cid = customer_id(s, c->customer);
      p.enroll(programme_id(p, *c), cid, at->instant());
      std::cout << "enrolled customer " << cid << "\n";
    });
  }

  // earn: one purchase, or a backfill window
  {
    auto c = std::make_shared<Common>();
    auto purchase = std::make_shared<std::int64_t>(0);
    auto from = std::make_shared<TimeArg>();
    auto to = std::make_shared<TimeArg>();
    auto* cmd =
        add_programme_command(points, "earn", "earn for a purchase (--purchase) or every purchase in a window", *c);
    auto* one = cmd->add_option("--purchase", *purchase, "purchase interaction id");
    auto* f = add_time_option(cmd, *from, "--from", DateMeans::first_instant, "backfill window start (included)");
    auto* t = add_time_option(cmd, *to, "--to", DateMeans::end_of_day, "backfill window end (excluded)");
    one->excludes(f)->excludes(t);
    f->needs(t);
    t->needs(f);
    cmd->add_flag("--json", c->json, "print JSON");
    cmd->callback([c, purchase, from, to] {
      Store s = open(*c, true);
      Points p(s);
      if (*purchase) {
        print_result(p.earn_for_purchase(programme_id(p, *c), *purchase), c->json, "earned");
      } else if (from->given()) {
        auto n = p.earn_backfill(programme_id(p, *c), from->instant(), to->instant());
        std::cout << (c->json ? fmt::format("{{\"purchases\":{}}}\n", n) : fmt::format("earned for {} purchases\n", n));
      } else {
        throw Error(Errc::invalid_argument, "give --purchase or --from/--to");
      }
    });
  }

  // redeem / adjust
  {
    auto c = std::make_shared<Common>();
    auto pts = std::make_shared<std::int64_t>(0);
    auto ext = std::make_shared<std::string>();
    auto as_of = std::make_shared<TimeArg>();
    auto order = std::make_shared<std::int64_t>(0);
    auto* cmd = add_programme_command(points, "redeem", "spend points (only spendable ones)", *c);
    add_customer(cmd, *c)->required();
    cmd->add_option("--points", *pts, "points to spend (> 0)")->required();
    cmd->add_option("--id", *ext, "your external id for this request (idempotency key)")->required();
    add_time_option(cmd, *as_of, "--as-of", DateMeans::end_of_day, "time of the redemption")->required();
    cmd->add_option("--order", *order, "purchase id the points pay for");
    cmd->add_flag("--json", c->json, "print JSON");
    cmd->callback([c, pts, ext, as_of, order] {
      Store s = open(*c, true);
      Points p(s);
      std::optional<std::int64_t> o;
      if (*order) o = *order;
      print_result(p.redeem(programme_id(p, *c), customer_id(s, c->customer), *pts, *ext, as_of->instant(), o),
                   c->json, "redeemed");
    });
  }
  {
    auto c = std::make_shared<Common>();
    auto pts = std::make_shared<std::int64_t>(0);
    auto reason = std::make_shared<std::string>();
    auto ext = std::make_shared<std::string>();
    auto as_of = std::make_shared<TimeArg>();
    auto* cmd = add_programme_command(points, "adjust", "manual correction (+/-) with a reason", *c);
    add_customer(cmd, *c)->required();
    cmd->add_option("--points", *pts, "signed points")->required();
    cmd->add_option("--reason", *reason, "why")->required();
    cmd->add_option("--id", *ext, "your external id for this request (idempotency key)")->required();
    add_time_option(cmd, *as_of, "--as-of", DateMeans::end_of_day, "time of the adjustment")->required();
    cmd->add_flag("--json", c->json, "print JSON");
    cmd->callback([c, pts, reason, ext, as_of] {
      Store s = open(*c, true);
      Points p(s);
      print_result(p.adjust(programme_id(p, *c), customer_id(s, c->customer), *pts, *reason, *ext,
                            as_of->instant()),
                   c->json, "adjusted by");
    });
  }

  // expire / review-tiers
  {
    auto c = std::make_shared<Common>();
    auto as_of = std::make_shared<TimeArg>();
    auto ext = std::make_shared<std::string>();
    auto* cmd = add_programme_command(points, "expire", "expire lot remainders with expires_at <= as-of", *c);
    add_time_option(cmd, *as_of, "--as-of", DateMeans::end_of_day, "time of the run")->required();
    cmd->add_option("--id", *ext, "external id of the run (default expire@<as-of ms>)");
    cmd->add_flag("--json", c->json, "print JSON");
    cmd->callback([c, as_of, ext] {
      Store s = open(*c, true);
      Points p(s);
      print_result(p.expire(programme_id(p, *c), as_of->instant(), *ext), c->json, "expired");
    });
  }
  {
    auto c = std::make_shared<Common>();
    auto as_of = std::make_shared<TimeArg>();
    auto* cmd =
        add_programme_command(points, "review-tiers", "tier review: downgrades after review period + grace", *c);
    add_time_option(cmd, *as_of, "--as-of", DateMeans::end_of_day, "time of the review")->required();
    cmd->add_flag("--json", c->json, "print JSON");
    cmd->callback([c, as_of] {
      Store s = open(*c, true);
      Points p(s);
      auto r = p.review_tiers(programme_id(p, *c), as_of->instant());
      std::cout << (c->json ? to_json(r) + "\n"
                            : fmt::format("reviewed {}, downgraded {}, upgraded {}\n", r.reviewed, r.downgraded,
                                          r.upgraded));
    });
  }

  // balance / ledger / liability
  {
    auto c = std::make_shared<Common>();
    auto as_of = std::make_shared<TimeArg>();
    auto days = std::make_shared<int>(30);
    auto* cmd = add_programme_command(points, "balance", "a customer's balance, pending and expiring points", *c);
    add_customer(cmd, *c)->required();
    add_time_option(cmd, *as_of, "--as-of", DateMeans::end_of_day, "as of this time (default: the end of the last day with data)");
    add_days_option(cmd, *days, "--expiring-days", "window for 'expiring soon' (default 30)");
    cmd->add_flag("--json", c->json, "print JSON");
    cmd->callback([c, as_of, days] {
      Store s = open(*c, false);
      Points p(s);
      auto b = p.balance(programme_id(p, *c), customer_id(s, c->customer), as_of_or_default(s, *as_of), *days);
      if (c->json) std::cout << to_json(b) << "\n";
      else
        std::cout << fmt::format("balance {} (available {}, pending {}, debt {}, expiring within {} days {}), tier {}\n",
                                 b.balance, b.available, b.pending, b.debt, *days, b.expiring_soon,
                                 b.tier.value_or("-"));
    });
  }
  {
    auto c = std::make_shared<Common>();
    auto after = std::make_shared<std::int64_t>(0);
    auto limit = std::make_shared<int>(100);
    auto* cmd = add_programme_command(points, "ledger", "ledger entries by id (keyset pages: --after)", *c);
    add_customer(cmd, *c, "only this customer");
    cmd->add_option("--after", *after, "entries after this id");
    cmd->add_option("--limit", *limit, "page size 1..10000 (default 100)");
    cmd->add_flag("--json", c->json, "print JSON");
    cmd->callback([c, after, limit] {
      Store s = open(*c, false);
      Points p(s);
      auto page = p.ledger(programme_id(p, *c), c->customer.empty() ? 0 : customer_id(s, c->customer), *after, *limit);
      if (c->json) {
        std::cout << to_json(page) << "\n";
        return;
      }
      for (const auto& e : page.entries)
        std::cout << fmt::format("{:>8} {:>8} {:<14} {:>10} {} {}\n", e.id, e.customer_id, to_string(e.kind), e.points,
                                 format_instant(e.created_at), e.external_id);
      if (page.next_after) std::cout << "more: --after " << page.next_after << "\n";
    });
  }
  {
    auto c = std::make_shared<Common>();
    auto as_of = std::make_shared<TimeArg>();
    auto* cmd = add_programme_command(points, "liability", "outstanding points, their value, tier mix", *c);
    add_time_option(cmd, *as_of, "--as-of", DateMeans::end_of_day, "as of this time (default: the end of the last day with data)");
    cmd->add_flag("--json", c->json, "print JSON");
    cmd->callback([c, as_of] {
      Store s = open(*c, false);
      Points p(s);
      auto pid = programme_id(p, *c);
      auto l = p.liability(pid, as_of_or_default(s, *as_of));
      auto mix = p.tier_mix(pid);
      if (c->json) {
        std::cout << "{\"liability\":" << to_json(l) << ",\"tier_mix\":" << to_json(mix) << "}\n";
        return;
      }
      std::cout << fmt::format("outstanding {} points (available {}, pending {}, debt {}) over {} members{}\n",
                               l.outstanding, l.available, l.pending, l.debt, l.members,
                               l.value_minor ? fmt::format(", worth {} {}", format_amount_sum(*l.value_minor, l.currency),
                                                           l.currency)
                                             : "");
      for (const auto& t : mix) std::cout << fmt::format("  {:<16} {}\n", t.tier.value_or("(no tier)"), t.members);
    });
  }
}

// ---- demo step --------------------------------------------------------------------------
// A programme with tiers; about 60% of the customers enrolled at the start; month by month:
// earning from their purchases, some redemptions, an expiry run; a tier review at the end.
void demo_points(Store& s, std::uint64_t seed, Instant start, Instant end) {
  Points p(s);
  ProgrammeSpec spec;
  spec.name = "demo club";
  spec.currency = s.default_currency();
  spec.points_per_unit = 1;
  spec.points_per_order = 10;
  spec.channel_multipliers = {{"web", 1200}};
  spec.expiry_days = 365;
  spec.pending_days = 14;
  spec.consumption = Consumption::fefo;
  spec.value_per_1000_points = 500;  // 1000 points = 5.00
  spec.tier_metric = TierMetric::points;
  spec.tier_window_days = 365;
  spec.review_period_days = 180;
  spec.grace_days = 30;
  spec.tiers = {{"member", 0, 1000}, {"silver", 1000, 1250}, {"gold", 5000, 1500}};
  spec.created_at = start;
  auto pid = p.create_programme(spec);
  std::mt19937_64 rng(seed ^ 0x9017'5000ULL);
  std::vector<std::int64_t> members;
  Customers customers(s);
  std::int64_t after = 0;
  for (;;) {
    auto page = customers.list({}, after, 1000);
    for (const auto& c : page.customers)
      if (rng() % 10 < 6) {
        p.enroll(pid, c.id, std::max(start, c.created_at));
        members.push_back(c.id);
      }
    if (!page.next_after) break;
    after = page.next_after;
  }
  if (members.empty()) return;
  int month = 0;
  for (Instant t = start; t < end; ++month) {
    Instant next = std::min(end, t + 30 * kMillisPerDay);
    p.earn_backfill(pid, t, next);
    // About 5% of members spend half of what they can at the end of the month.
    for (std::size_t i = 0; i < members.size(); ++i) {
      if (rng() % 20 != 0) continue;
      auto b = p.balance(pid, members[i], next - 1);
      if (b.spendable >= 200)
        p.redeem(pid, members[i], b.spendable / 2, fmt::format("demo-redeem-{}-{}", month, members[i]), next - 1);
    }
    p.expire(pid, next - 1);
    t = next;
  }
  p.review_tiers(pid, end);
}

}  // namespace crmkit::cli
