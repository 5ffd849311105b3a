// crmkit report: parses the options and formats the library's report (crmkit/report.hpp) as
// text; --json prints the library's JSON as is. Every figure's line says its unit, period and
// definition (docs/REPORT.md).
#include <cstdio>
#include <fstream>
#include <functional>
#include <iostream>
#include <map>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "commands.hpp"
#include "common.hpp"
#include "crmkit/money.hpp"
#include "report.hpp"

namespace crmkit::cli {
namespace {

using nlohmann::json;

// Exact decimal text with thousands separators: "-1234567.50" -> "-1,234,567.50".
std::string grouped_decimal(const std::string& text) {
  std::size_t sign = !text.empty() && text[0] == '-' ? 1 : 0;
  std::size_t point = text.find('.');
  std::size_t int_end = point == std::string::npos ? text.size() : point;
  std::string out = text.substr(0, sign);
  for (std::size_t i = sign; i < int_end; ++i) {
    out += text[i];
    std::size_t left = int_end - i - 1;
    if (left && left % 3 == 0) out += ',';
  }
  return out + text.substr(int_end);
}

std::string money(const std::string& amount, const std::string& currency) {
  return grouped_decimal(amount) + " " + currency;
}

// Doubles in major units, with the currency's decimals and separators.
std::string money(double major, const std::string& currency) {
  return grouped_decimal(fmt::format("{:.{}f}", major, std::max(0, currency_exponent(currency)))) + " " + currency;
}

std::string probability(double p) { return fmt::format("{:.3f}", p); }
std::string share(std::int64_t n, std::int64_t total) {
  return fmt::format("{:.1f}%", total ? 100.0 * static_cast<double>(n) / static_cast<double>(total) : 0.0);
}
std::string date(Instant t) { return format_date(day_of(t)); }
// The last day of a window that ends (exclusive) at `end`.
std::string last_day(Instant end) { return format_date(day_of(end - 1)); }
std::string opt_number(const json& v, int decimals) {
  return v.is_null() ? "-" : fmt::format("{:.{}f}", v.get<double>(), decimals);
}

void heading(std::string& out, const std::string& title) { out += "\n" + title + "\n"; }

void overview_text(const Report& r, std::string& out) {
  const ReportOverview& o = r.overview;
  heading(out, "Overview (facts before the end of " + last_day(r.as_of) + ")");
  Table t({"", "count", ""}, "lrl");
  t.row({"customers", grouped(o.customers), "created before as_of"});
  t.row({"interactions", grouped(o.interactions), "of every kind"});
  t.row({"purchases", grouped(o.purchases), "in every currency"});
  t.row({"refunds", grouped(o.refunds), "in every currency"});
  t.render(out);
  if (!o.revenue.empty()) {
    heading(out, "Revenue by currency (sum of purchases; refunds apart; currencies never added)");
    Table m({"currency", "revenue", "refunds", "net"}, "lrrr");
    for (std::size_t i = 0; i < o.revenue.size(); ++i)
      m.row({o.revenue[i].currency, money(o.revenue[i].amount, o.revenue[i].currency),
             money(o.refunded[i].amount, o.refunded[i].currency), money(o.net[i].amount, o.net[i].currency)});
    m.render(out);
  }
  heading(out, "Customers by lifecycle stage (customers; share of all customers)");
  Table s({"stage", "customers", "share"}, "lrr");
  for (const auto& c : o.by_stage) s.row({c.name, grouped(c.customers), share(c.customers, o.customers)});
  s.render(out);
  heading(out, "Customers by country (customers; share of all customers; 15 largest)");
  Table c({"country", "customers", "share"}, "lrr");
  std::int64_t rest = 0, rest_n = 0;
  for (std::size_t i = 0; i < o.by_country.size(); ++i) {
    if (i < 15) {
      c.row({o.by_country[i].name, grouped(o.by_country[i].customers), share(o.by_country[i].customers, o.customers)});
    } else {
      rest += o.by_country[i].customers;
      ++rest_n;
    }
  }
  if (rest_n) c.row({"(" + grouped(rest_n) + " more)", grouped(rest), share(rest, o.customers)});
  c.render(out);
  if (o.by_channel_kind.empty()) return;
  heading(out, "Interactions by channel and kind (interactions before as_of)");
  Table k({"channel", "kind", "interactions"}, "llr");
  for (const auto& x : o.by_channel_kind) k.row({x.channel, x.kind, grouped(x.interactions)});
  k.render(out);
}

void months_text(const Report& r, std::string& out) {
  std::map<std::string, std::vector<const ReportMonth*>> by_currency;
  for (const auto& m : r.revenue_by_month) by_currency[m.currency].push_back(&m);
  for (const auto& [cur, months] : by_currency) {
    heading(out, "Revenue by month (" + cur + "; sum of purchases per calendar month, UTC)");
    Table t({"month", "purchases", "revenue"}, "lrr");
    for (const auto* m : months) t.row({m->month, grouped(m->purchases), money(m->revenue, cur)});
    t.render(out);
  }
}

void top_text(const Report& r, std::string& out) {
  std::map<std::string, std::vector<const ReportTopCustomer*>> by_currency;
  for (const auto& t : r.top_customers) by_currency[t.currency].push_back(&t);
  for (const auto& [cur, list] : by_currency) {
    heading(out, "Top customers by purchases (" + cur + "; sum of purchases before as_of, refunds not netted" +
                     (r.options.top ? "; top " + grouped(r.options.top) : "; all") + ")");
    Table t({"#", "id", "customer", "purchases"}, "rrlr");
    for (const auto* c : list) {
      std::string label = !c->external_id.empty() ? c->external_id : c->display_name;
      if (!c->external_id.empty() && !c->display_name.empty()) label += " (" + c->display_name + ")";
      t.row({grouped(c->rank), std::to_string(c->customer_id), label, money(c->revenue, cur)});
    }
    t.render(out);
  }
}

void value_text(const Report& r, std::string& out) {
  const ReportValue& v = r.value;
  heading(out, "Customer value (predicted CLV)");
  if (!v.scored) {
    out += "  no CLV scores saved" + (r.options.currency ? " in " + *r.options.currency : std::string()) +
           " (crmkit clv predict)\n";
    return;
  }
  out += fmt::format("  model: {} (#{}) for purchases, {} (#{}) for spend; scored as of {}\n", v.transaction_model,
                     v.transaction_model_id, v.spend_model.empty() ? "none" : v.spend_model, v.spend_model_id,
                     last_day(v.scored_at));
  out += fmt::format("  horizon: {} {}s ahead; discount rate {:.2f}% a month\n", fmt::format("{:g}", v.horizon),
                     v.horizon_unit, 100 * v.monthly_discount_rate);
  out += fmt::format("  covers: {} customers with a purchase in {} (CLV in {}); {} customers without one have no CLV\n",
                     grouped(v.customers), v.currency, v.currency, grouped(v.unscored));
  out += "  total predicted CLV: " + money(v.total, v.currency) + " (sum over the covered customers)\n";
  Table t({"quantile", "CLV per customer"}, "lr");
  for (const auto& [name, x] : v.quantiles) t.row({name, money(x, v.currency)});
  t.render(out);
}

void at_risk_text(const Report& r, std::string& out) {
  if (!r.value.scored) return;
  const std::string& cur = r.value.currency;
  heading(out, fmt::format("Most at risk (P(alive) from {} to below {}; below {} counted as already lost; ranked by value "
                           "at risk = purchases to date x (1 - P(alive)), {})",
                           probability(r.options.lost_floor), probability(r.options.at_risk_below),
                           probability(r.options.lost_floor), cur));
  if (r.at_risk.empty()) {
    out += "  (none)\n";
    return;
  }
  Table t({"id", "external id", "purchases to date", "P(alive)", "value at risk", "predicted CLV"}, "rlrrrr");
  for (const auto& a : r.at_risk)
    t.row({std::to_string(a.customer_id), a.external_id, money(a.past_spend, cur), probability(a.p_alive),
           money(a.value_at_risk, cur), money(a.predicted_clv, cur)});
  t.render(out);
}

void segments_text(const Report& r, std::string& out) {
  heading(out, "Segments (current members of each saved segment)");
  if (r.segments.empty()) {
    out += "  (none saved)\n";
    return;
  }
  Table t({"segment", "kind", "members", "refreshed as of"}, "llrl");
  for (const auto& s : r.segments)
    t.row({s.name, s.kind == "dynamic" ? "dynamic, rule v" + std::to_string(s.rule_version) : s.kind,
           grouped(s.members), s.refreshed_at ? last_day(*s.refreshed_at) : "-"});
  t.render(out);
}

void rfm_text(const Report& r, std::string& out) {
  const ReportRfm& f = r.rfm;
  heading(out, "RFM segments");
  if (!f.assigned) {
    out += "  no RFM assignment saved (crmkit rfm)\n";
    return;
  }
  out += fmt::format("  as of {}, map {} v{}; frequency = the F measure summed (purchases or purchase days, every "
                     "currency); revenue = purchases in {} only\n",
                     last_day(f.as_of), f.map_name, f.map_version, f.currency);
  std::int64_t total = 0;
  for (const auto& s : f.segments) total += s.customers;
  Table t({"segment", "customers", "share", "frequency", "revenue (" + f.currency + ")"}, "lrrrr");
  for (const auto& s : f.segments)
    t.row({s.segment, grouped(s.customers), share(s.customers, total), grouped(s.orders), money(s.revenue, f.currency)});
  t.render(out);
}

void loyalty_text(const Report& r, std::string& out) {
  const ReportLoyalty& l = r.loyalty;
  json nps = json::parse(to_json(l.nps));
  heading(out, "NPS by month (responses from " + date(l.nps_from) + " to " + last_day(l.nps_to) +
                   "; NPS = % promoters (9-10) - % detractors (0-6))");
  if (nps["groups"].empty()) {
    out += "  (no NPS responses)\n";
  } else {
    Table t({"month", "responses", "promoters", "passives", "detractors", "NPS"}, "lrrrrr");
    for (const auto& g : nps["groups"])
      t.row({g["group"].get<std::string>(), grouped(g["responses"].get<std::int64_t>()),
             grouped(g["promoters"].get<std::int64_t>()), grouped(g["passives"].get<std::int64_t>()),
             grouped(g["detractors"].get<std::int64_t>()), opt_number(g["nps"], 1)});
    t.render(out);
  }
  json ret = json::parse(to_json(l.retention));
  const int days = ret["active_days"].get<int>();
  heading(out, fmt::format("Retention over the 90 days {} .. {} (active = a purchase in the previous {} days)",
                           date(l.retention_from), last_day(l.retention_to), days));
  Table t({"", "value", "definition"}, "lrl");
  t.row({"active at start (S)", grouped(ret["active_at_start"].get<std::int64_t>()), "customers active on the first day"});
  t.row({"active at end (E)", grouped(ret["active_at_end"].get<std::int64_t>()), "customers active on the last day"});
  t.row({"new (N)", grouped(ret["new_customers"].get<std::int64_t>()), "first purchase ever in the window"});
  t.row({"retention rate", opt_number(ret["retention_rate"], 3), "share of S still active at the end (same customers)"});
  t.row({"classic rate", opt_number(ret["classic_retention_rate"], 3),
         "(E - N) / S, the widely quoted form: also counts returning lapsed customers"});
  t.row({"churn rate", opt_number(ret["churn_rate"], 3), "1 - retention rate"});
  const json& life = ret["expected_lifetime_periods"];
  t.row({"expected lifetime", life.is_null() ? "-" : grouped(std::llround(life.get<double>() * 90)) + " days",
         "1 / churn rate, in 90-day windows, shown in days"});
  t.render(out);

  heading(out, "Monthly cohorts (customers by month of first purchase; share buying again in month k after it)");
  if (!l.has_cohorts) {
    out += "  (no purchases before as_of)\n";
    return;
  }
  json m = json::parse(to_json(l.cohorts));
  out += fmt::format("  cohorts {} .. {}: the newest {} months up to the last first purchase before as_of\n",
                     date(l.cohorts_from).substr(0, 7), last_day(l.cohorts_to).substr(0, 7), r.options.cohort_months);
  std::vector<std::string> header{"cohort", "customers"};
  const int periods = m["periods"].get<int>();
  for (int k = 0; k < periods; ++k) header.push_back("m" + std::to_string(k));
  Table c(header, "lr" + std::string(static_cast<std::size_t>(periods), 'r'));
  for (const auto& row : m["cohorts"]) {
    std::vector<std::string> cells{row["cohort"].get<std::string>(), grouped(row["size"].get<std::int64_t>())};
    for (const auto& v : row["retention"]) cells.push_back(v.is_null() ? "" : fmt::format("{:.1f}%", 100 * v.get<double>()));
    c.row(cells);
  }
  c.render(out);
  if (m["cohorts"].empty()) out += "  (no cohort in that window)\n";
}

void points_text(const Report& r, std::string& out) {
  heading(out, "Loyalty points (outstanding as of the report; liability = their value)");
  if (r.points.empty()) {
    out += "  (no programme)\n";
    return;
  }
  for (const auto& g : r.points) {
    auto points = [](PointsSum v) { return grouped_decimal(fmt::format("{}", v)); };
    out += fmt::format("  {}: {} members, {} points outstanding ({} available, {} pending, {} debt){}\n", g.programme,
                       grouped(g.members), points(g.outstanding), points(g.available), points(g.pending),
                       points(g.debt), g.liability ? ", liability " + money(*g.liability, g.currency) : "");
    Table t({"tier", "members"}, "lr");
    for (const auto& tier : g.tiers) t.row({tier.name, grouped(tier.customers)});
    t.render(out, "    ");
  }
}

void identity_text(const Report& r, std::string& out) {
  const ReportIdentity& id = r.identity;
  heading(out, "Identity and privacy (consent at the report's instant)");
  Table points({"contact points", "points", "customers", "more than one"}, "lrrr");
  for (const auto& t : id.contact_points)
    points.row({t.type, grouped(t.points), grouped(t.customers), grouped(t.customers_with_several)});
  points.render(out, "  ");
  if (id.consent.empty()) {
    out += "  consent: no event before the report's instant\n";
  } else {
    Table consent({"purpose", "channel", "state", "customers"}, "lllr");
    for (const auto& c : id.consent) consent.row({c.purpose, c.channel, c.state, grouped(c.customers)});
    consent.render(out, "  ");
  }
  out += fmt::format("  suppressed emails and phones: {}\n", grouped(id.suppressions));
  out += fmt::format("  audit trail: {} entries, hash chaining {}{}\n", grouped(id.audit_entries),
                     id.audit_chained ? "on" : "off",
                     id.audit_chained ? " (" + grouped(id.audit_chained_entries) + " chained entries)" : "");
}

// Text per library section key; the library decides the order.
const std::map<std::string, void (*)(const Report&, std::string&)>& formatters() {
  static const std::map<std::string, void (*)(const Report&, std::string&)> all{
      {"overview", &overview_text}, {"revenue_by_month", &months_text}, {"top_customers", &top_text},
      {"value", &value_text},       {"at_risk", &at_risk_text},         {"segments", &segments_text},
      {"rfm", &rfm_text},           {"loyalty", &loyalty_text},         {"points", &points_text},
      {"identity", &identity_text}};
  return all;
}

}  // namespace

void print_report(Store& store, const ReportOptions& options, bool as_json) {
  Report r = build_report(store, options);
  if (as_json) {
    std::string j = to_json(r);
    std::fwrite(j.data(), 1, j.size(), stdout);
    std::fputc('\n', stdout);
    std::fflush(stdout);
    return;
  }
  std::string out;
  if (r.overview.customers == 0) {
    out += "crmkit report: " + r.database + " has no customers yet\n";
  } else {
    out += "crmkit report: " + r.database + ", as of the end of " + last_day(r.as_of) + " (UTC)\n";
    for (const std::string& key : report_section_keys()) {
      auto it = formatters().find(key);
      // A section the CLI cannot format yet is still in --json; say so rather than hide it.
      if (it == formatters().end())
        out += "\n(section " + key + ": see --json)\n";
      else
        it->second(r, out);
    }
  }
  std::fwrite(out.data(), 1, out.size(), stdout);
  std::fflush(stdout);
}

void write_html_report(Store& store, const ReportOptions& options, const std::string& path) {
  const std::string page = to_html(build_report(store, options));
  write_whole_file(path, page, "--html");
  std::cerr << "crmkit report: " << grouped(static_cast<std::int64_t>(page.size() / 1024)) << " KiB of HTML written to "
            << path << "\n";
}

void add_report(CLI::App& root) {
  auto* cmd = root.add_subcommand("report", "Print the report: customers, revenue, value, segments, loyalty, points");
  struct Opts {
    std::string db = kDefaultDb;
    std::string currency;
    TimeArg as_of;
    int top = 10;
    double at_risk_below = 0.5, lost_below = 0.05;
    bool json = false;
    std::string html;
  };
  auto o = std::make_shared<Opts>();
  add_db_option(cmd, o->db);
  add_time_option(cmd, o->as_of, "--as-of", DateMeans::end_of_day,
                  "report on the facts before this time (default: the end of the last day with data)");
  cmd->add_option("--top", o->top, "rows in top customers and most at risk (0 = all)")->capture_default_str();
  cmd->add_option("--at-risk-below", o->at_risk_below, "most at risk: P(alive) below this")->capture_default_str();
  cmd->add_option("--lost-below", o->lost_below, "most at risk: P(alive) below this counts as already lost")
      ->capture_default_str();
  cmd->add_option("--currency", o->currency, "only this currency's money figures");
  auto* json_flag = cmd->add_flag("--json", o->json, "the library's report JSON on stdout");
  cmd->add_option("--html", o->html, "write the report as one self-contained HTML page (charts inline) to FILE")
      ->excludes(json_flag);
  cmd->callback([o] {
    Store store = open_store(o->db, StoreUse::read);
    ReportOptions opt;
    opt.as_of = o->as_of.instant_if_given();
    opt.top = o->top;
    opt.at_risk_below = o->at_risk_below;
    opt.lost_floor = o->lost_below;
    if (!o->currency.empty()) opt.currency = o->currency;
    if (!o->html.empty()) {
      write_html_report(store, opt, o->html);
      return;
    }
    print_report(store, opt, o->json);
  });
}

}  // namespace crmkit::cli
