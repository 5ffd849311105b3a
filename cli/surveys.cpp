// The demo step that answers surveys for the demo population (`crmkit import surveys` is in
// cli/import.cpp, the one import path of every entity).
#include <algorithm>
#include <cmath>

#include <fmt/format.h>

#include "commands.hpp"
#include "crmkit/customer.hpp"
#include "crmkit/interaction.hpp"
#include "crmkit/survey.hpp"

namespace crmkit::cli {
namespace {

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

}  // namespace

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

}  // namespace crmkit::cli
