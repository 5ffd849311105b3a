#include "analytics/fellegi_sunter.hpp"

#include <algorithm>
#include <cmath>
#include <iterator>
#include <map>
#include <random>

#include <fmt/format.h>

#include "analytics/name_similarity.hpp"
#include "base/enum_table.hpp"
#include "crmkit/error.hpp"

namespace crmkit::analytics {

namespace {

inline constexpr detail::EnumName<FsLevel> kFsLevelNames[] = {{FsLevel::agree, "agree"},
                                                              {FsLevel::partial, "partial"},
                                                              {FsLevel::disagree, "disagree"},
                                                              {FsLevel::missing, "missing"}};

constexpr double kFloor = 1e-6;

void check_comparisons(const std::vector<FsComparison>& comparisons) {
  if (comparisons.empty()) throw Error(Errc::invalid_argument, "Fellegi-Sunter: no comparisons");
  for (const auto& c : comparisons) {
    if (!*to_string(c.field))
      throw Error(Errc::invalid_argument, fmt::format("Fellegi-Sunter: field {} is not a MatchField", static_cast<int>(c.field)));
    if (!(c.partial_threshold >= 0.0 && c.partial_threshold <= 1.0))
      throw Error(Errc::invalid_argument, fmt::format("Fellegi-Sunter: {} partial_threshold {} is outside [0, 1]",
                                                      to_string(c.field), c.partial_threshold));
  }
}

// Floors each probability at kFloor and renormalises the row (see the header).
void floor_row(std::array<double, 3>& row) {
  double sum = 0;
  for (double& x : row) sum += (x = std::max(x, kFloor));
  for (double& x : row) x /= sum;
}

std::vector<FsPattern> patterns_of(const std::vector<PreparedRecord>& all, const BlockedPairs& blocked,
                                   const std::vector<FsComparison>& comparisons) {
  std::vector<FsPattern> out;
  out.reserve(blocked.pairs.size());
  for (auto [i, j] : blocked.pairs) {
    FsPattern p;
    p.reserve(comparisons.size());
    for (const auto& c : comparisons) p.push_back(compare_level(c, all[i], all[j]));
    out.push_back(std::move(p));
  }
  return out;
}

FsSearch fs_search(const std::vector<PreparedRecord>& all, std::optional<std::size_t> left_count,
                   const std::vector<FsComparison>& comparisons, const SearchOptions& search,
                   const FsOptions& options) {
  check_comparisons(comparisons);
  BlockedPairs blocked = block_pairs(all, search, left_count);
  std::vector<FsPattern> patterns = patterns_of(all, blocked, comparisons);
  FsSearch s;
  s.model = estimate_fellegi_sunter(
      patterns, comparisons,
      level_shares_of_random_pairs(all, comparisons, options.random_pairs, options.seed, left_count), options);
  s.threshold = options.threshold ? *options.threshold : s.model.threshold();
  auto n = static_cast<std::int64_t>(all.size());
  s.records = n;
  s.pairs_compared = static_cast<std::int64_t>(blocked.pairs.size());
  s.all_pairs = left_count ? static_cast<std::int64_t>(*left_count) * (n - static_cast<std::int64_t>(*left_count))
                           : n * (n - 1) / 2;
  for (std::size_t x = 0; x < patterns.size(); ++x) {
    double w = s.model.weight(patterns[x]);
    if (w < s.threshold) continue;
    FsCandidate c;
    c.a = all[blocked.pairs[x].first].id;
    c.b = all[blocked.pairs[x].second].id;
    if (!left_count && c.a > c.b) std::swap(c.a, c.b);
    c.weight = w;
    for (std::size_t k = 0; k < comparisons.size(); ++k)
      c.parts.push_back({comparisons[k].field, patterns[x][k], s.model.weight(k, patterns[x][k])});
    s.candidates.push_back(std::move(c));
  }
  std::sort(s.candidates.begin(), s.candidates.end(), [](const FsCandidate& x, const FsCandidate& y) {
    if (x.weight != y.weight) return x.weight > y.weight;
    if (x.a != y.a) return x.a < y.a;
    return x.b < y.b;
  });
  return s;
}

}  // namespace

const char* to_string(FsLevel l) noexcept { return detail::enum_name(kFsLevelNames, l); }

FsLevel compare_level(const FsComparison& c, const PreparedRecord& a, const PreparedRecord& b) {
  auto k = static_cast<std::size_t>(c.field);
  if (c.field == MatchField::birth_date) {
    if (!a.birth || !b.birth) return FsLevel::missing;
    if (*a.birth == *b.birth) return FsLevel::agree;
    CivilDate x = civil_from_day(*a.birth), y = civil_from_day(*b.birth);
    int differ = (x.year != y.year) + (x.month != y.month) + (x.day != y.day);
    return differ <= 1 ? FsLevel::partial : FsLevel::disagree;
  }
  if (a.folded[k].empty() || b.folded[k].empty()) return FsLevel::missing;
  if (a.folded[k] == b.folded[k]) return FsLevel::agree;
  return jaro_winkler(a.points[k], b.points[k]) >= c.partial_threshold ? FsLevel::partial : FsLevel::disagree;
}

double FsModel::weight(std::size_t comparison, FsLevel level) const {
  if (level == FsLevel::missing) return 0.0;
  auto l = static_cast<std::size_t>(level);
  return std::log2(m.at(comparison)[l] / u.at(comparison)[l]);
}

double FsModel::weight(const FsPattern& pattern) const {
  double w = 0;
  for (std::size_t k = 0; k < pattern.size(); ++k) w += weight(k, pattern[k]);
  return w;
}

double FsModel::threshold() const { return std::log2((1.0 - match_share) / match_share); }

std::vector<std::array<double, 3>> level_shares_of_random_pairs(const std::vector<PreparedRecord>& records,
                                                                 const std::vector<FsComparison>& comparisons,
                                                                 std::size_t samples, std::uint64_t seed,
                                                                 std::optional<std::size_t> left_count) {
  check_comparisons(comparisons);
  std::vector<std::array<double, 3>> counts(comparisons.size(), {1.0, 1.0, 1.0});  // a count of one each: no zero share
  std::size_t n = records.size();
  bool linkage = left_count.has_value();
  std::size_t l = linkage ? *left_count : 0;
  if (l > n) throw Error(Errc::invalid_argument, "random pairs: left_count is above the number of records");
  bool possible = linkage ? (l > 0 && l < n) : n >= 2;
  std::mt19937_64 gen(seed);
  // The raw 64-bit draws reduced modulo n, not a std:: distribution: those differ between
  // standard libraries, and the pairs must be the same everywhere.
  for (std::size_t s = 0; possible && s < samples; ++s) {
    std::size_t i, j;
    if (linkage) {
      i = static_cast<std::size_t>(gen() % l);
      j = l + static_cast<std::size_t>(gen() % (n - l));
    } else {
      i = static_cast<std::size_t>(gen() % n);
      j = static_cast<std::size_t>(gen() % (n - 1));
      if (j >= i) ++j;
    }
    for (std::size_t k = 0; k < comparisons.size(); ++k) {
      FsLevel lv = compare_level(comparisons[k], records[i], records[j]);
      if (lv != FsLevel::missing) counts[k][static_cast<std::size_t>(lv)] += 1.0;
    }
  }
  for (auto& row : counts) {
    double sum = row[0] + row[1] + row[2];
    for (double& x : row) x /= sum;
  }
  return counts;
}

FsModel estimate_fellegi_sunter(const std::vector<FsPattern>& patterns, const std::vector<FsComparison>& comparisons,
                                const std::vector<std::array<double, 3>>& initial_u, const FsOptions& options) {
  check_comparisons(comparisons);
  std::size_t K = comparisons.size();
  if (initial_u.size() != K)
    throw Error(Errc::invalid_argument, fmt::format("Fellegi-Sunter: {} initial u rows for {} comparisons", initial_u.size(), K));
  if (options.max_iterations < 1) throw Error(Errc::invalid_argument, "Fellegi-Sunter: max_iterations must be >= 1");
  // Identical patterns counted once: a few hundred distinct ones stand for thousands of pairs.
  std::map<FsPattern, double> distinct;
  for (const auto& p : patterns) {
    if (p.size() != K)
      throw Error(Errc::invalid_argument, fmt::format("Fellegi-Sunter: a pattern of {} levels for {} comparisons", p.size(), K));
    distinct[p] += 1.0;
  }
  FsModel model;
  model.comparisons = comparisons;
  model.m.assign(K, {0.9, 0.05, 0.05});
  model.u = initial_u;
  for (auto& row : model.u) floor_row(row);
  model.match_share = 0.1;
  if (distinct.empty()) return model;
  double total = static_cast<double>(patterns.size());
  for (int it = 1; it <= options.max_iterations; ++it) {
    std::vector<std::array<double, 3>> m_sum(K, {0, 0, 0}), u_sum(K, {0, 0, 0});
    double g_sum = 0;
    for (const auto& [p, count] : distinct) {
      double lm = std::log(model.match_share), lu = std::log(1.0 - model.match_share);
      for (std::size_t k = 0; k < K; ++k) {
        if (p[k] == FsLevel::missing) continue;
        auto l = static_cast<std::size_t>(p[k]);
        lm += std::log(model.m[k][l]);
        lu += std::log(model.u[k][l]);
      }
      double g = 1.0 / (1.0 + std::exp(lu - lm));
      g_sum += count * g;
      for (std::size_t k = 0; k < K; ++k) {
        if (p[k] == FsLevel::missing) continue;
        auto l = static_cast<std::size_t>(p[k]);
        m_sum[k][l] += count * g;
        u_sum[k][l] += count * (1.0 - g);
      }
    }
    double change = 0;
    auto update = [&](std::array<double, 3>& row, const std::array<double, 3>& sums) {
      double s = sums[0] + sums[1] + sums[2];
      if (s <= 0) return;  // a comparison missing in every pair: nothing to learn, start kept
      std::array<double, 3> next{sums[0] / s, sums[1] / s, sums[2] / s};
      floor_row(next);
      for (std::size_t l = 0; l < 3; ++l) change = std::max(change, std::abs(next[l] - row[l]));
      row = next;
    };
    for (std::size_t k = 0; k < K; ++k) {
      update(model.m[k], m_sum[k]);
      update(model.u[k], u_sum[k]);
    }
    double p = std::clamp(g_sum / total, kFloor, 1.0 - kFloor);
    change = std::max(change, std::abs(p - model.match_share));
    model.match_share = p;
    model.iterations = it;
    if (change <= options.tolerance) {
      model.converged = true;
      break;
    }
  }
  return model;
}

FsSearch fellegi_sunter_duplicates(const std::vector<MatchRecord>& records, const std::vector<FsComparison>& comparisons,
                                   const SearchOptions& search, const FsOptions& options) {
  check_comparisons(comparisons);
  check_search_options(search);
  return fs_search(prepare_list(records, "records"), std::nullopt, comparisons, search, options);
}

FsSearch fellegi_sunter_link(const std::vector<MatchRecord>& left, const std::vector<MatchRecord>& right,
                             const std::vector<FsComparison>& comparisons, const SearchOptions& search,
                             const FsOptions& options) {
  check_comparisons(comparisons);
  check_search_options(search);
  std::vector<PreparedRecord> all = prepare_list(left, "left records");
  std::vector<PreparedRecord> r = prepare_list(right, "right records");
  std::move(r.begin(), r.end(), std::back_inserter(all));
  return fs_search(all, left.size(), comparisons, search, options);
}

}  // namespace crmkit::analytics
