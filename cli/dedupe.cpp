// crmkit dedupe scan|check|explain|ignore|rules: duplicate customers, with the rules that fired.
#include <cstdio>

#include <fmt/format.h>

#include "commands.hpp"
#include "common.hpp"
#include "crmkit/customer.hpp"
#include "crmkit/duplicates.hpp"

namespace crmkit::cli {
namespace {

struct DedupeOpts {
  std::string db = kDefaultDb;
  std::int64_t a = 0, b = 0;
  std::string external_id, set;
  bool json = false, fellegi_sunter = false;
  std::optional<double> threshold;
  int limit = 50;
  TimeArg at;
};

std::string why(const DuplicateCandidate& c) {
  std::string out;
  for (const auto& f : c.fired) out += (out.empty() ? "" : "; ") + f.text + " +" + std::to_string(f.weight);
  return out.empty() ? "-" : out;
}

void print_candidates(const std::vector<DuplicateCandidate>& list, int limit, std::string& out) {
  if (list.empty()) {
    out += "  none\n";
    return;
  }
  Table t({"a", "b", "score", "verdict", "why"}, "rrrll");
  int shown = 0;
  for (const auto& c : list) {
    if (limit > 0 && shown++ == limit) break;
    t.row({std::to_string(c.a), std::to_string(c.b), std::to_string(c.score), to_string(c.verdict), why(c)});
  }
  t.render(out);
  if (limit > 0 && static_cast<int>(list.size()) > limit)
    out += fmt::format("  ... {} more (use --limit 0 for all)\n", list.size() - static_cast<std::size_t>(limit));
}

void print(const std::string& out) { std::fwrite(out.data(), 1, out.size(), stdout); }

void print_fellegi_sunter(const FellegiSunterScan& scan, const DedupeOpts& o,
                          std::chrono::steady_clock::time_point start) {
  if (o.json) return print_json(nlohmann::json::parse(to_json(scan)));
  std::string out = fmt::format(
      "Fellegi-Sunter scan: {} customers, {} pairs compared of {}, {} pairs at or above weight {:.2f} ({} ignored), "
      "p = {:.4f}, EM {} in {} iterations, {:.2f} s\n\n",
      grouped(scan.customers), grouped(scan.pairs_compared), grouped(scan.all_pairs),
      grouped(static_cast<std::int64_t>(scan.pairs.size())), scan.threshold, grouped(scan.ignored), scan.match_share,
      scan.converged ? "converged" : "stopped", scan.iterations, seconds_since(start));
  Table w({"field", "agree", "partial", "disagree", "m agree", "u agree"}, "lrrrrr");
  for (const auto& f : scan.fields)
    w.row({to_string(f.field), fmt::format("{:+.2f}", f.weight[0]),
           f.field == MatchField::birth_date || (f.partial_threshold > 0 && f.partial_threshold < 1)
               ? fmt::format("{:+.2f}", f.weight[1])
               : std::string("-"),
           fmt::format("{:+.2f}", f.weight[2]), fmt::format("{:.4f}", f.m[0]), fmt::format("{:.6f}", f.u[0])});
  w.render(out);
  out += "\n";
  if (scan.pairs.empty()) {
    out += "  no pair reaches the threshold\n";
    return print(out);
  }
  Table t({"a", "b", "weight", "why"}, "rrrl");
  int shown = 0;
  for (const auto& p : scan.pairs) {
    if (o.limit > 0 && shown++ == o.limit) break;
    std::string why;
    for (const auto& part : p.parts)
      if (part.level != "missing")
        why += fmt::format("{}{} {} {:+.1f}", why.empty() ? "" : "; ", to_string(part.field), part.level, part.weight);
    t.row({std::to_string(p.a), std::to_string(p.b), fmt::format("{:.2f}", p.weight), why});
  }
  t.render(out);
  if (o.limit > 0 && static_cast<int>(scan.pairs.size()) > o.limit)
    out += fmt::format("  ... {} more (use --limit 0 for all)\n", scan.pairs.size() - static_cast<std::size_t>(o.limit));
  print(out);
}

}  // namespace

void add_dedupe_commands(CLI::App& root) {
  auto* dedupe = root.add_subcommand("dedupe", "Duplicate customers: scan, check one, explain a pair, ignore a pair");
  dedupe->require_subcommand(1);
  {
    auto o = std::make_shared<DedupeOpts>();
    auto* c = dedupe->add_subcommand("scan", "Every candidate pair of the store, through blocking keys");
    add_db_option(c, o->db);
    c->add_option("--limit", o->limit, "show at most this many pairs (0: all)")->capture_default_str();
    c->add_flag("--json", o->json, "JSON on stdout (every pair)");
    c->add_flag("--fellegi-sunter", o->fellegi_sunter,
                "the probabilistic mode: weights estimated from this store's customers (EM)");
    c->add_option("--threshold", o->threshold, "with --fellegi-sunter: the weight a pair needs (default: estimated)");
    c->callback([o] {
      Store s = open_store(o->db, StoreUse::read);
      const auto start = std::chrono::steady_clock::now();
      if (o->threshold && !o->fellegi_sunter) throw Error(Errc::invalid_argument, "--threshold needs --fellegi-sunter");
      if (o->fellegi_sunter) return print_fellegi_sunter(Duplicates(s).scan_fellegi_sunter(o->threshold), *o, start);
      const DuplicateScan scan = Duplicates(s).scan();
      if (o->json) return print_json(nlohmann::json::parse(to_json(scan)));
      std::string out = fmt::format(
          "Duplicate scan: {} customers, {} pairs compared of {} ({:.3g}%), {} candidate pairs, {} ignored, {} "
          "crowded keys skipped, {:.2f} s\n",
          grouped(scan.customers), grouped(scan.pairs_compared), grouped(scan.all_pairs),
          scan.all_pairs ? 100.0 * static_cast<double>(scan.pairs_compared) / static_cast<double>(scan.all_pairs) : 0.0,
          grouped(static_cast<std::int64_t>(scan.candidates.size())), grouped(scan.ignored),
          grouped(scan.blocks_skipped), seconds_since(start));
      print_candidates(scan.candidates, o->limit, out);
      print(out);
    });
  }
  {
    auto o = std::make_shared<DedupeOpts>();
    auto* c = dedupe->add_subcommand("check", "The customers that may be this one (real time)");
    c->add_option("customer", o->a, "customer id");
    c->add_option("--external-id", o->external_id, "the customer's external id instead of CUSTOMER");
    add_db_option(c, o->db);
    c->add_flag("--json", o->json, "JSON on stdout");
    c->callback([o] {
      Store s = open_store(o->db, StoreUse::read);
      const std::int64_t id = resolve_customer(s, o->a, o->external_id);
      const auto found = Duplicates(s).check(id);
      if (o->json) {
        nlohmann::json list = nlohmann::json::array();
        for (const auto& c : found) list.push_back(nlohmann::json::parse(to_json(c)));
        return print_json(list);
      }
      std::string out = fmt::format("Possible duplicates of customer {}\n", id);
      print_candidates(found, 0, out);
      print(out);
    });
  }
  {
    auto o = std::make_shared<DedupeOpts>();
    auto* c = dedupe->add_subcommand("explain", "A pair's score and the rules that fired");
    c->add_option("a", o->a, "customer id")->required();
    c->add_option("b", o->b, "customer id")->required();
    add_db_option(c, o->db);
    c->add_flag("--json", o->json, "JSON on stdout");
    c->callback([o] {
      Store s = open_store(o->db, StoreUse::read);
      const DuplicateCandidate c = Duplicates(s).explain(o->a, o->b);
      if (o->json) return print_json(nlohmann::json::parse(to_json(c)));
      std::string out = fmt::format("Customers {} and {}: score {}, {}\n", c.a, c.b, c.score, to_string(c.verdict));
      for (const auto& f : c.fired) out += fmt::format("  +{:<4} {}\n", f.weight, f.text);
      if (c.fired.empty()) out += "  no rule fired\n";
      print(out);
    });
  }
  {
    auto o = std::make_shared<DedupeOpts>();
    auto* c = dedupe->add_subcommand("ignore", "Record that two customers are not the same person");
    c->add_option("a", o->a, "customer id")->required();
    c->add_option("b", o->b, "customer id")->required();
    add_time_option(c, o->at, "--at", DateMeans::first_instant, "when it was decided (default: now)");
    add_db_option(c, o->db);
    c->callback([o] {
      Store s = open_store(o->db, StoreUse::write);
      Duplicates(s).ignore(o->a, o->b, given_or_now(o->at));
      std::printf("customers %lld and %lld will not be proposed as duplicates again\n", static_cast<long long>(o->a),
                  static_cast<long long>(o->b));
    });
  }
  {
    auto o = std::make_shared<DedupeOpts>();
    auto* c = dedupe->add_subcommand("rules", "Show the store's rule set, or save one with --set JSON|@FILE");
    c->add_option("--set", o->set, "the rule set as JSON, or @FILE");
    add_time_option(c, o->at, "--at", DateMeans::first_instant, "when it changes (default: now)");
    add_db_option(c, o->db);
    c->callback([o] {
      if (o->set.empty()) {
        Store s = open_store(o->db, StoreUse::read);
        return print_json(nlohmann::json::parse(to_json(Duplicates(s).rules())));
      }
      const std::string text = o->set[0] == '@' ? file_text(o->set.substr(1), 1'000'000, "--set") : o->set;
      const DuplicateRules rules = duplicate_rules_from_json(text);
      Store s = open_store(o->db, StoreUse::write);
      Duplicates(s).set_rules(rules, given_or_now(o->at));
      std::printf("saved %zu duplicate rules (duplicate from %d, suspect from %d)\n", rules.rules.size(),
                  rules.duplicate_threshold, rules.suspect_from);
    });
  }
}

}  // namespace crmkit::cli
