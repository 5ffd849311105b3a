// Words for the time units and measures that axis labels and captions name.
#pragma once

#include <string>

#include "crmkit/clv.hpp"

namespace crmkit::plots {

// "days", "weeks", ...: the plural of clv::to_string(unit).
std::string units_text(clv::TimeUnit unit);
// "3 days", "1 week", "2.5 weeks".
std::string amount_of(double value, clv::TimeUnit unit);

}  // namespace crmkit::plots
