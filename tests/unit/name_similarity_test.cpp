// Jaro and Jaro-Winkler against the published figures (Winkler 1990; the usual worked
// examples MARTHA/MARHTA, DWAYNE/DUANE, DIXON/DICKSONX), over code points.
#include <catch2/catch.hpp>

#include <cmath>
#include <limits>

#include "analytics/name_similarity.hpp"
#include "expect_error.hpp"

using namespace crmkit::analytics;
using Approx = Catch::Detail::Approx;

TEST_CASE("Jaro and Jaro-Winkler: published figures", "[duplicates][similarity]") {
  CHECK(jaro("MARTHA", "MARHTA") == Approx(0.944).margin(0.0005));
  CHECK(jaro_winkler("MARTHA", "MARHTA") == Approx(0.961).margin(0.0005));
  CHECK(jaro("DWAYNE", "DUANE") == Approx(0.822).margin(0.0005));
  CHECK(jaro_winkler("DWAYNE", "DUANE") == Approx(0.840).margin(0.0005));
  CHECK(jaro("DIXON", "DICKSONX") == Approx(0.767).margin(0.0005));
  CHECK(jaro_winkler("DIXON", "DICKSONX") == Approx(0.813).margin(0.0005));
  // Exact fractions: MARTHA/MARHTA has m = 6, t = 1: (1 + 1 + 5/6) / 3.
  CHECK(jaro("MARTHA", "MARHTA") == Approx((2.0 + 5.0 / 6.0) / 3.0));
  CHECK(jaro("MARTHA", "MARHTA") == jaro("MARHTA", "MARTHA"));
}

TEST_CASE("Jaro: edges", "[duplicates][similarity]") {
  CHECK(jaro("", "") == 1.0);
  CHECK(jaro("", "a") == 0.0);
  CHECK(jaro("abc", "xyz") == 0.0);
  CHECK(jaro("same", "same") == 1.0);
  CHECK(jaro_winkler("same", "same") == 1.0);
  CHECK(jaro_winkler("MARTHA", "MARHTA", 0.0) == jaro("MARTHA", "MARHTA"));
  CHECK(jaro_winkler("MARTHA", "MARHTA", 0.25) <= 1.0);
}

TEST_CASE("Jaro works on code points, not bytes", "[duplicates][similarity]") {
  // "é" is two bytes: bytewise JOSÉ/JOSE would see 5 against 4 units.
  CHECK(code_points("José").size() == 4);
  CHECK(jaro("José", "Josè") == Approx(jaro("Josa", "Josb")));
  CHECK(jaro("Müller", "Muller") == Approx(jaro("Mxller", "Muller")));
  // Ill-formed UTF-8 is compared bytewise: each bad byte is one unit.
  CHECK(code_points(std::string("a\xff" "b")) == std::u32string{U'a', 0xFF, U'b'});
  CHECK(jaro(std::string("a\xff" "b"), std::string("a\xff" "b")) == 1.0);
}

TEST_CASE("Jaro-Winkler refuses a prefix scale outside [0, 0.25]", "[duplicates][similarity]") {
  expect_error([] { jaro_winkler("a", "b", 0.26); }, crmkit::Errc::invalid_argument, "prefix_scale");
  expect_error([] { jaro_winkler("a", "b", -0.01); }, crmkit::Errc::invalid_argument, "prefix_scale");
  expect_error([] { jaro_winkler("a", "b", std::numeric_limits<double>::quiet_NaN()); },
               crmkit::Errc::invalid_argument, "[0, 0.25]");
}

TEST_CASE("fold_for_match: case, accents and white space", "[duplicates][similarity]") {
  CHECK(fold_for_match("  José   MÜLLER ") == "jose muller");
  CHECK(fold_for_match("Straße") == "strasse");
  CHECK(fold_for_match("ŁÓDŹ\tœuvre") == "lodz oeuvre");
  CHECK(fold_for_match("Ann@Example.ORG") == "ann@example.org");
  CHECK(fold_for_match("Σοφία") == "Σοφία");  // outside Latin: kept
  CHECK(fold_for_match(std::string("A\xc3")) == std::string("a\xc3"));  // a lone lead byte stays a byte
  CHECK(fold_for_match("   ").empty());
}
