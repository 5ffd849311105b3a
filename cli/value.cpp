// crmkit clv fit | clv predict | clv models | rfm: customer value from the shell, plus the
// report section "value" and the demo step that fits, scores and segments the demo shop.
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <memory>
#include <sstream>

#include <fmt/format.h>

#include "commands.hpp"
#include "common.hpp"
#include "crmkit/customer.hpp"
#include "crmkit/error.hpp"
#include "crmkit/limits.hpp"
#include "crmkit/value.hpp"

namespace crmkit::cli {
namespace {

std::string external_id_of(Store& s, std::int64_t id) {
  return Customers(s).get(id).external_id.value_or("");
}

// A plain text table with right-aligned columns flagged 'r'.
std::string table(const std::vector<std::string>& header, const std::vector<std::vector<std::string>>& rows,
                  const std::string& align) {
  std::vector<std::size_t> w(header.size());
  for (std::size_t i = 0; i < header.size(); ++i) w[i] = header[i].size();
  for (const auto& r : rows)
    for (std::size_t i = 0; i < r.size() && i < w.size(); ++i) w[i] = std::max(w[i], r[i].size());
  auto line = [&](const std::vector<std::string>& r) {
    std::string s = " ";
    for (std::size_t i = 0; i < w.size(); ++i) {
      const std::string& c = i < r.size() ? r[i] : std::string();
      std::string pad(w[i] - std::min(w[i], c.size()), ' ');
      s += "  " + (i < align.size() && align[i] == 'r' ? pad + c : c + pad);
    }
    while (!s.empty() && s.back() == ' ') s.pop_back();
    return s + "\n";
  };
  std::string out = line(header);
  for (const auto& r : rows) out += line(r);
  return out;
}

std::string fixed(double v, int digits) { return fmt::format("{:.{}f}", v, digits); }

void print(const std::string& s) { std::fwrite(s.data(), 1, s.size(), stdout); }


// ---- crmkit clv fit ----------------------------------------------------------------------------

struct FitOpts {
  std::string db, model = "bgnbd", unit = "week", currency;
  TimeArg calibration_end, fitted_at;
  double penalizer = 0;
  bool json = false;
};

std::string model_text(const ValueModel& m) {
  std::string out = fmt::format("model {} ({}), {} customers, unit {}, calibration end {} ({})\n", m.id,
                                to_string(m.kind), grouped(m.customers), clv::to_string(m.unit),
                                format_date(day_of(m.calibration_end) - 1), m.currency);
  std::vector<std::vector<std::string>> rows;
  for (std::size_t i = 0; i < m.params.size(); ++i) {
    std::string se = "-";
    for (const auto& e : m.std_errors)
      if (e.first == m.params[i].first) se = fmt::format("{:.6g}", e.second);
    rows.push_back({m.params[i].first, fmt::format("{:.6g}", m.params[i].second), se});
  }
  out += table({"parameter", "value", "std. error"}, rows, "lrr");
  out += fmt::format("  log-likelihood {:.4f}; {} after {} iterations ({})\n", m.log_likelihood,
                     m.converged ? "converged" : "NOT converged", m.iterations, m.reason);
  if (m.penalizer_coef > 0) out += fmt::format("  penalizer_coef {:g} (L2 penalty)\n", m.penalizer_coef);
  return out;
}

void run_fit(const FitOpts& o) {
  // Refused by the option's own name before the store is opened (the library names its field).
  if (!std::isfinite(o.penalizer) || o.penalizer < 0)
    throw Error(Errc::invalid_argument, fmt::format("--penalizer {} must be a finite number >= 0", o.penalizer));
  Store s = open_store(o.db, StoreUse::write);
  FitRequest r;
  r.kind = parse_value_model_kind(o.model, "--model");
  r.unit = parse_model_time_unit(o.unit, "--unit");
  r.calibration_end = o.calibration_end.instant();
  // Deterministic by default: a model is dated by its data; --fitted-at records another instant.
  r.fitted_at = o.fitted_at.instant_if_given().value_or(r.calibration_end);
  if (!o.currency.empty()) r.currency = o.currency;
  r.options.penalizer_coef = o.penalizer;
  auto m = CustomerValue(s).fit(r);
  if (o.json) print_json(nlohmann::json::parse(to_json(m)));
  else print(model_text(m));
}

// ---- crmkit clv predict ------------------------------------------------------------------------

// The calibration period a model saw: [data_from day, calibration end day], in dates.
nlohmann::json calibration_json(const ValueModel& m) {
  return {{"from", m.data_from ? nlohmann::json(format_date(day_of(*m.data_from))) : nlohmann::json(nullptr)},
          {"to", format_date(day_of(m.calibration_end - 1))},
          {"unit", clv::to_string(m.unit)},
          {"currency", m.currency}};
}

// "Model: bgnbd 3, calibration 1997-01-01 to 1997-09-30 (week, USD), fitted ...; r=... alpha=..."
std::string used_model_text(const ValueModel& m) {
  std::string params;
  for (const auto& p : m.params) params += fmt::format(" {}={:.6g}", p.first, p.second);
  return fmt::format("Model: {} {}, calibration {} to {} ({}, {}), log-likelihood {:.4f};{}\n", to_string(m.kind),
                     m.id, m.data_from ? format_date(day_of(*m.data_from)) : std::string("?"),
                     format_date(day_of(m.calibration_end - 1)), clv::to_string(m.unit), m.currency,
                     m.log_likelihood, params);
}

struct PredictOpts {
  std::string db, horizon = "12", unit = "month", model;
  TimeArg as_of;
  double discount = 0.01, margin = 1.0;
  int top = 20;
  bool json = false, unit_given = false;
};

void run_predict(const PredictOpts& o) {
  // --horizon 12 is counted in --unit; --horizon 12m names its unit itself, which --unit may
  // not contradict. Read before the store is opened, as every option is.
  const Length horizon = parse_length(o.horizon, "--horizon");
  std::string unit = o.unit;
  if (horizon.unit) {
    const std::string named = horizon.unit == 'd' ? "day" : horizon.unit == 'w' ? "week" : "month";
    if (o.unit_given && o.unit != named)
      throw Error(Errc::invalid_argument,
                  fmt::format("--horizon '{}' is in {}s but --unit says {}", o.horizon, named, o.unit));
    unit = named;
  }
  const HorizonUnit horizon_unit = parse_horizon_unit(unit, "--unit");
  Store s = open_store(o.db, StoreUse::write);
  CustomerValue value(s);
  const Instant as_of = as_of_or_default(s, o.as_of);
  if (as_of == 0) throw Error(Errc::invalid_argument, "the store has no purchases to predict from");
  if (o.top < 0) throw Error(Errc::invalid_argument, fmt::format("--top {} must be >= 0", o.top));
  // The model named by --model, or the default choice (CustomerValue::choose_model); with no
  // transaction model saved at all, fits BG/NBD (weeks) and Gamma-Gamma with the calibration
  // ending at as_of, and says so. The spend model is the newest gg model in the same currency.
  std::optional<ValueModel> tm;
  if (!o.model.empty()) {
    const ModelChoice choice = parse_model_choice(o.model, "--model");
    tm = choice.id > 0 ? value.model(choice.id) : value.choose_model(choice.kind);
    if (!is_transaction_model(tm->kind))
      throw Error(Errc::invalid_argument,
                  fmt::format("--model {} is a {} spend model; name a bgnbd, pnbd or mbgnbd model", tm->id,
                              to_string(tm->kind)));
  } else if (value.latest_model()) {
    tm = value.choose_model();
  }
  std::vector<std::string> notes;
  if (!tm) {
    FitRequest f;
    f.kind = ValueModelKind::bgnbd;
    f.unit = clv::TimeUnit::week;
    f.calibration_end = as_of;
    f.fitted_at = as_of;
    tm = value.fit(f);
    notes.push_back(fmt::format("fitted bgnbd model {} (no transaction model was saved)", tm->id));
  }
  auto gg = value.latest_model(ValueModelKind::gg);
  if (gg && gg->currency != tm->currency) gg.reset();
  if (!gg) {
    FitRequest f;
    f.kind = ValueModelKind::gg;
    f.unit = tm->unit;
    f.calibration_end = tm->calibration_end;
    f.fitted_at = tm->fitted_at;
    f.currency = tm->currency;
    try {
      gg = value.fit(f);
      notes.push_back(fmt::format("fitted gg model {} (no spend model was saved)", gg->id));
    } catch (const Error& e) {
      if (e.code() != Errc::invalid_argument) throw;
      notes.push_back(std::string("no spend model: ") + e.what());
    }
  }
  ScoreRequest r;
  r.transaction_model_id = tm->id;
  if (gg) r.spend_model_id = gg->id;
  r.horizon = horizon.count;
  r.horizon_unit = horizon_unit;
  r.as_of = as_of;
  r.monthly_discount_rate = o.discount;
  r.margin_rate = o.margin;
  auto sum = value.score(r);
  auto top = value.top_scores(o.top);
  // Warnings go to stderr in both forms, so that a script reading the JSON still sees them.
  for (const auto& w : sum.warnings) std::fprintf(stderr, "crmkit: warning: %s\n", w.message.c_str());
  if (o.json) {
    // The library's summary (model, spend model, warnings, totals) plus the CLI's own fields.
    nlohmann::json j = nlohmann::json::parse(to_json(sum));
    j["as_of"] = format_instant(as_of);
    j["transaction_model"] = j["model"];  // the name earlier versions printed
    j["calibration"] = calibration_json(sum.model);
    j["horizon"] = horizon.count;
    j["horizon_unit"] = unit;
    j["notes"] = notes;
    j["top"] = nlohmann::json::array();
    for (const auto& t : top) {
      auto row = nlohmann::json::parse(to_json(t));
      row["external_id"] = external_id_of(s, t.customer_id);
      j["top"].push_back(row);
    }
    print_json(j);
    return;
  }
  for (const auto& n : notes) std::fprintf(stderr, "crmkit: %s\n", n.c_str());
  std::string out = fmt::format(
      "Predictions as of {} over {} {}(s) with {} model {}{}: {} customers scored, {} expected purchases",
      format_date(day_of(as_of) - 1), horizon.count, unit, to_string(tm->kind), tm->id,
      gg ? fmt::format(" and gg model {}", gg->id) : std::string(), grouped(sum.scored),
      fixed(sum.total_expected_purchases, 1));
  if (gg) out += fmt::format(", CLV {} {}", fixed(sum.total_predicted_clv, 2), sum.currency);
  out += "\n";
  out += used_model_text(sum.model);
  std::vector<std::vector<std::string>> rows;
  for (const auto& t : top)
    rows.push_back({std::to_string(t.customer_id), external_id_of(s, t.customer_id), fixed(t.p_alive.value_or(0), 3),
                    fixed(t.expected_purchases.value_or(0), 2),
                    t.predicted_clv ? fixed(*t.predicted_clv, 2) : std::string("-")});
  out += table({"id", "external id", "P(alive)", "exp. purchases", "CLV " + sum.currency}, rows, "rlrrr");
  print(out);
}

// ---- crmkit clv models -------------------------------------------------------------------------

void run_models(const std::string& db, bool json) {
  Store s = open_store(db, StoreUse::read);
  auto models = CustomerValue(s).models();
  if (json) {
    nlohmann::json j = nlohmann::json::array();
    for (const auto& m : models) j.push_back(nlohmann::json::parse(to_json(m)));
    print_json(j);
    return;
  }
  std::vector<std::vector<std::string>> rows;
  for (const auto& m : models) {
    std::string params;
    for (const auto& p : m.params) params += fmt::format("{}{}={:.4g}", params.empty() ? "" : " ", p.first, p.second);
    rows.push_back({std::to_string(m.id), to_string(m.kind), clv::to_string(m.unit),
                    format_date(day_of(m.calibration_end) - 1), grouped(m.customers), fixed(m.log_likelihood, 2),
                    m.converged ? "yes" : "no", params});
  }
  print(table({"id", "kind", "unit", "calibration end", "customers", "log-lik", "converged", "parameters"}, rows,
              "rlllrrll"));
}

// ---- crmkit rfm --------------------------------------------------------------------------------

struct RfmOpts {
  std::string db, map = "rf_grid", map_file, method = "ntile", frequency = "orders", currency;
  TimeArg as_of;
  int bins = 5;
  bool json = false, list_maps = false;
};

std::string segments_text(const RfmResult& r) {
  std::string out = fmt::format("RFM as of {} ({} scores, map {} v{}, monetary in {}): {} customers\n",
                                format_date(day_of(r.as_of - 1)), to_string(r.method), r.map_name, r.map_version,
                                r.currency, grouped(static_cast<std::int64_t>(r.customers.size())));
  std::vector<std::vector<std::string>> rows;
  const double total = static_cast<double>(std::max<std::size_t>(1, r.customers.size()));
  for (const auto& s : r.segments)
    rows.push_back({s.segment, grouped(s.customers), fixed(100.0 * static_cast<double>(s.customers) / total, 1) + "%",
                    grouped(s.orders), fixed(s.revenue, 2)});
  out += table({"segment", "customers", "share", "orders", "revenue"}, rows, "lrrrr");
  return out;
}

void run_rfm(const RfmOpts& o) {
  if (o.list_maps) {
    if (o.json) {
      nlohmann::json j = nlohmann::json::array();
      for (const auto& m : builtin_segment_maps()) j.push_back(nlohmann::json::parse(to_json(m)));
      print_json(j);
    } else {
      std::vector<std::vector<std::string>> rows;
      for (const auto& m : builtin_segment_maps()) rows.push_back({m.name, std::to_string(m.version), m.description});
      print(table({"map", "version", "description"}, rows, "lrl"));
    }
    return;
  }
  Store s = open_store(o.db, StoreUse::write);
  RfmRequest r;
  r.as_of = as_of_or_default(s, o.as_of);
  if (r.as_of == 0) throw Error(Errc::invalid_argument, "the store has no purchases: give --as-of");
  r.scoring.method = parse_rfm_method(o.method, "--method");
  if (r.scoring.method == RfmMethod::custom)
    throw Error(Errc::invalid_argument, "--method custom needs cut points: use the C++/C API");
  r.scoring.bins = o.bins;
  r.frequency = parse_rfm_frequency(o.frequency, "--frequency");
  if (!o.currency.empty()) r.currency = o.currency;
  if (!o.map_file.empty()) {
    r.custom_map = parse_segment_map(file_text(o.map_file, kMaxJsonText, "--map-file"));
  } else {
    r.map_name = o.map;
  }
  auto res = CustomerValue(s).rfm(r);
  if (o.json) print_json(nlohmann::json::parse(to_json(res, true)));
  else print(segments_text(res));
}

}  // namespace

void add_value_commands(CLI::App& root) {
  auto* clv = root.add_subcommand("clv", "Customer lifetime value: fit models, predict per customer");
  clv->require_subcommand(1);

  auto fo = std::make_shared<FitOpts>();
  auto* fit = clv->add_subcommand("fit", "Fit a model on the purchases before --calibration-end and save it");
  add_db_option(fit, fo->db);
  fit->add_option("--model", fo->model, "bgnbd, pnbd, mbgnbd or gg (Gamma-Gamma spend)")->capture_default_str();
  fit->add_option("--unit", fo->unit, "time unit of the model: day or week")->capture_default_str();
  add_time_option(fit, fo->calibration_end, "--calibration-end", DateMeans::end_of_day,
                  "fit on the purchases before this time")
      ->required();
  fit->add_option("--currency", fo->currency, "currency of the purchases (default: the store's)");
  add_time_option(fit, fo->fitted_at, "--fitted-at", DateMeans::end_of_day,
                  "the fit time recorded (default: the calibration end)");
  fit->add_option("--penalizer", fo->penalizer, "lifetimes' penalizer_coef (L2, >= 0), recorded in the model")
      ->capture_default_str();
  fit->add_flag("--json", fo->json, "print the model as JSON");
  fit->callback([fo] { run_fit(*fo); });

  auto po = std::make_shared<PredictOpts>();
  auto* pred = clv->add_subcommand(
      "predict",
      "Score every customer (P(alive), expected purchases, CLV) with the model named by --model or the default "
      "(best log-likelihood on the most recent calibration); fits BG/NBD (weeks) and Gamma-Gamma first when none "
      "is saved");
  add_db_option(pred, po->db);
  pred->add_option("--model", po->model,
                   "bgnbd, pnbd, mbgnbd (the best fit of that kind) or a saved model id (default: the best fit "
                   "on the most recent calibration)");
  pred->add_option("--horizon", po->horizon, "prediction horizon (> 0) in --unit, or with its unit: 90d, 52w, 12m")
      ->capture_default_str();
  auto* unit = pred->add_option("--unit", po->unit, "horizon unit: day, week or month")->capture_default_str();
  add_time_option(pred, po->as_of, "--as-of", DateMeans::end_of_day,
                  "score as of this time (default: the end of the last day with data)");
  pred->add_option("--discount", po->discount, "monthly discount rate for CLV")->capture_default_str();
  pred->add_option("--margin", po->margin, "share of spend that is margin, 0..1")->capture_default_str();
  pred->add_option("--top", po->top, "customers to list, by CLV (0 = all)")->capture_default_str();
  pred->add_flag("--json", po->json, "print JSON");
  pred->callback([po, unit] {
    po->unit_given = unit->count() > 0;
    run_predict(*po);
  });

  auto mo = std::make_shared<std::pair<std::string, bool>>();
  auto* models = clv->add_subcommand("models", "List the saved models, newest first");
  add_db_option(models, mo->first);
  models->add_flag("--json", mo->second, "print JSON");
  models->callback([mo] { run_models(mo->first, mo->second); });

  add_clv_plain_commands(clv);

  auto ro = std::make_shared<RfmOpts>();
  auto* rfm = root.add_subcommand("rfm", "RFM scores and segments for every customer (saved in the store)");
  add_db_option(rfm, ro->db);
  add_time_option(rfm, ro->as_of, "--as-of", DateMeans::end_of_day,
                  "score as of this time (default: the end of the last day with data)");
  rfm->add_option("--map", ro->map, "built-in segment map (see --list-maps)")->capture_default_str();
  rfm->add_option("--map-file", ro->map_file, "custom segment map, JSON");
  rfm->add_option("--method", ro->method, "ntile, quantile (R package rfm) or qcut (pandas)")->capture_default_str();
  rfm->add_option("--bins", ro->bins, "scores per measure, 1..9")->capture_default_str();
  rfm->add_option("--frequency", ro->frequency, "orders or days")->capture_default_str();
  rfm->add_option("--currency", ro->currency, "monetary currency (default: the store's)");
  rfm->add_flag("--list-maps", ro->list_maps, "list the built-in segment maps and exit");
  rfm->add_flag("--json", ro->json, "print segment sizes and every customer as JSON");
  rfm->callback([ro] {
    run_rfm(*ro);
  });
}

// ---- demo step -------------------------------------------------------------------------------------

// Fits BG/NBD (weeks) and Gamma-Gamma on the demo's purchases, scores 12 months ahead at 1% a
// month, and assigns RF-grid segments, all as of the end of the demo window, so the report has
// content. Data that cannot identify a model (tiny demos) skips the CLV part.
void demo_value(Store& s, std::uint64_t, Instant, Instant end) {
  CustomerValue value(s);
  try {
    FitRequest f;
    f.kind = ValueModelKind::bgnbd;
    f.unit = clv::TimeUnit::week;
    f.calibration_end = end;
    f.fitted_at = end;
    auto bg = value.fit(f);
    f.kind = ValueModelKind::gg;
    auto gg = value.fit(f);
    ScoreRequest r;
    r.transaction_model_id = bg.id;
    r.spend_model_id = gg.id;
    r.horizon = 12;
    r.horizon_unit = HorizonUnit::month;
    r.as_of = end;
    r.monthly_discount_rate = 0.01;
    value.score(r);
  } catch (const Error& e) {
    if (e.code() != Errc::invalid_argument) throw;
  }
  RfmRequest q;
  q.as_of = end;
  value.rfm(q);
}

}  // namespace crmkit::cli
