// Text rules shared by every area: UTF-8 validation, and messages that stay valid UTF-8
// whatever bytes a caller sent (they are returned as JSON and decoded by Python).
#include <catch2/catch.hpp>

#include <string>

#include "base/text.hpp"
#include "crmkit/error.hpp"
#include "crmkit/time.hpp"

using crmkit::detail::is_valid_utf8;
using crmkit::detail::printable;

TEST_CASE("is_valid_utf8 accepts well-formed text and refuses every malformed shape", "[text]") {
  CHECK(is_valid_utf8(""));
  CHECK(is_valid_utf8("plain"));
  CHECK(is_valid_utf8("\xc3\xa9t\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80"));
  CHECK_FALSE(is_valid_utf8(std::string("a\0b", 3)));   // NUL
  CHECK_FALSE(is_valid_utf8("\xc3\x28"));               // bad continuation
  CHECK_FALSE(is_valid_utf8("\xc0\xaf"));               // overlong
  CHECK_FALSE(is_valid_utf8("\xed\xa0\x80"));           // surrogate
  CHECK_FALSE(is_valid_utf8("\xf4\x90\x80\x80"));       // above U+10FFFF
  CHECK_FALSE(is_valid_utf8("\xf0\x9f\x98"));           // truncated at the end
  CHECK_FALSE(is_valid_utf8("\x80"));                   // lone continuation
}

TEST_CASE("printable escapes control and invalid bytes and cuts between characters", "[text]") {
  CHECK(printable("a\tb") == "a\\x09b");
  CHECK(printable("x\xc3\x28y") == "x\\xc3(y");
  CHECK(printable("\xf0\x9f\x98") == "\\xf0\\x9f\\x98");

  std::string emoji;
  for (int k = 0; k < 70; ++k) emoji += "\xf0\x9f\x98\x80";
  std::string cut = printable(emoji);
  CHECK(is_valid_utf8(cut));
  CHECK(cut.size() == 60 * 4 + 3);  // sixty whole characters and "..."
  CHECK(cut.substr(cut.size() - 3) == "...");

  // A 59-byte prefix puts a 4-byte character across byte 60: it must stay whole.
  std::string straddle = std::string(59, 'a') + "\xf0\x9f\x98\x80" + std::string(10, 'b');
  CHECK(is_valid_utf8(printable(straddle)));
  CHECK(printable(straddle, 3) == "aaa...");
}

TEST_CASE("an Error's message is valid UTF-8 even when built from invalid bytes", "[text]") {
  crmkit::Error bad(crmkit::Errc::invalid_argument, "currency 'U\xff\xc3' is not a code");
  CHECK(is_valid_utf8(bad.what()));
  CHECK(std::string(bad.what()) == "currency 'U\\xff\\xc3' is not a code");

  crmkit::Error good(crmkit::Errc::not_found, "customer 'Zo\xc3\xab' not found\nsecond line");
  CHECK(std::string(good.what()) == "customer 'Zo\xc3\xab' not found\nsecond line");  // valid text is kept as is
  CHECK(good.code() == crmkit::Errc::not_found);
}

TEST_CASE("instants keep whole milliseconds: finer fractions are refused, never dropped", "[time]") {
  CHECK(crmkit::parse_instant("2024-07-31T13:45:10.123Z") == crmkit::parse_instant("2024-07-31T13:45:10Z") + 123);
  CHECK(crmkit::parse_instant("2024-07-31T13:45:10.123000Z") == crmkit::parse_instant("2024-07-31T13:45:10.123Z"));
  CHECK(crmkit::parse_instant("2024-07-31T13:45:10.5Z") == crmkit::parse_instant("2024-07-31T13:45:10Z") + 500);
  try {
    crmkit::parse_instant("2024-07-31T13:45:10.1239Z");
    FAIL("a sub-millisecond digit was accepted");
  } catch (const crmkit::Error& e) {
    CHECK(e.code() == crmkit::Errc::invalid_argument);
    CHECK(std::string(e.what()).find("finer than a millisecond") != std::string::npos);
  }
}

TEST_CASE("every instant parse_instant accepts is in the supported years and reads back", "[time]") {
  // Epoch milliseconds and dates outside 0001..9999 were returned unchecked, so format_instant
  // could not print them back (found by the csv_import fuzzer's round-trip invariant).
  for (const char* text : {"9223372036854775807", "-9223372036854775808", "253402300800000", "0000-12-31"}) {
    INFO(text);
    CHECK_THROWS_AS(crmkit::parse_instant(text), crmkit::Error);
  }
  for (const char* text : {"253402300799999", "-62135596800000", "9999-12-31T23:59:59.999Z"}) {
    const crmkit::Instant t = crmkit::parse_instant(text);
    CHECK(crmkit::parse_instant(crmkit::format_instant(t)) == t);
  }
}
