// Jaro and Jaro-Winkler similarity of two names, over Unicode code points.
// Pure: no SQL, no I/O. Definitions: Jaro (1989), "Advances in record-linkage methodology as
// applied to matching the 1985 census of Tampa, Florida", JASA 84(406); Winkler (1990), "String
// comparator metrics and enhanced decision rules in the Fellegi-Sunter model of record linkage".
//
// Text is decoded as UTF-8 so that "José" and "Jose" differ by one character, not two bytes.
// Invalid UTF-8 is not refused (a batch over imported data must not stop at one bad value):
// each byte of an ill-formed sequence is compared as a unit of its own, which is the bytewise
// comparison such text has always had.
#pragma once

#include <string>
#include <string_view>

namespace crmkit::analytics {

// The code points of `text`; each byte of an ill-formed sequence becomes one unit
// (its byte value), as above.
std::u32string code_points(std::string_view text);

// The form every comparator but `exact` compares: ASCII letters lower-cased, the accented
// Latin letters of U+00C0..U+017F reduced to their base letters (é -> e, ß -> ss, Ł -> l,
// Œ -> oe), white space (ASCII and U+00A0) collapsed to one space and trimmed. Other code
// points, and the bytes of ill-formed UTF-8, are kept as they are.
std::string fold_for_match(std::string_view text);

// Jaro similarity in [0, 1]. With m characters matching inside the window
// floor(max(|a|, |b|) / 2) - 1 and t half the number of matched characters out of order:
//   jaro = (m/|a| + m/|b| + (m - t)/m) / 3, and 0 when m = 0.
// Two empty strings are identical (1); one empty string against a non-empty one is 0.
double jaro(std::u32string_view a, std::u32string_view b) noexcept;
double jaro(std::string_view a, std::string_view b);

// Jaro-Winkler: jaro + l * p * (1 - jaro), l the common prefix length capped at 4 and p the
// prefix scale. p must lie in [0, 0.25] (above 0.25 the result can exceed 1): anything else,
// NaN included, is refused with Error(invalid_argument). Winkler's default p is 0.1; the boost
// applies whatever the Jaro value (no 0.7 boost threshold).
double jaro_winkler(std::u32string_view a, std::u32string_view b, double prefix_scale = 0.1);
double jaro_winkler(std::string_view a, std::string_view b, double prefix_scale = 0.1);

}  // namespace crmkit::analytics
