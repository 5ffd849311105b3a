// crmkit plot <chart> --db FILE [--output FILE]: one chart of the store as SVG
// (crmkit/charts.hpp), to stdout or written whole to a file; `crmkit plot --list` names them.
#include <cmath>
#include <cstdio>
#include <iostream>

#include <fmt/format.h>

#include "commands.hpp"
#include "common.hpp"
#include "crmkit/charts.hpp"
#include "crmkit/error.hpp"
#include "crmkit/value.hpp"
#include "instants.hpp"

namespace crmkit::cli {

namespace {

struct PlotOpts {
  std::string db = kDefaultDb, chart, output, model, by = "month", title, period;
  TimeArg as_of, holdout_end;
  std::int64_t customer = 0;
  double horizon = 1;
  int max_frequency = -1, max_recency = -1, periods = 12, cohorts = 12, width = 720, height = 440;
  bool list = false, json = false, cumulative = false;
};

void print_list(bool json) {
  if (json) {
    print_json(nlohmann::json::parse(store_charts_json()));
    return;
  }
  std::string out;
  for (const auto& c : store_charts()) out += fmt::format("{:<21} {}\n{:<21} needs {}\n", c.name, c.draws, "", c.needs);
  std::fwrite(out.data(), 1, out.size(), stdout);
}

void run_plot(const PlotOpts& o) {
  if (o.list) {
    print_list(o.json);
    return;
  }
  if (o.chart.empty())
    throw Error(Errc::invalid_argument, "name a chart (crmkit plot --list shows them) or give --list");
  // Every option is read before the store is opened.
  ChartRequest r;
  r.chart = parse_store_chart(o.chart, "chart");
  if (!o.model.empty()) {
    const ModelChoice choice = parse_model_choice(o.model, "--model");
    if (!choice.id)
      throw Error(Errc::invalid_argument,
                  fmt::format("--model '{}': give a saved model's id (the default model is used without --model)",
                              o.model));
    r.model_id = choice.id;
  }
  r.customer_id = o.customer;
  r.horizon = o.horizon;
  r.max_frequency = o.max_frequency;
  r.max_recency = o.max_recency;
  r.cumulative = o.cumulative;
  r.cohort_by = parse_cohort_period(o.by, "--by");
  r.cohort_periods = o.periods;
  r.cohorts = o.cohorts;
  r.options.width = o.width;
  r.options.height = o.height;
  r.options.title = o.title;
  r.options.period = o.period;
  r.as_of = o.as_of.instant_if_given();
  r.holdout_end = o.holdout_end.instant_if_given();
  Store store = open_store(o.db, StoreUse::read);
  const std::string svg = chart(store, r);
  if (o.output.empty()) {
    std::fwrite(svg.data(), 1, svg.size(), stdout);
    std::fflush(stdout);
    return;
  }
  write_whole_file(o.output, svg, "--output");
  std::cerr << "crmkit plot: " << o.chart << " (" << svg.size() / 1024 << " KiB of SVG) written to " << o.output
            << "\n";
}

}  // namespace

void add_plot(CLI::App& root) {
  auto* cmd = root.add_subcommand("plot", "Draw one chart of the store as SVG (crmkit plot --list names them)");
  auto o = std::make_shared<PlotOpts>();
  cmd->add_option("chart", o->chart, "the chart: expected-purchases, p-alive, calibration-holdout, repeat-purchases, "
                                     "p-alive-history, "
                                     "rfm-heatmap, rfm-segments, {recency,frequency,monetary}-histogram, "
                                     "{rf,fm,rm}-scatter, cohort-retention");
  cmd->add_flag("--list", o->list, "list the charts and what each needs in the store");
  cmd->add_flag("--json", o->json, "with --list: the list as JSON");
  add_db_option(cmd, o->db);
  cmd->add_option("--output,-o", o->output, "write the SVG to FILE (whole: written beside it, then renamed) "
                                            "instead of stdout");
  cmd->add_option("--model", o->model, "a saved transaction model's id (default: the default model)");
  add_time_option(cmd, o->as_of, "--as-of", DateMeans::end_of_day,
                  "p-alive-history: the history's end (default: the model's calibration end); repeat-purchases: "
                  "the last day (default: the last purchase's); cohort-retention: the last observable day");
  cmd->add_option("--customer", o->customer, "p-alive-history: the customer's id");
  add_time_option(cmd, o->holdout_end, "--holdout-end", DateMeans::end_of_day,
                  "calibration-holdout: the last day of the holdout period");
  cmd->add_option("--horizon", o->horizon, "expected-purchases: the horizon in the model's unit")
      ->capture_default_str();
  cmd->add_option("--max-frequency", o->max_frequency,
                  "matrices: last frequency row; calibration-holdout: last frequency (-1: from the data; 7)")
      ->capture_default_str();
  cmd->add_option("--max-recency", o->max_recency, "matrices: last recency column (-1: the longest observation)")
      ->capture_default_str();
  cmd->add_flag("--cumulative", o->cumulative, "repeat-purchases: running totals instead of per period");
  cmd->add_option("--by", o->by, "cohort-retention: month or week")->capture_default_str();
  cmd->add_option("--periods", o->periods, "cohort-retention: columns (1..400)")->capture_default_str();
  cmd->add_option("--cohorts", o->cohorts, "cohort-retention: the newest cohorts shown (1..400)")
      ->capture_default_str();
  cmd->add_option("--width", o->width, "pixels (240..4000)")->capture_default_str();
  cmd->add_option("--height", o->height, "pixels (240..4000)")->capture_default_str();
  cmd->add_option("--title", o->title, "replaces the chart's own title");
  cmd->add_option("--period", o->period, "the caption's period (default: what the store knows)");
  cmd->callback([o] { run_plot(*o); });
}

}  // namespace crmkit::cli
