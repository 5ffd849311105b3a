// Duplicate detection on plain records: scoring a pair under DuplicateRules with its
// explanation, blocking keys, and the batch search that compares only records sharing a key.
// Pure: no SQL, no store, no clock; the same input gives the same output, in the same order.
// The rule model is public (crmkit/duplicates.hpp); docs/IDENTITY.md has the design and the
// figures on FEBRL.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include "crmkit/duplicates.hpp"
#include "crmkit/time.hpp"

namespace crmkit::analytics {

// A record with each field's comparable forms worked out once, so that a batch does not fold,
// decode or encode a value again for every pair it is in.
struct PreparedRecord {
  std::int64_t id = 0;
  std::array<std::string, kMatchFieldCount> raw;     // full_name filled from the names if empty
  std::array<std::string, kMatchFieldCount> folded;  // fold_for_match
  std::array<std::u32string, kMatchFieldCount> points;  // code points of `folded`
  std::array<std::string, kMatchFieldCount> phonetic;   // nysiis of `folded`
  std::optional<Day> birth;  // birth_date when it is a valid ISO date; otherwise unknown
};
PreparedRecord prepare(const MatchRecord& r);
// Every record of a list prepared; refuses an id repeated in the list, naming `list`.
std::vector<PreparedRecord> prepare_list(const std::vector<MatchRecord>& records, const char* list);

// Whether one condition holds for two records (an empty value never agrees).
bool condition_holds(const MatchCondition& c, const PreparedRecord& a, const PreparedRecord& b);

// The pair's score, verdict and fired rules. The first form trusts rules already checked (the
// batch checks once); the second checks them (check_duplicate_rules).
DuplicateCandidate score_pair(const PreparedRecord& a, const PreparedRecord& b, const DuplicateRules& rules);
DuplicateCandidate score_pair(const MatchRecord& a, const MatchRecord& b, const DuplicateRules& rules);

// Blocking keys: a record is compared only with records sharing at least one key. Each kind
// is there to catch the duplicates the others miss (docs/IDENTITY.md has the measurements):
enum class BlockingKey {
  email,                     // the default rules' strongest anchor
  phone,                     // likewise
  external_id,               // likewise
  identifier,                // a national id: rarely mistyped twice the same way
  family_phonetic_birth_year,  // typos in both names (NYSIIS absorbs most), a moved address
  given_prefix_postal_code,  // a changed or mistyped family name (marriage, typos NYSIIS keeps)
  family_given_phonetic,     // a missing or mistyped birth date and a moved address
  birth_date_postal_code,    // swapped or badly mistyped names
  organization_initial,      // the fuzzy name + same organisation rule: organisation and the
                             // full name's first letter
};
const char* to_string(BlockingKey k) noexcept;
BlockingKey parse_blocking_key(const std::string& text, const char* field = "blocking key");
std::vector<BlockingKey> all_blocking_keys();

// The keys of one record, each tagged with its kind ("email:ann@example.org"); a kind whose
// fields are unknown gives no key. Sorted, without repeats.
std::vector<std::string> blocking_keys(const PreparedRecord& r, const std::vector<BlockingKey>& kinds);

struct SearchOptions {
  std::vector<BlockingKey> keys = all_blocking_keys();
  // A block of more records than this is skipped (and counted): a key shared by thousands
  // (a common name, a placeholder email) would make the search quadratic, and says little.
  std::size_t max_block_size = 100;
};

// Which pairs blocking proposes. Pairs are record indexes (i < j), each once, sorted.
struct BlockedPairs {
  std::vector<std::pair<std::uint32_t, std::uint32_t>> pairs;
  std::int64_t blocks = 0;                     // distinct keys shared by 2 or more records
  std::int64_t blocks_skipped = 0;             // of those, larger than max_block_size
  std::int64_t records_in_skipped_blocks = 0;  // summed over the skipped blocks
};

// Over one list (every pair within), or, when `left_count` is given, over a linkage: records
// [0, left_count) against [left_count, size), never two of the same side.
BlockedPairs block_pairs(const std::vector<PreparedRecord>& records, const SearchOptions& options,
                         std::optional<std::size_t> left_count = std::nullopt);

struct DuplicateSearch {
  std::vector<DuplicateCandidate> candidates;  // score >= suspect_from; by score desc, a, b
  std::int64_t records = 0;
  std::int64_t pairs_compared = 0;
  std::int64_t all_pairs = 0;  // n(n-1)/2, or |left| x |right|: what no blocking would compare
  std::int64_t blocks = 0, blocks_skipped = 0, records_in_skipped_blocks = 0;
};

// The batch mode. Refuses bad rules (check_duplicate_rules), max_block_size < 2, an empty key
// list, more than 2^32 - 1 records, and an id repeated within a list (a pair must name two
// records) with Error(invalid_argument).
DuplicateSearch find_duplicates(const std::vector<MatchRecord>& records, const DuplicateRules& rules,
                                const SearchOptions& options = {});
// Linkage of two lists: candidates have a from `left` and b from `right`.
DuplicateSearch link_records(const std::vector<MatchRecord>& left, const std::vector<MatchRecord>& right,
                             const DuplicateRules& rules, const SearchOptions& options = {});

// The real-time mode: the blocking keys of a list held once, so that one new or edited record
// is compared with the records sharing a key, not with the whole list.
class BlockingIndex {
 public:
  BlockingIndex(std::vector<MatchRecord> records, SearchOptions options = {});
  // Candidates for `record` at or above suspect_from, sorted as in find_duplicates; a is the
  // record's id, b the indexed record's. An indexed record with the same id is skipped (a
  // record is not its own duplicate). Blocks above max_block_size are skipped.
  std::vector<DuplicateCandidate> candidates_for(const MatchRecord& record, const DuplicateRules& rules) const;
  std::size_t size() const noexcept { return records_.size(); }

 private:
  SearchOptions options_;
  std::vector<PreparedRecord> records_;
  std::unordered_map<std::string, std::vector<std::uint32_t>> blocks_;
};

// Shared validation of the search's options and ids.
void check_search_options(const SearchOptions& options);

}  // namespace crmkit::analytics
