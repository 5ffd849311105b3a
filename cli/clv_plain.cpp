// crmkit clv summary | clv fit-table: the plain-data CLV layer from the shell, on CSV files and
// without a store: lifetimes' summary table (and calibration/holdout split) of a purchase log,
// and a fit on such a table printed as clv::fit_summary.
#include <algorithm>
#include <charconv>
#include <cmath>
#include <iostream>
#include <optional>
#include <cstdio>
#include <fstream>
#include <map>
#include <unordered_map>
#include <memory>

#include <fmt/format.h>

#include "commands.hpp"
#include "common.hpp"
#include "crmkit/clv.hpp"
#include "crmkit/csv.hpp"
#include "crmkit/error.hpp"
#include "instants.hpp"

namespace crmkit::cli {
namespace {

[[noreturn]] void bad(const std::string& message) { throw Error(Errc::invalid_argument, message); }

void print(const std::string& s) { std::fwrite(s.data(), 1, s.size(), stdout); }

// A CSV file with a header: the header's names and every record after it.
struct CsvFile {
  std::vector<std::string> names;
  std::vector<std::vector<std::string>> rows;
  std::size_t column(const std::string& name, const std::string& option) const {
    const auto it = std::find(names.begin(), names.end(), name);
    if (it == names.end()) {
      std::string listed;
      for (const auto& n : names) listed += (listed.empty() ? "" : ", ") + n;
      bad(fmt::format("{}: column '{}' is not in the header ({})", option, name, listed));
    }
    return static_cast<std::size_t>(it - names.begin());
  }
};

CsvFile read_csv(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw Error(Errc::io, "cannot read --input '" + path + "'");
  io::CsvReader reader(in);
  CsvFile f;
  bool header = true;
  for (;;) {
    const auto st = reader.next();
    if (st == io::CsvReader::Status::end) break;
    if (st == io::CsvReader::Status::error)
      bad(fmt::format("--input '{}' line {}: {}", path, reader.line(), reader.error_message()));
    std::vector<std::string> rec;
    for (std::size_t i = 0; i < reader.size(); ++i) rec.emplace_back(reader.field(i));
    if (header) {
      f.names = std::move(rec);
      header = false;
      continue;
    }
    if (rec.size() != f.names.size())
      bad(fmt::format("--input '{}' line {}: {} fields for a header of {}", path, reader.line(), rec.size(),
                      f.names.size()));
    f.rows.push_back(std::move(rec));
  }
  if (!reader.stream_ok()) throw Error(Errc::io, "reading --input '" + path + "' failed");
  if (f.names.empty()) bad("--input '" + path + "' is empty (a header line is needed)");
  return f;
}

double number(std::string_view text, const char* what, std::size_t line) {
  double v = 0;
  const auto r = std::from_chars(text.data(), text.data() + text.size(), v);
  if (r.ec != std::errc() || r.ptr != text.data() + text.size())
    bad(fmt::format("line {}: {} '{}' is not a number", line, what, text));
  return v;
}

// An id written as its number is written by to_string (no sign but '-', no leading zero, not
// "-0"): such ids need no interning, since the text can be given back exactly.
bool canonical_integer(std::string_view text, std::int64_t& v) {
  if (text.empty() || text.size() > 19) return false;
  const std::size_t digits = text[0] == '-' ? 1 : 0;
  if (text.size() == digits || text[digits] == '0' && text.size() > digits + 1) return false;
  const auto r = std::from_chars(text.data(), text.data() + text.size(), v);
  return r.ec == std::errc() && r.ptr == text.data() + text.size() && !(v == 0 && digits == 1);
}

// ---- crmkit clv summary -------------------------------------------------------------------------

struct SummaryOpts {
  std::string input, customer = "customer", at = "at", amount, period = "day";
  double periods_per_unit = 1;
  TimeArg observation_end, calibration_end;
  bool include_first = false, json = false;
};


// The index of `name` in a header; invalid_argument naming the option and listing the header.
std::size_t column_index(const std::vector<std::string>& header, const std::string& name, const char* option) {
  CsvFile f;
  f.names = header;
  return f.column(name, option);
}

// The purchase log of a CSV file, read in one pass with bounded overhead per row: customer ids
// written as plain numbers are kept as numbers until the first id that is not (then every id so
// far is interned: one string per distinct id, an int code per row), times and amounts parsed
// as they come. Ids that are all whole numbers become those numbers; other ids are numbered in
// text order and `names` gives them back.
struct LogFile {
  clv::PurchaseLog log;
  std::vector<std::string> names;
  bool numeric = true;
};

LogFile read_log(const SummaryOpts& o) {
  std::ifstream in(o.input, std::ios::binary);
  if (!in) throw Error(Errc::io, "cannot read --input '" + o.input + "'");
  io::CsvReader reader(in);
  std::vector<std::string> header;
  std::size_t ci = 0, ti = 0, ai = 0;
  LogFile f;
  std::unordered_map<std::string, std::int64_t> code;
  bool interning = false;
  for (;;) {
    const auto st = reader.next();
    if (st == io::CsvReader::Status::end) break;
    if (st == io::CsvReader::Status::error)
      bad(fmt::format("--input '{}' line {}: {}", o.input, reader.line(), reader.error_message()));
    if (header.empty()) {
      for (std::size_t i = 0; i < reader.size(); ++i) header.emplace_back(reader.field(i));
      ci = column_index(header, o.customer, "--customer-column");
      ti = column_index(header, o.at, "--at-column");
      if (!o.amount.empty()) ai = column_index(header, o.amount, "--amount-column");
      continue;
    }
    if (reader.size() != header.size())
      bad(fmt::format("--input '{}' line {}: {} fields for a header of {}", o.input, reader.line(), reader.size(),
                      header.size()));
    const std::string_view id = reader.field(ci);
    std::int64_t number_id = 0;
    if (!interning && canonical_integer(id, number_id)) {
      f.log.customer.push_back(number_id);
    } else {
      if (!interning) {  // the first id that is not a plain number: intern those read so far
        interning = true;
        for (auto& c : f.log.customer) {
          const auto [it, added] = code.try_emplace(std::to_string(c), static_cast<std::int64_t>(f.names.size()));
          if (added) f.names.push_back(it->first);
          c = it->second;
        }
      }
      const auto [it, added] = code.try_emplace(std::string(id), static_cast<std::int64_t>(f.names.size()));
      if (added) f.names.push_back(it->first);
      f.log.customer.push_back(it->second);
    }
    try {
      f.log.at.push_back(parse_instant(reader.field(ti), o.at));
    } catch (const Error& e) {
      bad(fmt::format("line {}: {}", reader.line(), e.what()));
    }
    if (!o.amount.empty()) f.log.amount.push_back(number(reader.field(ai), o.amount.c_str(), reader.line()));
  }
  if (!interning) return f;  // every id was a plain number: the log holds them already
  if (!reader.stream_ok()) throw Error(Errc::io, "reading --input '" + o.input + "' failed");
  if (header.empty()) bad("--input '" + o.input + "' is empty (a header line is needed)");
  std::vector<std::int64_t> value(f.names.size());
  for (std::size_t k = 0; k < f.names.size() && f.numeric; ++k) {
    const std::string& t = f.names[k];
    const auto res = std::from_chars(t.data(), t.data() + t.size(), value[k]);
    f.numeric = res.ec == std::errc() && res.ptr == t.data() + t.size();
  }
  if (f.numeric) {
    for (auto& c : f.log.customer) c = value[static_cast<std::size_t>(c)];
    f.names.clear();
  } else {
    std::vector<std::int64_t> order(f.names.size()), rank(f.names.size());
    for (std::size_t k = 0; k < order.size(); ++k) order[k] = static_cast<std::int64_t>(k);
    std::sort(order.begin(), order.end(), [&](std::int64_t x, std::int64_t y) { return f.names[x] < f.names[y]; });
    std::vector<std::string> sorted(f.names.size());
    for (std::size_t r = 0; r < order.size(); ++r) {
      rank[static_cast<std::size_t>(order[r])] = static_cast<std::int64_t>(r);
      sorted[r] = std::move(f.names[static_cast<std::size_t>(order[r])]);
    }
    f.names = std::move(sorted);
    for (auto& c : f.log.customer) c = rank[static_cast<std::size_t>(c)];
  }
  return f;
}

void run_summary(const SummaryOpts& o) {
  LogFile file = read_log(o);
  const clv::PurchaseLog& log = file.log;
  const bool numeric = file.numeric;
  const std::vector<std::string>& names = file.names;
  clv::SummaryOptions so;
  so.period = clv::parse_time_unit(o.period, "--period");
  so.periods_per_unit = o.periods_per_unit;
  so.observation_end = o.observation_end.instant_if_given();
  so.include_first_purchase = o.include_first;
  const bool split = o.calibration_end.given();
  clv::CalibrationHoldout t;
  if (split) t = clv::calibration_and_holdout(log, o.calibration_end.instant(), so);
  else t.calibration = clv::summarise_purchases(log, so);
  const clv::PurchaseSummary& s = t.calibration;
  const bool money = !o.amount.empty();
  auto id = [&](std::size_t i) { return numeric ? std::to_string(s.customer[i]) : names[s.customer[i]]; };
  const std::string suffix = split ? "_cal" : "";
  if (o.json) {
    nlohmann::ordered_json rows = nlohmann::ordered_json::array();
    for (std::size_t i = 0; i < s.size(); ++i) {
      nlohmann::ordered_json r;
      if (numeric) r["customer"] = s.customer[i];
      else r["customer"] = names[s.customer[i]];
      r["frequency" + suffix] = s.frequency[i];
      r["recency" + suffix] = s.recency[i];
      r["T" + suffix] = s.T[i];
      if (money) r["monetary_value" + suffix] = s.monetary_value[i];
      if (split) {
        r["frequency_holdout"] = t.frequency_holdout[i];
        if (money) r["monetary_value_holdout"] = t.monetary_value_holdout[i];
        r["duration_holdout"] = t.duration_holdout;
      }
      rows.push_back(r);
    }
    nlohmann::ordered_json out{{"customers", s.size()},
                               {"observation_end", format_instant(split ? t.observation_end : s.observation_end)},
                               {"purchases_left_out", s.purchases_left_out},
                               {"rows", rows}};
    print(out.dump(2) + "\n");
    return;
  }
  // CSV: the columns lifetimes names, ready for `crmkit clv fit-table` or pandas.read_csv.
  std::string out = "customer,frequency" + suffix + ",recency" + suffix + ",T" + suffix;
  if (money) out += ",monetary_value" + suffix;
  if (split) out += money ? ",frequency_holdout,monetary_value_holdout,duration_holdout" : ",frequency_holdout,duration_holdout";
  out += "\n";
  for (std::size_t i = 0; i < s.size(); ++i) {
    std::string name = id(i);
    if (name.find_first_of(",\"\r\n") != std::string::npos) {
      std::string q = "\"";
      for (char c : name) q += c == '"' ? std::string("\"\"") : std::string(1, c);
      name = q + "\"";
    }
    auto to = std::back_inserter(out);
    fmt::format_to(to, "{},{},{},{}", name, s.frequency[i], s.recency[i], s.T[i]);
    if (money) fmt::format_to(to, ",{}", s.monetary_value[i]);
    if (split) {
      fmt::format_to(to, ",{}", t.frequency_holdout[i]);
      if (money) fmt::format_to(to, ",{}", t.monetary_value_holdout[i]);
      fmt::format_to(to, ",{}", t.duration_holdout);
    }
    out += '\n';
  }
  print(out);
}

// ---- crmkit clv fit-table -----------------------------------------------------------------------

struct FitTableOpts {
  std::string input, model = "bg_nbd";
  double penalizer = 0;
  bool json = false;
};

// The column `name`, or `name`_cal (a calibration/holdout table).
std::vector<double> column_of(const CsvFile& f, const std::string& name) {
  const bool plain = std::find(f.names.begin(), f.names.end(), name) != f.names.end();
  const std::string wanted = plain ? name : name + "_cal";
  const std::size_t c = f.column(wanted, "--input");
  std::vector<double> v;
  v.reserve(f.rows.size());
  for (std::size_t i = 0; i < f.rows.size(); ++i) v.push_back(number(f.rows[i][c], wanted.c_str(), i + 2));
  return v;
}

void run_fit_table(const FitTableOpts& o) {
  const CsvFile f = read_csv(o.input);
  clv::FitOptions fo;
  fo.penalizer_coef = o.penalizer;
  clv::FitReport report;
  if (o.model == "gamma_gamma" || o.model == "gg") {
    const auto x = column_of(f, "frequency"), m = column_of(f, "monetary_value");
    clv::SpendHistories h;
    for (std::size_t i = 0; i < x.size(); ++i)
      if (x[i] > 0 && m[i] > 0) {  // repeat buyers with spend only, as the model needs (stated in --help)
        h.x.push_back(x[i]);
        h.mean_spend.push_back(m[i]);
      }
    report = clv::fit_gamma_gamma(h, fo).report;
  } else {
    const clv::PurchaseModelKind kind = clv::parse_purchase_model_kind(o.model, "--model");
    clv::Histories h{column_of(f, "frequency"), column_of(f, "recency"), column_of(f, "T"), {}};
    report = clv::fit_purchase_model(kind, h, fo).report;
  }
  if (!o.json) {
    print(clv::fit_summary(report));
    return;
  }
  print_json(nlohmann::json::parse(clv::to_json(report)));
}

// ---- crmkit clv predict-table -------------------------------------------------------------------

struct PredictTableOpts {
  std::string input, model = "bg_nbd", unit;
  double penalizer = 0, horizon = 0, discount_rate = 0.01, margin_rate = 1;
  int months = 0;
  bool json = false;
};

// Fits the model on the table (and Gamma-Gamma on its repeat buyers for CLV) and writes per
// customer what lifetimes' predict steps give: P(alive), expected purchases over --horizon,
// the expected average profit and the discounted CLV over --clv-months.
void run_predict_table(const PredictTableOpts& o) {
  if (!(o.horizon >= 0) || !std::isfinite(o.horizon)) bad(fmt::format("--horizon {} must be finite and >= 0", o.horizon));
  if (o.months < 0 || o.months > 1200) bad(fmt::format("--clv-months {} is outside 0..1200", o.months));
  if (o.months > 0 && o.unit.empty()) bad("--clv-months needs --unit, the table's unit of time (day, week, month)");
  if (!(o.margin_rate >= 0 && o.margin_rate <= 1)) bad(fmt::format("--margin-rate {} is outside 0..1", o.margin_rate));
  const clv::PurchaseModelKind kind = clv::parse_purchase_model_kind(o.model, "--model");
  const std::optional<clv::TimeUnit> unit =
      o.unit.empty() ? std::nullopt : std::optional<clv::TimeUnit>(clv::parse_time_unit(o.unit, "--unit"));
  const CsvFile f = read_csv(o.input);
  const std::size_t id = f.column("customer", "--input");
  clv::FitOptions fo;
  fo.penalizer_coef = o.penalizer;
  const clv::Histories h{column_of(f, "frequency"), column_of(f, "recency"), column_of(f, "T"), {}};
  const clv::PurchaseModelFit fit = clv::fit_purchase_model(kind, h, fo);
  const std::vector<double> alive = clv::p_alive(fit.model, h);
  const std::vector<double> expected =
      o.horizon > 0 ? clv::conditional_expected_purchases(fit.model, o.horizon, h) : std::vector<double>{};
  std::vector<double> profit, value;
  std::optional<clv::FitReport> spend_report;
  if (o.months > 0) {
    const auto m = column_of(f, "monetary_value");
    clv::SpendHistories repeat;
    for (std::size_t i = 0; i < m.size(); ++i)
      if (h.x[i] > 0 && m[i] > 0) {
        repeat.x.push_back(h.x[i]);
        repeat.mean_spend.push_back(m[i]);
      }
    const clv::GammaGammaFit gg = clv::fit_gamma_gamma(repeat, fo);
    spend_report = gg.report;
    profit = clv::conditional_expected_average_spend(gg.params, clv::SpendHistories{h.x, m, {}});
    std::vector<double> margin(profit.size());
    for (std::size_t i = 0; i < profit.size(); ++i) margin[i] = profit[i] * o.margin_rate;
    value = clv::customer_lifetime_value(fit.model, clv::MonthlyHorizon(*unit, o.months, o.discount_rate), h, margin);
  }
  std::cerr << "crmkit clv predict-table: " << o.model << " fitted on " << h.x.size() << " customers"
            << (spend_report ? ", gamma_gamma on " + std::to_string(spend_report->customers) + " repeat buyers" : "")
            << (fit.report.converged ? "" : " (NOT converged: " + fit.report.reason + ")") << "\n";
  if (o.json) {
    nlohmann::json rows = nlohmann::json::array();
    for (std::size_t i = 0; i < alive.size(); ++i) {
      nlohmann::json r{{"customer", f.rows[i][id]}, {"p_alive", alive[i]}};
      if (!expected.empty()) r["expected_purchases"] = expected[i];
      if (!value.empty()) r["expected_average_profit"] = profit[i], r["clv"] = value[i];
      rows.push_back(std::move(r));
    }
    nlohmann::json out{{"model", nlohmann::json::parse(clv::to_json(fit.report))}, {"rows", std::move(rows)}};
    if (spend_report) out["spend_model"] = nlohmann::json::parse(clv::to_json(*spend_report));
    print_json(out);
    return;
  }
  std::string out = "customer,p_alive";
  if (!expected.empty()) out += ",expected_purchases";
  if (!value.empty()) out += ",expected_average_profit,clv";
  out += '\n';
  auto to = std::back_inserter(out);
  for (std::size_t i = 0; i < alive.size(); ++i) {
    const std::string& name = f.rows[i][id];
    if (name.find_first_of(",\"\r\n") != std::string::npos) bad(fmt::format("line {}: customer '{}' needs quoting; "
                                                                               "use --json", i + 2, name));
    fmt::format_to(to, "{},{}", name, alive[i]);
    if (!expected.empty()) fmt::format_to(to, ",{}", expected[i]);
    if (!value.empty()) fmt::format_to(to, ",{},{}", profit[i], value[i]);
    out += '\n';
  }
  print(out);
}

}  // namespace

void add_clv_plain_commands(CLI::App* clv) {
  auto so = std::make_shared<SummaryOpts>();
  auto* sum = clv->add_subcommand(
      "summary",
      "lifetimes' summary table of a purchase log CSV (no store): per customer frequency, recency, T, monetary "
      "value; with --calibration-end the calibration/holdout split. CSV out (--json for JSON)");
  sum->add_option("--input", so->input, "the purchase log: a CSV file with a header line")->required();
  sum->add_option("--customer-column", so->customer, "column of the customer id")->capture_default_str();
  sum->add_option("--at-column", so->at, "column of the purchase time (ISO-8601, a date or epoch ms)")
      ->capture_default_str();
  sum->add_option("--amount-column", so->amount, "column of the amount in major units (none: no monetary value)");
  sum->add_option("--period", so->period, "hour, day, week (Monday..Sunday) or month: purchases in one merge")
      ->capture_default_str();
  sum->add_option("--periods-per-unit", so->periods_per_unit,
                  "lifetimes' freq_multiplier: recency and T divided by it (day with 7: weeks)")
      ->capture_default_str();
  add_time_option(sum, so->observation_end, "--observation-end", DateMeans::first_instant,
                  "the end of observation (default: the latest purchase); its whole period counts, as in "
                  "lifetimes");
  add_time_option(sum, so->calibration_end, "--calibration-end", DateMeans::first_instant,
                  "split: purchases at or before it are the calibration, later ones up to --observation-end the "
                  "holdout");
  sum->add_flag("--include-first-purchase", so->include_first, "lifetimes' include_first_transaction");
  sum->add_flag("--json", so->json, "print JSON instead of CSV");
  sum->callback([so] { run_summary(*so); });

  auto fo = std::make_shared<FitTableOpts>();
  auto* fit = clv->add_subcommand(
      "fit-table",
      "Fit a model on a summary table CSV (columns frequency, recency, T, monetary_value, or their _cal forms) and "
      "print its summary: parameters, standard errors, log-likelihood, AIC, BIC");
  fit->add_option("--input", fo->input, "the summary table (crmkit clv summary writes one)")->required();
  fit->add_option("--model", fo->model,
                  "bg_nbd, mbg_nbd, pareto_nbd, or gamma_gamma (on the rows with frequency > 0 and spend > 0)")
      ->capture_default_str();
  fit->add_option("--penalizer", fo->penalizer, "lifetimes' penalizer_coef (L2, >= 0)")->capture_default_str();
  fit->add_flag("--json", fo->json, "print JSON");
  fit->callback([fo] { run_fit_table(*fo); });

  auto po = std::make_shared<PredictTableOpts>();
  auto* pred = clv->add_subcommand(
      "predict-table",
      "Fit a model on a summary table CSV and write per customer P(alive), expected purchases over --horizon and, "
      "with --clv-months, the Gamma-Gamma expected average profit and lifetimes' discounted CLV (CSV; --json)");
  pred->add_option("--input", po->input, "the summary table with a customer column (crmkit clv summary writes one)")
      ->required();
  pred->add_option("--model", po->model, "bg_nbd, mbg_nbd or pareto_nbd")->capture_default_str();
  pred->add_option("--penalizer", po->penalizer, "lifetimes' penalizer_coef (L2, >= 0), for every fit")
      ->capture_default_str();
  pred->add_option("--horizon", po->horizon, "expected purchases in the next HORIZON units of the table (0: none)")
      ->capture_default_str();
  pred->add_option("--clv-months", po->months, "CLV over this many months (1..1200; 0: none); needs monetary_value")
      ->capture_default_str();
  pred->add_option("--unit", po->unit, "the table's unit of time (hour, day, week, month), for --clv-months");
  pred->add_option("--discount-rate", po->discount_rate, "monthly discount rate (lifetimes' discount_rate)")
      ->capture_default_str();
  pred->add_option("--margin-rate", po->margin_rate, "share of the expected spend that is profit (0..1)")
      ->capture_default_str();
  pred->add_flag("--json", po->json, "print JSON: the fits' reports and the rows");
  pred->callback([po] { run_predict_table(*po); });
}

}  // namespace crmkit::cli
