#include "analytics/duplicate_scoring.hpp"

#include <algorithm>
#include <functional>
#include <iterator>
#include <limits>

#include <fmt/format.h>

#include "analytics/name_similarity.hpp"
#include "analytics/phonetic.hpp"
#include "base/enum_table.hpp"
#include "crmkit/error.hpp"

namespace crmkit::analytics {

namespace {

inline constexpr detail::EnumName<BlockingKey> kBlockingKeyNames[] = {
    {BlockingKey::email, "email"},
    {BlockingKey::phone, "phone"},
    {BlockingKey::external_id, "external_id"},
    {BlockingKey::identifier, "identifier"},
    {BlockingKey::family_phonetic_birth_year, "family_phonetic_birth_year"},
    {BlockingKey::given_prefix_postal_code, "given_prefix_postal_code"},
    {BlockingKey::family_given_phonetic, "family_given_phonetic"},
    {BlockingKey::birth_date_postal_code, "birth_date_postal_code"},
    {BlockingKey::organization_initial, "organization_initial"}};

constexpr std::size_t at(MatchField f) noexcept { return static_cast<std::size_t>(f); }

// The first n code points of UTF-8 text (a continuation byte never starts one).
std::string_view first_chars(std::string_view s, std::size_t n) noexcept {
  std::size_t i = 0, seen = 0;
  for (; i < s.size(); ++i) {
    bool starts = (static_cast<unsigned char>(s[i]) & 0xC0) != 0x80;
    if (starts && seen++ == n) break;
  }
  return s.substr(0, i);
}

bool order(const DuplicateCandidate& x, const DuplicateCandidate& y) {
  if (x.score != y.score) return x.score > y.score;
  if (x.a != y.a) return x.a < y.a;
  return x.b < y.b;
}

}  // namespace

std::vector<PreparedRecord> prepare_list(const std::vector<MatchRecord>& records, const char* list) {
  std::vector<PreparedRecord> out;
  out.reserve(records.size());
  std::vector<std::int64_t> ids;
  ids.reserve(records.size());
  for (const auto& r : records) {
    out.push_back(prepare(r));
    ids.push_back(r.id);
  }
  std::sort(ids.begin(), ids.end());
  auto twice = std::adjacent_find(ids.begin(), ids.end());
  if (twice != ids.end())
    throw Error(Errc::invalid_argument, fmt::format("{}: record id {} appears more than once", list, *twice));
  return out;
}

namespace {

DuplicateSearch search(const std::vector<PreparedRecord>& all, std::optional<std::size_t> left_count,
                       const DuplicateRules& rules, const SearchOptions& options) {
  BlockedPairs blocked = block_pairs(all, options, left_count);
  DuplicateSearch s;
  s.records = static_cast<std::int64_t>(all.size());
  auto n = static_cast<std::int64_t>(all.size());
  if (left_count) {
    auto l = static_cast<std::int64_t>(*left_count);
    s.all_pairs = l * (n - l);
  } else {
    s.all_pairs = n * (n - 1) / 2;
  }
  s.pairs_compared = static_cast<std::int64_t>(blocked.pairs.size());
  s.blocks = blocked.blocks;
  s.blocks_skipped = blocked.blocks_skipped;
  s.records_in_skipped_blocks = blocked.records_in_skipped_blocks;
  for (auto [i, j] : blocked.pairs) {
    DuplicateCandidate c = score_pair(all[i], all[j], rules);
    if (c.score < rules.suspect_from) continue;
    if (!left_count && c.a > c.b) std::swap(c.a, c.b);
    s.candidates.push_back(std::move(c));
  }
  std::sort(s.candidates.begin(), s.candidates.end(), order);
  return s;
}

}  // namespace

const char* to_string(BlockingKey k) noexcept { return detail::enum_name(kBlockingKeyNames, k); }
BlockingKey parse_blocking_key(const std::string& text, const char* field) {
  return detail::parse_enum(kBlockingKeyNames, text, field);
}
std::vector<BlockingKey> all_blocking_keys() {
  std::vector<BlockingKey> v;
  for (const auto& e : kBlockingKeyNames) v.push_back(e.value);
  return v;
}

PreparedRecord prepare(const MatchRecord& r) {
  PreparedRecord p;
  p.id = r.id;
  p.raw = r.fields;
  std::string& full = p.raw[at(MatchField::full_name)];
  if (full.empty()) {
    const std::string& g = r[MatchField::given_name];
    const std::string& f = r[MatchField::family_name];
    full = g.empty() ? f : f.empty() ? g : g + " " + f;
  }
  for (std::size_t k = 0; k < kMatchFieldCount; ++k) {
    if (p.raw[k].empty()) continue;
    p.folded[k] = fold_for_match(p.raw[k]);
    p.points[k] = code_points(p.folded[k]);
    p.phonetic[k] = nysiis(p.folded[k]);
  }
  const std::string& birth = p.raw[at(MatchField::birth_date)];
  if (!birth.empty()) {
    // An invalid date is an unknown one: it agrees with nothing, and the batch goes on.
    try {
      p.birth = parse_date(birth, "birth_date");
    } catch (const Error&) {
      p.birth.reset();
    }
  }
  return p;
}

bool condition_holds(const MatchCondition& c, const PreparedRecord& a, const PreparedRecord& b) {
  std::size_t k = at(c.field);
  switch (c.comparator) {
    case Comparator::exact:
      return !a.raw[k].empty() && a.raw[k] == b.raw[k];
    case Comparator::normalized:
      return !a.folded[k].empty() && a.folded[k] == b.folded[k];
    case Comparator::prefix: {
      if (a.points[k].empty() || b.points[k].empty()) return false;
      auto n = static_cast<std::size_t>(c.prefix_length);
      return std::u32string_view(a.points[k]).substr(0, n) == std::u32string_view(b.points[k]).substr(0, n);
    }
    case Comparator::jaro_winkler:
      if (a.points[k].empty() || b.points[k].empty()) return false;
      return jaro_winkler(a.points[k], b.points[k]) >= c.threshold;
    case Comparator::phonetic:
      return !a.phonetic[k].empty() && a.phonetic[k] == b.phonetic[k];
    case Comparator::equal_date:
      return a.birth && b.birth && *a.birth == *b.birth;
  }
  return false;
}

DuplicateCandidate score_pair(const PreparedRecord& a, const PreparedRecord& b, const DuplicateRules& rules) {
  DuplicateCandidate out;
  out.a = a.id;
  out.b = b.id;
  for (std::size_t i = 0; i < rules.rules.size(); ++i) {
    const DuplicateRule& r = rules.rules[i];
    bool all = std::all_of(r.all_of.begin(), r.all_of.end(),
                           [&](const MatchCondition& c) { return condition_holds(c, a, b); });
    if (!all) continue;
    out.score += r.weight;  // <= kMaxRules * kMaxRuleWeight: no overflow
    out.fired.push_back({i, describe(r), r.weight});
  }
  out.verdict = out.score >= rules.duplicate_threshold ? DuplicateVerdict::duplicate
                : out.score >= rules.suspect_from      ? DuplicateVerdict::suspect
                                                       : DuplicateVerdict::distinct;
  return out;
}

DuplicateCandidate score_pair(const MatchRecord& a, const MatchRecord& b, const DuplicateRules& rules) {
  check_duplicate_rules(rules);
  return score_pair(prepare(a), prepare(b), rules);
}

std::vector<std::string> blocking_keys(const PreparedRecord& r, const std::vector<BlockingKey>& kinds) {
  using F = MatchField;
  auto folded = [&](F f) -> const std::string& { return r.folded[at(f)]; };
  auto sound = [&](F f) -> const std::string& { return r.phonetic[at(f)]; };
  std::vector<std::string> keys;
  auto add = [&](BlockingKey k, std::string_view a, std::string_view b = {}, bool two = false) {
    if (a.empty() || (two && b.empty())) return;
    std::string key = fmt::format("{}:{}", to_string(k), a);
    if (two) key += fmt::format("|{}", b);
    keys.push_back(std::move(key));
  };
  std::string year, date;
  if (r.birth) {
    CivilDate d = civil_from_day(*r.birth);
    year = std::to_string(d.year);
    date = fmt::format("{:04}-{:02}-{:02}", d.year, d.month, d.day);
  }
  for (BlockingKey k : kinds) {
    switch (k) {
      case BlockingKey::email: add(k, folded(F::email)); break;
      case BlockingKey::phone: add(k, r.raw[at(F::phone)]); break;
      case BlockingKey::external_id: add(k, r.raw[at(F::external_id)]); break;
      case BlockingKey::identifier: add(k, folded(F::identifier)); break;
      case BlockingKey::family_phonetic_birth_year: add(k, sound(F::family_name), year, true); break;
      case BlockingKey::given_prefix_postal_code:
        add(k, first_chars(folded(F::given_name), 3), folded(F::postal_code), true);
        break;
      case BlockingKey::family_given_phonetic: add(k, sound(F::family_name), sound(F::given_name), true); break;
      case BlockingKey::birth_date_postal_code: add(k, date, folded(F::postal_code), true); break;
      case BlockingKey::organization_initial:
        add(k, folded(F::organization), first_chars(folded(F::full_name), 1), true);
        break;
    }
  }
  std::sort(keys.begin(), keys.end());
  keys.erase(std::unique(keys.begin(), keys.end()), keys.end());
  return keys;
}

void check_search_options(const SearchOptions& options) {
  if (options.keys.empty()) throw Error(Errc::invalid_argument, "blocking keys: the list is empty");
  for (BlockingKey k : options.keys)
    if (!*to_string(k))
      throw Error(Errc::invalid_argument, fmt::format("blocking key {} is not one of {}", static_cast<int>(k),
                                                      detail::enum_names(kBlockingKeyNames)));
  if (options.max_block_size < 2)
    throw Error(Errc::invalid_argument,
                fmt::format("max_block_size {} must be >= 2 (a block of one compares nothing)", options.max_block_size));
}

BlockedPairs block_pairs(const std::vector<PreparedRecord>& records, const SearchOptions& options,
                         std::optional<std::size_t> left_count) {
  check_search_options(options);
  if (records.size() > std::numeric_limits<std::uint32_t>::max())
    throw Error(Errc::invalid_argument, "find_duplicates: more than 2^32 - 1 records");
  if (left_count && *left_count > records.size())
    throw Error(Errc::invalid_argument, "block_pairs: left_count is above the number of records");
  // (hash of the key, record) pairs sorted once: a block is a run of one hash. A map from key
  // text to members cost an allocation per key, most of them unique, and 4 GB at a million
  // records (bench workload 12); two keys whose 64-bit hashes collide only share a block,
  // which adds comparisons, never a wrong score.
  std::vector<std::pair<std::uint64_t, std::uint32_t>> keyed;
  keyed.reserve(records.size() * 4);
  const std::hash<std::string> hash;
  for (std::size_t i = 0; i < records.size(); ++i)
    for (const auto& key : blocking_keys(records[i], options.keys))
      keyed.emplace_back(hash(key), static_cast<std::uint32_t>(i));
  std::sort(keyed.begin(), keyed.end());
  keyed.erase(std::unique(keyed.begin(), keyed.end()), keyed.end());
  BlockedPairs out;
  std::vector<std::uint64_t> packed;  // i << 32 | j: one sort and unique makes each pair once
  for (std::size_t start = 0; start < keyed.size();) {
    std::size_t end = start + 1;
    while (end < keyed.size() && keyed[end].first == keyed[start].first) ++end;
    const std::size_t size = end - start;
    if (size >= 2) {
      ++out.blocks;
      if (size > options.max_block_size) {
        ++out.blocks_skipped;
        out.records_in_skipped_blocks += static_cast<std::int64_t>(size);
      } else {
        for (std::size_t x = start; x < end; ++x)
          for (std::size_t y = x + 1; y < end; ++y) {
            std::uint64_t i = keyed[x].second, j = keyed[y].second;  // increasing: i < j
            if (left_count && !(i < *left_count && j >= *left_count)) continue;
            packed.push_back(i << 32 | j);
          }
      }
    }
    start = end;
  }
  std::sort(packed.begin(), packed.end());
  packed.erase(std::unique(packed.begin(), packed.end()), packed.end());
  out.pairs.reserve(packed.size());
  for (std::uint64_t p : packed)
    out.pairs.emplace_back(static_cast<std::uint32_t>(p >> 32), static_cast<std::uint32_t>(p & 0xFFFFFFFFu));
  return out;
}

DuplicateSearch find_duplicates(const std::vector<MatchRecord>& records, const DuplicateRules& rules,
                                const SearchOptions& options) {
  check_duplicate_rules(rules);
  check_search_options(options);
  return search(prepare_list(records, "records"), std::nullopt, rules, options);
}

DuplicateSearch link_records(const std::vector<MatchRecord>& left, const std::vector<MatchRecord>& right,
                             const DuplicateRules& rules, const SearchOptions& options) {
  check_duplicate_rules(rules);
  check_search_options(options);
  std::vector<PreparedRecord> all = prepare_list(left, "left records");
  std::vector<PreparedRecord> r = prepare_list(right, "right records");
  std::move(r.begin(), r.end(), std::back_inserter(all));
  return search(all, left.size(), rules, options);
}

BlockingIndex::BlockingIndex(std::vector<MatchRecord> records, SearchOptions options)
    : options_(std::move(options)) {
  check_search_options(options_);
  records_ = prepare_list(records, "indexed records");
  if (records_.size() > std::numeric_limits<std::uint32_t>::max())
    throw Error(Errc::invalid_argument, "BlockingIndex: more than 2^32 - 1 records");
  for (std::size_t i = 0; i < records_.size(); ++i)
    for (auto& key : blocking_keys(records_[i], options_.keys)) blocks_[std::move(key)].push_back(static_cast<std::uint32_t>(i));
}

std::vector<DuplicateCandidate> BlockingIndex::candidates_for(const MatchRecord& record,
                                                              const DuplicateRules& rules) const {
  check_duplicate_rules(rules);
  PreparedRecord p = prepare(record);
  std::vector<std::uint32_t> others;
  for (const auto& key : blocking_keys(p, options_.keys)) {
    auto it = blocks_.find(key);
    if (it == blocks_.end() || it->second.size() > options_.max_block_size) continue;
    others.insert(others.end(), it->second.begin(), it->second.end());
  }
  std::sort(others.begin(), others.end());
  others.erase(std::unique(others.begin(), others.end()), others.end());
  std::vector<DuplicateCandidate> out;
  for (std::uint32_t i : others) {
    if (records_[i].id == p.id) continue;
    DuplicateCandidate c = score_pair(p, records_[i], rules);
    if (c.score >= rules.suspect_from) out.push_back(std::move(c));
  }
  std::sort(out.begin(), out.end(), order);
  return out;
}

}  // namespace crmkit::analytics
