// crmkit import surveys FILE.csv, and the demo step that answers surveys for the demo
// population.
#include <algorithm>
#include <cmath>
#include <fstream>
#include <iostream>
#include <map>
#include <sstream>

#include "commands.hpp"
#include "io/csv.hpp"
#include "crmkit/customer.hpp"
#include "crmkit/interaction.hpp"
#include "crmkit/survey.hpp"
#include "loyalty_cli.hpp"

namespace crmkit::cli {
namespace {

// The next record of the shared RFC 4180 reader (src/io/csv.hpp) as strings; false at the end.
// A malformed record throws (with *line set) after the reader has skipped past it.
bool read_record(io::CsvReader& csv, std::vector<std::string>& fields, int* line) {
  const auto status = csv.next();
  if (status == io::CsvReader::Status::end) return false;
  *line = static_cast<int>(csv.line());
  if (status == io::CsvReader::Status::error)
    throw Error(Errc::invalid_argument, csv.error_message());
  fields.clear();
  for (auto f : csv.fields()) fields.emplace_back(f);
  return true;
}

void add_import(CLI::App& root) {
  CLI::App* imp = loyalty::group(root, "import", "Import data from files");
  auto* cmd = imp->add_subcommand("surveys", "Import survey responses from CSV");
  struct Opts {
    std::string db, file;
  };
  auto o = std::make_shared<Opts>();
  cmd->add_option("--db", o->db, "Database file")->required();
  cmd->add_option("file", o->file,
                  "CSV with a header: customer_external_id,occurred_at,kind,score,channel,comment "
                  "(optional external_id, scale_min, scale_max, direction for kind custom)")
      ->required();
  cmd->callback([o] {
    std::ifstream in(o->file, std::ios::binary);
    if (!in) throw Error(Errc::io, fmt::format("cannot open {}", o->file));
    OpenOptions oo;
    oo.create = false;
    Store store = Store::open(o->db, oo);
    io::CsvReader csv(in);
    std::vector<std::string> f;
    int line = 0;
    if (!read_record(csv, f, &line)) throw Error(Errc::invalid_argument, "the file is empty");
    std::map<std::string, std::size_t> col;
    for (std::size_t i = 0; i < f.size(); ++i) col[std::string(f[i])] = i;
    for (const char* need : {"customer_external_id", "occurred_at", "kind", "score", "channel"})
      if (!col.count(need)) throw Error(Errc::invalid_argument, fmt::format("line 1: column {} is missing", need));
    auto get = [&](const char* name) -> std::optional<std::string> {
      auto it = col.find(name);
      if (it == col.end() || it->second >= f.size()) return std::nullopt;
      return f[it->second];
    };
    Customers customers(store);
    std::vector<SurveyResponse> rows;
    std::vector<int> lines;
    int bad = 0;
    for (;;) {
      try {
        if (!read_record(csv, f, &line)) break;
        SurveyResponse r;
        std::string ext = get("customer_external_id").value_or("");
        auto id = customers.find_id(ext);
        if (!id) throw Error(Errc::not_found, fmt::format("customer_external_id \"{}\" does not exist", ext));
        r.customer_id = *id;
        r.occurred_at = loyalty::instant_arg(get("occurred_at").value_or(""), "occurred_at");
        r.kind = parse_survey_kind(get("kind").value_or(""));
        std::string s = get("score").value_or("");
        std::size_t used = 0;
        try {
          r.score = std::stod(s, &used);
        } catch (const std::exception&) {
          used = 0;
        }
        if (s.empty() || used != s.size()) throw Error(Errc::invalid_argument, fmt::format("score \"{}\" is not a number", s));
        r.channel = parse_channel(get("channel").value_or(""));
        if (auto c = get("comment"); c && !c->empty()) r.comment = *c;
        if (auto e = get("external_id"); e && !e->empty()) r.external_id = *e;
        if (r.kind == SurveyKind::custom) {
          auto lo = get("scale_min"), hi = get("scale_max");
          if (!lo || !hi || lo->empty() || hi->empty())
            throw Error(Errc::invalid_argument, "kind custom needs scale_min and scale_max columns");
          r.scale = SurveyScale{std::stod(*lo), std::stod(*hi),
                                parse_scale_direction(get("direction").value_or("higher_is_better"))};
        }
        rows.push_back(std::move(r));
        lines.push_back(line);
      } catch (const std::exception& e) {
        ++bad;
        std::cerr << fmt::format("{}:{}: skipped: {}\n", o->file, line, e.what());
      }
    }
    BatchOptions bo;
    bo.skip_invalid = true;
    Transaction tx(store);
    BatchResult res = Surveys(store).record_batch(rows, bo);
    tx.commit();
    for (const auto& e : res.errors) std::cerr << fmt::format("{}:{}: skipped: {}\n", o->file, lines[e.index], e.message);
    bad += static_cast<int>(res.errors.size());
    std::cout << fmt::format("imported {} survey responses ({} already present, {} invalid rows skipped)\n",
                             res.inserted, res.duplicates, bad);
    if (bad > 0) exit_code() = 2;
  });
}

RegisterCommand reg(&add_import);

// ---- demo step ----------------------------------------------------------------------------
// Deterministic for the seed: a SplitMix64 stream per customer (independent of iteration
// order), uniform and normal draws computed here rather than by std distributions, whose
// output differs between standard libraries.
struct Stream {
  std::uint64_t s;
  std::uint64_t next() {
    std::uint64_t z = (s += 0x9E3779B97F4A7C15ULL);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
  }
  double uniform() { return (next() >> 11) * (1.0 / 9007199254740992.0); }
  double normal() {
    double u = uniform(), v = uniform();
    return std::sqrt(-2.0 * std::log(1.0 - u)) * std::cos(6.283185307179586 * v);
  }
};

int clamp_round(double x, int lo, int hi) {
  return std::clamp(static_cast<int>(std::lround(x)), lo, hi);
}

void demo_surveys(Store& store, std::uint64_t seed, Instant /*start*/, Instant end) {
  Customers customers(store);
  Interactions interactions(store);
  std::vector<SurveyResponse> batch;
  std::vector<Interaction> history;
  std::int64_t after = 0;
  for (;;) {
    CustomerPage page = customers.list({}, after, 500);
    for (const Customer& c : page.customers) {
      history.clear();
      std::optional<Instant> bt;
      std::optional<std::int64_t> bi;
      for (;;) {
        TimelinePage tl = interactions.timeline(c.id, {}, 500, bt, bi);
        history.insert(history.end(), tl.interactions.begin(), tl.interactions.end());
        if (!tl.has_more) break;
        bt = tl.next_before_time;
        bi = tl.next_before_id;
      }
      std::reverse(history.begin(), history.end());  // oldest first
      Stream rng{seed ^ (0x5EEDC0DEULL * static_cast<std::uint64_t>(c.id))};
      int purchases = 0, complaints = 0;
      for (const Interaction& it : history) {
        SurveyResponse r;
        r.customer_id = c.id;
        r.interaction_id = it.id;
        r.channel = it.channel;
        if (it.kind == InteractionKind::purchase) {
          ++purchases;
          if (rng.uniform() >= 0.3) continue;
          // Loyal repeat buyers recommend; customers who complained do not.
          r.kind = SurveyKind::nps;
          r.score = clamp_round(7.0 + 0.4 * std::min(purchases, 6) - 1.8 * complaints + 1.6 * rng.normal(), 0, 10);
          r.occurred_at = it.occurred_at + static_cast<Instant>((1 + rng.uniform() * 6) * kMillisPerDay);
          r.channel = Channel::email;
        } else if (it.kind == InteractionKind::support) {
          if (rng.uniform() >= 0.5) continue;
          r.kind = SurveyKind::csat;
          r.score = clamp_round(3.9 - 0.5 * complaints + 0.9 * rng.normal(), 1, 5);
          r.occurred_at = it.occurred_at + static_cast<Instant>((0.05 + rng.uniform() * 2) * kMillisPerDay);
        } else if (it.kind == InteractionKind::complaint) {
          ++complaints;
          if (rng.uniform() >= 0.6) continue;
          r.kind = SurveyKind::ces;
          r.score = clamp_round(4.6 - 0.6 * (complaints - 1) + 0.2 * std::min(purchases, 5) + 1.3 * rng.normal(), 1, 7);
          r.occurred_at = it.occurred_at + static_cast<Instant>((0.05 + rng.uniform() * 3) * kMillisPerDay);
        } else {
          continue;
        }
        if (r.occurred_at >= end) continue;
        r.external_id = fmt::format("demo-survey-{}-{}", it.id, to_string(r.kind));
        batch.push_back(std::move(r));
      }
    }
    if (page.next_after == 0) break;
    after = page.next_after;
  }
  Surveys(store).record_batch(batch);
}

RegisterDemoStep demo(DemoStep{400, "survey responses (NPS, CSAT, CES)", &demo_surveys});

}  // namespace
}  // namespace crmkit::cli
