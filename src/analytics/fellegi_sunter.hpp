// Fellegi-Sunter record linkage as a mode of duplicate detection: per-field agreement levels,
// m and u probabilities estimated by EM over the blocked candidate pairs, log-likelihood
// weights and a match threshold. Pure functions over plain data.
//
// Fellegi, I. P. & Sunter, A. B. (1969), "A theory for record linkage", JASA 64(328);
// EM estimation: Winkler (1988), "Using the EM algorithm for weight computation in the
// Fellegi-Sunter model of record linkage"; Jaro (1989).
//
// For comparison k a pair takes a level l in {agree, partial, disagree, missing}:
//   agree     the folded values are equal (birth_date: the same valid date);
//   partial   not equal, Jaro-Winkler of the folded values >= the comparison's threshold
//             (birth_date: at most one of year, month, day differs);
//   disagree  otherwise;  missing  either value unknown.
// m_k(l) = P(level l | match), u_k(l) = P(level l | non-match), over l in {agree, partial,
// disagree}. Assuming the comparisons independent given the class, a pair's weight is
//   W = sum over k with a known level of log2(m_k(l) / u_k(l))       (missing adds 0)
// and its posterior odds of being a match are p/(1-p) * 2^W, p the share of matches among
// the pairs. The default threshold is the weight at which that posterior is 1/2:
//   W >= log2((1 - p) / p).
//
// EM (conditional independence, missing levels left out of both sums):
//   E: g_j = p Prod m_k(l_jk) / (p Prod m_k(l_jk) + (1-p) Prod u_k(l_jk))
//   M: m_k(l) = Sum_j g_j [l_jk = l] / Sum_j g_j [l_jk known], u_k(l) likewise with 1 - g_j,
//      p = Sum_j g_j / N,
// from m_k = (0.9, 0.05, 0.05), u_k the level shares among random pairs (nearly all
// non-matches) and p = 0.1, until no parameter moves by more than `tolerance`. Each
// probability is kept at or above 1e-6 (then the level's row renormalised) so every weight is
// finite: a level never seen in one class is strong evidence, not infinite evidence.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "analytics/duplicate_scoring.hpp"
#include "crmkit/duplicates.hpp"

namespace crmkit::analytics {

enum class FsLevel : std::uint8_t { agree, partial, disagree, missing };
const char* to_string(FsLevel l) noexcept;

struct FsComparison {
  MatchField field = MatchField::family_name;
  double partial_threshold = 0.85;  // Jaro-Winkler for `partial`, in [0, 1]
};

FsLevel compare_level(const FsComparison& c, const PreparedRecord& a, const PreparedRecord& b);

// One pair's levels, one per comparison.
using FsPattern = std::vector<FsLevel>;

struct FsModel {
  std::vector<FsComparison> comparisons;
  std::vector<std::array<double, 3>> m, u;  // [comparison][agree, partial, disagree]
  double match_share = 0;                    // p
  int iterations = 0;
  bool converged = false;

  double weight(std::size_t comparison, FsLevel level) const;  // log2(m/u); 0 when missing
  double weight(const FsPattern& pattern) const;
  double threshold() const;  // log2((1 - p) / p)
};

struct FsOptions {
  int max_iterations = 500;
  double tolerance = 1e-7;
  std::size_t random_pairs = 20000;  // for u's start
  std::uint64_t seed = 20240601;     // the random pairs' generator (mt19937_64): reproducible
  std::optional<double> threshold;   // overrides FsModel::threshold() in the search
};

// Level shares among `samples` random pairs (of one list, or across the two sides of a
// linkage when left_count is given): u's start. Deterministic for a seed.
std::vector<std::array<double, 3>> level_shares_of_random_pairs(const std::vector<PreparedRecord>& records,
                                                                 const std::vector<FsComparison>& comparisons,
                                                                 std::size_t samples, std::uint64_t seed,
                                                                 std::optional<std::size_t> left_count = std::nullopt);

// EM over the patterns of the candidate pairs. Refuses (invalid_argument) no comparisons, a
// pattern of another length, a threshold outside [0, 1], an initial u of another size, and
// max_iterations < 1.
FsModel estimate_fellegi_sunter(const std::vector<FsPattern>& patterns, const std::vector<FsComparison>& comparisons,
                                const std::vector<std::array<double, 3>>& initial_u, const FsOptions& options = {});

struct FsContribution {
  MatchField field = MatchField::family_name;
  FsLevel level = FsLevel::missing;
  double weight = 0;
};

struct FsCandidate {
  std::int64_t a = 0, b = 0;
  double weight = 0;
  std::vector<FsContribution> parts;  // one per comparison, in order: the explanation
};

struct FsSearch {
  FsModel model;
  double threshold = 0;                // the one applied
  std::vector<FsCandidate> candidates;  // weight >= threshold; by weight desc, a, b
  std::int64_t records = 0, pairs_compared = 0, all_pairs = 0;
};

// Blocking (as find_duplicates), EM on the blocked pairs, then every pair at or above the
// threshold with its explanation.
FsSearch fellegi_sunter_duplicates(const std::vector<MatchRecord>& records, const std::vector<FsComparison>& comparisons,
                                   const SearchOptions& search = {}, const FsOptions& options = {});
FsSearch fellegi_sunter_link(const std::vector<MatchRecord>& left, const std::vector<MatchRecord>& right,
                             const std::vector<FsComparison>& comparisons, const SearchOptions& search = {},
                             const FsOptions& options = {});

}  // namespace crmkit::analytics
