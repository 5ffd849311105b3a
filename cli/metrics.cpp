// crmkit metrics retention|cohorts|nps|csat|ces, and the "loyalty" report section.
#include <cstdio>
#include <iostream>
#include <memory>

#include <fmt/format.h>

#include "commands.hpp"
#include "common.hpp"
#include "crmkit/retention.hpp"
#include "crmkit/survey.hpp"

namespace crmkit::cli {
namespace {

using nlohmann::json;

// A JSON number or null as text: "null" values print as "-".
std::string num(const nlohmann::json& v, const char* spec = "{:.2f}") {
  if (v.is_null()) return "-";
  return fmt::format(fmt::runtime(spec), v.get<double>());
}

std::string cohort_table(const json& m) {
  std::string out = fmt::format("{:<11} {:>8}", m["by"] == "week" ? "cohort wk" : "cohort", "size");
  int periods = m["periods"].get<int>();
  for (int k = 0; k < periods; ++k) out += fmt::format(" {:>6}", fmt::format("{}{}", m["by"] == "week" ? "w" : "m", k));
  out += "\n";
  for (const auto& row : m["cohorts"]) {
    out += fmt::format("{:<11} {:>8}", row["cohort"].get<std::string>(), row["size"].get<std::int64_t>());
    for (const auto& v : row["retention"]) out += fmt::format(" {:>6}", v.is_null() ? "" : num(v, "{:.4f}"));
    out += "\n";
  }
  if (m["cohorts"].empty()) out += "(no purchases)\n";
  return out;
}

std::string retention_text(const json& r) {
  std::string out;
  out += fmt::format("period             {} .. {} (exclusive)\n", format_instant(r["from"].get<Instant>()),
                     format_instant(r["to"].get<Instant>()));
  out += fmt::format("activity           {} ({} days)\n", r["activity"].get<std::string>(), r["active_days"].get<int>());
  out += fmt::format("active at start S  {}\nactive at end E    {}\nnew customers N    {}\n",
                     r["active_at_start"].get<std::int64_t>(), r["active_at_end"].get<std::int64_t>(),
                     r["new_customers"].get<std::int64_t>());
  out += fmt::format("retained |S&E|     {}\nchurned |S\\E|      {}\n", r["retained"].get<std::int64_t>(),
                     r["churned"].get<std::int64_t>());
  out += fmt::format("retention rate     {}\nclassic (E-N)/S    {}\nchurn rate         {}\n",
                     num(r["retention_rate"], "{:.4f}"), num(r["classic_retention_rate"], "{:.4f}"),
                     num(r["churn_rate"], "{:.4f}"));
  // The metric counts lifetimes in windows of the period's length; a duration says its unit.
  const double window_days = static_cast<double>(r["to"].get<Instant>() - r["from"].get<Instant>()) / kMillisPerDay;
  const json& life = r["expected_lifetime_periods"];
  out += fmt::format("expected lifetime  {}\n", life.is_null() ? std::string("-")
                                                             : fmt::format("{:.0f} days (1 / churn rate x {:g}-day period)",
                                                                           life.get<double>() * window_days, window_days));
  out += fmt::format("purchasers         {} ({} repeat)\norders             {} ({})\n",
                     r["purchasers"].get<std::int64_t>(), r["repeat_purchasers"].get<std::int64_t>(),
                     r["orders"].get<std::int64_t>(), r["order_unit"].get<std::string>());
  out += fmt::format("repeat rate        {}\npurchase frequency {}\n", num(r["repeat_purchase_rate"], "{:.4f}"),
                     num(r["purchase_frequency"], "{:.4f}"));
  out += fmt::format("{:<19}{} {}\naverage order      {}\n", "revenue (" + r["revenue_basis"].get<std::string>() + ")",
                     r["revenue"].get<std::string>(), r["currency"].get<std::string>(),
                     num(r["average_order_value"], "{:.4f}"));
  return out;
}

std::string survey_text(const json& m) {
  std::string metric = m["metric"];
  std::string out;
  if (metric == "nps") {
    out = fmt::format("{:<16} {:>9} {:>9} {:>9} {:>10} {:>8} {:>8} {:>8} {:>8}\n", "group", "responses", "promoters",
                      "passives", "detractors", "NPS", "SE", "ci_low", "ci_high");
    for (const auto& g : m["groups"])
      out += fmt::format("{:<16} {:>9} {:>9} {:>9} {:>10} {:>8} {:>8} {:>8} {:>8}\n", g["group"].get<std::string>(),
                         g["responses"].get<std::int64_t>(), g["promoters"].get<std::int64_t>(),
                         g["passives"].get<std::int64_t>(), g["detractors"].get<std::int64_t>(), num(g["nps"], "{:.1f}"),
                         num(g["standard_error"], "{:.1f}"), num(g["ci_low"], "{:.1f}"), num(g["ci_high"], "{:.1f}"));
  } else if (metric == "csat") {
    out = fmt::format("{:<16} {:>9} {:>9} {:>8} {:>10}\n", "group", "responses", "satisfied", "CSAT %", "mean score");
    for (const auto& g : m["groups"])
      out += fmt::format("{:<16} {:>9} {:>9} {:>8} {:>10}\n", g["group"].get<std::string>(),
                         g["responses"].get<std::int64_t>(), g["satisfied"].get<std::int64_t>(),
                         num(g["csat_percent"], "{:.1f}"), num(g["mean_score"]));
  } else {
    out = fmt::format("{:<16} {:>9} {:>8} {:>8} {:>8}\n", "group", "responses", "CES mean", "index", "% agree");
    for (const auto& g : m["groups"])
      out += fmt::format("{:<16} {:>9} {:>8} {:>8} {:>8}\n", g["group"].get<std::string>(),
                         g["responses"].get<std::int64_t>(), num(g["mean_score"]), num(g["index"], "{:.1f}"),
                         num(g["percent_agree"], "{:.1f}"));
  }
  return out;
}

// The end of every metrics command: --json, and a callback that opens the store for reading,
// computes the library's JSON of the metric and prints it (--json) or its text rendering.
template <class Opts, class Compute>
void add_metric_output(CLI::App* cmd, std::shared_ptr<Opts> o, std::string (*text)(const json&), Compute compute) {
  cmd->add_flag("--json", o->json, "Print JSON");
  cmd->callback([o, text, compute] {
    Store store = open_store(o->db, StoreUse::read);
    std::string j = compute(store, *o);
    std::cout << (o->json ? j + "\n" : text(json::parse(j)));
  });
}

}  // namespace

void add_metrics(CLI::App& root) {
  CLI::App* metrics = root.add_subcommand("metrics", "Loyalty and retention metrics");
  metrics->require_subcommand(1);

  {
    auto* cmd = metrics->add_subcommand("retention", "Retention, churn and repeat purchases for a period");
    struct Opts {
      std::string db, activity = "recent_purchase", order_unit = "customer_day", revenue = "gross", currency;
      TimeArg from, to;
      int active_days = 90;
      double threshold = 0.5;
      bool json = false;
    };
    auto o = std::make_shared<Opts>();
    add_db_option(cmd, o->db);
    add_time_option(cmd, o->from, "--from", DateMeans::first_instant, "start of the period (included)")->required();
    add_time_option(cmd, o->to, "--to", DateMeans::end_of_day, "end of the period (excluded)")->required();
    add_days_option(cmd, o->active_days, "--active-days", "active = a purchase within this many days before (default 90)");
    cmd->add_option("--activity", o->activity, "recent_purchase (default) or p_alive");
    cmd->add_option("--p-alive-threshold", o->threshold, "Alive when customer_scores.p_alive >= this (0.5)");
    cmd->add_option("--order-unit", o->order_unit, "customer_day (default) or purchase");
    cmd->add_option("--revenue", o->revenue, "gross (default) or net of refunds");
    cmd->add_option("--currency", o->currency, "Revenue currency (default: the store's)");
    add_metric_output(cmd, o, retention_text, [](Store& store, const Opts& o) {
      RetentionQuery q;
      q.from = o.from.instant();
      q.to = o.to.instant();
      q.active_days = o.active_days;
      q.activity = parse_activity_rule(o.activity, "--activity");
      q.p_alive_threshold = o.threshold;
      q.order_unit = parse_order_unit(o.order_unit, "--order-unit");
      q.revenue = parse_revenue_basis(o.revenue, "--revenue");
      if (!o.currency.empty()) q.currency = o.currency;
      return to_json(RetentionMetrics(store).retention(q));
    });
  }
  {
    auto* cmd = metrics->add_subcommand("cohorts", "Cohort retention matrix by first-purchase month or week");
    struct Opts {
      std::string db, by = "month";
      TimeArg from, to, as_of;
      int periods = 12;
      bool unbounded = false, json = false;
    };
    auto o = std::make_shared<Opts>();
    add_db_option(cmd, o->db);
    cmd->add_option("--by", o->by, "month (default) or week");
    cmd->add_option("--periods", o->periods, "Columns k = 0..N-1 (default 12)");
    cmd->add_flag("--unbounded", o->unbounded, "Count a purchase in period k or later (default: exactly k)");
    add_time_option(cmd, o->from, "--from", DateMeans::first_instant, "only cohorts from this time");
    add_time_option(cmd, o->to, "--to", DateMeans::end_of_day, "only cohorts before this time");
    add_time_option(cmd, o->as_of, "--as-of", DateMeans::end_of_day,
                    "the end of what is observed (default: the end of the last day with data)");
    add_metric_output(cmd, o, cohort_table, [](Store& store, const Opts& o) {
      CohortQuery q;
      q.by = parse_cohort_period(o.by, "--by");
      q.periods = o.periods;
      q.unbounded = o.unbounded;
      q.from = o.from.instant_if_given();
      q.to = o.to.instant_if_given();
      // An empty store has no day with data: the library's own default applies.
      if (Instant t = as_of_or_default(store, o.as_of)) q.as_of = t;
      return to_json(RetentionMetrics(store).cohorts(q));
    });
  }
  for (const char* metric : {"nps", "csat", "ces"}) {
    std::string m = metric;
    auto* cmd = metrics->add_subcommand(m, m == "nps"    ? "Net Promoter Score of survey responses"
                                           : m == "csat" ? "Customer satisfaction (share of 4-5) of responses"
                                                         : "Customer effort score (CES 2.0, 1..7) of responses");
    struct Opts {
      std::string db, by = "none";
      TimeArg from, to;
      double confidence = 0.95;
      bool json = false;
    };
    auto o = std::make_shared<Opts>();
    add_db_option(cmd, o->db);
    add_time_option(cmd, o->from, "--from", DateMeans::first_instant, "responses from this time");
    add_time_option(cmd, o->to, "--to", DateMeans::end_of_day, "responses before this time");
    cmd->add_option("--by", o->by, "Group by month, channel or segment");
    if (m == "nps") cmd->add_option("--confidence", o->confidence, "Confidence level of the interval (0.95)");
    add_metric_output(cmd, o, survey_text, [m](Store& store, const Opts& o) {
      SurveyMetricQuery q;
      q.from = o.from.instant_if_given();
      q.to = o.to.instant_if_given();
      q.by = parse_metric_grouping(o.by, "--by");
      q.confidence = o.confidence;
      SurveyMetrics sm(store);
      return m == "nps" ? to_json(sm.nps(q)) : m == "csat" ? to_json(sm.csat(q)) : to_json(sm.ces(q));
    });
  }
}

}  // namespace crmkit::cli
