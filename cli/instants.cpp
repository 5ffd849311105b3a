#include "instants.hpp"

#include <cctype>
#include <chrono>
#include <cmath>
#include <cstdlib>
#include <limits>

#include "crmkit/error.hpp"
#include "crmkit/report.hpp"

namespace crmkit::cli {

bool TimeArg::is_date() const noexcept { return text.size() == 10 && text[4] == '-' && text[7] == '-'; }

Instant TimeArg::instant() const {
  if (!is_date()) return parse_instant(text, option);
  const Day day = parse_date(text, option);
  return date == DateMeans::first_instant ? start_of_day(day) : end_of_day(day);
}

std::optional<Instant> TimeArg::instant_if_given() const {
  if (!given()) return std::nullopt;
  return instant();
}

CLI::Option* add_time_option(CLI::App* cmd, TimeArg& arg, const std::string& name, DateMeans date,
                             const std::string& what) {
  arg.option = name;
  arg.date = date;
  const char* role = date == DateMeans::first_instant
                         ? "a date YYYY-MM-DD means its first instant (00:00 UTC)"
                         : "a date YYYY-MM-DD means the end of that day (the next day 00:00 UTC)";
  // Read while the command line is parsed, so that bad text is refused before a store is opened
  // or anything else is done.
  const TimeArg probe = arg;
  return cmd->add_option(name, arg.text, what + "; " + role + ", else an ISO-8601 instant or epoch ms")
      ->type_name("TIME")
      ->each([probe](const std::string& text) {
        TimeArg given = probe;
        given.text = text;
        if (given.given()) given.instant();
      });
}

Instant as_of_or_default(Store& store, const TimeArg& as_of) {
  return as_of.given() ? as_of.instant() : default_as_of(store);
}

Instant given_or_now(const TimeArg& at) {
  if (at.given()) return at.instant();
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

Length parse_length(const std::string& text, const std::string& option) {
  Length out;
  std::string number = text;
  if (!number.empty() && (number.back() == 'd' || number.back() == 'w' || number.back() == 'm')) {
    out.unit = number.back();
    number.pop_back();
  }
  char* end = nullptr;
  const bool digits = !number.empty() && (std::isdigit(static_cast<unsigned char>(number[0])) || number[0] == '-');
  out.count = digits ? std::strtod(number.c_str(), &end) : 0;
  if (!digits || end != number.c_str() + number.size() || !std::isfinite(out.count))
    throw Error(Errc::invalid_argument, option + " '" + text +
                                            "' is not a number optionally followed by d, w or m (90, 90d, 12m, 52w)");
  return out;
}

CLI::Option* add_days_option(CLI::App* cmd, int& days, const std::string& name, const std::string& what) {
  auto whole_days = [name](std::string& text) {
    const Length l = parse_length(text, name);
    if ((l.unit != 0 && l.unit != 'd') || l.count != std::floor(l.count) ||
        std::abs(l.count) > std::numeric_limits<int>::max())
      throw Error(Errc::invalid_argument, name + " '" + text + "' is not a whole number of days (90 or 90d)");
    text = std::to_string(static_cast<int>(l.count));
    return std::string();
  };
  return cmd->add_option(name, days, what + " (a whole number of days: 90 or 90d)")
      ->transform(CLI::Validator(whole_days, "", "days"))
      ->type_name("DAYS");
}

}  // namespace crmkit::cli
