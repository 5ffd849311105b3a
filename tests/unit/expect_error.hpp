// Checks that a call is refused with a given crmkit::Error: the unit tests of the stores assert
// the code and a fragment of the message of every refusal the same way.
#pragma once

#include <catch2/catch.hpp>

#include <functional>
#include <string>

#include "crmkit/error.hpp"

// Runs f, requiring Error(code) whose message contains `needle`.
inline void expect_error(const std::function<void()>& f, crmkit::Errc code, const std::string& needle) {
  try {
    f();
    FAIL("no error; expected " << crmkit::errc_name(code) << " mentioning '" << needle << "'");
  } catch (const crmkit::Error& e) {
    INFO(e.what());
    CHECK(e.code() == code);
    CHECK(std::string(e.what()).find(needle) != std::string::npos);
  }
}
