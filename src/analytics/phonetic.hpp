// A phonetic key for names: NYSIIS, the New York State Identification and Intelligence System
// code. Definition: Taft, R. L. (1970), "Name Search Techniques", Special Report No. 1, New
// York State Identification and Intelligence System, Albany; as restated in NIST's Dictionary
// of Algorithms and Data Structures ("NYSIIS"). Written here from that definition.
//
// Chosen over Soundex because it keeps vowel positions (as 'A') and the letters after the
// first, so JOHNSON (JANSAN) and JONES (JAN) stay apart where Soundex merges far more names,
// and over Double Metaphone because one key per name is what a blocking key or an "agrees"
// test needs.
//
// The steps, on the name's ASCII letters upper-cased (anything else is skipped: O'Brien is
// OBRIEN; fold accents first, see fold_for_match):
//   1. leading MAC -> MCC, KN -> NN, K -> C, PH -> FF, PF -> FF, SCH -> SSS;
//   2. trailing EE, IE -> Y; DT, RT, RD, NT, ND -> D;
//   3. the key starts with the first letter;
//   4. each following letter, in place: EV -> AF, else a vowel -> A; Q -> G; Z -> S; M -> N;
//      KN -> NN, else K -> C; SCH -> SSS; PH -> FF; H -> the previous letter when the previous
//      or the next letter is not a vowel; W -> the previous letter when that is a vowel; the
//      letter is appended unless it equals the key's last letter;
//   5. a trailing S is dropped, a trailing AY becomes Y, a trailing A is dropped.
// Taft truncates to six letters; the full key is returned (Taft's is nysiis(name).substr(0, 6)),
// since cutting merges more distinct names.
#pragma once

#include <string>
#include <string_view>

namespace crmkit::analytics {

// The NYSIIS key of `name`; "" when the name has no ASCII letter (unknown, never agrees).
std::string nysiis(std::string_view name);

}  // namespace crmkit::analytics
